"""What the store returns (sessions, attempts) and how its rows map to them.

Part of :mod:`trainer.store.database` (import from there).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer.exceptions import StoreError

if TYPE_CHECKING:
    import numpy as np

    from trainer.scoring.model import StrokeScore

# NumPy and the scoring model are imported where scores are built or checked, not here:
# listing sessions (``history``) reads no score and so imports neither (start-up time).

__all__ = [
    "LEGACY_COMPONENTS",
    "AttemptRecord",
    "SessionRecord",
    "content_hash",
    "parse_since",
    "score_components",
]

#: The score components schemas 1-2 kept in fixed columns of ``attempts``; since
#: schema 3 every component is a row of ``attempt_components`` (any name).
LEGACY_COMPONENTS = ("shape", "pressure", "tempo", "smoothness")
_MAX_COMPONENT_NAME = 100

SESSION_COLUMNS = """
    s.id, u.name, u.role, s.started_at, s.ended_at, s.glove, s.source, s.technique,
    s.reference_name, s.reference_hash, s.feedback_mode, s.capture, s.state, s.samples,
    s.duration_s, s.deleted_at,
    (SELECT COUNT(*) FROM attempts a WHERE a.session_id = s.id),
    (SELECT AVG(a.overall) FROM attempts a WHERE a.session_id = s.id),
    (SELECT MAX(a.overall) FROM attempts a WHERE a.session_id = s.id),
    s.kind, s.surface
"""
ATTEMPT_COLUMNS = """
    a.id, a.session_id, a.idx, a.start_s, a.end_s, a.overall, a.deductions, a.flags,
    a.details, a.path, s.technique, s.reference_name, s.reference_hash
