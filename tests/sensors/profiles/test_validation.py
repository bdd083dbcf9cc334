"""Profile validation names the offending field (sensors.profiles.validation)."""

from __future__ import annotations

from typing import Any

import pytest
from profile_samples import GOOD  # type: ignore[import-not-found]

from sensors.exceptions import ProfileError
from sensors.profiles import (
    GloveProfile,
    load_profile,
    parse_profile,
)


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
    junk: Any
    for junk in (None, [], "profile"):
        with pytest.raises(ProfileError):
            GloveProfile.from_dict(junk)
