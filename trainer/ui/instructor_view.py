"""Instructor: record takes, keep the good ones, build a reference, save and share it.

The view shows and asks; the main window does the work off the GUI thread (recording
goes through the acquisition's recorder seam, reading takes and building run in
worker threads) and hands results back through ``show_*``. Every plot item is made
once; showing a take or a reference only calls ``setData``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from trainer.ui import theme
from trainer.ui.plots import cosmetic_pen, live_curve, nice_ceiling
from trainer.ui.widgets import Card, Legend, label, page_layout, row_table

__all__ = ["InstructorView"]

_COLUMNS = ("Keep", "Recorded", "By", "Length", "Strokes")
_ARGB = QtGui.QColor.NameFormat.HexArgb
#: A little room above the top tick, so its label is drawn whole.
_HEADROOM = 1.04
_NAME_OK = QtCore.QRegularExpression(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_LIBRARY_COLUMNS = ("Name", "Technique", "Strokes", "By", "From")
#: The Build / Library switch: the page shown is the checked button.
_SEGMENT_STYLE = (
    "QPushButton { padding: 0px 10px; }"
    f"QPushButton:checked {{ background: #e3f0ed; color: {theme.ACCENT}; "
    f"border-color: {theme.ACCENT}; }}"
)


def _tinted(colour: str, alpha: int) -> QtGui.QColor:
    c = QtGui.QColor(colour)
    c.setAlpha(alpha)
    return c


def _force_plot(
    y_label: str, x_label: str, min_height: int = 120
) -> tuple[pg.PlotWidget, pg.PlotItem]:
    widget = pg.PlotWidget()
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
    plot.setYRange(0.0, 10.0 * _HEADROOM, padding=0)
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


class _PageStack(QtWidgets.QStackedLayout):
    """A page stack that needs, for a width, only what its shown page needs at least.

    A stacked layout reports the preferred height of its tallest page (wrapped labels)
    where the minimum is asked, which would make the Instructor page scroll at 1024×600.
    """

    def heightForWidth(self, width: int) -> int:
        """Return the shown page's minimum height at ``width``."""
        page = self.currentWidget()
        layout = None if page is None else page.layout()
        if layout is None or not layout.hasHeightForWidth():
            return super().heightForWidth(width)
        return layout.minimumHeightForWidth(width)


