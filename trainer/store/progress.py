"""Progress across sessions: dependence on feedback and retention (pure maths, no I/O).

Takes plain :class:`SessionScores` (built by the caller from the store) and returns
:class:`TechniqueProgress` per user and technique; ``massage-trainer progress`` prints
them and the History view can draw them. Definitions (also in ``docs/user-guide.md``):

* **with feedback**: the overall scores of the strokes of *practice* sessions whose
  feedback mode gives feedback during the set (``every``, ``every_n``, ``random``,
  ``bandwidth``); practice with ``off`` or ``summary`` counts as practice (for gaps) but in
  neither mean. **probe**: the strokes of probe sessions (no feedback at all).
* **dependence** = mean with feedback - mean in probes, with its standard error
  ``sqrt(sd_f**2 / n_f + sd_p**2 / n_p)`` (sample sds, strokes as units; strokes of one
  session are not independent, so read the interval as optimistic) and a 95 % interval
  (difference ± 1.96 se).
* **gap** of a probe: days from the end of the last practice session before it.
  **Retention** at 1 day, 1 week and 8 weeks: the most recent probe that was the first
  after a gap of at least that long (``after``), against the last earlier probe taken
  less than a day after its own last practice (``before``: the level while training was
  fresh); ``change`` = after - before (session means).
* **next re-test**: spaced at 1 day, 1 week and 8 weeks after the last practice: the first
  of those not yet covered by a probe since then.
* **feedback use** (schema 7 on): of the practice strokes whose feedback was recorded,
  how many showed feedback (cues or card) and how many the student asked for. A stroke
  recorded with its own mode (the mode changed during the set) counts *with feedback*
  by that mode rather than the session's.

:func:`load_session_scores` is the one function here that reads (through a
:class:`~trainer.store.database.Store` it is given); the rest is pure. Session kinds,
surfaces and feedback records are defined in :mod:`trainer.store.session_fields` (and
re-exported here).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from trainer.store.session_fields import (
    SESSION_KINDS,
    SURFACES,
    FeedbackRecord,
    check_kind,
    check_surface,
)

if TYPE_CHECKING:
    from trainer.store.database import Store

__all__ = [
    "RETEST_DAYS",
    "SESSION_KINDS",
    "SURFACES",
    "Dependence",
    "FeedbackRecord",
    "FeedbackUse",
    "Mean",
    "ProbeDue",
    "ProbePoint",
    "Retention",
    "SessionScores",
    "TechniqueProgress",
    "check_kind",
    "check_surface",
    "load_session_scores",
    "probe_due",
    "progress",
]

#: Spaced re-test gaps after the last practice, days (1 day, 1 week, 8 weeks): force
#: accuracy drops after about a week and is measured again at 8 weeks (docs/evidence.md,
#: "Feedback, probes and retention").
RETEST_DAYS = (1, 7, 56)
_FRESH_DAYS = 1.0  # a probe this soon after practice shows the level while training
_NO_FEEDBACK_MODES = ("off", "summary")
_Z95 = 1.959964


def _gives_feedback(mode: str) -> bool:
    return mode.split(":", 1)[0].strip().lower() not in _NO_FEEDBACK_MODES


@dataclass(frozen=True, slots=True)
class SessionScores:
    """What progress needs of one session.

    Parameters
    ----------
    id : int
        Session id.
    user, technique : str
        Who practised what.
    kind : str
        ``practice`` or ``probe``.
    feedback_mode : str
        As stored (``every``, ``every_n:3``, ``random:0.5``, ``bandwidth:85:5``,
        ``summary``, ``off``).
    started_at, ended_at : datetime
        Start and end (timezone-aware); the end of a session still recording or killed
        is its start plus its duration.
    scores : tuple of float
        Overall score of each scored stroke.
    surface : str
        What was massaged ("" unknown).
    feedback : tuple of FeedbackRecord or None
        What each stroke showed, aligned with ``scores`` (``None``: not recorded, as
        for sessions before schema 7; empty: none recorded).
    """

    id: int
    user: str
    technique: str
    kind: str
    feedback_mode: str
    started_at: datetime
    ended_at: datetime
    scores: tuple[float, ...]
    surface: str = ""
    feedback: tuple[FeedbackRecord | None, ...] = ()

    @property
    def with_feedback(self) -> bool:
        """A practice session whose mode gives feedback during the set."""
        return self.kind == "practice" and _gives_feedback(self.feedback_mode)

    def feedback_scores(self) -> tuple[float, ...]:
        """Scores of the strokes practised under a mode that gives feedback during the set.

        Each stroke counts by its recorded mode, else by the session's (a mode changed
        during the set changes which strokes count). Probes give none.
        """
        if self.kind != "practice":
            return ()
        records = self.feedback + (None,) * max(0, len(self.scores) - len(self.feedback))
        return tuple(
            v
            for v, r in zip(self.scores, records, strict=False)
            if _gives_feedback(r.mode if r is not None and r.mode else self.feedback_mode)
        )


@dataclass(frozen=True, slots=True)
class Mean:
    """Mean overall score of some strokes.

    Parameters
    ----------
    mean : float or None
        ``None`` without strokes.
    n : int
        Strokes.
    sd : float or None
        Sample standard deviation (``None`` below 2 strokes).
    sessions : int
        Sessions they come from.
    """

    mean: float | None
    n: int
    sd: float | None
    sessions: int

    @classmethod
    def of(cls, sessions: Sequence[SessionScores]) -> Mean:
        """Return the mean of every stroke of ``sessions``."""
        return cls.of_groups([s.scores for s in sessions])

    @classmethod
    def of_groups(cls, groups: Sequence[Sequence[float]]) -> Mean:
        """Return the mean of the scores of several sessions (one sequence each)."""
        values = [v for g in groups for v in g]
        n = len(values)
        if not n:
            return cls(None, 0, None, 0)
        mean = math.fsum(values) / n
        sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else None
        return cls(mean, n, sd, sum(1 for g in groups if g))

    def to_dict(self) -> dict[str, Any]:
        """``{"mean", "n", "sd", "sessions"}`` (means rounded to 0.01)."""
        return {"mean": _r(self.mean), "n": self.n, "sd": _r(self.sd), "sessions": self.sessions}


@dataclass(frozen=True, slots=True)
class Dependence:
    """Mean with feedback minus mean in probes, with its spread.

    Parameters
    ----------
    difference : float
        Points (positive: the student does better when shown feedback).
    se : float or None
        Standard error of the difference (``None`` when either side has < 2 strokes).
    """

    difference: float
    se: float | None

    @property
    def ci95(self) -> tuple[float, float] | None:
        """Normal 95 % interval of the difference."""
        if self.se is None:
            return None
        return (self.difference - _Z95 * self.se, self.difference + _Z95 * self.se)

    def to_dict(self) -> dict[str, Any]:
        """``{"difference", "se", "ci95"}``."""
        ci = self.ci95
        return {
            "difference": _r(self.difference),
            "se": _r(self.se),
            "ci95": None if ci is None else [_r(ci[0]), _r(ci[1])],
        }


@dataclass(frozen=True, slots=True)
class ProbePoint:
    """One probe session's result."""

    session: int
    started_at: datetime
    mean: float
    n: int
    gap_days: float | None  # since the last practice before it (None: no practice yet)

    def to_dict(self) -> dict[str, Any]:
        """``{"session", "date", "mean", "n", "gap_days"}``."""
        return {
            "session": self.session,
            "date": self.started_at.isoformat(),
            "mean": _r(self.mean),
            "n": self.n,
            "gap_days": _r(self.gap_days),
        }


