"""A practice set without a window: engine + feedback policy, as the Practice view runs it.

:func:`run_practice` drives an :class:`~trainer.live.engine.Acquisition` the way the GUI's
frame timer does (poll the live state, drain the events), applies a
:class:`~trainer.live.feedback.FeedbackPolicy` to every frame's cues and every scored
stroke, and stops a probe once it has its strokes. ``demo --headless --feedback MODE``
and ``demo --headless --probe`` use it; the Practice view can follow the same steps.
Qt-free.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trainer.exceptions import TrainerError
from trainer.live.engine import Acquisition, EventKind, LiveScorer, SessionRecorder
from trainer.live.feedback import FeedbackPolicy, SetSummary, StrokeFeedback

if TYPE_CHECKING:
    from sensors.sources.base import Source

__all__ = ["PracticeResult", "run_practice"]


@dataclass(slots=True)
class PracticeResult:
    """What a practice set did.

    Parameters
    ----------
    strokes : list of StrokeFeedback
        Each scored stroke with what it showed (``score`` holds the score).
    end : SetSummary
        The end of the set (what is revealed now).
    seconds : float
        Glove time covered, seconds.
    glove : str
        Glove profile name.
    cue_frames : int
        Polls that showed at least one cue (a check that cues reached the student).
    messages : list of str
        Recording failures and the like, in order.
    """

    strokes: list[StrokeFeedback]
    end: SetSummary
    seconds: float
    glove: str
    cue_frames: int = 0
    messages: list[str] = field(default_factory=list)


def run_practice(
    source: Source,
    scorer: LiveScorer,
    policy: FeedbackPolicy,
    *,
    recorder: SessionRecorder | None = None,
    technique: str = "",
    reference: str = "",
    seconds: float | None = None,
    poll_s: float = 0.01,
    timeout_s: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> PracticeResult:
    """Run one practice set (or probe) to its end.

    Parameters
    ----------
    source : Source
        An unopened source (the engine opens and closes it).
    scorer : LiveScorer
        The live coach; its own schedule must show every cue (the policy hides them).
    policy : FeedbackPolicy
        What is shown; a probe ends the set after its strokes.
    recorder : SessionRecorder or None
        Where the session is recorded (``trainer.store.sessions.SessionRecording``);
        given an ``add_feedback`` method, it also gets what each stroke showed.
    technique, reference : str
        Passed to the recorder.
    seconds : float or None
        Glove time to run at most (``None``: until the source ends).
    poll_s : float
        Wall time between polls (the GUI's frame period).
    timeout_s : float or None
        Wall-clock limit.
    clock : callable
        Monotonic clock (for the timeout).

    Returns
    -------
    PracticeResult

    Raises
    ------
    TrainerError
        The wall-clock limit passed; or the source or the scorer failed (its error).
    """
    engine = Acquisition(source, duration_s=seconds)
    engine.set_scorer(scorer)
    if recorder is not None:
        engine.set_recorder(recorder, technique=technique, reference=reference)
    strokes: list[StrokeFeedback] = []
    messages: list[str] = []
    cue_frames = 0
    started = clock()
    # What each stroke showed goes beside its score, if the recorder keeps that.
    add_feedback = getattr(recorder, "add_feedback", None)

    def drain() -> bool:
        """Handle pending events; True when the set is over."""
        over = False
        for event in engine.events():
            if event.kind is EventKind.STROKE:
                if not policy.complete:  # a probe's set ends at its strokes
                    strokes.append(policy.stroke(event.payload))
                    if add_feedback is not None:
                        try:
                            add_feedback(strokes[-1])
                        except TrainerError as err:
                            messages.append(f"feedback record not saved: {err}")
            elif event.kind is EventKind.RECORDING_FAILED:
                messages.append(f"recording stopped: {event.message}")
            elif event.kind in (EventKind.FINISHED, EventKind.ERROR):
                over = True
        return over or policy.complete

    engine.start()
    try:
        while True:
            live = engine.live()
            if live.active and policy.live_cues(live.cues, live.strokes):
                cue_frames += 1
            if drain():
                break
            if timeout_s is not None and clock() - started > timeout_s:
                raise TrainerError(f"practice did not finish within {timeout_s:g} s")
            time.sleep(poll_s)
    finally:
        engine.stop(timeout=30.0)  # the thread closes the source and finishes the recorder
    drain()  # strokes scored as it stopped, a recorder that failed to finish
    if engine.error is not None:
        raise engine.error
    snap = engine.buffer.snapshot(1)
    return PracticeResult(
        strokes=strokes,
        end=policy.end_set(),
        seconds=float(snap.t[-1]) if len(snap) else 0.0,
        glove=engine.profile.name,
        cue_frames=cue_frames,
        messages=messages,
    )


def practice_summary(result: PracticeResult) -> list[dict[str, Any]]:
    """Each stroke's score (``StrokeScore.to_dict``) with its ``feedback`` record."""
    return [
        {**(s.score.to_dict() if s.score is not None else {}), "feedback": s.to_dict()}
        for s in result.strokes
    ]
