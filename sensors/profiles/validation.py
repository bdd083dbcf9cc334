"""Validation of glove profile documents (TOML tables or embedded JSON objects).

Part of :mod:`sensors.profiles` (import from there). Every check raises
:class:`~sensors.exceptions.ProfileError` naming the offending field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sensors.exceptions import ProfileError
from sensors.profiles.model import PROTOCOLS, Calibration, GloveProfile, Region, SensorSpec

__all__ = ["build_profile"]

_CALIBRATION_KINDS = ("linear", "table", "power")
_MAX_SENSORS = 32  # both wire protocols carry at most 32 channels
_U16_MAX = 0xFFFF  # glove-v1 counts are u16
_TOP_KEYS = frozenset(
    {"name", "description", "protocol", "sample_rate_hz", "raw_max", "raw_bits", "sensors"}
)
_SENSOR_KEYS = frozenset(
    {"name", "region", "position", "contact_area_mm2", "saturation_n", "calibration"}
)
_CALIBRATION_KEYS = {
    "linear": frozenset({"kind", "scale", "offset"}),
    "power": frozenset({"kind", "scale", "exponent"}),
    "table": frozenset({"kind", "points"}),
}


def _no_unknown_keys(data: Mapping[str, Any], known: frozenset[str], where: str) -> None:
    unknown = sorted(str(k) for k in data if k not in known)
    if unknown:
        raise ProfileError(
            f"unknown key (known: {', '.join(sorted(known))})", field=f"{where}{unknown[0]}"
        )


def _require(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise ProfileError("missing", field=f"{where}{key}")
    return data[key]


def _number(
    value: Any, name: str, *, positive: bool = False, minimum: float | None = None
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProfileError(f"must be a number, got {type(value).__name__}", field=name)
    number = float(value)
    if not math.isfinite(number):
        raise ProfileError("must be finite", field=name)
    if positive and number <= 0:
        raise ProfileError(f"must be > 0, got {number:g}", field=name)
    if minimum is not None and number < minimum:
        raise ProfileError(f"must be >= {minimum:g}, got {number:g}", field=name)
    return number


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProfileError("must be a non-empty string", field=name)
    return value.strip()


def _calibration(data: Any, name: str) -> Calibration:
    if not isinstance(data, Mapping):
        raise ProfileError("must be a table", field=name)
    kind = data.get("kind", "linear")
    if not isinstance(kind, str) or kind not in _CALIBRATION_KINDS:
        raise ProfileError(
            f"unknown kind {kind!r} (known: {', '.join(_CALIBRATION_KINDS)})", field=f"{name}.kind"
        )
    _no_unknown_keys(data, _CALIBRATION_KEYS[kind], f"{name}.")
    if kind == "linear":
        scale = _number(data.get("scale", 1.0), f"{name}.scale")
        if scale <= 0:
            raise ProfileError(
                "must be > 0 (force must grow with the reading)", field=f"{name}.scale"
            )
        return Calibration(
            "linear", scale=scale, offset=_number(data.get("offset", 0.0), f"{name}.offset")
        )
    if kind == "power":
        return Calibration(
            "power",
            scale=_number(_require(data, "scale", f"{name}."), f"{name}.scale", positive=True),
            exponent=_number(
                _require(data, "exponent", f"{name}."), f"{name}.exponent", positive=True
            ),
        )
    points = _require(data, "points", f"{name}.")
    if not isinstance(points, Sequence) or isinstance(points, str) or len(points) < 2:
        raise ProfileError(
            "must be a list of at least two [raw, newtons] pairs", field=f"{name}.points"
        )
    pairs: list[tuple[float, float]] = []
    for j, pair in enumerate(points):
        where = f"{name}.points[{j}]"
        if not isinstance(pair, Sequence) or isinstance(pair, str) or len(pair) != 2:
            raise ProfileError("must be a [raw, newtons] pair", field=where)
        pairs.append((_number(pair[0], where, minimum=0.0), _number(pair[1], where, minimum=0.0)))
    raws = np.array([p[0] for p in pairs])
    forces = np.array([p[1] for p in pairs])
    if np.any(np.diff(raws) <= 0):
        raise ProfileError("raw values must be strictly increasing", field=f"{name}.points")
    if np.any(np.diff(forces) < 0):
        raise ProfileError("newtons must not decrease as raw grows", field=f"{name}.points")
    return Calibration("table", points=tuple(pairs))


def _sensor(data: Any, index: int) -> SensorSpec:
    where = f"sensors[{index}]"
    if not isinstance(data, Mapping):
        raise ProfileError("must be a table", field=where)
    _no_unknown_keys(data, _SENSOR_KEYS, f"{where}.")
    name = _text(_require(data, "name", f"{where}."), f"{where}.name")
    region_name = _require(data, "region", f"{where}.")
    try:
        region = Region(region_name)
    except (ValueError, TypeError):
        known = ", ".join(r.value for r in Region)
        raise ProfileError(
            f"unknown region {region_name!r} (known: {known})", field=f"{where}.region"
        ) from None
    position = _require(data, "position", f"{where}.")
    if not isinstance(position, Sequence) or isinstance(position, str) or len(position) != 2:
        raise ProfileError("must be [x, y]", field=f"{where}.position")
    xy = tuple(_number(v, f"{where}.position") for v in position)
    if not all(0.0 <= v <= 1.0 for v in xy):
        raise ProfileError("x and y must be within [0, 1]", field=f"{where}.position")
    return SensorSpec(
        name=name,
        region=region,
        position=(xy[0], xy[1]),
        contact_area_mm2=_number(
            _require(data, "contact_area_mm2", f"{where}."),
            f"{where}.contact_area_mm2",
            positive=True,
        ),
        saturation_n=_number(
            _require(data, "saturation_n", f"{where}."), f"{where}.saturation_n", positive=True
        ),
        calibration=_calibration(
            data.get("calibration", {"kind": "linear"}), f"{where}.calibration"
        ),
    )


def _raw_max(data: Mapping[str, Any], protocol: str) -> int:
    """Full-scale count from ``raw_max`` or ``raw_bits`` (default 65535)."""
    raw_max: int | None = None
    if "raw_max" in data:
        value = _number(data["raw_max"], "raw_max", positive=True)
        if value != int(value) or value > 2**31:
            raise ProfileError("must be a whole number of counts <= 2^31", field="raw_max")
        raw_max = int(value)
    if "raw_bits" in data:
        bits = _number(data["raw_bits"], "raw_bits", positive=True)
        if bits != int(bits) or bits > 31:
            raise ProfileError("must be a whole number of bits, 1..31", field="raw_bits")
        from_bits = (1 << int(bits)) - 1
        if raw_max is not None and raw_max != from_bits:
            raise ProfileError(
                f"raw_bits = {int(bits)} means raw_max = {from_bits}, but raw_max = {raw_max}",
                field="raw_bits",
            )
        raw_max = from_bits
    raw_max = _U16_MAX if raw_max is None else raw_max
    if protocol == "glove-v1" and raw_max > _U16_MAX:
        raise ProfileError("glove-v1 carries u16 counts: must be <= 65535", field="raw_max")
    return raw_max


def build_profile(data: Mapping[str, Any], origin: str) -> GloveProfile:
    """Validate ``data`` as a profile; errors say ``origin`` and name the field."""
    if not isinstance(data, Mapping):
        raise ProfileError(f"{origin}: a profile must be a table/object")
    try:
        _no_unknown_keys(data, _TOP_KEYS, "")
        name = _text(_require(data, "name", ""), "name")
        protocol = _require(data, "protocol", "")
        if not isinstance(protocol, str) or protocol not in PROTOCOLS:
            raise ProfileError(
                f"unknown protocol {protocol!r} (known: {', '.join(PROTOCOLS)})", field="protocol"
            )
        rate = _number(_require(data, "sample_rate_hz", ""), "sample_rate_hz", positive=True)
        raw_max = _raw_max(data, protocol)
        sensors_data = _require(data, "sensors", "")
        if not isinstance(sensors_data, Sequence) or isinstance(sensors_data, str):
            raise ProfileError("must be a list of sensor tables", field="sensors")
        if not 1 <= len(sensors_data) <= _MAX_SENSORS:
            raise ProfileError(f"must list between 1 and {_MAX_SENSORS} sensors", field="sensors")
        sensors = tuple(_sensor(s, i) for i, s in enumerate(sensors_data))
        for i, sensor in enumerate(sensors):
            full_scale = float(sensor.calibration.to_newtons(np.asarray(raw_max, dtype=np.float64)))
            if sensor.saturation_n > full_scale:
                raise ProfileError(
                    f"{sensor.saturation_n:g} N is above the calibration's full scale "
                    f"({full_scale:g} N at raw_max = {raw_max}): clipping could never be flagged",
                    field=f"sensors[{i}].saturation_n",
                )
        seen: set[str] = set()
        for i, sensor in enumerate(sensors):
            if sensor.name in seen:
                raise ProfileError(
                    f"duplicate sensor name {sensor.name!r}", field=f"sensors[{i}].name"
                )
            seen.add(sensor.name)
        description = data.get("description", "")
        if not isinstance(description, str):
            raise ProfileError("must be a string", field="description")
    except ProfileError as err:
        # Keep the field for callers, and say where the profile came from.
        located = ProfileError(f"{origin}: {err}")
        located.field = err.field
        raise located from None
    return GloveProfile(name, description.strip(), protocol, rate, raw_max, sensors)
