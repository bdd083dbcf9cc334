"""``demo --headless --feedback MODE | --probe [N] | --surface S``: a practice without Qt.

The Practice view's feedback schedules, probes and surfaces, without a window: ``demo``
runs them through the Qt-free engine (:func:`trainer.live.practice.run_practice`) on
the simulated glove, records the session in the store (mode, kind, surface, person)
and prints per stroke whether feedback was shown, for scripts, tests and a machine
without a display. Not a command module: ``app_cmds`` calls :func:`run`.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from trainer.cli.output import print_json

if TYPE_CHECKING:
    from trainer.live.feedback import FeedbackPolicy
    from trainer.live.practice import PracticeResult

__all__ = ["requested", "run"]


def requested(args: argparse.Namespace) -> bool:
    """Whether the demo asks for a feedback mode, a probe or a surface."""
    return bool(args.feedback or args.probe is not None or args.surface)


def run(
    args: argparse.Namespace,
    technique: str,
    reference: str,
    seconds: float | None,
    speed: float,
    sim_options: tuple[tuple[str, str], ...],
) -> int:
    """Run the practice set or probe headless and print its summary.

    Raises
    ------
    TrainerError
        Without ``--headless``, with ``--screenshot``, a bad mode or surface, a probe
        with a feedback mode, or anything the engine or the store refuses (one line).
    """
    policy, surface = _policy(args)
    probe = args.probe is not None
    if seconds is None or (probe and args.seconds is None):
        seconds = 120.0  # a probe ends at its strokes; this only bounds a glove gone quiet

    from sensors.sources import open_source
    from trainer.live.practice import run_practice
    from trainer.scoring import FeedbackSchedule, LiveCoach
    from trainer.store.database import Store
    from trainer.store.references import ReferenceLibrary
    from trainer.store.sessions import SessionRecording

    options = [("seed", str(args.seed)), ("speed", f"{speed:g}"), *sim_options]
    spec = f"sim:{technique}?{urlencode(options)}"
    source = open_source(spec)
    ref = ReferenceLibrary().get(reference)
    # The coach raises every cue; the policy decides which the student sees.
    coach = LiveCoach(ref, schedule=FeedbackSchedule("every"))
    with Store() as store:
        recorder = SessionRecording(
            store,
            reference=ref,
            source=spec,
            feedback_mode=policy.session_mode(),
            kind="probe" if probe else "practice",
            surface=surface,
            **({"user": args.user} if getattr(args, "user", None) else {}),
        )
        result = run_practice(
            source,
            coach,
            policy,
            recorder=recorder,
            technique=technique,
            reference=ref.name,
            seconds=seconds,
            timeout_s=60.0 + 3.0 * seconds / speed,
        )
    end = result.end
    if args.json:
        summary = _summary(
            result,
            policy,
            recorder.session_id,
            technique=technique,
            reference=ref.name,
            surface=surface,
            performer=getattr(source, "description", None),
        )
        print_json(summary, indent=2)
    else:
        shown = sum(s.shown for s in result.strokes)
        what = "probe" if probe else f"feedback {policy.session_mode()}"
        overall = "–" if end.overall is None else f"{end.overall:.0f}"
        print(
            f"{technique} against {ref.name} ({what}): {end.strokes} strokes, "
            f"feedback shown on {shown}, mean score {overall} (revealed now)"
        )
    sys.stdout.flush()
    if result.messages or (result.strokes and recorder.session_id is None):
        # A practice that could not be saved must not look saved (as the windowed demo).
        why = result.messages[0] if result.messages else "no session was stored"
        print(f"massage-trainer: error: the practice was not saved: {why}", file=sys.stderr)
        return 1
    return 0


def _policy(args: argparse.Namespace) -> tuple[FeedbackPolicy, str]:
    """Return the feedback policy and the surface the arguments ask for.

    Raises
    ------
    TrainerError
        Without ``--headless``, with ``--screenshot``, a probe with a feedback mode, a bad
        mode or surface.
    """
    from trainer.exceptions import TrainerError
    from trainer.live.feedback import FeedbackPolicy
    from trainer.store.progress import check_surface

    if not args.headless:
        raise TrainerError(
            "--feedback, --probe and --surface run without a window for now: add --headless"
        )
    if args.screenshot is not None:
        raise TrainerError("--screenshot needs the window: leave out --feedback/--probe/--surface")
    probe = args.probe is not None
    if probe and args.feedback:
        raise TrainerError("a probe shows no feedback: leave out --feedback")
    surface = check_surface(args.surface or "")
    if probe:
        policy = FeedbackPolicy(probe=True, probe_strokes=args.probe)
    else:
        from trainer.live.feedback import FeedbackMode

        policy = FeedbackPolicy(FeedbackMode.parse(args.feedback or "every", seed=args.seed))
    return policy, surface


def _summary(
    result: PracticeResult,
    policy: FeedbackPolicy,
    session_id: int | None,
    *,
    technique: str,
    reference: str,
    surface: str,
    performer: str | None = None,
) -> dict[str, Any]:
    """Return the JSON summary of a practice set or probe (``--json``).

    ``performer`` says who the simulated glove played (the student and their
    tendencies), so the deductions can be checked against what was done wrong.
    """
    from trainer.live.practice import practice_summary

    end = result.end
    return {
        "technique": technique,
        "reference": reference,
        "glove": result.glove,
        "performer": performer,
        "seconds": round(result.seconds, 3),
        "kind": "probe" if policy.probe else "practice",
        "feedback": policy.session_mode(),
        "surface": surface,
        "strokes": practice_summary(result),
        "overall": None if end.overall is None else round(end.overall, 1),
        "end_of_set": end.to_dict(),
        "session_id": session_id,
        "scoring": True,
    }
