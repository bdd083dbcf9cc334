"""Reading captures: :func:`read_capture` recognises the format by content.

The native parser validates every byte, in small steps (fixed header, JSON header,
chunk framing, chunk payload), before it builds a :class:`~sensors.capture.model.Capture`.
"""

from __future__ import annotations

import json
import math
import os
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sensors._schema import Field, Invalid, Messages, Schema, chain, of
from sensors._schema import Path as DocPath
from sensors.capture._layout import (
    _CHUNK_HEAD,
    _CHUNK_HEAD_LEN,
    _CHUNK_MAGIC,
    _FLAG_GAP,
    _FORMAT_NAME,
    _HEADER,
    _MAX_CHANNELS,
    _MAX_JSON_BYTES,
    _MAX_PAYLOAD_BYTES,
    _PAYLOAD_HEAD,
    FORMAT_VERSION,
    MAGIC,
)
from sensors.capture.csv_io import _looks_like_csv, read_csv
from sensors.capture.model import Capture
from sensors.exceptions import CaptureError, ProfileError
from sensors.profiles import GloveProfile

__all__ = ["read_capture"]

# Bytes read to tell the formats apart (a CSV header line, after a BOM and a sep= line).
_HEAD_BYTES = 64 * 1024


def read_capture(
    path: str | os.PathLike[str], *, profile: GloveProfile | str | None = None
) -> Capture:
    """Read a capture, native (``.mtcap``) or CSV, recognised by content.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    profile : GloveProfile, str or None
        For CSV only: the glove it came from (see :func:`read_csv`). Native
        captures carry their own profile and ignore this.

    Returns
    -------
    Capture
        The recording. For a native file whose tail was damaged by a crash,
        ``truncated`` is True and ``dropped_tail_bytes`` says how much was dropped.

    Raises
    ------
    CaptureError
        If the file is missing, unreadable, neither format, corrupt (other than a
        crash-damaged tail), or of a newer format version.
    """
    file = Path(path)
    try:
        with open(file, "rb") as fh:
            # Only the head decides the format: a CSV is then streamed, not held in memory.
            head = fh.read(_HEAD_BYTES)
            if head.startswith(MAGIC[:4]):
                fh.seek(0)
                data = fh.read()
    except FileNotFoundError:
        raise CaptureError(f"{file}: no such capture file") from None
    except IsADirectoryError:
        raise CaptureError(f"{file}: is a directory, not a capture file") from None
    except OSError as err:
        raise CaptureError(f"{file}: cannot read: {err.strerror or err}") from None
    if not head:
        raise CaptureError(f"{file}: empty file, not a capture")
    if head.startswith(MAGIC[:4]):
        return _parse_native(data, file)
    if _looks_like_csv(head):
        return read_csv(file, profile)
    raise CaptureError(
        f"{file}: not a capture (neither .mtcap nor CSV with a time column: "
        "time_s, time (s), time_ms or t_ms)"
    )


_Fail = Callable[[str], CaptureError]


@dataclass(frozen=True, slots=True)
class _Header:
    """The validated header of a native capture."""

    version: int
    profile: GloveProfile
    source: str
    started_at: str | None
    app_version: str | None
    metadata: dict[str, Any]
    end: int  # byte offset of the first chunk


@dataclass(slots=True)
class _Body:
    """The chunks read so far, and where (and why) reading stopped."""

    t_parts: list[np.ndarray] = field(default_factory=list)
    v_parts: list[np.ndarray] = field(default_factory=list)
    gap_starts: list[int] = field(default_factory=list)
    n_total: int = 0
    last_t: float = -math.inf
    pos: int = 0
    tail_error: str = ""


