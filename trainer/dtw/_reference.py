"""Plain NumPy/Python twins of the numba kernels: slow, readable, used by parity tests.

Each function mirrors the kernel of the same name in :mod:`trainer.dtw._kernels` (same
conventions: ``(n, d)`` float64 series, squared-Euclidean local cost, accumulated squared
cost, band ``i - j <= max(0, n - m) + r`` and ``j - i <= max(0, m - n) + r``, ``r < 0``
for no band), written for clarity: whole matrices, no rolling rows, no pruning. The
``subsequence_*`` functions are brute-force oracles for SPRING, not twins.
"""

from __future__ import annotations

import numpy as np

INF = np.inf


def cost_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Local costs ``(n, m)``: squared Euclidean distance summed over channels."""
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)


def allowed(n: int, m: int, r: int) -> np.ndarray:
    """Boolean ``(n, m)``: which cells the band allows."""
    i = np.arange(n)[:, None]
    j = np.arange(m)[None, :]
    if r < 0:
        return np.ones((n, m), dtype=bool)
    return (i - j <= max(0, n - m) + r) & (j - i <= max(0, m - n) + r)


def dtw_matrix(a: np.ndarray, b: np.ndarray, r: int) -> np.ndarray:
    """Accumulated squared cost ``(n, m)``, ``inf`` outside the band."""
    n, m = len(a), len(b)
    cost = cost_matrix(a, b)
    ok = allowed(n, m, r)
    acc = np.full((n, m), INF)
    for i in range(n):
        for j in range(m):
            if not ok[i, j]:
                continue
            if i == 0 and j == 0:
                best = 0.0
            else:
                best = min(
                    acc[i - 1, j - 1] if i and j else INF,
                    acc[i - 1, j] if i else INF,
                    acc[i, j - 1] if j else INF,
                )
            acc[i, j] = best + cost[i, j]
    return acc


def dtw_cost(a: np.ndarray, b: np.ndarray, r: int, max_cost: float) -> float:
    """Accumulated squared cost, ``inf`` if above ``max_cost``."""
    value = float(dtw_matrix(a, b, r)[-1, -1])
    return value if value <= max_cost else INF


def backtrack(acc: np.ndarray) -> np.ndarray:
    """Optimal path from the end: diagonal, then ``(i-1, j)``, then ``(i, j-1)`` on ties."""
    i, j = acc.shape[0] - 1, acc.shape[1] - 1
    path = [(i, j)]
    while (i, j) != (0, 0):
        moves = []
        if i > 0 and j > 0:
            moves.append((acc[i - 1, j - 1], 0, (i - 1, j - 1)))
        if i > 0:
            moves.append((acc[i - 1, j], 1, (i - 1, j)))
        if j > 0:
            moves.append((acc[i, j - 1], 2, (i, j - 1)))
        i, j = min(moves)[2]  # lowest cost, then the preference rank
        path.append((i, j))
    return np.array(path[::-1], dtype=np.int64)


def envelope(b: np.ndarray, n: int, r: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-row min/max of ``b`` over the band's columns, for a length-``n`` query."""
    ok = allowed(n, len(b), r)
    lo = np.array([b[ok[i]].min(axis=0) for i in range(n)])
    hi = np.array([b[ok[i]].max(axis=0) for i in range(n)])
    return lo, hi


