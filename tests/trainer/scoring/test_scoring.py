from __future__ import annotations

import dataclasses
import itertools
import json
import math

import numpy as np
import pytest

from sensors.profiles import load_profile
from sensors.strokes import TECHNIQUES, simulate_rest, simulate_take
from trainer.exceptions import NotAStrokeError, ScoringError
from trainer.scoring import (
    CAUTION_KPA,
    COMPONENTS,
    MINOR_POINTS,
    StrokeScore,
    build_reference,
    find_strokes,
    score_stroke,
    score_strokes,
)
from trainer.scoring.alignment import align_stroke
from trainer.scoring.measures import (
    MIN_SHAPE_SCALE,
    SHAPE_SCALE,
    shape_component,
    stroke_context,
    tam,
)

PROFILE = load_profile("reference-glove")
FS = PROFILE.sample_rate_hz
HELD_OUT = 50  # a seed none of the references was built from


#: Scored takes by (reference, seed, seconds, simulator arguments): several tests compare
#: against the same held-out take (a 20 s take scores in about a quarter of a second). The
#: reference is kept with its scores, so its id is not reused while the entry lives.
_SCORED: dict[tuple, tuple[object, tuple[StrokeScore, ...]]] = {}


def _scores(ref, seed=HELD_OUT, seconds=20, **kw) -> list[StrokeScore]:
    """The strokes found and scored (frozen) in a simulated take; each take scored once."""
    key = (id(ref), seed, seconds, tuple(sorted(kw.items())))
    if key not in _SCORED:
        take = simulate_take(ref.technique, seconds=seconds, profile=PROFILE, seed=seed, **kw)
        _SCORED[key] = (ref, tuple(score_strokes(take.values, FS, ref)))
    strokes = list(_SCORED[key][1])
    assert strokes, "no strokes found"
    return strokes


def _mean(strokes, component):
    values = [getattr(s, component) for s in strokes if getattr(s, component) is not None]
    return float(np.mean(values))


def _codes(strokes):
    return {d.code for s in strokes for d in s.deductions}


def test_expert_like_held_out_take_scores_high_on_every_component(sim_references, capsys):
    rows = {}
    for technique, ref in sim_references.items():
        strokes = _scores(ref)
        rows[technique] = {c: _mean(strokes, c) for c in ("overall", *COMPONENTS)}
    with capsys.disabled():
        print("\nheld-out expert-like take (seed 50) vs 3-take reference, mean per stroke:")
        for technique, row in rows.items():
            print(f"  {technique:11s}", "  ".join(f"{k} {v:5.1f}" for k, v in row.items()))
    for technique, row in rows.items():
        assert row["overall"] >= 90, (technique, row)
        for component in COMPONENTS:
            assert row[component] >= 85, (technique, component, row)


def test_half_force_drops_pressure_clearly_and_says_too_light(sim_references):
    for technique in ("effleurage", "petrissage", "friction"):
        ref = sim_references[technique]
        good, light = _scores(ref), _scores(ref, force_scale=0.5)
        assert _mean(light, "pressure") < _mean(good, "pressure") - 50, technique
        assert any(c.startswith("too_light_") for c in _codes(light))
        assert not any(c.startswith("too_heavy_") for c in _codes(light))
        messages = [d.message for s in light for d in s.deductions if "too light" in d.message]
        assert messages and "N under the target" in messages[0]
    tap = sim_references["tapotement"]  # percussion: a wide band, still a clear drop
    assert _mean(_scores(tap, force_scale=0.5), "pressure") < _mean(_scores(tap), "pressure") - 25


def test_double_force_says_too_heavy(sim_references):
    heavy = _scores(sim_references["effleurage"], force_scale=2.0)
    assert _mean(heavy, "pressure") < 30
    assert any(c.startswith("too_heavy_") for c in _codes(heavy))


