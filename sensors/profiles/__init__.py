"""Glove profiles: what a glove's channels are, where they sit, and how to calibrate them.

A profile is a TOML file. Bundled profiles ship as package data
(``sensors/profiles/*.toml``); any other file can be named by path. Every field is
validated on load, and a bad profile raises :class:`~sensors.exceptions.ProfileError`
naming the offending field (``sensors[2].contact_area_mm2: must be > 0``).

Hand map frame: a right hand seen from the palm side, fingers up, thumb on the left;
``x`` grows to the right (thumb → little finger), ``y`` grows from the wrist crease
(0) towards the tip of the middle finger (1); both in ``[0, 1]``.

TOML layout (``docs/glove-protocol.md`` §4 has the full reference)::

    name = "my-glove"                 # required
    description = "..."               # optional
    protocol = "glove-v1"             # required: "glove-v1" or "nus-text"
    sample_rate_hz = 200.0            # required, > 0
    raw_max = 65535                   # optional full-scale count (or raw_bits = 16)
    [[sensors]]                       # 1-32 of them, in wire (channel) order
    name = "thumb"                    # unique
    region = "thumb"                  # a Region value
    position = [0.10, 0.45]           # hand map, see above
    contact_area_mm2 = 126.7          # > 0
    saturation_n = 10.0               # > 0, reachable by the calibration
    calibration = { kind = "table", points = [[0, 0.0], [4095, 10.0]] }

Unknown keys are errors, so a misspelt optional key cannot be silently ignored.
"""

from __future__ import annotations

import enum
import math
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from sensors.exceptions import ProfileError

__all__ = [
    "DEFAULT_PROFILE",
    "PROTOCOLS",
    "Calibration",
    "GloveProfile",
    "Region",
    "SensorSpec",
    "list_profiles",
    "load_profile",
    "parse_profile",
]

DEFAULT_PROFILE = "reference-glove"
PROTOCOLS = ("glove-v1", "nus-text")
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


class Region(enum.StrEnum):
    """Hand regions a sensor can sit on (used for per-region load shares)."""

    PALM_HEEL = "palm_heel"
    PALM = "palm"
    THUMB = "thumb"
    INDEX = "index"
    MIDDLE = "middle"
    RING = "ring"
    LITTLE = "little"


