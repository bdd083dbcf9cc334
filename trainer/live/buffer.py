"""The ring buffer between the acquisition thread and its readers.

Threading contract: exactly one thread (the engine's acquisition thread) appends samples
to a :class:`RingBuffer`, and at most one other (its scoring thread) fills in the aux
columns of samples already written, each under the buffer's lock; any number of readers
take consistent copies with :meth:`RingBuffer.snapshot`, pulling on their own schedule.
Nothing is ever pushed to a reader.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

__all__ = ["RingBuffer", "Snapshot", "with_gap_breaks"]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A consistent copy of the newest samples of a :class:`RingBuffer`, oldest first.

    Parameters
    ----------
    t : numpy.ndarray
        Sample times, seconds, shape ``(n,)``.
    values : numpy.ndarray
        Forces, newtons, shape ``(n, channels)``.
    gap_before : numpy.ndarray
        Bool ``(n,)``: samples were lost just before this sample.
    arrival_s : numpy.ndarray
        Monotonic clock (seconds) when each sample entered the buffer, ``(n,)``.
    aux : numpy.ndarray
        Auxiliary columns, ``(n, aux_channels)``: written with the samples or filled in
        after them (:meth:`RingBuffer.set_aux`); NaN where none (yet).
    written : int
        Samples written since the buffer was created (the newest sample is number
        ``written - 1``); lets a reader tell what is new since its last snapshot.
    revision : int
        Changes made to the buffer so far (writes and aux fills): a reader holding a
        snapshot of the same revision has nothing to redo.
    """

    t: np.ndarray
    values: np.ndarray
    gap_before: np.ndarray
    arrival_s: np.ndarray
    aux: np.ndarray
    written: int
    revision: int = 0

    def __len__(self) -> int:
        return int(self.t.shape[0])


