"""Calibrations and profile data (sensors.profiles.model)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensors.blocks import SampleBlock
from sensors.profiles import (
    Calibration,
    GloveProfile,
    Region,
    load_profile,
)

BUNDLED = ["diy-fsr5", "reference-glove"]


@pytest.mark.parametrize("name", BUNDLED)
def test_calibration_inverts_and_is_monotone(name: str) -> None:
    profile = load_profile(name)
    c = len(profile.sensors)
    newtons = np.linspace(0, profile.saturation_n.min(), 50)[:, None].repeat(c, axis=1)
    raw = profile.to_raw(newtons)
    assert raw.dtype == np.int64 and raw.shape == newtons.shape
    back = profile.to_newtons(raw)
    assert back.dtype == np.float64
    counts = np.arange(0, profile.raw_max + 1)[:, None].repeat(c, 1)
    step = np.diff(profile.to_newtons(counts), axis=0)
    assert np.all(step >= 0)
    # Rounding to whole counts: the error stays within one count's worth of force.
    assert np.max(np.abs(back - newtons)) <= step.max() + 1e-12


@pytest.mark.parametrize("name", BUNDLED)
def test_to_raw_clips_to_the_adc_range(name: str) -> None:
    profile = load_profile(name)
    c = len(profile.sensors)
    raw = profile.to_raw(np.array([[-5.0] * c, [1e6] * c]))
    assert np.all(raw[0] == 0) and np.all(raw[1] <= profile.raw_max)
    # Whatever saturates the ADC reads as clipped downstream.
    block = SampleBlock(np.array([0.0, 0.01]), profile.to_newtons(raw), profile)
    assert not block.clipped[0].any() and block.clipped[1].all()
    with pytest.raises(ValueError):
        profile.to_raw(np.zeros(c))
    with pytest.raises(ValueError):
        profile.to_newtons(np.zeros((3, c + 1)))


def test_fsr_table_is_non_linear() -> None:
    diy = load_profile("diy-fsr5")
    raw = np.array([[500] * 5, [1000] * 5, [2000] * 5])
    n = diy.to_newtons(raw)[:, 0]
    assert (n[2] - n[1]) / 1000 > (n[1] - n[0]) / 500  # steeper at higher counts
    # A straight line through the ends misses the middle by a wide margin.
    ends = diy.to_newtons(np.array([[0] * 5, [3700] * 5]))[:, 0]
    line_mid = ends[0] + (ends[1] - ends[0]) * 1850 / 3700
    assert abs(diy.to_newtons(np.array([[1850] * 5]))[0, 0] - line_mid) > 1.0


@st.composite
def calibrations(draw: st.DrawFn) -> Calibration:
    kind = draw(st.sampled_from(["linear", "power", "table"]))
    if kind == "linear":
        return Calibration("linear", scale=draw(st.floats(1e-4, 10)), offset=draw(st.floats(-5, 5)))
    if kind == "power":
        return Calibration(
            "power", scale=draw(st.floats(1e-3, 10)), exponent=draw(st.floats(0.3, 3))
        )
    raws = np.cumsum(draw(st.lists(st.floats(1, 500), min_size=2, max_size=12)))
    forces = np.cumsum(draw(st.lists(st.floats(0.01, 5), min_size=len(raws), max_size=len(raws))))
    return Calibration("table", points=tuple(zip(raws.tolist(), forces.tolist(), strict=True)))


@settings(max_examples=150, deadline=None)
@given(calibrations(), st.lists(st.floats(0, 1), min_size=1, max_size=20))
def test_calibration_round_trip_every_kind(cal: Calibration, fractions: list[float]) -> None:
    # Forces inside the calibrated range come back from to_raw -> to_newtons.
    raw_hi = cal.points[-1][0] if cal.kind == "table" else 4095.0
    raw_lo = cal.points[0][0] if cal.kind == "table" else 0.0
    low, high = cal.to_newtons(np.array([raw_lo, raw_hi]))
    newtons = low + (high - low) * np.array(fractions)
    np.testing.assert_allclose(cal.to_newtons(cal.to_raw(newtons)), newtons, atol=1e-9, rtol=1e-9)
    # And the dict form rebuilds the same calibration.
    profile = GloveProfile.from_dict(
        {
            "name": "x",
            "protocol": "nus-text",
            "sample_rate_hz": 100.0,
            "raw_max": 2**31,
            "sensors": [
                {
                    "name": "a",
                    "region": "palm",
                    "position": [0.5, 0.5],
                    "contact_area_mm2": 1.0,
                    "saturation_n": 1e-9,
                    "calibration": json.loads(json.dumps(cal.to_dict())),
                }
            ],
        }
    )
    assert profile.sensors[0].calibration == cal


def test_table_flat_stretch_inverts_to_its_first_count() -> None:
    cal = Calibration("table", points=((0, 0.0), (100, 5.0), (200, 10.0), (300, 10.0)))
    assert cal.to_raw(np.array([10.0, 20.0])).tolist() == [200.0, 200.0]
    assert cal.to_newtons(np.array([250, 5000])).tolist() == [10.0, 10.0]


@pytest.mark.parametrize("name", BUNDLED)
def test_pressure_and_dict_round_trip(name: str) -> None:
    profile = load_profile(name)
    c = len(profile.sensors)
    kpa = profile.pressure_kpa(np.ones((1, c)))
    assert kpa[0, profile.channel_names.index("thumb")] == pytest.approx(1 / 126.7e-6 / 1e3)
    doc = profile.to_dict()
    again = GloveProfile.from_dict(json.loads(json.dumps(doc)))
    assert again == profile and hash(again) == hash(profile)
    assert again.to_dict() == doc
    assert {again, profile} == {profile}
    doc["sensors"][0]["saturation_n"] = 5.0
    assert GloveProfile.from_dict(doc) != profile


def test_region_values() -> None:
    assert [r.value for r in Region] == [
        "palm_heel",
        "palm",
        "thumb",
        "index",
        "middle",
        "ring",
        "little",
    ]
    assert Region("thumb") == "thumb"  # a str enum: compares with plain strings
