"""Dynamic time warping: exact numba kernels, lower bounds, open-end, SPRING, DBA.

Conventions (checked against dtaidistance and dtw-python in the tests):

- series are ``(n,)`` or ``(n, d)`` float arrays; multichannel DTW is *dependent*: the
  local cost is the squared Euclidean distance summed over channels;
- distances are the square root of the accumulated cost (dtaidistance's convention);
- ``window`` is the Sakoe–Chiba radius ``r``, widened by ``|n - m|`` on the longer
  series' side: cell ``(i, j)`` is allowed when ``j - i <= max(0, m - n) + r`` and
  ``i - j <= max(0, n - m) + r`` — dtaidistance's ``window=r + 1``. ``None``: no band.

Kernels are compiled with ``cache=True``: the first process compiles them (a few
seconds; :func:`warmup` does it in the background), later processes load the cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from trainer.dtw import _kernels
from trainer.exceptions import SignalError

__all__ = [
    "Match",
    "NearestNeighbours",
    "OpenEndAligner",
    "StreamingMatcher",
    "as_series",
    "dba",
    "dtw_distance",
    "dtw_path",
    "lb_keogh",
    "lb_kim",
    "nearest",
    "warmup",
    "znormalise",
]


def as_series(x: Any, name: str = "series") -> np.ndarray:
    """Validate and convert to a C-contiguous float64 ``(n, d)`` array.

    Raises
    ------
    SignalError
        Empty, more than 2-D, or non-finite input.
    """
    arr = np.asarray(getattr(x, "values", x), dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise SignalError(f"{name} must be a non-empty (n,) or (n, d) array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise SignalError(f"{name} contains NaN or infinite values")
    return np.ascontiguousarray(arr)


def _pair(a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    a2, b2 = as_series(a, "a"), as_series(b, "b")
    if a2.shape[1] != b2.shape[1]:
        raise SignalError(f"channel counts differ: {a2.shape[1]} vs {b2.shape[1]}")
    return a2, b2


def _radius(window: int | None) -> int:
    if window is None:
        return -1
    if int(window) != window or window < 0:
        raise SignalError(f"window must be a non-negative integer radius, got {window!r}")
    return int(window)


def dtw_distance(
    a: Any, b: Any, *, window: int | None = None, max_dist: float | None = None
) -> float:
    """DTW distance between two series.

    Parameters
    ----------
    a, b : array_like
        ``(n,)``/``(n, d)`` and ``(m,)``/``(m, d)``; lengths may differ.
    window : int or None
        Sakoe–Chiba radius (see module docstring).
    max_dist : float or None
        Abandon early and return ``inf`` once the distance must exceed this.

    Returns
    -------
    float
        ``sqrt`` of the accumulated squared-Euclidean cost.
    """
    a2, b2 = _pair(a, b)
    max_cost = np.inf if max_dist is None else float(max_dist) ** 2
    return float(np.sqrt(_kernels.dtw_cost(a2, b2, _radius(window), max_cost)))


def dtw_path(a: Any, b: Any, *, window: int | None = None) -> tuple[float, np.ndarray]:
    """DTW distance and optimal warping path.

    Returns
    -------
    distance : float
        As :func:`dtw_distance`.
    path : numpy.ndarray
        int64 ``(k, 2)`` of ``(i, j)`` pairs, monotone from ``(0, 0)`` to ``(n-1, m-1)``.
    """
    a2, b2 = _pair(a, b)
    acc = _kernels.dtw_matrix(a2, b2, _radius(window))
    return float(np.sqrt(acc[-1, -1])), _kernels.backtrack(acc)


def lb_kim(a: Any, b: Any) -> float:
    """LB_Kim (first and last points): a cheap lower bound of :func:`dtw_distance`."""
    a2, b2 = _pair(a, b)
    first = float(((a2[0] - b2[0]) ** 2).sum())
    if a2.shape[0] == 1 and b2.shape[0] == 1:
        return float(np.sqrt(first))
    return float(np.sqrt(first + ((a2[-1] - b2[-1]) ** 2).sum()))


def lb_keogh(query: Any, candidate: Any, window: int | None = None) -> float:
    """LB_Keogh of ``query`` against ``candidate``'s envelope under the same band.

    A lower bound of ``dtw_distance(query, candidate, window=window)`` for any lengths
    (each query row is matched to at least one candidate row inside its band).
    """
    q, c = _pair(query, candidate)
    lo, hi = _kernels.envelope(c, q.shape[0], _radius(window))
    return float(np.sqrt(_kernels.lb_keogh_cost(q, lo, hi, np.inf)))


class NearestNeighbours:
    """Repeated 1-NN DTW search over a fixed set of candidates.

    Candidates are stacked once and their LB_Keogh envelopes cached per query length, so
    each query runs the whole cascade (LB_Kim order → LB_Keogh → early-abandoned DTW)
    inside one compiled kernel. Answers equal a brute-force scan (ties: lowest index).

    Parameters
    ----------
    candidates : sequence of array_like
        ``(m_i,)``/``(m_i, d)`` series, lengths may differ.
    window : int or None
        Band radius, as :func:`dtw_distance`.
    """

    def __init__(self, candidates: Sequence[Any], *, window: int | None = None) -> None:
        series = [as_series(c, f"candidates[{i}]") for i, c in enumerate(candidates)]
        if not series:
            raise SignalError("no candidates")
        if len({s.shape[1] for s in series}) != 1:
            raise SignalError("candidates have different channel counts")
        self._series = series
        self._cat = np.ascontiguousarray(np.concatenate(series))
        self._offsets = np.cumsum([0] + [len(s) for s in series]).astype(np.int64)
        self._r = _radius(window)
        self._envelopes: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def _envelope(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        if n not in self._envelopes:
            pairs = [_kernels.envelope(s, n, self._r) for s in self._series]
            self._envelopes[n] = (
                np.ascontiguousarray(np.concatenate([p[0] for p in pairs])),
                np.ascontiguousarray(np.concatenate([p[1] for p in pairs])),
            )
        return self._envelopes[n]

    def query(self, query: Any) -> tuple[int, float]:
        """Return ``(index, distance)`` of the nearest candidate."""
        q = as_series(query, "query")
        if q.shape[1] != self._cat.shape[1]:
            raise SignalError("query channel count differs from the candidates'")
        lo, hi = self._envelope(q.shape[0])
        index, cost = _kernels.nn_search(q, self._cat, self._offsets, lo, hi, self._r)
        return int(index), float(np.sqrt(cost))


def nearest(
    query: Any, candidates: Sequence[Any], *, window: int | None = None
) -> tuple[int, float]:
    """1-nearest neighbour under DTW, pruned by LB_Kim → LB_Keogh → early abandoning.

    For many queries against the same candidates use :class:`NearestNeighbours`.

    Returns
    -------
    index : int
        Index of the nearest candidate (ties: lowest index, as brute force).
    distance : float
        Its DTW distance.
    """
    return NearestNeighbours(candidates, window=window).query(query)


class OpenEndAligner:
    """Incremental open-end DTW: where in the template the live stream is now.

    Each pushed sample adds one row to the DTW matrix (stream on rows, template on
    columns, symmetric1 steps) in ``O(len(template) × d)``; the current position is the
    template index minimising the last row (open end), as dtw-python's
    ``open_end=True``.

    Parameters
    ----------
    template : array_like
        ``(m,)`` or ``(m, d)``.
    window : int or None
        Reserved for a band relative to the stream start; only ``None`` is supported.
    """

    def __init__(self, template: Any, *, window: int | None = None) -> None:
        if window is not None:
            raise SignalError("OpenEndAligner supports window=None only")
        self.template = as_series(template, "template")
        self.reset()

    def reset(self) -> None:
        """Forget the stream (a new stroke starts)."""
        self._row = np.full(self.template.shape[0], np.inf)
        self._started = False
        self.samples = 0

    def push(self, values: Any) -> int:
        """Add samples ``(k,)``/``(k, d)``; return the current template index."""
        x = as_series(values, "values")
        if x.shape[1] != self.template.shape[1]:
            raise SignalError("channel count differs from the template")
        self._row, self._started = _kernels.open_end_rows(
            x, self.template, self._row, self._started
        )
        self.samples += x.shape[0]
        return self.position

    @property
    def position(self) -> int:
        """Template index the performer is at (-1 before any sample)."""
        return int(np.argmin(self._row)) if self._started else -1

    @property
    def cost(self) -> float:
        """Open-end accumulated squared cost so far."""
        return float(self._row.min()) if self._started else np.inf

    @property
    def distance(self) -> float:
        """Open-end distance so far (``sqrt`` of :attr:`cost`)."""
        return float(np.sqrt(self.cost))

    @property
    def row(self) -> np.ndarray:
        """Copy of the last DP row, ``(m,)`` accumulated squared costs."""
        return self._row.copy()


@dataclass(frozen=True, slots=True)
class Match:
    """A subsequence of the stream matching the template.

    Parameters
    ----------
    start : int
        First stream sample of the match (inclusive, absolute index).
    end : int
        One past the last stream sample (exclusive).
    distance : float
        DTW distance between the template and ``stream[start:end]``.
    """

    start: int
    end: int
    distance: float


class StreamingMatcher:
    """SPRING subsequence spotting over an unbounded stream (Sakurai et al. 2007).

    Reports the best non-overlapping subsequences whose DTW distance to the template
    is at most ``threshold``; a match is reported as soon as no later subsequence that
    overlaps it can beat it. ``O(len(template) × d)`` time per sample, ``O(len)`` memory.

    Parameters
    ----------
    template : array_like
        ``(m,)`` or ``(m, d)``.
    threshold : float or None
        Largest DTW distance reported; ``None`` reports the best of every group of
        overlapping candidates, without rejection.
    window : int or None
        Only ``None`` is supported (subsequence DTW has no fixed diagonal).
    """

    def __init__(
        self, template: Any, *, threshold: float | None = None, window: int | None = None
    ) -> None:
        if window is not None:
            raise SignalError("StreamingMatcher supports window=None only")
        self.template = as_series(template, "template")
        self.threshold = threshold
        self._eps = np.inf if threshold is None else float(threshold) ** 2
        self.reset()

    def reset(self) -> None:
        """Forget the stream; indices restart at 0."""
        m = self.template.shape[0]
        self._d = np.full(m + 1, np.inf)
        self._d[0] = 0.0
        self._s = np.zeros(m + 1, dtype=np.int64)
        self._state = np.array([np.inf, 0.0, 0.0])
        self.samples = 0

    def push(self, block: Any) -> list[Match]:
        """Feed samples (an array or a block with ``.values``); return newly final matches."""
        x = as_series(block, "block")
        if x.shape[1] != self.template.shape[1]:
            raise SignalError("channel count differs from the template")
        out = np.empty((x.shape[0] + 1, 3))
        n = _kernels.spring_steps(
            x, self.template, self._d, self._s, self._state, self.samples, self._eps, out
        )
        self.samples += x.shape[0]
        return [Match(int(s), int(e) + 1, float(np.sqrt(c))) for s, e, c in out[:n]]

    def flush(self) -> list[Match]:
        """Report the pending candidate at the end of the stream, if any."""
        d_min, t_s, t_e = self._state
        if not np.isfinite(d_min):
            return []
        self.reset_pending()
        return [Match(int(t_s), int(t_e) + 1, float(np.sqrt(d_min)))]

    def reset_pending(self) -> None:
        """Drop the pending candidate (and cells overlapping it)."""
        t_e = self._state[2]
        self._d[1:][self._s[1:] <= t_e] = np.inf
        self._state[:] = (np.inf, 0.0, 0.0)


def znormalise(x: Any, axis: int = 0) -> np.ndarray:
    """Zero-mean, unit-variance per channel; flat channels become zeros (not NaN).

    Parameters
    ----------
    x : array_like
        ``(n,)`` or ``(n, d)``.
    axis : int
        Time axis.
    """
    arr = np.asarray(x, dtype=np.float64)
    mean = arr.mean(axis=axis, keepdims=True)
    std = arr.std(axis=axis, keepdims=True)
    return np.divide(arr - mean, std, out=np.zeros_like(arr), where=std > 1e-12)


def dba(
    series: Sequence[Any],
    *,
    n_iter: int = 15,
    init: Any = None,
    window: int | None = None,
    tol: float = 1e-7,
) -> np.ndarray:
    """DTW barycenter averaging (Petitjean, Ketterlin & Gançarski 2011).

    Parameters
    ----------
    series : sequence of array_like
        Takes ``(n_k,)``/``(n_k, d)``, lengths may differ.
    n_iter : int
        Maximum refinement iterations.
    init : array_like or None
        Initial average; default the medoid (smallest summed DTW distance to the rest).
    window : int or None
        Band radius for the alignments.
    tol : float
        Stop when the summed squared cost improves by less than this fraction.

    Returns
    -------
    numpy.ndarray
        The average, shape of ``init`` (``(L, d)``; ``(L,)`` if inputs were 1-D).
    """
    if len(series) == 0:
        raise SignalError("dba needs at least one series")
    one_d = all(np.asarray(s).ndim == 1 for s in series)
    data = [as_series(s, f"series[{i}]") for i, s in enumerate(series)]
    if init is None:
        sums = [sum(dtw_distance(a, b, window=window) ** 2 for b in data) for a in data]
        avg = data[int(np.argmin(sums))].copy()
    else:
        avg = as_series(init, "init").copy()
    previous = np.inf
    for _ in range(n_iter):
        total = np.zeros_like(avg)
        count = np.zeros(avg.shape[0])
        cost = 0.0
        for s in data:
            dist, path = dtw_path(avg, s, window=window)
            cost += dist**2
            np.add.at(total, path[:, 0], s[path[:, 1]])
            np.add.at(count, path[:, 0], 1.0)
        avg = total / count[:, None]
        if previous - cost <= tol * max(previous, 1e-300):
            break
        previous = cost
    return avg[:, 0] if one_d else avg


def warmup() -> None:
    """Compile (or load from cache) every kernel on tiny inputs.

    The app runs this in a background thread at start-up so the first stroke is not
    delayed by compilation.
    """
    a = np.random.default_rng(0).random((6, 2))
    dtw_distance(a, a[:4], window=1, max_dist=10.0)
    dtw_path(a, a[:5])
    lb_keogh(a, a[:5], 1)
    nearest(a, [a, a[:3]], window=2)
    OpenEndAligner(a).push(a[:3])
    StreamingMatcher(a, threshold=1.0).push(a)
