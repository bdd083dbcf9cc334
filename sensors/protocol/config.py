"""The ``glove-v1`` *config* characteristic: compact UTF-8 JSON describing the glove.

Part of :mod:`sensors.protocol` (import from there).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sensors._schema import (
    Field,
    Invalid,
    Messages,
    Path,
    Rule,
    Schema,
    chain,
    choice,
    items,
    list_of,
    number,
    of,
    rule,
    says,
    text,
)
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


def _where(path: Path) -> str:
    """Write a path as the config's messages do: ``sensors[2] x``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f" {part}" if out else str(part)
    return out


_MESSAGES = Messages(
    {
        "missing": "missing field {key!r}",
        "type": "field {key!r} has the wrong type",
        "list": "field {key!r} has the wrong type",
        "overflow": "{path} is out of range",
        **dict.fromkeys(("finite", "gt", "ge", "le"), "{path} must be {op} {low:g} and <= {le:g}"),
        "length": "field {key!r} must be 1..{max_len} characters",
    },
    lambda message, path: ProtocolError(f"config: {message}"),
    _where,
)

_REGIONS = frozenset(r.value for r in Region)
_RATE = number(gt=0.0, le=1e6)
_PLACE = says(number(ge=0.0, le=1.0), {"type": "{path} must be a number"})

_SENSOR = says(
    items(
        says(text(min_len=1, max_len=_MAX_NAME), f"{{path}} must be a string of 1..{_MAX_NAME}"),
        says(
            choice(_REGIONS),
            f"{{path}} {{value!r}} unknown (known: {', '.join(sorted(_REGIONS))})",
        ),
        _PLACE,
        _PLACE,
        names=("name", "region", "x", "y"),
    ),
    {"items": "{path} must be [name, region, x, y]"},
)


def _unique_names(parsed: dict[str, Any], path: Path) -> None:
    names = [s[0] for s in parsed["sensors"]]
    if len(set(names)) != len(names):
        raise Invalid("rule", ("sensors",), message=f"duplicate sensor names in {names}")


#: The config document, in checking order; unknown keys are ignored (a later firmware
#: may add optional keys within v1).
_CONFIG = Schema(
    (
        Field(
            "v",
            chain(
                of(int),
                rule(
                    lambda v: v == PROTOCOL_VERSION,
                    f"unsupported protocol version {{value}} (this reads {PROTOCOL_VERSION})",
                ),
            ),
        ),
        Field("rate_hz", _RATE),
        Field("scale", _RATE),
        Field(
            "units",
            chain(
                of(str),
                rule(
                    lambda u: u == _CONFIG_UNITS,
                    f"units must be {_CONFIG_UNITS!r} in v1, got {{value!r}}",
                ),
            ),
        ),
        Field(
            "sensors",
            says(
                list_of(_SENSOR, min_len=1, max_len=MAX_CHANNELS),
                {"length": f"1..{MAX_CHANNELS} sensors required"},
            ),
        ),
        Rule(_unique_names),
        Field(
            "profile", text(max_len=_MAX_NAME), default="", says="field 'profile' must be a string"
        ),
        Field("name", text(min_len=1, max_len=_MAX_NAME)),
        Field("fw", text(max_len=_MAX_NAME)),
    ),
    build=lambda d: GloveConfig(
        name=d["name"],
        firmware=d["fw"],
        sample_rate_hz=d["rate_hz"],
        value_scale=d["scale"],
        units=d["units"],
        sensors=tuple(d["sensors"]),
        profile=d["profile"],
    ),
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
    config: GloveConfig = _CONFIG.validate(doc, _MESSAGES)
    return config
