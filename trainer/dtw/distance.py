"""DTW distance and warping path between two whole series."""

from __future__ import annotations

import numpy as np

from trainer.dtw import _kernels
from trainer.dtw._validate import SeriesLike, as_series, channels_match, max_cost, radius

__all__ = ["dtw_distance", "dtw_path"]


def _pair(a: SeriesLike, b: SeriesLike) -> tuple[np.ndarray, np.ndarray]:
    a2, b2 = as_series(a, "a"), as_series(b, "b")
    channels_match(a2, b2)
    return a2, b2


def dtw_distance(
    a: SeriesLike, b: SeriesLike, *, window: int | None = None, max_dist: float | None = None
) -> float:
    """Dependent multichannel DTW distance, with optional band and early abandoning.

    Parameters
    ----------
    a : array_like
        ``(n,)`` or ``(n, d)``, any unit (newtons for force).
    b : array_like
        ``(m,)`` or ``(m, d)``, same unit and channels; ``m`` may differ from ``n``.
    window : int or None
        Sakoe–Chiba radius ``r`` in samples, widened by ``|n - m|`` on the longer series'
        side: cell ``(i, j)`` is allowed when ``i - j <= max(0, n - m) + r`` and
        ``j - i <= max(0, m - n) + r`` (dtaidistance's ``window=r + 1``). ``None``: no band.
    max_dist : float or None
        Return ``inf`` when the distance exceeds this; the computation stops as soon as a
        whole row of the cost matrix is above it.

    Returns
    -------
    float
        ``sqrt`` of the smallest sum, along a warping path, of squared Euclidean distances
        between matched samples (same unit as the input; dtaidistance's convention).

    Raises
    ------
    SignalError
        Invalid series, different channel counts, a negative or non-integer ``window``, or
        a negative ``max_dist``.
    """
    a2, b2 = _pair(a, b)
    cost = _kernels.dtw_cost(a2, b2, radius(window), max_cost(max_dist))
    return float(np.sqrt(cost))


def dtw_path(
    a: SeriesLike, b: SeriesLike, *, window: int | None = None
) -> tuple[float, np.ndarray]:
    """DTW distance and one optimal warping path.

    Parameters
    ----------
    a, b : array_like
        As :func:`dtw_distance`.
    window : int or None
        As :func:`dtw_distance`.

    Returns
    -------
    distance : float
        As :func:`dtw_distance`; the squared costs along ``path`` sum to ``distance**2``.
    path : numpy.ndarray
        int64 ``(k, 2)`` of ``(i, j)`` index pairs, ``max(n, m) <= k <= n + m - 1``, from
        ``(0, 0)`` to ``(n - 1, m - 1)``, each step ``(+1, 0)``, ``(0, +1)`` or
        ``(+1, +1)``. Among equal-cost paths the diagonal is preferred.

    Raises
    ------
    SignalError
        As :func:`dtw_distance`.

    Notes
    -----
    Keeps the whole ``(n, m)`` cost matrix (8·n·m bytes); use :func:`dtw_distance` when
    only the distance is needed.
    """
    a2, b2 = _pair(a, b)
    acc = _kernels.dtw_matrix(a2, b2, radius(window))
    return float(np.sqrt(acc[-1, -1])), _kernels.backtrack(acc)
