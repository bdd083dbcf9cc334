"""Capture files: crash-safe recordings of a glove stream, and CSV interchange.

A capture holds one stream of :class:`~sensors.blocks.SampleBlock` (times in seconds,
forces in newtons, gap markers) plus the glove profile it came from and a little
metadata. The native format (suffix ``.mtcap``) is an append-only chunked binary file
designed so that ``kill -9`` or a power cut during a recording loses at most about one
second, and the file still opens. The full layout is in ``docs/capture-format.md``;
in short (all integers little-endian)::

    file    := header chunk*
    header  := magic[8] version:u16 reserved:u16 json_len:u32 json_crc:u32 json[json_len]
    magic   := 89 4D 54 43 0D 0A 1A 0A          (0x89 "MTC" CR LF ^Z LF)
    json    := UTF-8 JSON object: {"format", "profile", "started_at", "source",
               "app_version", "metadata"}
    chunk   := "MTCK" payload_len:u32 payload_crc:u32 head_crc:u32 payload[payload_len]
    payload := n:u32 c:u16 flags:u16 t:f64[n] values:f64[n*c] (row-major, n x c)

``json_crc``, ``payload_crc`` and ``head_crc`` are CRC-32 (zlib) of, respectively,
the JSON bytes, the payload bytes, and the 12 chunk-header bytes before ``head_crc``.
``flags`` bit 0 means "samples were lost just before this chunk's first sample"; the
other bits must be 0. ``payload_len`` must equal ``8 + 8 * n * (1 + c)``.

Crash safety. The writer writes each chunk with unbuffered ``write`` calls (so a killed
process loses nothing already appended) and calls ``fsync`` at most every
``sync_interval_s`` (0.5 s by default) and on close (so a power cut loses at most
that much). The reader therefore treats a damaged *tail* as the expected crash case:
an incomplete chunk header, a chunk whose payload runs past the end of the file, a bad
CRC in the very last chunk, or bytes after the last good chunk in which no further
valid chunk header can be found are dropped, and the capture opens with
``truncated=True`` and the number of dropped bytes. Anything else -- bad magic, an
unknown version, a damaged JSON header, or a damaged chunk followed by a valid one
(corruption in the middle) -- raises :class:`~sensors.exceptions.CaptureError`, whose
one-line message names the file.

CSV interchange. :func:`write_csv` writes a header ``time_s,<sensor names>`` then one
row per sample (seconds, newtons), every float in Python's shortest round-tripping
``repr``, so a CSV round trip is exact. :func:`read_csv` reads that back; CSV carries no
gap markers, so a gap is inferred before every sample whose time step exceeds
``1.5 x`` the median time step (:data:`CSV_GAP_FACTOR`).
"""

from __future__ import annotations

import io
import itertools
import json
import math
import os
import struct
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import Any, Self, TextIO

import numpy as np

from sensors.blocks import SampleBlock
from sensors.exceptions import CaptureError, ProfileError
from sensors.profiles import DEFAULT_PROFILE, GloveProfile, list_profiles, load_profile

__all__ = [
    "CAPTURE_SUFFIX",
    "CSV_GAP_FACTOR",
    "FORMAT_VERSION",
    "MAGIC",
    "Capture",
    "CaptureWriter",
    "default_block_size",
    "read_capture",
    "read_csv",
    "trim_block",
    "write_csv",
]

#: File name suffix of native captures.
CAPTURE_SUFFIX = ".mtcap"
#: The 8 bytes every native capture starts with (PNG-style: a high-bit byte, CR LF, ^Z,
#: LF, so 7-bit transfers and newline conversion are detected).
MAGIC = b"\x89MTC\r\n\x1a\n"
#: The format version this module writes; the reader accepts versions up to this one.
FORMAT_VERSION = 1
#: A CSV gap is inferred where a time step exceeds this multiple of the median step.
CSV_GAP_FACTOR = 1.5