def test_slow_stroke_drops_tempo_but_not_shape(sim_references):
    for technique in ("effleurage", "petrissage", "friction"):
        ref = sim_references[technique]
        good, slow = _scores(ref), _scores(ref, tempo_scale=1.6)
        assert _mean(slow, "tempo") < _mean(good, "tempo") - 40, technique
        assert abs(_mean(slow, "shape") - _mean(good, "shape")) < 5, technique
        assert "dragged" in _codes(slow)
        message = next(d.message for s in slow for d in s.deductions if d.code == "dragged")
        assert "speed up" in message


def test_rushed_stroke_is_called_rushed(sim_references):
    fast = _scores(sim_references["effleurage"], tempo_scale=0.6)
    assert _mean(fast, "tempo") < 60
    assert "rushed" in _codes(fast)


def test_tremor_drops_smoothness_gradually_not_as_a_cliff(sim_references):
    # Issue 13 (finding 5): smoothness was unchanged up to 2.75 N of 8 Hz tremor, then 0.
    for technique in ("effleurage", "petrissage"):
        ref = sim_references[technique]
        means = [
            _mean(_scores(ref, seconds=10, tremor_hz=8.0, tremor_amplitude_n=a), "smoothness")
            for a in (0.0, 0.5, 1.0, 1.5, 2.5)
        ]
        assert all(a > b for a, b in itertools.pairwise(means)), (technique, means)
        assert means[0] - means[1] > 2 and means[0] - means[3] > 20, (technique, means)
        shaky = _scores(ref, seconds=10, tremor_hz=8.0, tremor_amplitude_n=1.5)
        assert "jerky" in _codes(shaky)


def test_rest_noise_gives_no_strokes(sim_references):
    for seed in (9, 10):
        rest = simulate_rest(60, PROFILE, seed=seed)
        for ref in sim_references.values():
            assert score_strokes(rest.values, FS, ref) == []


def test_deductions_sum_to_points_lost(sim_references):
    variants = ({}, {"force_scale": 0.5}, {"tempo_scale": 0.6}, {"force_scale": 1.6})
    for technique in TECHNIQUES:
        for kw in variants:
            for s in _scores(sim_references[technique], seconds=8, **kw):
                lost = sum(d.points for d in s.deductions)
                assert s.overall == pytest.approx(100 - lost, abs=1e-9)
                assert 0 <= s.overall <= 100
                assert all(d.points > 0 and d.message and d.code for d in s.deductions)
                assert len({d.code for d in s.deductions}) == len(s.deductions)
                for component in COMPONENTS:
                    value = getattr(s, component)
                    assert value is None or 0 <= value <= 100


def test_small_deductions_are_pooled_into_one_minor_line(sim_references):
    pooled = 0
    for s in _scores(sim_references["effleurage"], seconds=12):
        named = [d for d in s.deductions if d.code != "minor"]
        assert all(d.points >= MINOR_POINTS for d in named)
        minor = [d for d in s.deductions if d.code == "minor"]
        if minor:
            pooled += 1
            listed = minor[0].message.split(": ", 1)[1].split(", ")
            assert listed and not {n.replace(" ", "_") for n in listed} & {d.code for d in named}
    assert pooled, "expert-like strokes always have some sub-half-point differences"


def test_overall_is_the_weighted_components_without_safety(sim_references):
    ref = sim_references["petrissage"]
    w = {k: v / sum(ref.weights.values()) for k, v in ref.weights.items()}
    for s in _scores(ref, force_scale=0.7, tempo_scale=1.3, seconds=10):
        assert not any(f.startswith("over_pressure") for f in s.flags)
        # A weighted geometric mean: one poor component pulls the whole score down.
        weighted = 100.0 * math.prod((getattr(s, c) / 100.0) ** w[c] for c in COMPONENTS)
        # Components and deductions are rounded to 0.1: allow for that rounding only.
        assert s.overall == pytest.approx(weighted, abs=0.05 * (len(s.deductions) + 1) + 0.2)
        assert s.overall <= sum(w[c] * getattr(s, c) for c in COMPONENTS) + 0.2


