from __future__ import annotations

import json

import numpy as np
import pytest

from sensors.profiles import load_profile
from sensors.strokes import TECHNIQUES, simulate_rest, simulate_take
from trainer.exceptions import ScoringError
from trainer.scoring import build_reference, find_strokes, recognise, score_stroke, score_strokes

PROFILE = load_profile("reference-glove")
FS = PROFILE.sample_rate_hz


@pytest.fixture(scope="module")
def references():
    refs = {}
    for technique in TECHNIQUES:
        takes = [
            (simulate_take(technique, seconds=20, profile=PROFILE, seed=s).values, ())
            for s in (1, 2, 3)
        ]
        refs[technique] = build_reference(
            takes, name=f"{technique}-t", technique=technique, profile=PROFILE, fs_hz=FS
        )
    return refs


def _scores(ref, **kw):
    take = simulate_take(ref.technique, seconds=20, profile=PROFILE, seed=50, **kw)
    strokes = score_strokes(take.values, FS, ref)
    assert strokes, "no strokes found"
    return strokes


def _mean(strokes, component):
    return float(np.mean([getattr(s, component) for s in strokes]))


def test_expert_like_held_out_take_scores_high_on_every_component(references) -> None:
    for technique, ref in references.items():
        strokes = _scores(ref)
        for component in ("overall", "shape", "pressure", "tempo", "smoothness"):
            assert _mean(strokes, component) >= 85, (
                technique,
                component,
                _mean(strokes, component),
            )


def test_half_force_drops_pressure_and_says_too_light(references) -> None:
    ref = references["effleurage"]
    good, light = _scores(ref), _scores(ref, force_scale=0.5)
    assert _mean(light, "pressure") < _mean(good, "pressure") - 40
    codes = {d.code for s in light for d in s.deductions}
    assert any(c.startswith("too_light") for c in codes)
    assert any("too light" in d.message for s in light for d in s.deductions)


def test_slow_stroke_drops_tempo_not_shape(references) -> None:
    ref = references["effleurage"]
    good, slow = _scores(ref), _scores(ref, tempo_scale=1.6)
    assert _mean(slow, "tempo") < _mean(good, "tempo") - 40
    assert abs(_mean(slow, "shape") - _mean(good, "shape")) < 5
    assert any(d.code == "dragged" for s in slow for d in s.deductions)


def test_tremor_drops_smoothness(references) -> None:
    ref = references["effleurage"]
    good = _scores(ref)
    shaky = _scores(ref, tremor_hz=8.0, tremor_amplitude_n=1.5)
    assert _mean(shaky, "smoothness") < _mean(good, "smoothness") - 40
    assert any(d.code == "jerky" for s in shaky for d in s.deductions)


def test_rest_noise_gives_no_strokes(references) -> None:
    rest = simulate_rest(60, PROFILE, seed=9)
    assert score_strokes(rest.values, FS, references["effleurage"]) == []


def test_deductions_sum_to_points_lost(references) -> None:
    for kw in ({}, {"force_scale": 0.5}, {"tempo_scale": 0.6}, {"force_scale": 1.8}):
        for s in _scores(references["petrissage"], **kw):
            assert s.overall == pytest.approx(100 - sum(d.points for d in s.deductions), abs=1e-9)
            assert all(d.points > 0 and d.message for d in s.deductions)


def test_scoring_is_deterministic(references) -> None:
    take = simulate_take("friction", seconds=10, profile=PROFILE, seed=4)
    a = json.dumps(
        [s.to_dict() for s in score_strokes(take.values, FS, references["friction"])],
        sort_keys=True,
    )
    b = json.dumps(
        [s.to_dict() for s in score_strokes(take.values, FS, references["friction"])],
        sort_keys=True,
    )
    assert a == b


def test_clipped_strokes_are_flagged_not_pressure_scored(references) -> None:
    ref = references["effleurage"]
    take = simulate_take("effleurage", seconds=10, profile=PROFILE, seed=5)
    stroke = find_strokes(take.values, FS, PROFILE)[0]
    scored = score_stroke(stroke.values, FS, ref, clipped_channels=(1,))
    assert scored.pressure is None and "clipped:palm" in scored.flags
    assert scored.overall == pytest.approx(100 - sum(d.points for d in scored.deductions))


def test_over_pressure_is_deducted_and_explained(references) -> None:
    ref = references["effleurage"]
    stroke = find_strokes(
        simulate_take("effleurage", seconds=5, profile=PROFILE, seed=6).values, FS, PROFILE
    )[0]
    heavy = stroke.values.copy()
    heavy[:, 2] += 45.0  # thumb: 45 N on 126.7 mm^2 = 355 kPa, above the caution level
    scored = score_stroke(heavy, FS, ref)
    assert "over_pressure:thumb" in scored.flags
    assert any(d.code == "over_pressure" and "kPa" in d.message for d in scored.deductions)


def test_region_balance_deduction(references) -> None:
    ref = references["effleurage"]
    stroke = find_strokes(
        simulate_take("effleurage", seconds=5, profile=PROFILE, seed=6).values, FS, PROFILE
    )[0]
    shifted = stroke.values.copy()
    shifted[:, 2] += shifted[:, 1]  # the thumb takes the palm's load
    shifted[:, 1] = 0.0
    scored = score_stroke(shifted, FS, ref)
    messages = [d.message for d in scored.deductions if d.code == "load_thumb"]
    assert messages and "thumb carries" in messages[0] and "expected" in messages[0]


def test_technique_recognition_confusion_matrix(references, capsys) -> None:
    refs = list(references.values())
    matrix = {t: dict.fromkeys((*TECHNIQUES, None), 0) for t in TECHNIQUES}
    for technique in TECHNIQUES:
        take = simulate_take(technique, seconds=20, profile=PROFILE, seed=77)
        for stroke in find_strokes(take.values, FS, PROFILE):
            matrix[technique][recognise(stroke.values, FS, refs)[0]] += 1
    with capsys.disabled():
        print("\nconfusion (rows: truth, cols: predicted, last: rejected)")
        for t in TECHNIQUES:
            print(f"  {t:11s}", [matrix[t][p] for p in (*TECHNIQUES, None)])
    for t in TECHNIQUES:
        assert matrix[t][t] >= 0.9 * sum(matrix[t].values())
    # a non-stroke (a flat press with a bump) is rejected by every reference
    blob = np.zeros((150, len(PROFILE.sensors)))
    blob[:, 0] = 3.0 + 2.0 * (np.arange(150) > 100)
    assert recognise(blob, FS, refs)[0] is None


def test_too_few_strokes_and_wrong_shape() -> None:
    rest = simulate_rest(5, PROFILE)
    with pytest.raises(ScoringError, match="need at least 3"):
        build_reference([(rest.values, ())], name="x", technique="x", profile=PROFILE, fs_hz=FS)
