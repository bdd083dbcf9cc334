"""Bundled and on-disk profiles (sensors.profiles.loading)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest
from profile_samples import GOOD  # type: ignore[import-not-found]

from sensors.exceptions import ProfileError
from sensors.profiles import (
    DEFAULT_PROFILE,
    Region,
    list_profiles,
    load_profile,
    parse_profile,
)

BUNDLED = ["diy-fsr5", "diy-fsr5-v1", "reference-glove"]


def test_bundled_profiles_load() -> None:
    assert list_profiles() == BUNDLED
    assert DEFAULT_PROFILE in list_profiles()
    # Package data, found through importlib.resources (works from a wheel too).
    shipped = sorted(p.name for p in files("sensors.profiles").iterdir() if p.name.endswith("toml"))
    assert shipped == sorted(f"{name}.toml" for name in BUNDLED)
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
    # docs/evidence.md: FSR 402 12.7 mm circle, FSR 406 43.7 mm square, 10 N FSR range,
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


def test_unknown_profile_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="known: diy-fsr5, diy-fsr5-v1, reference-glove"):
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
