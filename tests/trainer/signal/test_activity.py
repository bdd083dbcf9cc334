from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.exceptions import SignalError
from trainer.signal import (
    ActivityDetector,
    Segment,
    active_segments,
    thresholds_from_rest,
    total_force,
)

FS = 100.0


def _strokes(seed: int, n: int = 1200) -> np.ndarray:
    """Bell-shaped pushes of random height and length, separated by noisy rest."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 0.1, n)
    pos = int(rng.integers(0, 40))
    while pos < n:
        length = int(rng.integers(5, 120))
        height = float(rng.uniform(0.5, 12.0))
        bell = height * np.sin(np.linspace(0, np.pi, length)) ** 2
        x[pos : pos + length] += bell[: n - pos]
        pos += length + int(rng.integers(1, 80))
    return x


def test_hysteresis_and_minimum_durations() -> None:
    x = np.zeros(200)
    x[20:60] = 5.0  # a stroke
    x[40:45] = 1.5  # dips between off and on: still the same stroke
    x[100:103] = 5.0  # a bump, too short
    x[150:190] = 5.0
    x[170:175] = 0.0  # a short quiet run (< min_rest): bridged
    segments = active_segments(x, FS, min_active_s=0.1, min_rest_s=0.1)
    assert segments == [Segment(20, 60), Segment(150, 190)]
    assert [len(s) for s in segments] == [40, 40]


def test_thresholds_are_a_band_not_a_level() -> None:
    # Rises to 1.5 N (between off=1 and on=2) never start a stroke ...
    x = np.r_[np.zeros(10), np.full(50, 1.5), np.zeros(50)]
    assert active_segments(x, FS) == []
    # ... but once started, 1.5 N keeps it going.
    x[30] = 3.0
    assert active_segments(x, FS) == [Segment(30, 60)]


def test_a_lead_in_under_the_start_threshold_joins_the_segment() -> None:
    # Light strikes (1.5 N: over off, under on) 0.1 s apart, then strikes at 5 N.
    x = np.zeros(300)
    for k in range(4):
        x[40 + 10 * k : 44 + 10 * k] = 1.5
    for k in range(6):
        x[80 + 10 * k : 84 + 10 * k] = 5.0
    kw = {"min_active_s": 0.1, "min_rest_s": 0.15}
    assert active_segments(x, FS, **kw) == [Segment(80, 134)]  # no lead-in: at the rise
    assert active_segments(x, FS, max_lead_s=0.5, **kw) == [Segment(40, 134)]
    # Only as far back as max_lead_s allows: a lead-in longer than that is not taken.
    assert active_segments(x, FS, max_lead_s=0.3, **kw) == [Segment(80, 134)]
    # A quiet run of min_rest_s ends a lead-in as it ends a segment.
    x[40:44] = 0.0
    x[20:24] = 1.5  # 0.26 s before the next light strike: too far to bridge
    assert active_segments(x, FS, max_lead_s=0.9, **kw) == [Segment(50, 134)]
    # ... and so does a gap.
    assert active_segments(x, FS, gap_starts=[60], max_lead_s=0.9, **kw) == [Segment(60, 134)]


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 10_000),
    st.lists(st.tuples(st.integers(0, 90), st.booleans()), min_size=1, max_size=40),
    st.sampled_from([0.0, 0.3]),
)
def test_streaming_equals_offline_for_any_split(
    seed: int, blocks: list[tuple[int, bool]], lead_s: float
) -> None:
    x = _strokes(seed)
    det = ActivityDetector(FS, min_active_s=0.1, min_rest_s=0.15, max_lead_s=lead_s)
    out: list[Segment] = []
    pos, gaps = 0, []
    for k, block_gap in blocks:
        gap = block_gap and pos < x.size  # offline cannot mark a gap after the last sample
        if gap:
            gaps.append(pos)
        segs, mask = det.classify(x[pos : pos + k], gap_before=gap)
        assert mask.shape == (x[pos : pos + k].size,)
        out += segs
        pos += k
    out += det.push(x[pos:]) + det.flush()
    expected = active_segments(
        x, FS, gap_starts=gaps, min_active_s=0.1, min_rest_s=0.15, max_lead_s=lead_s
    )
    assert out == expected
    for a, b in itertools.pairwise(expected):
        assert a.end <= b.start  # ordered, non-overlapping
    assert all(len(s) >= 10 for s in expected)


def test_found_segments_cover_the_pushes() -> None:
    x = np.zeros(1000)
    spans = [(100, 250), (400, 480), (700, 900)]
    for a, b in spans:
        x[a:b] = 8 * np.sin(np.linspace(0, np.pi, b - a))
    x += np.random.default_rng(4).normal(0, 0.05, x.size)
    found = active_segments(x, FS)
    assert len(found) == 3
    for seg, (a, b) in zip(found, spans, strict=True):
        # on at 2 N and off at 1 N of a sine bell: a little inside the true span
        assert a <= seg.start < a + 0.1 * (b - a) and b - 0.1 * (b - a) < seg.end <= b
        assert not seg.truncated


def test_rest_noise_gives_no_segments() -> None:
    rng = np.random.default_rng(7)
    rest = 0.3 + rng.normal(0, 0.15, 60 * int(FS)) + 0.2 * np.sin(np.arange(6000) / 900)
    assert active_segments(rest, FS) == []
    det = ActivityDetector.from_rest(rest[:500], FS)
    assert det.push(rest) + det.flush() == []
    segs, mask = ActivityDetector(FS).classify(rest)
    assert segs == [] and not mask.any()


def test_simulated_glove_rest_and_strokes() -> None:
    from sensors.profiles import load_profile
    from sensors.strokes import TECHNIQUES, simulate_rest, simulate_take

    profile = load_profile("reference-glove")
    rest = simulate_rest(60, profile, seed=2)
    assert active_segments(total_force(rest.values), rest.fs_hz) == []
    for technique in TECHNIQUES:
        take = simulate_take(technique, seconds=20, profile=profile, seed=1)
        found = active_segments(total_force(take.values), take.fs_hz)
        assert len(found) == len(take.strokes), technique
        for seg, (s, e) in zip(found, take.strokes, strict=True):
            assert abs(seg.start - s) < 0.15 * take.fs_hz and abs(seg.end - e) < 0.25 * take.fs_hz


def test_noise_floor_thresholds() -> None:
    rng = np.random.default_rng(0)
    quiet = rng.normal(0.2, 0.01, 2000)
    on, off = thresholds_from_rest(quiet)
    assert (on, off) == pytest.approx((0.2 + 1.0, 0.2 + 0.5), abs=0.01)  # the floors apply
    noisy = rng.normal(0.2, 0.5, 2000)
    noisy[::50] += 30.0  # bumps do not inflate a MAD-based estimate
    on, off = thresholds_from_rest(noisy)
    assert on == pytest.approx(0.2 + 8 * 0.5, rel=0.1)
    assert off == pytest.approx(0.2 + 4 * 0.5, rel=0.1)
    with pytest.raises(SignalError):
        thresholds_from_rest([1.0])
    with pytest.raises(SignalError):
        thresholds_from_rest(quiet, on_sigma=2, off_sigma=3)


def test_gap_truncates_a_segment() -> None:
    x = np.r_[np.zeros(10), np.full(50, 5.0), np.full(50, 5.0), np.zeros(50)]
    segs = active_segments(x, FS, gap_starts=[60])
    assert segs == [Segment(10, 60, truncated=True), Segment(60, 110)]
    assert active_segments(x, FS) == [Segment(10, 110)]
    # A gap while quiet but not yet settled also truncates, at the start of the quiet run.
    y = np.r_[np.zeros(10), np.full(50, 5.0), np.zeros(10), np.zeros(50)]
    assert active_segments(y, FS, gap_starts=[70]) == [Segment(10, 60, truncated=True)]


def test_flush_and_state() -> None:
    det = ActivityDetector(FS)
    segs, mask = det.classify(np.r_[np.zeros(5), np.full(40, 5.0)])
    assert segs == [] and det.active and mask.tolist() == [False] * 5 + [True] * 40
    assert det.flush() == [Segment(5, 45, truncated=True)]
    assert not det.active and det.flush() == []
    det.reset()
    det.push(np.r_[np.full(40, 5.0), np.zeros(5)])  # back to rest, not yet settled
    assert det.flush() == [Segment(0, 40, truncated=False)]


def test_bad_input() -> None:
    with pytest.raises(SignalError):
        ActivityDetector(FS, on_threshold_n=1.0, off_threshold_n=2.0)
    with pytest.raises(SignalError):
        ActivityDetector(0.0)
    with pytest.raises(SignalError):
        ActivityDetector(FS).push([1.0, np.nan])
    with pytest.raises(SignalError):
        ActivityDetector(FS).push(np.zeros((3, 2)))
