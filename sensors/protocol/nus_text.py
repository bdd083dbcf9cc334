r"""The ``nus-text`` profile: ``t_ms,v1,v2,...\n`` lines over the Nordic UART Service.

Part of :mod:`sensors.protocol` (import from there). Lines may be split across
notifications; :class:`LineAssembler` rejoins them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from sensors.exceptions import ProtocolError
from sensors.protocol.gatt import MAX_CHANNELS, MAX_TEXT_LINE, as_bytes, check_int

__all__ = ["LineAssembler", "TextSample", "decode_text_line", "encode_text_line"]

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
    stamp = check_int(t_ms, 0, _T_MS_LIMIT - 1, "t_ms")
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
            text = as_bytes(line, "text line").decode("ascii")
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
        data = as_bytes(chunk, "notification")
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
