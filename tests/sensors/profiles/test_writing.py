"""Writing profiles as TOML (sensors/profiles/writing.py): round trips through the loader."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sensors.exceptions import ProfileError
from sensors.profiles import (
    Calibration,
    list_profiles,
    load_profile,
    parse_profile,
    profile_to_toml,
    write_profile,
)


@pytest.mark.parametrize("name", list_profiles())
def test_every_bundled_profile_round_trips(name: str) -> None:
    profile = load_profile(name)
    back = parse_profile(profile_to_toml(profile))
    assert back == profile


def test_awkward_text_and_every_calibration_kind_round_trip() -> None:
    base = load_profile("reference-glove")
    sensors = list(base.sensors)
    sensors[0] = dataclasses.replace(
        sensors[0], calibration=Calibration("power", scale=1.0 / 3, exponent=0.6)
    )
    sensors[1] = dataclasses.replace(
        sensors[1],
        calibration=Calibration("table", points=((0.0, 0.0), (12.345, 1e-05), (65535.0, 95.5))),
    )
    sensors[2] = dataclasses.replace(sensors[2], calibration=Calibration("linear", 0.002, -0.3))
    odd = 'quote " back\\slash tab\t bell\x07 del\x7f ünïcødé # not a comment'
    profile = dataclasses.replace(base, description=odd, sensors=tuple(sensors))
    text = profile_to_toml(profile, comment="first line\nsecond line")
    assert text.startswith("# first line\n# second line\n")
    back = parse_profile(text)
    assert back == profile
    raw = np.linspace(0, 65535, 101)[:, None] * np.ones((1, len(profile.sensors)))
    np.testing.assert_array_equal(back.to_newtons(raw), profile.to_newtons(raw))


def test_write_profile_refuses_to_overwrite_unless_told(tmp_path) -> None:
    profile = load_profile("diy-fsr5")
    out = tmp_path / "mine.toml"
    assert write_profile(profile, out) == out
    assert load_profile(out) == profile  # by path, with the project's loader
    before = out.read_text(encoding="utf-8")
    changed = dataclasses.replace(profile, description="changed")
    with pytest.raises(ProfileError, match="exists: not overwriting"):
        write_profile(changed, out)
    assert out.read_text(encoding="utf-8") == before
    write_profile(changed, out, overwrite=True)
    assert load_profile(out).description == "changed"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.toml"]  # no temp files left


def test_an_invalid_profile_is_never_written(tmp_path) -> None:
    profile = load_profile("diy-fsr5")
    bad = dataclasses.replace(
        profile,
        sensors=(dataclasses.replace(profile.sensors[0], saturation_n=50.0), *profile.sensors[1:]),
    )
    out = tmp_path / "bad.toml"
    with pytest.raises(ProfileError, match="saturation_n"):
        write_profile(bad, out)
    assert not out.exists()
