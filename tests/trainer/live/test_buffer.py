"""The ring buffer (trainer/live/buffer.py): wraparound, gap marks, consistent snapshots."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from trainer.live import RingBuffer, with_gap_breaks


def _write(buf: RingBuffer, start: int, k: int, *, gap: bool = False) -> None:
    t = np.arange(start, start + k, dtype=float)
    values = t[:, None] * np.arange(1, buf.channels + 1)
    buf.write(t, values, gap_before=gap, arrival_s=float(start))


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


def test_set_aux_fills_only_samples_still_held() -> None:
    buf = RingBuffer(50, 2, 1)
    buf.write(np.arange(40.0), np.zeros((40, 2)))
    buf.set_aux(30, np.full((20, 1), 7.0))  # 30-39 written, 40-49 not yet
    buf.write(np.arange(40.0, 70.0), np.zeros((30, 2)))  # 0-19 fall out
    buf.set_aux(10, np.full((15, 1), 5.0))  # 10-19 gone: 20-24 filled
    aux = buf.snapshot().aux[:, 0]  # samples 20-69
    np.testing.assert_array_equal(aux[:5], 5.0)
    np.testing.assert_array_equal(aux[10:20], 7.0)  # 30-39
    assert np.isnan(aux[5:10]).all() and np.isnan(aux[20:]).all()
    revision = buf.revision
    buf.set_aux(0, np.zeros((5, 1)))  # long gone: nothing changes
    assert buf.revision == revision
    with pytest.raises(ValueError):
        buf.set_aux(0, np.zeros((3, 2)))
