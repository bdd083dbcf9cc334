from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensors.blocks import SampleBlock
from sensors.exceptions import ProfileError
from sensors.profiles import (
    DEFAULT_PROFILE,
    Calibration,
    GloveProfile,
    Region,
    list_profiles,
    load_profile,
    parse_profile,
)

GOOD = """
name = "t"
protocol = "glove-v1"
sample_rate_hz = 100
raw_max = 4095
[[sensors]]
name = "thumb"
region = "thumb"
position = [0.1, 0.4]
contact_area_mm2 = 126.7
saturation_n = 10.0
calibration = { kind = "table", points = [[0, 0.0], [1000, 1.0], [4095, 10.0]] }
"""

BUNDLED = ["diy-fsr5", "reference-glove"]


def test_bundled_profiles_load() -> None:
    assert list_profiles() == BUNDLED
    assert DEFAULT_PROFILE in list_profiles()
    # Package data, found through importlib.resources (works from a wheel too).
    shipped = sorted(p.name for p in files("sensors.profiles").iterdir() if p.name.endswith("toml"))
    assert shipped == [f"{name}.toml" for name in BUNDLED]
    diy = load_profile("diy-fsr5")
    assert diy.protocol == "nus-text" and len(diy.sensors) == 5 and diy.sample_rate_hz == 100
    assert diy.raw_max == 4095
    ref = load_profile(DEFAULT_PROFILE)
    assert ref.protocol == "glove-v1" and ref.sample_rate_hz >= 100  # tapotement needs ≥ 100 Hz
    assert ref.regions == tuple(r.value for r in Region)  # one sensor per region
    for profile in (diy, ref):
        assert len(set(profile.channel_names)) == len(profile.sensors)
        xy = profile.positions
        assert xy.shape == (len(profile.sensors), 2) and np.all((xy >= 0) & (xy <= 1))
        assert profile.saturation_n.dtype == np.float64
        assert profile.saturation_n.shape == profile.contact_area_m2.shape == (len(xy),)


def test_bundled_figures_are_the_published_ones() -> None:
    # massage-figures.md: FSR 402 12.7 mm circle, FSR 406 43.7 mm square, 10 N FSR range,
    # fibre-optic glove to 90 N.
    fsr402 = np.pi * (12.7 / 2) ** 2
    fsr406 = 43.7**2
    diy = load_profile("diy-fsr5")
    np.testing.assert_allclose(diy.contact_area_m2 * 1e6, fsr402, rtol=1e-3)
    np.testing.assert_array_equal(diy.saturation_n, 10.0)
    ref = load_profile("reference-glove")
    np.testing.assert_array_equal(ref.saturation_n, 90.0)
    areas = dict(zip(ref.channel_names, ref.contact_area_m2 * 1e6, strict=True))
    assert areas["palm"] == pytest.approx(fsr406, rel=1e-3)
    assert areas["index"] == pytest.approx(fsr402, rel=1e-3)
    # FSR 402 saturation pressure 79-158 kPa = 10-20 N over its area.
    kpa = diy.pressure_kpa(diy.saturation_n[None, :])
    assert np.all((kpa >= 78) & (kpa <= 159))


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


def test_profile_from_path_and_raw_bits(tmp_path: Path) -> None:
    path = tmp_path / "g.toml"
    path.write_text(GOOD)
    assert load_profile(path).channel_names == ("thumb",)
    assert load_profile(str(path)) == load_profile(path)
    bits = GOOD.replace("raw_max = 4095", "raw_bits = 12")
    assert parse_profile(bits).raw_max == 4095
    both = GOOD.replace("raw_max = 4095", "raw_max = 4095\nraw_bits = 12")
    assert parse_profile(both).raw_max == 4095
    bare = GOOD.replace("raw_max = 4095\n", "").replace(
        'calibration = { kind = "table", points = [[0, 0.0], [1000, 1.0], [4095, 10.0]] }', ""
    )
    default = parse_profile(bare)  # counts already in newtons, u16 full scale
    assert default.raw_max == 65535 and default.sensors[0].calibration.kind == "linear"
    assert default.to_newtons(np.array([[7]]))[0, 0] == 7.0


