"""Validation of glove profile documents (TOML tables or embedded JSON objects).

Part of :mod:`sensors.profiles` (import from there). Every check raises
:class:`~sensors.exceptions.ProfileError` naming the offending field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sensors._schema import (
    Field,
    Invalid,
    Messages,
    Path,
    Rule,
    Schema,
    chain,
    choice,
    dotted,
    items,
    list_of,
    number,
    of,
    rule,
    says,
    text,
    variants,
)
from sensors.exceptions import ProfileError
from sensors.profiles.model import PROTOCOLS, Calibration, GloveProfile, Region, SensorSpec

__all__ = ["build_profile"]

_CALIBRATION_KINDS = ("linear", "table", "power")
_MAX_SENSORS = 32  # both wire protocols carry at most 32 channels
_U16_MAX = 0xFFFF  # glove-v1 counts are u16

_MESSAGES = Messages(
    {
        "missing": "missing",
        "unknown": "unknown key (known: {known})",
        "object": "must be a table",
        "type": "must be a number, got {type}",
        "finite": "must be finite",
        "overflow": "must be a finite number, got an integer too large to represent",
        "gt": "must be > {gt:g}, got {got:g}",
        "ge": "must be >= {ge:g}, got {got:g}",
        "choice": "unknown {key} {value!r} (known: {known})",
    },
    lambda message, path: ProfileError(message, field=dotted(path)),
)

_number = number()
_positive = number(gt=0.0)
_name = says(text(min_len=1, strip=True), "must be a non-empty string")


def _increasing(points: list[tuple[float, float]], path: Path) -> tuple[tuple[float, float], ...]:
    if np.any(np.diff([p[0] for p in points]) <= 0):
        raise Invalid("rule", path, message="raw values must be strictly increasing")
    if np.any(np.diff([p[1] for p in points]) < 0):
        raise Invalid("rule", path, message="newtons must not decrease as raw grows")
    return tuple(points)


# TOML and JSON lists arrive as lists, but a caller's mapping may hold any sequence.
_PAIR = says(
    items(number(ge=0.0), number(ge=0.0), kinds=Sequence),
    {"items": "must be a [raw, newtons] pair"},
)
_POINTS = chain(
    says(
        list_of(_PAIR, min_len=2, kinds=Sequence),
        dict.fromkeys(("list", "length"), "must be a list of at least two [raw, newtons] pairs"),
    ),
    _increasing,
)

_CALIBRATION = variants(
    Field("kind", choice(_CALIBRATION_KINDS), default="linear"),
    {
        "linear": Schema(
            (
                Field("kind", optional=True),
                Field(
                    "scale",
                    says(
                        number(gt=0.0),
                        {"gt": "must be > 0 (force must grow with the reading)"},
                    ),
                    default=1.0,
                ),
                Field("offset", _number, default=0.0),
            ),
            unknown="refuse",
            build=lambda d: Calibration("linear", scale=d["scale"], offset=d["offset"]),
        ),
        "power": Schema(
            (Field("kind", optional=True), Field("scale", _positive), Field("exponent", _positive)),
            unknown="refuse",
            build=lambda d: Calibration("power", scale=d["scale"], exponent=d["exponent"]),
        ),
        "table": Schema(
            (Field("kind", optional=True), Field("points", _POINTS)),
            unknown="refuse",
            build=lambda d: Calibration("table", points=d["points"]),
        ),
    },
)

_SENSOR = Schema(
    (
        Field("name", _name),
        Field("region", choice(tuple(r.value for r in Region), convert=Region)),
        Field(
            "position",
            chain(
                says(items(_number, _number, kinds=Sequence), {"items": "must be [x, y]"}),
                rule(lambda xy: all(0.0 <= v <= 1.0 for v in xy), "x and y must be within [0, 1]"),
            ),
        ),
        Field("contact_area_mm2", _positive),
        Field("saturation_n", _positive),
        Field("calibration", _CALIBRATION, default={"kind": "linear"}),
    ),
    unknown="refuse",
    build=lambda d: SensorSpec(**d),
)


def _whole(largest: int, template: str) -> Any:
    return chain(_positive, rule(lambda v: v == int(v) and v <= largest, template))


def _full_scale(parsed: dict[str, Any], path: Path) -> None:
    """Full-scale count from ``raw_max`` or ``raw_bits`` (default 65535)."""
    raw_max = int(parsed["raw_max"]) if "raw_max" in parsed else None
    if "raw_bits" in parsed:
        bits = int(parsed["raw_bits"])
        from_bits = (1 << bits) - 1
        if raw_max is not None and raw_max != from_bits:
            raise Invalid(
                "rule",
                ("raw_bits",),
                message=f"raw_bits = {bits} means raw_max = {from_bits}, but raw_max = {raw_max}",
            )
        raw_max = from_bits
    raw_max = _U16_MAX if raw_max is None else raw_max
    if parsed["protocol"] == "glove-v1" and raw_max > _U16_MAX:
        raise Invalid("rule", ("raw_max",), message="glove-v1 carries u16 counts: must be <= 65535")
    parsed["raw_max"] = raw_max


def _sensors_fit(parsed: dict[str, Any], path: Path) -> None:
    """Every saturation force within its calibration's range; sensor names unique."""
    raw_max = parsed["raw_max"]
    for i, sensor in enumerate(parsed["sensors"]):
        # A scale or exponent near the float limit overflows: refused below, not warned about.
        with np.errstate(over="ignore"):
            full_scale = float(sensor.calibration.to_newtons(np.asarray(raw_max, dtype=np.float64)))
        if not math.isfinite(full_scale):
            raise Invalid(
                "rule",
                ("sensors", i, "calibration"),
                message=f"gives no finite force at raw_max = {raw_max}",
            )
        if sensor.saturation_n > full_scale:
            raise Invalid(
                "rule",
                ("sensors", i, "saturation_n"),
                message=f"{sensor.saturation_n:g} N is above the calibration's full scale "
                f"({full_scale:g} N at raw_max = {raw_max}): clipping could never be flagged",
            )
    seen: set[str] = set()
    for i, sensor in enumerate(parsed["sensors"]):
        if sensor.name in seen:
            raise Invalid(
                "rule", ("sensors", i, "name"), message=f"duplicate sensor name {sensor.name!r}"
            )
        seen.add(sensor.name)


