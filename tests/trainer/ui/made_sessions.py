"""Hand-made sessions at chosen dates, for the UI tests of probes and progress."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from trainer.scoring.model import StrokeScore
from trainer.store.database import Store


def score(overall: float) -> StrokeScore:
    """A scored stroke with only an overall score."""
    return StrokeScore(
        start_s=0.0, end_s=1.0, overall=overall, shape=None, pressure=None, tempo=None,
        smoothness=None, deductions=(), technique="effleurage",
    )  # fmt: skip


def add_sessions(
    store: Store,
    sessions: Sequence[tuple[str, str, datetime, float, Sequence[float]]],
    *,
    technique: str = "effleurage",
) -> list[int]:
    """Import sessions ``(kind, feedback mode, start, minutes, overall scores)``; their ids."""
    rows = []
    for n, (kind, mode, began, minutes, scores) in enumerate(sessions):
        meta = {
            "user": "student",
            "started_at": began.isoformat(),
            "ended_at": (began + timedelta(minutes=minutes)).isoformat(),
            "glove": "reference-glove",
            "source": f"sim:{technique}",
            "technique": technique,
            "reference": f"{technique}-starter",
            "feedback_mode": mode,
            "kind": kind,
            "surface": "",
            "duration_s": 60.0 * minutes,
        }
        attempts = [(i, score(float(v))) for i, v in enumerate(scores)]
        capture = Path(store.home) / "sessions" / f"made-{technique}-{n}.mtcap"
        rows.append((meta, capture, attempts))
    return [int(i) for i in store.import_sessions(rows) if i is not None]
