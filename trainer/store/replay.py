"""What replaying an attempt or a session needs, gathered from the store (Qt-free).

An attempt is replayed from its session's capture (the forces that were scored), the
reference it was scored against (the copy kept by content hash, so a later rebuild of
that reference changes nothing) and the warping path that maps one onto the other.
The replay view draws :class:`ReplayData`; ``massage-trainer replay --json`` prints it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sensors.capture import Capture, read_capture
from sensors.exceptions import CaptureError
from trainer.exceptions import ReferenceFileError, StoreError
from trainer.scoring.model import Reference
from trainer.scoring.scoring import PHASES, mean_along_path
from trainer.store.database import AttemptRecord, SessionRecord, Store

__all__ = ["AttemptReplay", "Pin", "ReplayData", "load_replay", "parse_target"]

_PHASE_CODE = re.compile(r"_(start|middle|end)$")
# The shape deduction says where the DTW cost concentrates ("most in the middle").
_SHAPE_WHERE = re.compile(r"most (?:at|in) the (start|middle|end)\b")


@dataclass(frozen=True, slots=True)
class Pin:
    """A deduction placed where it happened.

    Parameters
    ----------
    code, message : str
        The deduction.
    points : float
        Points it cost.
    t_s : float
        Capture time it is pinned to, seconds (the middle of its third of the stroke,
        or of the whole stroke when it is about the stroke as a whole). The pooled
        ``minor`` deduction is not pinned.
    template_index : int
        The same place on the reference's time axis.
    """

    code: str
    message: str
    points: float
    t_s: float
    template_index: int


@dataclass(frozen=True, slots=True)
class AttemptReplay:
    """One attempt laid over its reference.

    Parameters
    ----------
    attempt : AttemptRecord
        The stored attempt (scores, deductions, path).
    first, stop : int
        Its samples in the session's capture: ``capture[first:stop]``.
    path : numpy.ndarray or None
        Warping path ``(k, 2)``: (attempt sample from ``first``, template index).
    on_template : numpy.ndarray or None
        The attempt's total force mapped onto the template's time axis (warped time),
        ``(L,)``: the mean of the attempt samples aligned to each template index.
    template_on_attempt : numpy.ndarray or None
        ``(stop - first, 3)``: reference total force, band low and band high at the
        template index aligned to each attempt sample (the reference in real time).
    pins : tuple of Pin
        Deductions placed where they happened.
    """

    attempt: AttemptRecord
    first: int
    stop: int
    path: np.ndarray | None
    on_template: np.ndarray | None
    template_on_attempt: np.ndarray | None
    pins: tuple[Pin, ...] = ()

    def to_dict(self, t: np.ndarray) -> dict[str, Any]:
        """JSON-ready summary (arrays as lists), ``t`` being the capture's times."""
        return {
            **self.attempt.to_dict(),
            "samples": [self.first, self.stop],
            "t": [round(float(t[self.first]), 6), round(float(t[self.stop - 1]), 6)],
            "path": None if self.path is None else self.path.tolist(),
            "pins": [
                {
                    "code": p.code,
                    "message": p.message,
                    "points": p.points,
                    "t_s": round(p.t_s, 6),
                    "template_index": p.template_index,
                }
                for p in self.pins
            ],
        }


@dataclass(frozen=True, slots=True)
class ReplayData:
    """A session (or one of its attempts) ready to replay.

    Parameters
    ----------
    session : SessionRecord
        The session.
    capture : Capture
        Its recorded forces (the attempt's span, or the whole session).
    reference : Reference or None
        The reference the attempts were scored against (``None`` if lost).
    reference_note : str
        Where the reference came from (the stored copy, or the library by name when
        the session predates content hashes), or why it is missing.
    attempts : tuple of AttemptReplay
        The attempts to show (one for an attempt replay).
    focus : int or None
        Index into ``attempts`` of the attempt asked for, if any.
    """

    session: SessionRecord
    capture: Capture
    reference: Reference | None
    reference_note: str
    attempts: tuple[AttemptReplay, ...] = field(default_factory=tuple)
    focus: int | None = None

    @property
    def t(self) -> np.ndarray:
        """Capture times, seconds ``(n,)``."""
        return self.capture.t

    @property
    def total(self) -> np.ndarray:
        """Total force over the hand, newtons ``(n,)``."""
        return self.capture.values.sum(axis=1)

    def to_dict(self, *, arrays: bool = False) -> dict[str, Any]:
        """JSON-ready summary; ``arrays`` adds the samples and the reference arrays."""
        out: dict[str, Any] = {
            "session": self.session.to_dict(),
            "reference": None if self.reference is None else self.reference.name,
            "reference_note": self.reference_note,
            "samples": int(self.capture.n_samples),
            "fs_hz": float(self.capture.sample_rate_hz),
            "channels": list(self.capture.channel_names),
            "attempts": [a.to_dict(self.t) for a in self.attempts],
            "focus": self.focus,
        }
        if arrays:
            out["t"] = np.round(self.t, 6).tolist()
            out["values"] = np.round(self.capture.values, 6).tolist()
            if self.reference is not None:
                out["template_total"] = np.round(self.reference.total, 6).tolist()
                out["band_lo"] = np.round(self.reference.band_lo, 6).tolist()
                out["band_hi"] = np.round(self.reference.band_hi, 6).tolist()
        return out


