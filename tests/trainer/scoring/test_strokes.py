from __future__ import annotations

import numpy as np
import pytest

from sensors.profiles import load_profile
from sensors.strokes import TECHNIQUES, simulate_rest, simulate_take
from trainer.exceptions import ScoringError
from trainer.scoring import find_strokes, resample_take

PROFILE = load_profile("reference-glove")
FS = PROFILE.sample_rate_hz


@pytest.mark.parametrize("technique", TECHNIQUES)
def test_strokes_match_the_simulator_ground_truth(technique):
    take = simulate_take(technique, seconds=10, profile=PROFILE, seed=21)
    found = find_strokes(take.values, FS, PROFILE)
    assert len(found) == len(take.strokes)
    for stroke, (a, b) in zip(found, take.strokes, strict=True):
        # widened to 3 % of the peak: the true span, give or take the filter's smear
        slack = 0.02 * FS
        assert a - slack <= stroke.start < a + 0.15 * FS
        assert b - 0.15 * FS < stroke.end <= b + 0.05 * FS
        assert stroke.values.shape == (stroke.end - stroke.start, 7)
        assert stroke.clipped_channels == ()


def test_rest_fidgets_and_noise_are_not_strokes():
    rng = np.random.default_rng(5)
    rest = simulate_rest(30, PROFILE, seed=5).values.copy()
    for start in rng.integers(0, rest.shape[0] - 40, size=25):
        # brief taps and brushes: 0.05-0.15 s, 2-6 N on one sensor
        length = int(rng.integers(10, 30))
        rest[start : start + length, rng.integers(0, 7)] += rng.uniform(2, 6)
    rest += np.abs(rng.normal(0, 0.2, rest.shape))  # noisier than the glove's 0.05 N
    assert find_strokes(rest, FS, PROFILE, min_active_s=0.2) == []


def test_clipped_sensors_are_flagged():
    take = simulate_take("friction", seconds=4, profile=PROFILE, seed=2, force_scale=4.0)
    found = find_strokes(take.values, FS, PROFILE)
    assert found and all(s.clipped_channels == (2,) for s in found)  # the thumb


def test_pieces_cut_by_gaps_or_the_ends_are_left_out():
    take = simulate_take("effleurage", seconds=10, profile=PROFILE, seed=3)
    n = len(find_strokes(take.values, FS, PROFILE))
    (a1, b1), (a2, b2) = take.strokes[1], take.strokes[4]
    gaps = [(a1 + b1) // 2, (a2 + b2) // 2]
    cut = find_strokes(take.values, FS, PROFILE, gap_starts=gaps)
    assert len(cut) == n - 2
    assert not any(s.start < g < s.end for s in cut for g in gaps)
    a, b = take.strokes[-1]
    assert len(find_strokes(take.values[: (a + b) // 2], FS, PROFILE)) == n - 1


def test_resample_take_keeps_gaps_and_never_mixes_across_them():
    values = np.zeros((400, 2))
    values[200:] = 10.0  # a step exactly at the gap
    out, gaps = resample_take(values, 200.0, 100.0, gap_starts=[200])
    assert gaps == (100,) and out.shape == (200, 2)
    np.testing.assert_allclose(out[:100], 0.0, atol=1e-9)
    np.testing.assert_allclose(out[100:], 10.0, atol=1e-6)
    same, same_gaps = resample_take(values, 200.0, 200.0, gap_starts=[200, 0, 999])
    assert same_gaps == (200,) and same.shape == values.shape


def test_malformed_input_is_a_scoring_error():
    with pytest.raises(ScoringError, match="channels"):
        find_strokes(np.zeros((100, 5)), FS, PROFILE)
    with pytest.raises(ScoringError, match="NaN"):
        find_strokes(np.full((100, 7), np.nan), FS, PROFILE)
    with pytest.raises(ScoringError, match="non-empty"):
        find_strokes(np.zeros((0, 7)), FS, PROFILE)
