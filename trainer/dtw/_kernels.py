"""numba kernels for DTW (compiled once, cached on disk; no Python objects inside loops).

Conventions shared by every kernel:
- series are C-contiguous float64 arrays ``(n, d)``;
- the local cost is the squared Euclidean distance summed over channels;
- kernels return *accumulated squared cost*; the public API takes the square root;
- the band: cell ``(i, j)`` is allowed when ``j - i <= max(0, m - n) + r`` and
  ``i - j <= max(0, n - m) + r`` (``r < 0`` means no band).

Each kernel has a readable twin in :mod:`trainer.dtw._reference`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

INF = np.inf


@njit(cache=True, nogil=True, inline="always")
def _sqdist(a: np.ndarray, i: int, b: np.ndarray, j: int) -> float:
    s = 0.0
    for k in range(a.shape[1]):
        diff = a[i, k] - b[j, k]
        s += diff * diff
    return s


@njit(cache=True, nogil=True)
def band_limits(n: int, m: int, r: int) -> tuple[int, int]:
    """Return (below, above): allowed ``i - j <= below`` and ``j - i <= above``."""
    if r < 0:
        return n + m, n + m
    return max(0, n - m) + r, max(0, m - n) + r


@njit(cache=True, nogil=True)
def dtw_cost(a: np.ndarray, b: np.ndarray, r: int, max_cost: float) -> float:
    """Accumulated squared cost of the optimal path; ``inf`` once it must exceed ``max_cost``."""
    n, m = a.shape[0], b.shape[0]
    below, above = band_limits(n, m, r)
    prev = np.full(m + 1, INF)
    curr = np.full(m + 1, INF)
    prev[0] = 0.0  # virtual cell (-1, -1)
    for i in range(n):
        j_lo = max(0, i - below)
        j_hi = min(m - 1, i + above)
        curr[:] = INF
        row_min = INF
        for j in range(j_lo, j_hi + 1):
            # prev/curr are shifted by one: index j+1 holds column j
            best = prev[j]  # diagonal (i-1, j-1)
            if prev[j + 1] < best:
                best = prev[j + 1]  # (i-1, j)
            if curr[j] < best:
                best = curr[j]  # (i, j-1)
            v = best + _sqdist(a, i, b, j)
            curr[j + 1] = v
            if v < row_min:
                row_min = v
        if row_min > max_cost:
            return INF
        prev, curr = curr, prev
        prev[0] = INF  # only row 0 may start from the virtual origin
    return prev[m]


@njit(cache=True, nogil=True)
def dtw_matrix(a: np.ndarray, b: np.ndarray, r: int) -> np.ndarray:
    """Full accumulated-cost matrix ``(n, m)``, ``inf`` outside the band."""
    n, m = a.shape[0], b.shape[0]
    below, above = band_limits(n, m, r)
    acc = np.full((n, m), INF)
    for i in range(n):
        for j in range(max(0, i - below), min(m - 1, i + above) + 1):
            if i == 0 and j == 0:
                best = 0.0
            else:
                best = INF
                if i > 0 and j > 0 and acc[i - 1, j - 1] < best:
                    best = acc[i - 1, j - 1]
                if i > 0 and acc[i - 1, j] < best:
                    best = acc[i - 1, j]
                if j > 0 and acc[i, j - 1] < best:
                    best = acc[i, j - 1]
            acc[i, j] = best + _sqdist(a, i, b, j)
    return acc


@njit(cache=True, nogil=True)
def backtrack(acc: np.ndarray) -> np.ndarray:
    """Optimal path ``(k, 2)`` from ``(0, 0)`` to ``(n-1, m-1)`` (diagonal preferred on ties)."""
    i, j = acc.shape[0] - 1, acc.shape[1] - 1
    path = np.empty((acc.shape[0] + acc.shape[1], 2), dtype=np.int64)
    k = 0
    path[k, 0], path[k, 1] = i, j
    while i > 0 or j > 0:
        if i == 0:
            j -= 1
        elif j == 0:
            i -= 1
        else:
            diag, up, left = acc[i - 1, j - 1], acc[i - 1, j], acc[i, j - 1]
            if diag <= up and diag <= left:
                i -= 1
                j -= 1
            elif up <= left:
                i -= 1
            else:
                j -= 1
        k += 1
        path[k, 0], path[k, 1] = i, j
    return path[: k + 1][::-1].copy()


@njit(cache=True, nogil=True)
def envelope(b: np.ndarray, n: int, r: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-row envelope of ``b`` (length m) for a query of length ``n`` under the band."""
    m, d = b.shape
    below, above = band_limits(n, m, r)
    lo = np.empty((n, d))
    hi = np.empty((n, d))
    for i in range(n):
        j_lo = max(0, i - below)
        j_hi = min(m - 1, i + above)
        for k in range(d):
            mn = INF
            mx = -INF
            for j in range(j_lo, j_hi + 1):
                v = b[j, k]
                if v < mn:
                    mn = v
                if v > mx:
                    mx = v
            lo[i, k] = mn
            hi[i, k] = mx
    return lo, hi


