r"""The glove wire protocol: bytes ↔ samples (pure functions, no I/O).

Two profiles are supported; ``docs/glove-protocol.md`` is the normative description
(GATT table, byte layouts, worked example, timing and versioning rules).

``glove-v1``
    A custom GATT service. The *samples* characteristic notifies batches of samples::

        offset size field
        0      1    version      (PROTOCOL_VERSION = 1)
        1      1    flags        (bit 0: a tare was applied just before this batch; others 0)
        2      2    seq          u16, +1 per notification, wraps 65535 → 0
        4      4    t0_us        u32 device time of the first sample, µs, wraps
        8      2    dt_us        u16 sample interval, µs (> 0)
        10     1    count        samples in this batch (≥ 1)
        11     1    channels     values per sample (1–32)
        12     2*count*channels  u16 counts, sample-major (s0c0, s0c1, …, s1c0, …)

    All little-endian, no CRC (the BLE link layer already protects every packet with a
    CRC-24 and retransmits; a corrupted notification is never delivered). Counts convert
    to newtons with the glove profile's calibration. The *config* characteristic (read)
    is compact UTF-8 JSON (:class:`GloveConfig`); the *control* characteristic (write)
    takes one opcode byte plus an optional u16 argument (:class:`Command`).

``nus-text``
    DIY gloves sending ``t_ms,v1,v2,...\n`` lines over the Nordic UART Service; lines
    may be split across notifications (:class:`LineAssembler` rejoins them).

Every decoder (:func:`decode`, :func:`decode_config`, :func:`decode_command`,
:func:`decode_text_line`, :func:`decode_battery_level`) raises
:class:`~sensors.exceptions.ProtocolError` (a ``ValueError``) for any malformed input,
including input that is not bytes at all, and no other exception.
"""

from __future__ import annotations

import enum
import json
import math
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sensors.exceptions import ProtocolError
from sensors.profiles import Region

if TYPE_CHECKING:
    from sensors.profiles import GloveProfile

__all__ = [
    "BATTERY_LEVEL_CHAR_UUID",
    "BATTERY_SERVICE_UUID",
    "CONFIG_CHAR_UUID",
    "CONTROL_CHAR_UUID",
    "GLOVE_SERVICE_UUID",
    "HEADER_SIZE",
    "MAX_CHANNELS",
    "MAX_CONFIG_BYTES",
    "MAX_NOTIFICATION_BYTES",
    "MAX_SET_RATE_HZ",
    "MAX_TEXT_LINE",
    "MIN_SET_RATE_HZ",
    "NUS_RX_CHAR_UUID",
    "NUS_SERVICE_UUID",
    "NUS_TX_CHAR_UUID",
    "PROTOCOL_VERSION",
    "SAMPLES_CHAR_UUID",
    "Command",
    "DeviceClock",
    "GloveConfig",
    "LineAssembler",
    "SamplePacket",
    "SequenceTracker",
    "TextSample",
    "decode",
    "decode_battery_level",
    "decode_command",
    "decode_config",
    "decode_text_line",
    "encode",
    "encode_command",
    "encode_config",
    "encode_text_line",
    "max_samples_per_packet",
]

PROTOCOL_VERSION = 1
# This protocol's 128-bit base: first group ASCII "mass", last three groups drawn at random;
# the service and its characteristics differ only in the second group.
GLOVE_SERVICE_UUID = "6d617373-0001-4a8e-9c1b-7f3e2a5d0c11"
SAMPLES_CHAR_UUID = "6d617373-0002-4a8e-9c1b-7f3e2a5d0c11"
CONFIG_CHAR_UUID = "6d617373-0003-4a8e-9c1b-7f3e2a5d0c11"
CONTROL_CHAR_UUID = "6d617373-0004-4a8e-9c1b-7f3e2a5d0c11"
# Nordic UART Service (Nordic Semiconductor's published UUIDs).
NUS_SERVICE_UUID = "6e400001-b5a3-f393-e0a9-e50e24dcca9e"
NUS_RX_CHAR_UUID = "6e400002-b5a3-f393-e0a9-e50e24dcca9e"  # central → glove (write)
NUS_TX_CHAR_UUID = "6e400003-b5a3-f393-e0a9-e50e24dcca9e"  # glove → central (notify)
# Bluetooth SIG Battery Service 0x180F / Battery Level 0x2A19 on the SIG base UUID.
BATTERY_SERVICE_UUID = "0000180f-0000-1000-8000-00805f9b34fb"
BATTERY_LEVEL_CHAR_UUID = "00002a19-0000-1000-8000-00805f9b34fb"

