"""Still force plots (a take, a reference): drawn whole when shown, never scrolled."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui

from trainer.ui import theme
from trainer.ui.plots.items import cosmetic_pen, live_curve
from trainer.ui.plots.tracks import nice_ceiling

__all__ = ["HEADROOM", "TakePlot", "force_plot", "span_outline", "tinted"]

#: A little room above the top tick, so its label is drawn whole.
HEADROOM = 1.04


def tinted(colour: str, alpha: int) -> QtGui.QColor:
    """Return ``colour`` with opacity ``alpha`` (0-255)."""
    c = QtGui.QColor(colour)
    c.setAlpha(alpha)
    return c


def force_plot(
    y_label: str, x_label: str, min_height: int = 120
) -> tuple[pg.PlotWidget, pg.PlotItem]:
    """Return a plot widget for force against time, and its plot, drawn whole (not live).

    Fixed ranges (no mouse, no menu), seconds and newtons without SI prefixes, the y range
    0 to 10 N until something is drawn.
    """
    widget = pg.PlotWidget(enableMenu=False)  # no menu built only to be dropped
    plot = widget.getPlotItem()
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.setMouseEnabled(x=False, y=False)
    plot.setLabel("left", y_label, units="N")
    plot.setLabel("bottom", x_label, units="s")
    for side in ("left", "bottom"):  # seconds stay seconds (no "ms" for a short stroke)
        plot.getAxis(side).enableAutoSIPrefix(False)
    plot.getAxis("left").setWidth(58)
    plot.disableAutoRange()
    plot.setYRange(0.0, 10.0 * HEADROOM, padding=0)
    # Tall enough for the axis title and a few ticks before anything is drawn.
    widget.setMinimumHeight(min_height)
    return widget, plot


def span_outline(spans: Sequence[tuple[float, float]], top: float) -> tuple[np.ndarray, ...]:
    """Return ``x, y`` of one curve that outlines each span as a box of height ``top``.

    Filled down to 0, this shades every stroke with a single plot item.
    """
    x, y = [], []
    for a, b in spans:
        x += [a, a, b, b]
        y += [0.0, top, top, 0.0]
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


class TakePlot:
    """A take's plot: its force, its complete strokes shaded, the part kept (a region).

    Made once; showing a take only sets data. While a take is recorded it follows the
    glove's last seconds instead.
    """

    def __init__(self) -> None:
        self.widget, self.plot = force_plot("Force", "take time", 110)
        self.strokes_fill = pg.PlotDataItem(pen=None, fillLevel=0.0, brush=tinted(theme.ACCENT, 30))
        self.curve = live_curve(cosmetic_pen(theme.TEXT), "total force")
        self.plot.addItem(self.strokes_fill)
        self.plot.addItem(self.curve)
        self.trim_region = pg.LinearRegionItem(
            brush=tinted(theme.CAUTION, 25),
            pen=cosmetic_pen(theme.CAUTION, width=2.0),
            hoverBrush=tinted(theme.CAUTION, 45),
        )
        self.trim_region.setZValue(-10)
        self.trim_region.setVisible(False)
        self.plot.addItem(self.trim_region, ignoreBounds=True)

    def show_live(self, t: np.ndarray, total: np.ndarray) -> None:
        """Draw the glove's last seconds (``t`` not empty), the newest at 0."""
        self.curve.setData(t - t[-1], total)
        self.plot.setXRange(min(-10.0, float(t[0] - t[-1])), 0.0, padding=0)
        top = nice_ceiling(float(total.max(initial=0.0)))
        self.plot.setYRange(0, top * HEADROOM, padding=0)

    def show_whole(
        self,
        t: np.ndarray,
        total: np.ndarray,
        spans: Sequence[tuple[float, float]],
        duration_s: float,
        kept: tuple[float, float],
    ) -> None:
        """Draw a whole take: its force, its complete ``spans`` shaded, the ``kept`` part.

        Moving the kept part's region here says nothing (its signals are held).
        """
        top = nice_ceiling(float(np.nanmax(total, initial=0.0)))  # NaN: gap breaks
        self.curve.setData(t, total)
        self.strokes_fill.setData(*span_outline(spans, 0.96 * top))
        self.plot.setXRange(0.0, max(duration_s, 1.0), padding=0.01)
        self.plot.setYRange(0.0, top * HEADROOM, padding=0)
        lo, hi = kept
        self.trim_region.blockSignals(True)
        self.trim_region.setBounds((0.0, duration_s))
        self.trim_region.setRegion((lo, hi))
        self.trim_region.blockSignals(False)
        self.trim_region.setVisible(True)