class InstructorView(QtWidgets.QWidget):
    """Takes of one technique, the selected take with its strokes and trim, the build.

    Parameters
    ----------
    techniques : sequence of str
        Techniques offered.
    parent : QtWidgets.QWidget or None
        Parent widget.

    Signals
    -------
    record_toggled()
        Start recording a take (or stop the one being recorded).
    technique_changed(str)
        The technique to record and list.
    take_selected(str)
        Show this take (file name).
    keep_changed(str, bool)
        Mark a take good (built from) or bad.
    trim_changed(str, object)
        New trim of a take: ``(start, end)`` seconds, or ``None`` for all of it.
    add_requested(str)
        Copy this recording file in as a take.
    delete_requested(str)
        Delete this take (already confirmed).
    build_requested(str)
        Build a reference with this name from the kept takes.
    save_requested()
        Save the built reference into the library.
    export_requested(str)
        Write the saved reference into this pack file.
    library_shown()
        The library page was opened: list the library.
    library_delete_requested(str)
        Delete this user reference, or hide this bundled starter (already confirmed).
    library_unhide_requested(str)
        Show this hidden starter again.
    library_rename_requested(str, str)
        Rename a user reference: old name, new name (not validated here).
    """

    record_toggled = QtCore.Signal()
    technique_changed = QtCore.Signal(str)
    take_selected = QtCore.Signal(str)
    keep_changed = QtCore.Signal(str, bool)
    trim_changed = QtCore.Signal(str, object)
    add_requested = QtCore.Signal(str)
    delete_requested = QtCore.Signal(str)
    build_requested = QtCore.Signal(str)
    save_requested = QtCore.Signal()
    export_requested = QtCore.Signal(str)
    library_shown = QtCore.Signal()
    library_delete_requested = QtCore.Signal(str)
    library_unhide_requested = QtCore.Signal(str)
    library_rename_requested = QtCore.Signal(str, str)

    def __init__(self, techniques: Sequence[str], parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.takes: list[Any] = []
        self.strokes: dict[str, int] = {}
        self.recording = False
        self.reference: Any = None
        self.saved_name = ""
        self.current_take = ""
        self._select_when_listed = ""
        self._take_duration = 0.0
        #: Asks a yes/no question (tests replace it).
        self.confirm: Callable[[str], bool] = self._confirm_dialog
        #: Asks for a file to open, "" for none (tests replace it).
        self.ask_open_path: Callable[[], str] = self._open_dialog
        #: Asks for a pack file to write, "" for none (tests replace it).
        self.ask_save_path: Callable[[str], str] = self._save_dialog
        #: Asks for a reference's new name, ``None`` if cancelled.
        self.ask_new_name: Callable[[str], str | None] = self._rename_dialog
        #: The library as last listed: ``(name, origin)`` per row, origin "user",
        #: "bundled" or "hidden" (a starter the user hid).
        self.library: list[tuple[str, str]] = []

        outer, header, self.subtitle = page_layout(
            self,
            "Instructor",
            "Record takes of one technique, keep the good ones, build a reference.",
        )
        self.author = QtWidgets.QLineEdit()
        self.author.setPlaceholderText("performed by")
        self.author.setFixedWidth(150)
        self.author.setAccessibleName("Performed by")
        self.technique = QtWidgets.QComboBox()
        self.technique.addItems(list(techniques))
        self.technique.setAccessibleName("Technique")
        self.technique.currentTextChanged.connect(self.technique_changed)
        for w in (self.author, self.technique):
            header.addWidget(w, 0, QtCore.Qt.AlignmentFlag.AlignBottom)

        top = QtWidgets.QHBoxLayout()
        top.setSpacing(12)
        takes_card = Card("Takes")
        takes_card.setMinimumWidth(330)
        takes_card.setMaximumWidth(480)
        record_row = QtWidgets.QHBoxLayout()
        self.record_button = QtWidgets.QPushButton("Record take")
        self.record_button.setObjectName("primary")
        self.record_button.clicked.connect(self.record_toggled)
        record_row.addWidget(self.record_button)
        self.record_status = label("", "muted", wrap=True)
        record_row.addWidget(self.record_status, 1)
        takes_card.body.addLayout(record_row)
        self.table = row_table(_COLUMNS)
        self.table.setAccessibleName("Takes")
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.table.itemChanged.connect(self._on_item_changed)
        takes_card.body.addWidget(self.table, 1)
        take_buttons = QtWidgets.QHBoxLayout()
        self.add_button = QtWidgets.QPushButton("Add file…")
        self.add_button.clicked.connect(self._add_file)
        self.delete_button = QtWidgets.QPushButton("Delete…")
        self.delete_button.clicked.connect(self._delete_selected)
        take_buttons.addWidget(self.add_button)
        take_buttons.addWidget(self.delete_button)
        take_buttons.addStretch(1)
        takes_card.body.addLayout(take_buttons)
        # What became of Add file…, Delete… and the marks: next to those buttons.
        self.takes_message = label("", "muted", wrap=True)
        self.takes_message.setVisible(False)
        takes_card.body.addWidget(self.takes_message)
        # 3:4 with the Take card: wide windows show every column of the table (at its
        # fixed size it scrolled sideways, "Strokes" cut, even at 1920 px).
        top.addWidget(takes_card, 3)

        take_card = Card("Take")
        self.take_widget, self.take_plot = _force_plot("Force", "take time", 110)
        self.strokes_fill = pg.PlotDataItem(
            pen=None, fillLevel=0.0, brush=_tinted(theme.ACCENT, 30)
        )
        self.take_curve = live_curve(cosmetic_pen(theme.TEXT), "total force")
        self.take_plot.addItem(self.strokes_fill)
        self.take_plot.addItem(self.take_curve)
        self.trim_region = pg.LinearRegionItem(
            brush=_tinted(theme.CAUTION, 25),
            pen=cosmetic_pen(theme.CAUTION, width=2.0),
            hoverBrush=_tinted(theme.CAUTION, 45),
        )
        self.trim_region.setZValue(-10)
        self.trim_region.setVisible(False)
        self.trim_region.sigRegionChangeFinished.connect(self._on_trim_dragged)
        self.take_plot.addItem(self.trim_region, ignoreBounds=True)
        self.take_legend = Legend(
            [
                (theme.TEXT, "line", "force"),
                (theme.ACCENT, "box", "strokes"),
                (theme.CAUTION, "line", "kept part"),
            ]
        )
        legend_row = QtWidgets.QHBoxLayout()
        legend_row.addWidget(self.take_legend, 1)
        self.keep_all_button = QtWidgets.QPushButton("Keep all of it")
        self.keep_all_button.clicked.connect(self._clear_trim)
        legend_row.addWidget(self.keep_all_button, 0, QtCore.Qt.AlignmentFlag.AlignTop)
        take_card.body.addLayout(legend_row)
        take_card.body.addWidget(self.take_widget, 1)
        self.take_info = label("Select a take, or record one.", "muted", wrap=True)
        take_card.body.addWidget(self.take_info)
        top.addWidget(take_card, 4)
        outer.addLayout(top, 3)

        ref_card = Card("Reference")
        # Two pages in one card, switched beside its title: building a reference, and the
        # library it is saved into. The plots keep their height at 1024×600.
        ref_card.body.removeWidget(ref_card.title)
        ref_head = QtWidgets.QHBoxLayout()
        ref_head.addWidget(ref_card.title)
        ref_head.addStretch(1)
        self.build_page_button = QtWidgets.QPushButton("Build")
        self.library_page_button = QtWidgets.QPushButton("Library")
        self.build_page_button.setToolTip("Build a reference from the kept takes")
        self.library_page_button.setToolTip("Rename, delete or hide the library's references")
        self._page_buttons = QtWidgets.QButtonGroup(self)
        for i, b in enumerate((self.build_page_button, self.library_page_button)):
            b.setCheckable(True)
            b.setStyleSheet(_SEGMENT_STYLE)
            self._page_buttons.addButton(b, i)
            ref_head.addWidget(b)
        self.build_page_button.setChecked(True)
        self._page_buttons.idClicked.connect(self.show_page)
        ref_card.body.addLayout(ref_head)
        self.ref_pages = QtWidgets.QWidget()
        self.ref_stack = _PageStack(self.ref_pages)
        build_page = QtWidgets.QWidget()
        build = QtWidgets.QVBoxLayout(build_page)
        build.setContentsMargins(0, 0, 0, 0)
        build.setSpacing(8)
        ref_row = QtWidgets.QHBoxLayout()
        self.ref_name = QtWidgets.QLineEdit()
        self.ref_name.setPlaceholderText("reference name, e.g. effleurage-ana")
        self.ref_name.setAccessibleName("Reference name")
        self.ref_name.setValidator(QtGui.QRegularExpressionValidator(_NAME_OK, self.ref_name))
        self.ref_name.textChanged.connect(lambda _: self._update_buttons())
        self.build_button = QtWidgets.QPushButton("Build")
        self.build_button.setObjectName("primary")
        self.build_button.clicked.connect(self._build)
        self.save_button = QtWidgets.QPushButton("Save to library")
        self.save_button.clicked.connect(self.save_requested)
        self.export_button = QtWidgets.QPushButton("Export pack…")
        self.export_button.clicked.connect(self._export)
        ref_row.addWidget(self.ref_name, 1)
        for b in (self.build_button, self.save_button, self.export_button):
            ref_row.addWidget(b)
        build.addLayout(ref_row)
        # Why Build is not possible yet, and what became of Build, Save and Export: a line
        # of its own, so the reference's summary below stays.
        self.build_hint = label("", "muted", wrap=True)
        build.addWidget(self.build_hint)
        self.ref_message = label("", "muted", wrap=True)
        self.ref_message.setVisible(False)
        build.addWidget(self.ref_message)
        ref_body = QtWidgets.QHBoxLayout()
        self.ref_widget, self.ref_plot = _force_plot("Force", "reference time")
        self.band_lo = live_curve(cosmetic_pen(_tinted(theme.ACCENT, 90).name(_ARGB)))
        self.band_hi = live_curve(cosmetic_pen(_tinted(theme.ACCENT, 90).name(_ARGB)))
        self.band = pg.FillBetweenItem(self.band_lo, self.band_hi, brush=_tinted(theme.ACCENT, 45))
        self.template = live_curve(cosmetic_pen(theme.ACCENT, width=2.0), "template")
        for item in (self.band, self.band_lo, self.band_hi, self.template):
            self.ref_plot.addItem(item)
        ref_plot_box = QtWidgets.QVBoxLayout()
        ref_plot_box.setSpacing(2)
        self.ref_legend = Legend(
            [(theme.ACCENT, "line", "template"), (theme.ACCENT, "box", "tolerance band")]
        )
        ref_plot_box.addWidget(self.ref_legend)
        ref_plot_box.addWidget(self.ref_widget, 1)
        ref_body.addLayout(ref_plot_box, 3)
        self.ref_info = label(
            "No reference built yet: its template and tolerance band appear here.",
            "muted",
            wrap=True,
        )
        self.ref_info.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop)
        self.ref_info.setMinimumWidth(190)
        self.ref_info.setMaximumWidth(300)
        ref_body.addWidget(self.ref_info)
        build.addLayout(ref_body, 1)
        self.ref_stack.addWidget(build_page)
        self.ref_stack.addWidget(self._library_page())
        ref_card.body.addWidget(self.ref_pages, 1)
        outer.addWidget(ref_card, 2)
        self.set_recording_possible(False, "Connect a glove (or the simulated one) to record.")
        self._update_buttons()

    def _library_page(self) -> QtWidgets.QWidget:
        """Make the library page: every reference; rename, delete (or hide), unhide."""
        page = QtWidgets.QWidget()
        box = QtWidgets.QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        row = QtWidgets.QHBoxLayout()
        self.library_table = row_table(_LIBRARY_COLUMNS)
        self.library_table.setAccessibleName("Reference library")
        self.library_table.itemSelectionChanged.connect(self._update_library_buttons)
        row.addWidget(self.library_table, 1)
        buttons = QtWidgets.QVBoxLayout()
        self.rename_button = QtWidgets.QPushButton("Rename…")
        self.rename_button.clicked.connect(self._rename_selected)
        self.remove_button = QtWidgets.QPushButton("Delete…")
        self.remove_button.clicked.connect(self._remove_selected)
        self.unhide_button = QtWidgets.QPushButton("Unhide")
        self.unhide_button.clicked.connect(self._unhide_selected)
        for b in (self.rename_button, self.remove_button, self.unhide_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        row.addLayout(buttons)
        box.addLayout(row, 1)
        # What became of Rename, Delete and Unhide, or why a name was refused: one line.
        self.library_message = label(
            "Sessions keep their own copy of a reference: deleting or renaming one never "
            "loses a session's replay.",
            "muted",
            wrap=True,
        )
        box.addWidget(self.library_message)
        self._update_library_buttons()
        return page

    def show_page(self, index: int) -> None:
        """Show the Build (0) or the Library (1) page of the Reference card."""
        self.ref_stack.setCurrentIndex(index)
        button = self._page_buttons.button(index)
        if button is not None and not button.isChecked():
            button.setChecked(True)
        if index == 1:
            self.library_shown.emit()

    def show_library(self, entries: Sequence[Any], hidden: Sequence[str], select: str = "") -> None:
        """List the library's references, then the hidden starters.

        Parameters
        ----------
        entries : sequence of LibraryEntry
            ``name``, ``origin`` ("user" or "bundled"), ``reference`` (``None`` when its
            file is invalid) and ``error``.
        hidden : sequence of str
            The starters the user hid.
        select : str
            Select this name (else the selection stays on the same name, if listed).
        """
        keep = select or self.selected_reference()[0]
        table = self.library_table
        table.setRowCount(0)
        self.library = [(e.name, e.origin) for e in entries] + [(n, "hidden") for n in hidden]
        table.setRowCount(len(self.library))
        muted = QtGui.QColor(theme.TEXT_MUTED)
        for row, entry in enumerate([*entries, *([None] * len(hidden))]):
            name, origin = self.library[row]
            ref = None if entry is None else entry.reference
            if ref is not None:
                cells = (name, ref.technique, str(ref.n_strokes), ref.author or "—")
            elif entry is not None:
                cells = (name, "unreadable", "—", "—")
            else:
                cells = (name, "—", "—", "—")
            where = {"user": "yours", "bundled": "starter"}.get(origin, "starter, hidden")
            for col, text in enumerate((*cells, where)):
                item = QtWidgets.QTableWidgetItem(text)
                if origin == "hidden":
                    item.setForeground(muted)
                if entry is not None and entry.error:
                    item.setToolTip(entry.error)
                table.setItem(row, col, item)
        table.resizeColumnsToContents()
        names = [n for n, _ in self.library]
        if keep in names:
            table.selectRow(names.index(keep))
        self._update_library_buttons()

    def show_library_message(self, text: str, *, error: bool = False) -> None:
        """Say what became of Rename, Delete or Unhide (one line, under the list)."""
        self.library_message.setText(text)
        self.library_message.setStyleSheet(f"color: {theme.DANGER};" if error else "")

    def selected_reference(self) -> tuple[str, str]:
        """``(name, origin)`` of the library row selected, ``("", "")`` for none."""
        rows = self.library_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.library):
            return "", ""
        return self.library[rows[0].row()]

    def _update_library_buttons(self) -> None:
        origin = self.selected_reference()[1]
        self.rename_button.setEnabled(origin == "user")
        self.remove_button.setEnabled(origin in {"user", "bundled"})
        self.remove_button.setText("Hide…" if origin == "bundled" else "Delete…")
        self.unhide_button.setEnabled(origin == "hidden")
        self.rename_button.setToolTip(
            "Starters keep their name: export one and import it under a new name"
            if origin == "bundled"
            else "Give this reference a new name"
        )
        self.remove_button.setToolTip(
            "Starters are hidden, not deleted (Unhide shows one again)"
            if origin == "bundled"
            else "Delete this reference from the library"
        )

    def _rename_selected(self) -> None:
        name, origin = self.selected_reference()
        if origin != "user":
            return
        new = self.ask_new_name(name)
        if new is None:
            return
        new = new.strip()
        if not new or new == name:
            self.show_library_message(f"{name} keeps its name.")
            return
        self.library_rename_requested.emit(name, new)

    def _remove_selected(self) -> None:
        name, origin = self.selected_reference()
        if origin == "bundled":
            question = (
                f"Hide the starter reference {name}? Starters are hidden, not deleted: "
                "Unhide shows it again."
            )
        elif origin == "user":
            question = (
                f"Delete the reference {name}? Its file is removed from your library; "
                "sessions practised against it keep their own copy and still replay."
            )
        else:
            return
        if self.confirm(question):
            self.library_delete_requested.emit(name)

    def _unhide_selected(self) -> None:
        name, origin = self.selected_reference()
        if origin == "hidden":
            self.library_unhide_requested.emit(name)

    # -- what the window tells the view --

    def set_recording_possible(self, possible: bool, why: str = "") -> None:
        """Enable recording, or say why it is not possible now."""
        if not self.recording:
            self.record_button.setEnabled(possible)
            self.record_status.setText("" if possible else why)

    def recording_started(self) -> None:
        """Show a take being recorded (the take plot follows the glove live)."""
        self.recording = True
        self.record_button.setText("Stop take")
        self.record_button.setEnabled(True)
        self.record_status.setText("Recording…")
        self.trim_region.setVisible(False)
        self.strokes_fill.setData([], [])
        self.current_take = ""
        self.take_info.setText("Recording: perform several whole strokes, resting between them.")
        self._update_buttons()

    def recording_stopped(self, message: str = "") -> None:
        """Show that recording ended (``message`` says what happened to the take).

        The rolling live plot goes: the take is shown whole once it is saved.
        """
        was_recording, self.recording = self.recording, False
        self.record_button.setText("Record take")
        self.record_status.setText(message)
        if was_recording:
            self.take_curve.setData([], [])
            self.table.clearSelection()
            self.take_info.setText(message or "Take stopped.")
        elif not self.current_take and message:
            self.take_info.setText(message)
        self._update_buttons()

    def select_take(self, name: str) -> None:
        """Select (and so show) the take ``name`` once it is listed."""
        self._select_when_listed = name
        names = [t.name for t in self.takes]
        if name in names:
            self._select_when_listed = ""
            self.table.selectRow(names.index(name))

    def show_live(self, t: np.ndarray, total: np.ndarray, elapsed_s: float) -> None:
        """Draw the glove's last seconds while a take is being recorded."""
        if t.size:
            self.take_curve.setData(t - t[-1], total)
            self.take_plot.setXRange(min(-10.0, float(t[0] - t[-1])), 0.0, padding=0)
            top = nice_ceiling(float(total.max(initial=0.0)))
            self.take_plot.setYRange(0, top * _HEADROOM, padding=0)
        self.record_status.setText(f"Recording… {elapsed_s:.1f} s")

    def show_takes(
        self, takes: Sequence[Any], strokes: dict[str, int], problems: Sequence[str] = ()
    ) -> None:
        """List the takes of the chosen technique (``strokes``: complete strokes per take)."""
        self.takes = list(takes)
        self.strokes = dict(strokes)
        selected = self.current_take
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.takes))
        for row, take in enumerate(self.takes):
            keep = QtWidgets.QTableWidgetItem("")
            keep.setFlags(
                QtCore.Qt.ItemFlag.ItemIsUserCheckable
                | QtCore.Qt.ItemFlag.ItemIsEnabled
                | QtCore.Qt.ItemFlag.ItemIsSelectable
            )
            keep.setCheckState(
                QtCore.Qt.CheckState.Checked if take.good else QtCore.Qt.CheckState.Unchecked
            )
            keep.setData(QtCore.Qt.ItemDataRole.UserRole, take.name)
            length = f"{take.kept_s:.1f} s" + (" (trimmed)" if take.trim else "")
            n = strokes.get(take.name)
            cells = (
                take.recorded_at[:16].replace("T", " ") or take.name,
                take.author or "—",
                length,
                "…" if n is None else str(n),
            )
            self.table.setItem(row, 0, keep)
            for col, text in enumerate(cells, start=1):
                self.table.setItem(row, col, QtWidgets.QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        # Rows may have moved: select afresh, so the selection always names its take.
        self.table.clearSelection()
        self.table.blockSignals(False)
        names = [t.name for t in self.takes]
        wanted, self._select_when_listed = self._select_when_listed, ""
        if wanted in names:
            self.table.selectRow(names.index(wanted))
        elif selected in names:
            self.table.selectRow(names.index(selected))
        elif self.takes and not self.recording:
            self.current_take = ""
            self.take_info.setText(
                f"{len(self.takes)} take{'s' * (len(self.takes) != 1)}: select one to see it whole."
            )
        elif not self.takes:
            self.current_take = ""
            self.take_curve.setData([], [])
            self.strokes_fill.setData([], [])
            self.trim_region.setVisible(False)
            self.take_info.setText("No takes of this technique yet: record one, or add a file.")
        if problems:
            self.show_takes_message(
                f"{len(problems)} take file(s) unreadable: {problems[0]}", error=True
            )
        self._update_buttons()

    def show_take(
        self,
        take: Any,
        t: np.ndarray,
        total: np.ndarray,
        spans: Sequence[tuple[float, float]],
    ) -> None:
        """Draw a whole take: its force, its complete strokes shaded, its trim."""
        if take.name != self.current_take or self.recording:
            return  # the user moved on meanwhile
        self._take_duration = take.duration_s
        top = nice_ceiling(float(np.nanmax(total, initial=0.0)))  # NaN: gap breaks
        self.take_curve.setData(t, total)
        self.strokes_fill.setData(*span_outline(spans, 0.96 * top))
        self.take_plot.setXRange(0.0, max(take.duration_s, 1.0), padding=0.01)
        self.take_plot.setYRange(0.0, top * _HEADROOM, padding=0)
        lo, hi = take.trim if take.trim else (0.0, take.duration_s)
        self.trim_region.blockSignals(True)
        self.trim_region.setBounds((0.0, take.duration_s))
        self.trim_region.setRegion((lo, hi))
        self.trim_region.blockSignals(False)
        self.trim_region.setVisible(True)
        kept = sum(1 for a, b in spans if a >= lo and b <= hi)
        self.take_info.setText(
            f"{len(spans)} complete strokes, {kept} in the kept part ({lo:.1f}–{hi:.1f} s): "
            "drag its edges to leave out a false start or a bad end."
        )

    def show_reference(self, reference: Any) -> None:
        """Draw a built reference: template and band, and what it was built from."""
        self.reference = reference
        self.saved_name = ""
        x = np.arange(reference.length) / reference.fs_hz
        self.template.setData(x, reference.template.sum(axis=1))
        self.band_lo.setData(x, reference.band_lo)
        self.band_hi.setData(x, reference.band_hi)
        self.ref_plot.setXRange(0.0, float(x[-1]) if x.size else 1.0, padding=0.02)
        top = nice_ceiling(float(reference.band_hi.max()))
        self.ref_plot.setYRange(0.0, top * _HEADROOM, padding=0)
        lo, mid, hi = reference.duration_s
        peak, peak_sd = reference.peak_force_n
        self.show_message("")
        self.ref_info.setText(
            f"<b>{reference.name}</b> ({reference.technique}, {reference.profile.name})<br>"
            f"built from {reference.n_strokes} strokes<br>"
            f"stroke duration {lo:.2f}–{hi:.2f} s (typical {mid:.2f} s)<br>"
            f"peak force {peak:.0f} ± {peak_sd:.0f} N<br>"
            "Not saved yet: <i>Save to library</i> makes it available in Practice."
        )
        self._update_buttons()

    def reference_saved(self, name: str, path: Path) -> None:
        """Show that the built reference is in the library under ``name``."""
        self.saved_name = name
        self.ref_info.setText(
            self.ref_info.text().rsplit("<br>", 1)[0]
            + f"<br>Saved as <b>{name}</b>: choose it in Practice, or export a pack."
        )
        self._update_buttons()

    def reference_renamed(self, old: str, new: str) -> None:
        """Follow a library change of the reference built here: renamed, or deleted (``""``).

        Export writes the library's copy, so it follows the new name; once deleted the
        built reference may be saved again.
        """
        if not self.saved_name or self.saved_name != old:
            return
        self.saved_name = new
        if self.reference is not None:
            self.reference = replace(self.reference, name=new) if new else self.reference
        head = self.ref_info.text().rsplit("<br>", 1)[0]
        self.ref_info.setText(
            head + f"<br>Saved as <b>{new}</b>: choose it in Practice, or export a pack."
            if new
            else head + "<br>Deleted from the library: <i>Save to library</i> adds it again."
        )
        self._update_buttons()

    def show_message(self, text: str, *, error: bool = False) -> None:
        """Say what became of Build, Save or Export, on the line under those buttons.

        The reference's summary stays as it is.
        """
        self.ref_message.setText(text)
        self.ref_message.setStyleSheet(f"color: {theme.DANGER};" if error else "")
        self.ref_message.setVisible(bool(text))

    def show_takes_message(self, text: str, *, error: bool = False) -> None:
        """Say what became of Add file…, Delete… or a mark, beside those buttons."""
        self.takes_message.setText(text)
        self.takes_message.setStyleSheet(f"color: {theme.DANGER};" if error else "")
        self.takes_message.setVisible(bool(text))

    # -- user actions --

    def selected_take(self) -> str:
        """File name of the selected take ("" for none)."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return ""
        item = self.table.item(rows[0].row(), 0)
        return "" if item is None else str(item.data(QtCore.Qt.ItemDataRole.UserRole))

    def kept_takes(self) -> list[str]:
        """Names of the takes marked to keep."""
        return [t.name for t in self.takes if t.good]

    def _on_selection(self) -> None:
        name = self.selected_take()
        self._update_buttons()
        if name and name != self.current_take:
            self.current_take = name
            self.take_info.setText("Loading the take…")
            self.take_selected.emit(name)

    def _on_item_changed(self, item: QtWidgets.QTableWidgetItem) -> None:
        if item.column() != 0:
            return
        name = str(item.data(QtCore.Qt.ItemDataRole.UserRole))
        keep = item.checkState() == QtCore.Qt.CheckState.Checked
        for i, take in enumerate(self.takes):
            if take.name == name and take.good != keep:
                self.takes[i] = replace(take, good=keep)
                self.keep_changed.emit(name, keep)
        self._update_buttons()

    def _on_trim_dragged(self) -> None:
        if not self.current_take:
            return
        lo, hi = self.trim_region.getRegion()
        whole = lo <= 0.01 and hi >= self._take_duration - 0.01
        self.trim_changed.emit(self.current_take, None if whole else (float(lo), float(hi)))

    def _clear_trim(self) -> None:
        if self.current_take:
            self.trim_changed.emit(self.current_take, None)

    def _add_file(self) -> None:
        path = self.ask_open_path()
        if path:
            self.add_requested.emit(path)

    def _delete_selected(self) -> None:
        name = self.selected_take()
        if name and self.confirm(f"Delete the take {name}? Its recording is removed."):
            self.delete_requested.emit(name)

    def _build(self) -> None:
        name = self.ref_name.text().strip()
        if name and self.kept_takes():
            self.show_message(f"Building {name} from {len(self.kept_takes())} takes…")
            self.build_button.setEnabled(False)
            self.build_requested.emit(name)

    def build_failed(self, message: str) -> None:
        """Say, in one line, why the build did not work."""
        self.show_message(f"Could not build: {message}", error=True)
        self._update_buttons()

    def _export(self) -> None:
        if not self.saved_name:
            return
        path = self.ask_save_path(f"{self.saved_name}.mtpack")
        if path:
            self.export_requested.emit(path)

    def _update_buttons(self) -> None:
        kept = len(self.kept_takes())
        idle = not self.recording
        self.build_button.setText(f"Build from {kept} kept take{'s' if kept != 1 else ''}")
        named = bool(self.ref_name.text().strip())
        self.build_button.setEnabled(idle and kept > 0 and named)
        if not idle:
            why = "Stop the take to build."
        elif not self.takes:
            why = "Record or add takes first: a reference is built from them."
        elif kept == 0:
            why = "Tick Keep on at least one take to build from it."
        elif not named:
            why = "Name the reference to build it."
        else:
            why = ""
        self.build_hint.setText(why)
        self.build_hint.setVisible(bool(why))
        self.build_button.setToolTip(why or "Build the reference from the kept takes")
        self.save_button.setEnabled(self.reference is not None and not self.saved_name)
        self.export_button.setEnabled(bool(self.saved_name))
        has_take = bool(self.selected_take())
        self.delete_button.setEnabled(idle and has_take)
        self.keep_all_button.setEnabled(idle and has_take)
        self.add_button.setEnabled(idle)
        self.technique.setEnabled(idle)

    # -- dialogs (replaced in tests) --

    def _confirm_dialog(self, question: str) -> bool:
        answer = QtWidgets.QMessageBox.question(self, "massage-trainer", question)
        return answer == QtWidgets.QMessageBox.StandardButton.Yes

    def _open_dialog(self) -> str:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Add a take", "", "Recordings (*.mtcap *.csv);;All files (*)"
        )
        return path

    def _rename_dialog(self, name: str) -> str | None:
        text, ok = QtWidgets.QInputDialog.getText(
            self,
            "Rename a reference",
            f"New name for {name} (letters, digits, '.', '_' or '-'):",
            QtWidgets.QLineEdit.EchoMode.Normal,
            name,
        )
        return text if ok else None

    def _save_dialog(self, suggested: str) -> str:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, "Export a reference pack", suggested, "Packs (*.mtpack)"
        )
        return path