def test_weights_come_from_the_reference(make_reference):
    shape_only = make_reference("effleurage", 10, shape=1.0, pressure=0, tempo=0, smoothness=0)
    for s in _scores(shape_only, force_scale=0.5, tempo_scale=1.5, seconds=10):
        assert s.overall == pytest.approx(s.shape, abs=0.11)
        assert {d.code for d in s.deductions} <= {"shape", "stopped_early", "minor"}
        for d in s.deductions:
            if d.code == "minor":
                assert set(d.message.split(": ", 1)[1].split(", ")) <= {"shape", "stopped early"}


def test_shape_score_is_a_monotone_map_of_the_distance(sim_references):
    """Non-increasing in the form distance; 100 within the experts' own spread
    (``shape_d90``), lower beyond it, and 90 one scale beyond that spread."""
    ref = sim_references["effleurage"]
    take = simulate_take("effleurage", seconds=4, profile=PROFILE, seed=HELD_OUT)
    x = find_strokes(take.values, FS, PROFILE)[0].values
    ctx = stroke_context(x, x.shape[0] / FS, ref, align_stroke(x, ref))
    assert ctx.alignment.completion == 1.0
    scale = SHAPE_SCALE * max(ref.shape_d90, MIN_SHAPE_SCALE)
    distances = np.linspace(0.0, ref.shape_d90 + 3.0 * scale, 40)
    shapes = [
        shape_component(dataclasses.replace(ctx, form_distance=float(d))).score for d in distances
    ]
    assert all(a >= b for a, b in itertools.pairwise(shapes))
    assert all(v == 100.0 for d, v in zip(distances, shapes, strict=True) if d <= ref.shape_d90)
    assert all(v < 100.0 for d, v in zip(distances, shapes, strict=True) if d > ref.shape_d90)
    at_scale = dataclasses.replace(ctx, form_distance=ref.shape_d90 + scale)
    assert shape_component(at_scale).score == pytest.approx(90.0)


def test_scoring_is_deterministic_byte_for_byte(sim_references):
    take = simulate_take("friction", seconds=10, profile=PROFILE, seed=4)
    first = json.dumps(
        [s.to_dict() for s in score_strokes(take.values, FS, sim_references["friction"])],
        sort_keys=True,
    )
    again = json.dumps(
        [s.to_dict() for s in score_strokes(take.values.copy(), FS, sim_references["friction"])],
        sort_keys=True,
    )
    assert first == again and '"overall"' in first
    assert "-0.0" not in first and "NaN" not in first


def test_clipped_strokes_are_reported_not_pressure_scored(sim_references):
    # Four times the friction force: the thumb (28.8 N at 227 kPa) saturates at 90 N.
    strokes = _scores(sim_references["friction"], force_scale=4.0, seconds=6)
    for s in strokes:
        assert s.clipped and "clipped:thumb" in s.flags
        assert s.pressure is None and s.to_dict()["pressure"] is None
        assert not any(d.code.startswith(("too_", "load_")) for d in s.deductions)
        assert s.overall == pytest.approx(100 - sum(d.points for d in s.deductions), abs=1e-9)
    fine = _scores(sim_references["friction"], seconds=6)
    assert not any(s.clipped for s in fine)


def test_over_pressure_is_flagged_and_deducted(sim_references):
    ref = sim_references["friction"]
    strokes = _scores(ref, force_scale=1.5, seconds=6)  # thumb ~ 340 kPa
    assert all("over_pressure:thumb" in s.flags for s in strokes)
    d = next(d for d in strokes[0].deductions if d.code == "over_pressure")
    assert "kPa" in d.message and f"{CAUTION_KPA:.0f} kPa" in d.message and "ease off" in d.message
    assert d.points == 10.0
    assert all(s.details["peak_kpa"] >= CAUTION_KPA for s in strokes)
    # Effleurage loads the large palm sensors: even twice the force stays far below.
    heavy = _scores(sim_references["effleurage"], force_scale=2.0, seconds=6)
    assert not any("over_pressure" in f for s in heavy for f in s.flags)