@dataclass(frozen=True, slots=True)
class Calibration:
    """Raw counts → newtons for one sensor.

    Parameters
    ----------
    kind : {"linear", "table", "power"}
        ``linear``: ``N = scale * raw + offset``. ``table``: piecewise-linear through
        ``points`` (raw strictly ascending, newtons non-decreasing; FSRs are strongly
        non-linear), held constant beyond the first and last point. ``power``:
        ``N = scale * raw ** exponent`` (raw clipped at 0).
    scale, offset, exponent : float
        Coefficients for ``linear`` and ``power``.
    points : tuple of (float, float)
        ``(raw, newtons)`` pairs for ``table``.
    """

    kind: str = "linear"
    scale: float = 1.0
    offset: float = 0.0
    exponent: float = 1.0
    points: tuple[tuple[float, float], ...] = ()

    def to_newtons(self, raw: np.ndarray) -> np.ndarray:
        """Convert raw counts to newtons.

        Parameters
        ----------
        raw : numpy.ndarray
            Counts, any shape.

        Returns
        -------
        numpy.ndarray
            Newtons, float64, same shape.
        """
        x = np.asarray(raw, dtype=np.float64)
        if self.kind == "linear":
            return self.scale * x + self.offset
        if self.kind == "power":
            return self.scale * np.power(np.clip(x, 0.0, None), self.exponent)
        pts = np.asarray(self.points, dtype=np.float64)
        return np.interp(x, pts[:, 0], pts[:, 1])

    def to_raw(self, newtons: np.ndarray) -> np.ndarray:
        """Invert :meth:`to_newtons` (used by the simulated glove).

        Parameters
        ----------
        newtons : numpy.ndarray
            Forces in N, any shape.

        Returns
        -------
        numpy.ndarray
            Counts as float64 (not rounded or clipped), same shape. For a table, forces
            beyond its last point map to the first raw value reaching that force, and
            flat stretches invert to their lowest raw value.
        """
        y = np.asarray(newtons, dtype=np.float64)
        if self.kind == "linear":
            return (y - self.offset) / self.scale
        if self.kind == "power":
            return np.power(np.clip(y, 0.0, None) / self.scale, 1.0 / self.exponent)
        pts = np.asarray(self.points, dtype=np.float64)
        # Flat stretches of the table have no unique inverse: keep the first raw value.
        newtons_axis, first = np.unique(pts[:, 1], return_index=True)
        return np.interp(y, newtons_axis, pts[first, 0])

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (only the fields the kind uses)."""
        if self.kind == "table":
            return {"kind": "table", "points": [list(p) for p in self.points]}
        if self.kind == "power":
            return {"kind": "power", "scale": self.scale, "exponent": self.exponent}
        return {"kind": "linear", "scale": self.scale, "offset": self.offset}


@dataclass(frozen=True, slots=True)
class SensorSpec:
    """One force sensor of a glove.

    Parameters
    ----------
    name : str
        Unique channel name (``"thumb"``, ``"palm_heel"``...).
    region : Region
        Hand region it loads.
    position : tuple of float
        ``(x, y)`` on the hand map (see module docstring), each in ``[0, 1]``.
    contact_area_mm2 : float
        Active area, to convert force to pressure.
    saturation_n : float
        Force at which the sensor clips; readings at or above are flagged.
    calibration : Calibration
        Raw counts → newtons.
    """

    name: str
    region: Region
    position: tuple[float, float]
    contact_area_mm2: float
    saturation_n: float
    calibration: Calibration = field(default_factory=Calibration)


@dataclass(frozen=True, slots=True)
class GloveProfile:
    """Everything the program needs to know about one glove model.

    Parameters
    ----------
    name : str
        Profile name.
    description : str
        Human-readable description (with sources of the figures).
    protocol : {"glove-v1", "nus-text"}
        Wire protocol (see ``docs/glove-protocol.md``).
    sample_rate_hz : float
        Nominal sample rate.
    raw_max : int
        Full-scale raw count (e.g. 4095 for a 12-bit ADC, 65535 for u16; the TOML may
        give ``raw_bits`` instead). At most 65535 for ``glove-v1``.
    sensors : tuple of SensorSpec
        Channels, in wire order.
    """

    name: str
    description: str
    protocol: str
    sample_rate_hz: float
    raw_max: int
    sensors: tuple[SensorSpec, ...]

    @property
    def channel_names(self) -> tuple[str, ...]:
        """Sensor names in channel order."""
        return tuple(s.name for s in self.sensors)

    @property
    def regions(self) -> tuple[str, ...]:
        """Region of each channel (plain strings), in channel order."""
        return tuple(str(s.region) for s in self.sensors)

    @property
    def positions(self) -> np.ndarray:
        """Hand-map positions, shape ``(channels, 2)``."""
        return np.array([s.position for s in self.sensors], dtype=np.float64)

    @property
    def saturation_n(self) -> np.ndarray:
        """Saturation force per channel in newtons, shape ``(channels,)``."""
        return np.array([s.saturation_n for s in self.sensors], dtype=np.float64)

    @property
    def contact_area_m2(self) -> np.ndarray:
        """Contact area per channel in m², shape ``(channels,)``."""
        return np.array([s.contact_area_mm2 * 1e-6 for s in self.sensors], dtype=np.float64)

    def to_newtons(self, raw: np.ndarray) -> np.ndarray:
        """Calibrate raw counts to forces.

        Parameters
        ----------
        raw : numpy.ndarray
            Counts, shape ``(k, channels)``.

        Returns
        -------
        numpy.ndarray
            Newtons, shape ``(k, channels)``, float64.

        Raises
        ------
        ValueError
            If ``raw`` is not ``(k, channels)``.
        """
        raw = np.asarray(raw)
        if raw.ndim != 2 or raw.shape[1] != len(self.sensors):
            raise ValueError(f"raw must be (k, {len(self.sensors)}), got {raw.shape}")
        out = np.empty(raw.shape, dtype=np.float64)
        for i, sensor in enumerate(self.sensors):
            out[:, i] = sensor.calibration.to_newtons(raw[:, i])
        return out

    def to_raw(self, newtons: np.ndarray) -> np.ndarray:
        """Invert the calibration (the simulated glove's ADC).

        Parameters
        ----------
        newtons : numpy.ndarray
            Forces, shape ``(k, channels)``.

        Returns
        -------
        numpy.ndarray
            Counts, shape ``(k, channels)``, int64, rounded and clipped to
            ``[0, raw_max]``.

        Raises
        ------
        ValueError
            If ``newtons`` is not ``(k, channels)``.
        """
        newtons = np.asarray(newtons, dtype=np.float64)
        if newtons.ndim != 2 or newtons.shape[1] != len(self.sensors):
            raise ValueError(f"newtons must be (k, {len(self.sensors)}), got {newtons.shape}")
        out = np.empty(newtons.shape, dtype=np.float64)
        for i, sensor in enumerate(self.sensors):
            out[:, i] = sensor.calibration.to_raw(newtons[:, i])
        return np.clip(np.rint(out), 0, self.raw_max).astype(np.int64)

    def pressure_kpa(self, newtons: np.ndarray) -> np.ndarray:
        """Mean pressure over each sensor's contact area.

        Parameters
        ----------
        newtons : numpy.ndarray
            Forces, shape ``(k, channels)`` (or anything broadcasting against
            ``(channels,)``).

        Returns
        -------
        numpy.ndarray
            Pressure in kPa, same shape.
        """
        return np.asarray(newtons, dtype=np.float64) / self.contact_area_m2 / 1e3

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (captures and references embed it).

        Returns
        -------
        dict
            Plain ``str``/``float``/``int``/``list`` values; :meth:`from_dict` restores
            an equal profile.
        """
        return {
            "name": self.name,
            "description": self.description,
            "protocol": self.protocol,
            "sample_rate_hz": self.sample_rate_hz,
            "raw_max": self.raw_max,
            "sensors": [
                {
                    "name": s.name,
                    "region": str(s.region),
                    "position": list(s.position),
                    "contact_area_mm2": s.contact_area_mm2,
                    "saturation_n": s.saturation_n,
                    "calibration": s.calibration.to_dict(),
                }
                for s in self.sensors
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], origin: str = "profile") -> GloveProfile:
        """Build and validate a profile from a mapping (TOML or embedded JSON).

        Parameters
        ----------
        data : Mapping
            The profile document (the TOML layout, or :meth:`to_dict`'s output).
        origin : str
            Where it came from, prefixed to error messages.

        Returns
        -------
        GloveProfile
            The validated profile.

        Raises
        ------
        ProfileError
            Naming the first invalid field.
        """
        return _build_profile(data, origin)


# -- validation -------------------------------------------------------------------------


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


def _build_profile(data: Mapping[str, Any], origin: str) -> GloveProfile:
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
            full_scale = float(sensor.calibration.to_newtons(np.float64(raw_max)))
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


# -- loading ----------------------------------------------------------------------------


def list_profiles() -> list[str]:
    """Return the names of the bundled profiles.

    Returns
    -------
    list of str
        Sorted names, e.g. ``["diy-fsr5", "reference-glove"]``.
    """
    root = files(__name__)
    return sorted(p.name.removesuffix(".toml") for p in root.iterdir() if p.name.endswith(".toml"))


def parse_profile(text: str, origin: str = "profile") -> GloveProfile:
    """Parse and validate profile TOML text.

    Parameters
    ----------
    text : str
        TOML document.
    origin : str
        Where it came from, for error messages.

    Returns
    -------
    GloveProfile
        The validated profile.

    Raises
    ------
    ProfileError
        If the TOML is malformed or a field is invalid (``err.field`` names it).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ProfileError(f"{origin}: not valid TOML ({err})") from None
    return _build_profile(data, origin)


def load_profile(name_or_path: str | os.PathLike[str]) -> GloveProfile:
    """Load a bundled profile by name, or a profile TOML file by path.

    Parameters
    ----------
    name_or_path : str or os.PathLike
        A bundled name (see :func:`list_profiles`) or a path to a ``.toml`` file.

    Returns
    -------
    GloveProfile
        The validated profile.

    Raises
    ------
    ProfileError
        Unknown name (the message lists the known ones), unreadable file, bad content.
    """
    text_name = os.fspath(name_or_path)
    if text_name in list_profiles():
        resource = files(__name__).joinpath(f"{text_name}.toml")
        return parse_profile(resource.read_text(encoding="utf-8"), f"profile {text_name!r}")
    path = Path(text_name)
    if path.suffix.lower() == ".toml" or path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise ProfileError(f"cannot read profile {path}: {err}") from None
        return parse_profile(text, str(path))
    known = ", ".join(list_profiles())
    raise ProfileError(f"unknown glove profile {text_name!r} (known: {known})")