_FORMAT_NAME = "massage-trainer capture"
_HEADER = struct.Struct("<8sHHII")  # magic, version, reserved, json_len, json_crc
_CHUNK_MAGIC = b"MTCK"
_CHUNK_HEAD = struct.Struct("<4sII")  # magic, payload_len, payload_crc (+ head_crc u32)
_CHUNK_HEAD_LEN = _CHUNK_HEAD.size + 4
_PAYLOAD_HEAD = struct.Struct("<IHH")  # n samples, c channels, flags
_FLAG_GAP = 0x0001
# Limits the reader checks before allocating anything.
_MAX_JSON_BYTES = 1 << 20
_MAX_PAYLOAD_BYTES = 64 << 20
_MAX_CHANNELS = 4096
# The writer never puts more samples than this in one chunk (keeps chunks well under
# the reader's payload limit and bounds what one torn write can lose).
_MAX_CHUNK_SAMPLES = 4096
# Default replay/iteration batch: like a glove notification, at most 10 samples and
# at most 50 ms of signal.
_BATCH_SAMPLES = 10
_BATCH_SECONDS = 0.05


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("massage-trainer")
    except PackageNotFoundError:
        return "0.0.0+unknown"


def default_block_size(sample_rate_hz: float) -> int:
    """Return the default number of samples per block for a sample rate.

    Mimics a glove notification: at most 10 samples and at most 50 ms of signal.

    Parameters
    ----------
    sample_rate_hz : float
        Sample rate in Hz.

    Returns
    -------
    int
        Samples per block, >= 1.
    """
    if not math.isfinite(sample_rate_hz) or sample_rate_hz <= 0:
        return _BATCH_SAMPLES
    return max(1, min(_BATCH_SAMPLES, int(sample_rate_hz * _BATCH_SECONDS)))


