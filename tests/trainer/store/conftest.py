"""Helpers for store tests: run the real practice pipeline on a recorded capture."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sensors.sources import open_source
from trainer.app import make_coach, make_recorder
from trainer.store.database import Store
from trainer.store.references import ReferenceLibrary
from trainer.store.sessions import SessionRecording
from trainer.ui.acquisition import Acquisition, EventKind

FIXTURES = Path(__file__).parents[2] / "fixtures"
EFFLEURAGE = FIXTURES / "effleurage-sim.mtcap"


def _practise(store: Store, spec: str, timeout: float = 30.0) -> tuple[SessionRecording, list]:
    """Run source -> acquisition -> coach + recorder to the end of the source."""
    ref = ReferenceLibrary().get("effleurage-starter")
    acq = Acquisition(open_source(spec))
    recorder = make_recorder(store, ref, "every", spec)
    acq.set_scorer(make_coach(ref))
    acq.set_recorder(recorder, technique=ref.technique, reference=ref.name)
    acq.start()
    events: list[Any] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events += acq.events()
        if any(e.kind is EventKind.FINISHED for e in events):
            break
        time.sleep(0.02)
    acq.stop()
    assert acq.error is None, acq.error
    return recorder, events


@pytest.fixture(scope="session")
def practise() -> Callable[..., tuple[SessionRecording, list]]:
    """``practise(store, spec)``: a whole practice session recorded into ``store``."""
    return _practise


@pytest.fixture(scope="session")
def effleurage_capture() -> Path:
    """A recorded effleurage capture (reference glove)."""
    return EFFLEURAGE
