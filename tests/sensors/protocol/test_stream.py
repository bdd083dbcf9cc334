"""Sequence numbers and device time (sensors.protocol.stream)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensors import protocol as P
from sensors.exceptions import ProtocolError

# -- sequence numbers and device time -----------------------------------------------------


def test_sequence_tracker_wraps_and_discards_stale() -> None:
    tracker = P.SequenceTracker()
    assert tracker.update(65534) == 0
    assert tracker.update(65535) == 0
    assert tracker.update(1) == 1  # 0 lost across the wrap
    assert tracker.update(1) == -1  # duplicate
    assert tracker.update(0) == -1  # reordered, late
    assert tracker.update(5) == 3
    assert tracker.last == 5
    tracker.reset()
    assert tracker.update(40_000) == 0 and tracker.last == 40_000
    for bad in (-1, 65536):
        with pytest.raises(ProtocolError):
            tracker.update(bad)


def test_sequence_tracker_resyncs_after_a_counter_restart() -> None:
    tracker = P.SequenceTracker(resync_after=16)
    for seq in range(1000, 1010):
        tracker.update(seq)
    results = [tracker.update(seq) for seq in range(0, 16)]  # glove restarted at 0
    assert results[:15] == [-1] * 15
    assert results[15] == 15  # accepted, reporting the 15 it discarded: a gap
    assert tracker.update(16) == 0


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 65535), st.lists(st.integers(0, 300), min_size=1, max_size=300))
def test_sequence_tracker_counts_every_drop(start: int, drops: list[int]) -> None:
    tracker = P.SequenceTracker()
    seq = start
    assert tracker.update(seq) == 0
    for lost in drops:
        seq = (seq + lost + 1) % 65536
        assert tracker.update(seq) == lost


def test_device_clock_unwraps_u32_microseconds() -> None:
    clock = P.DeviceClock()
    start = 2**32 - 1_000_000
    assert clock.to_seconds(start) == 0.0
    assert clock.to_seconds(2**32 - 1) == pytest.approx(0.999999)
    assert clock.to_seconds(500_000) == pytest.approx(1.5)  # wrapped
    assert clock.to_seconds(2**31 + 500_000) == pytest.approx(1.5 + 2**31 / 1e6)
    assert clock.to_seconds(100) == pytest.approx((2 * 2**32 + 100 - start) / 1e6)  # second wrap
    clock.reset()
    assert clock.to_seconds(12345) == 0.0


def test_device_clock_reordered_reading_across_the_wrap() -> None:
    clock = P.DeviceClock()
    assert clock.to_seconds(2**32 - 10_000) == 0.0
    assert clock.to_seconds(10_000) == pytest.approx(0.02)  # after the wrap
    assert clock.to_seconds(2**32 - 5_000) == pytest.approx(0.005)  # late packet: earlier
    assert clock.to_seconds(15_000) == pytest.approx(0.025)  # and back on track


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.lists(st.integers(0, 2**31 - 1), min_size=1, max_size=200),
)
def test_device_clock_matches_the_true_elapsed_time(start: int, steps: list[int]) -> None:
    clock = P.DeviceClock()
    clock.to_seconds(start)
    elapsed = 0
    for step in steps:
        elapsed += step
        assert clock.to_seconds((start + elapsed) % 2**32) == elapsed / 1e6


def test_device_clock_in_milliseconds() -> None:
    clock = P.DeviceClock(wrap=2**32, ticks_per_s=1e3)
    assert clock.to_seconds(2**32 - 10) == 0.0
    assert clock.to_seconds(10) == pytest.approx(0.020)
