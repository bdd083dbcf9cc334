"""The practice view's live plots: total force against the reference band, and per sensor.

pyqtgraph done the fast way: every item is created once (per glove profile), each frame
only calls ``setData`` on it; clip-to-view, peak downsampling, 1-px pens, fixed ranges
with x following time; gaps break the lines (``connect="finite"`` with NaN rows).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from sensors.profiles import GloveProfile
from trainer.live import LiveState, Snapshot, with_gap_breaks
from trainer.ui import theme
from trainer.ui.widgets import Legend

__all__ = [
    "BandFill",
    "ForcePlot",
    "FrameCounter",
    "HorizontalGrid",
    "band_along_path",
    "cosmetic_pen",
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


class HorizontalGrid(pg.GraphicsObject):
    """Opaque horizontal lines across the whole view, at given heights (one item).

    Drawn as seven ``InfiniteLine`` items per plot before: each recomputed its bounds at
    every scroll step (every frame); this item does it once for all of its lines.

    Parameters
    ----------
    pen : QtGui.QPen
        Line pen (cosmetic: one pixel at any zoom).
    """

    def __init__(self, pen: QtGui.QPen) -> None:
        super().__init__()
        self._pen = pen
        self._values: tuple[float, ...] = ()
        self._rect: QtCore.QRectF | None = None

    @property
    def values(self) -> tuple[float, ...]:
        """Heights of the lines, data units."""
        return self._values

    def set_values(self, values: tuple[float, ...]) -> None:
        """Draw the lines at ``values``."""
        if values != self._values:
            self._values = tuple(values)
            self.update()

    def viewRangeChanged(self) -> None:
        """Move the bounds with the view (the lines span it)."""
        self.prepareGeometryChange()
        self._rect = None

    def boundingRect(self) -> QtCore.QRectF:
        """Return the view's rectangle, in data coordinates."""
        if self._rect is None:
            view = self.viewRect()
            self._rect = QtCore.QRectF() if view is None else QtCore.QRectF(view)
        return self._rect

    def paint(self, painter: QtGui.QPainter, *args: Any) -> None:
        """Draw one line per value across the view."""
        rect = self.boundingRect()
        painter.setPen(self._pen)
        for y in self._values:
            painter.drawLine(QtCore.QLineF(rect.left(), y, rect.right(), y))