MAX_NOTIFICATION_BYTES = 244  # ATT MTU 247 (BLE 4.2+ data length extension) minus 3
MAX_CHANNELS = 32
MAX_CONFIG_BYTES = 512  # largest attribute value ATT allows
MAX_TEXT_LINE = 512
# SET_RATE bounds: dt_us is a u16, so rates below 1e6/65535 ≈ 15.3 Hz cannot be sent.
MIN_SET_RATE_HZ = 16
MAX_SET_RATE_HZ = 0xFFFF

_HEADER = struct.Struct("<BBHIHBB")
HEADER_SIZE = _HEADER.size  # 12
_U16_MAX = 0xFFFF
_U32_WRAP = 1 << 32
_FLAG_TARE = 0x01
_MAX_BATCH = 0xFF


def _as_bytes(data: object, what: str) -> bytes:
    """Return ``data`` as bytes if it is bytes-like, else raise ProtocolError."""
    if isinstance(data, bytes):
        return data
    if isinstance(data, bytearray):
        return bytes(data)
    if isinstance(data, memoryview):
        try:
            return data.tobytes()
        except (TypeError, ValueError) as err:  # e.g. a released view
            raise ProtocolError(f"{what}: unusable memoryview ({err})") from None
    raise ProtocolError(f"{what} must be bytes, got {type(data).__name__}")


# -- samples characteristic --------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class SamplePacket:
    """One samples notification of the ``glove-v1`` profile.

    Parameters
    ----------
    seq : int
        Notification sequence number, 0–65535 (wraps).
    t0_us : int
        Device time of the first sample in µs, 0–2**32-1 (wraps every ≈71.6 min).
    dt_us : int
        Sample interval in µs, 1–65535. Sample ``i`` was taken at ``t0_us + i * dt_us``.
    raw : numpy.ndarray
        Counts, shape ``(count, channels)``, each 0–65535 (``count`` 1–255,
        ``channels`` 1–32).
    tared : bool
        The glove applied a tare just before this batch (flag bit 0).
    version : int
        Protocol version.

    Notes
    -----
    Equality compares every field and the counts by value; packets are not hashable.
    """

    seq: int
    t0_us: int
    dt_us: int
    raw: np.ndarray
    tared: bool = False
    version: int = PROTOCOL_VERSION

    @property
    def count(self) -> int:
        """Samples in the batch."""
        return int(np.shape(self.raw)[0])

    @property
    def channels(self) -> int:
        """Values per sample."""
        return int(np.shape(self.raw)[1])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SamplePacket):
            return NotImplemented
        mine, theirs = np.asarray(self.raw), np.asarray(other.raw)
        return (
            (self.seq, self.t0_us, self.dt_us, self.tared, self.version)
            == (other.seq, other.t0_us, other.dt_us, other.tared, other.version)
            and mine.shape == theirs.shape
            and bool(np.array_equal(mine, theirs))
        )

    __hash__ = None  # type: ignore[assignment]