# ----------------------------------------------------------------------------------
# The in-memory capture
# ----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Capture:
    """A whole recording in memory.

    Parameters
    ----------
    path : pathlib.Path or None
        File it was read from (``None`` if built in memory or read from a stream).
    profile : GloveProfile
        The glove that recorded it.
    t : numpy.ndarray
        Sample times in seconds, shape ``(n,)``, float64, finite, strictly increasing.
    values : numpy.ndarray
        Forces in newtons, shape ``(n, c)``, float64, finite, channel order as in
        ``profile.sensors``.
    gap_starts : numpy.ndarray
        Sorted indices ``(g,)`` (int64) of the samples preceded by a gap (lost samples).
    metadata : Mapping
        Free-form metadata stored with the capture (e.g. ``{"synthetic": True}``).
    source : str
        The source spec it was recorded from (``""`` if unknown, e.g. CSV).
    started_at : str or None
        Wall-clock start of the recording, ISO-8601 UTC (``None`` if unknown).
    app_version : str or None
        Version of the program that wrote it (``None`` if unknown).
    file_format : str
        ``"mtcap"`` or ``"csv"``: what it was read from.
    format_version : int
        Native format version (0 for CSV).
    truncated : bool
        True if a damaged tail (a crash during recording) was dropped when reading.
    dropped_tail_bytes : int
        Number of bytes dropped from that tail.
    tail_error : str
        Why the tail was dropped (``""`` when not truncated).

    Raises
    ------
    CaptureError
        If the arrays are inconsistent with each other or with the profile.
    """

    path: Path | None
    profile: GloveProfile
    t: np.ndarray
    values: np.ndarray
    gap_starts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    metadata: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""
    started_at: str | None = None
    app_version: str | None = None
    file_format: str = "mtcap"
    format_version: int = FORMAT_VERSION
    truncated: bool = False
    dropped_tail_bytes: int = 0
    tail_error: str = ""

    def __post_init__(self) -> None:
        t = np.array(self.t, dtype=np.float64, copy=True).reshape(-1)
        n = t.shape[0]
        channels = len(self.profile.sensors)
        values = np.array(self.values, dtype=np.float64, copy=True)
        if values.size == 0 and n == 0:
            values = values.reshape(0, channels)
        if values.ndim != 2 or values.shape != (n, channels):
            raise CaptureError(
                f"{self._name()}: values shape {values.shape} does not match "
                f"({n} samples, {channels} channels)"
            )
        if not np.all(np.isfinite(t)) or not np.all(np.isfinite(values)):
            raise CaptureError(f"{self._name()}: non-finite time or value")
        if n > 1 and not np.all(np.diff(t) > 0):
            raise CaptureError(f"{self._name()}: sample times are not strictly increasing")
        gaps = np.unique(np.asarray(self.gap_starts, dtype=np.int64).reshape(-1))
        if gaps.size and (gaps[0] < 0 or gaps[-1] >= n):
            raise CaptureError(f"{self._name()}: gap index out of range")
        for array in (t, values, gaps):
            array.flags.writeable = False
        object.__setattr__(self, "t", t)
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "gap_starts", gaps)
        object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))

    def _name(self) -> str:
        return str(self.path) if self.path is not None else "<capture>"

    @property
    def n_samples(self) -> int:
        """Number of samples."""
        return int(self.t.shape[0])

    @property
    def channel_names(self) -> tuple[str, ...]:
        """Sensor names, in channel order."""
        return tuple(self.profile.channel_names)

    @property
    def sample_rate_hz(self) -> float:
        """Sample rate in Hz, estimated as 1 / the median step between samples.

        Steps across gaps are ignored. With fewer than two samples (or no step
        outside a gap) the profile's nominal rate is returned.
        """
        steps = self._steps()
        if steps.size == 0:
            return float(self.profile.sample_rate_hz)
        return float(1.0 / np.median(steps))

    @property
    def duration_s(self) -> float:
        """Time the samples cover in seconds: last - first time + one sample period.

        Gaps inside the recording count towards the duration. 0 when empty.
        """
        if self.n_samples == 0:
            return 0.0
        return float(self.t[-1] - self.t[0] + 1.0 / self.sample_rate_hz)

    def _steps(self) -> np.ndarray:
        if self.n_samples < 2:
            return np.zeros(0)
        steps = np.diff(self.t)
        keep = np.ones(steps.shape[0], dtype=bool)
        inner = self.gap_starts[self.gap_starts > 0]
        keep[inner - 1] = False  # the step into sample i is steps[i - 1]
        return steps[keep]

    def block_bounds(self, block_size: int | None = None) -> list[tuple[int, int, bool]]:
        """Split the capture into blocks that never span a gap.

        Parameters
        ----------
        block_size : int or None
            Maximum samples per block; ``None`` picks a glove-notification-sized batch
            (at most 10 samples and 50 ms).

        Returns
        -------
        list of (int, int, bool)
            ``(start, stop, gap_before)`` per block: sample index range
            ``[start, stop)`` and whether a gap precedes it.

        Raises
        ------
        ValueError
            If ``block_size`` is < 1.
        """
        size = default_block_size(self.sample_rate_hz) if block_size is None else block_size
        if size < 1:
            raise ValueError(f"block_size must be >= 1, got {size}")
        gap_set = {int(g) for g in self.gap_starts}
        bounds = [0, *sorted(gap_set - {0}), self.n_samples]
        return [
            (start, min(start + size, hi), start in gap_set)
            for lo, hi in itertools.pairwise(bounds)
            for start in range(lo, hi, size)
        ]

    def blocks(self, block_size: int | None = None) -> Iterator[SampleBlock]:
        """Yield the capture as consecutive blocks, reproducing its gaps.

        A block never spans a gap: each sample in ``gap_starts`` starts a new block
        with ``gap_before=True``.

        Parameters
        ----------
        block_size : int or None
            Maximum samples per block; ``None`` picks a glove-notification-sized batch
            (at most 10 samples and 50 ms).

        Yields
        ------
        SampleBlock
            Blocks with ``seq`` counting from 0, times as recorded.

        Raises
        ------
        ValueError
            If ``block_size`` is < 1.
        """
        for seq, (start, stop, gap) in enumerate(self.block_bounds(block_size)):
            yield SampleBlock(
                self.t[start:stop], self.values[start:stop], self.profile, gap_before=gap, seq=seq
            )


