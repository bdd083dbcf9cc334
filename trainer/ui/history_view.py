"""History: progress per technique over sessions, and the sessions to open in Replay.

It shows one person's sessions (the one practising, :meth:`HistoryView.set_people`); an
instructor may choose any person, or everyone. The Kind column tells no-feedback probes
from practice sets (issue 19).

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
from trainer.ui.retention_panel import RetentionPanel
from trainer.ui.widgets import Card, Legend, label, page_layout, row_table

__all__ = ["COMPONENT_COLOURS", "EVERYONE", "TECHNIQUE_STYLES", "HistoryView"]

#: Colour per score line on the progress plot (overall bold, components thin).
COMPONENT_COLOURS = {
    "overall": theme.TEXT,
    "shape": "#0072b2",
    "pressure": "#d55e00",
    "tempo": "#009e73",
    "smoothness": "#cc79a7",
}
_SPARE_COLOURS = ("#e69f00", "#56b4e9", "#f0e442", "#999999")
#: One colour and marker per technique when several are shown (Okabe & Ito; the markers
#: tell them apart in greyscale too).
TECHNIQUE_STYLES = (
    ("#0072b2", "o"),
    ("#d55e00", "s"),
    ("#009e73", "t"),
    ("#cc79a7", "d"),
    ("#e69f00", "+"),
    ("#56b4e9", "x"),
    ("#8a7a00", "star"),
    ("#1f2933", "p"),
)
_MARKER_WORD = {"o": "●", "s": "■", "t": "▼", "d": "◆", "+": "+", "x": "×", "star": "★", "p": "⬟"}
#: Seconds per day: an empty plot shows the last week.
_DAY_S = 86_400.0
_COLUMNS = (
    "ID", "Started", "Technique", "Reference", "Strokes", "Mean", "Best", "State", "Person",
    "Kind",
)  # fmt: skip
#: The Kind column's text per ``sessions.kind``: a probe's scores were earned without any
#: feedback (issue 19), so they read differently from a practice set's.
_KIND_TEXT = {"practice": "Practice", "probe": "Probe"}
_PROBE_TIP = "No-feedback probe: every score was hidden until the set ended"
#: The person filter's entry for every person's sessions.
EVERYONE = "Everyone"


class ProgressDateAxis(pg.DateAxisItem):
    """A date axis whose labels stay readable at every zoom.

    pyqtgraph's labels a day tick with its bare number ("03"); here a day reads
    "3 Dec" and a minute "14:05", so weeks of progress and one evening both read well.
    """

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        """Labels of the ticks at ``values`` (seconds since the epoch), ``spacing`` apart."""
        if _DAY_S <= spacing < 28 * _DAY_S:
            from datetime import datetime

            return [f"{(d := datetime.fromtimestamp(v)).day} {d.strftime('%b')}" for v in values]
        return list(super().tickStrings(values, scale, spacing))


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
        if the flag is set, of :meth:`person_filter`; answered by :meth:`show_sessions`.
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
        self._build_header(header, techniques)
        plot_card = self._build_plot_card()
        # Beside the plot: dependence on feedback and the re-tests due (issue 19).
        self.retention = RetentionPanel()
        self.retention.setMinimumWidth(250)
        self.retention.setMaximumWidth(320)
        top = QtWidgets.QHBoxLayout()
        top.setSpacing(12)
        top.addWidget(plot_card, 1)
        top.addWidget(self.retention)
        outer.addLayout(top, 2)
        outer.addWidget(self._build_table_card(), 3)
        self._update_buttons()
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.show_unavailable("opening the session store…")
        self._draw_progress()  # an empty plot: dates of the last week, the legend

    # -- building (once) --

    def _build_header(self, header: QtWidgets.QHBoxLayout, techniques: Sequence[str]) -> None:
        """Add the filters: deleted sessions, whose, which technique."""
        self.technique = QtWidgets.QComboBox()
        self.technique.addItem("All techniques", "")
        self.technique.setAccessibleName("Technique shown")
        for t in techniques:
            self.technique.addItem(t, t)
        self.technique.currentIndexChanged.connect(lambda _: self.refresh())
        self.show_deleted = QtWidgets.QCheckBox("Show deleted")
        self.show_deleted.toggled.connect(lambda _: self.refresh())
        # Whose sessions: the person practising; an instructor may pick anyone.
        self._owner: str | None = None  # None: nobody said, every session
        self.person = QtWidgets.QComboBox()
        self.person.setAccessibleName("Whose sessions")
        self.person.setMinimumContentsLength(12)
        self.person.hide()
        self.person.currentIndexChanged.connect(lambda _: self.refresh())
        header.addWidget(self.show_deleted, 0, QtCore.Qt.AlignmentFlag.AlignBottom)
        header.addWidget(self.person, 0, QtCore.Qt.AlignmentFlag.AlignBottom)
        header.addWidget(self.technique, 0, QtCore.Qt.AlignmentFlag.AlignBottom)

    def _build_plot_card(self) -> Card:
        """Make the Progress card: a line per score component (made once), the legend."""
        plot_card = Card("Progress")
        self.plot_widget = pg.PlotWidget(
            axisItems={"bottom": ProgressDateAxis()}, enableMenu=False
        )  # no context menus built only to be dropped below
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(x=True, y=False)
        self.plot.setYRange(0, 100, padding=0.02)
        self.plot.setLabel("left", "score")
        self.plot.getAxis("left").setWidth(48)
        self.lines: dict[str, pg.PlotDataItem] = {}
        #: One overall line per technique, used when several techniques are shown.
        self.technique_lines: dict[str, pg.PlotDataItem] = {}
        self._styles: dict[str, tuple[str, str]] = {}
        self.legend = Legend()
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
        plot_card.body.addWidget(self.legend)
        plot_card.body.addWidget(self.plot_widget, 1)
        plot_card.setMinimumHeight(240)
        return plot_card

    def _build_table_card(self) -> Card:
        """Make the Sessions card: the table, Delete…, Restore, Open in Replay."""
        table_card = Card("Sessions")
        self.table = row_table(_COLUMNS)
        self.table.setAccessibleName("Sessions")
        self.table.cellDoubleClicked.connect(lambda row, _: self.open_selected())
        # At least a few rows: the plot's card would otherwise take every pixel a taller
        # window gives (at 1366x768 the table showed one and a half rows).
        self.table.setMinimumHeight(self.table.horizontalHeader().sizeHint().height() + 4 * 28)
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
        return table_card

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

    def set_people(self, current: str, role: str, names: Sequence[str]) -> None:
        """Show ``current``'s sessions; an instructor (``role``) may choose among ``names``.

        Asks for the sessions again (:attr:`refresh_requested`) when whose changed.
        """
        before, same = self.person_filter(), current == self._owner
        self._owner = current
        if role != "instructor":
            self.person.hide()
        else:
            # The same instructor keeps their pick; someone new starts with their own.
            chosen = self.person.currentData() if same and not self.person.isHidden() else current
            self.person.blockSignals(True)
            self.person.clear()
            for name in dict.fromkeys([current, *names]):
                self.person.addItem(name, name)
            self.person.addItem(EVERYONE, "")
            index = self.person.findData(chosen if chosen is not None else current)
            self.person.setCurrentIndex(max(index, 0))
            self.person.blockSignals(False)
            self.person.show()
        if self.person_filter() != before:
            self.refresh()

    def person_filter(self) -> str | None:
        """Whose sessions are shown: a name, or ``None`` for everyone's."""
        if not self.person.isHidden():
            return str(self.person.currentData() or "") or None
        return self._owner

    def show_sessions(
        self, sessions: Sequence[Any], means: dict[int, dict[str, float | None]]
    ) -> None:
        """Show ``sessions`` (oldest first) and their mean scores (by session id)."""
        self.sessions, self.means = list(sessions), dict(means)
        self.loads += 1
        what = self.technique.currentData() or "all techniques"
        if self._owner is not None:
            what += f" · {self.person_filter() or 'everyone'}"
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
            kind = str(getattr(s, "kind", "practice"))  # sessions before schema 5: practice
            cells = (
                str(s.id),
                started,
                s.technique,
                s.reference_name,
                str(s.attempts),
                "–" if s.mean_overall is None else f"{s.mean_overall:.0f}",
                "–" if s.best_overall is None else f"{s.best_overall:.0f}",
                s.state.replace("_", " ").capitalize(),
                str(getattr(s, "user", "")),
                _KIND_TEXT.get(kind, kind.capitalize()),
            )
            for col, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                if col in (0, 4, 5, 6):
                    item.setTextAlignment(
                        QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter
                    )
                if kind == "probe":
                    # The whole row says so on hover; the Kind cell says it in words, and
                    # in bold so a probe stands out among practice sets.
                    item.setToolTip(_PROBE_TIP)
                    if col == len(cells) - 1:
                        font = item.font()
                        font.setBold(True)
                        item.setFont(font)
                item.setData(QtCore.Qt.ItemDataRole.UserRole, s.id)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()

    def _technique_line(self, technique: str) -> pg.PlotDataItem:
        """Return the overall line of one technique (made once, then reused)."""
        item = self.technique_lines.get(technique)
        if item is None:
            colour, symbol = TECHNIQUE_STYLES[len(self.technique_lines) % len(TECHNIQUE_STYLES)]
            item = pg.PlotDataItem(
                pen=cosmetic_pen(colour, width=2.0),
                symbol=symbol,
                symbolSize=7,
                symbolBrush=colour,
                symbolPen=None,
                name=technique,
            )
            self.plot.addItem(item)
            self.technique_lines[technique] = item
            self._styles[technique] = (colour, symbol)
        return item

    def _draw_progress(self) -> None:
        scored = [s for s in self.sessions if s.id in self.means]
        x = np.array([s.started_at.timestamp() for s in scored], dtype=np.float64)
        techniques = list(dict.fromkeys(s.technique for s in scored))
        several = len(techniques) > 1
        shown: list[np.ndarray] = []
        # Several techniques: one overall line each (their scores are not one series);
        # one technique: its overall and its components.
        for name, item in self.lines.items():
            if several:
                item.setData([], [])
                continue
            y = np.array(
                [np.nan if (v := self.means[s.id].get(name)) is None else v for s in scored],
                dtype=np.float64,
            )
            item.setData(x, y, connect="finite")
            shown.append(y)
        for technique in techniques if several else ():
            mine = [i for i, s in enumerate(scored) if s.technique == technique]
            y = np.array(
                [np.nan if (v := self.means[scored[i].id].get("overall")) is None else v
                 for i in mine],
                dtype=np.float64,
            )  # fmt: skip
            self._technique_line(technique).setData(x[mine], y, connect="finite")
            shown.append(y)
        for technique, item in self.technique_lines.items():
            if not several or technique not in techniques:
                item.setData([], [])
        self._show_legend(techniques if several else [])
        self._fit_ranges(x, shown)

    def _show_legend(self, techniques: Sequence[str]) -> None:
        if techniques:
            entries = []
            for t in techniques:
                colour, symbol = self._styles[t]
                entries.append((colour, "line", f"{_MARKER_WORD.get(symbol, '')} {t} (overall)"))
        else:
            entries = [(COMPONENT_COLOURS["overall"], "dot", "overall")]
            for k, name in enumerate(component_names()):
                colour = COMPONENT_COLOURS.get(name, _SPARE_COLOURS[k % len(_SPARE_COLOURS)])
                entries.append((colour, "line", name))
        self.legend.set_entries(entries)

    def _fit_ranges(self, x: np.ndarray, shown: Sequence[np.ndarray]) -> None:
        """Set the ranges: dates that fit the sessions (the last week when none).

        Scores run from just below the lowest shown to 100, so close scores near the top
        are told apart.
        """
        if x.size:
            span = max(float(x[-1] - x[0]), 3600.0)
            self.plot.setXRange(x[0] - 0.05 * span, x[-1] + 0.05 * span, padding=0)
        else:
            import time

            now = time.time()
            self.plot.setXRange(now - 7 * _DAY_S, now, padding=0)
        values = np.concatenate(shown) if shown else np.empty(0)
        values = values[np.isfinite(values)]
        low = float(values.min()) if values.size else 0.0
        bottom = max(0.0, np.floor((low - 5.0) / 10.0) * 10.0)
        self.plot.setYRange(bottom, 101.0, padding=0)

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