@dataclass(frozen=True, slots=True)
class Retention:
    """Retention over one spaced gap.

    Parameters
    ----------
    gap_days : int
        The gap asked about (1, 7 or 56 days).
    before, after : ProbePoint or None
        The fresh probe before the gap and the first probe after it (``None``: none yet).
    """

    gap_days: int
    before: ProbePoint | None
    after: ProbePoint | None

    @property
    def change(self) -> float | None:
        """``after.mean - before.mean`` (negative: forgotten)."""
        if self.before is None or self.after is None:
            return None
        return self.after.mean - self.before.mean

    def to_dict(self) -> dict[str, Any]:
        """``{"gap_days", "before", "after", "change"}``."""
        return {
            "gap_days": self.gap_days,
            "before": None if self.before is None else self.before.to_dict(),
            "after": None if self.after is None else self.after.to_dict(),
            "change": _r(self.change),
        }


@dataclass(frozen=True, slots=True)
class FeedbackUse:
    """How much feedback practice strokes showed (those with a record, schema 7 on).

    Parameters
    ----------
    strokes : int
        Practice strokes whose feedback was recorded.
    shown : int
        Of those, strokes with feedback (cues or card) during the set, asked for or not.
    requested : int
        Of those, strokes the student asked about (F).
    """

    strokes: int
    shown: int
    requested: int

    @property
    def share(self) -> float | None:
        """``shown / strokes`` (``None`` without a record)."""
        return self.shown / self.strokes if self.strokes else None

    def to_dict(self) -> dict[str, Any]:
        """``{"strokes", "shown", "requested", "share"}`` (share rounded to 0.01)."""
        return {
            "strokes": self.strokes,
            "shown": self.shown,
            "requested": self.requested,
            "share": _r(self.share),
        }


