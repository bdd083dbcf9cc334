"""The ``glove-v1`` *config* characteristic: compact UTF-8 JSON describing the glove.

Part of :mod:`sensors.protocol` (import from there).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sensors.exceptions import ProtocolError
from sensors.profiles import Region
from sensors.protocol.gatt import MAX_CHANNELS, MAX_CONFIG_BYTES, PROTOCOL_VERSION, as_bytes

if TYPE_CHECKING:
    from sensors.profiles import GloveProfile

__all__ = ["GloveConfig", "decode_config", "encode_config"]

_CONFIG_UNITS = "N"  # v1: counts x scale = newtons
_MAX_NAME = 64


@dataclass(frozen=True, slots=True)
class GloveConfig:
    """What the *config* characteristic says about the glove.

    Parameters
    ----------
    name : str
        Glove name (1–64 characters).
    firmware : str
        Firmware version string.
    sample_rate_hz : float
        Current sample rate in Hz (> 0).
    value_scale : float
        Newtons per count for a linear glove (> 0; informative, the profile's
        calibration wins).
    units : str
        Unit of ``counts × value_scale``; ``"N"`` in protocol version 1.
    sensors : tuple of (str, str, float, float)
        ``(name, region, x, y)`` per channel, in wire order; ``region`` a
        :class:`~sensors.profiles.Region` value, ``x``, ``y`` in ``[0, 1]`` on the hand
        map (right hand, palm view; see :mod:`sensors.profiles`).
    profile : str
        Name of the glove profile to use (e.g. ``"reference-glove"``), may be empty.
    """

    name: str
    firmware: str
    sample_rate_hz: float
    value_scale: float
    units: str
    sensors: tuple[tuple[str, str, float, float], ...]
    profile: str = ""

    @property
    def channel_names(self) -> tuple[str, ...]:
        """Sensor names in wire order."""
        return tuple(s[0] for s in self.sensors)

    @property
    def regions(self) -> tuple[str, ...]:
        """Sensor regions in wire order."""
        return tuple(s[1] for s in self.sensors)

    @classmethod
    def from_profile(
        cls,
        profile: GloveProfile,
        *,
        name: str | None = None,
        firmware: str = "",
        value_scale: float | None = None,
    ) -> GloveConfig:
        """Describe a glove built to ``profile`` (what its firmware would report).

        Parameters
        ----------
        profile : GloveProfile
            The glove's profile.
        name : str or None
            Glove name; default the profile name.
        firmware : str
            Firmware version string.
        value_scale : float or None
            Newtons per count; default the profile's common linear scale.

        Returns
        -------
        GloveConfig
            Channels, regions, positions and rate taken from the profile.

        Raises
        ------
        ValueError
            If ``value_scale`` is not given and the sensors do not share one linear
            calibration.
        """
        if value_scale is None:
            calibrations = {s.calibration for s in profile.sensors}
            common = calibrations.pop() if len(calibrations) == 1 else None
            if common is None or common.kind != "linear" or common.offset != 0.0:
                raise ValueError(
                    f"profile {profile.name!r} has no common linear scale; pass value_scale"
                )
            value_scale = common.scale
        return cls(
            name=profile.name if name is None else name,
            firmware=firmware,
            sample_rate_hz=float(profile.sample_rate_hz),
            value_scale=float(value_scale),
            units=_CONFIG_UNITS,
            sensors=tuple(
                (s.name, str(s.region), float(s.position[0]), float(s.position[1]))
                for s in profile.sensors
            ),
            profile=profile.name,
        )

    def mismatches(self, profile: GloveProfile, rate_tolerance: float = 0.01) -> list[str]:
        """List how this glove disagrees with ``profile`` (empty when it matches).

        Channel names and regions must agree in wire order, and the sample rate within
        ``rate_tolerance`` (relative). Positions are not compared: the profile's hand
        map is authoritative.

        Parameters
        ----------
        profile : GloveProfile
            The profile the central means to calibrate with.
        rate_tolerance : float
            Allowed relative sample-rate difference.

        Returns
        -------
        list of str
            One human-readable line per disagreement.
        """
        problems: list[str] = []
        if profile.protocol != "glove-v1":
            problems.append(f"profile {profile.name!r} is for {profile.protocol}, not glove-v1")
        if self.channel_names != profile.channel_names:
            problems.append(
                f"glove reports sensors {list(self.channel_names)}, profile "
                f"{profile.name!r} expects {list(profile.channel_names)}"
            )
        elif self.regions != profile.regions:
            problems.append(
                f"glove reports regions {list(self.regions)}, profile "
                f"{profile.name!r} expects {list(profile.regions)}"
            )
        if abs(self.sample_rate_hz - profile.sample_rate_hz) > rate_tolerance * max(
            profile.sample_rate_hz, 1e-12
        ):
            problems.append(
                f"glove samples at {self.sample_rate_hz:g} Hz, profile {profile.name!r} "
                f"at {profile.sample_rate_hz:g} Hz"
            )
        return problems

    def matches(self, profile: GloveProfile) -> bool:
        """Return True when :meth:`mismatches` finds nothing."""
        return not self.mismatches(profile)


def encode_config(config: GloveConfig) -> bytes:
    """Serialise a config to compact UTF-8 JSON (≤ 512 bytes).

    Parameters
    ----------
    config : GloveConfig
        The glove description.

    Returns
    -------
    bytes
        The characteristic value; :func:`decode_config` returns an equal config.

    Raises
    ------
    ValueError
        If the result exceeds 512 bytes or would not pass :func:`decode_config`
        (raised as :class:`~sensors.exceptions.ProtocolError`, a ``ValueError``).
    """
    doc = {
        "v": PROTOCOL_VERSION,
        "name": config.name,
        "fw": config.firmware,
        "rate_hz": config.sample_rate_hz,
        "scale": config.value_scale,
        "units": config.units,
        "profile": config.profile,
        "sensors": [[n, r, x, y] for n, r, x, y in config.sensors],
    }
    try:
        data = json.dumps(doc, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as err:
        raise ValueError(f"config cannot be encoded: {err}") from None
    encoded = data.encode("utf-8")
    decode_config(encoded)  # the encoder never emits what the decoder would refuse
    return encoded


def _reject_constant(name: str) -> Any:
    raise ProtocolError(f"config: {name} is not valid JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for key, value in pairs:
        if key in doc:
            raise ProtocolError(f"config: duplicate key {key!r}")
        doc[key] = value
    return doc


def _config_field(doc: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    if key not in doc:
        raise ProtocolError(f"config: missing field {key!r}")
    value = doc[key]
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ProtocolError(f"config: field {key!r} has the wrong type")
    return value


def _config_number(value: Any, where: str, low: float, high: float, *, strict_low: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolError(f"config: {where} must be a number")
    try:
        number = float(value)
    except OverflowError:  # a JSON integer with hundreds of digits
        raise ProtocolError(f"config: {where} is out of range") from None
    too_low = number <= low if strict_low else number < low
    if not math.isfinite(number) or too_low or number > high:
        bound = ">" if strict_low else ">="
        raise ProtocolError(f"config: {where} must be {bound} {low:g} and <= {high:g}")
    return number


def _config_text(doc: dict[str, Any], key: str, *, empty_ok: bool = False) -> str:
    value = _config_field(doc, key, str)
    if (not value and not empty_ok) or len(value) > _MAX_NAME:
        raise ProtocolError(f"config: field {key!r} must be 1..{_MAX_NAME} characters")
    return value


_REGIONS = frozenset(r.value for r in Region)


def _config_sensor(entry: Any, index: int) -> tuple[str, str, float, float]:
    where = f"sensors[{index}]"
    if not isinstance(entry, list) or len(entry) != 4:
        raise ProtocolError(f"config: {where} must be [name, region, x, y]")
    name, region, x, y = entry
    if not isinstance(name, str) or not 1 <= len(name) <= _MAX_NAME:
        raise ProtocolError(f"config: {where} name must be a string of 1..{_MAX_NAME}")
    if region not in _REGIONS:
        raise ProtocolError(
            f"config: {where} region {region!r} unknown (known: {', '.join(sorted(_REGIONS))})"
        )
    return (
        name,
        region,
        _config_number(x, f"{where} x", 0.0, 1.0, strict_low=False),
        _config_number(y, f"{where} y", 0.0, 1.0, strict_low=False),
    )


def decode_config(data: bytes | bytearray | memoryview) -> GloveConfig:
    """Parse and validate the *config* characteristic.

    Unknown keys are ignored (a later firmware may add optional keys within v1).

    Parameters
    ----------
    data : bytes, bytearray or memoryview
        The characteristic value.

    Returns
    -------
    GloveConfig
        The validated description.

    Raises
    ------
    ProtocolError
        For anything but a valid config document: not bytes, over 512 bytes, not
        UTF-8 JSON (NaN/Infinity and duplicate keys included), not an object, a
        missing or mistyped field, an unknown version, region or units, duplicate
        sensor names, a non-positive rate or scale, a position outside ``[0, 1]``.
    """
    raw = as_bytes(data, "config")
    if len(raw) > MAX_CONFIG_BYTES:
        raise ProtocolError(f"config too long: {len(raw)} bytes (max {MAX_CONFIG_BYTES})")
    try:
        doc = json.loads(
            raw.decode("utf-8"), object_pairs_hook=_unique_keys, parse_constant=_reject_constant
        )
    except ProtocolError:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise ProtocolError(f"config is not UTF-8 JSON: {err}") from None
    if not isinstance(doc, dict):
        raise ProtocolError("config must be a JSON object")
    version = _config_field(doc, "v", int)
    if version != PROTOCOL_VERSION:
        raise ProtocolError(
            f"config: unsupported protocol version {version} (this reads {PROTOCOL_VERSION})"
        )
    number = (int, float)
    rate = _config_number(
        _config_field(doc, "rate_hz", number), "rate_hz", 0.0, 1e6, strict_low=True
    )
    scale = _config_number(_config_field(doc, "scale", number), "scale", 0.0, 1e6, strict_low=True)
    units = _config_field(doc, "units", str)
    if units != _CONFIG_UNITS:
        raise ProtocolError(f"config: units must be {_CONFIG_UNITS!r} in v1, got {units!r}")
    sensors_doc = _config_field(doc, "sensors", list)
    if not 1 <= len(sensors_doc) <= MAX_CHANNELS:
        raise ProtocolError(f"config: 1..{MAX_CHANNELS} sensors required")
    sensors = tuple(_config_sensor(entry, i) for i, entry in enumerate(sensors_doc))
    names = [s[0] for s in sensors]
    if len(set(names)) != len(names):
        raise ProtocolError(f"config: duplicate sensor names in {names}")
    profile = doc.get("profile", "")
    if not isinstance(profile, str) or len(profile) > _MAX_NAME:
        raise ProtocolError("config: field 'profile' must be a string")
    return GloveConfig(
        name=_config_text(doc, "name"),
        firmware=_config_text(doc, "fw", empty_ok=True),
        sample_rate_hz=rate,
        value_scale=scale,
        units=units,
        sensors=sensors,
        profile=profile,
    )