"""


INSERT_ATTEMPT = (
    "INSERT INTO attempts (session_id, idx, start_s, end_s, overall, deductions, flags, "
    "details, path) VALUES (:session_id, :idx, :start_s, :end_s, :overall, :deductions, "
    ":flags, :details, :path)"
)
INSERT_COMPONENT = "INSERT INTO attempt_components (attempt_id, component, score) VALUES (?, ?, ?)"
# Insertion order is the mapping's order, and reads keep it.
SELECT_COMPONENTS = (
    "SELECT c.attempt_id, c.component, c.score FROM attempt_components c "
    "WHERE c.attempt_id IN ({marks}) ORDER BY c.attempt_id, c.rowid"
)


def content_hash(data: bytes) -> str:
    """Return the content hash the store keys references by (SHA-256, hex)."""
    return hashlib.sha256(data).hexdigest()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def parse_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def parse_since(text: str) -> datetime:
    """Parse a ``--since`` date: ``YYYY-MM-DD`` (local midnight) or an ISO date-time.

    Raises
    ------
    StoreError
        If the text is not a date.
    """
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise StoreError(f"not a date: {text!r} (use YYYY-MM-DD)") from None
    if when.tzinfo is None:
        when = when.astimezone()  # a naive date means the user's local time
    return when.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One practice session as stored.

    Parameters
    ----------
    id : int
        Session id (what ``history`` shows and ``replay``/``export`` take).
    user, role : str
        Who practised.
    started_at, ended_at : datetime or None
        Wall-clock start and end (UTC); ``ended_at`` is ``None`` while recording.
    glove : str
        Glove profile name.
    source : str
        Source spec (``sim:effleurage``, ``ble:...``, ``replay:...``).
    technique, reference_name : str
        What was practised and against which reference.
    reference_hash : str or None
        Content hash of the reference used (``None`` for sessions from schema 1).
    feedback_mode : str
        Faded-feedback setting (``every``, ``every_n:3``, ``off``).
    capture : pathlib.Path
        The session's raw capture.
    state : str
        ``recording``, ``finished`` or ``interrupted``.
    samples : int
        Samples in the capture.
    duration_s : float
        Glove time covered, seconds.
    deleted : bool
        Soft-deleted (hidden from history until restored).
    attempts : int
        Strokes scored.
    mean_overall, best_overall : float or None
        Mean and best overall score of its attempts.
    kind : str
        ``practice``, or ``probe`` (a short set with every feedback hidden; schema 5).
    surface : str
        What was massaged (``pad``, ``mannequin``, ``person`` or free text; ``""``
        unknown).
    """

    id: int
    user: str
    role: str
    started_at: datetime
    ended_at: datetime | None
    glove: str
    source: str
    technique: str
    reference_name: str
    reference_hash: str | None
    feedback_mode: str
    capture: Path
    state: str
    samples: int
    duration_s: float
    deleted: bool
    attempts: int
    mean_overall: float | None
    best_overall: float | None
    kind: str = "practice"
    surface: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "id": self.id,
            "user": self.user,
            "role": self.role,
            "started_at": self.started_at.isoformat(),
            "ended_at": None if self.ended_at is None else self.ended_at.isoformat(),
            "glove": self.glove,
            "source": self.source,
            "technique": self.technique,
            "reference": self.reference_name,
            "reference_hash": self.reference_hash,
            "feedback_mode": self.feedback_mode,
            "capture": str(self.capture),
            "state": self.state,
            "samples": self.samples,
            "duration_s": round(self.duration_s, 3),
            "deleted": self.deleted,
            "strokes": self.attempts,
            "mean_overall": None if self.mean_overall is None else round(self.mean_overall, 1),
            "best_overall": self.best_overall,
            "kind": self.kind,
            "surface": self.surface,
        }


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """One scored stroke of a session.

    Parameters
    ----------
    id : int
        Attempt id (unique in the database).
    session_id : int
        Its session.
    index : int
        0-based stroke number within the session.
    score : StrokeScore
        Scores, deductions, flags, details and the warping path (stroke sample,
        template index) when it was stored; ``start_s``/``end_s`` are in the
        capture's time base.
    technique, reference_name : str
        What it was scored against.
    reference_hash : str or None
        Content hash of that reference (``None`` for attempts from schema 1).
    components : dict
        Score per component name, 0-100 or ``None`` when not scored, in the order
        they were stored (any name: a new component needs no schema change).
    """

    id: int
    session_id: int
    index: int
    score: StrokeScore
    technique: str
    reference_name: str
    reference_hash: str | None = None
    components: dict[str, float | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the score's fields, ``components``, ids and the reference)."""
        return {
            "id": self.id,
            "session": self.session_id,
            "index": self.index,
            "technique": self.technique,
            "reference": self.reference_name,
            "reference_hash": self.reference_hash,
            **self.score.to_dict(),
            "components": dict(self.components),
        }


def score_components(score: StrokeScore) -> dict[str, float | None]:
    """Return a score's components, ``{name: 0-100 or None}``.

    The one place that knows where they live: ``score.components`` when the score
    carries that mapping, else its legacy attributes (shape, pressure, tempo,
    smoothness).
    """
    components = getattr(score, "components", None) or {
        name: getattr(score, name, None) for name in LEGACY_COMPONENTS
    }
    return check_components(components)


def check_components(components: Mapping[Any, Any]) -> dict[str, float | None]:
    """Validate a component mapping: names of 1-100 characters, finite scores or None.

    Raises
    ------
    StoreError
        A bad name or score.
    """
    import numpy as np

    out: dict[str, float | None] = {}
    for name, value in components.items():
        if not isinstance(name, str) or not 1 <= len(name) <= _MAX_COMPONENT_NAME:
            raise StoreError(f"score component name must be 1 to 100 characters: {name!r}")
        if value is None:
            out[name] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise StoreError(f"score component {name!r} must be a number or None")
        if not math.isfinite(float(value)):
            raise StoreError(f"score component {name!r} must be finite")
        out[name] = float(value)
    return out


def make_score(components: Mapping[str, float | None], **fields: Any) -> StrokeScore:
    """Build a :class:`StrokeScore` carrying ``components`` however it takes them.

    ``fields`` are the other constructor arguments. The components go to a
    ``components`` field if the score has one, and the legacy names to their own
    fields while it has those.
    """
    from trainer.scoring.model import StrokeScore

    init = {f.name for f in dataclasses.fields(StrokeScore) if f.init}
    if "components" in init:
        fields["components"] = dict(components)
    for name in LEGACY_COMPONENTS:
        if name in init:
            fields[name] = components.get(name)
    return StrokeScore(**fields)


def encode_path(path: np.ndarray | None) -> bytes | None:
    if path is None:
        return None
    import numpy as np

    return np.ascontiguousarray(path, dtype="<i4").reshape(-1, 2).tobytes()


def decode_path(blob: bytes | None) -> np.ndarray | None:
    if blob is None:
        return None
    if len(blob) % 8:
        raise StoreError("stored warping path is corrupt (length not a multiple of 8)")
    import numpy as np

    return np.frombuffer(blob, dtype="<i4").reshape(-1, 2).astype(np.int64)


def score_row(score: StrokeScore) -> dict[str, Any]:
    return {
        "start_s": score.start_s,
        "end_s": score.end_s,
        "overall": score.overall,
        "deductions": json.dumps([d.to_dict() for d in score.deductions], sort_keys=True),
        "flags": json.dumps(list(score.flags)),
        "details": json.dumps(score.details, sort_keys=True),
        "path": encode_path(score.path),
    }


def attempt_from_row(row: Sequence[Any], components: Mapping[str, float | None]) -> AttemptRecord:
    from trainer.scoring.model import Deduction

    (aid, sid, idx, start, end, overall, deductions, flags, details, path, technique,
     ref_name, ref_hash) = row  # fmt: skip
    try:
        items = json.loads(deductions)
        score = make_score(
            components,
            start_s=float(start),
            end_s=float(end),
            overall=float(overall),
            deductions=tuple(
                Deduction(str(d["code"]), str(d["message"]), float(d["points"])) for d in items
            ),
            flags=tuple(str(f) for f in json.loads(flags)),
            technique=technique,
            details={str(k): float(v) for k, v in json.loads(details).items()},
            path=decode_path(path),
        )
    except (ValueError, TypeError, KeyError, AttributeError) as err:
        raise StoreError(f"attempt {aid} is corrupt in the database: {err}") from None
    return AttemptRecord(aid, sid, idx, score, technique, ref_name, ref_hash, dict(components))


def session_from_row(row: Sequence[Any], home: Path) -> SessionRecord:
    (sid, user, role, started, ended, glove, source, technique, ref_name, ref_hash, mode,
     capture, state, samples, duration, deleted, n, mean, best, kind, surface) = row  # fmt: skip
    return SessionRecord(
        id=sid,
        user=user,
        role=role,
        started_at=datetime.fromisoformat(started),
        ended_at=parse_time(ended),
        glove=glove,
        source=source,
        technique=technique,
        reference_name=ref_name,
        reference_hash=ref_hash,
        feedback_mode=mode,
        capture=home / capture,
        state=state,
        samples=int(samples),
        duration_s=float(duration),
        deleted=deleted is not None,
        attempts=int(n),
        mean_overall=None if mean is None else float(mean),
        best_overall=None if best is None else float(best),
        kind=str(kind),
        surface=str(surface),
    )


def relative_to_home(path: Path, home: Path) -> str:
    """Return ``path`` relative to the data home, as stored in the database."""
    try:
        return Path(path).resolve().relative_to(home.resolve()).as_posix()
    except ValueError:
        raise StoreError(f"capture {path} is outside the data directory {home}") from None