def max_samples_per_packet(channels: int, payload: int = MAX_NOTIFICATION_BYTES) -> int:
    """Largest batch of ``channels``-wide samples that fits one notification.

    Parameters
    ----------
    channels : int
        Values per sample, 1–32.
    payload : int
        Notification payload in bytes (ATT MTU − 3; 244 for an MTU of 247).

    Returns
    -------
    int
        ``min(255, (payload − 12) // (2 × channels))``.

    Raises
    ------
    ValueError
        If ``channels`` is out of range or not even one sample fits.
    """
    if not 1 <= channels <= MAX_CHANNELS:
        raise ValueError(f"channels must be 1..{MAX_CHANNELS}, got {channels}")
    count = min(_MAX_BATCH, (payload - HEADER_SIZE) // (2 * channels))
    if count < 1:
        raise ValueError(f"{channels} channels do not fit a {payload}-byte notification")
    return count


def _check_int(value: object, low: int, high: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer, got {type(value).__name__}")
    if not low <= int(value) <= high:
        raise ValueError(f"{name} must be within {low}..{high}, got {value}")
    return int(value)


def encode(packet: SamplePacket) -> bytes:
    """Serialise a :class:`SamplePacket` to notification bytes.

    Parameters
    ----------
    packet : SamplePacket
        The batch; ``raw`` must hold whole numbers 0–65535, shape ``(1–255, 1–32)``.

    Returns
    -------
    bytes
        ``12 + 2 × count × channels`` bytes.

    Raises
    ------
    ValueError
        If a field is out of range (the encoder serves our simulator, fakes and tests).
    """
    raw = np.asarray(packet.raw)
    if (
        raw.ndim != 2
        or not 1 <= raw.shape[0] <= _MAX_BATCH
        or not 1 <= raw.shape[1] <= MAX_CHANNELS
    ):
        raise ValueError(f"raw must be (1..{_MAX_BATCH}, 1..{MAX_CHANNELS}), got {raw.shape}")
    if raw.dtype.kind not in "iu":
        if raw.dtype.kind != "f" or not np.all(np.isfinite(raw)) or np.any(raw != np.rint(raw)):
            raise ValueError(f"raw counts must be whole numbers, got dtype {raw.dtype}")
    if raw.min() < 0 or raw.max() > _U16_MAX:
        raise ValueError("raw counts must be within 0..65535")
    version = _check_int(packet.version, 0, 0xFF, "version")
    seq = _check_int(packet.seq, 0, _U16_MAX, "seq")
    t0_us = _check_int(packet.t0_us, 0, _U32_WRAP - 1, "t0_us")
    dt_us = _check_int(packet.dt_us, 1, _U16_MAX, "dt_us")
    flags = _FLAG_TARE if packet.tared else 0
    header = _HEADER.pack(version, flags, seq, t0_us, dt_us, raw.shape[0], raw.shape[1])
    return header + raw.astype("<u2").tobytes()


def decode(packet: bytes | bytearray | memoryview) -> SamplePacket:
    """Parse a ``glove-v1`` samples notification.

    Parameters
    ----------
    packet : bytes, bytearray or memoryview
        The notification value.

    Returns
    -------
    SamplePacket
        The batch, ``raw`` as int64 ``(count, channels)``.

    Raises
    ------
    ProtocolError
        For any malformed input (and nothing else): not bytes, shorter than the header,
        unknown version, reserved flag bits, zero samples/channels, more than 32
        channels, ``dt_us`` of 0, or a length other than ``12 + 2 × count × channels``.
    """
    data = _as_bytes(packet, "packet")
    if len(data) < HEADER_SIZE:
        raise ProtocolError(f"packet too short: {len(data)} bytes, header needs {HEADER_SIZE}")
    version, flags, seq, t0_us, dt_us, count, channels = _HEADER.unpack_from(data)
    if version != PROTOCOL_VERSION:
        raise ProtocolError(
            f"unsupported protocol version {version} (this reads {PROTOCOL_VERSION})"
        )
    if flags & ~_FLAG_TARE:
        raise ProtocolError(f"reserved flag bits set: 0x{flags:02x}")
    if count == 0 or not 1 <= channels <= MAX_CHANNELS:
        raise ProtocolError(f"bad batch shape: {count} samples x {channels} channels")
    if dt_us == 0:
        raise ProtocolError("sample interval dt_us is 0")
    expected = HEADER_SIZE + 2 * count * channels
    if len(data) != expected:
        raise ProtocolError(
            f"length {len(data)} does not match {count} x {channels} samples ({expected} bytes)"
        )
    raw = np.frombuffer(data, dtype="<u2", offset=HEADER_SIZE).reshape(count, channels)
    return SamplePacket(seq, t0_us, dt_us, raw.astype(np.int64), bool(flags & _FLAG_TARE), version)


# -- config characteristic ---------------------------------------------------------------

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
    raw = _as_bytes(data, "config")
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


# -- control characteristic --------------------------------------------------------------


class Command(enum.IntEnum):
    """Opcodes of the *control* characteristic (one byte, then the argument if any)."""

    START = 0x01
    STOP = 0x02
    TARE = 0x03
    SET_RATE = 0x04  # argument: u16 sample rate in Hz, MIN_SET_RATE_HZ..MAX_SET_RATE_HZ


def encode_command(command: Command, value: int | None = None) -> bytes:
    """Serialise a control command.

    Parameters
    ----------
    command : Command
        The opcode.
    value : int or None
        ``SET_RATE``'s rate in Hz (16–65535); ``None`` for the other commands.

    Returns
    -------
    bytes
        One byte, or three for ``SET_RATE`` (opcode, u16 little-endian).

    Raises
    ------
    ValueError
        If ``SET_RATE`` lacks a valid rate, or another command has an argument.
    """
    command = Command(command)
    if command is Command.SET_RATE:
        if value is None:
            raise ValueError("SET_RATE needs a rate in Hz")
        rate = _check_int(value, MIN_SET_RATE_HZ, MAX_SET_RATE_HZ, "SET_RATE rate (Hz)")
        return bytes([command]) + struct.pack("<H", rate)
    if value is not None:
        raise ValueError(f"{command.name} takes no argument")
    return bytes([command])


def decode_command(data: bytes | bytearray | memoryview) -> tuple[Command, int | None]:
    """Parse a control command (the glove's side; used by fakes and tests).

    Parameters
    ----------
    data : bytes, bytearray or memoryview
        The written value.

    Returns
    -------
    tuple of (Command, int or None)
        The command and its argument (rate in Hz for ``SET_RATE``).

    Raises
    ------
    ProtocolError
        Not bytes, empty, unknown opcode, wrong length, or a rate out of range.
    """
    raw = _as_bytes(data, "command")
    if not raw:
        raise ProtocolError("empty command")
    try:
        command = Command(raw[0])
    except ValueError:
        raise ProtocolError(f"unknown command opcode 0x{raw[0]:02x}") from None
    if command is Command.SET_RATE:
        if len(raw) != 3:
            raise ProtocolError(f"SET_RATE must be 3 bytes, got {len(raw)}")
        rate = struct.unpack_from("<H", raw, 1)[0]
        if rate < MIN_SET_RATE_HZ:
            raise ProtocolError(f"SET_RATE of {rate} Hz (minimum {MIN_SET_RATE_HZ})")
        return command, rate
    if len(raw) != 1:
        raise ProtocolError(f"{command.name} must be 1 byte, got {len(raw)}")
    return command, None


def decode_battery_level(data: bytes | bytearray | memoryview) -> int:
    """Parse the standard Battery Level characteristic (0x2A19).

    Parameters
    ----------
    data : bytes, bytearray or memoryview
        The characteristic value: one unsigned byte.

    Returns
    -------
    int
        Battery level in percent, 0–100.

    Raises
    ------
    ProtocolError
        Not exactly one byte, or above 100.
    """
    raw = _as_bytes(data, "battery level")
    if len(raw) != 1 or raw[0] > 100:
        raise ProtocolError(f"battery level must be one byte 0..100, got {raw.hex() or 'nothing'}")
    return raw[0]


# -- NUS text lines ----------------------------------------------------------------------

_T_MS = re.compile(r"[0-9]{1,20}")
_VALUE = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,15})?")
_T_MS_LIMIT = 1 << 64


