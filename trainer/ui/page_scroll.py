"""The window's pages: each view in a frameless scroll area, held at its minimum size."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

__all__ = ["hold", "scrolling"]


class _PageHolder(QtWidgets.QWidget):
    """Holds a view in a scroll area at the view's *minimum* size.

    A scroll area sizes a widget whose layout trades height for width (any wrapped
    label) at its preferred height, which scrolls a page that would fit; this holder
    reports only the page's minimum, and gives the page all the room there is.

    A scroll area asks for that size only when it is resized: a page whose minimum grew
    while shown (a longer message, a row shown) kept its old height and squeezed its
    cards. Each relayout of the page makes the scroll area ask again.
    """

    def __init__(self, page: QtWidgets.QWidget, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.page = page
        page.setParent(self)
        page.installEventFilter(self)
        self._min_height = 0

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        """After the page relays out, have the scroll area take its new minimum height."""
        if watched is self.page and event.type() == QtCore.QEvent.Type.LayoutRequest:
            area = self.parentWidget()
            while area is not None and not isinstance(area, QtWidgets.QScrollArea):
                area = area.parentWidget()
            if area is not None:  # posted: handled once the page's layout has settled
                QtCore.QCoreApplication.postEvent(
                    area, QtCore.QEvent(QtCore.QEvent.Type.LayoutRequest)
                )
        return super().eventFilter(watched, event)

    def _minimum_height(self, width: int) -> int:
        layout = self.page.layout()
        floor = self.page.minimumSizeHint().height()
        if layout is None or not layout.hasHeightForWidth():
            return floor
        return max(floor, layout.minimumHeightForWidth(width))

    def minimumSizeHint(self) -> QtCore.QSize:
        """Return the page's minimum width, and its minimum height at its width."""
        hint = self.page.minimumSizeHint()
        return QtCore.QSize(hint.width(), self._minimum_height(max(self.width(), hint.width())))

    def sizeHint(self) -> QtCore.QSize:
        """As small as it may be (it grows with the window)."""
        return self.minimumSizeHint()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        """Give the page the whole area; a new width may need another minimum height."""
        self.page.setGeometry(self.rect())
        super().resizeEvent(event)
        height = self._minimum_height(event.size().width())
        if height != self._min_height:
            self._min_height = height
            self.updateGeometry()


def scrolling(page: QtWidgets.QWidget | None = None) -> QtWidgets.QScrollArea:
    """Put a view in a frameless scroll area.

    Below its minimum size the view scrolls rather than squeezing its cards into each
    other. Without ``page`` the area is empty until :func:`hold` puts one in it (a page
    built on first use).
    """
    area = QtWidgets.QScrollArea()
    area.setObjectName("pageScroll")
    area.setWidgetResizable(True)
    area.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
    if page is not None:
        hold(area, page)
    return area


def hold(area: QtWidgets.QScrollArea, page: QtWidgets.QWidget) -> None:
    """Put ``page`` in the empty scroll ``area`` (made by :func:`scrolling`)."""
    # The holder is made where the area puts it: the page moves (and is styled) once.
    area.setWidget(_PageHolder(page, area.viewport()))