def _parse_native(data: bytes, file: Path) -> Capture:
    """Parse a whole native capture: header, then chunks up to the end or a damaged tail."""

    def fail(what: str) -> CaptureError:
        return CaptureError(f"{file}: {what}")

    header = _read_header(data, fail)
    channels = len(header.profile.sensors)
    body = _read_chunks(data, header.end, channels, fail)
    size = len(data)
    return Capture(
        path=file,
        profile=header.profile,
        t=np.concatenate(body.t_parts) if body.t_parts else np.zeros(0),
        values=np.concatenate(body.v_parts) if body.v_parts else np.zeros((0, channels)),
        gap_starts=np.asarray(body.gap_starts, dtype=np.int64),
        metadata=header.metadata,
        source=header.source,
        started_at=header.started_at,
        app_version=header.app_version,
        file_format="mtcap",
        format_version=header.version,
        truncated=bool(body.tail_error),
        dropped_tail_bytes=size - body.pos if body.tail_error else 0,
        tail_error=body.tail_error,
    )


def _read_header(data: bytes, fail: _Fail) -> _Header:
    """Validate the fixed header, then the JSON document it frames."""
    version, json_len, json_crc = _fixed_header(data, fail)
    end = _HEADER.size + json_len
    if len(data) < end:
        raise fail("truncated capture header")
    doc = _header_document(data[_HEADER.size : end], json_crc, fail)
    fields = _HEADER_DOC.validate(
        doc, Messages(_HEADER_MESSAGES, lambda message, path: fail(message))
    )
    return _Header(version=int(version), end=end, **fields)


def _fixed_header(data: bytes, fail: _Fail) -> tuple[int, int, int]:
    """Check magic, version, reserved field and JSON length; return (version, len, crc)."""
    if len(data) < _HEADER.size:
        raise fail("truncated capture header")
    magic, version, reserved, json_len, json_crc = _HEADER.unpack_from(data, 0)
    if magic != MAGIC:
        raise fail("bad magic bytes, not a capture file (or damaged by a text transfer)")
    if version == 0 or version > FORMAT_VERSION:
        raise fail(
            f"capture format version {version} is not supported (this program reads "
            f"up to {FORMAT_VERSION})"
        )
    if reserved != 0:
        raise fail("corrupt capture header (reserved field set)")
    if json_len > _MAX_JSON_BYTES:
        raise fail(f"corrupt capture header (metadata length {json_len})")
    return version, json_len, json_crc


def _header_document(body: bytes, json_crc: int, fail: _Fail) -> Any:
    """Check the JSON header's CRC and parse it."""
    if zlib.crc32(body) != json_crc:
        raise fail("corrupt capture header (CRC mismatch)")
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise fail("corrupt capture header (not JSON)") from None
    except RecursionError:  # a megabyte of '[' fits the length limit (found by fuzzing)
        raise fail("corrupt capture header (nested too deeply)") from None


def _read_chunks(data: bytes, start: int, channels: int, fail: _Fail) -> _Body:
    """Read chunks from ``start`` until the end of the file or a crash-damaged tail."""
    body = _Body(pos=start)
    while body.pos < len(data):
        framed = _chunk_payload(data, body.pos, fail)
        if isinstance(framed, str):
            body.tail_error = framed
            break
        payload, end = framed
        t, values, gap = _decode_payload(payload, body.pos, channels, body.last_t, fail)
        if gap:
            body.gap_starts.append(body.n_total)
        body.t_parts.append(t)
        body.v_parts.append(values)
        body.n_total += t.shape[0]
        body.last_t = float(t[-1])
        body.pos = end
    return body