@dataclass(frozen=True, slots=True, eq=False)
class TextSample:
    """One ``t_ms,v1,v2,...`` line.

    Parameters
    ----------
    t_ms : int
        Device time in milliseconds (wrapping counter, e.g. Arduino ``millis()``).
    values : numpy.ndarray
        Raw readings, shape ``(channels,)``, float64, non-negative.
    """

    t_ms: int
    values: np.ndarray


def encode_text_line(t_ms: int, values: Iterable[float] | np.ndarray) -> bytes:
    r"""Format one sample as a ``t_ms,v1,...\n`` line.

    Parameters
    ----------
    t_ms : int
        Device time in ms, 0 ≤ t_ms < 2**64.
    values : array_like
        Raw readings ``(channels,)``, finite and non-negative; whole numbers are written
        as integers, others in plain decimal notation.

    Returns
    -------
    bytes
        ASCII line ending in ``\n``.

    Raises
    ------
    ValueError
        For a negative or non-finite value or time, or more than 32 values.
    """
    stamp = _check_int(t_ms, 0, _T_MS_LIMIT - 1, "t_ms")
    row = np.asarray(values, dtype=np.float64).ravel()
    if not 1 <= row.size <= MAX_CHANNELS:
        raise ValueError(f"a line carries 1..{MAX_CHANNELS} values, got {row.size}")
    if not np.all(np.isfinite(row)) or np.any(row < 0):
        raise ValueError("text values must be finite and non-negative")
    parts = [str(stamp)]
    for v in row:
        if float(v).is_integer():
            parts.append(str(int(v)))
        else:
            parts.append(np.format_float_positional(v, precision=6, trim="-"))
    return (",".join(parts) + "\n").encode("ascii")


