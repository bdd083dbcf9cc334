"""The Qt-free acquisition layer: ring buffer, gap breaks, the acquisition thread."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from fakes import ExplodingSource, ScriptedSource

from sensors.sources import open_source
from sensors.sources.base import SourceState
from trainer.ui.acquisition import (
    TRACK_COLUMNS,
    Acquisition,
    EventKind,
    RingBuffer,
    with_gap_breaks,
)


def _write(buf: RingBuffer, start: int, k: int, *, gap: bool = False) -> None:
    t = np.arange(start, start + k, dtype=float)
    values = t[:, None] * np.arange(1, buf.channels + 1)
    buf.write(t, values, gap_before=gap, arrival_s=float(start))


def _wait(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


# -- ring buffer -------------------------------------------------------------------------


def test_ring_wraps_and_keeps_the_newest_in_order() -> None:
    buf = RingBuffer(10, 2)
    for start in (0, 4, 8):
        _write(buf, start, 4)
    snap = buf.snapshot()
    assert snap.written == 12
    np.testing.assert_array_equal(snap.t, np.arange(2, 12))
    np.testing.assert_array_equal(snap.values[:, 1], 2 * np.arange(2, 12))
    assert buf.snapshot(3).t.tolist() == [9.0, 10.0, 11.0]
    assert len(buf.snapshot(0)) == 0


def test_ring_partial_fill_returns_only_written_samples() -> None:
    buf = RingBuffer(10, 1)
    _write(buf, 0, 3)
    snap = buf.snapshot()
    assert snap.t.tolist() == [0.0, 1.0, 2.0]
    assert np.isnan(snap.aux).all() and snap.aux.shape == (3, 0)


def test_gap_marks_survive_wraparound_and_fall_out_with_their_sample() -> None:
    buf = RingBuffer(8, 1)
    _write(buf, 0, 3)
    _write(buf, 10, 3, gap=True)  # gap before t=10
    _write(buf, 13, 3)
    snap = buf.snapshot()  # t = 1, 2, 10, 11, 12, 13, 14, 15
    assert snap.t[snap.gap_before].tolist() == [10.0]
    _write(buf, 16, 4)  # t=10 falls out
    assert not buf.snapshot().gap_before.any()


def test_block_longer_than_ring_keeps_its_tail_and_marks_the_cut() -> None:
    buf = RingBuffer(5, 1)
    _write(buf, 0, 2)
    _write(buf, 2, 12)
    snap = buf.snapshot()
    assert snap.t.tolist() == [9.0, 10.0, 11.0, 12.0, 13.0]
    assert snap.gap_before[0]
    assert snap.written == 14


def test_write_rejects_wrong_shapes() -> None:
    buf = RingBuffer(5, 2, aux_channels=1)
    with pytest.raises(ValueError):
        buf.write(np.arange(3.0), np.zeros((3, 3)))
    with pytest.raises(ValueError):
        buf.write(np.arange(3.0), np.zeros((3, 2)), aux=np.zeros((3, 2)))
    with pytest.raises(ValueError):
        RingBuffer(0, 1)


def test_snapshots_are_consistent_while_a_thread_writes() -> None:
    buf = RingBuffer(257, 3)  # odd size: writes straddle the wrap point
    stop = threading.Event()

    def writer() -> None:
        start = 0
        while not stop.is_set():
            k = 1 + start % 13
            _write(buf, start, k)
            start += k

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        checked = 0
        deadline = time.monotonic() + 5.0
        while checked < 300 and time.monotonic() < deadline:
            snap = buf.snapshot()
            if len(snap) < 2:
                continue
            # One instant: consecutive times, values that belong to those times.
            assert np.all(np.diff(snap.t) == 1.0)
            np.testing.assert_array_equal(snap.values, snap.t[:, None] * np.array([1, 2, 3]))
            assert snap.t[-1] == snap.written - 1
            checked += 1
    finally:
        stop.set()
        thread.join()
    assert checked == 300


def test_gap_breaks_insert_nan_rows_and_keep_x_sorted() -> None:
    t = np.arange(6.0)
    y = np.arange(12.0).reshape(6, 2)
    gaps = np.array([True, False, False, True, False, True])
    t2, y2 = with_gap_breaks(t, y, gaps)
    assert t2.tolist() == [0, 1, 2, 3, 3, 4, 5, 5]
    assert np.all(np.diff(t2) >= 0)
    nan_rows = np.flatnonzero(np.isnan(y2).all(axis=1)).tolist()
    assert nan_rows == [3, 6]  # before t=3 and t=5, not before the first sample
    np.testing.assert_array_equal(y2[~np.isnan(y2).any(axis=1)], y)
    t3, y3 = with_gap_breaks(t, y[:, 0], np.zeros(6, bool))
    assert t3 is t and y3.shape == (6,)


def test_acquisition_module_does_not_import_qt() -> None:
    code = (
        "import sys, trainer.ui.acquisition, trainer.ui.services, trainer.app; "
        "print(any(m.startswith(('PySide6', 'pyqtgraph')) for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- the acquisition thread ------------------------------------------------------------


def test_acquisition_reads_a_simulated_glove_to_the_end() -> None:
    source = open_source("sim:effleurage?seed=2&speed=0&seconds=2")
    acq = Acquisition(source, window_s=5.0)
    acq.start()
    _wait(lambda: not acq.running)
    events = acq.events()
    kinds = [e.kind for e in events]
    assert kinds[-1] is EventKind.FINISHED
    states = [e.status.state for e in events if e.kind is EventKind.STATUS]
    assert SourceState.STREAMING in states
    snap = acq.buffer.snapshot()
    assert len(snap) == 400  # 2 s at 200 Hz
    assert np.all(np.diff(snap.t) > 0)
    assert snap.values.max() > 1.0
    assert acq.error is None
    assert acq.status().state is SourceState.FINISHED  # the thread closed it


def test_acquisition_scores_strokes_and_writes_the_band_track(effleurage_ref) -> None:
    from trainer.app import make_coach

    source = open_source("sim:effleurage?seed=1&speed=0&seconds=6")
    acq = Acquisition(source, window_s=10.0)
    acq.set_scorer(make_coach(effleurage_ref))
    acq.start()
    _wait(lambda: not acq.running, 30.0)
    strokes = [e.payload for e in acq.events() if e.kind is EventKind.STROKE]
    assert len(strokes) >= 3
    assert all(0 <= s.overall <= 100 for s in strokes)
    aux = acq.buffer.snapshot().aux
    assert aux.shape[1] == len(TRACK_COLUMNS)
    inside = np.isfinite(aux).all(axis=1)
    assert 0.2 < inside.mean() < 0.9  # band only during strokes
    assert np.all(aux[inside, 0] <= aux[inside, 1])  # lo <= hi
    assert acq.live().strokes == len(strokes)


def test_event_queue_is_bounded_and_drops_the_oldest() -> None:
    source = ScriptedSource(block=2)
    acq = Acquisition(source, event_capacity=4)
    source.set_state(SourceState.STREAMING)
    acq.start()
    try:
        for _ in range(12):
            source.next_gap()
            time.sleep(0.02)
        _wait(lambda: acq.dropped_events > 0)
        events = acq.events()
        assert 1 <= len(events) <= 4
        assert events[-1].kind is EventKind.GAP
    finally:
        acq.stop()


def test_tare_zeroes_a_resting_offset_and_refuses_a_moving_hand() -> None:
    offsets = np.array([0.8, 0.3, 0.0, 0.1, 0.2, 0.0, 0.5])
    source = ScriptedSource(level_n=offsets, noise_n=0.01)
    acq = Acquisition(source)
    source.set_state(SourceState.STREAMING)
    acq.start()
    try:
        _wait(lambda: acq.buffer.written > 200)
        acq.request_tare()
        _wait(lambda: any(e.kind is EventKind.TARE for e in acq.events()))
        np.testing.assert_allclose(acq.tare_offsets, offsets, atol=0.02)
        written = acq.buffer.written
        _wait(lambda: acq.buffer.written > written + 50)
        assert acq.buffer.snapshot(40).values.max() < 0.06
    finally:
        acq.stop()

    moving = ScriptedSource()  # a 0.7 Hz, ±4 N swing
    acq = Acquisition(moving)
    moving.set_state(SourceState.STREAMING)
    acq.start()
    try:
        _wait(lambda: acq.buffer.written > 200)
        acq.request_tare()
        _wait(lambda: any(e.kind is EventKind.TARE_FAILED for e in acq.events()))
        assert acq.tare_offsets is None
    finally:
        acq.stop()


def test_a_failing_source_reports_an_error_and_is_closed() -> None:
    source = ExplodingSource()
    source.set_state(SourceState.STREAMING)
    acq = Acquisition(source)
    acq.start()
    _wait(lambda: not acq.running)
    errors = [e for e in acq.events() if e.kind is EventKind.ERROR]
    assert errors and "adapter vanished" in errors[0].message
    assert acq.error is not None
    assert source.closed.is_set()


def test_recorder_seam_is_driven_from_the_acquisition_thread() -> None:
    calls: list[tuple[str, str]] = []

    class Recorder:
        def start(self, technique, reference, profile) -> None:
            calls.append(("start", threading.current_thread().name))

        def add_block(self, block) -> None:
            calls.append(("block", threading.current_thread().name))

        def add_score(self, score) -> None:
            calls.append(("score", threading.current_thread().name))

        def finish(self) -> None:
            calls.append(("finish", threading.current_thread().name))

    source = open_source("sim:effleurage?seed=2&speed=0&seconds=1")
    acq = Acquisition(source)
    acq.set_recorder(Recorder(), technique="effleurage", reference="x")
    acq.start()
    _wait(lambda: not acq.running)
    names = [c[0] for c in calls]
    assert names[0] == "start" and names[-1] == "finish" and "block" in names
    assert {c[1] for c in calls} == {"acquisition"}
