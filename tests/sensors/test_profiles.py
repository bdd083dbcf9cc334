from __future__ import annotations

import json

import numpy as np
import pytest

from sensors.exceptions import ProfileError
from sensors.profiles import DEFAULT_PROFILE, GloveProfile, list_profiles, load_profile

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


def test_bundled_profiles_load() -> None:
    names = list_profiles()
    assert DEFAULT_PROFILE in names and "diy-fsr5" in names
    diy = load_profile("diy-fsr5")
    assert diy.protocol == "nus-text" and len(diy.sensors) == 5 and diy.sample_rate_hz == 100
    ref = load_profile(DEFAULT_PROFILE)
    assert ref.protocol == "glove-v1" and ref.sample_rate_hz >= 100
    assert set(ref.regions) >= {"palm_heel", "thumb", "index"}


@pytest.mark.parametrize("name", ["reference-glove", "diy-fsr5"])
def test_calibration_inverts_and_is_monotone(name: str) -> None:
    profile = load_profile(name)
    c = len(profile.sensors)
    newtons = np.linspace(0, profile.saturation_n.min(), 50)[:, None].repeat(c, axis=1)
    back = profile.to_newtons(profile.to_raw(newtons))
    step = np.diff(
        profile.to_newtons(np.arange(0, profile.raw_max + 1)[:, None].repeat(c, 1)), axis=0
    )
    assert np.all(step >= 0)
    # one count of resolution: error below the largest single-count step
    assert np.max(np.abs(back - newtons)) <= step.max() + 1e-12


def test_fsr_table_is_non_linear() -> None:
    diy = load_profile("diy-fsr5")
    raw = np.array([[500] * 5, [1000] * 5, [2000] * 5])
    n = diy.to_newtons(raw)[:, 0]
    assert (n[2] - n[1]) / 1000 > (n[1] - n[0]) / 500  # steeper at higher counts


def test_pressure_and_dict_round_trip() -> None:
    profile = load_profile(DEFAULT_PROFILE)
    kpa = profile.pressure_kpa(np.ones((1, len(profile.sensors))))
    assert kpa[0, profile.channel_names.index("thumb")] == pytest.approx(1 / 126.7e-6 / 1e3)
    again = GloveProfile.from_dict(json.loads(json.dumps(profile.to_dict())))
    assert again == profile and hash(again) == hash(profile)


def test_profile_from_path(tmp_path) -> None:
    path = tmp_path / "g.toml"
    path.write_text(GOOD)
    assert load_profile(path).channel_names == ("thumb",)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('protocol = "glove-v1"', 'protocol = "morse"', "protocol"),
        ("sample_rate_hz = 100", "sample_rate_hz = -1", "sample_rate_hz"),
        ("contact_area_mm2 = 126.7", "contact_area_mm2 = 0", "sensors[0].contact_area_mm2"),
        ('region = "thumb"', 'region = "elbow"', "sensors[0].region"),
        ("position = [0.1, 0.4]", "position = [2, 0.4]", "sensors[0].position"),
        ("saturation_n = 10.0", 'saturation_n = "high"', "sensors[0].saturation_n"),
        ("[1000, 1.0]", "[0, 1.0]", "sensors[0].calibration.points"),
        ("[1000, 1.0]", "[1000, 11.0]", "sensors[0].calibration.points"),
        ('name = "thumb"\n', "", "sensors[0].name"),
    ],
)
def test_bad_profiles_name_the_field(old: str, new: str, field: str) -> None:
    from sensors.profiles import parse_profile

    assert old in GOOD
    with pytest.raises(ProfileError) as exc:
        parse_profile(GOOD.replace(old, new, 1), "bad.toml")
    assert field in str(exc.value) and "bad.toml" in str(exc.value)


def test_duplicate_names_and_unknown_profile() -> None:
    from sensors.profiles import parse_profile

    doubled = GOOD + GOOD[GOOD.index("[[sensors]]") :]
    with pytest.raises(ProfileError, match=r"sensors\[1\].name"):
        parse_profile(doubled)
    with pytest.raises(ProfileError, match="known: diy-fsr5, reference-glove"):
        load_profile("no-such-glove")
    with pytest.raises(ProfileError, match="not valid TOML"):
        parse_profile("name = ")
