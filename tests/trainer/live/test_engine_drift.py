"""The live engine's rest-level drift watch: a DRIFT event when a sensor's rest level wanders."""

from __future__ import annotations

import time

import numpy as np
from fakes import ScriptedSource

from sensors.sources.base import SourceState
from trainer.live import Acquisition, EventKind
from trainer.signal import DriftWarning

OFFSETS = np.array([0.8, 0.3, 0.0, 0.1, 0.2, 0.0, 0.5])


class DriftingSource(ScriptedSource):
    """A glove at rest whose rest level the test can move."""

    def set_level(self, level: np.ndarray) -> None:
        with self._lock:
            self._level = level


def _wait(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


def _collect(acq: Acquisition, kind: EventKind, seen: list) -> bool:
    seen.extend(acq.events())
    return any(e.kind is kind for e in seen)


def _tared(source: DriftingSource) -> tuple[Acquisition, list]:
    acq = Acquisition(source)
    source.set_state(SourceState.STREAMING)
    acq.start()
    events: list = []
    _wait(lambda: acq.buffer.written > 200)
    acq.request_tare()
    _wait(lambda: _collect(acq, EventKind.TARE, events))
    return acq, events


def test_a_wandering_rest_level_warns_once_in_one_line_naming_the_sensor() -> None:
    source = DriftingSource(level_n=OFFSETS, noise_n=0.01)
    acq, events = _tared(source)
    try:
        written = acq.buffer.written
        _wait(lambda: acq.buffer.written > written + 400)  # 2 s at rest: no warning
        assert not _collect(acq, EventKind.DRIFT, events)
        # The palm sensor's rest level creeps up by 1.5 N (its limit: 2 % of 90 N = 1.8 N
        # is not reached) -- still quiet; then by 2.5 N, beyond the limit.
        level = OFFSETS.copy()
        level[1] += 1.5
        source.set_level(level)
        written = acq.buffer.written
        _wait(lambda: acq.buffer.written > written + 1200)
        assert not _collect(acq, EventKind.DRIFT, events)
        level[1] = OFFSETS[1] + 2.5
        source.set_level(level)
        _wait(lambda: _collect(acq, EventKind.DRIFT, events))
        drift = [e for e in events if e.kind is EventKind.DRIFT]
        assert len(drift) == 1
        assert isinstance(drift[0].payload, DriftWarning) and drift[0].payload.channel == 1
        assert drift[0].message.startswith("palm rest level drifted +1.8")
        assert "re-tare" in drift[0].message and "\n" not in drift[0].message
    finally:
        acq.stop()


def test_no_drift_watch_before_a_tare_and_a_re_tare_rearms_it() -> None:
    source = DriftingSource(level_n=OFFSETS + np.array([0, 3.0, 0, 0, 0, 0, 0]), noise_n=0.01)
    acq = Acquisition(source)
    source.set_state(SourceState.STREAMING)
    acq.start()
    events: list = []
    try:
        _wait(lambda: acq.buffer.written > 600)
        assert not _collect(acq, EventKind.DRIFT, events)  # never tared: nothing to drift from
        acq.request_tare()
        _wait(lambda: _collect(acq, EventKind.TARE, events))
        source.set_level(OFFSETS)  # palm's rest level falls by 3 N: a sag warns too
        _wait(lambda: _collect(acq, EventKind.DRIFT, events))
        warning = next(e for e in events if e.kind is EventKind.DRIFT).payload
        assert warning.channel == 1 and warning.offset_n < 0
        events.clear()
        acq.request_tare()  # re-tare at the new level: quiet again
        _wait(lambda: _collect(acq, EventKind.TARE, events))
        written = acq.buffer.written
        _wait(lambda: acq.buffer.written > written + 1000)
        assert not _collect(acq, EventKind.DRIFT, events)
    finally:
        acq.stop()
