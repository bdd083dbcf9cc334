from __future__ import annotations

import numpy as np
import pytest

from sensors.profiles import load_profile
from sensors.strokes import MODELS, simulate_rest, simulate_take
from trainer.exceptions import ScoringError
from trainer.scoring import band, build_reference, find_strokes, score_strokes, shape_distance
from trainer.scoring.alignment import align_stroke

PROFILE = load_profile("reference-glove")
FS = PROFILE.sample_rate_hz


def test_band_has_a_minimum_width():
    aligned = np.array([[10.0, 0.2, 40.0], [10.0, 0.2, 40.0], [10.0, 0.2, 40.0]])
    lo, hi = band(aligned)
    # identical takes: 20 % of the level, at least 0.5 N, never below zero
    np.testing.assert_allclose(hi - aligned[0], [2.0, 0.5, 8.0])
    np.testing.assert_allclose(lo, [8.0, 0.0, 32.0])
    spread = np.array([[8.0], [12.0], [8.0], [12.0]])  # sd 2 N: 2 sd beats 20 %
    lo, hi = band(spread)
    np.testing.assert_allclose([lo[0], hi[0]], [6.0, 14.0])


def test_reference_summarises_the_takes(sim_references):
    ref = sim_references["effleurage"]
    model = MODELS["effleurage"]
    truth = [
        (b - a) / FS
        for s in (1, 2, 3)
        for a, b in simulate_take("effleurage", seconds=20, profile=PROFILE, seed=s).strokes
    ]
    assert ref.n_strokes == len(truth)
    # Rest detection trims the faint ends of each stroke a little, never adds.
    assert min(truth) - 0.2 < ref.duration_s[0] <= ref.duration_s[1] <= ref.duration_s[2]
    assert ref.duration_s[2] <= max(truth) + 0.02
    assert ref.peak_force_n[0] == pytest.approx(model.peak_n, rel=0.15)
    shares = dict(zip(ref.regions, ref.share_mean, strict=True))
    assert shares["palm"] == pytest.approx(model.shares["palm"], abs=0.05)
    assert shares["thumb"] == pytest.approx(model.shares["thumb"], abs=0.03)
    # The band is read in real-time phases: a held-out expert stroke, uniformly
    # stretched to the template's length, stays inside it almost everywhere.
    held_out = simulate_take("effleurage", seconds=10, profile=PROFILE, seed=40)
    inside = []
    for s in find_strokes(held_out.values, FS, PROFILE):
        al = align_stroke(s.values, ref)
        inside.append(np.mean((ref.band_lo <= al.total + 0.5) & (al.total <= ref.band_hi + 0.5)))
    assert np.mean(inside) > 0.9
    half, centre = 0.5 * (ref.band_hi - ref.band_lo), 0.5 * (ref.band_hi + ref.band_lo)
    unclipped = ref.band_lo > 0
    assert np.all(half[unclipped] >= np.maximum(0.2 * centre, 0.5)[unclipped] - 1e-9)
    assert ref.synthetic and ref.length == pytest.approx(ref.duration_s[1] * FS, rel=0.25)


def test_expert_spread_calibrates_the_shape_scale(sim_references):
    ref = sim_references["petrissage"]
    take = simulate_take("petrissage", seconds=20, profile=PROFILE, seed=60)
    d = [shape_distance(s.values, ref) for s in find_strokes(take.values, FS, PROFILE)]
    # held-out expert strokes sit around the 90th-percentile scale, not far beyond it
    assert np.median(d) < ref.shape_d90 < 3 * np.median(d)


def test_stray_strokes_are_left_out_of_the_reference():
    takes = [
        (simulate_take("friction", seconds=8, profile=PROFILE, seed=s).values, ()) for s in (1, 2)
    ]
    clean = build_reference(takes, name="c", technique="friction", profile=PROFILE, fs_hz=FS)
    stray = simulate_rest(3, PROFILE, seed=3).values
    stray[100:400, 0] += 60.0  # a 1.5 s heavy press with the palm heel
    dirty = build_reference(
        [*takes, (stray, ())], name="d", technique="friction", profile=PROFILE, fs_hz=FS
    )
    assert dirty.n_strokes == clean.n_strokes
    np.testing.assert_allclose(dirty.template, clean.template)


def test_strokes_cut_by_gaps_are_left_out():
    take = simulate_take("petrissage", seconds=8, profile=PROFILE, seed=4)
    gaps = [(a + b) // 2 for a, b in take.strokes[2:5]]
    ref = build_reference(
        [(take.values, gaps)], name="g", technique="petrissage", profile=PROFILE, fs_hz=FS
    )
    full = build_reference(
        [(take.values, ())], name="f", technique="petrissage", profile=PROFILE, fs_hz=FS
    )
    assert ref.n_strokes == full.n_strokes - 3


def test_a_reference_of_a_slower_expert_expects_slower_strokes():
    slow = build_reference(
        [
            (
                simulate_take(
                    "effleurage", seconds=15, profile=PROFILE, seed=s, tempo_scale=1.5
                ).values,
                (),
            )
            for s in (1, 2)
        ],
        name="slow",
        technique="effleurage",
        profile=PROFILE,
        fs_hz=FS,
    )
    normal = simulate_take("effleurage", seconds=10, profile=PROFILE, seed=9)
    slowed = simulate_take("effleurage", seconds=15, profile=PROFILE, seed=9, tempo_scale=1.5)
    assert np.mean([s.tempo for s in score_strokes(slowed.values, FS, slow)]) > 90
    assert np.mean([s.tempo for s in score_strokes(normal.values, FS, slow)]) < 60


def test_too_few_strokes_bad_weights_and_wrong_glove():
    rest = simulate_rest(5, PROFILE)
    with pytest.raises(ScoringError, match="need at least 3"):
        build_reference([(rest.values, ())], name="x", technique="x", profile=PROFILE, fs_hz=FS)
    take = simulate_take("friction", seconds=5, profile=PROFILE, seed=1)
    with pytest.raises(ScoringError, match="weights"):
        build_reference(
            [(take.values, ())],
            name="x",
            technique="friction",
            profile=PROFILE,
            fs_hz=FS,
            weights={"shape": 1.0},
        )
    with pytest.raises(ScoringError, match="channels"):
        build_reference(
            [(take.values[:, :5], ())],
            name="x",
            technique="friction",
            profile=PROFILE,
            fs_hz=FS,
        )
