"""Feedback schedules: which strokes get live cues and a score card (Qt-free, no I/O).

Students who always see feedback lean on it, and do worse when it is taken away; feedback
on a share of strokes, or only when the error is large (*bandwidth*), is retained better
(figures in ``docs/evidence.md``). A :class:`FeedbackPolicy` applies one
:class:`FeedbackMode` to a practice set and records, per scored stroke, what was shown:

* ``every`` - cues and card on every stroke;
* ``every_n`` - on strokes 1, n+1, 2n+1, ... (0-based index divisible by ``n``);
* ``random`` - on a fixed share of strokes, drawn per stroke index from a seed (the same
  seed gives the same strokes, whatever touches or rests come between them);
* ``bandwidth`` - only on strokes whose error exceeds a threshold: overall below
  ``below`` or any single deduction of ``deduction`` points or more (the pooled ``minor``
  line is nothing to act on and never counts). Whether a stroke is outside the band is
  known only once it is scored, so bandwidth feedback is *terminal*: no live cues during
  the stroke, then the card and the cues that fired during it;
* ``summary`` - nothing during the set; every score at its end (:meth:`FeedbackPolicy.end_set`);
* ``off`` - no cues and no cards (the end-of-set summary is still available).

The safety cue (``ease off``) is never hidden. A *probe* (``probe=True``) is a short
``summary`` set with every live feedback hidden, self-requested feedback refused, and the
scores revealed only at the end; it is complete after ``probe_strokes`` strokes.

The policy is driven by the thread that shows things (the GUI's frame timer, or a
headless runner): :meth:`FeedbackPolicy.live_cues` filters the engine's
:class:`~trainer.live.engine.LiveState` cues each frame, :meth:`FeedbackPolicy.stroke`
decides for each ``STROKE`` event, :meth:`FeedbackPolicy.request_last` answers a student
asking about the last stroke. Its methods take a lock, so any thread may call them.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from trainer.exceptions import TrainerError

__all__ = [
    "FEEDBACK_KINDS",
    "PROBE_STROKES",
    "FeedbackError",
    "FeedbackMode",
    "FeedbackPolicy",
    "SetSummary",
    "StrokeFeedback",
]

FEEDBACK_KINDS = ("every", "every_n", "random", "bandwidth", "summary", "off")
#: Strokes in a no-feedback probe, by default.
PROBE_STROKES = 5
_EASE_OFF = "ease off: near pain threshold"  # trainer.scoring.Cue.EASE_OFF's value
_NOT_ACTIONABLE = frozenset({"minor"})


class FeedbackError(TrainerError, ValueError):
    """A feedback mode that cannot be understood (unknown kind, bad parameter)."""


@dataclass(frozen=True, slots=True)
class FeedbackMode:
    """One feedback schedule and its parameters.

    Parameters
    ----------
    kind : str
        One of :data:`FEEDBACK_KINDS`.
    n : int
        ``every_n``: feedback on every n-th stroke (>= 1).
    share : float
        ``random``: share of strokes with feedback, 0 < share <= 1.
    seed : int
        ``random``: seed of the per-stroke draws.
    below : float
        ``bandwidth``: a stroke whose overall score is below this gets feedback (0-100).
    deduction : float
        ``bandwidth``: a stroke with a single deduction of at least this many points gets
        feedback (> 0).

    Raises
    ------
    FeedbackError
        Unknown kind or a parameter out of range.
    """

    kind: str = "every"
    n: int = 3
    share: float = 0.5  # inside the 30-67 % that retained best (docs/evidence.md)
    seed: int = 0
    below: float = 85.0
    deduction: float = 5.0

    def __post_init__(self) -> None:
        if self.kind not in FEEDBACK_KINDS:
            raise FeedbackError(
                f"unknown feedback mode {self.kind!r} (known: {', '.join(FEEDBACK_KINDS)})"
            )
        if isinstance(self.n, bool) or int(self.n) != self.n or self.n < 1:
            raise FeedbackError(f"feedback every n strokes needs n >= 1, got {self.n!r}")
        if not (math.isfinite(self.share) and 0.0 < self.share <= 1.0):
            raise FeedbackError(f"random feedback share must be in (0, 1], got {self.share!r}")
        if not (math.isfinite(self.below) and 0.0 <= self.below <= 100.0):
            raise FeedbackError(f"bandwidth score must be 0-100, got {self.below!r}")
        if not (math.isfinite(self.deduction) and self.deduction > 0.0):
            raise FeedbackError(f"bandwidth deduction must be > 0 points, got {self.deduction!r}")

    @classmethod
    def parse(cls, text: str, *, seed: int = 0) -> FeedbackMode:
        """Read a mode as the command line and the store write it.

        Parameters
        ----------
        text : str
            ``every``, ``every_n`` or ``every_n:N``, ``random`` or ``random:SHARE``
            (``0.5`` or ``50%``), ``bandwidth`` or ``bandwidth:BELOW`` or
            ``bandwidth:BELOW:POINTS``, ``summary``, ``off``.
        seed : int
            Seed of a ``random`` mode (not part of the text).

        Returns
        -------
        FeedbackMode

        Raises
        ------
        FeedbackError
            Anything else, in one line.
        """
        kind, *params = [p.strip() for p in text.strip().lower().split(":")]
        try:
            if kind == "every_n" and len(params) <= 1:
                return cls("every_n", n=int(params[0]) if params else 3)
            if kind == "random" and len(params) <= 1:
                share = params[0] if params else "0.5"
                value = float(share[:-1]) / 100 if share.endswith("%") else float(share)
                return cls("random", share=value, seed=seed)
            if kind == "bandwidth" and len(params) <= 2:
                below = float(params[0]) if params else 85.0
                points = float(params[1]) if len(params) > 1 else 5.0
                return cls("bandwidth", below=below, deduction=points)
            if kind in ("every", "summary", "off") and not params:
                return cls(kind)
        except FeedbackError:
            raise
        except ValueError:
            pass
        if kind not in FEEDBACK_KINDS:
            raise FeedbackError(
                f"unknown feedback mode {text!r} (known: {', '.join(FEEDBACK_KINDS)})"
            )
        raise FeedbackError(
            f"bad feedback mode {text!r}: use every, every_n:3, random:50%, "
            "bandwidth:85:5, summary or off"
        )

    def text(self) -> str:
        """Return the mode as stored with a session (``every_n:3``, ``random:0.5``, ...)."""
        if self.kind == "every_n":
            return f"every_n:{self.n}"
        if self.kind == "random":
            return f"random:{self.share:g}"
        if self.kind == "bandwidth":
            return f"bandwidth:{self.below:g}:{self.deduction:g}"
        return self.kind

    @property
    def live(self) -> bool:
        """Whether any feedback can come during the set (not ``summary`` nor ``off``)."""
        return self.kind not in ("summary", "off")


@dataclass(frozen=True, slots=True)
class StrokeFeedback:
    """What one scored stroke showed, as recorded by a :class:`FeedbackPolicy`.

    Parameters
    ----------
    index : int
        0-based scored-stroke index within the set.
    cues : bool
        Cues were shown for it (live, or, for ``bandwidth``, after it).
    card : bool
        Its score card was shown.
    reason : str
        Why: ``"schedule"`` (every / every_n / random chose it), ``"bandwidth"`` (outside
        the band), ``"within band"``, ``"not scheduled"``, ``"summary"`` (kept for the
        end), ``"off"``, ``"probe"``, or ``"requested"``.
    requested : bool
        The student asked for it afterwards (:meth:`FeedbackPolicy.request_last`).
    shown_cues : tuple of str
        Cue texts the student saw for it (the safety cue is not listed: always shown).
    score : object
        The stroke's score (a ``StrokeScore``).
    mode : str
        The mode in effect for it (:meth:`FeedbackMode.text`; a set's mode may change
        between strokes, :meth:`FeedbackPolicy.set_mode`).
    """

    index: int
    cues: bool
    card: bool
    reason: str
    requested: bool = False
    shown_cues: tuple[str, ...] = ()
    score: Any = field(default=None, compare=False, repr=False)
    mode: str = ""

    @property
    def shown(self) -> bool:
        """Anything about this stroke (cues or card) was shown."""
        return self.cues or self.card

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of the record (``shown`` included, not ``score``)."""
        return {
            "index": self.index,
            "shown": self.shown,
            "cues": self.cues,
            "card": self.card,
            "reason": self.reason,
            "requested": self.requested,
            "shown_cues": list(self.shown_cues),
            "mode": self.mode,
        }


