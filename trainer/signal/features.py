"""Features the scoring needs: load, regional shares, centre of pressure, smoothness."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from trainer.exceptions import SignalError

__all__ = [
    "LOAD_FLOOR_N",
    "centre_of_pressure",
    "derivative",
    "log_dimensionless_jerk",
    "region_shares",
    "sparc",
    "total_force",
]

LOAD_FLOOR_N = 0.5  # below this total force, shares and centre of pressure are undefined


def total_force(values: Any) -> np.ndarray:
    """Sum over channels: ``(k, channels)`` → ``(k,)`` newtons."""
    return np.asarray(values, dtype=np.float64).sum(axis=1)


def region_shares(
    values: Any, regions: Sequence[str], *, floor_n: float = LOAD_FLOOR_N
) -> tuple[tuple[str, ...], np.ndarray]:
    """Share of the total load carried by each hand region.

    Parameters
    ----------
    values : array_like
        Forces ``(k, channels)``.
    regions : sequence of str
        Region of each channel.
    floor_n : float
        Where the total is below this, every share is 0 (not 0/0).

    Returns
    -------
    names : tuple of str
        Regions in first-appearance order.
    shares : numpy.ndarray
        ``(k, len(names))``, rows summing to 1 where loaded.
    """
    x = np.asarray(values, dtype=np.float64)
    names = tuple(dict.fromkeys(regions))
    by_region = np.stack(
        [x[:, [i for i, r in enumerate(regions) if r == name]].sum(axis=1) for name in names],
        axis=1,
    )
    total = by_region.sum(axis=1, keepdims=True)
    shares = np.divide(by_region, total, out=np.zeros_like(by_region), where=total >= floor_n)
    return names, shares


def centre_of_pressure(values: Any, positions: Any, *, floor_n: float = LOAD_FLOOR_N) -> np.ndarray:
    """Force-weighted mean sensor position on the hand map, ``(k, 2)``; NaN when unloaded."""
    x = np.asarray(values, dtype=np.float64)
    pos = np.asarray(positions, dtype=np.float64)
    total = x.sum(axis=1, keepdims=True)
    cop = np.full((x.shape[0], 2), np.nan)
    loaded = total[:, 0] >= floor_n
    cop[loaded] = (x[loaded] @ pos) / total[loaded]
    return cop


def derivative(x: Any, fs_hz: float, order: int = 1) -> np.ndarray:
    """``order``-th time derivative by repeated central differences (``np.gradient``)."""
    y = np.asarray(x, dtype=np.float64)
    for _ in range(order):
        y = np.gradient(y, 1.0 / fs_hz, axis=0)
    return y


def log_dimensionless_jerk(x: Any, fs_hz: float) -> float:
    """Log dimensionless jerk of a force profile (higher = smoother).

    Hogan & Sternad (2009) define, for a speed profile ``v`` of duration ``T``,
    ``LDLJ = -ln(T^3 / v_peak^2 * ∫ (d²v/dt²)² dt)``. A stroke's force profile plays the
    role of ``v`` here (a smooth bell in both cases), so ``d²F/dt²`` is its "jerk".

    Raises
    ------
    SignalError
        For fewer than 3 samples or a flat zero profile.
    """
    f = np.asarray(x, dtype=np.float64).ravel()
    if f.size < 3 or np.max(np.abs(f)) == 0:
        raise SignalError("smoothness needs a non-zero profile of at least 3 samples")
    duration = f.size / fs_hz
    jerk = derivative(f, fs_hz, 2)
    integral = float(np.sum(jerk**2) / fs_hz)
    return -float(np.log(duration**3 / np.max(np.abs(f)) ** 2 * integral + 1e-300))


def sparc(
    x: Any, fs_hz: float, *, padlevel: int = 4, fc_hz: float = 10.0, amp_th: float = 0.05
) -> float:
    """Spectral arc length (Balasubramanian et al. 2015), higher (closer to 0) = smoother.

    Uses the authors' defaults: zero padding to ``2**(ceil(log2 n) + padlevel)`` points,
    spectrum up to ``fc_hz`` cut to where its normalised magnitude stays above
    ``amp_th``.
    """
    f = np.asarray(x, dtype=np.float64).ravel()
    if f.size < 3 or np.max(np.abs(f)) == 0:
        raise SignalError("smoothness needs a non-zero profile of at least 3 samples")
    nfft = int(2 ** (np.ceil(np.log2(f.size)) + padlevel))
    freqs = np.fft.rfftfreq(nfft, 1.0 / fs_hz)
    mag = np.abs(np.fft.rfft(f, nfft))
    mag /= mag.max()
    keep = freqs <= fc_hz
    freqs, mag = freqs[keep], mag[keep]
    above = np.flatnonzero(mag >= amp_th)
    freqs, mag = freqs[above[0] : above[-1] + 1], mag[above[0] : above[-1] + 1]
    if freqs.size < 2:
        return 0.0
    span = freqs[-1] - freqs[0]
    return -float(np.sum(np.sqrt((np.diff(freqs) / span) ** 2 + np.diff(mag) ** 2)))