class ForcePlot(pg.GraphicsLayoutWidget):
    """Two stacked, time-linked plots of the last ``window_s`` seconds.

    Top: the total force, the reference band and template along the live aligned
    position, and the band ahead of now. Bottom: one curve per sensor, coloured by hand
    region, with a legend.

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

    def __init__(
        self,
        window_s: float = 10.0,
        ahead_s: float = 1.0,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent=parent)
        self.window_s = float(window_s)
        self.ahead_s = float(ahead_s)
        self.paint_hooks: list[Callable[[], None]] = []
        self.frames_painted = 0
        self.data_frames = 0  # frames that brought new samples (the rest only scroll)
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
        self._grid: dict[int, HorizontalGrid] = {}
        for plot in (self.total_plot, self.sensor_plot):
            grid = HorizontalGrid(cosmetic_pen("#eceff2"))
            grid.setZValue(-100)
            plot.addItem(grid, ignoreBounds=True)
            self._grid[id(plot)] = grid
        self.sensor_plot.setXLink(self.total_plot)
        self.total_plot.getAxis("bottom").setStyle(showValues=False)
        self.sensor_plot.setLabel("bottom", "time", units="s")
        for plot in (self.total_plot, self.sensor_plot):
            # Seconds throughout: the SI prefix would re-typeset the axis label and resize
            # the axis on every scroll step (each frame), and past 1000 s read "ks". The
            # hidden top axis follows x too and did the same, unseen.
            for side in ("bottom", "top"):
                plot.getAxis(side).enableAutoSIPrefix(False)

        # Reference band along the stroke so far (trail) and ahead of now.
        band_brush = QtGui.QColor(theme.ACCENT)
        band_brush.setAlpha(38)
        ahead_brush = QtGui.QColor(theme.ACCENT)
        ahead_brush.setAlpha(95)
        edge = QtGui.QColor(theme.ACCENT)
        edge.setAlpha(70)
        self.band_lo = live_curve(cosmetic_pen(edge.name(QtGui.QColor.NameFormat.HexArgb)))
        self.band_hi = live_curve(cosmetic_pen(edge.name(QtGui.QColor.NameFormat.HexArgb)))
        self.band_fill = BandFill(band_brush)
        self.ahead_lo = live_curve(cosmetic_pen(theme.ACCENT))
        self.ahead_hi = live_curve(cosmetic_pen(theme.ACCENT))
        self.ahead_fill = BandFill(ahead_brush)
        self.template = live_curve(cosmetic_pen(theme.ACCENT, dash=True), "reference")
        self.template_ahead = live_curve(cosmetic_pen(theme.ACCENT, dash=True))
        self.total = live_curve(cosmetic_pen(theme.TEXT), "your force")
        for item in (self.band_fill, self.ahead_fill):
            self.total_plot.addItem(item)
        for item in (
            self.band_lo,
            self.band_hi,
            self.ahead_lo,
            self.ahead_hi,
            self.template,
            self.template_ahead,
            self.total,
        ):
            self.total_plot.addItem(item)
        self.now_line = pg.InfiniteLine(angle=90, pen=cosmetic_pen("#9aa5b1", dash=True))
        self.total_plot.addItem(self.now_line, ignoreBounds=True)
        self.sensor_now_line = pg.InfiniteLine(angle=90, pen=cosmetic_pen("#9aa5b1", dash=True))
        self.sensor_plot.addItem(self.sensor_now_line, ignoreBounds=True)

        #: The legend, a line of text the view places above the plot (off the data).
        self.legend = Legend(self._legend_entries(None))
        self.channel_curves: list[pg.PlotDataItem] = []
        self._profile: GloveProfile | None = None
        self._y_total = self._y_sensor = 0.0
        self._set_y(self.total_plot, 20.0)
        self._set_y(self.sensor_plot, 10.0)
        self._last_written = -1
        self._ahead_shown = True  # the band ahead has data (cleared once, not every frame)
        self._redraw = False  # a scored stroke changed the band: draw even without new data
        #: Scored strokes: (stream time of the first sample, band rows along its path).
        self._scored: list[tuple[float, np.ndarray]] = []
        self._edge = float("nan")
        self._clock: Callable[[], float] = time.monotonic
        self._pending_arrivals: list[np.ndarray] = []
        self.total_plot.setXRange(-self.window_s, self.ahead_s, padding=0)

    # -- set-up (rare: a new glove) --

    def set_profile(self, profile: GloveProfile | None) -> None:
        """Create one curve per sensor of ``profile`` (reused while the count matches)."""
        self._profile = profile
        n = 0 if profile is None else len(profile.sensors)
        while len(self.channel_curves) < n:
            curve = live_curve(cosmetic_pen("#888888"))
            self.sensor_plot.addItem(curve)
            self.channel_curves.append(curve)
        seen: set[str] = set()
        for i, curve in enumerate(self.channel_curves):
            if i >= n or profile is None:
                curve.setData([], [])
                curve.hide()
                continue
            region = profile.regions[i]
            curve.setPen(cosmetic_pen(theme.region_colour(region)))
            curve.show()
            seen.add(region)
        self.legend.set_entries(self._legend_entries(profile))
        self._y_total = self._y_sensor = 0.0
        self._set_y(self.total_plot, 20.0)
        self._set_y(self.sensor_plot, 10.0)
        self._last_written = -1
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
        """Empty every curve (a new source)."""
        self._pending_arrivals.clear()
        self._scored.clear()
        for item in (
            self.total,
            self.band_lo,
            self.band_hi,
            self.template,
            self.ahead_lo,
            self.ahead_hi,
            self.template_ahead,
            *self.channel_curves,
        ):
            item.setData([], [])
        for fill in (self.band_fill, self.ahead_fill):
            fill.setPath(QtGui.QPainterPath())

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

    # -- per frame --

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
        time axis keeps scrolling at the frame rate: the right edge follows the newest
        sample plus the wall time since it arrived (at the stream's recent pace, at most
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
        fresh_data = snap.written != self._last_written or self._redraw
        if fresh_data:
            self._draw_data(snap, live, template_ahead, fs_hz)
        edge = float(snap.t[-1]) + self._lead(snap, wall)
        if not fresh_data and abs(edge - self._edge) < 1e-4:
            return False
        self._edge = edge
        self.total_plot.setXRange(edge - self.window_s, edge + self.ahead_s, padding=0)
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
        fresh = len(snap) if self._last_written < 0 else snap.written - self._last_written
        self._last_written = snap.written
        self._redraw = False
        self.data_frames += 1
        if fresh > 0 and len(self._pending_arrivals) < 64:  # latency probe: the next paint
            self._pending_arrivals.append(snap.arrival_s[-min(fresh, len(snap)) :])
        now = float(snap.t[-1])
        t, values = with_gap_breaks(snap.t, snap.values, snap.gap_before)
        total = values.sum(axis=1)  # NaN rows stay NaN: the break survives
        self.total.setData(t, total)
        for i in range(values.shape[1]):
            if i < len(self.channel_curves):
                self.channel_curves[i].setData(t, values[:, i])
        if snap.aux.shape[1] >= 3:
            _, aux = with_gap_breaks(snap.t, self._with_scored(snap), snap.gap_before)
            # Smooth the scorer's staircase (see unstep) before thinning it for the fill.
            aux = unstep(aux[:, :3])
            bt, band = coarse(t, aux[:, :2], BAND_POINTS)
            self.band_lo.setData(bt, band[:, 0])
            self.band_hi.setData(bt, band[:, 1])
            self.band_fill.set_edges(bt, band[:, 0], band[:, 1])
            self.template.setData(t, aux[:, 2])
        self._draw_ahead(now, live, template_ahead, fs_hz)
        self.now_line.setValue(now)
        self.sensor_now_line.setValue(now)
        with np.errstate(invalid="ignore"):
            peak_total = np.nanmax(total) if np.isfinite(total).any() else 0.0
            peak_sensor = np.nanmax(values) if np.isfinite(values).any() else 0.0
        band_top = np.nanmax(snap.aux[:, 1]) if np.isfinite(snap.aux[:, 1:2]).any() else 0.0
        self._set_y(
            self.total_plot, max(self._y_total, nice_ceiling(1.1 * max(peak_total, band_top)))
        )
        self._set_y(self.sensor_plot, max(self._y_sensor, nice_ceiling(1.1 * peak_sensor)))

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
                self.ahead_lo.setData([], [])
                self.ahead_hi.setData([], [])
                self.ahead_fill.setPath(QtGui.QPainterPath())
                self.template_ahead.setData([], [])
            return
        self._ahead_shown = True
        # The band starts where the scorer last was and runs into the future.
        x = live.t + np.arange(lo.size) / fs_hz
        self.ahead_lo.setData(x, lo)
        self.ahead_hi.setData(x, hi)
        self.ahead_fill.set_edges(x, lo, hi)
        if template_ahead is not None and template_ahead.size:
            n = min(template_ahead.size, x.size)
            self.template_ahead.setData(x[:n], template_ahead[:n])
        else:
            self.template_ahead.setData([], [])

    # -- paint instrumentation (fps and latency probes) --

    def take_new_arrivals(self) -> np.ndarray:
        """Arrival times (monotonic s) of the blocks drawn since the last call, unique."""
        if not self._pending_arrivals:
            return np.empty(0)
        arrivals = np.unique(np.concatenate(self._pending_arrivals))
        self._pending_arrivals.clear()
        return arrivals

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        """Paint, then tell the probes a frame reached the screen."""
        super().paintEvent(event)
        self.frames_painted += 1
        for hook in self.paint_hooks:
            hook()


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
