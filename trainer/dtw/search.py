"""Lower bounds and pruned nearest-neighbour search under DTW.

A search visits candidates in increasing LB_Kim order, stops once LB_Kim exceeds the best
distance so far, skips candidates whose LB_Keogh exceeds it, and abandons each remaining
DTW as soon as a whole row exceeds it (the cascade of Rakthanmanon et al. 2012, "Searching
and mining trillions of time series subsequences under DTW", KDD). Every step is exact, so
the answer equals a brute-force scan.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from trainer.dtw import _kernels
from trainer.dtw._validate import SeriesLike, as_series, channels_match, radius
from trainer.exceptions import SignalError

__all__ = ["NearestNeighbours", "lb_keogh", "lb_kim", "nearest"]


def lb_kim(a: SeriesLike, b: SeriesLike) -> float:
    """LB_Kim lower bound of :func:`~trainer.dtw.dtw_distance` (any band, any lengths).

    Every warping path contains the first cell ``(0, 0)`` and the last ``(n-1, m-1)``, so
    their local costs bound the accumulated cost from below.

    Parameters
    ----------
    a : array_like
        ``(n,)`` or ``(n, d)``.
    b : array_like
        ``(m,)`` or ``(m, d)``.

    Returns
    -------
    float
        ``sqrt`` of the first cell's plus the last cell's squared Euclidean distance
        (counted once when both series have one sample); ``<= dtw_distance(a, b)``.

    Raises
    ------
    SignalError
        Invalid series or different channel counts.
    """
    a2, b2 = as_series(a, "a"), as_series(b, "b")
    channels_match(a2, b2)
    return float(np.sqrt(_kernels.lb_kim_cost(a2, b2)))


def lb_keogh(query: SeriesLike, candidate: SeriesLike, window: int | None = None) -> float:
    """LB_Keogh lower bound of ``dtw_distance(query, candidate, window=window)``.

    The candidate's envelope is taken over exactly the columns the (widened) band allows
    in each query row, so the bound holds for unequal lengths too: each query sample is
    matched to at least one candidate sample inside its band, and that costs at least its
    squared distance to the envelope. Not symmetric: swap the arguments for the other one.

    Parameters
    ----------
    query : array_like
        ``(n,)`` or ``(n, d)``.
    candidate : array_like
        ``(m,)`` or ``(m, d)``.
    window : int or None
        Band radius as in :func:`~trainer.dtw.dtw_distance`; ``None`` (no band) makes the
        envelope the candidate's global per-channel min/max.

    Returns
    -------
    float
        ``sqrt`` of the summed squared distances from the query to the envelope.

    Raises
    ------
    SignalError
        Invalid series, different channel counts or an invalid ``window``.
    """
    q, c = as_series(query, "query"), as_series(candidate, "candidate")
    channels_match(q, c)
    lo, hi = _kernels.envelope(c, q.shape[0], radius(window))
    return float(np.sqrt(_kernels.lb_keogh_cost(q, lo, hi, np.inf)))


class NearestNeighbours:
    """Repeated 1-nearest-neighbour DTW search over a fixed set of candidates.

    Candidates are validated and stacked once, their LB_Keogh envelopes cached per query
    length, and each query runs the whole cascade (LB_Kim order, LB_Keogh, early-abandoned
    DTW) inside one compiled kernel.

    Parameters
    ----------
    candidates : sequence of array_like
        ``(m_i,)`` or ``(m_i, d)`` series (references, training takes); lengths may
        differ, channel counts may not.
    window : int or None
        Band radius as in :func:`~trainer.dtw.dtw_distance`.

    Raises
    ------
    SignalError
        No candidates, an invalid one, mixed channel counts or an invalid ``window``.
    """

    def __init__(self, candidates: Sequence[SeriesLike], *, window: int | None = None) -> None:
        series = [as_series(c, f"candidates[{i}]") for i, c in enumerate(candidates)]
        if not series:
            raise SignalError("no candidates to search")
        for s in series[1:]:
            channels_match(series[0], s, "candidate")
        self._r = radius(window)
        self._series = series
        self._cat = np.ascontiguousarray(np.concatenate(series))
        self._offsets = np.cumsum([0] + [len(s) for s in series]).astype(np.int64)
        self._envelopes: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self._series)

    @property
    def channels(self) -> int:
        """Channel count every query must have."""
        return int(self._cat.shape[1])

    def _envelope(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        if n not in self._envelopes:
            pairs = [_kernels.envelope(s, n, self._r) for s in self._series]
            self._envelopes[n] = (
                np.ascontiguousarray(np.concatenate([p[0] for p in pairs])),
                np.ascontiguousarray(np.concatenate([p[1] for p in pairs])),
            )
        return self._envelopes[n]

    def query(self, query: SeriesLike) -> tuple[int, float]:
        """Nearest candidate to ``query``.

        Parameters
        ----------
        query : array_like
            ``(n,)`` or ``(n, d)``.

        Returns
        -------
        index : int
            Position of the nearest candidate in ``candidates`` (lowest on ties).
        distance : float
            Its :func:`~trainer.dtw.dtw_distance` to the query.

        Raises
        ------
        SignalError
            Invalid query or a channel count different from the candidates'.
        """
        q = as_series(query, "query")
        if q.shape[1] != self.channels:
            raise SignalError(f"query has {q.shape[1]} channels, candidates {self.channels}")
        lo, hi = self._envelope(q.shape[0])
        index, cost = _kernels.nn_search(q, self._cat, self._offsets, lo, hi, self._r)
        return int(index), float(np.sqrt(cost))


def nearest(
    query: SeriesLike, candidates: Sequence[SeriesLike], *, window: int | None = None
) -> tuple[int, float]:
    """1-nearest neighbour of ``query`` under DTW, pruned by lower bounds.

    For many queries against the same candidates build one :class:`NearestNeighbours`:
    it validates the candidates and computes their envelopes once.

    Parameters
    ----------
    query : array_like
        ``(n,)`` or ``(n, d)``.
    candidates : sequence of array_like
        ``(m_i,)`` or ``(m_i, d)``.
    window : int or None
        Band radius as in :func:`~trainer.dtw.dtw_distance`.

    Returns
    -------
    index : int
        Position of the nearest candidate (lowest on ties, as a brute-force scan).
    distance : float
        Its DTW distance to the query.

    Raises
    ------
    SignalError
        As :class:`NearestNeighbours` and :meth:`NearestNeighbours.query`.
    """
    return NearestNeighbours(candidates, window=window).query(query)
