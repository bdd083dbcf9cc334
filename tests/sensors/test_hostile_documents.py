"""Hostile documents for the sensors decoders: only the package's own error escapes.

Glove profiles (``ProfileError``), the *config* characteristic (``ProtocolError``) and
capture headers (``CaptureError``) are fed huge integers, NaN and infinities, wrong
types, nested lists, long strings and odd unicode, by hand and by Hypothesis. Each case
pinned here by hand once escaped as another exception.
"""

from __future__ import annotations

import copy
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from hostile_values import (  # type: ignore[import-not-found]
    HOSTILE,
    HUGE,
    ODD_NUMBERS,
)
from hostile_values import (
    mutate as put_hostile,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensors.capture import read_capture
from sensors.exceptions import CaptureError, ProfileError, ProtocolError
from sensors.profiles import DEFAULT_PROFILE, GloveProfile, load_profile
from sensors.protocol import GloveConfig, decode_config, encode_config

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _nested(depth: int) -> Any:
    out: Any = 1
    for _ in range(depth):
        out = [out]
    return out


def mutate(doc: Any, data: st.DataObject, values: st.SearchStrategy[Any] = HOSTILE) -> Any:
    """A copy of ``doc`` with hostile values (or a list nested 60 deep) put in or keys deleted."""
    # A fresh list each draw: the same object put twice could end up inside itself.
    return put_hostile(doc, data, values | st.builds(_nested, st.just(60)))


# -- glove profiles ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def profile_doc() -> dict[str, Any]:
    return load_profile(DEFAULT_PROFILE).to_dict()


@pytest.mark.parametrize(
    "field",
    ["sample_rate_hz", "raw_max", "sensors[0].contact_area_mm2", "sensors[1].position"],
)
def test_a_huge_integer_in_a_profile_is_a_profile_error_naming_its_field(
    profile_doc: dict[str, Any], field: str
) -> None:
    doc = copy.deepcopy(profile_doc)
    if field == "sensors[1].position":
        doc["sensors"][1]["position"] = [HUGE, 0.5]
    elif field.startswith("sensors[0]."):
        doc["sensors"][0][field.split(".")[1]] = HUGE
    else:
        doc[field] = HUGE
    with pytest.raises(ProfileError, match="too large") as info:
        GloveProfile.from_dict(doc, "hostile")
    assert info.value.field == field and "\n" not in str(info.value)


def test_a_huge_integer_in_a_toml_profile_is_a_profile_error(tmp_path: Path) -> None:
    text = (Path(__file__).parents[2] / "sensors/profiles/diy-fsr5.toml").read_text()
    lines = [
        f"sample_rate_hz = {HUGE}" if line.startswith("sample_rate_hz") else line
        for line in text.splitlines()
    ]
    assert any(line.startswith("sample_rate_hz = 1000") for line in lines)
    path = tmp_path / "huge.toml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ProfileError, match="sample_rate_hz: must be a finite number"):
        load_profile(path)


@pytest.mark.parametrize(
    "calibration",
    [
        {"kind": "linear", "scale": 1e308},
        {"kind": "power", "scale": 1e308, "exponent": 100.0},
        {"kind": "power", "scale": 1.0, "exponent": 1e308},
    ],
)
def test_a_calibration_overflowing_at_full_scale_is_a_profile_error(
    profile_doc: dict[str, Any], calibration: dict[str, Any]
) -> None:
    # Its full scale was inf, with numpy's overflow warning on stderr.
    doc = copy.deepcopy(profile_doc)
    doc["sensors"][0]["calibration"] = calibration
    with pytest.raises(ProfileError, match="gives no finite force at raw_max") as info:
        GloveProfile.from_dict(doc, "hostile")
    assert info.value.field == "sensors[0].calibration"


@FUZZ
@given(data=st.data())
def test_fuzzed_profiles_give_a_profile_or_a_profile_error(profile_doc, data) -> None:
    doc = mutate(profile_doc, data) if data.draw(st.booleans()) else data.draw(HOSTILE)
    try:
        GloveProfile.from_dict(doc, "fuzzed")
    except ProfileError as err:
        assert "\n" not in str(err)


# -- the config characteristic -----------------------------------------------------------


@pytest.fixture(scope="module")
def config_doc() -> dict[str, Any]:
    config = GloveConfig.from_profile(load_profile(DEFAULT_PROFILE))
    doc: dict[str, Any] = json.loads(encode_config(config))
    return doc


@pytest.mark.parametrize("region", [["palm"], {"palm": 1}, [[]]])
def test_a_config_region_that_is_a_list_or_object_is_a_protocol_error(
    config_doc: dict[str, Any], region: Any
) -> None:
    doc = copy.deepcopy(config_doc)
    doc["sensors"][0][1] = region
    with pytest.raises(ProtocolError, match=r"config: sensors\[0\] region .* unknown"):
        decode_config(json.dumps(doc).encode())


# Small values: the characteristic holds at most 512 bytes.
_SMALL = st.recursive(
    st.none() | st.booleans() | st.integers() | ODD_NUMBERS | st.floats() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=2)
    ),
    max_leaves=4,
)