#: A glove profile document, in checking order.
_PROFILE = Schema(
    (
        Field("name", _name),
        Field("protocol", choice(PROTOCOLS)),
        Field("sample_rate_hz", _positive),
        Field("raw_max", _whole(2**31, "must be a whole number of counts <= 2^31"), optional=True),
        Field("raw_bits", _whole(31, "must be a whole number of bits, 1..31"), optional=True),
        Rule(_full_scale),
        Field(
            "sensors",
            says(
                list_of(_SENSOR, min_len=1, max_len=_MAX_SENSORS, kinds=Sequence),
                {
                    "list": "must be a list of sensor tables",
                    "length": f"must list between 1 and {_MAX_SENSORS} sensors",
                },
            ),
        ),
        Rule(_sensors_fit),
        Field("description", says(of(str), "must be a string"), default=""),
    ),
    unknown="refuse",
    build=lambda d: GloveProfile(
        d["name"],
        d["description"].strip(),
        d["protocol"],
        d["sample_rate_hz"],
        d["raw_max"],
        tuple(d["sensors"]),
    ),
)


def build_profile(data: Mapping[str, Any], origin: str) -> GloveProfile:
    """Validate ``data`` as a profile; errors say ``origin`` and name the field."""
    if not isinstance(data, Mapping):
        raise ProfileError(f"{origin}: a profile must be a table/object")
    try:
        profile: GloveProfile = _PROFILE.validate(data, _MESSAGES)
    except ProfileError as err:
        # Keep the field for callers, and say where the profile came from.
        located = ProfileError(f"{origin}: {err}")
        located.field = err.field
        raise located from None
    return profile
