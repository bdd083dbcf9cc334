"""The practice view's live plots: total force against the reference band, and per sensor.

Made for 60 frames a second on a small laptop (issue 16): every item is created once (per
glove profile); the view's ranges are fixed, "now" at 0 of a "seconds from now" axis, and
the data slide under it (:class:`TimeLayer`), so a frame between blocks moves two items
and repaints no axis; a frame with new samples appends only those to each curve
(:class:`StreamCurve`, preallocated polygons drawn as they are) and redraws the band.
1-px cosmetic pens, no antialiasing; gaps break the lines. :class:`FramePacer` picks the
frame timer's interval from what the frames cost.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6 import QtCore, QtGui, QtWidgets

from sensors.profiles import GloveProfile
from trainer.live import LiveState, Snapshot, with_gap_breaks
from trainer.ui import theme
from trainer.ui.widgets import Legend

__all__ = [
    "BandFill",
    "ForcePlot",
    "FrameCounter",
    "FramePacer",
    "HorizontalGrid",
    "StreamCurve",
    "TimeLayer",
    "band_along_path",
    "cosmetic_pen",
    "hairline",
    "live_curve",
    "nice_ceiling",
    "unstep",
]

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
            self._publish()
        self._break_next = self._break_next or trailing_gap
        return bool(xs.size)

    def drop_before(self, x0: float) -> None:
        """Forget the points left of ``x0`` (they scrolled out of the window)."""
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
        if dropped:
            self._publish()

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


class ForcePlot(pg.GraphicsLayoutWidget):
    """Two stacked plots of the last ``window_s`` seconds, "now" at a fixed place.

    Top: the total force, the reference band and template along the live aligned
    position, and the band ahead of now. Bottom: one curve per sensor, coloured by hand
    region. The legend is a line of text the view places above the plot.

    The time axis reads seconds from now and never moves; the data slide under it (a
    :class:`TimeLayer` per plot). A frame with new samples appends only those to each
    :class:`StreamCurve` and redraws the band; a frame without only slides the layers.

    Parameters
    ----------
    window_s : float
        Seconds of history shown.
    ahead_s : float
        Seconds right of "now" kept free for the band ahead.
    parent : QtWidgets.QWidget or None
        Parent widget.
    """

    #: How far (glove seconds) the time axis may run ahead of the newest sample.
    MAX_LEAD_S = 0.15
    #: Height below which the plots stop being readable (two axes, ticks, labels); the
    #: page scrolls rather than squeeze them (a 1366×768 screen at 150 %, issue 16).
    MIN_HEIGHT = 250

    def __init__(
        self,
        window_s: float = 10.0,
        ahead_s: float = 1.0,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent=parent)
        self.window_s = float(window_s)
        self.ahead_s = float(ahead_s)
        self.setMinimumHeight(self.MIN_HEIGHT)
        # Every frame slides both plots' items: one rectangle around them repaints in a
        # fraction of the time the minimal region (a rectangle per item, old and new
        # place) takes to clip and paint.
        self.setViewportUpdateMode(
            QtWidgets.QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate
        )
        self.setAntialiasing(False)  # whatever pyqtgraph's global option is when made
        self.paint_hooks: list[Callable[[], None]] = []
        self.frames_painted = 0
        self.data_frames = 0  # frames that brought new samples (the rest only scroll)
        self._paint_s = 0.0  # painting time since take_paint_seconds (the frame pacer's)
        self.ci.setContentsMargins(4, 6, 10, 4)
        self.ci.setSpacing(6)

        self.total_plot: pg.PlotItem = self.addPlot(row=0, col=0)
        self.sensor_plot: pg.PlotItem = self.addPlot(row=1, col=0)
        self.ci.layout.setRowStretchFactor(0, 3)
        self.ci.layout.setRowStretchFactor(1, 2)
        for plot, label in ((self.total_plot, "Total force"), (self.sensor_plot, "Per sensor")):
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.setLabel("left", label, units="N")
            plot.getAxis("left").setWidth(58)
            plot.disableAutoRange()
            # Fixed for good: "now" is 0 (see TimeLayer).
            plot.setXRange(-self.window_s, self.ahead_s, padding=0)
            for side in ("bottom", "top"):
                plot.getAxis(side).enableAutoSIPrefix(False)
        self._grid: dict[int, HorizontalGrid] = {}
        self._layer: dict[int, TimeLayer] = {}
        for plot in (self.total_plot, self.sensor_plot):
            grid = HorizontalGrid(cosmetic_pen("#eceff2"), (-self.window_s, self.ahead_s))
            grid.setZValue(-100)
            plot.addItem(grid, ignoreBounds=True)
            self._grid[id(plot)] = grid
            layer = TimeLayer()
            plot.addItem(layer, ignoreBounds=True)
            self._layer[id(plot)] = layer
        self.total_plot.getAxis("bottom").setStyle(showValues=False)
        self.sensor_plot.setLabel("bottom", "seconds from now")
        total_layer = self._layer[id(self.total_plot)]
        sensor_layer = self._layer[id(self.sensor_plot)]

        # Reference band along the stroke so far (trail) and ahead of now.
        band_brush = QtGui.QColor(theme.ACCENT)
        band_brush.setAlpha(38)
        ahead_brush = QtGui.QColor(theme.ACCENT)
        ahead_brush.setAlpha(95)
        edge = QtGui.QColor(theme.ACCENT)
        edge.setAlpha(70)
        edge_pen = cosmetic_pen(edge.name(QtGui.QColor.NameFormat.HexArgb))
        self.band_fill = BandFill(band_brush)
        self.ahead_fill = BandFill(ahead_brush)
        for fill in (self.band_fill, self.ahead_fill):
            fill.setParentItem(total_layer)
        # Drawn in this order (fills under them): band edges, template, your force on top.
        self.band_lo = StreamCurve(edge_pen, BAND_POINTS, total_layer)
        self.band_hi = StreamCurve(edge_pen, BAND_POINTS, total_layer)
        self.ahead_lo = StreamCurve(cosmetic_pen(theme.ACCENT), 256, total_layer)
        self.ahead_hi = StreamCurve(cosmetic_pen(theme.ACCENT), 256, total_layer)
        self.template = StreamCurve(cosmetic_pen(theme.ACCENT, dash=True), BAND_POINTS, total_layer)
        self.template_ahead = StreamCurve(cosmetic_pen(theme.ACCENT, dash=True), 256, total_layer)
        self.total = StreamCurve(cosmetic_pen(theme.TEXT), 4096, total_layer)
        now_pen = cosmetic_pen("#9aa5b1", dash=True)
        self.now_line = StreamCurve(now_pen, 2, total_layer)
        self.sensor_now_line = StreamCurve(now_pen, 2, sensor_layer)

        #: The legend, a line of text the view places above the plot (off the data).
        self.legend = Legend(self._legend_entries(None))
        self.channel_curves: list[StreamCurve] = []
        self._profile: GloveProfile | None = None
        self._now = float("nan")  # stream time of the newest sample drawn
        self._y_total = self._y_sensor = 0.0
        self._set_y(self.total_plot, 20.0)
        self._set_y(self.sensor_plot, 10.0)
        self._last_written = -1
        self._last_revision = -1
        self._ahead_shown = True  # the band ahead has data (cleared once, not every frame)
        self._redraw = False  # a scored stroke changed the band: draw even without new data
        #: Scored strokes: (stream time of the first sample, band rows along its path).
        self._scored: list[tuple[float, np.ndarray]] = []
        self._edge = float("nan")
        self._clock: Callable[[], float] = time.monotonic
        self._pending_arrivals: list[np.ndarray] = []

    # -- set-up (rare: a new glove) --

    def set_profile(self, profile: GloveProfile | None) -> None:
        """Create one curve per sensor of ``profile`` (reused while the count matches)."""
        self._profile = profile
        n = 0 if profile is None else len(profile.sensors)
        layer = self._layer[id(self.sensor_plot)]
        while len(self.channel_curves) < n:
            self.channel_curves.append(StreamCurve(cosmetic_pen("#888888"), 4096, layer))
        self.sensor_now_line.setZValue(1)  # over the sensors' curves
        for i, curve in enumerate(self.channel_curves):
            if i >= n or profile is None:
                curve.clear()
                curve.hide()
                continue
            curve.setPen(cosmetic_pen(theme.region_colour(profile.regions[i])))
            curve.show()
        self.legend.set_entries(self._legend_entries(profile))
        self._y_total = self._y_sensor = 0.0
        self._set_y(self.total_plot, 20.0)
        self._set_y(self.sensor_plot, 10.0)
        self.clear_data()

    @staticmethod
    def _legend_entries(profile: GloveProfile | None) -> list[tuple[str, str, str]]:
        entries = [
            (theme.TEXT, "line", "your force"),
            (theme.ACCENT, "dash", "reference"),
            (theme.ACCENT, "box", "band (darker: ahead)"),
        ]
        if profile is not None:
            for region in dict.fromkeys(profile.regions):  # once each, in glove order
                entries.append((theme.region_colour(region), "line", region.replace("_", " ")))
        return entries

    def add_stroke(self, start_s: float, path: np.ndarray | None, reference: Any) -> None:
        """Draw a scored stroke's band from its whole warping path from now on.

        While a stroke runs, the band follows the scorer's live position, which holds and
        jumps; once scored, the stroke's band is redrawn the way Replay draws it.
        """
        if path is None or len(path) == 0 or reference is None:
            return
        self._scored.append((float(start_s), band_along_path(path, reference)))
        del self._scored[:-16]  # more than the plot's window ever shows
        # Redraw with it at the next frame. Only the drawing is redone: the samples are not
        # new (resetting _last_written made the latency probe count the whole window again).
        self._redraw = True

    def clear_data(self) -> None:
        """Empty every curve (a new source); the next frame draws its whole snapshot."""
        self._pending_arrivals.clear()
        self._scored.clear()
        self._last_written = -1
        self._last_revision = -1
        self._now = float("nan")
        for curve in self._curves():
            curve.clear()
        for fill in (self.band_fill, self.ahead_fill):
            fill.setPath(QtGui.QPainterPath())

    def _curves(self) -> tuple[StreamCurve, ...]:
        return (
            self.total,
            self.band_lo,
            self.band_hi,
            self.template,
            self.ahead_lo,
            self.ahead_hi,
            self.template_ahead,
            self.now_line,
            self.sensor_now_line,
            *self.channel_curves,
        )

    def _set_y(self, plot: pg.PlotItem, top: float) -> None:
        if plot is self.total_plot:
            if top == self._y_total:
                return
            self._y_total = top
        else:
            if top == self._y_sensor:
                return
            self._y_sensor = top
        plot.setYRange(0.0, top, padding=0.02)
        # Horizontal grid as a few opaque lines: pyqtgraph's axis grid is repainted with
        # alpha blending on every frame and cost more than all the curves together.
        spacing = next((s for s in (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0) if top / s <= 6), 200.0)
        self._grid[id(plot)].set_values(
            tuple(float(y) for y in spacing * np.arange(1.0, 8.0) if y < top)
        )
        self._place_now_lines()

    def _place_now_lines(self) -> None:
        if np.isfinite(self._now):
            now = np.array([self._now, self._now])
            self.now_line.set_data(now, np.array([0.0, self._y_total]))
            self.sensor_now_line.set_data(now, np.array([0.0, self._y_sensor]))

    # -- per frame --

    def time_range(self) -> tuple[float, float]:
        """Stream times (s) at the left and right ends of the time axis."""
        return self._edge - self.window_s, self._edge + self.ahead_s

    def show_frame(
        self,
        snap: Snapshot,
        live: LiveState | None = None,
        template_ahead: np.ndarray | None = None,
        fs_hz: float | None = None,
        now_s: float | None = None,
    ) -> bool:
        """Draw a snapshot (and the scorer's band ahead); return whether anything changed.

        Between blocks (a glove sends 10-20 a second) the data do not change, but the
        plot keeps sliding at the frame rate: "now" follows the newest sample plus the
        wall time since it arrived (at the stream's recent pace, at most
        :attr:`MAX_LEAD_S` ahead), so motion is smooth rather than block-by-block.

        Parameters
        ----------
        snap : Snapshot
            Newest samples (the scorer track in ``snap.aux``).
        live : LiveState or None
            The scorer's newest state, for the band ahead.
        template_ahead : numpy.ndarray or None
            The reference's total force from the aligned position on, newtons.
        fs_hz : float or None
            Sample rate, for placing the band ahead in time.
        now_s : float or None
            Monotonic wall time of this frame (default: the plot's clock).

        Returns
        -------
        bool
            Whether this frame changed anything (new data or a scroll step).
        """
        if len(snap) == 0:
            return False
        wall = self._clock() if now_s is None else now_s
        # A new revision without new samples: the engine filled in their scorer track.
        fresh_data = (
            snap.written != self._last_written
            or snap.revision != self._last_revision
            or self._redraw
        )
        if fresh_data:
            self._draw_data(snap, live, template_ahead, fs_hz)
        edge = float(snap.t[-1]) + self._lead(snap, wall)
        if not fresh_data and abs(edge - self._edge) < 1e-4:
            return False
        self._edge = edge
        for layer in self._layer.values():
            layer.set_now(edge)
        return True

    def _lead(self, snap: Snapshot, wall: float) -> float:
        """Glove time elapsed since the newest sample arrived, estimated from the pace."""
        arrival = snap.arrival_s
        first = float(arrival[np.searchsorted(arrival, arrival[-1] - 2.0)])
        # Compare block ends with block ends: the last sample that arrived with `first`.
        ref = int(np.searchsorted(arrival, first, side="right")) - 1
        span_wall = float(arrival[-1] - first)
        span_glove = float(snap.t[-1] - snap.t[ref])
        if span_wall <= 0.2 or span_glove <= 0:
            return 0.0
        pace = min(span_glove / span_wall, 10.0)
        return float(np.clip((wall - snap.arrival_s[-1]) * pace, 0.0, self.MAX_LEAD_S))

    def _draw_data(
        self,
        snap: Snapshot,
        live: LiveState | None,
        template_ahead: np.ndarray | None,
        fs_hz: float | None,
    ) -> None:
        n = len(snap)
        fresh = snap.written - self._last_written
        if (
            self._last_written < 0
            or not 0 <= fresh <= n
            or (fresh and float(snap.t[n - fresh]) < self._now)  # a new stream
        ):
            for curve in (self.total, *self.channel_curves):
                curve.clear()
            fresh = n
        self._last_written = snap.written
        self._last_revision = snap.revision
        self._redraw = False
        self.data_frames += 1
        if fresh:
            if len(self._pending_arrivals) < 64:  # latency probe: the next paint
                self._pending_arrivals.append(snap.arrival_s[n - fresh :])
            self._append(snap, n - fresh)
        if snap.aux.shape[1] >= 3:
            t, aux = with_gap_breaks(snap.t, self._with_scored(snap), snap.gap_before)
            # Smooth the scorer's staircase (see unstep) before thinning it for the fill;
            # the template, smooth too, is drawn from the same thinned rows.
            bt, band = coarse(t, unstep(aux[:, :3]), BAND_POINTS)
            self.band_lo.set_data(bt, band[:, 0])
            self.band_hi.set_data(bt, band[:, 1])
            self.template.set_data(bt, band[:, 2])
            self.band_fill.set_edges(bt, band[:, 0], band[:, 1])
            # The y range only steps up. The whole track, not just the new rows: a block's
            # track is filled in after its samples are drawn (see Acquisition).
            band_top = nice_ceiling(1.1 * _finite_max(snap.aux[:, 1]))
            self._set_y(self.total_plot, max(self._y_total, band_top))
        self._draw_ahead(self._now, live, template_ahead, fs_hz)

    def _append(self, snap: Snapshot, first: int) -> None:
        """Add the rows from ``first`` on to the curves; forget what left the snapshot."""
        t = snap.t[first:]
        values = snap.values[first:]
        gaps = snap.gap_before[first:]
        total = values.sum(axis=1)
        self.total.append(t, total, gaps)
        channels = min(values.shape[1], len(self.channel_curves))
        for i in range(channels):
            self.channel_curves[i].append(t, values[:, i], gaps)
        oldest = float(snap.t[0])
        for curve in (self.total, *self.channel_curves[:channels]):
            curve.drop_before(oldest)
        self._now = float(t[-1])
        # The y ranges only step up, so the new rows alone can move them (the band's top:
        # see _draw_data).
        self._set_y(self.total_plot, max(self._y_total, nice_ceiling(1.1 * _finite_max(total))))
        peak_sensor = _finite_max(values)
        self._set_y(self.sensor_plot, max(self._y_sensor, nice_ceiling(1.1 * peak_sensor)))
        self._place_now_lines()

    def _with_scored(self, snap: Snapshot) -> np.ndarray:
        """Return the scorer track, with scored strokes' spans drawn along their paths."""
        if not self._scored:
            return snap.aux
        aux = snap.aux.copy()
        t = snap.t
        half = 0.5 * float(np.median(np.diff(t[-64:]))) if len(t) > 1 else 0.0
        for start_s, rows in self._scored:
            i0 = int(np.searchsorted(t, start_s - half))
            skip = 0
            if i0 == 0 and half > 0 and start_s < t[0] - half:  # began before the snapshot
                skip = round((t[0] - start_s) / (2 * half))
            if i0 >= len(t) or skip >= rows.shape[0]:
                continue
            n = min(rows.shape[0] - skip, len(t) - i0)
            aux[i0 : i0 + n, :3] = rows[skip : skip + n]
        return aux

    def _draw_ahead(
        self,
        now: float,
        live: LiveState | None,
        template_ahead: np.ndarray | None,
        fs_hz: float | None,
    ) -> None:
        lo, hi = (np.empty(0), np.empty(0)) if live is None else live.band_ahead
        if live is None or not live.active or fs_hz is None or lo.size == 0:
            if self._ahead_shown:  # already empty: nothing to redo every frame
                self._ahead_shown = False
                for curve in (self.ahead_lo, self.ahead_hi, self.template_ahead):
                    curve.clear()
                self.ahead_fill.setPath(QtGui.QPainterPath())
            return
        self._ahead_shown = True
        # The band starts where the scorer last was and runs into the future.
        x = live.t + np.arange(lo.size) / fs_hz
        self.ahead_lo.set_data(x, lo)
        self.ahead_hi.set_data(x, hi)
        self.ahead_fill.set_edges(x, lo, hi)
        if template_ahead is not None and template_ahead.size:
            n = min(template_ahead.size, x.size)
            self.template_ahead.set_data(x[:n], template_ahead[:n])
        else:
            self.template_ahead.clear()

    # -- paint instrumentation (fps and latency probes, the frame pacer) --

    def take_new_arrivals(self) -> np.ndarray:
        """Arrival times (monotonic s) of the blocks drawn since the last call, unique."""
        if not self._pending_arrivals:
            return np.empty(0)
        arrivals = np.unique(np.concatenate(self._pending_arrivals))
        self._pending_arrivals.clear()
        return arrivals

    def take_paint_seconds(self) -> float:
        """Seconds spent painting the plot since the last call."""
        spent, self._paint_s = self._paint_s, 0.0
        return spent

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        """Paint, then tell the probes a frame reached the screen."""
        began = time.perf_counter()
        super().paintEvent(event)
        self._paint_s += time.perf_counter() - began
        self.frames_painted += 1
        for hook in self.paint_hooks:
            hook()


def _finite_max(*arrays: np.ndarray) -> float:
    """Largest finite value of the arrays (0 if none)."""
    best = 0.0
    for a in arrays:
        if a.size:
            with np.errstate(invalid="ignore"):
                m = np.nanmax(a) if np.isfinite(a).any() else 0.0
            best = max(best, float(m))
    return best


class FrameCounter:
    """Frames per second over a sliding window (the debug readout).

    Parameters
    ----------
    window_s : float
        Averaging window, seconds.
    clock : callable
        Monotonic clock, seconds.
    """

    def __init__(self, window_s: float = 1.0, clock: Callable[[], float] = time.monotonic):
        self.window_s = window_s
        self._clock = clock
        self._times: list[float] = []

    def tick(self) -> None:
        """Count one frame now."""
        now = self._clock()
        self._times.append(now)
        cut = now - self.window_s
        while self._times and self._times[0] < cut:
            self._times.pop(0)

    @property
    def fps(self) -> float:
        """Frames per second over the window (0 before two frames)."""
        if len(self._times) < 2:
            return 0.0
        span = self._times[-1] - self._times[0]
        return (len(self._times) - 1) / span if span > 0 else 0.0


class FramePacer:
    """The frame timer's interval: fast while frames are cheap, slower when they are not.

    Each frame reports what it cost (the timer's work plus the paint it caused, wall
    time). The median of the last ``window`` frames above ``slow_above`` of the fast
    interval switches to ``slow_ms``, below ``fast_below`` of it back to ``fast_ms``;
    between the two the interval stays, so a cost near one threshold does not flip it
    every frame. The median, not the mean: one frame that scores a stroke, or waits for
    a core on a busy machine, says nothing of the next ones. A fast interval with frames
    that cannot keep up would only add to every sample's wait (the GUI thread shares
    the machine with the acquisition thread).

    Parameters
    ----------
    fast_ms, slow_ms : int
        The two intervals, milliseconds (60 and 30 frames a second).
    slow_above, fast_below : float
        Shares of ``fast_ms`` the frames' median cost is compared with.
    window : int
        Frames the median is taken over.

    Raises
    ------
    ValueError
        If the intervals, shares or window make no sense.
    """

    def __init__(
        self,
        fast_ms: int = 16,
        slow_ms: int = 33,
        *,
        slow_above: float = 0.75,
        fast_below: float = 0.45,
        window: int = 30,
    ) -> None:
        if not (0 < fast_ms <= slow_ms and 0 < fast_below < slow_above and window >= 1):
            raise ValueError(
                "need 0 < fast_ms <= slow_ms, 0 < fast_below < slow_above, window >= 1"
            )
        self.fast_ms = int(fast_ms)
        self.slow_ms = int(slow_ms)
        self._slow_above = slow_above * fast_ms / 1e3
        self._fast_below = fast_below * fast_ms / 1e3
        self._window = int(window)
        self._costs: collections.deque[float] = collections.deque(maxlen=self._window)
        #: The interval to use now, milliseconds.
        self.interval_ms = self.fast_ms

    @property
    def cost_s(self) -> float:
        """Median cost of the last frames, seconds (NaN before the first)."""
        return float(np.median(self._costs)) if self._costs else float("nan")

    def add(self, cost_s: float) -> int:
        """Count a frame that cost ``cost_s`` seconds; return the interval to use next (ms)."""
        self._costs.append(float(cost_s))
        if len(self._costs) < self._window:
            return self.interval_ms  # too few frames to judge
        cost = self.cost_s
        if cost > self._slow_above:
            self.interval_ms = self.slow_ms
        elif cost < self._fast_below:
            self.interval_ms = self.fast_ms
        return self.interval_ms
