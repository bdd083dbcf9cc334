"""SciPy filters: a causal streaming filter with explicit state, and zero-phase offline.

Live views use :class:`StreamingFilter`: causal, block by block, its ``zi`` carried
between blocks so the result does not depend on how the stream was cut into blocks.
Offline work (reference building, final scoring) uses :func:`filter_offline`:
zero-phase ``sosfiltfilt``, so stroke timing is not delayed. Both restart at gaps.
"""

from __future__ import annotations

import functools
import itertools
import math
from typing import Any

import numpy as np

from trainer.exceptions import SignalError

# scipy.signal (it loads much of SciPy) is imported where it is called, not here:
# importing this module stays cheap for commands that never filter (start-up time).

__all__ = ["StreamingFilter", "design_lowpass", "filter_offline", "segments_from_gaps"]


#: No glove samples faster; far above it a low-pass's design is numerically degenerate
#: (a CSV with 1e-300 s time steps reached scipy as a singular matrix).
_MAX_RATE_HZ = 1e6


def _check_rate(fs_hz: float) -> float:
    fs = float(fs_hz)
    if not math.isfinite(fs) or fs <= 0:
        raise SignalError(f"sample rate must be a finite number > 0 Hz, got {fs_hz!r}")
    if fs > _MAX_RATE_HZ:
        raise SignalError(
            f"sample rate {fs:.3g} Hz is implausible for a glove (at most {_MAX_RATE_HZ:g} Hz):"
            " check the recording's time column"
        )
    return fs


def design_lowpass(cutoff_hz: float, fs_hz: float, order: int = 4) -> np.ndarray:
    """Butterworth low-pass as second-order sections.

    Parameters
    ----------
    cutoff_hz : float
        -3 dB frequency in Hz, strictly between 0 and ``fs_hz / 2``.
    fs_hz : float
        Sample rate in Hz.
    order : int
        Filter order (>= 1); ``ceil(order / 2)`` sections.

    Returns
    -------
    numpy.ndarray
        ``sos`` array ``(n_sections, 6)``, as ``scipy.signal.butter(..., output="sos")``.

    Raises
    ------
    SignalError
        If the rate is not positive, the cutoff is not within ``(0, fs_hz / 2)`` or
        the order is not a positive integer.
    """
    fs = _check_rate(fs_hz)
    if not (math.isfinite(cutoff_hz) and 0 < cutoff_hz < fs / 2):
        raise SignalError(f"cutoff {cutoff_hz} Hz must be within (0, {fs / 2:g}) Hz at {fs:g} Hz")
    if isinstance(order, bool) or int(order) != order or order < 1:
        raise SignalError(f"filter order must be a positive integer, got {order!r}")
    # A copy: callers own their array, the cache keeps its own.
    return _butter_sos(float(cutoff_hz), fs, int(order)).copy()


@functools.lru_cache(maxsize=256)
def _butter_sos(cutoff_hz: float, fs_hz: float, order: int) -> np.ndarray:
    """Design the filter once per (cutoff, rate, order): scoring a stroke asks ~10 times."""
    from scipy import signal

    sos = signal.butter(order, cutoff_hz, btype="low", fs=fs_hz, output="sos")
    sos.setflags(write=False)
    return sos


class StreamingFilter:
    """Causal IIR filtering block by block, with the state ``zi`` carried explicitly.

    The state starts from the first sample's steady state (``sosfilt_zi(sos) * x0``),
    so a stream starting at its rest level has no transient, and block-by-block output
    equals ``sosfilt(sos, x, axis=0, zi=sosfilt_zi(sos)[..., None] * x[0])`` over the
    whole signal for any block split (empty blocks included). After a gap the filter
    restarts from the first sample after it: nothing is smoothed across a gap.

    Parameters
    ----------
    sos : numpy.ndarray
        Second-order sections ``(n_sections, 6)`` (see :func:`design_lowpass`).
    channels : int
        Number of channels (columns of every block).

    Attributes
    ----------
    zi : numpy.ndarray or None
        Filter state ``(n_sections, 2, channels)`` in scipy's ``sosfilt`` layout, or
        None before the first sample and after :meth:`reset` or a gap.

    Raises
    ------
    SignalError
        If ``sos`` is not ``(n_sections, 6)`` and finite, or ``channels < 1``.
    """

    def __init__(self, sos: Any, channels: int) -> None:
        self.sos = np.array(sos, dtype=np.float64)
        if self.sos.ndim != 2 or self.sos.shape[0] < 1 or self.sos.shape[1] != 6:
            raise SignalError(f"sos must be (n_sections, 6), got {self.sos.shape}")
        if not np.all(np.isfinite(self.sos)):
            raise SignalError("sos coefficients must be finite")
        if int(channels) < 1:
            raise SignalError(f"channels must be >= 1, got {channels}")
        self.channels = int(channels)
        from scipy import signal

        self._zi_unit = signal.sosfilt_zi(self.sos)[:, :, np.newaxis]
        self.zi: np.ndarray | None = None

    @property
    def started(self) -> bool:
        """True once a sample has set the state (False after a reset or gap)."""
        return self.zi is not None

    def reset(self) -> None:
        """Forget the state: the next sample restarts the filter from its own level."""
        self.zi = None

    def step(self, values: Any, *, gap_before: bool = False) -> np.ndarray:
        """Filter one block.

        Parameters
        ----------
        values : array_like or SampleBlock
            Block ``(k, channels)``, any ``k >= 0``; a SampleBlock (or anything with
            ``.values``) is read through its ``values`` and ``gap_before``.
        gap_before : bool
            Samples were lost before this block: restart the filter.

        Returns
        -------
        numpy.ndarray
            Filtered block ``(k, channels)``, float64, newly allocated.

        Raises
        ------
        SignalError
            Wrong shape or non-finite values (the state is left unchanged).
        """
        x = np.asarray(getattr(values, "values", values), dtype=np.float64)
        gap_before = gap_before or bool(getattr(values, "gap_before", False))
        if x.ndim != 2 or x.shape[1] != self.channels:
            raise SignalError(f"expected (k, {self.channels}) values, got {x.shape}")
        if not np.all(np.isfinite(x)):
            raise SignalError("values must be finite (a NaN would poison the filter state)")
        if gap_before:
            self.reset()
        if x.shape[0] == 0:
            return np.empty_like(x)
        zi = self.zi if self.zi is not None else self._zi_unit * x[0][np.newaxis, np.newaxis, :]
        from scipy import signal

        y, self.zi = signal.sosfilt(self.sos, x, axis=0, zi=zi)
        return y


