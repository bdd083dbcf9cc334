"""numba kernels for DTW: compiled once, cached on disk, no Python objects inside loops.

Conventions shared by every kernel (the public wrappers in :mod:`trainer.dtw` enforce them):

- series are C-contiguous float64 arrays ``(n, d)``, already validated (finite, non-empty);
- the local cost is the squared Euclidean distance summed over channels;
- kernels return *accumulated squared cost*; the public API takes the square root;
- the band: cell ``(i, j)`` is allowed when ``i - j <= max(0, n - m) + r`` and
  ``j - i <= max(0, m - n) + r``; ``r < 0`` means no band.

Each kernel has a readable twin of the same name in :mod:`trainer.dtw._reference`; the
parity tests run both on the same seeded data.

The cache: from source, numba writes it to ``__pycache__`` beside this file. In a frozen
bundle (``tools/build_bundle.py``) it goes to the user's cache directory,
``<platformdirs user_cache_dir>/numba``, unless ``NUMBA_CACHE_DIR`` says otherwise; the bundle
ships this file as source, because numba caches only functions whose file it can find.
"""

from __future__ import annotations

import os
import sys

if getattr(sys, "frozen", False) and not os.environ.get("NUMBA_CACHE_DIR"):
    # A bundle's folder may be read-only, and without a cache directory of its own numba
    # falls back to one keyed by the working directory: started from elsewhere, the
    # kernels would compile again (seconds). Set before numba reads its configuration.
    from platformdirs import user_cache_dir

    os.environ["NUMBA_CACHE_DIR"] = os.path.join(
        user_cache_dir("massage-trainer", appauthor=False), "numba"
    )
    if "numba" in sys.modules:  # imported before this module: make it read the variable
        from numba.core.config import reload_config

        reload_config()

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


@njit(cache=True, nogil=True, inline="always")
def _band_limits(n: int, m: int, r: int) -> tuple[int, int]:
    """Band half-widths ``(below, above)``: cells with ``i - j <= below``, ``j - i <= above``."""
    if r < 0:
        return n + m, n + m
    return max(0, n - m) + r, max(0, m - n) + r


@njit(cache=True, nogil=True)
def dtw_cost(a: np.ndarray, b: np.ndarray, r: int, max_cost: float) -> float:
    """Accumulated squared cost of the optimal path, or ``inf`` when it exceeds ``max_cost``.

    Two rolling rows of ``m + 1`` (O(m) memory); only the band's cells are visited. Every
    path crosses every row and costs only grow along a path, so once a whole row exceeds
    ``max_cost`` the result must too: stop there (early abandoning).
    """
    n: int = a.shape[0]
    m: int = b.shape[0]  # an int to mypy, so prev[m] below is not taken for an array
    below, above = _band_limits(n, m, r)
    # Index j + 1 holds column j; index 0 is the virtual column -1.
    prev = np.full(m + 1, INF)
    curr = np.full(m + 1, INF)
    prev[0] = 0.0  # virtual cell (-1, -1): the only way into (0, 0)
    for i in range(n):
        j_lo = max(0, i - below)
        j_hi = min(m - 1, i + above)
        # Row i reads prev at [j_lo, j_hi + 1]; the previous row wrote or cleared all of
        # [j_lo(i-1), j_hi(i-1) + 2], which covers it because the band only moves right.
        curr[j_lo] = INF
        # Neighbours carried in scalars: each old cell is read once per row.
        left = INF  # (i, j-1)
        diag = prev[j_lo]  # (i-1, j-1)
        row_min = INF
        for j in range(j_lo, j_hi + 1):
            up = prev[j + 1]  # (i-1, j)
            best = diag
            if up < best:
                best = up
            if left < best:
                best = left
            left = best + _sqdist(a, i, b, j)
            curr[j + 1] = left
            diag = up
            if left < row_min:
                row_min = left
        if j_hi + 2 <= m:
            curr[j_hi + 2] = INF
        if row_min > max_cost:
            return INF
        prev, curr = curr, prev
    result = prev[m]
    return result if result <= max_cost else INF


