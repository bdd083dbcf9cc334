"""Helpers shared by the store tests: a scored stroke and a recording session."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from trainer.scoring.model import Deduction, StrokeScore
from trainer.store.database import Store

# Helper modules of these tests (hand_made_schemas) are imported by bare name.
sys.path.insert(0, str(Path(__file__).parent))


def _score(start: float, overall: float = 90.0, path_len: int = 5) -> StrokeScore:
    return StrokeScore(
        start_s=start,
        end_s=start + 1.0,
        overall=overall,
        shape=95.0,
        pressure=None,
        tempo=90.0,
        smoothness=88.5,
        deductions=(Deduction("too_light_end", "too light at the end", 100.0 - overall),),
        flags=("clipped:thumb",),
        technique="effleurage",
        details={"tam": 0.25},
        path=np.column_stack([np.arange(path_len), np.arange(path_len)]),
    )


def _session(store: Store, technique: str = "effleurage", **kw) -> int:
    capture = store.home / "sessions" / f"{technique}-{datetime.now(UTC).timestamp()}.mtcap"
    capture.parent.mkdir(parents=True, exist_ok=True)
    return store.begin_session(
        technique=technique,
        reference=kw.pop("reference", None),
        reference_name=f"{technique}-starter",
        glove="reference-glove",
        source=f"sim:{technique}",
        feedback_mode="every",
        capture=capture,
        **kw,
    )


@pytest.fixture
def make_score() -> Callable[..., StrokeScore]:
    """``make_score(start, overall=90.0, path_len=5)``: a scored stroke with every field."""
    return _score


@pytest.fixture
def make_session() -> Callable[..., int]:
    """``make_session(store, technique="effleurage", **kw)``: begin a session, its id."""
    return _session
