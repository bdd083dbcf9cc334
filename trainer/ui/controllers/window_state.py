"""The window's remembered state: the user's choices, its geometry and view, its fit.

:class:`WindowState` keeps what persists between runs (in ``QSettings``) and keeps the
window whole on its screen; the window answers the controllers' ``remember`` and
``recall`` through it.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

__all__ = ["WindowState"]


class WindowState:
    """Persists choices and the window's geometry and view; fits the window on its screen.

    Parameters
    ----------
    window : QtWidgets.QWidget
        The top-level window.
    settings : QtCore.QSettings or None
        Where they persist; ``None`` persists nothing (demos, renders, tests).
    """

    def __init__(self, window: QtWidgets.QWidget, settings: QtCore.QSettings | None) -> None:
        self.window = window
        self.settings = settings

    def remember(self, key: str, value: object) -> None:
        """Persist a choice (nothing without settings)."""
        if self.settings is not None:
            self.settings.setValue(key, value)

    def recall(self, key: str, default: object = "") -> object:
        """Return a remembered choice, or ``default``."""
        return default if self.settings is None else self.settings.value(key, default)

    def restore(self) -> object:
        """Restore the saved geometry; return the view shown last (``None`` without settings)."""
        if self.settings is None:
            return None
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QtCore.QByteArray):
            self.window.restoreGeometry(geometry)
        return self.settings.value("window/view", "connect")

    def save(self, view: str) -> None:
        """Persist the geometry and the visible view (choices are saved as they are made)."""
        if self.settings is None:
            return
        self.settings.setValue("window/geometry", self.window.saveGeometry())
        self.settings.setValue("window/view", view)
        self.settings.sync()

    def fit_to_screen(self) -> None:
        """Keep the whole window on its screen's available area (shrunk and moved to fit).

        A geometry saved on a large monitor, or the default 1280×800, must not put Start
        or Stop off a 1024×600 screen; the pages scroll when the window is smaller than
        they need.
        """
        window = self.window
        screen = window.screen() or QtGui.QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        frame = window.frameGeometry()
        extra_w = max(0, frame.width() - window.width())  # title bar and borders
        extra_h = max(0, frame.height() - window.height())
        width = min(window.width(), area.width() - extra_w)
        height = min(window.height(), area.height() - extra_h)
        if (width, height) != (window.width(), window.height()):
            window.resize(width, height)
        frame = window.frameGeometry()
        x = min(max(frame.x(), area.x()), area.right() + 1 - frame.width())
        y = min(max(frame.y(), area.y()), area.bottom() + 1 - frame.height())
        if (x, y) != (frame.x(), frame.y()):
            window.move(x, y)