def decode_text_line(
    line: bytes | bytearray | memoryview | str, channels: int | None = None
) -> TextSample:
    """Parse one text line (with or without its newline).

    Fields may carry surrounding spaces; ``t_ms`` is an unsigned integer below 2**64,
    each value an unsigned decimal (``17``, ``3.25``); no signs, exponents, NaN or
    infinities.

    Parameters
    ----------
    line : bytes, bytearray, memoryview or str
        The line.
    channels : int or None
        Expected number of values, if known.

    Returns
    -------
    TextSample
        Time and values ``(channels,)``.

    Raises
    ------
    ProtocolError
        Not text, non-ASCII, empty, longer than 512 characters, a malformed field, no
        values, more than 32 values, or not ``channels`` values.
    """
    if isinstance(line, str):
        text = line
    else:
        try:
            text = _as_bytes(line, "text line").decode("ascii")
        except UnicodeDecodeError:
            raise ProtocolError("text line is not ASCII") from None
    if len(text) > MAX_TEXT_LINE:
        raise ProtocolError(f"text line longer than {MAX_TEXT_LINE} characters")
    if not text.isascii():
        raise ProtocolError("text line is not ASCII")
    text = text.strip()
    if not text:
        raise ProtocolError("empty text line")
    fields = [f.strip() for f in text.split(",")]
    if len(fields) < 2:
        raise ProtocolError(f"text line needs t_ms and at least one value: {text[:40]!r}")
    if len(fields) - 1 > MAX_CHANNELS:
        raise ProtocolError(f"text line has {len(fields) - 1} values (max {MAX_CHANNELS})")
    if channels is not None and len(fields) - 1 != channels:
        raise ProtocolError(f"text line has {len(fields) - 1} values, expected {channels}")
    if not _T_MS.fullmatch(fields[0]) or int(fields[0]) >= _T_MS_LIMIT:
        raise ProtocolError(f"t_ms is not an unsigned integer: {fields[0][:24]!r}")
    bad = next((f for f in fields[1:] if not _VALUE.fullmatch(f)), None)
    if bad is not None:
        raise ProtocolError(f"value is not an unsigned decimal: {bad[:24]!r}")
    values = np.array([float(f) for f in fields[1:]], dtype=np.float64)
    return TextSample(int(fields[0]), values)


class LineAssembler:
    r"""Rejoin ``\n``-terminated text lines split arbitrarily across notifications.

    Memory is bounded: at most ``max_line + 1`` bytes of an unfinished line are kept.
    A longer line is cut there, counted in :attr:`overlong`, and still returned when
    its newline arrives, so :func:`decode_text_line` rejects it with a
    :class:`~sensors.exceptions.ProtocolError` (the consumer counts it as a bad line)
    and assembly goes on with the next line.

    Parameters
    ----------
    max_line : int
        Longest acceptable line in bytes, without the newline.
    """

    def __init__(self, max_line: int = MAX_TEXT_LINE) -> None:
        self._max = max_line
        self._buffer = bytearray()
        self._cut = False
        self.overlong = 0

    @property
    def pending(self) -> int:
        """Bytes of the unfinished line held (never more than ``max_line + 1``)."""
        return len(self._buffer)

    def reset(self) -> None:
        """Drop any unfinished line (after a reconnect)."""
        self._buffer.clear()
        self._cut = False

    def feed(self, chunk: bytes | bytearray | memoryview) -> list[bytes]:
        r"""Add one notification's bytes.

        Parameters
        ----------
        chunk : bytes, bytearray or memoryview
            The notification value.

        Returns
        -------
        list of bytes
            Lines completed by this chunk, without ``\n`` (or a trailing ``\r``);
            empty lines are skipped.

        Raises
        ------
        ProtocolError
            If ``chunk`` is not bytes-like (the assembler's state is unchanged).
        """
        data = _as_bytes(chunk, "notification")
        lines: list[bytes] = []
        start = 0
        while True:
            end = data.find(b"\n", start)
            self._extend(data[start:] if end < 0 else data[start:end])
            if end < 0:
                return lines
            line = self._take()
            if line:
                lines.append(line)
            start = end + 1

    def _extend(self, piece: bytes) -> None:
        room = self._max + 1 - len(self._buffer)
        if len(piece) > room:
            self._cut = True
            piece = piece[: max(room, 0)]
        self._buffer += piece

    def _take(self) -> bytes:
        line = bytes(self._buffer)
        self._buffer.clear()
        if self._cut or len(line) > self._max:
            self._cut = False
            self.overlong += 1
            return line  # longer than max_line: decode_text_line refuses it
        return line.rstrip(b"\r")


