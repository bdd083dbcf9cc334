"""Sample-rate conversion with ``scipy.signal.resample_poly``.

Used when a glove's rate differs from a reference's. The rate ratio is replaced by a
nearby fraction ``up / down`` (``fractions.Fraction.limit_denominator``), so the
polyphase filter stays small; :func:`resample_ratio` says which fraction was used and
:func:`resample_times` gives the matching time axis.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from trainer.exceptions import SignalError

# scipy.signal (it loads much of SciPy) is imported where it is called, not here:
# importing this module stays cheap for commands that never filter (start-up time).

__all__ = ["resample", "resample_ratio", "resample_times"]

MAX_DENOMINATOR = 1000


def resample_ratio(
    fs_from_hz: float, fs_to_hz: float, *, max_denominator: int = MAX_DENOMINATOR
) -> Fraction:
    """Return the fraction ``up / down`` that approximates ``fs_to_hz / fs_from_hz``.

    Parameters
    ----------
    fs_from_hz, fs_to_hz : float
        Source and target sample rates in Hz, finite and > 0.
    max_denominator : int
        Largest allowed ``down``.

    Returns
    -------
    fractions.Fraction
        ``up / down`` in lowest terms; the output rate is ``fs_from_hz * up / down``.

    Raises
    ------
    SignalError
        For a rate that is not finite and positive.
    """
    for name, fs in (("fs_from_hz", fs_from_hz), ("fs_to_hz", fs_to_hz)):
        if not math.isfinite(fs) or fs <= 0:
            raise SignalError(f"{name} must be a finite rate > 0 Hz, got {fs!r}")
    ratio = Fraction(fs_to_hz / fs_from_hz).limit_denominator(max_denominator)
    if ratio == 0:
        raise SignalError(f"cannot resample {fs_from_hz:g} Hz down to {fs_to_hz:g} Hz")
    return ratio


def resample(
    values: Any, fs_from_hz: float, fs_to_hz: float, *, max_denominator: int = MAX_DENOMINATOR
) -> np.ndarray:
    """Resample along axis 0 from ``fs_from_hz`` to ``fs_to_hz`` (polyphase, anti-aliased).

    ``scipy.signal.resample_poly`` with its default Kaiser-windowed FIR and
    ``padtype="line"``: the signal is extended by its end-to-end trend rather than by
    zeros, so a stroke that starts or ends loaded does not droop at the edges.

    Parameters
    ----------
    values : array_like
        Samples ``(n,)`` or ``(n, channels)``, any unit.
    fs_from_hz, fs_to_hz : float
        Source and target sample rates in Hz.
    max_denominator : int
        Largest ``down`` in the rational approximation (see :func:`resample_ratio`).

    Returns
    -------
    numpy.ndarray
        ``(m,)`` or ``(m, channels)`` with ``m = ceil(n * up / down)``, float64; a copy
        of the input when the rates are equal.

    Raises
    ------
    SignalError
        Bad rates, bad shape or non-finite values.
    """
    ratio = resample_ratio(fs_from_hz, fs_to_hz, max_denominator=max_denominator)
    x = np.array(values, dtype=np.float64)
    if x.ndim not in (1, 2):
        raise SignalError(f"values must be (n,) or (n, channels), got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise SignalError("values must be finite")
    if ratio == 1 or x.shape[0] == 0:
        return x
    from scipy import signal

    return signal.resample_poly(x, ratio.numerator, ratio.denominator, axis=0, padtype="line")


def resample_times(
    n: int,
    fs_from_hz: float,
    fs_to_hz: float,
    *,
    t0_s: float = 0.0,
    max_denominator: int = MAX_DENOMINATOR,
) -> np.ndarray:
    """Time axis of :func:`resample`'s output for an ``n``-sample input starting at ``t0_s``.

    Parameters
    ----------
    n : int
        Number of input samples.
    fs_from_hz, fs_to_hz : float
        Source and target sample rates in Hz.
    t0_s : float
        Time of the first input sample in seconds (also the first output sample).
    max_denominator : int
        As for :func:`resample`.

    Returns
    -------
    numpy.ndarray
        ``(m,)`` seconds, spaced at ``1 / (fs_from_hz * up / down)`` (the exact rational
        rate, which may differ slightly from ``fs_to_hz``).
    """
    ratio = resample_ratio(fs_from_hz, fs_to_hz, max_denominator=max_denominator)
    if n < 0:
        raise SignalError(f"n must be >= 0, got {n}")
    m = n if ratio == 1 else -(-n * ratio.numerator // ratio.denominator)
    return t0_s + np.arange(m) / (fs_from_hz * float(ratio))