# ----------------------------------------------------------------------------------
# Writing native captures
# ----------------------------------------------------------------------------------


def _encode_header(
    profile: GloveProfile,
    *,
    source: str,
    started_at: datetime,
    metadata: Mapping[str, Any],
) -> bytes:
    doc = {
        "format": _FORMAT_NAME,
        "profile": profile.to_dict(),
        "started_at": started_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "source": source,
        "app_version": _app_version(),
        "metadata": dict(metadata),
    }
    try:
        body = json.dumps(doc, ensure_ascii=False, allow_nan=False, sort_keys=True).encode()
    except (TypeError, ValueError) as err:
        raise CaptureError(f"capture metadata is not JSON-serialisable: {err}") from err
    if len(body) > _MAX_JSON_BYTES:
        raise CaptureError(f"capture header is {len(body)} bytes (limit {_MAX_JSON_BYTES})")
    return _HEADER.pack(MAGIC, FORMAT_VERSION, 0, len(body), zlib.crc32(body)) + body


def _encode_chunk(t: np.ndarray, values: np.ndarray, *, gap_before: bool) -> bytes:
    n, c = values.shape
    payload = b"".join(
        (
            _PAYLOAD_HEAD.pack(n, c, _FLAG_GAP if gap_before else 0),
            np.ascontiguousarray(t, dtype="<f8").tobytes(),
            np.ascontiguousarray(values, dtype="<f8").tobytes(),
        )
    )
    head = _CHUNK_HEAD.pack(_CHUNK_MAGIC, len(payload), zlib.crc32(payload))
    return head + struct.pack("<I", zlib.crc32(head)) + payload