_NO_RECORDS = FeedbackUse(0, 0, 0)


@dataclass(frozen=True, slots=True)
class TechniqueProgress:
    """Dependence and retention of one user on one technique."""

    technique: str
    user: str
    with_feedback: Mean
    probe: Mean
    dependence: Dependence | None
    retention: tuple[Retention, ...]
    last_practice: datetime | None
    next_retest: datetime | None
    next_retest_gap_days: int | None
    overdue: bool
    surfaces: tuple[str, ...] = field(default=())
    feedback_use: FeedbackUse = _NO_RECORDS
    last_probe: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (keys documented in ``docs/user-guide.md``)."""
        return {
            "technique": self.technique,
            "user": self.user,
            "surfaces": list(self.surfaces),
            "with_feedback": self.with_feedback.to_dict(),
            "probe": self.probe.to_dict(),
            "dependence": None if self.dependence is None else self.dependence.to_dict(),
            "retention": [r.to_dict() for r in self.retention],
            "feedback_use": self.feedback_use.to_dict(),
            "last_practice": None if self.last_practice is None else self.last_practice.isoformat(),
            "last_probe": None if self.last_probe is None else self.last_probe.isoformat(),
            "next_retest": None
            if self.next_retest is None
            else {
                "date": self.next_retest.isoformat(),
                "gap_days": self.next_retest_gap_days,
                "overdue": self.overdue,
            },
        }


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _days(delta: timedelta) -> float:
    return delta.total_seconds() / 86400.0


def _dependence(feedback: Mean, probe: Mean) -> Dependence | None:
    if feedback.mean is None or probe.mean is None:
        return None
    se = None
    if feedback.sd is not None and probe.sd is not None:
        se = math.sqrt(feedback.sd**2 / feedback.n + probe.sd**2 / probe.n)
    return Dependence(feedback.mean - probe.mean, se)


def _probe_points(sessions: Sequence[SessionScores]) -> list[tuple[ProbePoint, int | None]]:
    """Each scored probe, oldest first, with the id of the practice its gap runs from."""
    practice = sorted((s for s in sessions if s.kind == "practice"), key=lambda s: s.started_at)
    out: list[tuple[ProbePoint, int | None]] = []
    for p in sorted((s for s in sessions if s.kind == "probe"), key=lambda s: s.started_at):
        if not p.scores:
            continue
        earlier = [s for s in practice if s.started_at < p.started_at]
        last = max(earlier, key=lambda s: s.ended_at) if earlier else None
        gap = None if last is None else max(0.0, _days(p.started_at - last.ended_at))
        mean = math.fsum(p.scores) / len(p.scores)
        point = ProbePoint(p.id, p.started_at, mean, len(p.scores), gap)
        out.append((point, None if last is None else last.id))
    return out


def _retention(points: list[tuple[ProbePoint, int | None]], gap_days: int) -> Retention:
    after: ProbePoint | None = None
    seen: set[int | None] = set()  # practices whose gap already had its first probe
    for point, practice in points:
        if point.gap_days is None or point.gap_days < gap_days or practice in seen:
            continue
        seen.add(practice)
        after = point  # the most recent "first probe after a gap" wins
    if after is None:
        return Retention(gap_days, None, None)
    fresh = [
        p
        for p, _ in points
        if p.started_at < after.started_at and p.gap_days is not None and p.gap_days < _FRESH_DAYS
    ]
    return Retention(gap_days, fresh[-1] if fresh else None, after)


def _one(sessions: Sequence[SessionScores], now: datetime) -> TechniqueProgress:
    first = sessions[0]
    feedback = Mean.of_groups([s.feedback_scores() for s in sessions])
    probe = Mean.of([s for s in sessions if s.kind == "probe"])
    records = [r for s in sessions if s.kind == "practice" for r in s.feedback if r is not None]
    use = FeedbackUse(
        len(records), sum(r.shown for r in records), sum(r.requested for r in records)
    )
    probed = [s.started_at for s in sessions if s.kind == "probe" and s.scores]
    points = _probe_points(sessions)
    practice = [s for s in sessions if s.kind == "practice"]
    last = max((s.ended_at for s in practice), default=None)
    due: datetime | None = None
    due_gap: int | None = None
    if last is not None:
        since = [p.gap_days for p, _ in points if p.started_at >= last and p.gap_days is not None]
        for gap in RETEST_DAYS:
            if not any(g >= gap for g in since):
                due, due_gap = last + timedelta(days=gap), gap
                break
    return TechniqueProgress(
        technique=first.technique,
        user=first.user,
        with_feedback=feedback,
        probe=probe,
        dependence=_dependence(feedback, probe),
        retention=tuple(_retention(points, g) for g in RETEST_DAYS),
        last_practice=last,
        next_retest=due,
        next_retest_gap_days=due_gap,
        overdue=due is not None and now >= due,
        surfaces=tuple(sorted({s.surface for s in sessions if s.surface})),
        feedback_use=use,
        last_probe=max(probed, default=None),
    )


def progress(sessions: Iterable[SessionScores], *, now: datetime) -> list[TechniqueProgress]:
    """Dependence and retention per user and technique.

    Parameters
    ----------
    sessions : iterable of SessionScores
        The sessions to consider (already filtered by technique, user, surface).
    now : datetime
        The present (timezone-aware), for whether a re-test is overdue.

    Returns
    -------
    list of TechniqueProgress
        Sorted by technique, then user.
    """
    groups: dict[tuple[str, str], list[SessionScores]] = {}
    for s in sessions:
        groups.setdefault((s.technique, s.user), []).append(s)
    return [
        _one(sorted(groups[key], key=lambda s: (s.started_at, s.id)), now) for key in sorted(groups)
    ]


@dataclass(frozen=True, slots=True)
class ProbeDue:
    """A probe worth offering before practice (:func:`probe_due`).

    Parameters
    ----------
    last_practice : datetime
        End of the last practice.
    gap_days : int or None
        The spaced re-test that is overdue (1, 7 or 56 days); ``None``: no probe has
        followed the last practice yet.
    """

    last_practice: datetime
    gap_days: int | None


def probe_due(sessions: Iterable[SessionScores], *, now: datetime) -> ProbeDue | None:
    """Tell whether a probe is worth offering before practising one technique.

    Parameters
    ----------
    sessions : iterable of SessionScores
        One user's sessions of one technique.
    now : datetime
        The present (timezone-aware).

    Returns
    -------
    ProbeDue or None
        Due when a spaced re-test is overdue, or no scored probe followed the last
        practice; ``None`` without practice, or when neither holds.
    """
    results = progress(sessions, now=now)
    if not results:
        return None
    p = results[0]
    if p.last_practice is None:
        return None
    if p.overdue:
        return ProbeDue(p.last_practice, p.next_retest_gap_days)
    if p.last_probe is None or p.last_probe < p.last_practice:
        return ProbeDue(p.last_practice, None)
    return None


def load_session_scores(
    store: Store,
    *,
    technique: str | None = None,
    user: str | None = None,
    surface: str | None = None,
) -> list[SessionScores]:
    """Read what :func:`progress` needs of the visible sessions of a store.

    Parameters
    ----------
    store : Store
        The session database.
    technique, user, surface : str or None
        Filters (as :meth:`Store.sessions`).

    Returns
    -------
    list of SessionScores
        Oldest first, each stroke's overall score and what it showed (where recorded).
    """
    sessions = store.sessions(technique=technique, user=user, surface=surface)
    strokes = store.stroke_feedback([s.id for s in sessions])
    out = []
    for s in sessions:
        rows = strokes.get(s.id, [])
        out.append(
            SessionScores(
                id=s.id,
                user=s.user,
                technique=s.technique,
                kind=s.kind,
                feedback_mode=s.feedback_mode,
                started_at=s.started_at,
                # A killed session has no end: its start plus what its capture covers.
                ended_at=s.ended_at or s.started_at + timedelta(seconds=s.duration_s),
                scores=tuple(overall for overall, _ in rows),
                surface=s.surface,
                feedback=tuple(record for _, record in rows),
            )
        )
    return out
