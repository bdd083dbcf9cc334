"""Instructor: record takes, keep the good ones, build a reference, save and share it.

The view shows and asks; the main window does the work off the GUI thread (recording
goes through the acquisition's recorder seam, reading takes and building run in
worker threads) and hands results back through ``show_*``. Every plot item is made
once; showing a take or a reference only calls ``setData``. The Reference card's Build and
Library pages are :mod:`trainer.ui.reference_pages`; the take's plot is
:class:`~trainer.ui.plots.still.TakePlot`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from PySide6 import QtCore, QtWidgets

from trainer.ui import theme
from trainer.ui.plots.still import TakePlot, span_outline
from trainer.ui.reference_pages import BuildPage, LibraryPage, PageStack
from trainer.ui.widgets import Card, Legend, label, page_layout, row_table

__all__ = ["InstructorView", "span_outline"]

_COLUMNS = ("Keep", "Recorded", "By", "Length", "Strokes")
#: The Build / Library switch: the page shown is the checked button.
_SEGMENT_STYLE = (
    "QPushButton { padding: 0px 10px; }"
    f"QPushButton:checked {{ background: #e3f0ed; color: {theme.ACCENT}; "
    f"border-color: {theme.ACCENT}; }}"
)


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

        outer, header, self.subtitle = page_layout(
            self,
            "Instructor",
            "Record takes of one technique, keep the good ones, build a reference.",
        )
        self._build_header(header, techniques)
        top = QtWidgets.QHBoxLayout()
        top.setSpacing(12)
        # 3:4 with the Take card: wide windows show every column of the table (at its
        # fixed size it scrolled sideways, "Strokes" cut, even at 1920 px).
        top.addWidget(self._build_takes_card(), 3)
        top.addWidget(self._build_take_card(), 4)
        outer.addLayout(top, 3)
        outer.addWidget(self._build_reference_card(), 2)
        self.set_recording_possible(False, "Connect a glove (or the simulated one) to record.")
        self._update_buttons()

    # -- building (once) --

    def _build_header(self, header: QtWidgets.QHBoxLayout, techniques: Sequence[str]) -> None:
        """Add who performs the takes and their technique."""
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

    def _build_takes_card(self) -> Card:
        """Make the Takes card: Record take, the takes (keep, trim), Add file…, Delete…."""
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
        return takes_card

    def _build_take_card(self) -> Card:
        """Make the Take card: the selected take whole, its strokes shaded, its trim."""
        take_card = Card("Take")
        self._take = TakePlot()
        self.take_widget, self.take_plot = self._take.widget, self._take.plot
        self.strokes_fill, self.take_curve = self._take.strokes_fill, self._take.curve
        self.trim_region = self._take.trim_region
        self.trim_region.sigRegionChangeFinished.connect(self._on_trim_dragged)
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
        return take_card

    def _build_reference_card(self) -> Card:
        """Make the Reference card: its Build and Library pages, switched beside the title."""
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
        self.ref_stack = PageStack(self.ref_pages)
        self.ref_stack.addWidget(self._build_build_page())
        self.ref_stack.addWidget(self._build_library_page())
        ref_card.body.addWidget(self.ref_pages, 1)
        return ref_card

    def _build_build_page(self) -> BuildPage:
        """Make the Build page; its widgets are reached as the view's own."""
        page = self._build_page = BuildPage()
        self.ref_name, self.build_button = page.ref_name, page.build_button
        self.save_button, self.export_button = page.save_button, page.export_button
        self.build_hint, self.ref_message = page.build_hint, page.ref_message
        self.ref_info, self.ref_legend = page.ref_info, page.ref_legend
        self.ref_widget, self.ref_plot = page.ref_widget, page.ref_plot
        self.band_lo, self.band_hi, self.band = page.band_lo, page.band_hi, page.band
        self.template = page.template
        self.ref_name.textChanged.connect(lambda _: self._update_buttons())
        self.build_button.clicked.connect(self._build)
        self.save_button.clicked.connect(self.save_requested)
        self.export_button.clicked.connect(self._export)
        return page

    def _build_library_page(self) -> LibraryPage:
        """Make the Library page; its widgets are reached as the view's own."""
        # Through the view's own attributes, which tests replace.
        page = self._library = LibraryPage(
            lambda question: self.confirm(question), lambda name: self.ask_new_name(name)
        )
        self.library_table, self.library_message = page.library_table, page.library_message
        self.rename_button, self.remove_button = page.rename_button, page.remove_button
        self.unhide_button = page.unhide_button
        page.delete_requested.connect(self.library_delete_requested)
        page.unhide_requested.connect(self.library_unhide_requested)
        page.rename_requested.connect(self.library_rename_requested)
        return page

    def show_page(self, index: int) -> None:
        """Show the Build (0) or the Library (1) page of the Reference card."""
        self.ref_stack.setCurrentIndex(index)
        button = self._page_buttons.button(index)
        if button is not None and not button.isChecked():
            button.setChecked(True)
        if index == 1:
            self.library_shown.emit()

    @property
    def library(self) -> list[tuple[str, str]]:
        """The library as last listed: ``(name, origin)`` per row.

        Origin "user", "bundled" or "hidden" (a starter the user hid).
        """
        return self._library.entries

    def show_library(self, entries: Sequence[Any], hidden: Sequence[str], select: str = "") -> None:
        """List the library's references, then the hidden starters.

        See :meth:`LibraryPage.show_library`.
        """
        self._library.show_library(entries, hidden, select)

    def show_library_message(self, text: str, *, error: bool = False) -> None:
        """Say what became of Rename, Delete or Unhide (one line, under the list)."""
        self._library.show_library_message(text, error=error)

    def selected_reference(self) -> tuple[str, str]:
        """``(name, origin)`` of the library row selected, ``("", "")`` for none."""
        return self._library.selected_reference()

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
            self._take.show_live(t, total)
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
        lo, hi = take.trim if take.trim else (0.0, take.duration_s)
        self._take.show_whole(t, total, spans, take.duration_s, (lo, hi))
        kept = sum(1 for a, b in spans if a >= lo and b <= hi)
        self.take_info.setText(
            f"{len(spans)} complete strokes, {kept} in the kept part ({lo:.1f}–{hi:.1f} s): "
            "drag its edges to leave out a false start or a bad end."
        )

    def show_reference(self, reference: Any) -> None:
        """Draw a built reference: template and band, and what it was built from."""
        self.reference = reference
        self.saved_name = ""
        self._build_page.draw_reference(reference)
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
        self._build_page.show_message(text, error=error)

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
