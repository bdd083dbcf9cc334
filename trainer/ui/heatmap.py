"""Hand heat map: the glove's sensors on a hand outline, coloured by current load."""

from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from sensors.profiles import GloveProfile
from trainer.ui import theme

__all__ = ["HandHeatmap", "hand_outline"]

# Hand map frame (sensors.profiles): right hand, palm side, thumb left, fingertips up,
# unit square. Fingers as (x, y_base, y_tip, width); the thumb as a slanted capsule.
_FINGERS = (
    (0.300, 0.50, 0.965, 0.168),  # index
    (0.480, 0.50, 1.000, 0.170),  # middle
    (0.660, 0.50, 0.965, 0.168),  # ring
    (0.825, 0.45, 0.860, 0.150),  # little
)
_THUMB = ((0.36, 0.16), (0.045, 0.545), 0.185)
_PALM = QtCore.QRectF(0.22, 0.0, 0.68, 0.64)


def _capsule(p0: tuple[float, float], p1: tuple[float, float], width: float) -> QtGui.QPainterPath:
    """Return a stadium shape from ``p0`` to ``p1`` (unit coordinates)."""
    (x0, y0), (x1, y1) = p0, p1
    length = math.hypot(x1 - x0, y1 - y0)
    path = QtGui.QPainterPath()
    path.addRoundedRect(QtCore.QRectF(-width / 2, 0.0, width, length), width / 2, width / 2)
    angle = math.degrees(math.atan2(y1 - y0, x1 - x0)) - 90.0
    transform = QtGui.QTransform()
    transform.translate(x0, y0)
    transform.rotate(angle)
    return transform.map(path)


def hand_outline() -> QtGui.QPainterPath:
    """Return the hand outline in the unit hand-map frame (y up, fingertips at y≈1).

    Returns
    -------
    QtGui.QPainterPath
        One closed path: palm, four fingers and the thumb united.
    """
    path = QtGui.QPainterPath()
    path.addRoundedRect(_PALM, 0.14, 0.14)
    for x, y0, y1, w in _FINGERS:
        tip = QtGui.QPainterPath()
        tip.addRoundedRect(QtCore.QRectF(x - w / 2, y0, w, y1 - y0), w / 2, w / 2)
        path = path.united(tip)
    path = path.united(_capsule(_THUMB[0], _THUMB[1], _THUMB[2]))
    return path.simplified()