def parse_target(text: str) -> tuple[str, int]:
    """Parse a replay target: ``S12``/``session:12``/``12`` (a session) or ``A7``/``attempt:7``.

    Returns
    -------
    tuple of (str, int)
        ``("session", id)`` or ``("attempt", id)``.

    Raises
    ------
    StoreError
        If the text names neither.
    """
    match = re.fullmatch(r"\s*(s|session:?|a|attempt:?)?\s*(\d+)\s*", text, re.IGNORECASE)
    if match is None:
        raise StoreError(
            f"not a session or attempt: {text!r} (use 12 or S12 for a session, A7 for an attempt)"
        )
    kind = (match.group(1) or "s")[0].lower()
    return ("attempt" if kind == "a" else "session"), int(match.group(2))


def _reference_for(store: Store, session: SessionRecord) -> tuple[Reference | None, str]:
    if session.reference_hash:
        try:
            return store.reference(session.reference_hash), "the copy used in the session"
        except StoreError as err:
            note = f"stored copy unusable ({err})"
    else:
        note = "no stored copy (older session)"
    from trainer.store.references import ReferenceLibrary

    try:
        ref = ReferenceLibrary().get(session.reference_name)
    except ReferenceFileError:
        return None, f"{note}; reference {session.reference_name!r} is not in the library"
    return ref, f"{note}; using the library's current {session.reference_name!r}"


def _pins(
    attempt: AttemptRecord, path: np.ndarray, t: np.ndarray, first: int, length: int
) -> tuple[Pin, ...]:
    pins = []
    for d in attempt.score.deductions:
        if d.code == "minor":
            continue  # a pool of sub-half-point differences has no one place
        match = _PHASE_CODE.search(d.code) or _SHAPE_WHERE.search(d.message)
        if match is not None:
            p = PHASES.index(match.group(1))
            centre = int((p + 0.5) * length / len(PHASES))
        else:  # about the whole stroke (rushed, jerky, load): its middle
            centre = length // 2
        # The attempt sample aligned to that template index (the first one on the path).
        rows = np.flatnonzero(path[:, 1] >= centre)
        i = int(path[rows[0], 0]) if rows.size else int(path[-1, 0])
        pins.append(Pin(d.code, d.message, d.points, float(t[min(first + i, t.size - 1)]), centre))
    return tuple(pins)


def _attempt_replay(
    attempt: AttemptRecord, capture: Capture, reference: Reference | None
) -> AttemptReplay:
    t = capture.t
    score = attempt.score
    first = int(np.searchsorted(t, score.start_s - 0.5 / capture.sample_rate_hz))
    stop = int(np.searchsorted(t, score.end_s - 0.5 / capture.sample_rate_hz))
    stop = max(stop, first + 1)
    if first >= t.size:
        raise StoreError(
            f"attempt {attempt.id} ({score.start_s:.2f}-{score.end_s:.2f} s) lies beyond its "
            f"session's capture (which ends at {float(t[-1]) if t.size else 0:.2f} s)"
        )
    stop = min(stop, t.size)
    path = score.path
    if path is None or reference is None:
        return AttemptReplay(attempt, first, stop, None, None, None)
    n, length = stop - first, reference.length
    # A path from another reference length or a longer span than recorded is unusable.
    if path.size == 0 or path[:, 1].max() >= length or path[:, 0].max() >= n:
        return AttemptReplay(attempt, first, stop, None, None, None)
    total = capture.values[first:stop].sum(axis=1)
    on_template = mean_along_path(total, path, length)
    # Reference in real time: for each attempt sample, the last template index aligned.
    aligned = np.zeros(n, dtype=np.int64)
    aligned[path[:, 0]] = path[:, 1]  # later rows (higher template index) win
    aligned = np.maximum.accumulate(aligned)
    on_attempt = np.column_stack(
        [reference.total[aligned], reference.band_lo[aligned], reference.band_hi[aligned]]
    )
    pins = _pins(attempt, path, t, first, length)
    return AttemptReplay(attempt, first, stop, path, on_template, on_attempt, pins)


def load_replay(store: Store, target: str | tuple[str, int]) -> ReplayData:
    """Gather what replaying a session or an attempt needs.

    Parameters
    ----------
    store : Store
        The session database.
    target : str or tuple
        ``"12"``, ``"S12"``, ``"A7"`` (see :func:`parse_target`) or ``(kind, id)``.

    Returns
    -------
    ReplayData
        The session's capture, reference and attempts (``focus`` set for an attempt).

    Raises
    ------
    StoreError
        Unknown session or attempt, or its capture is missing or unreadable.
    """
    kind, ident = parse_target(target) if isinstance(target, str) else target
    focus_id: int | None = None
    if kind == "attempt":
        attempt = store.attempt(ident)
        session = store.session(attempt.session_id)
        focus_id = attempt.id
    else:
        session = store.session(ident)
    try:
        capture = read_capture(session.capture)
    except (CaptureError, OSError) as err:
        raise StoreError(f"session {session.id}: its capture cannot be read: {err}") from None
    if capture.n_samples == 0:
        raise StoreError(f"session {session.id}: its capture holds no samples")
    reference, note = _reference_for(store, session)
    if reference is not None and reference.length < 2:
        reference = None
    attempts = tuple(_attempt_replay(a, capture, reference) for a in store.attempts(session.id))
    focus = next((i for i, a in enumerate(attempts) if a.attempt.id == focus_id), None)
    return ReplayData(session, capture, reference, note, attempts, focus)
