from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sensors.profiles import load_profile
from sensors.strokes import TECHNIQUES, simulate_rest, simulate_take
from trainer.signal import ActivityDetector, Segment, active_segments, total_force

REF = load_profile("reference-glove")


def test_hysteresis_and_minimum_durations() -> None:
    x = np.zeros(200)
    x[20:60] = 5.0  # a stroke
    x[40:45] = 1.5  # dips between off and on: still the same stroke
    x[100:103] = 5.0  # a bump, too short
    x[150:190] = 5.0
    x[170:175] = 0.0  # a short quiet run (< min_rest): bridged
    segments = active_segments(x, 100.0, min_active_s=0.1, min_rest_s=0.1)
    assert segments == [Segment(20, 60), Segment(150, 190)]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 80), min_size=1, max_size=30))
def test_streaming_equals_offline_for_any_split(sizes: list[int]) -> None:
    take = simulate_take("tapotement", seconds=8, profile=REF, seed=5)
    x = total_force(take.values)
    det = ActivityDetector(take.fs_hz)
    out, pos = [], 0
    for k in sizes * 10:
        out += det.push(x[pos : pos + k])
        pos += k
    out += det.push(x[pos:]) + det.flush()
    assert out == active_segments(x, take.fs_hz)


def test_simulated_strokes_are_found_and_rest_gives_none() -> None:
    for technique in TECHNIQUES:
        take = simulate_take(technique, seconds=20, profile=REF, seed=1)
        found = active_segments(total_force(take.values), take.fs_hz)
        assert len(found) == len(take.strokes), technique
        for seg, (s, e) in zip(found, take.strokes, strict=True):
            assert abs(seg.start - s) < 0.15 * take.fs_hz and abs(seg.end - e) < 0.25 * take.fs_hz
    rest = simulate_rest(60, REF, seed=2)
    assert active_segments(total_force(rest.values), rest.fs_hz) == []


def test_gap_truncates_a_segment() -> None:
    x = np.r_[np.zeros(10), np.full(50, 5.0), np.full(50, 5.0), np.zeros(50)]
    segs = active_segments(x, 100.0, gap_starts=[60])
    assert segs[0] == Segment(10, 60, truncated=True)
    assert segs[1] == Segment(60, 110)
