"""DTW barycenter averaging: one template from several takes of the same stroke."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from trainer.dtw import _kernels
from trainer.dtw._validate import SeriesLike, as_series, channels_match, radius
from trainer.exceptions import SignalError

__all__ = ["dba"]


def dba(
    series: Sequence[SeriesLike],
    *,
    n_iter: int = 10,
    init: SeriesLike | None = None,
    window: int | None = None,
    tol: float = 1e-6,
) -> np.ndarray:
    """DTW barycenter averaging (Petitjean, Ketterlin & Gançarski 2011).

    Each iteration aligns every take to the current average with :func:`~trainer.dtw.dtw_path`
    and replaces each average sample by the mean of the take samples aligned to it. This
    never increases the summed squared DTW distance from the average to the takes.

    Parameters
    ----------
    series : sequence of array_like
        Takes ``(n_k,)`` or ``(n_k, d)``; lengths may differ, channel counts may not.
    n_iter : int
        Maximum number of refinements (0 returns the initial average).
    init : array_like or None
        Initial average ``(L,)`` or ``(L, d)``; its length is the result's. ``None``: the
        medoid, the take with the smallest summed squared DTW distance to all takes
        (lowest index on ties).
    window : int or None
        Band radius for the alignments, as in :func:`~trainer.dtw.dtw_distance`.
    tol : float
        Stop once an iteration lowers the summed squared distance by less than this
        fraction of it.

    Returns
    -------
    numpy.ndarray
        The average, ``(L, d)``; ``(L,)`` when every take was 1-D. Deterministic.

    Raises
    ------
    SignalError
        No takes, an invalid take or ``init``, mixed channel counts, a negative ``n_iter``
        or ``tol``, or an invalid ``window``.
    """
    if len(series) == 0:
        raise SignalError("dba needs at least one series")
    if n_iter < 0 or not tol >= 0.0:
        raise SignalError(f"n_iter and tol must be >= 0, got {n_iter!r} and {tol!r}")
    r = radius(window)
    one_d = all(_ndim(s) == 1 for s in series)
    data = [as_series(s, f"series[{i}]") for i, s in enumerate(series)]
    for s in data[1:]:
        channels_match(data[0], s, "series")
    if init is None:
        # DTW's cost is symmetric (bit for bit, band included): each pair once, then each
        # take's costs summed in the same order as a full row, so the medoid is unchanged.
        n = len(data)
        pair = [[0.0] * n for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                pair[i][j] = pair[j][i] = _kernels.dtw_cost(data[i], data[j], r, np.inf)
        sums = [sum(row) for row in pair]
        avg = data[int(np.argmin(sums))].copy()
    else:
        avg = as_series(init, "init").copy()
        channels_match(data[0], avg, "init and series")
    previous = np.inf
    for _ in range(n_iter):
        total = np.zeros_like(avg)
        count = np.zeros(avg.shape[0])
        cost = 0.0
        for s in data:
            acc = _kernels.dtw_matrix(avg, s, r)
            path = _kernels.backtrack(acc)
            cost += acc[-1, -1]
            np.add.at(total, path[:, 0], s[path[:, 1]])
            np.add.at(count, path[:, 0], 1.0)
        # Every path visits every row, so no count is zero.
        avg = total / count[:, np.newaxis]
        if previous - cost <= tol * cost:
            break
        previous = cost
    return avg[:, 0] if one_d else avg


def _ndim(take: SeriesLike) -> int:
    """Dimensions of what :func:`as_series` reads: ``take.values`` if it has them, else ``take``."""
    raw: Any = getattr(take, "values", take)  # array_like either way; getattr cannot say which
    return np.ndim(raw)
