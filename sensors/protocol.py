r"""The glove wire protocol: bytes ↔ samples (pure functions, no I/O).

Two profiles are supported; ``docs/glove-protocol.md`` is the normative description.

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

    All little-endian. Counts convert to newtons with the glove profile's calibration.
    The *config* characteristic (read) is compact UTF-8 JSON (:class:`GloveConfig`); the
    *control* characteristic (write) takes one opcode byte plus an optional u16 argument.

``nus-text``
    DIY gloves sending ``t_ms,v1,v2,...\\n`` lines over the Nordic UART Service; lines
    may be split across notifications (:class:`LineAssembler` rejoins them).

Every decoder raises :class:`~sensors.exceptions.ProtocolError` (a ``ValueError``) for
any malformed input, and no other exception.
"""

from __future__ import annotations

import enum
import json
import math
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

from sensors.exceptions import ProtocolError

__all__ = [
    "BATTERY_LEVEL_CHAR_UUID",
    "BATTERY_SERVICE_UUID",
    "CONFIG_CHAR_UUID",
    "CONTROL_CHAR_UUID",
    "GLOVE_SERVICE_UUID",
    "HEADER_SIZE",
    "MAX_NOTIFICATION_BYTES",
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
# Base UUID 6d61-7373 ("mass") chosen at random for this protocol; characteristics differ
# in the first group only.
GLOVE_SERVICE_UUID = "6d617373-0001-4a8e-9c1b-7f3e2a5d0c11"
SAMPLES_CHAR_UUID = "6d617373-0002-4a8e-9c1b-7f3e2a5d0c11"
CONFIG_CHAR_UUID = "6d617373-0003-4a8e-9c1b-7f3e2a5d0c11"
CONTROL_CHAR_UUID = "6d617373-0004-4a8e-9c1b-7f3e2a5d0c11"
NUS_SERVICE_UUID = "6e400001-b5a3-f393-e0a9-e50e24dcca9e"
NUS_RX_CHAR_UUID = "6e400002-b5a3-f393-e0a9-e50e24dcca9e"  # central → glove (write)
NUS_TX_CHAR_UUID = "6e400003-b5a3-f393-e0a9-e50e24dcca9e"  # glove → central (notify)
BATTERY_SERVICE_UUID = "0000180f-0000-1000-8000-00805f9b34fb"
BATTERY_LEVEL_CHAR_UUID = "00002a19-0000-1000-8000-00805f9b34fb"

MAX_NOTIFICATION_BYTES = 244  # ATT MTU 247 (BLE 4.2+ data length extension) minus 3
MAX_CHANNELS = 32
MAX_CONFIG_BYTES = 512  # largest attribute value ATT allows
MAX_TEXT_LINE = 512
_HEADER = struct.Struct("<BBHIHBB")
HEADER_SIZE = _HEADER.size  # 12
_U16_MAX = 0xFFFF
_U32_WRAP = 1 << 32
_FLAG_TARE = 0x01


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
        Sample interval in µs, 1–65535.
    raw : numpy.ndarray
        Counts, shape ``(count, channels)``, each 0–65535.
    tared : bool
        The glove applied a tare just before this batch.
    version : int
        Protocol version.
    """

    seq: int
    t0_us: int
    dt_us: int
    raw: np.ndarray
    tared: bool = False
    version: int = PROTOCOL_VERSION

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SamplePacket):
            return NotImplemented
        return (
            (self.seq, self.t0_us, self.dt_us, self.tared, self.version)
            == (other.seq, other.t0_us, other.dt_us, other.tared, other.version)
            and self.raw.shape == other.raw.shape
            and bool(np.array_equal(self.raw, other.raw))
        )

    __hash__ = None  # type: ignore[assignment]


def max_samples_per_packet(channels: int, payload: int = MAX_NOTIFICATION_BYTES) -> int:
    """Largest batch of ``channels``-wide samples that fits one notification.

    Raises
    ------
    ValueError
        If not even one sample fits.
    """
    if not 1 <= channels <= MAX_CHANNELS:
        raise ValueError(f"channels must be 1..{MAX_CHANNELS}, got {channels}")
    count = min(255, (payload - HEADER_SIZE) // (2 * channels))
    if count < 1:
        raise ValueError(f"{channels} channels do not fit a {payload}-byte notification")
    return count


def encode(packet: SamplePacket) -> bytes:
    """Serialise a :class:`SamplePacket` to notification bytes.

    Raises
    ------
    ValueError
        If a field is out of range (the encoder is for our simulator and tests).
    """
    raw = np.asarray(packet.raw)
    if raw.ndim != 2 or not 1 <= raw.shape[0] <= 255 or not 1 <= raw.shape[1] <= MAX_CHANNELS:
        raise ValueError(f"raw must be (1..255, 1..{MAX_CHANNELS}), got {raw.shape}")
    if raw.size and (raw.min() < 0 or raw.max() > _U16_MAX):
        raise ValueError("raw counts must be within 0..65535")
    if not (0 <= packet.seq <= _U16_MAX and 0 <= packet.t0_us < _U32_WRAP):
        raise ValueError("seq must be u16 and t0_us u32")
    if not 1 <= packet.dt_us <= _U16_MAX:
        raise ValueError("dt_us must be 1..65535")
    header = _HEADER.pack(
        packet.version,
        _FLAG_TARE if packet.tared else 0,
        packet.seq,
        packet.t0_us,
        packet.dt_us,
        raw.shape[0],
        raw.shape[1],
    )
    return header + raw.astype("<u2").tobytes()


def decode(packet: bytes | bytearray | memoryview) -> SamplePacket:
    """Parse a ``glove-v1`` samples notification.

    Parameters
    ----------
    packet : bytes-like
        The notification value.

    Returns
    -------
    SamplePacket
        The batch, ``raw`` as int64 ``(count, channels)``.

    Raises
    ------
    ProtocolError
        For any malformed input (and nothing else).
    """
    try:
        data = bytes(packet)
    except Exception as err:  # e.g. a str or an int: still "malformed input"
        raise ProtocolError(f"packet must be bytes, got {type(packet).__name__}") from err
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


@dataclass(frozen=True, slots=True)
class GloveConfig:
    """What the *config* characteristic says about the glove.

    Parameters
    ----------
    name : str
        Glove name.
    firmware : str
        Firmware version string.
    sample_rate_hz : float
        Current sample rate.
    value_scale : float
        Newtons per count of an uncalibrated linear glove (informative; the profile's
        calibration wins).
    units : str
        Unit of ``value_scale`` (``"N"``).
    sensors : tuple of (str, str, float, float)
        ``(name, region, x, y)`` per channel, in wire order.
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


def encode_config(config: GloveConfig) -> bytes:
    """Serialise a config to compact UTF-8 JSON (≤ 512 bytes).

    Raises
    ------
    ValueError
        If the result exceeds 512 bytes.
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
    data = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()
    if len(data) > MAX_CONFIG_BYTES:
        raise ValueError(
            f"config is {len(data)} bytes, the characteristic holds {MAX_CONFIG_BYTES}"
        )
    return data


def _field(doc: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    if key not in doc:
        raise ProtocolError(f"config: missing field {key!r}")
    value = doc[key]
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ProtocolError(f"config: field {key!r} has the wrong type")
    return value


def decode_config(data: bytes | bytearray | memoryview) -> GloveConfig:
    """Parse and validate the *config* characteristic.

    Raises
    ------
    ProtocolError
        For anything but a valid config document.
    """
    try:
        raw = bytes(data)
    except Exception as err:
        raise ProtocolError("config must be bytes") from err
    if len(raw) > MAX_CONFIG_BYTES:
        raise ProtocolError(f"config too long: {len(raw)} bytes")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise ProtocolError(f"config is not UTF-8 JSON: {err}") from None
    if not isinstance(doc, dict):
        raise ProtocolError("config must be a JSON object")
    version = _field(doc, "v", int)
    if version != PROTOCOL_VERSION:
        raise ProtocolError(f"config: unsupported protocol version {version}")
    rate = float(_field(doc, "rate_hz", (int, float)))
    scale = float(_field(doc, "scale", (int, float)))
    if not (math.isfinite(rate) and rate > 0 and math.isfinite(scale) and scale > 0):
        raise ProtocolError("config: rate_hz and scale must be finite and > 0")
    sensors_doc = _field(doc, "sensors", list)
    if not 1 <= len(sensors_doc) <= MAX_CHANNELS:
        raise ProtocolError(f"config: 1..{MAX_CHANNELS} sensors required")
    sensors: list[tuple[str, str, float, float]] = []
    for i, entry in enumerate(sensors_doc):
        ok = (
            isinstance(entry, list)
            and len(entry) == 4
            and isinstance(entry[0], str)
            and isinstance(entry[1], str)
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in entry[2:])
        )
        if not ok or not all(math.isfinite(float(v)) for v in entry[2:]):
            raise ProtocolError(f"config: sensors[{i}] must be [name, region, x, y]")
        sensors.append((entry[0], entry[1], float(entry[2]), float(entry[3])))
    profile = doc.get("profile", "")
    if not isinstance(profile, str):
        raise ProtocolError("config: field 'profile' has the wrong type")
    return GloveConfig(
        name=_field(doc, "name", str),
        firmware=_field(doc, "fw", str),
        sample_rate_hz=rate,
        value_scale=scale,
        units=_field(doc, "units", str),
        sensors=tuple(sensors),
        profile=profile,
    )


# -- control characteristic --------------------------------------------------------------


class Command(enum.IntEnum):
    """Opcodes of the *control* characteristic."""

    START = 0x01
    STOP = 0x02
    TARE = 0x03
    SET_RATE = 0x04  # argument: u16 sample rate in Hz


def encode_command(command: Command, value: int | None = None) -> bytes:
    """Serialise a control command.

    Raises
    ------
    ValueError
        If ``SET_RATE`` lacks a 1–65535 argument, or another command has one.
    """
    if command is Command.SET_RATE:
        if value is None or not 1 <= value <= _U16_MAX:
            raise ValueError("SET_RATE needs a rate of 1..65535 Hz")
        return bytes([command]) + struct.pack("<H", value)
    if value is not None:
        raise ValueError(f"{command.name} takes no argument")
    return bytes([command])


def decode_command(data: bytes | bytearray | memoryview) -> tuple[Command, int | None]:
    """Parse a control command (the glove's side; used by tests and fakes).

    Raises
    ------
    ProtocolError
        Unknown opcode or wrong length.
    """
    try:
        raw = bytes(data)
    except Exception as err:
        raise ProtocolError("command must be bytes") from err
    if not raw:
        raise ProtocolError("empty command")
    try:
        command = Command(raw[0])
    except ValueError:
        raise ProtocolError(f"unknown command opcode 0x{raw[0]:02x}") from None
    if command is Command.SET_RATE:
        if len(raw) != 3:
            raise ProtocolError("SET_RATE must be 3 bytes")
        rate = struct.unpack_from("<H", raw, 1)[0]
        if rate == 0:
            raise ProtocolError("SET_RATE of 0 Hz")
        return command, rate
    if len(raw) != 1:
        raise ProtocolError(f"{command.name} must be 1 byte")
    return command, None


# -- NUS text lines ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class TextSample:
    """One ``t_ms,v1,v2,...`` line: device milliseconds and raw values ``(channels,)``."""

    t_ms: int
    values: np.ndarray


def encode_text_line(t_ms: int, values: Any) -> bytes:
    r"""Format one sample as a ``t_ms,v1,...\\n`` line (integers for integer values)."""
    parts = [str(int(t_ms))]
    for v in np.asarray(values).ravel():
        parts.append(str(int(v)) if float(v).is_integer() else repr(float(v)))
    return (",".join(parts) + "\n").encode("ascii")


def decode_text_line(line: bytes | str, channels: int | None = None) -> TextSample:
    """Parse one text line (with or without its newline).

    Parameters
    ----------
    line : bytes or str
        The line.
    channels : int or None
        Expected number of values, if known.

    Raises
    ------
    ProtocolError
        Non-ASCII, empty, non-numeric, negative or non-finite fields, wrong count.
    """
    try:
        text = line.decode("ascii") if isinstance(line, bytes | bytearray) else str(line)
    except UnicodeDecodeError:
        raise ProtocolError("text line is not ASCII") from None
    text = text.strip()
    if not text:
        raise ProtocolError("empty text line")
    if len(text) > MAX_TEXT_LINE:
        raise ProtocolError(f"text line longer than {MAX_TEXT_LINE} characters")
    fields = text.split(",")
    if len(fields) < 2:
        raise ProtocolError(f"text line needs t_ms and at least one value: {text[:40]!r}")
    if channels is not None and len(fields) - 1 != channels:
        raise ProtocolError(f"text line has {len(fields) - 1} values, expected {channels}")
    if not fields[0].strip().isdigit():
        raise ProtocolError(f"t_ms is not a non-negative integer: {fields[0][:20]!r}")
    try:
        values = np.array([float(f) for f in fields[1:]], dtype=np.float64)
    except ValueError:
        raise ProtocolError(f"non-numeric value in text line: {text[:40]!r}") from None
    if values.size > MAX_CHANNELS or not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ProtocolError(f"values must be 1..{MAX_CHANNELS} finite non-negative numbers")
    return TextSample(int(fields[0]), values)


class LineAssembler:
    """Rejoin text lines split arbitrarily across notifications.

    A line longer than :data:`MAX_TEXT_LINE` is dropped (counted in
    :attr:`overlong`) and assembly resumes at the next newline, so one bad burst cannot
    stall the stream or grow memory without bound.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._skipping = False
        self.overlong = 0

    def feed(self, chunk: bytes | bytearray | memoryview) -> list[bytes]:
        """Add a notification's bytes; return the complete lines it finished (no newline)."""
        *complete, tail = bytes(chunk).split(b"\n")
        lines = [line for piece in complete for line in self._finish(piece)]
        self._append(tail)
        return lines

    def _finish(self, piece: bytes) -> list[bytes]:
        if self._skipping:
            self._skipping = False
            self._buffer.clear()
            return []
        line = bytes(self._buffer) + piece
        self._buffer.clear()
        if len(line) > MAX_TEXT_LINE:
            self.overlong += 1
            return []
        line = line.rstrip(b"\r")
        return [line] if line else []

    def _append(self, tail: bytes) -> None:
        if self._skipping:
            return
        self._buffer.extend(tail)
        if len(self._buffer) > MAX_TEXT_LINE:
            self.overlong += 1
            self._buffer.clear()
            self._skipping = True


# -- stream bookkeeping ------------------------------------------------------------------


class SequenceTracker:
    """Count notifications lost between consecutive u16 sequence numbers.

    :meth:`update` returns the number lost since the previous packet (0 for the next
    one in order); a packet that is a duplicate or older than the previous one (within
    half the sequence space) returns ``-1`` and should be discarded.
    """

    def __init__(self) -> None:
        self._last: int | None = None

    def reset(self) -> None:
        """Forget the previous sequence number (after a reconnect)."""
        self._last = None

    def update(self, seq: int) -> int:
        """Register ``seq``; return packets lost before it, or -1 for a stale packet."""
        if not 0 <= seq <= _U16_MAX:
            raise ProtocolError(f"sequence number out of range: {seq}")
        if self._last is None:
            self._last = seq
            return 0
        delta = (seq - self._last) & _U16_MAX
        if delta == 0 or delta > 0x8000:
            return -1
        self._last = seq
        return delta - 1


class DeviceClock:
    """Unwrap a wrapping device counter onto seconds since the stream's first sample.

    Parameters
    ----------
    wrap : int
        Counter modulus (``2**32`` for ``t0_us``).
    ticks_per_s : float
        Counter rate (1e6 for µs, 1e3 for the text profile's ms).
    """

    def __init__(self, wrap: int = _U32_WRAP, ticks_per_s: float = 1e6) -> None:
        self._wrap = wrap
        self._ticks_per_s = ticks_per_s
        self._origin: int | None = None
        self._last: int | None = None
        self._epoch = 0

    def reset(self) -> None:
        """Start a new timeline (the next reading becomes 0 s)."""
        self._origin = self._last = None
        self._epoch = 0

    def to_seconds(self, ticks: int) -> float:
        """Map a raw counter reading to seconds on the unwrapped timeline."""
        ticks %= self._wrap
        if self._origin is None:
            self._origin = ticks
        elif ticks < self._last and self._last - ticks > self._wrap // 2:
            self._epoch += 1  # the counter wrapped
        self._last = ticks
        return (self._epoch * self._wrap + ticks - self._origin) / self._ticks_per_s
