"""Writing native ``.mtcap`` captures, crash-safely (see :mod:`sensors.capture`)."""

from __future__ import annotations

import contextlib
import json
import math
import os
import struct
import time
import zlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import numpy as np

from sensors.blocks import SampleBlock
from sensors.capture._layout import (
    _CHUNK_HEAD,
    _CHUNK_MAGIC,
    _FLAG_GAP,
    _FORMAT_NAME,
    _HEADER,
    _MAX_CHUNK_SAMPLES,
    _MAX_JSON_BYTES,
    _PAYLOAD_HEAD,
    FORMAT_VERSION,
    MAGIC,
)
from sensors.exceptions import CaptureError
from sensors.profiles import GloveProfile

__all__ = ["CaptureWriter"]


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("massage-trainer")
    except PackageNotFoundError:
        return "0.0.0+unknown"


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
            # Nothing was recorded yet: leave no empty file behind (a retry would need
            # --overwrite for it, e.g. after a full disk).
            self._abandon()
            with contextlib.suppress(OSError):
                self.path.unlink()
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
