"""History: progress per technique over sessions, and the sessions to open in Replay.

The view holds no store: it asks (signals) for sessions, a deletion or a restore, and
its controller (:class:`~trainer.ui.controllers.history.HistoryController`) answers
from worker threads through :meth:`HistoryView.show_sessions` and friends. Deleting
asks for confirmation and is a soft delete, undone from the same view ("Show
deleted", then "Restore").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from trainer.scoring.components import component_names
from trainer.ui import theme
from trainer.ui.plots import cosmetic_pen
from trainer.ui.widgets import Card, label, page_layout, row_table

__all__ = ["COMPONENT_COLOURS", "HistoryView"]

#: Colour per score line on the progress plot (overall bold, components thin).
COMPONENT_COLOURS = {
    "overall": theme.TEXT,
    "shape": "#0072b2",
    "pressure": "#d55e00",
    "tempo": "#009e73",
    "smoothness": "#cc79a7",
}
_SPARE_COLOURS = ("#e69f00", "#56b4e9", "#f0e442", "#999999")
_COLUMNS = ("ID", "Started", "Technique", "Reference", "Strokes", "Mean", "Best", "State")


class HistoryView(QtWidgets.QWidget):
    """Per-technique progress plot and a table of sessions.

    Parameters
    ----------
    techniques : sequence of str
        Techniques offered in the filter.
    parent : QtWidgets.QWidget or None
        Parent widget.

    Signals
    -------
    refresh_requested(str, bool)
        Read the sessions of this technique (``""``: all techniques), the deleted ones
        if the flag is set; answered by :meth:`show_sessions`.
    delete_requested(int)
        Soft-delete this session (the user has confirmed); answered by
        :meth:`show_status`.
    restore_requested(int)
        Undo the deletion of this session; answered by :meth:`show_status`.
    replay_requested(str)
        Open this session (``"S12"``) in Replay.
    """

    refresh_requested = QtCore.Signal(str, bool)
    delete_requested = QtCore.Signal(int)
    restore_requested = QtCore.Signal(int)
    replay_requested = QtCore.Signal(str)

    def __init__(
        self,
        techniques: Sequence[str],
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.sessions: list[Any] = []
        self.means: dict[int, dict[str, float | None]] = {}
        #: How many answers :meth:`show_sessions` has drawn.
        self.loads = 0
        #: Asks the user to confirm a deletion (tests replace it).
        self.confirm: Callable[[str], bool] = self._confirm_dialog

        outer, header, self.subtitle = page_layout(self, "History")
        self.technique = QtWidgets.QComboBox()
        self.technique.addItem("All techniques", "")
        for t in techniques:
            self.technique.addItem(t, t)
        self.technique.currentIndexChanged.connect(lambda _: self.refresh())
        self.show_deleted = QtWidgets.QCheckBox("Show deleted")
        self.show_deleted.toggled.connect(lambda _: self.refresh())
        header.addWidget(self.show_deleted, 0, QtCore.Qt.AlignmentFlag.AlignBottom)
        header.addWidget(self.technique, 0, QtCore.Qt.AlignmentFlag.AlignBottom)

        plot_card = Card("Progress")
        self.plot_widget = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem()})
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(x=True, y=False)
        self.plot.setYRange(0, 100, padding=0.02)
        self.plot.setLabel("left", "score")
        legend = self.plot.addLegend(offset=(8, 4), labelTextColor=theme.TEXT_MUTED)
        legend.setColumnCount(5)
        self.lines: dict[str, pg.PlotDataItem] = {}
        for k, name in enumerate(("overall", *component_names())):
            # Built-ins keep their colours; a registered component takes the next spare one.
            colour = COMPONENT_COLOURS.get(name, _SPARE_COLOURS[k % len(_SPARE_COLOURS)])
            bold = name == "overall"
            item = pg.PlotDataItem(
                pen=cosmetic_pen(colour, width=2.0 if bold else 1.0),
                symbol="o" if bold else None,
                symbolSize=6,
                symbolBrush=colour,
                symbolPen=None,
                name=name,
            )
            self.plot.addItem(item)
            self.lines[name] = item
        plot_card.body.addWidget(self.plot_widget, 1)
        plot_card.setMinimumHeight(240)
        outer.addWidget(plot_card, 2)

        table_card = Card("Sessions")
        self.table = row_table(_COLUMNS)
        self.table.cellDoubleClicked.connect(lambda row, _: self.open_selected())
        table_card.body.addWidget(self.table, 1)
        buttons = QtWidgets.QHBoxLayout()
        self.status = label("", "muted")
        buttons.addWidget(self.status, 1)
        self.delete_button = QtWidgets.QPushButton("Delete…")
        self.delete_button.clicked.connect(self.delete_selected)
        self.restore_button = QtWidgets.QPushButton("Restore")
        self.restore_button.clicked.connect(self.restore_selected)
        self.open_button = QtWidgets.QPushButton("Open in Replay")
        self.open_button.setObjectName("primary")
        self.open_button.clicked.connect(self.open_selected)
        for b in (self.delete_button, self.restore_button, self.open_button):
            buttons.addWidget(b)
        table_card.body.addLayout(buttons)
        outer.addWidget(table_card, 3)
        self._update_buttons()
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.show_unavailable("opening the session store…")

    # -- what the controller tells it --

    def show_unavailable(self, note: str = "") -> None:
        """Say why there are no sessions to show (``note``; empty: say nothing)."""
        self.subtitle.setText(f"Sessions are not available: {note}" if note else "")

    def show_error(self, message: str) -> None:
        """Say, in place of the summary, that reading the sessions failed."""
        self.subtitle.setText(message)

    def show_status(self, text: str) -> None:
        """Say what became of a deletion or restore (the line beside the buttons)."""
        self.status.setText(text)

    def show_sessions(
        self, sessions: Sequence[Any], means: dict[int, dict[str, float | None]]
    ) -> None:
        """Show ``sessions`` (oldest first) and their mean scores (by session id)."""
        self.sessions, self.means = list(sessions), dict(means)
        self.loads += 1
        what = self.technique.currentData() or "all techniques"
        n = len(self.sessions)
        deleted = self.show_deleted.isChecked()
        self.subtitle.setText(
            f"{n} {'deleted ' if deleted else ''}session{'s' * (n != 1)} · {what}"
            if n
            else ("Nothing deleted." if deleted else "No sessions yet: practise, then come back.")
        )
        self._fill_table()
        self._draw_progress()
        self._update_buttons()

    # -- what it asks --

    def refresh(self) -> None:
        """Ask for the sessions the filter shows (:attr:`refresh_requested`)."""
        self.refresh_requested.emit(
            self.technique.currentData() or "", self.show_deleted.isChecked()
        )

    # -- drawing --

    def _fill_table(self) -> None:
        self.table.setRowCount(len(self.sessions))
        for row, s in enumerate(reversed(self.sessions)):  # newest first
            started = s.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
            cells = (
                str(s.id),
                started,
                s.technique,
                s.reference_name,
                str(s.attempts),
                "–" if s.mean_overall is None else f"{s.mean_overall:.0f}",
                "–" if s.best_overall is None else f"{s.best_overall:.0f}",
                "" if s.state == "finished" else s.state,
            )
            for col, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                if col in (0, 4, 5, 6):
                    item.setTextAlignment(
                        QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter
                    )
                item.setData(QtCore.Qt.ItemDataRole.UserRole, s.id)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()

    def _draw_progress(self) -> None:
        scored = [s for s in self.sessions if s.id in self.means]
        x = np.array([s.started_at.timestamp() for s in scored], dtype=np.float64)
        for name, item in self.lines.items():
            y = np.array(
                [np.nan if (v := self.means[s.id].get(name)) is None else v for s in scored],
                dtype=np.float64,
            )
            item.setData(x, y, connect="finite")
        if x.size:
            span = max(float(x[-1] - x[0]), 3600.0)
            self.plot.setXRange(x[0] - 0.05 * span, x[-1] + 0.05 * span, padding=0)

    # -- actions --

    def selected_session(self) -> Any:
        """Return the session of the selected row, or ``None``."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        if item is None:
            return None
        sid = item.data(QtCore.Qt.ItemDataRole.UserRole)
        return next((s for s in self.sessions if s.id == sid), None)

    def _update_buttons(self) -> None:
        chosen = self.selected_session() is not None
        deleted = self.show_deleted.isChecked()
        self.open_button.setEnabled(chosen)
        self.delete_button.setVisible(not deleted)
        self.delete_button.setEnabled(chosen)
        self.restore_button.setVisible(deleted)
        self.restore_button.setEnabled(chosen)

    def open_selected(self) -> None:
        """Open the selected session in Replay."""
        session = self.selected_session()
        if session is not None:
            self.replay_requested.emit(f"S{session.id}")

    def _confirm_dialog(self, text: str) -> bool:
        answer = QtWidgets.QMessageBox.question(
            self,
            "Delete session",
            text,
            QtWidgets.QMessageBox.StandardButton.Yes | QtWidgets.QMessageBox.StandardButton.No,
            QtWidgets.QMessageBox.StandardButton.No,
        )
        return answer == QtWidgets.QMessageBox.StandardButton.Yes

    def delete_selected(self) -> None:
        """Ask to soft-delete the selected session, after confirmation."""
        session = self.selected_session()
        if session is None:
            return
        text = (
            f"Delete session {session.id} ({session.technique}, {session.attempts} strokes)?\n"
            "You can restore it later: History → Show deleted → Restore."
        )
        if self.confirm(text):
            self.delete_requested.emit(session.id)

    def restore_selected(self) -> None:
        """Ask to undo the deletion of the selected (deleted) session."""
        session = self.selected_session()
        if session is not None:
            self.restore_requested.emit(session.id)