@dataclass(frozen=True, slots=True)
class SetSummary:
    """The end of a set: what is revealed now.

    Parameters
    ----------
    mode : str
        The mode's text.
    probe : bool
        The set was a probe.
    strokes : int
        Strokes scored.
    revealed : tuple of int
        Indices of strokes whose scores are revealed only now (``summary`` and probes:
        all; other modes: those whose card was not shown).
    overall : float or None
        Mean overall score of the set.
    shown : int
        Strokes that had feedback during the set (cues or card, requests included).
    requested : int
        Feedback the student asked for.
    """

    mode: str
    probe: bool
    strokes: int
    revealed: tuple[int, ...]
    overall: float | None
    shown: int
    requested: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of the fields."""
        return {
            "mode": self.mode,
            "probe": self.probe,
            "strokes": self.strokes,
            "revealed": list(self.revealed),
            "overall": None if self.overall is None else round(self.overall, 1),
            "shown": self.shown,
            "requested": self.requested,
        }


def _cue_text(cue: Any) -> str:
    return str(getattr(cue, "value", cue))


class FeedbackPolicy:
    """Decide, stroke by stroke, what a practice set shows, and record it.

    Parameters
    ----------
    mode : FeedbackMode or str
        The schedule (a string is :meth:`FeedbackMode.parse`-d).
    probe : bool
        A no-feedback probe: nothing live, no self-requests, scores at the end.
    probe_strokes : int
        Strokes after which a probe is :attr:`complete` (>= 1).

    Notes
    -----
    Live cues need the engine's coach to compute every cue (its own schedule ``every``):
    this policy hides them, so ``bandwidth`` can still tell the student, after the
    stroke, which cues fired during it.
    """

    def __init__(
        self, mode: FeedbackMode | str = "every", *, probe: bool = False,
        probe_strokes: int = PROBE_STROKES,
    ) -> None:  # fmt: skip
        self.mode = FeedbackMode.parse(mode) if isinstance(mode, str) else mode
        if probe:
            self.mode = FeedbackMode("summary")
        if isinstance(probe_strokes, bool) or int(probe_strokes) != probe_strokes:
            raise FeedbackError(f"a probe needs a whole number of strokes, got {probe_strokes!r}")
        if probe_strokes < 1:
            raise FeedbackError(f"a probe needs at least 1 stroke, got {probe_strokes}")
        self.probe = bool(probe)
        self.probe_strokes = int(probe_strokes)
        self._lock = threading.Lock()
        self._log: list[StrokeFeedback] = []
        self._fired: dict[int, list[str]] = {}  # cues the coach raised, per stroke index
        self._last_fired: tuple[str, ...] = ()

    # -- decisions --

    def set_mode(self, mode: FeedbackMode | str) -> None:
        """Change the schedule from the next stroke on (the student changed it mid-set).

        Each stroke's record keeps the mode it was decided under (``StrokeFeedback.mode``).

        Raises
        ------
        FeedbackError
            During a probe (it shows nothing, whatever the mode), or a bad mode.
        """
        new = FeedbackMode.parse(mode) if isinstance(mode, str) else mode
        if self.probe:
            raise FeedbackError("a probe shows no feedback: its mode cannot change")
        with self._lock:
            self.mode = new

    def shows_live(self, index: int) -> bool:
        """Whether live feedback (cues, the reference band) is on during stroke ``index``.

        Only a stroke the schedule chose (``every``, ``every_n``, ``random``) has it:
        ``bandwidth`` is decided after the stroke, ``summary``, ``off`` and probes
        show nothing live.
        """
        return not self.probe and self.scheduled(index)

    def scheduled(self, index: int) -> bool:
        """Whether stroke ``index`` (0-based, scored strokes) is chosen by the schedule.

        ``bandwidth`` strokes are decided by their score (:meth:`outside_band`), so this
        is False for them, as for ``summary`` and ``off``.
        """
        kind = self.mode.kind
        if kind == "every":
            return True
        if kind == "every_n":
            return index % self.mode.n == 0
        if kind == "random":
            return self._draw(index) < self.mode.share
        return False

    def _draw(self, index: int) -> float:
        # A hash of (seed, index), not a running generator: touches and rests between
        # strokes, or asking twice, never change which strokes are chosen.
        digest = hashlib.blake2b(f"{self.mode.seed}:{index}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") / 2.0**64

    def outside_band(self, score: Any) -> bool:
        """Tell whether a score is outside the bandwidth.

        Outside: overall below ``below``, or a single deduction (other than ``minor``) of
        ``deduction`` points or more.
        """
        if float(score.overall) < self.mode.below:
            return True
        return any(
            float(d.points) >= self.mode.deduction
            for d in getattr(score, "deductions", ())
            if d.code not in _NOT_ACTIONABLE
        )

    def live_cues(self, cues: Sequence[Any], index: int) -> tuple[Any, ...]:
        """Filter the coach's cues for stroke ``index`` under way (what to show now).

        Parameters
        ----------
        cues : sequence
            Cues the coach raises now (``LiveState.cues``; ``Cue`` members).
        index : int
            The stroke under way: scored strokes so far (``LiveState.strokes``).

        Returns
        -------
        tuple
            The cues to show: all when the schedule chose this stroke, else only the
            safety cue.
        """
        with self._lock:
            fired = self._fired.setdefault(index, [])
            for cue in cues:
                text = _cue_text(cue)
                if text != _EASE_OFF and text not in fired:
                    fired.append(text)
            for old in [k for k in self._fired if k < index - 1]:
                del self._fired[old]  # keep only the strokes that may still be scored
        if self.probe or not self.scheduled(index):
            return tuple(c for c in cues if _cue_text(c) == _EASE_OFF)
        return tuple(cues)

    def stroke(self, score: Any, index: int | None = None) -> StrokeFeedback:
        """Decide and record what a scored stroke shows (call once per ``STROKE`` event).

        Parameters
        ----------
        score : StrokeScore
            The stroke's score.
        index : int or None
            Its 0-based index among the set's scored strokes (default: the next).

        Returns
        -------
        StrokeFeedback
            Whether its cues and card are shown, and why.
        """
        with self._lock:
            i = len(self._log) if index is None else int(index)
            fired = tuple(self._fired.pop(i, ()))
            self._last_fired = fired
            kind, mode = self.mode.kind, self.mode.text()
            if self.probe:
                decision = StrokeFeedback(i, False, False, "probe", score=score, mode=mode)
            elif kind == "bandwidth":
                out = self.outside_band(score)
                reason = "bandwidth" if out else "within band"
                decision = StrokeFeedback(
                    i, out, out, reason, shown_cues=fired if out else (), score=score, mode=mode
                )
            elif kind in ("summary", "off"):
                decision = StrokeFeedback(i, False, False, kind, score=score, mode=mode)
            elif self.scheduled(i):
                decision = StrokeFeedback(
                    i, True, True, "schedule", shown_cues=fired, score=score, mode=mode
                )
            else:
                decision = StrokeFeedback(i, False, False, "not scheduled", score=score, mode=mode)
            self._log.append(decision)
            return decision

    def request_last(self) -> StrokeFeedback | None:
        """Answer a student asking about the last stroke: show its card, record it.

        Returns
        -------
        StrokeFeedback or None
            The last stroke's feedback, now marked ``requested`` (card shown, with the
            cues that fired during it); ``None`` before any stroke.

        Raises
        ------
        FeedbackError
            During a probe (its scores stay hidden until the end).
        """
        if self.probe:
            raise FeedbackError("no feedback during a probe: the scores come at its end")
        with self._lock:
            if not self._log:
                return None
            last = self._log[-1]
            # The cues the coach raised during it, hidden or not, are told now.
            fired = self._last_fired
            requested = StrokeFeedback(
                last.index, last.cues or bool(fired), True, "requested", requested=True,
                shown_cues=fired, score=last.score, mode=last.mode,
            )  # fmt: skip
            self._log[-1] = requested
            return requested

    # -- the record --

    @property
    def log(self) -> tuple[StrokeFeedback, ...]:
        """Every scored stroke's feedback so far, in order."""
        with self._lock:
            return tuple(self._log)

    @property
    def complete(self) -> bool:
        """A probe has its strokes (always False for a practice set)."""
        with self._lock:
            return self.probe and len(self._log) >= self.probe_strokes

    def session_mode(self) -> str:
        """Return what the session records as its feedback mode (a probe: ``summary``)."""
        return self.mode.text()

    def end_set(self) -> SetSummary:
        """End the set: what is revealed now (every hidden score, for summary and probes)."""
        with self._lock:
            log = list(self._log)
        scores = [float(d.score.overall) for d in log if d.score is not None]
        return SetSummary(
            mode=self.session_mode(),
            probe=self.probe,
            strokes=len(log),
            revealed=tuple(d.index for d in log if not d.card),
            overall=sum(scores) / len(scores) if scores else None,
            shown=sum(d.shown for d in log),
            requested=sum(d.requested for d in log),
        )