class HandHeatmap(QtWidgets.QWidget):
    """Sensor circles at the profile's positions, coloured by load; clipped ones ringed.

    Parameters
    ----------
    parent : QtWidgets.QWidget or None
        Parent widget.
    full_scale_n : float
        Load drawn in the deepest colour, newtons (the legend says so).
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None, full_scale_n: float = 10.0):
        super().__init__(parent)
        # Small enough for a 1024×600 screen: the drawing scales to the space it gets.
        self.setMinimumSize(110, 110)
        self._outline = hand_outline()
        self._profile: GloveProfile | None = None
        self._loads = np.zeros(0)
        self._clipped = np.zeros(0, dtype=bool)
        self.full_scale_n = float(full_scale_n)

    def set_profile(self, profile: GloveProfile | None) -> None:
        """Show this glove's sensors (``None`` shows the outline only)."""
        self._profile = profile
        n = 0 if profile is None else len(profile.sensors)
        self._loads = np.zeros(n)
        self._clipped = np.zeros(n, dtype=bool)
        if profile is not None:
            self.full_scale_n = float(min(10.0, profile.saturation_n.min()))
        self.update()

    def set_loads(self, loads_n: np.ndarray, clipped: np.ndarray | None = None) -> None:
        """Update the current load of each sensor.

        Parameters
        ----------
        loads_n : numpy.ndarray
            Newtons per channel, ``(channels,)``.
        clipped : numpy.ndarray or None
            Bool ``(channels,)``: at the saturation limit (default: computed from the
            profile's saturation).
        """
        loads = np.asarray(loads_n, dtype=np.float64)
        if loads.shape != self._loads.shape:
            return
        if clipped is None and self._profile is not None:
            clipped = loads >= self._profile.saturation_n
        self._loads = loads
        self._clipped = np.zeros(loads.shape, bool) if clipped is None else np.asarray(clipped)
        self.update()

    def colours(self) -> list[QtGui.QColor]:
        """Fill colour of each sensor as drawn now (channel order)."""
        return [theme.load_colour(v / self.full_scale_n) for v in self._loads]

    @property
    def clipped(self) -> np.ndarray:
        """Bool ``(channels,)``: sensors drawn as clipped."""
        return self._clipped.copy()

    def _hand_rect(self) -> QtCore.QRectF:
        legend_h = 34.0
        w, h = float(self.width()), float(self.height()) - legend_h
        side = max(10.0, min(w / 0.95, h) - 16.0)  # the hand is a little narrower than tall
        return QtCore.QRectF((w - side) / 2, (h - side) / 2 + 4, side, side)

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        """Draw outline, sensors and the legend."""
        painter = QtGui.QPainter(self)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        rect = self._hand_rect()
        to_widget = QtGui.QTransform()
        to_widget.translate(rect.left(), rect.bottom())
        to_widget.scale(rect.width(), -rect.height())  # unit frame has y up
        painter.setPen(QtGui.QPen(QtGui.QColor("#c3ccd5"), 1.5))
        painter.setBrush(QtGui.QColor("#fbfbfc"))
        painter.drawPath(to_widget.map(self._outline))
        profile = self._profile
        if profile is not None:
            areas = np.sqrt(profile.contact_area_m2)
            scale = areas / max(float(areas.max()), 1e-12)
            font = painter.font()
            font.setPointSizeF(8.0)
            painter.setFont(font)
            for i, sensor in enumerate(profile.sensors):
                centre = to_widget.map(QtCore.QPointF(*sensor.position))
                radius = rect.width() * (0.045 + 0.045 * float(scale[i]))
                colour = theme.load_colour(self._loads[i] / self.full_scale_n)
                ring = QtGui.QColor(theme.CAUTION if self._clipped[i] else "#8795a1")
                painter.setPen(QtGui.QPen(ring, 3.0 if self._clipped[i] else 1.0))
                painter.setBrush(colour)
                painter.drawEllipse(centre, radius, radius)
                if self._clipped[i]:
                    painter.setPen(QtGui.QColor(theme.CAUTION))
                    painter.drawText(
                        QtCore.QRectF(centre.x() - 30, centre.y() + radius + 1, 60, 14),
                        QtCore.Qt.AlignmentFlag.AlignCenter,
                        "clipped",
                    )
        self._paint_legend(painter)
        painter.end()

    def _paint_legend(self, painter: QtGui.QPainter) -> None:
        w, h = float(self.width()), float(self.height())
        bar = QtCore.QRectF(w * 0.18, h - 26, w * 0.64, 8)
        gradient = QtGui.QLinearGradient(bar.topLeft(), bar.topRight())
        for f in np.linspace(0.0, 1.0, 6):
            gradient.setColorAt(float(f), theme.load_colour(float(f)))
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        painter.setBrush(QtGui.QBrush(gradient))
        painter.drawRoundedRect(bar, 4, 4)
        painter.setPen(QtGui.QColor(theme.TEXT_MUTED))
        font = painter.font()
        font.setPointSizeF(8.0)
        painter.setFont(font)
        painter.drawText(
            QtCore.QRectF(0, bar.top() - 3, bar.left() - 6, 14),
            QtCore.Qt.AlignmentFlag.AlignRight,
            "0 N",
        )
        painter.drawText(
            QtCore.QRectF(bar.right() + 6, bar.top() - 3, 60, 14),
            QtCore.Qt.AlignmentFlag.AlignLeft,
            f"{self.full_scale_n:g} N",
        )
