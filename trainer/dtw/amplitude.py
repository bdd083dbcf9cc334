"""Amplitude normalisation for shape comparisons; the raw force stays with the caller.

DTW on raw newtons mixes *how hard* with *how shaped*. Scoring keeps the raw signal for
pressure and compares shapes on a normalised copy made here (inputs are never modified).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from trainer.exceptions import SignalError

__all__ = ["AmplitudeMode", "normalise_amplitude", "znormalise"]

AmplitudeMode = Literal["none", "zscore", "peak"]

# A channel whose spread is below this fraction of its level is treated as flat: rounding
# alone gives a constant channel a std of ~1e-16 times its level.
_FLAT = 1e-12


def _finite(x: npt.ArrayLike) -> np.ndarray:
    try:
        arr = np.array(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise SignalError(f"not a numeric array: {err}") from err
    if arr.size == 0 or arr.ndim not in (1, 2):
        raise SignalError(f"expected a non-empty (n,) or (n, d) array, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise SignalError("array contains NaN or infinite values")
    return arr


def znormalise(x: npt.ArrayLike, axis: int = 0) -> np.ndarray:
    """Zero mean and unit standard deviation per channel; flat channels become zeros.

    Parameters
    ----------
    x : array_like
        ``(n,)`` or ``(n, d)``, any unit.
    axis : int
        Time axis (0 for the project's samples × channels layout).

    Returns
    -------
    numpy.ndarray
        New array, same shape, dimensionless. A channel with no variation (a sensor at
        rest) is all zeros rather than NaN.

    Raises
    ------
    SignalError
        Empty, more than 2-D, non-numeric or non-finite input, or a bad ``axis``.
    """
    arr = _finite(x)
    if not -arr.ndim <= axis < arr.ndim:
        raise SignalError(f"axis {axis} out of range for shape {arr.shape}")
    mean = arr.mean(axis=axis, keepdims=True)
    std = arr.std(axis=axis, keepdims=True)
    flat = std <= _FLAT * np.maximum(1.0, np.abs(mean))
    return np.divide(arr - mean, std, out=np.zeros_like(arr), where=~flat)


def normalise_amplitude(x: npt.ArrayLike, mode: AmplitudeMode = "zscore") -> np.ndarray:
    """Copy of ``x`` with its amplitude normalised for shape-only DTW.

    Parameters
    ----------
    x : array_like
        ``(n,)`` or ``(n, d)`` samples × channels (newtons for force).
    mode : {"none", "zscore", "peak"}
        ``"none"``: an unchanged copy. ``"zscore"``: :func:`znormalise` per channel (each
        channel's shape on its own; drops level and per-channel scale). ``"peak"``: divide
        every channel by the largest absolute value over all channels, so the result is in
        [-1, 1] and the channels keep their relative sizes (per-region shares survive).

    Returns
    -------
    numpy.ndarray
        New array, same shape; dimensionless except for ``"none"``. An all-zero input
        stays all zeros under ``"peak"``.

    Raises
    ------
    SignalError
        Invalid input (as :func:`znormalise`) or an unknown ``mode``.
    """
    if mode == "zscore":
        return znormalise(x)
    arr = _finite(x)
    if mode == "none":
        return arr
    if mode == "peak":
        peak = float(np.abs(arr).max())
        return arr / peak if peak > 0.0 else np.zeros_like(arr)
    raise SignalError(f"unknown amplitude mode {mode!r}: use 'none', 'zscore' or 'peak'")