def lb_keogh_cost(a: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    """Squared distance from ``a`` to the envelope (0 inside it)."""
    above = np.clip(a - hi, 0.0, None)
    below = np.clip(lo - a, 0.0, None)
    return float((above**2).sum() + (below**2).sum())


def lb_kim_cost(a: np.ndarray, b: np.ndarray) -> float:
    """Cost of the first cell plus the last cell (once if they coincide)."""
    corners = {(0, 0), (len(a) - 1, len(b) - 1)}
    return float(sum(((a[i] - b[j]) ** 2).sum() for i, j in corners))


def nn_search(q: np.ndarray, candidates: list[np.ndarray], r: int) -> tuple[int, float]:
    """Brute-force 1-NN: ``(index, squared cost)``, lowest index on ties."""
    costs = [dtw_cost(q, c, r, INF) for c in candidates]
    best = int(np.argmin(costs))
    return best, costs[best]


def open_end_rows(stream: np.ndarray, template: np.ndarray, r: int) -> np.ndarray:
    """Every row of the open-end matrix ``(len(stream), m)``, band ``|i - j| <= r``.

    Row ``i`` is what the incremental kernel holds after ``i + 1`` samples; its argmin is
    the open-end position.
    """
    n, m = len(stream), len(template)
    cost = cost_matrix(stream, template)
    rows = np.arange(n)[:, None]
    cols = np.arange(m)[None, :]
    ok = np.ones((n, m), dtype=bool) if r < 0 else np.abs(rows - cols) <= r
    acc = np.full((n, m), INF)
    for i in range(n):
        for j in range(m):
            if not ok[i, j]:
                continue
            if i == 0:
                best = acc[0, j - 1] if j else 0.0
            else:
                diag = acc[i - 1, j - 1] if j else INF
                best = min(acc[i - 1, j], diag, acc[i, j - 1] if j else INF)
            acc[i, j] = best + cost[i, j]
    return acc


def spring(stream: np.ndarray, template: np.ndarray, eps: float) -> list[tuple[int, int, float]]:
    """SPRING as printed in Sakurai et al. 2007 (Fig. 4), on a whole stream at once.

    Returns ``(t_s, t_e, squared cost)`` per match, ``t_e`` inclusive, in report order,
    followed by the candidate still pending at the end (what ``flush`` reports).
    """
    m = len(template)
    d = [0.0] + [INF] * m  # previous column; index 0 is the star-padding cell
    s = [0] * (m + 1)
    d_min, t_s, t_e = INF, 0, 0
    found = []
    for t, x in enumerate(stream):
        nd, ns = [0.0] + [INF] * m, [t] + [0] * m
        for i in range(1, m + 1):
            local = float(((x - template[i - 1]) ** 2).sum())
            # Same preference order as the kernel: left, then up if strictly better, then
            # the diagonal if no worse; row 1 never takes the previous star cell.
            best, start = nd[i - 1], ns[i - 1]
            if d[i] < best:
                best, start = d[i], s[i]
            if i > 1 and d[i - 1] <= best:
                best, start = d[i - 1], s[i - 1]
            nd[i], ns[i] = local + best, start
        if d_min < INF:
            if all(nd[i] >= d_min or ns[i] > t_e for i in range(1, m + 1)):
                found.append((t_s, t_e, d_min))
                d_min = INF
                for i in range(1, m + 1):
                    if ns[i] <= t_e:
                        nd[i] = INF
        if nd[m] <= eps and nd[m] < d_min:
            d_min, t_s, t_e = nd[m], ns[m], t
        d, s = nd, ns
    if d_min < INF:
        found.append((t_s, t_e, d_min))
    return found


def subsequence_costs(stream: np.ndarray, template: np.ndarray) -> np.ndarray:
    """Brute force: ``C[s, e]`` = DTW cost of ``template`` vs ``stream[s:e+1]`` (e >= s)."""
    n = len(stream)
    out = np.full((n, n), INF)
    for s in range(n):
        # Row t - s of this matrix ends the alignment at stream sample t.
        out[s, s:] = dtw_matrix(stream[s:], template, -1)[:, -1]
    return out


def subsequence_greedy(
    stream: np.ndarray, template: np.ndarray, eps: float
) -> list[tuple[int, int, float]]:
    """Brute force: greedily take the best non-overlapping subsequences with cost <= ``eps``.

    Repeatedly takes the cheapest subsequence that overlaps none taken before. Returns
    ``(start, end inclusive, squared cost)`` sorted by start.
    """
    costs = subsequence_costs(stream, template)
    free = np.ones(len(stream), dtype=bool)
    taken: list[tuple[float, int, int]] = []  # (cost, start, end inclusive)
    while True:
        best = (INF, 0, 0)
        for s in range(len(stream)):
            for e in range(s, len(stream)):
                if costs[s, e] <= eps and costs[s, e] < best[0] and free[s : e + 1].all():
                    best = (costs[s, e], s, e)
        if best[0] == INF:
            return sorted((s, e, c) for c, s, e in taken)
        taken.append(best)
        free[best[1] : best[2] + 1] = False