class RingBuffer:
    """Fixed-size samples × channels ring, written by one thread, read by others.

    Parameters
    ----------
    capacity : int
        Samples kept (the newest ``capacity`` survive).
    channels : int
        Force channels.
    aux_channels : int
        Extra float columns stored per sample (e.g. the scorer's band track).

    Raises
    ------
    ValueError
        If ``capacity`` or ``channels`` is < 1 or ``aux_channels`` < 0.
    """

    def __init__(self, capacity: int, channels: int, aux_channels: int = 0) -> None:
        if capacity < 1 or channels < 1 or aux_channels < 0:
            raise ValueError("capacity and channels must be >= 1, aux_channels >= 0")
        self.capacity = int(capacity)
        self.channels = int(channels)
        self.aux_channels = int(aux_channels)
        self._lock = threading.Lock()
        self._t = np.zeros(self.capacity)
        self._values = np.zeros((self.capacity, self.channels))
        self._gap = np.zeros(self.capacity, dtype=bool)
        self._arrival = np.zeros(self.capacity)
        self._aux = np.full((self.capacity, self.aux_channels), np.nan)
        self._written = 0
        self._revision = 0

    @property
    def written(self) -> int:
        """Samples written so far."""
        with self._lock:
            return self._written

    @property
    def revision(self) -> int:
        """Changes made so far (see :attr:`Snapshot.revision`)."""
        with self._lock:
            return self._revision

    def write(
        self,
        t: np.ndarray,
        values: np.ndarray,
        *,
        gap_before: bool = False,
        arrival_s: float = 0.0,
        aux: np.ndarray | None = None,
    ) -> None:
        """Append a block of samples (the oldest ones fall out when full).

        Parameters
        ----------
        t : numpy.ndarray
            Sample times, seconds, ``(k,)``.
        values : numpy.ndarray
            Forces, newtons, ``(k, channels)``.
        gap_before : bool
            Samples were lost before the first of these; kept on that sample so readers
            can break lines there, even after wraparound.
        arrival_s : float
            Monotonic time the block arrived (for latency measurements).
        aux : numpy.ndarray or None
            ``(k, aux_channels)`` extra columns; ``None`` stores NaN.

        Raises
        ------
        ValueError
            On shape mismatches.
        """
        t = np.asarray(t, dtype=np.float64)
        values = np.asarray(values, dtype=np.float64)
        k = t.shape[0]
        if t.ndim != 1 or values.shape != (k, self.channels):
            raise ValueError(f"expected t (k,) and values (k, {self.channels}), got {values.shape}")
        if aux is not None and np.shape(aux) != (k, self.aux_channels):
            raise ValueError(f"aux must be ({k}, {self.aux_channels})")
        if k == 0:
            return
        gaps = np.zeros(k, dtype=bool)
        gaps[0] = gap_before
        skip = max(0, k - self.capacity)  # a block longer than the ring keeps its tail
        with self._lock:
            start = (self._written + skip) % self.capacity
            idx = (start + np.arange(k - skip)) % self.capacity
            self._t[idx] = t[skip:]
            self._values[idx] = values[skip:]
            self._gap[idx] = gaps[skip:]
            if skip:
                self._gap[idx[0]] = True  # the dropped head is a gap for readers
            self._arrival[idx] = arrival_s
            self._aux[idx] = np.nan if aux is None else np.asarray(aux, dtype=np.float64)[skip:]
            self._written += k
            self._revision += 1

    def set_aux(self, first: int, aux: np.ndarray) -> None:
        """Fill in the aux columns of samples already written.

        The engine writes a block's samples at once and its scorer track once scored.

        Parameters
        ----------
        first : int
            Number of the first sample to fill (``written`` before it was written).
        aux : numpy.ndarray
            ``(k, aux_channels)``: rows for samples ``first`` to ``first + k - 1``; those
            not written yet or no longer held are skipped.

        Raises
        ------
        ValueError
            On a shape mismatch.
        """
        aux = np.asarray(aux, dtype=np.float64)
        if aux.ndim != 2 or aux.shape[1] != self.aux_channels:
            raise ValueError(f"aux must be (k, {self.aux_channels}), got {aux.shape}")
        with self._lock:
            lo = max(int(first), self._written - self.capacity)
            hi = min(int(first) + aux.shape[0], self._written)
            if hi <= lo:
                return
            self._aux[np.arange(lo, hi) % self.capacity] = aux[lo - first : hi - first]
            self._revision += 1

    def snapshot(self, max_samples: int | None = None) -> Snapshot:
        """Copy the newest samples, oldest first, all from the same instant.

        Parameters
        ----------
        max_samples : int or None
            Return at most this many of the newest samples (default: all held).

        Returns
        -------
        Snapshot
            Independent copies (safe to keep and modify).
        """
        with self._lock:
            held = min(self._written, self.capacity)
            n = held if max_samples is None else max(0, min(held, int(max_samples)))
            idx = (self._written - n + np.arange(n)) % self.capacity
            return Snapshot(
                self._t[idx],
                self._values[idx],
                self._gap[idx],
                self._arrival[idx],
                self._aux[idx],
                self._written,
                self._revision,
            )


def with_gap_breaks(
    t: np.ndarray, y: np.ndarray, gap_before: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Insert a NaN row before every gap so ``connect="finite"`` curves break there.

    The inserted x repeats the time of the sample after the gap, so x stays
    non-decreasing (clip-to-view and downsampling need sorted x).

    Parameters
    ----------
    t : numpy.ndarray
        Times ``(n,)``.
    y : numpy.ndarray
        Values ``(n,)`` or ``(n, channels)``.
    gap_before : numpy.ndarray
        Bool ``(n,)``; a gap on the first sample needs no break and is ignored.

    Returns
    -------
    tuple of numpy.ndarray
        ``(t', y')`` with one extra row per gap (NaN in ``y'``).
    """
    idx = np.flatnonzero(np.asarray(gap_before[1:], dtype=bool)) + 1
    if idx.size == 0:
        return t, y
    t_out = np.insert(t, idx, t[idx])
    y_out = np.insert(np.asarray(y, dtype=np.float64), idx, np.nan, axis=0)
    return t_out, y_out
