"""An honest page for a view whose layer has not landed yet."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from trainer.ui.widgets import Card, label

__all__ = ["PlaceholderView"]


class PlaceholderView(QtWidgets.QWidget):
    """Title, what the view will do, what it waits for, and what works meanwhile.

    Parameters
    ----------
    title : str
        View name.
    purpose : str
        What the view is for.
    waiting_for : str
        Why it is not there yet.
    meanwhile : str
        What the user can do today instead ("" for nothing).
    parent : QtWidgets.QWidget or None
        Parent widget.
    """

    def __init__(
        self,
        title: str,
        purpose: str,
        waiting_for: str,
        meanwhile: str = "",
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 20)
        outer.addWidget(label(title, "title"))
        outer.addWidget(label(purpose, "subtitle", wrap=True))
        card = Card("Not available yet")
        self.waiting = label(waiting_for, wrap=True)
        card.body.addWidget(self.waiting)
        if meanwhile:
            card.body.addWidget(label(meanwhile, "muted", wrap=True))
        card.setMaximumWidth(640)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(card, 0, QtCore.Qt.AlignmentFlag.AlignTop)
        row.addStretch(1)
        outer.addSpacing(10)
        outer.addLayout(row)
        outer.addStretch(1)
