"""SciPy filters: a causal streaming filter with explicit state, and zero-phase offline."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from scipy import signal

from trainer.exceptions import SignalError

__all__ = ["StreamingFilter", "design_lowpass", "filter_offline", "segments_from_gaps"]


def design_lowpass(cutoff_hz: float, fs_hz: float, order: int = 4) -> np.ndarray:
    """Butterworth low-pass as second-order sections.

    Parameters
    ----------
    cutoff_hz : float
        -3 dB frequency, below ``fs_hz / 2``.
    fs_hz : float
        Sample rate.
    order : int
        Filter order.

    Returns
    -------
    numpy.ndarray
        ``sos`` array ``(n_sections, 6)``.

    Raises
    ------
    SignalError
        If the cutoff is not within ``(0, fs_hz / 2)``.
    """
    if not 0 < cutoff_hz < fs_hz / 2:
        raise SignalError(f"cutoff {cutoff_hz} Hz must be within (0, {fs_hz / 2}) Hz at {fs_hz} Hz")
    return signal.butter(order, cutoff_hz, btype="low", fs=fs_hz, output="sos")


class StreamingFilter:
    """Causal IIR filtering block by block, with the state ``zi`` carried explicitly.

    The state starts from the first sample's steady state (``sosfilt_zi * x0``), so a
    stream starting at rest has no transient, and block-by-block output equals
    ``sosfilt(sos, x, axis=0, zi=sosfilt_zi(sos)[..., None] * x[0])`` over the whole
    signal for any block split. After a gap the filter restarts from the next sample:
    nothing is smoothed across a gap.

    Parameters
    ----------
    sos : numpy.ndarray
        Second-order sections ``(n_sections, 6)``.
    channels : int
        Number of channels.
    """

    def __init__(self, sos: np.ndarray, channels: int) -> None:
        self.sos = np.asarray(sos, dtype=np.float64)
        if self.sos.ndim != 2 or self.sos.shape[1] != 6:
            raise SignalError(f"sos must be (n_sections, 6), got {self.sos.shape}")
        self.channels = int(channels)
        self._zi_unit = signal.sosfilt_zi(self.sos)[:, :, np.newaxis]
        self.zi: np.ndarray | None = None  # (n_sections, 2, channels) once started

    def reset(self) -> None:
        """Forget the state: the next sample restarts the filter."""
        self.zi = None

    def step(self, values: Any, *, gap_before: bool = False) -> np.ndarray:
        """Filter one block ``(k, channels)``; returns the filtered block (same shape)."""
        x = np.asarray(getattr(values, "values", values), dtype=np.float64)
        gap_before = gap_before or bool(getattr(values, "gap_before", False))
        if x.ndim != 2 or x.shape[1] != self.channels:
            raise SignalError(f"expected (k, {self.channels}) values, got {x.shape}")
        if gap_before:
            self.reset()
        if x.shape[0] == 0:
            return x.copy()
        if self.zi is None:
            self.zi = self._zi_unit * x[0][np.newaxis, np.newaxis, :]
        y, self.zi = signal.sosfilt(self.sos, x, axis=0, zi=self.zi)
        return y


def segments_from_gaps(n: int, gap_starts: Any = ()) -> list[tuple[int, int]]:
    """Split ``range(n)`` at gap positions into ``[start, end)`` segments.

    Parameters
    ----------
    n : int
        Number of samples.
    gap_starts : iterable of int
        Indices of samples preceded by a gap.
    """
    cuts = sorted({int(g) for g in gap_starts if 0 < int(g) < n})
    bounds = [0, *cuts, n]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def filter_offline(
    values: Any, fs_hz: float, cutoff_hz: float, *, gap_starts: Any = (), order: int = 4
) -> np.ndarray:
    """Zero-phase low-pass (``sosfiltfilt``) applied to each gap-free segment separately.

    Segments too short for the default padding use the longest padding they allow;
    segments of fewer than 2 samples are returned unchanged.

    Parameters
    ----------
    values : array_like
        ``(n,)`` or ``(n, channels)``.
    fs_hz, cutoff_hz : float
        Sample rate and cutoff.
    gap_starts : iterable of int
        Samples preceded by a gap (no smoothing across them).
    order : int
        Butterworth order.
    """
    x = np.asarray(values, dtype=np.float64)
    sos = design_lowpass(cutoff_hz, fs_hz, order)
    out = x.copy()
    default_pad = 3 * (2 * len(sos) + 1)
    for a, b in segments_from_gaps(x.shape[0], gap_starts):
        if b - a < 2:
            continue
        pad = min(default_pad, b - a - 1)
        out[a:b] = signal.sosfiltfilt(sos, x[a:b], axis=0, padlen=pad)
    return out