def test_region_balance_deduction_is_actionable(sim_references):
    ref = sim_references["effleurage"]
    stroke = find_strokes(
        simulate_take("effleurage", seconds=5, profile=PROFILE, seed=6).values, FS, PROFILE
    )[0]
    shifted = stroke.values.copy()
    shifted[:, 2] += shifted[:, 1]  # the thumb takes the palm's load
    shifted[:, 1] = 0.0
    scored = score_stroke(shifted, FS, ref)
    load = [d for d in scored.deductions if d.code == "load_thumb"]
    assert load and "thumb carries" in load[0].message and "expected 7 %" in load[0].message
    assert "load:thumb" in scored.flags and "load:palm" in scored.flags
    assert scored.pressure < score_stroke(stroke.values, FS, ref).pressure - 20


def test_a_finger_digging_in_is_named_by_place_and_sensor(sim_references):
    ref = sim_references["effleurage"]
    stroke = find_strokes(
        simulate_take("effleurage", seconds=5, profile=PROFILE, seed=6).values, FS, PROFILE
    )[0]
    bent = stroke.values.copy()
    n = bent.shape[0]
    bent[2 * n // 3 :, 3] += 6.0  # the index finger digs in at the end
    scored = score_stroke(bent, FS, ref)
    # Extra force at the end is pressure there, and the load names the sensor; the form
    # (levels divided out) is not misshapen by it.
    codes = [d.code for d in scored.deductions]
    assert codes[:2] == ["load_index", "too_heavy_end"] or codes[:2] == [
        "too_heavy_end",
        "load_index",
    ]
    assert "index carries" in next(d.message for d in scored.deductions if d.code == "load_index")
    assert "at the end" in next(d.message for d in scored.deductions if d.code == "too_heavy_end")
    assert "shape" not in codes


def _tam(stroke, ref):
    al = align_stroke(stroke, ref)
    return tam(stroke_context(stroke, stroke.shape[0] / FS, ref, al).path)


def test_time_alignment_sees_only_non_uniform_timing(sim_references):
    ref = sim_references["effleurage"]
    template = ref.template
    assert _tam(template, ref) == 0.0
    n = template.shape[0]
    # Uniformly 1.6x slower: rescaled away, nearly in phase.
    slow = np.stack(
        [np.interp(np.linspace(0, n - 1, int(1.6 * n)), np.arange(n), c) for c in template.T], 1
    )
    # First half squeezed into a quarter of the time: rushed start.
    warp = np.concatenate([np.linspace(0, n / 2, n // 4), np.linspace(n / 2, n - 1, n // 2)])
    rushed = np.stack([np.interp(warp, np.arange(n), c) for c in template.T], 1)
    # Experts vary in timing too: uniform slowing stays within their spread, a rushed
    # half does not.
    assert _tam(slow, ref) < ref.tam_p90 < _tam(rushed, ref)


def test_a_rushed_start_loses_tempo_and_is_named_where_it_is(sim_references):
    ref = sim_references["effleurage"]
    stroke = find_strokes(
        simulate_take("effleurage", seconds=5, profile=PROFILE, seed=7).values, FS, PROFILE
    )[0].values
    n = stroke.shape[0]
    # Rush the first third (into a sixth of the samples), then keep the rest: same length.
    warp = np.concatenate(
        [np.linspace(0, n / 3, n // 6, endpoint=False), np.linspace(n / 3, n - 1, n - n // 6)]
    )
    rushed = np.stack([np.interp(warp, np.arange(n), c) for c in stroke.T], 1)
    scored, plain = score_stroke(rushed, FS, ref), score_stroke(stroke, FS, ref)
    assert scored.tempo < plain.tempo and scored.details["tam"] > plain.details["tam"]
    # Real-time phases: reaching full force in half the time is pressing too hard at
    # the start, and that is named as the larger fault.
    assert scored.deductions[0].code == "too_heavy_start"


def test_gaps_are_never_scored_across(sim_references):
    ref = sim_references["effleurage"]
    take = simulate_take("effleurage", seconds=12, profile=PROFILE, seed=8)
    whole = score_strokes(take.values, FS, ref)
    a, b = take.strokes[3]
    gap = (a + b) // 2  # samples lost in the middle of the 4th stroke
    cut = score_strokes(take.values, FS, ref, gap_starts=[gap])
    assert len(cut) == len(whole) - 1
    assert all(not (s.start_s * FS < gap < s.end_s * FS) for s in cut)
    assert all(abs(s.start_s - a / FS) > 0.1 for s in cut)  # neither half was scored


def test_recording_starting_mid_stroke_skips_the_partial_stroke(sim_references):
    ref = sim_references["effleurage"]
    take = simulate_take("effleurage", seconds=12, profile=PROFILE, seed=8)
    a, b = take.strokes[0]
    strokes = score_strokes(take.values[(a + b) // 2 :], FS, ref)
    assert len(strokes) == len(score_strokes(take.values, FS, ref)) - 1


def test_resampled_stroke_scores_like_the_original(sim_references):
    from trainer.signal import resample

    ref = sim_references["petrissage"]
    stroke = find_strokes(
        simulate_take("petrissage", seconds=5, profile=PROFILE, seed=11).values, FS, PROFILE
    )[1].values
    native = score_stroke(stroke, FS, ref)
    at_100 = score_stroke(resample(stroke, FS, 100.0), 100.0, ref)
    for component in ("overall", *COMPONENTS):
        assert getattr(at_100, component) == pytest.approx(getattr(native, component), abs=6)


def test_bad_strokes_raise_scoring_errors(sim_references):
    ref = sim_references["effleurage"]
    with pytest.raises(ScoringError, match="expects"):
        score_stroke(np.ones((50, 5)), FS, ref)
    with pytest.raises(ScoringError, match="NaN"):
        score_stroke(np.full((50, 7), np.nan), FS, ref)
    with pytest.raises(ScoringError, match="too short or without force"):
        score_stroke(np.zeros((50, 7)), FS, ref)
    with pytest.raises(ScoringError, match="clipped channel"):
        score_stroke(np.ones((50, 7)), FS, ref, clipped_channels=(9,))
    with pytest.raises(ScoringError, match="same glove"):
        score_strokes(np.ones((50, 5)), 100.0, ref, profile=load_profile("diy-fsr5"))


def test_pressing_as_hard_as_the_experts_is_flagged_not_deducted():
    # Deep friction reaches the back's pain threshold by nature: a reference whose own
    # experts press past the caution level must not cost its students points for it.
    takes = [
        (simulate_take("friction", seconds=8, profile=PROFILE, seed=s, force_scale=1.5).values, ())
        for s in (1, 2, 3)
    ]
    deep = build_reference(takes, name="deep", technique="friction", profile=PROFILE, fs_hz=FS)
    same = _scores(deep, seconds=6, force_scale=1.5)
    assert all("over_pressure:thumb" in s.flags for s in same)
    assert not any(d.code == "over_pressure" for s in same for d in s.deductions)
    harder = _scores(deep, seconds=6, force_scale=1.5 * 1.5)  # well past the experts
    deducted = [any(d.code == "over_pressure" for d in s.deductions) for s in harder]
    assert sum(deducted) >= 0.6 * len(harder)


def test_a_resting_hand_is_no_stroke_but_a_light_or_slow_stroke_is(sim_references):
    ref = sim_references["effleurage"]
    t = np.arange(int(2.6 * FS)) / FS
    rest = np.zeros((t.size, 7))
    ramp = np.clip(np.minimum(t, t[-1] - t) / 0.3, 0.0, 1.0)
    rest[:, 0] = 0.16 * ref.peak_force_n[0] * ramp  # the palm heel resting, 2.6 s
    with pytest.raises(NotAStrokeError, match="times its duration"):
        score_stroke(rest, FS, ref)
    stroke = find_strokes(
        simulate_take("effleurage", seconds=5, profile=PROFILE, seed=6).values, FS, PROFILE
    )[0].values
    assert score_stroke(0.3 * stroke, FS, ref).pressure < 50  # light, but a stroke
    slow = np.stack(
        [np.interp(np.linspace(0, len(c) - 1, 2 * len(c)), np.arange(len(c)), c) for c in stroke.T],
        1,
    )
    assert "dragged" in {d.code for d in score_stroke(slow, FS, ref).deductions}