def _fsync_dir(path: Path) -> None:
    # Make the new directory entry durable too; not possible on every platform.
    try:
        fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class CaptureWriter:
    """Append a stream of blocks to a native capture file, crash-safely.

    The header is written and synced on construction; every :meth:`append` goes
    straight to the operating system (a killed process loses nothing appended), and
    the file is synced (``fsync``) at most every ``sync_interval_s`` and on :meth:`close`
    (a power cut loses at most that much). Call :meth:`poll` while waiting for data
    so a pending sync is not held back by a quiet source.

    Parameters
    ----------
    path : str or os.PathLike
        File to create (conventionally with suffix ``.mtcap``).
    profile : GloveProfile
        The glove whose blocks will be appended; every block must carry an equal one.
    source : str
        The source spec being recorded (stored in the header).
    metadata : Mapping or None
        Free-form JSON-serialisable metadata (e.g. ``{"synthetic": True}``).
    sync_interval_s : float
        Longest time in seconds appended data may stay un-synced (> 0).
    overwrite : bool
        Replace an existing file. By default an existing file is never touched.
    started_at : datetime or None
        Wall-clock start of the recording (timezone-aware); default now.
    clock : callable
        Monotonic clock in seconds, for tests.

    Raises
    ------
    CaptureError
        If the file exists (and ``overwrite`` is false), or the metadata is unusable.
    OSError
        If the file cannot be created.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        profile: GloveProfile,
        *,
        source: str,
        metadata: Mapping[str, Any] | None = None,
        sync_interval_s: float = 0.5,
        overwrite: bool = False,
        started_at: datetime | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not (math.isfinite(sync_interval_s) and sync_interval_s > 0):
            raise ValueError(f"sync_interval_s must be > 0, got {sync_interval_s}")
        self.path = Path(path)
        self.profile = profile
        self.sync_interval_s = float(sync_interval_s)
        self._clock = clock
        self._channels = len(profile.sensors)
        self._last_t = -math.inf
        self._n_samples = 0
        self._n_chunks = 0
        self._dirty = False
        header = _encode_header(
            profile,
            source=source,
            started_at=started_at or datetime.now(UTC),
            metadata=metadata or {},
        )
        flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0)
        flags |= os.O_TRUNC if overwrite else os.O_EXCL
        try:
            self._fd: int | None = os.open(self.path, flags, 0o644)
        except FileExistsError:
            raise CaptureError(
                f"{self.path}: file exists, not overwriting a recording (use overwrite)"
            ) from None
        try:
            self._write(header)
            os.fsync(self._fd)
            _fsync_dir(self.path)
        except BaseException:
            self._abandon()
            raise
        self._last_sync = self._clock()

    # -- properties --------------------------------------------------------------------

    @property
    def n_samples(self) -> int:
        """Samples appended so far."""
        return self._n_samples

    @property
    def n_chunks(self) -> int:
        """Chunks written so far."""
        return self._n_chunks

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has run."""
        return self._fd is None

    # -- writing -----------------------------------------------------------------------

    def append(self, block: SampleBlock) -> None:
        """Append a block (written through to the OS at once, synced per the interval).

        Parameters
        ----------
        block : SampleBlock
            The next block of the stream; its profile must equal the writer's and its
            first time must be later than the last one appended.

        Raises
        ------
        CaptureError
            If the writer is closed, the profile differs, times go backwards, or a
            value is not finite.
        OSError
            If the write fails (disk full ...).
        """
        if self._fd is None:
            raise CaptureError(f"{self.path}: capture writer is closed")
        if len(block) == 0:
            return
        if block.profile is not self.profile and block.profile != self.profile:
            raise CaptureError(
                f"{self.path}: block from glove {block.profile.name!r}, capture is "
                f"for {self.profile.name!r}"
            )
        if not np.all(np.isfinite(block.t)) or not np.all(np.isfinite(block.values)):
            raise CaptureError(f"{self.path}: block {block.seq} has a non-finite time or value")
        if block.t[0] <= self._last_t:
            raise CaptureError(
                f"{self.path}: block {block.seq} starts at t={block.t[0]!r} s, not after "
                f"the previous sample (t={self._last_t!r} s)"
            )
        for start in range(0, len(block), _MAX_CHUNK_SAMPLES):
            stop = start + _MAX_CHUNK_SAMPLES
            self._write(
                _encode_chunk(
                    block.t[start:stop],
                    block.values[start:stop],
                    gap_before=block.gap_before and start == 0,
                )
            )
            self._n_chunks += 1
        self._n_samples += len(block)
        self._last_t = float(block.t[-1])
        self._dirty = True
        self.poll()

    def poll(self) -> bool:
        """Sync if data is pending and ``sync_interval_s`` has passed since the last sync.

        Returns
        -------
        bool
            True if a sync happened.
        """
        if self._fd is None or not self._dirty:
            return False
        if self._clock() - self._last_sync < self.sync_interval_s:
            return False
        self.sync()
        return True

    def sync(self) -> None:
        """Force everything appended so far onto the disk (``fsync``)."""
        if self._fd is None:
            return
        os.fsync(self._fd)
        self._dirty = False
        self._last_sync = self._clock()

    def close(self) -> None:
        """Sync and close the file. Idempotent."""
        if self._fd is None:
            return
        try:
            os.fsync(self._fd)
        finally:
            os.close(self._fd)
            self._fd = None

    def _write(self, data: bytes) -> None:
        assert self._fd is not None
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]

    def _abandon(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def trim_block(block: SampleBlock, t_end: float) -> SampleBlock | None:
    """Return the part of ``block`` strictly before ``t_end`` (``None`` if empty).

    Parameters
    ----------
    block : SampleBlock
        A block.
    t_end : float
        End time in seconds, on the block's timeline (exclusive).

    Returns
    -------
    SampleBlock or None
        ``block`` itself if it ends before ``t_end``, a shortened copy, or ``None``.
    """
    keep = int(np.count_nonzero(block.t < t_end))
    if keep == len(block):
        return block
    if keep == 0:
        return None
    return SampleBlock(
        block.t[:keep], block.values[:keep], block.profile, block.gap_before, block.seq
    )


# ----------------------------------------------------------------------------------
# Reading native captures
# ----------------------------------------------------------------------------------


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
        data = file.read_bytes()
    except FileNotFoundError:
        raise CaptureError(f"{file}: no such capture file") from None
    except IsADirectoryError:
        raise CaptureError(f"{file}: is a directory, not a capture file") from None
    except OSError as err:
        raise CaptureError(f"{file}: cannot read: {err.strerror or err}") from None
    if not data:
        raise CaptureError(f"{file}: empty file, not a capture")
    if data.startswith(MAGIC[:4]):
        return _parse_native(data, file)
    if _looks_like_csv(data):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise CaptureError(f"{file}: CSV is not valid UTF-8 (byte {err.start})") from None
        return _parse_csv(io.StringIO(text, newline=None), file, profile)
    raise CaptureError(f"{file}: not a capture (neither .mtcap nor CSV with a time_s header)")


def _looks_like_csv(data: bytes) -> bool:
    head = data[:64].removeprefix(b"\xef\xbb\xbf").lstrip(b" \t")
    return head[:6].lower() == b"time_s"


def _parse_native(data: bytes, file: Path) -> Capture:
    def fail(what: str) -> CaptureError:
        return CaptureError(f"{file}: {what}")

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
    start = _HEADER.size + json_len
    if len(data) < start:
        raise fail("truncated capture header")
    body = data[_HEADER.size : start]
    if zlib.crc32(body) != json_crc:
        raise fail("corrupt capture header (CRC mismatch)")
    try:
        doc = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise fail("corrupt capture header (not JSON)") from None
    if not isinstance(doc, dict) or doc.get("format") != _FORMAT_NAME:
        raise fail("corrupt capture header (not a massage-trainer capture)")
    profile = _profile_from_header(doc.get("profile"), fail)
    source = doc.get("source", "")
    started_at = doc.get("started_at")
    app_version = doc.get("app_version")
    metadata = doc.get("metadata", {})
    if (
        not isinstance(source, str)
        or not isinstance(started_at, str | None)
        or not isinstance(app_version, str | None)
        or not isinstance(metadata, dict)
    ):
        raise fail("corrupt capture header (bad field types)")

    channels = len(profile.sensors)
    t_parts: list[np.ndarray] = []
    v_parts: list[np.ndarray] = []
    gap_starts: list[int] = []
    n_total = 0
    last_t = -math.inf
    pos = start
    tail_error = ""
    size = len(data)
    while pos < size:
        if size - pos < _CHUNK_HEAD_LEN:
            tail_error = "incomplete chunk header at end of file"
            break
        chunk_magic, payload_len, payload_crc = _CHUNK_HEAD.unpack_from(data, pos)
        (head_crc,) = struct.unpack_from("<I", data, pos + _CHUNK_HEAD.size)
        if chunk_magic != _CHUNK_MAGIC or zlib.crc32(data[pos : pos + 12]) != head_crc:
            if _valid_chunk_head_after(data, pos + 1):
                raise fail(f"corrupt chunk header at byte {pos} (damage inside the file)")
            tail_error = "unreadable bytes after the last complete chunk"
            break
        if not 8 <= payload_len <= _MAX_PAYLOAD_BYTES:
            raise fail(f"corrupt chunk at byte {pos} (payload length {payload_len})")
        end = pos + _CHUNK_HEAD_LEN + payload_len
        if end > size:
            tail_error = "last chunk incomplete"
            break
        payload = data[pos + _CHUNK_HEAD_LEN : end]
        if zlib.crc32(payload) != payload_crc:
            if end == size:
                tail_error = "last chunk damaged (CRC mismatch)"
                break
            raise fail(f"corrupt chunk at byte {pos} (CRC mismatch inside the file)")
        n, c, flags = _PAYLOAD_HEAD.unpack_from(payload, 0)
        if c != channels or c > _MAX_CHANNELS:
            raise fail(f"chunk at byte {pos} has {c} channels, profile has {channels}")
        if n == 0 or payload_len != _PAYLOAD_HEAD.size + 8 * n * (1 + c):
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
        if flags & _FLAG_GAP:
            gap_starts.append(n_total)
        t_parts.append(t)
        v_parts.append(values)
        n_total += n
        last_t = float(t[-1])
        pos = end

    t_all = np.concatenate(t_parts) if t_parts else np.zeros(0)
    v_all = np.concatenate(v_parts) if v_parts else np.zeros((0, channels))
    return Capture(
        path=file,
        profile=profile,
        t=t_all,
        values=v_all,
        gap_starts=np.asarray(gap_starts, dtype=np.int64),
        metadata=metadata,
        source=source,
        started_at=started_at,
        app_version=app_version,
        file_format="mtcap",
        format_version=int(version),
        truncated=bool(tail_error),
        dropped_tail_bytes=size - pos if tail_error else 0,
        tail_error=tail_error,
    )


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


def _profile_from_header(raw: object, fail: Callable[[str], CaptureError]) -> GloveProfile:
    if not isinstance(raw, dict):
        raise fail("corrupt capture header (no glove profile)")
    try:
        return GloveProfile.from_dict(raw)
    except ProfileError as err:
        raise fail(f"invalid glove profile in header: {err}") from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
        # from_dict validates; these would mean a header it did not anticipate.
        raise fail(f"invalid glove profile in header: {type(err).__name__}: {err}") from None


# ----------------------------------------------------------------------------------
# CSV
# ----------------------------------------------------------------------------------


def write_csv(
    capture: Capture, out: str | os.PathLike[str] | TextIO, *, overwrite: bool = False
) -> None:
    """Write a capture as CSV: header ``time_s,<sensor names>``, seconds and newtons.

    Every float is written in Python's shortest round-tripping ``repr``, so reading
    the CSV back gives identical numbers. Gap markers are not written; :func:`read_csv`
    infers them from time jumps.

    Parameters
    ----------
    capture : Capture
        What to write.
    out : str, os.PathLike or text stream
        Destination file, or an open text stream (not closed).
    overwrite : bool
        Replace an existing file (paths only). By default an existing file is an error.

    Raises
    ------
    CaptureError
        If ``out`` exists and ``overwrite`` is false.
    OSError
        If the file cannot be written.
    """
    if isinstance(out, str | os.PathLike):
        target = Path(out)
        try:
            with open(target, "w" if overwrite else "x", encoding="utf-8", newline="\n") as fh:
                _write_csv_rows(capture, fh)
        except FileExistsError:
            raise CaptureError(f"{target}: file exists, not overwriting it") from None
    else:
        _write_csv_rows(capture, out)


def _write_csv_rows(capture: Capture, out: TextIO) -> None:
    out.write(",".join(("time_s", *capture.channel_names)) + "\n")
    table = np.column_stack((capture.t, capture.values)).tolist()
    step = 4096
    for start in range(0, len(table), step):
        out.write("".join(",".join(map(repr, row)) + "\n" for row in table[start : start + step]))


def read_csv(
    source: str | os.PathLike[str] | TextIO,
    profile: GloveProfile | str | None = None,
) -> Capture:
    """Read a CSV capture (header ``time_s,<sensor names>``, seconds and newtons).

    Parameters
    ----------
    source : str, os.PathLike or text stream
        The CSV file, or an open text stream.
    profile : GloveProfile, str or None
        The glove the data came from (a profile, or a bundled name or TOML path).
        ``None``: the first bundled profile whose channel names equal the CSV's
        sensor columns (the default profile first); if none matches, an error (a
        profile cannot be guessed from names: contact areas and saturation limits
        would be invented).

    Returns
    -------
    Capture
        With ``file_format="csv"``; a gap is inferred before each sample whose time step
        exceeds :data:`CSV_GAP_FACTOR` times the median step.

    Raises
    ------
    CaptureError
        For a malformed CSV (bad header, wrong column count, a non-numeric or
        non-finite field, times not strictly increasing), with the line number; if
        the columns do not match ``profile``, or no profile is given and none
        matches.
    """
    if isinstance(source, str | os.PathLike):
        file = Path(source)
        try:
            with open(file, encoding="utf-8-sig", newline=None) as fh:
                return _parse_csv(fh, file, profile)
        except FileNotFoundError:
            raise CaptureError(f"{file}: no such CSV file") from None
        except UnicodeDecodeError as err:
            raise CaptureError(f"{file}: CSV is not valid UTF-8 (byte {err.start})") from None
        except IsADirectoryError:
            raise CaptureError(f"{file}: is a directory, not a CSV file") from None
    return _parse_csv(source, None, profile)


def _parse_csv(stream: TextIO, file: Path | None, profile: GloveProfile | str | None) -> Capture:
    name = str(file) if file is not None else "<csv>"

    def fail(line_no: int, what: str) -> CaptureError:
        return CaptureError(f"{name}:{line_no}: {what}")

    header_line = stream.readline()
    fields = [f.strip() for f in header_line.removeprefix("\ufeff").rstrip("\r\n").split(",")]
    if not fields or fields[0].lower() != "time_s":
        raise fail(1, "CSV header must start with time_s")
    names = tuple(fields[1:])
    if not names or any(not n for n in names):
        raise fail(1, "CSV header needs at least one non-empty sensor name after time_s")
    if len(set(names)) != len(names):
        raise fail(1, "CSV header repeats a sensor name")
    glove = _csv_profile(names, profile, name)
    width = len(names) + 1
    rows: list[list[float]] = []
    last_t = -math.inf
    for line_no, line in enumerate(stream, start=2):
        text = line.strip()
        if not text:
            continue
        cells = text.split(",")
        if len(cells) != width:
            raise fail(line_no, f"expected {width} columns, found {len(cells)}")
        try:
            row = [float(cell) for cell in cells]
        except ValueError:
            bad = next(c for c in cells if not _is_float(c))
            raise fail(line_no, f"not a number: {bad.strip()[:40]!r}") from None
        if not all(math.isfinite(v) for v in row):
            raise fail(line_no, "non-finite value")
        if row[0] <= last_t:
            raise fail(line_no, f"time_s {row[0]!r} is not after the previous {last_t!r}")
        last_t = row[0]
        rows.append(row)
    table = np.asarray(rows, dtype=np.float64).reshape(len(rows), width)
    t = table[:, 0]
    gaps = np.zeros(0, dtype=np.int64)
    if t.shape[0] >= 3:
        steps = np.diff(t)
        gaps = np.flatnonzero(steps > CSV_GAP_FACTOR * np.median(steps)) + 1
    return Capture(
        path=file,
        profile=glove,
        t=t,
        values=table[:, 1:],
        gap_starts=gaps,
        metadata={},
        source="",
        started_at=None,
        app_version=None,
        file_format="csv",
        format_version=0,
    )


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _csv_profile(
    names: tuple[str, ...], profile: GloveProfile | str | None, where: str
) -> GloveProfile:
    if profile is not None:
        glove = profile if isinstance(profile, GloveProfile) else _load(profile, where)
        if tuple(glove.channel_names) != names:
            raise CaptureError(
                f"{where}: CSV columns {', '.join(names)} do not match glove "
                f"{glove.name!r} ({', '.join(glove.channel_names)})"
            )
        return glove
    bundled = _bundled_profiles()
    for candidate in bundled:
        if tuple(candidate.channel_names) == names:
            return candidate
    # Building a profile from names alone would mean inventing contact areas and
    # saturation limits (pressure and clipping would be wrong), so ask for one.
    known = "; ".join(f"{p.name}: {','.join(p.channel_names)}" for p in bundled)
    raise CaptureError(
        f"{where}: CSV sensor columns {','.join(names)} match no bundled glove profile "
        f"({known}); name the glove's profile (a bundled name or a TOML file)"
    )


def _load(name: str, where: str) -> GloveProfile:
    try:
        return load_profile(name)
    except ProfileError as err:
        raise CaptureError(f"{where}: {err}") from None


def _bundled_profiles() -> list[GloveProfile]:
    names = list(list_profiles())
    ordered = [DEFAULT_PROFILE, *(n for n in names if n != DEFAULT_PROFILE)]
    return [load_profile(n) for n in ordered if n in names]