def _without(key: str) -> str:
    return "\n".join(line for line in GOOD.splitlines() if not line.startswith(f"{key} ="))


BAD_PROFILES = [
    # missing fields
    (_without("protocol"), "protocol"),
    (_without("sample_rate_hz"), "sample_rate_hz"),
    (GOOD.replace('name = "t"\n', ""), "name"),
    (GOOD[: GOOD.index("[[sensors]]")], "sensors"),
    (GOOD.replace('name = "thumb"\n', ""), "sensors[0].name"),
    (GOOD.replace('region = "thumb"\n', ""), "sensors[0].region"),
    (GOOD.replace("position = [0.1, 0.4]\n", ""), "sensors[0].position"),
    (GOOD.replace("contact_area_mm2 = 126.7\n", ""), "sensors[0].contact_area_mm2"),
    (GOOD.replace("saturation_n = 10.0\n", ""), "sensors[0].saturation_n"),
    (
        GOOD.replace("points = [[0, 0.0], [1000, 1.0], [4095, 10.0]]", "points = []"),
        "sensors[0].calibration.points",
    ),
    (
        GOOD.replace('kind = "table", points', 'kind = "power", scale = 1.0, exponent = 1.0, x'),
        "sensors[0].calibration.x",
    ),
    # wrong types
    (GOOD.replace("sample_rate_hz = 100", 'sample_rate_hz = "fast"'), "sample_rate_hz"),
    (GOOD.replace("sample_rate_hz = 100", "sample_rate_hz = true"), "sample_rate_hz"),
    (GOOD.replace('name = "t"', "name = 3"), "name"),
    (GOOD.replace("saturation_n = 10.0", 'saturation_n = "high"'), "sensors[0].saturation_n"),
    (GOOD.replace("position = [0.1, 0.4]", 'position = "palm"'), "sensors[0].position"),
    (GOOD.replace("position = [0.1, 0.4]", "position = [0.1]"), "sensors[0].position"),
    (GOOD.replace('region = "thumb"', "region = 4"), "sensors[0].region"),
    (GOOD.replace("raw_max = 4095", "raw_max = 4095.5"), "raw_max"),
    (GOOD.replace("[1000, 1.0]", '[1000, "one"]'), "sensors[0].calibration.points[1]"),
    (GOOD.replace("[1000, 1.0]", "[1000]"), "sensors[0].calibration.points[1]"),
    (GOOD.replace("calibration = {", "calibration = 3 #"), "sensors[0].calibration"),
    # unknown values and keys
    (GOOD.replace('protocol = "glove-v1"', 'protocol = "morse"'), "protocol"),
    (GOOD.replace('region = "thumb"', 'region = "elbow"'), "sensors[0].region"),
    (GOOD.replace('kind = "table"', 'kind = "spline"'), "sensors[0].calibration.kind"),
    (GOOD.replace("saturation_n = 10.0", "saturaton_n = 10.0"), "sensors[0].saturaton_n"),
    (GOOD.replace("raw_max = 4095", "raw_max = 4095\nsample_rate = 5"), "sample_rate"),
    # non-monotone calibration, impossible ranges
    (GOOD.replace("[1000, 1.0]", "[0, 1.0]"), "sensors[0].calibration.points"),
    (GOOD.replace("[1000, 1.0]", "[1000, 11.0]"), "sensors[0].calibration.points"),
    (GOOD.replace("[0, 0.0]", "[-5, 0.0]"), "sensors[0].calibration.points[0]"),
    (GOOD.replace("[0, 0.0]", "[0, -1.0]"), "sensors[0].calibration.points[0]"),
    (
        GOOD.replace(
            'kind = "table", points = [[0, 0.0], [1000, 1.0], [4095, 10.0]]',
            'kind = "linear", scale = 0',
        ),
        "sensors[0].calibration.scale",
    ),
    (
        GOOD.replace(
            'kind = "table", points = [[0, 0.0], [1000, 1.0], [4095, 10.0]]',
            'kind = "power", scale = 1.0',
        ),
        "sensors[0].calibration.exponent",
    ),
    (GOOD.replace("saturation_n = 10.0", "saturation_n = 12.0"), "sensors[0].saturation_n"),
    # non-positive areas, rates, limits; positions off the map
    (
        GOOD.replace("contact_area_mm2 = 126.7", "contact_area_mm2 = 0"),
        "sensors[0].contact_area_mm2",
    ),
    (
        GOOD.replace("contact_area_mm2 = 126.7", "contact_area_mm2 = -3"),
        "sensors[0].contact_area_mm2",
    ),
    (GOOD.replace("sample_rate_hz = 100", "sample_rate_hz = -1"), "sample_rate_hz"),
    (GOOD.replace("sample_rate_hz = 100", "sample_rate_hz = 0"), "sample_rate_hz"),
    (GOOD.replace("sample_rate_hz = 100", "sample_rate_hz = inf"), "sample_rate_hz"),
    (GOOD.replace("saturation_n = 10.0", "saturation_n = 0.0"), "sensors[0].saturation_n"),
    (GOOD.replace("position = [0.1, 0.4]", "position = [2, 0.4]"), "sensors[0].position"),
    (GOOD.replace("position = [0.1, 0.4]", "position = [0.1, nan]"), "sensors[0].position"),
    # ADC range
    (GOOD.replace("raw_max = 4095", "raw_max = 100000"), "raw_max"),
    (GOOD.replace("raw_max = 4095", "raw_max = 0"), "raw_max"),
    (GOOD.replace("raw_max = 4095", "raw_max = 4095\nraw_bits = 10"), "raw_bits"),
    (GOOD.replace("raw_max = 4095", "raw_bits = 40"), "raw_bits"),
    # duplicates and counts
    (GOOD + GOOD[GOOD.index("[[sensors]]") :], "sensors[1].name"),
    (GOOD[: GOOD.index("[[sensors]]")] + "sensors = []\n", "sensors"),
    (GOOD[: GOOD.index("[[sensors]]")] + 'sensors = "thumb"\n', "sensors"),
]


