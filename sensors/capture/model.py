"""The in-memory capture (:class:`Capture`) and block helpers shared by every format."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from sensors.blocks import SampleBlock
from sensors.capture._layout import FORMAT_VERSION
from sensors.exceptions import CaptureError
from sensors.profiles import GloveProfile

__all__ = ["CAPTURE_SUFFIX", "Capture", "default_block_size", "trim_block"]

#: File name suffix of native captures.
CAPTURE_SUFFIX = ".mtcap"
# Default replay/iteration batch: like a glove notification, at most 10 samples and
# at most 50 ms of signal.
_BATCH_SAMPLES = 10
_BATCH_SECONDS = 0.05


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


def _owned(array: Any) -> np.ndarray:
    """Return a float64 array the capture can keep: a copy, unless the caller froze it.

    A read-only float64 array cannot change under the capture, so a reader that hands
    over its freshly read arrays frozen saves a copy (a large CSV's values, twice the
    memory at the peak otherwise).
    """
    if (
        isinstance(array, np.ndarray)
        and array.dtype == np.float64
        and not array.flags.writeable
        and array.flags.c_contiguous
        and array.base is None  # owns its memory: no writeable view elsewhere
    ):
        return array
    return np.array(array, dtype=np.float64, copy=True)


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
        t = _owned(self.t).reshape(-1)
        n = t.shape[0]
        channels = len(self.profile.sensors)
        values = _owned(self.values)
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
