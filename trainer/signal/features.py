"""Features the scoring needs: load, regional shares, centre of pressure, smoothness.

All functions take plain arrays (forces in newtons, ``(k, channels)``) plus what they
need from the glove profile (``profile.regions``, ``profile.positions``) and ``fs_hz``.

Smoothness: a stroke's force profile is a smooth bell when done well and wobbles
with tremor or hesitation. We score it with the two measures movement science uses
on speed profiles, applied to force in the role of speed:

- :func:`log_dimensionless_jerk` (Hogan & Sternad 2009, as coded by Balasubramanian
  et al. 2015),
- :func:`sparc`, the spectral arc length (Balasubramanian et al. 2015, their
  defaults).

Both are dimensionless, independent of amplitude, negative, and higher (closer to 0)
means smoother.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from trainer.exceptions import SignalError

# scipy.signal (it loads much of SciPy) is imported where it is called, not here:
# importing this module stays cheap for commands that never filter (start-up time).

__all__ = [
    "LOAD_FLOOR_N",
    "centre_of_pressure",
    "derivative",
    "jerk",
    "log_dimensionless_jerk",
    "region_shares",
    "sparc",
    "total_force",
]

LOAD_FLOOR_N = 0.5  # below this total force, shares and centre of pressure are undefined


def _forces(values: Any) -> np.ndarray:
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 2:
        raise SignalError(f"forces must be (k, channels), got shape {x.shape}")
    return x


def _profile_1d(x: Any, fs_hz: float, minimum: int) -> np.ndarray:
    f = np.asarray(x, dtype=np.float64)
    if f.ndim != 1:
        raise SignalError(f"expected a 1-D profile (k,), got shape {f.shape}")
    if not math.isfinite(fs_hz) or fs_hz <= 0:
        raise SignalError(f"fs_hz must be a finite rate > 0 Hz, got {fs_hz!r}")
    if f.size < minimum or not np.all(np.isfinite(f)) or np.max(np.abs(f)) == 0:
        raise SignalError(
            f"smoothness needs a finite, non-zero profile of at least {minimum} samples"
        )
    return f


def total_force(values: Any) -> np.ndarray:
    """Total load on the hand.

    Parameters
    ----------
    values : array_like
        Forces ``(k, channels)`` in newtons.

    Returns
    -------
    numpy.ndarray
        ``(k,)`` newtons, the sum over channels.
    """
    return _forces(values).sum(axis=1)


def region_shares(
    values: Any, regions: Sequence[str], *, floor_n: float = LOAD_FLOOR_N
) -> tuple[tuple[str, ...], np.ndarray]:
    """Share of the total load carried by each hand region.

    Negative readings (noise around a tared zero) count as 0 N: a sensor cannot pull.

    Parameters
    ----------
    values : array_like
        Forces ``(k, channels)`` in newtons.
    regions : sequence of str
        Region of each channel (``profile.regions``), length ``channels``.
    floor_n : float
        Where the total is below this many newtons every share is 0 (not 0/0).

    Returns
    -------
    names : tuple of str
        Regions in first-appearance order.
    shares : numpy.ndarray
        ``(k, len(names))`` fractions in ``[0, 1]``; each row sums to 1 where the
        total is at least ``floor_n`` and to 0 elsewhere.

    Raises
    ------
    SignalError
        If ``regions`` does not name every channel.
    """
    x = np.clip(_forces(values), 0.0, None)
    regions = [str(r) for r in regions]
    if len(regions) != x.shape[1]:
        raise SignalError(f"{len(regions)} regions for {x.shape[1]} channels")
    names = tuple(dict.fromkeys(regions))
    member = np.array([[r == name for name in names] for r in regions], dtype=np.float64)
    by_region = x @ member  # (k, n_regions)
    total = by_region.sum(axis=1, keepdims=True)
    shares = np.divide(by_region, total, out=np.zeros_like(by_region), where=total >= floor_n)
    return names, shares


def centre_of_pressure(values: Any, positions: Any, *, floor_n: float = LOAD_FLOOR_N) -> np.ndarray:
    """Force-weighted mean sensor position on the hand map.

    Negative readings count as 0 N.

    Parameters
    ----------
    values : array_like
        Forces ``(k, channels)`` in newtons.
    positions : array_like
        Sensor positions ``(channels, 2)`` on the hand map (``profile.positions``,
        unit square).
    floor_n : float
        Below this total force the centre is undefined.

    Returns
    -------
    numpy.ndarray
        ``(k, 2)`` in hand-map units; NaN rows where the total is below ``floor_n``.

    Raises
    ------
    SignalError
        If ``positions`` is not ``(channels, 2)``.
    """
    x = np.clip(_forces(values), 0.0, None)
    pos = np.asarray(positions, dtype=np.float64)
    if pos.shape != (x.shape[1], 2):
        raise SignalError(f"positions must be ({x.shape[1]}, 2), got {pos.shape}")
    total = x.sum(axis=1)
    cop = np.full((x.shape[0], 2), np.nan)
    loaded = total >= floor_n
    cop[loaded] = (x[loaded] @ pos) / total[loaded, np.newaxis]
    return cop


def derivative(x: Any, fs_hz: float, order: int = 1) -> np.ndarray:
    """``order``-th time derivative by repeated central differences (``np.gradient``).

    Parameters
    ----------
    x : array_like
        Samples ``(k,)`` or ``(k, channels)`` along axis 0.
    fs_hz : float
        Sample rate in Hz.
    order : int
        Number of differentiations.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``, in ``unit / s**order``.
    """
    y = np.asarray(x, dtype=np.float64)
    for _ in range(order):
        y = np.gradient(y, 1.0 / fs_hz, axis=0)
    return y


def jerk(x: Any, fs_hz: float, *, window_s: float = 0.2, polyorder: int = 4) -> np.ndarray:
    """Third time derivative of ``x`` by a Savitzky–Golay filter.

    Differentiating three times by finite differences multiplies high-frequency noise
    by about ``(2 fs)^3``; a Savitzky–Golay filter instead differentiates a local
    least-squares polynomial of degree ``polyorder`` fitted over ``window_s``, so it is
    exact for polynomials up to that degree (edges included, ``mode="interp"``) and
    passes content below about ``(polyorder + 1) / (3.2 * window_s)`` Hz (Schafer
    2011; ≈ 8 Hz with the defaults). A third derivative is noisy whatever is done:
    with the defaults at 200 Hz, 1e-3 of white noise on a 1 Hz unit sine gives an
    error of about 3 % of the true peak, against ~20 times the peak for finite
    differences. Signals too short for the window fall back to three passes of
    ``np.gradient``.

    Note: for a force profile ``F`` used in the role of speed (as in
    :func:`log_dimensionless_jerk`), the movement-science "jerk" is ``d²F/dt²``;
    this function is the plain third derivative.

    Parameters
    ----------
    x : array_like
        Samples ``(k,)`` or ``(k, channels)`` along axis 0.
    fs_hz : float
        Sample rate in Hz.
    window_s : float
        Fitting window in seconds (rounded to an odd number of samples, at least
        ``polyorder + 2``).
    polyorder : int
        Degree of the local polynomial, >= 3.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``, in ``unit / s³``.

    Raises
    ------
    SignalError
        For ``polyorder < 3`` or a bad rate.
    """
    if polyorder < 3:
        raise SignalError("a third derivative needs polyorder >= 3")
    if not math.isfinite(fs_hz) or fs_hz <= 0:
        raise SignalError(f"fs_hz must be a finite rate > 0 Hz, got {fs_hz!r}")
    y = np.asarray(x, dtype=np.float64)
    window = max(polyorder + 2, round(window_s * fs_hz))
    window += 1 - window % 2  # odd
    if y.shape[0] < window:
        return derivative(y, fs_hz, 3)
    from scipy import signal

    return signal.savgol_filter(
        y, window, polyorder, deriv=3, delta=1.0 / fs_hz, axis=0, mode="interp"
    )


def log_dimensionless_jerk(x: Any, fs_hz: float) -> float:
    """Log dimensionless jerk of a force profile (higher = smoother, always < 0 in practice).

    Hogan & Sternad (2009) define, for a speed profile ``v`` over a movement of
    duration ``T`` with peak ``v_peak``::

        LDLJ = -ln( T**3 / v_peak**2 * ∫ (d²v/dt²)² dt )

    A stroke's force profile plays the role of ``v`` (a smooth bell in both cases),
    so ``d²F/dt²`` is its "jerk". Discretised exactly as in Balasubramanian et al.'s
    reference code (github.com/siva82kb/SPARC, ``scripts/smoothness.py``):
    ``T = k / fs``, second differences ``np.diff(F, 2) * fs**2`` and a rectangle-rule
    integral, so results are comparable with published values.

    Parameters
    ----------
    x : array_like
        Force profile ``(k,)``, newtons (e.g. :func:`total_force` of one stroke).
    fs_hz : float
        Sample rate in Hz.

    Returns
    -------
    float
        Dimensionless; unchanged by scaling the force, and (for well-sampled
        profiles) by stretching the stroke in time.

    Raises
    ------
    SignalError
        Fewer than 3 samples, non-finite values, or a profile that is zero throughout.
    """
    f = _profile_1d(x, fs_hz, 3)
    duration = f.size / fs_hz
    second = np.diff(f, 2) * fs_hz**2
    integral = float(np.sum(second**2)) / fs_hz
    cost = duration**3 / float(np.max(np.abs(f))) ** 2 * integral
    # A perfectly straight profile has zero cost: cap the result instead of ln(0).
    return -math.log(max(cost, 1e-300))


def sparc(
    x: Any, fs_hz: float, *, padlevel: int = 4, fc_hz: float = 10.0, amp_th: float = 0.05
) -> float:
    """Spectral arc length SPARC (Balasubramanian et al. 2015); higher (nearer 0) = smoother.

    The arc length of the normalised Fourier magnitude spectrum of the profile: a
    smooth bell has a short, monotone spectrum; tremor and hesitations add bumps and
    lengthen the arc. Steps, with the authors' defaults:

    1. zero-pad to ``2**(ceil(log2 k) + padlevel)`` points and take ``|FFT|``,
       normalised by its maximum;
    2. keep frequencies up to ``fc_hz``;
    3. within those, keep the span from the first to the last bin whose magnitude is
       at least ``amp_th`` (adaptive cutoff, so noise above the movement's band does
       not count);
    4. ``SPARC = -Σ sqrt((Δf / (f_last - f_first))² + (ΔM)²)``.

    Parameters
    ----------
    x : array_like
        Force profile ``(k,)`` in newtons, used in the role of the speed profile.
    fs_hz : float
        Sample rate in Hz.
    padlevel : int
        Zero-padding level (default 4, the authors').
    fc_hz : float
        Maximum frequency considered in Hz (default 10 Hz, the authors').
    amp_th : float
        Amplitude threshold for the adaptive cutoff (default 0.05, the authors').

    Returns
    -------
    float
        Dimensionless, <= 0; independent of the force's scale. 0.0 when the
        selected spectrum is a single bin.

    Raises
    ------
    SignalError
        Fewer than 3 samples, non-finite values, or a profile that is zero throughout.
    """
    f = _profile_1d(x, fs_hz, 3)
    nfft = int(2 ** (math.ceil(math.log2(f.size)) + padlevel))
    freqs = np.fft.rfftfreq(nfft, 1.0 / fs_hz)
    mag = np.abs(np.fft.rfft(f, nfft))
    mag /= mag.max()  # the full spectrum's maximum, as in the reference code
    keep = freqs <= fc_hz
    freqs, mag = freqs[keep], mag[keep]
    above = np.flatnonzero(mag >= amp_th)
    if above.size == 0 or above[-1] == above[0]:
        return 0.0
    freqs, mag = freqs[above[0] : above[-1] + 1], mag[above[0] : above[-1] + 1]
    span = freqs[-1] - freqs[0]
    return -float(np.sum(np.sqrt((np.diff(freqs) / span) ** 2 + np.diff(mag) ** 2)))