@pytest.mark.parametrize(("text", "field"), BAD_PROFILES)
def test_bad_profiles_name_the_field(text: str, field: str) -> None:
    with pytest.raises(ProfileError) as exc:
        parse_profile(text, "bad.toml")
    assert exc.value.field == field
    assert str(exc.value).startswith(f"bad.toml: {field}: ")


def test_too_many_sensors() -> None:
    sensor = GOOD[GOOD.index("[[sensors]]") :]
    text = GOOD[: GOOD.index("[[sensors]]")] + "".join(
        sensor.replace('name = "thumb"', f'name = "s{i}"') for i in range(33)
    )
    with pytest.raises(ProfileError) as exc:
        parse_profile(text)
    assert exc.value.field == "sensors"


def test_bad_embedded_dicts_name_the_field() -> None:
    doc = load_profile("diy-fsr5").to_dict()
    doc["sensors"][3]["contact_area_mm2"] = -1.0
    with pytest.raises(ProfileError) as exc:
        GloveProfile.from_dict(doc, "capture.mtcap profile")
    assert exc.value.field == "sensors[3].contact_area_mm2"
    assert "capture.mtcap profile" in str(exc.value)
    for junk in (None, [], "profile"):
        with pytest.raises(ProfileError):
            GloveProfile.from_dict(junk)  # type: ignore[arg-type]


def test_unknown_profile_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="known: diy-fsr5, reference-glove"):
        load_profile("no-such-glove")
    with pytest.raises(ProfileError, match="not valid TOML"):
        parse_profile("name = ")
    with pytest.raises(ProfileError, match="cannot read profile"):
        load_profile(tmp_path / "missing.toml")
    with pytest.raises(ProfileError, match="cannot read profile"):
        load_profile(tmp_path)  # a directory
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00name")
    with pytest.raises(ProfileError):
        load_profile(binary)


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
