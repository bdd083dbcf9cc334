"""Graphics items of the live plots: pens, the band's fill, the grid, appendable curves.

Each is drawn by Qt alone (no Python call while painting) and changed only when its data
change: :class:`StreamCurve` appends into preallocated polygons, :class:`TimeLayer`
slides a plot's items under its fixed "seconds from now" axis.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6 import QtCore, QtGui, QtWidgets

__all__ = [
    "BandFill",
    "HorizontalGrid",
    "StreamCurve",
    "TimeLayer",
    "cosmetic_pen",
    "hairline",
    "live_curve",
]


def live_curve(pen: QtGui.QPen | str | None, name: str | None = None) -> pg.PlotDataItem:
    """Return a curve for data replaced by ``setData`` each frame.

    NaN rows (gaps) break the line; it is clipped to the view and peak-downsampled.
    """
    item = pg.PlotDataItem(pen=pen, name=name, connect="finite")
    item.setClipToView(True)
    item.setDownsampling(auto=True, method="peak")
    return item


def cosmetic_pen(colour: str, *, width: float = 1.0, dash: bool = False) -> QtGui.QPen:
    """Return a pen whose width is in screen pixels at any zoom (fast to draw)."""
    pen = pg.mkPen(colour, width=width)
    pen.setCosmetic(True)
    if dash:
        pen.setStyle(QtCore.Qt.PenStyle.DashLine)
    return pen


class BandFill(QtWidgets.QGraphicsPathItem):
    """The area between a band's two edges, built straight from their arrays.

    What ``pg.FillBetweenItem`` draws (each finite stretch: the low edge forward, the high
    edge back; odd-even fill, no outline), without its round trip through both curves'
    painter paths: that rebuild was the costliest step of a live frame.

    Parameters
    ----------
    brush : QtGui.QColor
        Fill colour.
    """

    def __init__(self, brush: QtGui.QColor) -> None:
        super().__init__()
        self.setPen(QtGui.QPen(QtCore.Qt.PenStyle.NoPen))
        self.setBrush(QtGui.QBrush(brush))
        self.setZValue(-1)  # under the edges, as FillBetweenItem puts itself

    def set_edges(self, x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
        """Fill between ``lo`` and ``hi`` along ``x``; NaN in any of them breaks the area."""
        x, lo, hi = (np.asarray(a, dtype=np.float64) for a in (x, lo, hi))
        path = QtGui.QPainterPath()
        path.setFillRule(QtCore.Qt.FillRule.OddEvenFill)
        ok = np.isfinite(x) & np.isfinite(lo) & np.isfinite(hi)
        edges = np.flatnonzero(np.diff(np.r_[False, ok, False].astype(np.int8)))
        for a, b in zip(edges[::2], edges[1::2], strict=True):
            n = int(b - a)
            if n < 2:  # a lone point encloses nothing
                continue
            poly = pg.functions.create_qpolygonf(2 * n)
            xy = pg.functions.ndarray_from_qpolygonf(poly)
            xy[:n, 0] = x[a:b]
            xy[:n, 1] = lo[a:b]
            xy[n:, 0] = x[a:b][::-1]
            xy[n:, 1] = hi[a:b][::-1]
            path.addPolygon(poly)
        self.setPath(path)


def hairline(pen: QtGui.QPen) -> QtGui.QPen:
    """Return ``pen`` as a 0-width (hairline) pen: the same one-pixel line.

    A path item finds its bounds from the path alone with a hairline; with a 1-px pen Qt
    outlines the whole path to find them, at every change.
    """
    line = QtGui.QPen(pen)
    line.setWidthF(0.0)
    return line


class HorizontalGrid(QtWidgets.QGraphicsPathItem):
    """Opaque horizontal lines across a plot of fixed x range, at given heights (one item).

    Drawn as seven ``InfiniteLine`` items per plot before: each recomputed its bounds at
    every scroll step (every frame). One path now, drawn by Qt alone (no Python call
    while painting), rebuilt only when the heights change.

    Parameters
    ----------
    pen : QtGui.QPen
        Line pen (drawn one pixel wide).
    span : tuple of float
        The x range the lines cross (the plot's fixed range).
    """

    def __init__(self, pen: QtGui.QPen, span: tuple[float, float]) -> None:
        super().__init__()
        self.setPen(hairline(pen))
        self._span = (float(span[0]), float(span[1]))
        self._values: tuple[float, ...] = ()

    @property
    def values(self) -> tuple[float, ...]:
        """Heights of the lines, data units."""
        return self._values

    def set_values(self, values: tuple[float, ...]) -> None:
        """Draw the lines at ``values``."""
        if tuple(values) == self._values:
            return
        self._values = tuple(values)
        path = QtGui.QPainterPath()
        x0, x1 = self._span
        for y in self._values:
            path.moveTo(x0, y)
            path.lineTo(x1, y)
        self.setPath(path)


class _Run:
    """One unbroken stretch of a :class:`StreamCurve`: a polygon, and its points as an array.

    ``xy`` is a NumPy view of the polygon's own storage (reserved once): new points are
    written into it directly, old ones shifted out in place; nothing is reallocated.
    """

    __slots__ = ("n", "poly", "xy")

    def __init__(self, capacity: int) -> None:
        self.poly = QtGui.QPolygonF()
        self.poly.reserve(capacity)
        self.poly.resize(capacity)
        self.xy = pg.functions.ndarray_from_qpolygonf(self.poly)
        self.poly.resize(0)
        self.n = 0

    @property
    def capacity(self) -> int:
        return int(self.xy.shape[0])

    def _resize(self, n: int) -> None:
        self.poly.resize(n)
        self.n = n

    def extend(self, x: np.ndarray, y: np.ndarray) -> None:
        n, m = self.n, x.shape[0]
        if n + m > self.capacity:  # rare: a longer window than the curve was made for
            bigger = _Run(max(2 * self.capacity, n + m))
            bigger._resize(n)
            bigger.xy[:n] = self.xy[:n]
            self.poly, self.xy = bigger.poly, bigger.xy
        self._resize(n + m)  # first: growing a QPolygonF zero-fills the new points
        # Within its reserved capacity a QPolygonF that nothing shares never moves (this
        # module never copies one); if it did, the view would point at freed memory.
        if shiboken6.getCppPointer(self.poly.constData())[0] != self.xy.ctypes.data:
            raise RuntimeError("a live curve's polygon moved")  # pragma: no cover
        self.xy[n : n + m, 0] = x
        self.xy[n : n + m, 1] = y

    def drop_front(self, k: int) -> None:
        n = self.n
        self.xy[: n - k] = self.xy[k:n]  # NumPy copies overlapping ranges safely
        self._resize(n - k)


class StreamCurve(QtWidgets.QGraphicsPathItem):
    """A live line kept in preallocated polygons and changed by appending.

    Each frame of the live plot adds only the samples that arrived (:meth:`append`) and
    forgets those that scrolled out (:meth:`drop_before`): the points already held are
    neither rebuilt nor reconverted from Python, only handed to Qt again as one path
    (a copy in C++). Painting is Qt's alone: no Python call while a frame is painted, so
    painting never waits for the interpreter while the acquisition thread scores a
    stroke. A gap (a ``breaks`` flag, or a non-finite point) starts a new stretch, so a
    line never bridges it.

    Parameters
    ----------
    pen : QtGui.QPen
        Line pen (drawn as a one-pixel hairline).
    capacity : int
        Points a stretch holds before it grows (it doubles when needed).
    parent : QtWidgets.QGraphicsItem or None
        Parent item (a :class:`TimeLayer`).
    """

    def __init__(
        self, pen: QtGui.QPen, capacity: int = 1024, parent: QtWidgets.QGraphicsItem | None = None
    ) -> None:
        super().__init__(parent)
        self.setPen(pen)
        self._capacity = int(capacity)
        self._runs: list[_Run] = []
        self._spare: list[_Run] = []  # emptied stretches, reused rather than reallocated
        self._break_next = False  # the next point starts a new stretch (a gap was last)

    def setPen(self, pen: QtGui.QPen | QtCore.Qt.PenStyle | QtGui.QColor, /) -> None:
        """Draw with ``pen`` (as a hairline, see :func:`hairline`)."""
        super().setPen(hairline(QtGui.QPen(pen)))

    # -- data --

    @property
    def points(self) -> int:
        """Points held, all stretches together."""
        return sum(run.n for run in self._runs)

    def clear(self) -> None:
        """Forget every point."""
        if self._forget():
            self._publish()

    def set_data(self, x: np.ndarray, y: np.ndarray) -> None:
        """Replace every point (NaN in ``y`` breaks the line, as ``connect="finite"``)."""
        had = self._forget()
        if not self.append(x, y) and had:
            self._publish()

    def _forget(self) -> bool:
        """Drop every stretch (kept for reuse); return whether there were any."""
        self._break_next = False
        had = bool(self._runs)
        for run in self._runs:
            run._resize(0)
        self._spare.extend(self._runs)
        self._runs.clear()
        return had

    def append(self, x: np.ndarray, y: np.ndarray, breaks: np.ndarray | None = None) -> bool:
        """Add points after the newest one.

        Parameters
        ----------
        x, y : numpy.ndarray
            ``(k,)`` coordinates, ``x`` non-decreasing and not before the newest point.
        breaks : numpy.ndarray or None
            Bool ``(k,)``: the line breaks just before this point (samples were lost).

        Returns
        -------
        bool
            Whether any point was added (non-finite ones are not).
        """
        added = self._add(x, y, breaks)
        if added:
            self._publish()
        return added

    def slide(self, x: np.ndarray, y: np.ndarray, breaks: np.ndarray | None, x0: float) -> None:
        """:meth:`append` the new points, then :meth:`drop_before` ``x0``: one path for both.

        A live frame does both to every curve; handing Qt the path once, not after each,
        halves what a frame's curves cost to publish.
        """
        added = self._add(x, y, breaks)
        if self._drop(x0) or added:
            self._publish()

    def _add(self, x: np.ndarray, y: np.ndarray, breaks: np.ndarray | None) -> bool:
        """:meth:`append` without handing the path to Qt; return whether any was added."""
        xs = np.asarray(x, dtype=np.float64).reshape(-1)
        ys = np.asarray(y, dtype=np.float64).reshape(-1)
        if xs.size == 0:
            return False
        cut = np.zeros(xs.size, dtype=bool) if breaks is None else np.asarray(breaks, dtype=bool)
        ok = np.isfinite(xs) & np.isfinite(ys)
        trailing_gap = not ok[-1]
        if not ok.all():
            # A dropped (non-finite) point breaks the line before the next kept one.
            owed = np.cumsum(cut | ~ok)
            kept = np.flatnonzero(ok)
            before = np.r_[0, owed[kept[:-1]]] if kept.size else kept
            cut = (owed[kept] - before) > 0
            xs, ys = xs[kept], ys[kept]
        if xs.size:
            edges = (np.flatnonzero(cut[1:]) + 1).tolist()
            for i, (a, b) in enumerate(zip([0, *edges], [*edges, xs.size], strict=True)):
                if i or cut[0] or self._break_next or not self._runs:
                    run = self._take_run(b - a)
                    self._runs.append(run)
                else:
                    run = self._runs[-1]
                self._break_next = False
                run.extend(xs[a:b], ys[a:b])
        self._break_next = self._break_next or trailing_gap
        return bool(xs.size)

    def drop_before(self, x0: float) -> None:
        """Forget the points left of ``x0`` (they scrolled out of the window)."""
        if self._drop(x0):
            self._publish()

    def _drop(self, x0: float) -> bool:
        """:meth:`drop_before` without handing the path to Qt; return whether any went."""
        dropped = False
        while self._runs:
            run = self._runs[0]
            k = int(np.searchsorted(run.xy[: run.n, 0], x0))
            if k == 0:
                break
            dropped = True
            if k < run.n:
                run.drop_front(k)
                break
            run._resize(0)
            self._spare.append(self._runs.pop(0))
        return dropped

    def _take_run(self, needed: int) -> _Run:
        for i, run in enumerate(self._spare):
            if run.capacity >= needed:
                return self._spare.pop(i)
        return _Run(max(self._capacity, needed))

    def _publish(self) -> None:
        """Hand the points to Qt: one unclosed subpath per stretch."""
        path = QtGui.QPainterPath()
        for run in self._runs:
            if run.n > 1:
                path.addPolygon(run.poly)
        self.setPath(path)

    def getData(self) -> tuple[np.ndarray, np.ndarray]:
        """Return copies of the points, with a NaN row where the line breaks.

        As ``PlotDataItem.getData`` returns a line drawn with ``connect="finite"``; the x
        of a break repeats the next point's.
        """
        xs: list[np.ndarray] = []
        ys: list[np.ndarray] = []
        for i, run in enumerate(self._runs):
            if i:
                xs.append(run.xy[:1, 0].copy())
                ys.append(np.array([np.nan]))
            xs.append(run.xy[: run.n, 0].copy())
            ys.append(run.xy[: run.n, 1].copy())
        if not xs:
            return np.empty(0), np.empty(0)
        return np.concatenate(xs), np.concatenate(ys)


class TimeLayer(QtWidgets.QGraphicsRectItem):
    """A plot's items in stream time, slid under a fixed "seconds from now" axis.

    The view's x range never changes, so scrolling costs no axis relayout, no tick
    regeneration and no re-clipping of any curve: moving this layer (its children keep
    their points) is all a frame between blocks does. It draws nothing itself.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.now_s = 0.0

    def set_now(self, now_s: float) -> None:
        """Put stream time ``now_s`` at the axis's 0."""
        if now_s != self.now_s:
            self.now_s = float(now_s)
            self.setPos(-self.now_s, 0.0)
