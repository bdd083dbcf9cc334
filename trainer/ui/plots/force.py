"""The practice view's live plot: total force against the reference band, and per sensor."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui, QtWidgets

from sensors.profiles import GloveProfile
from trainer.live import LiveState, Snapshot, with_gap_breaks
from trainer.ui import theme
from trainer.ui.plots.items import BandFill, HorizontalGrid, StreamCurve, TimeLayer, cosmetic_pen
from trainer.ui.plots.tracks import BAND_POINTS, band_along_path, coarse, nice_ceiling, unstep
from trainer.ui.widgets import Legend

__all__ = ["ForcePlot"]


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
        self._build_plots()
        self._build_band_items()

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

    def _build_plots(self) -> None:
        """Make the two plots, their fixed axes, each one's grid and time layer."""
        # enableMenu=False: no context menus built only to be dropped (setMenuEnabled below).
        self.total_plot: pg.PlotItem = self.addPlot(row=0, col=0, enableMenu=False)
        self.sensor_plot: pg.PlotItem = self.addPlot(row=1, col=0, enableMenu=False)
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

    def _build_band_items(self) -> None:
        """Make the band's fills and every curve on the plots' time layers (once)."""
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
        oldest = float(snap.t[0])
        self.total.slide(t, total, gaps, oldest)
        channels = min(values.shape[1], len(self.channel_curves))
        for i in range(channels):
            self.channel_curves[i].slide(t, values[:, i], gaps, oldest)
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
