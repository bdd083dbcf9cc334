"""The config characteristic (sensors.protocol.config)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensors import protocol as P
from sensors.exceptions import ProtocolError
from sensors.profiles import Region, load_profile

REGIONS = [r.value for r in Region]


def _config_doc() -> dict:
    return {
        "v": 1,
        "name": "g",
        "fw": "1.0",
        "rate_hz": 200.0,
        "scale": 0.002,
        "units": "N",
        "profile": "reference-glove",
        "sensors": [["thumb", "thumb", 0.1, 0.45], ["index", "index", 0.3, 0.9]],
    }


def _json(doc: object) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


# -- config characteristic ----------------------------------------------------------------

# Any text but lone surrogates (not encodable as UTF-8); short enough for 512 bytes.
_SURROGATES: tuple[Literal["Cs"]] = ("Cs",)
_NAMES = st.text(st.characters(blacklist_categories=_SURROGATES), min_size=1, max_size=5)
_UNIT = st.floats(0, 1, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(_NAMES, min_size=1, max_size=3, unique=True),
    st.lists(st.tuples(st.sampled_from(REGIONS), _UNIT, _UNIT), min_size=3, max_size=3),
    st.floats(0.5, 5000, allow_nan=False),
    st.floats(1e-6, 1e3, allow_nan=False),
    _NAMES,
    st.text(max_size=10),
)
def test_config_round_trip(names, places, rate, scale, name, fw) -> None:
    sensors = tuple((n, r, x, y) for n, (r, x, y) in zip(names, places, strict=False))
    cfg = P.GloveConfig(name, fw, rate, scale, "N", sensors, "reference-glove")
    data = P.encode_config(cfg)
    assert len(data) <= P.MAX_CONFIG_BYTES
    assert P.decode_config(data) == cfg
    assert P.decode_config(bytearray(data)) == cfg


def test_documented_config_example(doc_example: Callable[[str], str]) -> None:
    text = doc_example("config")
    cfg = P.decode_config(text.encode())
    profile = load_profile("reference-glove")
    assert cfg.name == "Reference glove" and cfg.firmware == "1.2.0"
    assert cfg.channel_names == profile.channel_names
    assert cfg.matches(profile) and cfg.mismatches(profile) == []
    built = P.GloveConfig.from_profile(profile, name="Reference glove", firmware="1.2.0")
    assert built == cfg
    assert P.encode_config(built) == text.encode()


def test_config_mismatches_name_each_disagreement() -> None:
    ref = load_profile("reference-glove")
    diy = load_profile("diy-fsr5")
    cfg = P.GloveConfig.from_profile(ref)
    assert not cfg.matches(diy)
    problems = cfg.mismatches(diy)
    assert any("nus-text" in p for p in problems)
    assert any("glove reports sensors" in p for p in problems)
    assert any("200 Hz" in p for p in problems)
    swapped = P.GloveConfig(
        cfg.name, "", 200.0, 0.002, "N", (cfg.sensors[1], cfg.sensors[0], *cfg.sensors[2:])
    )
    assert any("sensors" in p for p in swapped.mismatches(ref))
    relabelled = P.GloveConfig(
        cfg.name, "", 200.0, 0.002, "N", (("palm_heel", "thumb", 0.5, 0.1), *cfg.sensors[1:])
    )
    assert [p for p in relabelled.mismatches(ref) if "regions" in p]
    slower = P.GloveConfig(cfg.name, "", 201.0, 0.002, "N", cfg.sensors)
    assert slower.matches(ref)  # within 1 %
    assert not P.GloveConfig(cfg.name, "", 100.0, 0.002, "N", cfg.sensors).matches(ref)


def test_config_from_a_non_linear_profile_needs_a_scale() -> None:
    diy = load_profile("diy-fsr5")
    with pytest.raises(ValueError, match="value_scale"):
        P.GloveConfig.from_profile(diy)
    assert P.GloveConfig.from_profile(diy, value_scale=0.0025).value_scale == 0.0025


def _mutate(**changes: object) -> bytes:
    doc = _config_doc()
    for key, value in changes.items():
        if value is ...:
            del doc[key]
        else:
            doc[key] = value
    return _json(doc)


_small = {"v": 1, "name": "g", "fw": "", "rate_hz": 1, "scale": 1, "units": "N"}
_small["sensors"] = [["a", "thumb", 0, 0]]
assert len(_json({**_small, "rate_hz": 10**310})) < 512

BAD_CONFIGS = {
    "not an object": b"[]",
    "not UTF-8": "é".encode("latin-1"),
    "not JSON": b'{"v":1,',
    "deep nesting": b"[" * 250 + b"]" * 250,
    "too long": _mutate(name="x" * 600),
    "missing v": _mutate(v=...),
    "missing name": _mutate(name=...),
    "missing fw": _mutate(fw=...),
    "missing rate": _mutate(rate_hz=...),
    "missing scale": _mutate(scale=...),
    "missing units": _mutate(units=...),
    "missing sensors": _mutate(sensors=...),
    "version 2": _mutate(v=2),
    "version as text": _mutate(v="1"),
    "version bool": _mutate(v=True),
    "rate zero": _mutate(rate_hz=0),
    "rate negative": _mutate(rate_hz=-200),
    "rate text": _mutate(rate_hz="200"),
    # 310-digit integers: valid JSON, beyond float range (the document stays under 512 bytes).
    "rate huge int": _json({**_small, "rate_hz": 10**310}),
    "scale zero": _mutate(scale=0.0),
    "units kPa": _mutate(units="kPa"),
    "empty name": _mutate(name=""),
    "no sensors": _mutate(sensors=[]),
    "33 sensors": _mutate(sensors=[[f"s{i}", "palm", 0.5, 0.5] for i in range(33)]),
    "sensor not list": _mutate(sensors=["thumb"]),
    "sensor short": _mutate(sensors=[["thumb", "thumb", 0.1]]),
    "unknown region": _mutate(sensors=[["thumb", "elbow", 0.1, 0.4]]),
    "region not text": _mutate(sensors=[["thumb", 3, 0.1, 0.4]]),
    "x above 1": _mutate(sensors=[["thumb", "thumb", 1.5, 0.4]]),
    "y negative": _mutate(sensors=[["thumb", "thumb", 0.1, -0.1]]),
    "x huge int": _json({**_small, "sensors": [["a", "thumb", 10**310, 0]]}),
    "x bool": _mutate(sensors=[["thumb", "thumb", True, 0.4]]),
    "duplicate names": _mutate(sensors=[["a", "thumb", 0.1, 0.4], ["a", "index", 0.3, 0.9]]),
    "profile not text": _mutate(profile=7),
    "NaN": _mutate().replace(b'"rate_hz":200.0', b'"rate_hz":NaN'),
    "Infinity in unknown key": _mutate().replace(b"{", b'{"extra":Infinity,', 1),
    "duplicate key": _mutate().replace(b"{", b'{"v":1,', 1),
}


@pytest.mark.parametrize("data", BAD_CONFIGS.values(), ids=BAD_CONFIGS.keys())
def test_bad_configs_raise_protocol_error(data: bytes) -> None:
    with pytest.raises(ProtocolError, match="config"):
        P.decode_config(data)


def test_config_ignores_unknown_keys_and_encoder_refuses_invalid() -> None:
    cfg = P.decode_config(_mutate(battery_mv=3700))
    assert cfg.channel_names == ("thumb", "index")
    too_big = P.GloveConfig(
        "g", "1", 200.0, 1.0, "N", tuple((f"sensor-{i:02d}", "palm", 0.5, 0.5) for i in range(32))
    )
    with pytest.raises(ValueError, match="too long"):
        P.encode_config(too_big)
    with pytest.raises(ValueError):
        P.encode_config(P.GloveConfig("g", "1", float("nan"), 1.0, "N", (("a", "palm", 0, 0),)))
    with pytest.raises(ValueError):
        P.encode_config(P.GloveConfig("g", "1", 100.0, 1.0, "N", (("a", "wrist", 0, 0),)))
