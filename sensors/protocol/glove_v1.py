"""The ``glove-v1`` profile: the *samples* notifications and the *control* commands.

Part of :mod:`sensors.protocol` (import from there); the byte layout is in its
docstring and in ``docs/glove-protocol.md``.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass

import numpy as np

from sensors.exceptions import ProtocolError
from sensors.protocol.gatt import (
    MAX_CHANNELS,
    MAX_NOTIFICATION_BYTES,
    MAX_SET_RATE_HZ,
    MIN_SET_RATE_HZ,
    PROTOCOL_VERSION,
    U16_MAX,
    U32_WRAP,
    as_bytes,
    check_int,
)

__all__ = [
    "HEADER_SIZE",
    "Command",
    "SamplePacket",
    "decode",
    "decode_command",
    "encode",
    "encode_command",
    "max_samples_per_packet",
]

_HEADER = struct.Struct("<BBHIHBB")
HEADER_SIZE = _HEADER.size  # 12
_FLAG_TARE = 0x01
_MAX_BATCH = 0xFF


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
    if raw.min() < 0 or raw.max() > U16_MAX:
        raise ValueError("raw counts must be within 0..65535")
    version = check_int(packet.version, 0, 0xFF, "version")
    seq = check_int(packet.seq, 0, U16_MAX, "seq")
    t0_us = check_int(packet.t0_us, 0, U32_WRAP - 1, "t0_us")
    dt_us = check_int(packet.dt_us, 1, U16_MAX, "dt_us")
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
    data = as_bytes(packet, "packet")
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
        rate = check_int(value, MIN_SET_RATE_HZ, MAX_SET_RATE_HZ, "SET_RATE rate (Hz)")
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
    raw = as_bytes(data, "command")
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