@njit(cache=True, nogil=True)
def lb_keogh_cost(a: np.ndarray, lo: np.ndarray, hi: np.ndarray, max_cost: float) -> float:
    """LB_Keogh squared bound of ``a`` against an envelope; stops early past ``max_cost``."""
    s = 0.0
    for i in range(a.shape[0]):
        for k in range(a.shape[1]):
            v = a[i, k]
            if v > hi[i, k]:
                diff = v - hi[i, k]
                s += diff * diff
            elif v < lo[i, k]:
                diff = lo[i, k] - v
                s += diff * diff
        if s > max_cost:
            return s
    return s


@njit(cache=True, nogil=True)
def open_end_rows(
    stream: np.ndarray, template: np.ndarray, row: np.ndarray, started: bool
) -> tuple[np.ndarray, bool]:
    """Advance open-end DTW by the rows of ``stream``; ``row`` is the last row (m,)."""
    m = template.shape[0]
    new = np.empty(m)
    for t in range(stream.shape[0]):
        for j in range(m):
            c = _sqdist(stream, t, template, j)
            if not started:
                new[j] = c + (new[j - 1] if j > 0 else 0.0)
            else:
                best = row[j]
                if j > 0:
                    if row[j - 1] < best:
                        best = row[j - 1]
                    if new[j - 1] < best:
                        best = new[j - 1]
                new[j] = c + best
        started = True
        row, new = new, row
    return row, started


@njit(cache=True, nogil=True)
def spring_steps(
    stream: np.ndarray,
    template: np.ndarray,
    d: np.ndarray,
    s: np.ndarray,
    state: np.ndarray,
    t0: int,
    eps: float,
    out: np.ndarray,
) -> int:
    """Run SPRING over ``stream``; append reported matches to ``out`` rows (start, end, cost).

    ``d``/``s`` (length m+1) are the cost and start arrays carried between calls (updated
    in place); ``state`` = [d_min, t_s, t_e] of the pending candidate. Returns the number
    of rows written to ``out``.
    """
    m = template.shape[0]
    dims = template.shape[1]
    tt = np.ascontiguousarray(template.T)  # (d, m): the cost loop below vectorises over j
    cost = np.empty(m)
    od = d.copy()  # previous row; d becomes the current row
    os_ = s.copy()
    nd, ns = d, s
    written = 0
    for k in range(stream.shape[0]):
        cost[:] = 0.0
        for c in range(dims):
            x = stream[k, c]
            for j in range(m):
                diff = x - tt[c, j]
                cost[j] += diff * diff
        t = t0 + k
        if k > 0:
            od, nd = nd, od
            os_, ns = ns, os_
        nd[0] = 0.0
        ns[0] = t
        for j in range(1, m + 1):
            # predecessors: (t, j-1) new, (t-1, j) old, (t-1, j-1) old
            best = nd[j - 1]
            bs = ns[j - 1]
            if od[j] < best:
                best = od[j]
                bs = os_[j]
            # (t-1, 0) is the free "star" cell: a match starting at t is already nd[0].
            if j > 1 and od[j - 1] <= best:
                best = od[j - 1]
                bs = os_[j - 1]
            nd[j] = cost[j - 1] + best
            ns[j] = bs
        d_min, t_s, t_e = state[0], state[1], state[2]
        if d_min < INF and d_min <= eps:
            done = True
            for j in range(1, m + 1):
                if nd[j] < d_min and ns[j] <= t_e:
                    done = False
                    break
            if done:
                out[written, 0] = t_s
                out[written, 1] = t_e
                out[written, 2] = d_min
                written += 1
                state[0] = INF
                for j in range(1, m + 1):
                    if ns[j] <= t_e:
                        nd[j] = INF
        if nd[m] <= eps and nd[m] < state[0]:
            state[0] = nd[m]
            state[1] = ns[m]
            state[2] = t
    if nd is not d:  # an even number of swaps left the current row in the copy
        d[:] = nd
        s[:] = ns
    return written


@njit(cache=True, nogil=True)
def nn_search(
    q: np.ndarray,
    cat: np.ndarray,
    offsets: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    r: int,
) -> tuple[int, float]:
    """1-NN of ``q`` among candidates ``cat[offsets[i]:offsets[i+1]]`` (squared cost).

    ``lo``/``hi`` hold each candidate's envelope for queries of ``len(q)``, stacked as
    ``(n_candidates * len(q), d)``. Cascade: LB_Kim order → LB_Keogh → early-abandoned DTW.
    Ties resolve to the lowest index, as a brute-force scan would.
    """
    n = q.shape[0]
    count = offsets.shape[0] - 1
    kim = np.empty(count)
    for c in range(count):
        a0, a1 = offsets[c], offsets[c + 1] - 1
        v = _sqdist(q, 0, cat, a0)
        if n > 1 or a1 > a0:
            v += _sqdist(q, n - 1, cat, a1)
        kim[c] = v
    order = np.argsort(kim, kind="mergesort")
    best_i = -1
    best = INF
    for idx in range(count):
        c = order[idx]
        if kim[c] > best:
            break
        lb = lb_keogh_cost(q, lo[c * n : (c + 1) * n], hi[c * n : (c + 1) * n], best)
        if lb > best:
            continue
        cost = dtw_cost(q, cat[offsets[c] : offsets[c + 1]], r, best)
        if cost < best or (cost == best and c < best_i):
            best_i = c
            best = cost
    return best_i, best
