"""The live plot's arrays: axis ceilings, thinned and smoothed band tracks, bands on a path.

NumPy only (no Qt): what :class:`~trainer.ui.plots.force.ForcePlot` draws is computed here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["BAND_POINTS", "band_along_path", "coarse", "nice_ceiling", "unstep"]

_STEPS = (2.0, 5.0, 10.0, 20.0, 30.0, 50.0, 100.0, 200.0, 500.0)


def nice_ceiling(value: float, floor: float = 5.0) -> float:
    """Smallest of 2, 5, 10, 20, 30, 50, 100… newtons at or above ``value`` (≥ ``floor``)."""
    for step in _STEPS:
        if step >= max(value, floor):
            return step
    return float(np.ceil(value / 500.0) * 500.0)


#: Most points the band's fill is drawn with: filling between two long curves costs
#: QPainterPath tens of milliseconds a frame, and the band is smooth at this resolution.
BAND_POINTS = 600


def coarse(t: np.ndarray, y: np.ndarray, points: int) -> tuple[np.ndarray, np.ndarray]:
    """Average ``y`` over runs of samples so at most ``points`` remain; NaN breaks stay.

    Parameters
    ----------
    t : numpy.ndarray
        Times ``(n,)``.
    y : numpy.ndarray
        Values ``(n, k)``; a NaN in a run makes the run NaN (a gap is never bridged).
    points : int
        Most rows returned.

    Returns
    -------
    t, y : numpy.ndarray
        The run means (every row as given when ``n <= points``).
    """
    step = -(-t.size // max(points, 1))
    if step <= 1:
        return t, y
    n = t.size // step * step
    return (
        t[:n].reshape(-1, step).mean(axis=1),
        y[:n].reshape(-1, step, y.shape[1]).mean(axis=1),
    )


def unstep(y: np.ndarray) -> np.ndarray:
    """Join the flat steps of a held-then-jumping track into a smooth line.

    The live scorer's aligned position holds for a few samples, then jumps, so the band
    it traces is a staircase. Each run of equal rows is replaced by a line through the
    middles of the runs (the ends hold), which is how the band looks when drawn from the
    stroke's whole warping path (as in Replay). Runs are taken over whole rows, so every
    smoothed row mixes the same two original rows: ``lo <= hi`` stays true. NaN (no
    band, a gap) is kept and never bridged.

    Parameters
    ----------
    y : numpy.ndarray
        Values ``(n,)`` or ``(n, k)``, NaN where there is nothing.

    Returns
    -------
    numpy.ndarray
        The smoothed values, same shape, float64.
    """
    arr = np.asarray(y, dtype=np.float64)
    rows = arr.reshape(arr.shape[0], -1)
    out = rows.copy()
    finite = np.isfinite(rows).all(axis=1)
    if rows.shape[0] >= 3 and finite.any():
        edges = np.flatnonzero(np.diff(np.r_[False, finite, False].astype(np.int8)))
        for a, b in zip(edges[::2], edges[1::2], strict=True):  # each finite stretch
            seg = rows[a:b]
            starts = np.flatnonzero(np.r_[True, np.any(seg[1:] != seg[:-1], axis=1)])
            if starts.size < 2:
                continue
            ends = np.r_[starts[1:], seg.shape[0]]
            centres = (starts + ends - 1) / 2.0
            x = np.arange(seg.shape[0], dtype=np.float64)
            for j in range(seg.shape[1]):
                out[a:b, j] = np.interp(x, centres, seg[starts, j])
    return out.reshape(arr.shape)


def band_along_path(path: np.ndarray, reference: Any) -> np.ndarray:
    """Return the reference's band and total under a stroke, sample by sample, along its path.

    The construction Replay uses (:mod:`trainer.store.replay`): each stroke sample takes
    the last template index aligned with it, never going back.

    Parameters
    ----------
    path : numpy.ndarray
        Warping path ``(k, 2)``: (stroke sample, template index).
    reference : Reference
        ``band_lo``, ``band_hi`` and ``total`` ``(L,)``.

    Returns
    -------
    numpy.ndarray
        ``(n, 3)``: band low, band high and reference total at each of the stroke's ``n``
        samples (the track's columns).
    """
    path = np.asarray(path, dtype=np.int64)
    n = int(path[:, 0].max()) + 1
    aligned = np.zeros(n, dtype=np.int64)
    aligned[path[:, 0]] = np.clip(path[:, 1], 0, len(reference.total) - 1)
    aligned = np.maximum.accumulate(aligned)
    return np.column_stack(
        [
            np.asarray(reference.band_lo)[aligned],
            np.asarray(reference.band_hi)[aligned],
            np.asarray(reference.total)[aligned],
        ]
    )
