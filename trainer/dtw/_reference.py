"""Plain NumPy/Python twins of the numba kernels: slow, readable, used by parity tests."""

from __future__ import annotations

import numpy as np


def _cost_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)


def _allowed(n: int, m: int, r: int) -> np.ndarray:
    i = np.arange(n)[:, None]
    j = np.arange(m)[None, :]
    if r < 0:
        return np.ones((n, m), dtype=bool)
    return (j - i <= max(0, m - n) + r) & (i - j <= max(0, n - m) + r)


def dtw_matrix(a: np.ndarray, b: np.ndarray, r: int) -> np.ndarray:
    """Accumulated squared cost, ``inf`` outside the band."""
    n, m = len(a), len(b)
    cost = _cost_matrix(a, b)
    allowed = _allowed(n, m, r)
    acc = np.full((n, m), np.inf)
    for i in range(n):
        for j in range(m):
            if not allowed[i, j]:
                continue
            if i == 0 and j == 0:
                best = 0.0
            else:
                best = min(
                    acc[i - 1, j - 1] if i and j else np.inf,
                    acc[i - 1, j] if i else np.inf,
                    acc[i, j - 1] if j else np.inf,
                )
            acc[i, j] = best + cost[i, j]
    return acc


def dtw_cost(a: np.ndarray, b: np.ndarray, r: int, max_cost: float) -> float:
    """Accumulated squared cost (``inf`` if above ``max_cost``)."""
    value = float(dtw_matrix(a, b, r)[-1, -1])
    return value if value <= max_cost else np.inf


def lb_keogh_cost(a: np.ndarray, b: np.ndarray, r: int) -> float:
    """LB_Keogh squared bound of ``a`` against ``b`` under the band."""
    allowed = _allowed(len(a), len(b), r)
    total = 0.0
    for i in range(len(a)):
        window = b[allowed[i]]
        lo, hi = window.min(axis=0), window.max(axis=0)
        total += float((np.clip(a[i] - hi, 0, None) ** 2 + np.clip(lo - a[i], 0, None) ** 2).sum())
    return total


def open_end_costs(stream: np.ndarray, template: np.ndarray) -> np.ndarray:
    """Last row of the open-end DTW matrix after the whole stream, ``(m,)``."""
    return dtw_matrix(stream, template, -1)[-1]


def spring_brute_force(stream: np.ndarray, template: np.ndarray) -> tuple[int, int, float]:
    """Best subsequence ``[start, end]`` (inclusive) by exhaustive DTW, squared cost."""
    best = (0, 0, np.inf)
    for s in range(len(stream)):
        for e in range(s, len(stream)):
            c = float(dtw_matrix(stream[s : e + 1], template, -1)[-1, -1])
            if c < best[2]:
                best = (s, e, c)
    return best