@njit(cache=True, nogil=True)
def dtw_matrix(a: np.ndarray, b: np.ndarray, r: int) -> np.ndarray:
    """Full accumulated-cost matrix ``(n, m)``, ``inf`` outside the band (for paths)."""
    n, m = a.shape[0], b.shape[0]
    below, above = _band_limits(n, m, r)
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
    """Optimal path ``(k, 2)`` from ``(0, 0)`` to ``(n-1, m-1)`` of a :func:`dtw_matrix`.

    Ties prefer the diagonal, then ``(i-1, j)``, then ``(i, j-1)``.
    """
    i, j = acc.shape[0] - 1, acc.shape[1] - 1
    path = np.empty((acc.shape[0] + acc.shape[1] - 1, 2), dtype=np.int64)
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
    """Envelope of ``b`` (length m) seen by each row of a length-``n`` query, ``(n, d)`` each.

    ``lo[i]``/``hi[i]`` are the per-channel min/max of ``b`` over the columns the band
    allows in row ``i``.
    """
    m, d = b.shape
    below, above = _band_limits(n, m, r)
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
    """LB_Keogh squared bound of ``a`` against an :func:`envelope`.

    Every row of ``a`` is matched to at least one column inside its band, and that column
    costs at least the squared distance to the envelope, so the sum bounds the DTW cost.
    Returns a partial sum (already ``> max_cost``) as soon as it exceeds ``max_cost``.
    """
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
def lb_kim_cost(a: np.ndarray, b: np.ndarray) -> float:
    """LB_Kim squared bound: every path contains ``(0, 0)`` and ``(n-1, m-1)``."""
    s = _sqdist(a, 0, b, 0)
    if a.shape[0] > 1 or b.shape[0] > 1:  # otherwise both corners are the same cell
        s += _sqdist(a, a.shape[0] - 1, b, b.shape[0] - 1)
    return s


@njit(cache=True, nogil=True)
def nn_search(
    q: np.ndarray,
    cat: np.ndarray,
    offsets: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    r: int,
) -> tuple[int, float]:
    """1-NN of ``q`` among candidates ``cat[offsets[c]:offsets[c+1]]``: ``(index, squared cost)``.

    ``lo``/``hi`` stack each candidate's :func:`envelope` for queries of ``len(q)``, as
    ``(n_candidates * len(q), d)``. Cascade: visit candidates in increasing LB_Kim order
    (stop once LB_Kim exceeds the best so far), then LB_Keogh, then DTW abandoned at the
    best so far. Ties resolve to the lowest index, as a brute-force scan would.
    """
    n = q.shape[0]
    count = offsets.shape[0] - 1
    kim = np.empty(count)
    for c in range(count):
        kim[c] = lb_kim_cost(q, cat[offsets[c] : offsets[c + 1]])
    order = np.argsort(kim, kind="mergesort")
    best_i = -1
    best = INF
    for idx in range(count):
        c = order[idx]
        if kim[c] > best:
            break  # sorted: no later candidate can do better
        if lb_keogh_cost(q, lo[c * n : (c + 1) * n], hi[c * n : (c + 1) * n], best) > best:
            continue
        cost = dtw_cost(q, cat[offsets[c] : offsets[c + 1]], r, best)
        if cost < best or (cost == best and c < best_i):
            best_i = c
            best = cost
    return best_i, best


