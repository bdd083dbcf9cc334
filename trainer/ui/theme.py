"""Colours, fonts and the style sheet: one calm light theme for the whole app."""

from __future__ import annotations

import numpy as np
from PySide6 import QtGui, QtWidgets

__all__ = [
    "ACCENT",
    "BACKGROUND",
    "BORDER",
    "CAUTION",
    "DANGER",
    "FOCUS",
    "PANEL",
    "REGION_COLOURS",
    "STATE_COLOURS",
    "SUBTLE",
    "TEXT",
    "TEXT_MUTED",
    "apply_theme",
    "load_colour",
    "region_colour",
]

BACKGROUND = "#f3f4f6"
PANEL = "#ffffff"
BORDER = "#dfe3e8"
TEXT = "#1f2933"
TEXT_MUTED = "#66717e"
SUBTLE = "#eef1f4"
ACCENT = "#2f7d6d"  # calm teal: primary actions, "good"
CAUTION = "#b7791f"  # amber: safety cue, clipping, reconnecting
DANGER = "#b0413e"  # muted red: link lost
FOCUS = "#1b4f9c"  # keyboard focus ring: dark blue, apart from every state colour

# Okabe & Ito's colour-blind-safe palette, one colour per hand region (yellow darkened
# so it reads on white).
REGION_COLOURS: dict[str, str] = {
    "palm_heel": "#e69f00",
    "palm": "#56b4e9",
    "thumb": "#009e73",
    "index": "#0072b2",
    "middle": "#d55e00",
    "ring": "#cc79a7",
    "little": "#8a7a00",
}

STATE_COLOURS: dict[str, str] = {
    "idle": "#9aa5b1",
    "scanning": "#3e7cb1",
    "connecting": "#3e7cb1",
    "streaming": ACCENT,
    "reconnecting": CAUTION,
    "lost": DANGER,
    "finished": "#7b8794",
}

# Sequential load ramp (ColorBrewer OrRd, lightened at 0 so an unloaded sensor is quiet).
_LOAD_STOPS = np.array(
    [
        [0.00, 0xEE, 0xF1, 0xF4],
        [0.15, 0xFE, 0xE8, 0xC8],
        [0.40, 0xFD, 0xBB, 0x84],
        [0.65, 0xFC, 0x8D, 0x59],
        [0.85, 0xE3, 0x4A, 0x33],
        [1.00, 0xB3, 0x00, 0x00],
    ]
)


def region_colour(region: str) -> str:
    """Return the hex colour of a hand region (grey for an unknown one)."""
    return REGION_COLOURS.get(region, "#52606d")


def load_colour(fraction: float) -> QtGui.QColor:
    """Colour of a load on the heat map.

    Parameters
    ----------
    fraction : float
        Load as a fraction of the map's full scale; clipped to ``[0, 1]`` (NaN is 0).

    Returns
    -------
    QtGui.QColor
        The ramp colour: near-background at 0, deep red at 1.
    """
    f = 0.0 if not np.isfinite(fraction) else float(np.clip(fraction, 0.0, 1.0))
    rgb = [np.interp(f, _LOAD_STOPS[:, 0], _LOAD_STOPS[:, i]) for i in (1, 2, 3)]
    return QtGui.QColor(*(round(c) for c in rgb))


_STYLE = f"""
QMainWindow, QWidget#page {{ background: {BACKGROUND}; }}
QWidget {{ color: {TEXT}; font-size: 10pt; }}
QFrame#card {{ background: {PANEL}; border: 1px solid {BORDER}; border-radius: 10px; }}
QLabel#title {{ font-size: 15pt; font-weight: 600; }}
QLabel#subtitle, QLabel#muted {{ color: {TEXT_MUTED}; }}
QLabel#cardTitle {{ font-size: 11pt; font-weight: 600; }}
QLabel#cue {{ font-size: 20pt; font-weight: 600; }}
QLabel#bigNumber {{ font-size: 22pt; font-weight: 600; }}
QFrame#sidebar {{ background: {PANEL}; border: none; border-right: 1px solid {BORDER}; }}
QLabel#brand {{ font-size: 12pt; font-weight: 600; padding: 18px 8px 10px 22px; }}
QListWidget#nav {{
    background: {PANEL}; border: none; font-size: 11pt; padding-top: 4px; outline: 0;
}}
QListWidget#nav::item {{ padding: 10px 18px; border-radius: 6px; margin: 2px 8px; }}
QListWidget#nav::item:selected {{ background: #e3f0ed; color: {ACCENT}; }}
QPushButton {{
    background: {PANEL}; border: 1px solid {BORDER}; border-radius: 6px; padding: 6px 14px;
}}
QPushButton:hover {{ border-color: #b8c2cc; }}
QPushButton:disabled {{ color: #a0aab4; }}
QPushButton#primary {{ background: {ACCENT}; color: white; border: 1px solid {ACCENT}; }}
QPushButton#primary:disabled {{ background: #9cc5bc; border-color: #9cc5bc; }}
QPushButton:focus {{ border: 2px solid {FOCUS}; }}
QPushButton#primary:focus {{ border: 2px solid {FOCUS}; }}
QComboBox:focus, QLineEdit:focus, QDoubleSpinBox:focus {{ border: 2px solid {FOCUS}; }}
QAbstractItemView:focus, QSlider:focus {{ border: 1px solid {FOCUS}; }}
QRadioButton:focus, QCheckBox:focus {{ color: {FOCUS}; }}
QLineEdit, QDoubleSpinBox {{
    background: {PANEL}; border: 1px solid {BORDER}; border-radius: 6px; padding: 4px 8px;
}}
QComboBox {{ padding: 3px 8px; min-height: 20px; }}
QLabel#stateText {{ font-size: 15pt; font-weight: 600; }}
QStatusBar {{ background: {PANEL}; border-top: 1px solid {BORDER}; color: {TEXT_MUTED}; }}
QStatusBar QLabel {{ color: {TEXT_MUTED}; padding: 0 8px; }}
QProgressBar {{
    background: {SUBTLE}; border: none; border-radius: 4px; max-height: 10px;
    text-align: right;
}}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 4px; }}
"""


def apply_theme(app: QtWidgets.QApplication) -> None:
    """Apply the app's palette, font and style sheet, and pyqtgraph's colours.

    Parameters
    ----------
    app : QtWidgets.QApplication
        The running application.
    """
    import pyqtgraph as pg

    app.setStyle("Fusion")
    font = QtGui.QFont("DejaVu Sans")
    font.setPointSizeF(10)
    app.setFont(font)
    palette = app.palette()
    palette.setColor(QtGui.QPalette.ColorRole.Window, QtGui.QColor(BACKGROUND))
    palette.setColor(QtGui.QPalette.ColorRole.Base, QtGui.QColor(PANEL))
    palette.setColor(QtGui.QPalette.ColorRole.Text, QtGui.QColor(TEXT))
    palette.setColor(QtGui.QPalette.ColorRole.WindowText, QtGui.QColor(TEXT))
    palette.setColor(QtGui.QPalette.ColorRole.Highlight, QtGui.QColor(ACCENT))
    app.setPalette(palette)
    app.setStyleSheet(_STYLE)
    pg.setConfigOptions(background=PANEL, foreground=TEXT_MUTED, antialias=False)