# -- stream bookkeeping ------------------------------------------------------------------


class SequenceTracker:
    """Count notifications lost between consecutive u16 sequence numbers.

    :meth:`update` returns the number of packets lost since the last accepted one
    (0 for the next in order, across the 65535 → 0 wrap too). A duplicate, or a packet
    up to half the sequence space behind the last accepted one (reordered, late),
    returns ``-1``: discard it.

    A glove that restarts its counter without a reconnect would otherwise have every
    packet look stale; after ``resync_after`` consecutive stale packets the tracker
    accepts the current one as the new reference and returns how many it discarded
    (``resync_after - 1`` ≥ 1), so the consumer marks a gap.

    Parameters
    ----------
    resync_after : int
        Consecutive stale packets that trigger a resynchronisation (≥ 2).
    """

    def __init__(self, resync_after: int = 16) -> None:
        if resync_after < 2:
            raise ValueError("resync_after must be >= 2")
        self._resync_after = resync_after
        self._last: int | None = None
        self._stale_run = 0

    @property
    def last(self) -> int | None:
        """The last accepted sequence number, or None before the first."""
        return self._last

    def reset(self) -> None:
        """Forget the previous sequence number (after a reconnect)."""
        self._last = None
        self._stale_run = 0

    def update(self, seq: int) -> int:
        """Register ``seq``.

        Parameters
        ----------
        seq : int
            The packet's sequence number, 0–65535.

        Returns
        -------
        int
            Packets lost before this one (≥ 0), or -1 for a stale packet to discard.

        Raises
        ------
        ProtocolError
            If ``seq`` is not within 0–65535.
        """
        if isinstance(seq, bool) or not isinstance(seq, int | np.integer):
            raise ProtocolError(f"sequence number must be an integer, got {seq!r}")
        seq = int(seq)
        if not 0 <= seq <= _U16_MAX:
            raise ProtocolError(f"sequence number out of range: {seq}")
        if self._last is None:
            self._last = seq
            return 0
        delta = (seq - self._last) & _U16_MAX
        if delta == 0 or delta > 0x8000:
            self._stale_run += 1
            if self._stale_run < self._resync_after:
                return -1
            self._last = seq
            self._stale_run = 0
            return self._resync_after - 1
        self._last = seq
        self._stale_run = 0
        return delta - 1


class DeviceClock:
    """Unwrap a wrapping device counter onto seconds since the stream's first reading.

    Each reading is placed at the unwrapped time nearest the previous reading, so a
    forward wrap (``2**32 - 5`` → ``3``) advances time and a slightly older, reordered
    reading steps back a little instead of jumping a whole wrap ahead. A step of more
    than half the wrap backwards counts as a wrap forwards; readings must therefore
    arrive at least every half wrap (≈ 35.8 min for µs, ≈ 24.9 days for ms).

    Parameters
    ----------
    wrap : int
        Counter modulus (``2**32`` for ``t0_us`` and Arduino ``millis()``).
    ticks_per_s : float
        Counter rate (1e6 for µs, 1e3 for the text profile's ms).
    """

    def __init__(self, wrap: int = _U32_WRAP, ticks_per_s: float = 1e6) -> None:
        if wrap < 2 or not ticks_per_s > 0:
            raise ValueError("wrap must be >= 2 and ticks_per_s > 0")
        self._wrap = int(wrap)
        self._ticks_per_s = float(ticks_per_s)
        self._last: int | None = None
        self._unwrapped = 0  # ticks since the first reading

    def reset(self) -> None:
        """Start a new timeline (the next reading becomes 0 s)."""
        self._last = None
        self._unwrapped = 0

    def to_seconds(self, ticks: int) -> float:
        """Map a raw counter reading to seconds on the unwrapped timeline.

        Parameters
        ----------
        ticks : int
            Counter value (taken modulo ``wrap``).

        Returns
        -------
        float
            Seconds since the first reading after construction or :meth:`reset`.
        """
        ticks = int(ticks) % self._wrap
        if self._last is not None:
            step = (ticks - self._last) % self._wrap
            if step > self._wrap // 2:
                step -= self._wrap  # a reordered (older) reading, not a wrap
            self._unwrapped += step
        self._last = ticks
        return self._unwrapped / self._ticks_per_s