def _chunk_payload(data: bytes, pos: int, fail: _Fail) -> tuple[bytes, int] | str:
    """Check the framing of the chunk at ``pos``.

    Returns
    -------
    tuple of (bytes, int) or str
        ``(payload, end offset)``, or why the tail is dropped (a crash-damaged tail).

    Raises
    ------
    CaptureError
        For damage that a crash cannot explain (a valid chunk follows, or a bad length).
    """
    size = len(data)
    if size - pos < _CHUNK_HEAD_LEN:
        return "incomplete chunk header at end of file"
    chunk_magic, payload_len, payload_crc = _CHUNK_HEAD.unpack_from(data, pos)
    (head_crc,) = struct.unpack_from("<I", data, pos + _CHUNK_HEAD.size)
    if chunk_magic != _CHUNK_MAGIC or zlib.crc32(data[pos : pos + 12]) != head_crc:
        if _valid_chunk_head_after(data, pos + 1):
            raise fail(f"corrupt chunk header at byte {pos} (damage inside the file)")
        return "unreadable bytes after the last complete chunk"
    if not 8 <= payload_len <= _MAX_PAYLOAD_BYTES:
        raise fail(f"corrupt chunk at byte {pos} (payload length {payload_len})")
    end = pos + _CHUNK_HEAD_LEN + payload_len
    if end > size:
        return "last chunk incomplete"
    payload = data[pos + _CHUNK_HEAD_LEN : end]
    if zlib.crc32(payload) != payload_crc:
        if end == size:
            return "last chunk damaged (CRC mismatch)"
        raise fail(f"corrupt chunk at byte {pos} (CRC mismatch inside the file)")
    return payload, end


def _decode_payload(
    payload: bytes, pos: int, channels: int, last_t: float, fail: _Fail
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Validate a chunk's payload; return its times ``(n,)``, values ``(n, c)``, gap flag."""
    n, c, flags = _PAYLOAD_HEAD.unpack_from(payload, 0)
    if c != channels or c > _MAX_CHANNELS:
        raise fail(f"chunk at byte {pos} has {c} channels, profile has {channels}")
    if n == 0 or len(payload) != _PAYLOAD_HEAD.size + 8 * n * (1 + c):
        raise fail(f"chunk at byte {pos} has inconsistent sizes (n={n}, c={c})")
    if flags & ~_FLAG_GAP:
        raise fail(f"chunk at byte {pos} has unknown flags {flags:#06x}")
    t = np.frombuffer(payload, dtype="<f8", count=n, offset=_PAYLOAD_HEAD.size)
    values = np.frombuffer(
        payload, dtype="<f8", count=n * c, offset=_PAYLOAD_HEAD.size + 8 * n
    ).reshape(n, c)
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(values))):
        raise fail(f"chunk at byte {pos} has a non-finite time or value")
    if t[0] <= last_t or (n > 1 and not np.all(np.diff(t) > 0)):
        raise fail(f"chunk at byte {pos}: sample times are not strictly increasing")
    return t, values, bool(flags & _FLAG_GAP)


def _valid_chunk_head_after(data: bytes, pos: int) -> bool:
    """Return True if a chunk header with a good CRC starts anywhere at or after ``pos``."""
    while True:
        pos = data.find(_CHUNK_MAGIC, pos)
        if pos < 0 or len(data) - pos < _CHUNK_HEAD_LEN:
            return False
        (head_crc,) = struct.unpack_from("<I", data, pos + _CHUNK_HEAD.size)
        if zlib.crc32(data[pos : pos + 12]) == head_crc:
            return True
        pos += 1


def _profile_from_header(raw: dict[str, Any], path: DocPath) -> GloveProfile:
    try:
        return GloveProfile.from_dict(raw)
    except ProfileError as err:
        raise Invalid("rule", path, message=f"invalid glove profile in header: {err}") from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
        # from_dict validates; these would mean a header it did not anticipate.
        why = f"invalid glove profile in header: {type(err).__name__}: {err}"
        raise Invalid("rule", path, message=why) from None


_HEADER_MESSAGES = {
    "marker": "corrupt capture header (not a massage-trainer capture)",
    "type": "corrupt capture header (bad field types)",
}
_NO_PROFILE = "corrupt capture header (no glove profile)"
_OPTIONAL_TEXT = of(str, type(None))

#: The JSON header of a native capture (unknown keys ignored).
_HEADER_DOC = Schema(
    (
        Field(
            "profile",
            chain(of(dict), _profile_from_header),
            says={"missing": _NO_PROFILE, "type": _NO_PROFILE},
        ),
        Field("source", of(str), default=""),
        Field("started_at", _OPTIONAL_TEXT, default=None),
        Field("app_version", _OPTIONAL_TEXT, default=None),
        Field("metadata", of(dict), default={}),
    ),
    marker=("format", _FORMAT_NAME),
)