@njit(cache=True, nogil=True)
def open_end_rows(
    stream: np.ndarray,
    template: np.ndarray,
    row: np.ndarray,
    scratch: np.ndarray,
    t0: int,
    r: int,
) -> None:
    """Advance open-end DTW (stream on rows, template on columns) by the rows of ``stream``.

    ``row`` (m,) holds the accumulated squared cost of stream row ``t0 - 1`` (ignored when
    ``t0 == 0``) and is overwritten with the last new row; ``scratch`` (m,) is work space.
    Steps are symmetric1 (diagonal, vertical, horizontal, all weight 1). With ``r >= 0``
    only cells with ``|i - j| <= r`` are allowed (dtw-python's Sakoe–Chiba window).
    """
    m = template.shape[0]
    old, new = row, scratch
    for k in range(stream.shape[0]):
        i = t0 + k
        if r < 0:
            j_lo, j_hi = 0, m - 1
        else:
            j_lo, j_hi = max(0, i - r), min(m - 1, i + r)
        new[:] = INF
        if i == 0:  # the first sample: only horizontal steps from the origin
            left = 0.0
            for j in range(j_lo, j_hi + 1):
                left += _sqdist(stream, k, template, j)
                new[j] = left
        else:
            left = INF  # (i, j-1)
            diag = old[j_lo - 1] if j_lo > 0 else INF  # (i-1, j-1)
            for j in range(j_lo, j_hi + 1):
                up = old[j]  # (i-1, j)
                best = diag
                if up < best:
                    best = up
                if left < best:
                    best = left
                left = best + _sqdist(stream, k, template, j)
                new[j] = left
                diag = up
        old, new = new, old
    if old is not row:  # an odd number of rows left the result in scratch
        row[:] = old


@njit(cache=True, nogil=True)
def spring_steps(
    stream: np.ndarray,
    template: np.ndarray,
    d: np.ndarray,
    s: np.ndarray,
    scratch_d: np.ndarray,
    scratch_s: np.ndarray,
    state: np.ndarray,
    t0: int,
    eps: float,
    out: np.ndarray,
) -> int:
    """Run SPRING (Sakurai, Faloutsos & Yamamuro 2007, Fig. 4) over ``stream``.

    ``d``/``s`` (m+1,) are the cost and start columns of the previous stream sample,
    carried between calls and updated in place (index 0 is the star-padding cell: cost 0,
    start = now); ``scratch_d``/``scratch_s`` are work space of the same shapes. ``state``
    = ``[d_min, t_s, t_e]`` of the pending candidate (``d_min = inf``: none). ``t0`` is
    the absolute index of ``stream[0]``; ``eps`` the squared threshold. Reported matches
    are written to ``out`` rows as ``(t_s, t_e, cost)`` with ``t_e`` inclusive; returns
    how many.
    """
    m = template.shape[0]
    od, os_ = d, s
    nd, ns = scratch_d, scratch_s
    written = 0
    for k in range(stream.shape[0]):
        t = t0 + k
        nd[0] = 0.0
        ns[0] = t
        # The left neighbour and the diagonal are carried in scalars: the loop then reads
        # each old cell once and LLVM need not assume the rows alias.
        left = 0.0  # (t, j-1); for j = 1 the star cell of *this* sample: start t
        left_s = t
        diag = INF  # (t-1, j-1); row 1 never takes the previous sample's star cell
        diag_s = t
        for j in range(1, m + 1):
            up = od[j]  # (t-1, j)
            up_s = os_[j]
            best = left
            bs = left_s
            if up < best:
                best = up
                bs = up_s
            if diag <= best:
                best = diag
                bs = diag_s
            left = best + _sqdist(stream, k, template, j - 1)
            left_s = bs
            nd[j] = left
            ns[j] = bs
            diag = up
            diag_s = up_s
        d_min, t_e = state[0], state[2]
        if d_min < INF:  # a candidate is only ever taken when <= eps
            # The pending candidate is final once no cell whose path overlaps it (start
            # <= t_e) can still end below d_min: report it and forget those cells.
            final = True
            for j in range(1, m + 1):
                if nd[j] < d_min and ns[j] <= t_e:
                    final = False
                    break
            if final:
                out[written, 0] = state[1]
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
        od, nd = nd, od
        os_, ns = ns, os_
    if od is not d:  # the newest column is in the scratch arrays
        d[:] = od
        s[:] = os_
    return written
