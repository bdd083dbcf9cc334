from __future__ import annotations

import json

import numpy as np
import pytest

from sensors.profiles import load_profile
from trainer.exceptions import ScoringError
from trainer.scoring import (
    DEFAULT_WEIGHTS,
    Deduction,
    Reference,
    StrokeScore,
    check_weights,
    region_names,
)

PROFILE = load_profile("reference-glove")


def _reference(**changes):
    length = 20
    fields = {
        "name": "r",
        "technique": "effleurage",
        "author": "",
        "notes": "",
        "created": "",
        "profile": PROFILE,
        "fs_hz": 200.0,
        "template": np.ones((length, 7)),
        "band_lo": np.full(length, 5.0),
        "band_hi": np.full(length, 9.0),
        "share_mean": np.full(7, 1 / 7),
        "share_sd": np.zeros(7),
        "duration_s": (0.1, 0.1, 0.12),
        "peak_force_n": (7.0, 0.5),
        "mean_force_n": 6.0,
        "shape_d90": 0.03,
        "tam_p90": 0.5,
        "smoothness_mean": -1.5,
        "smoothness_sd": 0.05,
    }
    fields.update(changes)
    return Reference(**fields)


def test_reference_is_validated_and_read_only():
    ref = _reference()
    assert ref.length == 20 and ref.total[0] == 7.0 and ref.regions == region_names(PROFILE)
    assert ref.weights == DEFAULT_WEIGHTS
    with pytest.raises(ValueError):
        ref.template[0, 0] = 3.0  # shared with the UI thread: arrays are read-only
    summary = ref.summary()
    json.dumps(summary)  # JSON-ready
    assert summary["glove"] == "reference-glove" and set(summary["region_shares"]) == set(
        PROFILE.regions
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"template": np.ones((20, 5))}, "template must be"),
        ({"template": np.ones((2, 7))}, "template must be"),
        ({"band_lo": np.ones(19)}, "band_lo has shape"),
        ({"share_sd": np.ones(3)}, "share_sd has shape"),
        ({"band_hi": np.full(20, np.nan)}, "non-finite"),
        ({"band_lo": np.full(20, 10.0)}, "band_lo exceeds band_hi"),
        ({"shape_d90": 0.0}, "must be > 0"),
        ({"duration_s": (0.2, 0.1, 0.3)}, "duration_s"),
        ({"mean_force_n": float("inf")}, "finite"),
        ({"weights": {"shape": 1.0}}, "weights must give"),
    ],
)
def test_invalid_references_are_refused(change, message):
    with pytest.raises(ScoringError, match=message):
        _reference(**change)


def test_weights_validation():
    assert check_weights({"shape": 1, "pressure": 0, "tempo": 0, "smoothness": 0})["shape"] == 1.0
    for bad in (
        {"shape": -1, "pressure": 1, "tempo": 1, "smoothness": 1},
        {"shape": 0, "pressure": 0, "tempo": 0, "smoothness": 0},
        {"shape": True, "pressure": 1, "tempo": 1, "smoothness": 1},
        {"shape": float("nan"), "pressure": 1, "tempo": 1, "smoothness": 1},
        {"shape": 1, "pressure": 1, "tempo": 1, "smoothness": 1, "Not-a-name": 1},
        {"shape": 1, "pressure": 1, "tempo": 1},  # a built-in missing
        {"shape": 1, "pressure": 1, "tempo": 1, "smoothness": 1, "extra": -1},
    ):
        with pytest.raises(ScoringError):
            check_weights(bad)
    # Another component's weight (registered here or where the reference was made) is kept.
    kept = check_weights({"shape": 1, "pressure": 1, "tempo": 1, "smoothness": 1, "extra": 2})
    assert list(kept) == ["shape", "pressure", "tempo", "smoothness", "extra"]


def test_stroke_score_json_has_the_issue_fields():
    score = StrokeScore(
        start_s=1.0,
        end_s=1.8,
        overall=88.0,
        shape=90.0,
        pressure=None,
        tempo=80.0,
        smoothness=95.0,
        deductions=(Deduction("rushed", "rushed: 70 % of the reference duration", 12.0),),
        flags=("clipped:thumb",),
    )
    data = score.to_dict()
    assert set(data) >= {
        "start_s",
        "end_s",
        "overall",
        "shape",
        "pressure",
        "tempo",
        "smoothness",
        "deductions",
    }
    assert data["deductions"] == [
        {"code": "rushed", "message": "rushed: 70 % of the reference duration", "points": 12.0}
    ]
    assert score.clipped and json.loads(json.dumps(data))["pressure"] is None