@FUZZ
@given(data=st.data())
def test_fuzzed_configs_give_a_config_or_a_protocol_error(config_doc, data) -> None:
    doc = mutate(config_doc, data, _SMALL) if data.draw(st.booleans()) else data.draw(_SMALL)
    try:
        decode_config(json.dumps(doc).encode())
    except ProtocolError:
        pass


# -- capture headers ---------------------------------------------------------------------


def with_header(capture: bytes, header: bytes) -> bytes:
    """A native capture's bytes with its JSON header replaced (its CRC made to match)."""
    magic, version, reserved, length, _ = struct.unpack_from("<8sHHII", capture)
    fixed = struct.pack("<8sHHII", magic, version, reserved, len(header), zlib.crc32(header))
    return fixed + header + capture[20 + length :]


def header_of(capture: bytes) -> dict[str, Any]:
    (length,) = struct.unpack_from("<I", capture, 12)
    doc: dict[str, Any] = json.loads(capture[20 : 20 + length])
    return doc


@pytest.fixture(scope="module")
def capture_bytes(effleurage_capture: Path) -> bytes:
    return effleurage_capture.read_bytes()


def _read(tmp_path: Path, data: bytes) -> str:
    """Read ``data`` as a capture file: ``"ok"`` or its one-line CaptureError."""
    path = tmp_path / "hostile.mtcap"
    path.write_bytes(data)
    try:
        read_capture(path)
    except CaptureError as err:
        assert "\n" not in str(err)
        return str(err)
    return "ok"


def test_a_huge_integer_in_a_capture_headers_profile_is_a_capture_error(
    capture_bytes: bytes, tmp_path: Path
) -> None:
    doc = header_of(capture_bytes)
    doc["profile"]["sample_rate_hz"] = HUGE
    said = _read(tmp_path, with_header(capture_bytes, json.dumps(doc).encode()))
    assert said.endswith(
        "invalid glove profile in header: profile: sample_rate_hz: must be a finite number, "
        "got an integer too large to represent"
    )


@pytest.mark.parametrize("nesting", [b"[" * 200_000, b'{"a":' * 100_000])
def test_a_deeply_nested_capture_header_is_a_capture_error(
    capture_bytes: bytes, tmp_path: Path, nesting: bytes
) -> None:
    said = _read(tmp_path, with_header(capture_bytes, nesting))
    assert said.endswith("corrupt capture header (nested too deeply)")


@FUZZ
@given(data=st.data())
def test_fuzzed_capture_headers_give_a_capture_or_a_capture_error(
    capture_bytes, tmp_path, data
) -> None:
    doc = header_of(capture_bytes)
    doc = mutate(doc, data) if data.draw(st.booleans()) else data.draw(HOSTILE)
    header = json.dumps(doc).encode()
    _read(tmp_path, with_header(capture_bytes, header))


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("name = 'x'\nsample_rate_hz = " + "9" * 5000 + "\n", "a number too long to read"),
        ("x = " + "[" * 100_000 + "]" * 100_000 + "\n", "nested too deeply"),
    ],
)
def test_profile_toml_too_long_or_too_deep_is_one_profile_error(text: str, why: str) -> None:
    from sensors.exceptions import ProfileError
    from sensors.profiles import parse_profile

    with pytest.raises(ProfileError, match=why):
        parse_profile(text, "hostile.toml")


def test_control_characters_in_a_profile_stay_on_one_line(profile_doc: dict[str, Any]) -> None:
    # A key or a text value holding a line break is quoted escaped: the error is one line.
    from sensors.profiles.validation import build_profile

    for change in ({"\n": 1}, {"name": "two\nlines", "protocol": "x\r\ny"}):
        doc = {**profile_doc, **change}
        with pytest.raises(ProfileError) as err:
            build_profile(doc, "hostile")
        assert "\n" not in str(err.value) and "\r" not in str(err.value), str(err.value)