def segments_from_gaps(n: int, gap_starts: Any = ()) -> list[tuple[int, int]]:
    """Split ``range(n)`` at gaps into contiguous ``[start, end)`` segments.

    Parameters
    ----------
    n : int
        Number of samples.
    gap_starts : array_like of int or of bool
        Either indices of samples preceded by a gap, or a boolean mask ``(n,)`` that
        is True at such samples. Indices outside ``1 .. n-1`` (a gap before the first
        sample or after the last) change nothing and are ignored.

    Returns
    -------
    list of tuple of int
        Non-empty ``(start, end)`` pairs covering ``range(n)`` in order.

    Raises
    ------
    SignalError
        A mask of the wrong length, or positions that are not whole numbers.
    """
    # Any iterable (set, generator, list) or array; sets have no order, so list() first.
    gaps = np.asarray(gap_starts if isinstance(gap_starts, np.ndarray) else list(gap_starts))
    if gaps.dtype == np.bool_:
        if gaps.shape != (n,):
            raise SignalError(f"gap mask must have shape ({n},), got {gaps.shape}")
        gaps = np.flatnonzero(gaps)
    gaps = gaps.ravel()
    if gaps.size and not np.issubdtype(gaps.dtype, np.integer):
        if not np.all(gaps == np.round(gaps)):
            raise SignalError("gap positions must be integer sample indices")
    cuts = sorted({int(g) for g in gaps if 0 < g < n})
    bounds = [0, *cuts, n]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def _default_padlen(sos: np.ndarray) -> int:
    # scipy.signal.sosfiltfilt's own default, so long segments match a plain call.
    trailing_zeros = min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))
    return 3 * (2 * len(sos) + 1 - trailing_zeros)


def filter_offline(
    values: Any, fs_hz: float, cutoff_hz: float, *, gap_starts: Any = (), order: int = 4
) -> np.ndarray:
    """Zero-phase low-pass (``sosfiltfilt``) applied to each gap-free segment separately.

    Each segment gets scipy's default odd-extension padding when it is long enough;
    a shorter segment (``n <= padlen``) is padded by ``n - 1`` samples, the most
    ``sosfiltfilt`` accepts, and a 1-sample segment is returned unchanged. The
    effective response is ``|H|²`` (the Butterworth magnitude applied twice), so the
    -3 dB point of one pass sits at -6 dB.

    Parameters
    ----------
    values : array_like
        Samples ``(n,)`` or ``(n, channels)``, any unit (usually newtons).
    fs_hz : float
        Sample rate in Hz.
    cutoff_hz : float
        Cutoff of the Butterworth design in Hz (see :func:`design_lowpass`).
    gap_starts : array_like of int or of bool
        Gap positions, as for :func:`segments_from_gaps`; nothing is smoothed across.
    order : int
        Butterworth order of one pass.

    Returns
    -------
    numpy.ndarray
        Filtered samples, float64, same shape as ``values``.

    Raises
    ------
    SignalError
        Bad filter design, bad shape, non-finite values, or bad gap positions.
    """
    x = np.array(values, dtype=np.float64)
    if x.ndim not in (1, 2):
        raise SignalError(f"values must be (n,) or (n, channels), got shape {x.shape}")
    sos = design_lowpass(cutoff_hz, fs_hz, order)
    if not np.all(np.isfinite(x)):
        raise SignalError("values must be finite")
    default_pad = _default_padlen(sos)
    from scipy import signal

    for a, b in segments_from_gaps(x.shape[0], gap_starts):
        if b - a < 2:
            continue
        x[a:b] = signal.sosfiltfilt(sos, x[a:b], axis=0, padlen=min(default_pad, b - a - 1))
    return x
