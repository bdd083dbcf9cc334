"""The Instructor view's Reference card: its Build page and its Library page.

Each page only shows and asks; the Instructor view connects them, decides what Build
may do (it holds the takes) and passes the library's answers on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from trainer.ui import theme
from trainer.ui.plots import cosmetic_pen, live_curve, nice_ceiling
from trainer.ui.plots.still import HEADROOM, force_plot, tinted
from trainer.ui.widgets import Legend, label, row_table

__all__ = ["BuildPage", "LibraryPage", "PageStack"]

_ARGB = QtGui.QColor.NameFormat.HexArgb
_NAME_OK = QtCore.QRegularExpression(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_COLUMNS = ("Name", "Technique", "Strokes", "By", "From")


class PageStack(QtWidgets.QStackedLayout):
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


class BuildPage(QtWidgets.QWidget):
    """Name, Build, Save to library, Export pack…; the built reference's template and band.

    Parameters
    ----------
    parent : QtWidgets.QWidget or None
        Parent widget.
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        build = QtWidgets.QVBoxLayout(self)
        build.setContentsMargins(0, 0, 0, 0)
        build.setSpacing(8)
        ref_row = QtWidgets.QHBoxLayout()
        self.ref_name = QtWidgets.QLineEdit()
        self.ref_name.setPlaceholderText("reference name, e.g. effleurage-ana")
        self.ref_name.setAccessibleName("Reference name")
        self.ref_name.setValidator(QtGui.QRegularExpressionValidator(_NAME_OK, self.ref_name))
        self.build_button = QtWidgets.QPushButton("Build")
        self.build_button.setObjectName("primary")
        self.save_button = QtWidgets.QPushButton("Save to library")
        self.export_button = QtWidgets.QPushButton("Export pack…")
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
        self.ref_widget, self.ref_plot = force_plot("Force", "reference time")
        self.band_lo = live_curve(cosmetic_pen(tinted(theme.ACCENT, 90).name(_ARGB)))
        self.band_hi = live_curve(cosmetic_pen(tinted(theme.ACCENT, 90).name(_ARGB)))
        self.band = pg.FillBetweenItem(self.band_lo, self.band_hi, brush=tinted(theme.ACCENT, 45))
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

    def draw_reference(self, reference: Any) -> None:
        """Draw a built reference's template and band; say what it was built from."""
        x = np.arange(reference.length) / reference.fs_hz
        self.template.setData(x, reference.template.sum(axis=1))
        self.band_lo.setData(x, reference.band_lo)
        self.band_hi.setData(x, reference.band_hi)
        self.ref_plot.setXRange(0.0, float(x[-1]) if x.size else 1.0, padding=0.02)
        top = nice_ceiling(float(reference.band_hi.max()))
        self.ref_plot.setYRange(0.0, top * HEADROOM, padding=0)
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

    def show_message(self, text: str, *, error: bool = False) -> None:
        """Say what became of Build, Save or Export, on the line under those buttons.

        The reference's summary stays as it is.
        """
        self.ref_message.setText(text)
        self.ref_message.setStyleSheet(f"color: {theme.DANGER};" if error else "")
        self.ref_message.setVisible(bool(text))


class LibraryPage(QtWidgets.QWidget):
    """Every reference of the library; rename, delete (or hide), unhide.

    Parameters
    ----------
    confirm : callable
        Asks a yes/no question (the view's, which tests replace).
    ask_new_name : callable
        Asks for a reference's new name, ``None`` if cancelled (the view's).
    parent : QtWidgets.QWidget or None
        Parent widget.

    Signals
    -------
    delete_requested(str)
        Delete this user reference, or hide this bundled starter (already confirmed).
    unhide_requested(str)
        Show this hidden starter again.
    rename_requested(str, str)
        Rename a user reference: old name, new name (not validated here).
    """

    delete_requested = QtCore.Signal(str)
    unhide_requested = QtCore.Signal(str)
    rename_requested = QtCore.Signal(str, str)

    def __init__(
        self,
        confirm: Callable[[str], bool],
        ask_new_name: Callable[[str], str | None],
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._confirm = confirm
        self._ask_new_name = ask_new_name
        #: The library as last listed: ``(name, origin)`` per row, origin "user",
        #: "bundled" or "hidden" (a starter the user hid).
        self.entries: list[tuple[str, str]] = []
        box = QtWidgets.QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        row = QtWidgets.QHBoxLayout()
        self.library_table = row_table(_COLUMNS)
        self.library_table.setAccessibleName("Reference library")
        self.library_table.itemSelectionChanged.connect(self._update_buttons)
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
        self._update_buttons()

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
        self.entries = [(e.name, e.origin) for e in entries] + [(n, "hidden") for n in hidden]
        table.setRowCount(len(self.entries))
        muted = QtGui.QColor(theme.TEXT_MUTED)
        for row, entry in enumerate([*entries, *([None] * len(hidden))]):
            name, origin = self.entries[row]
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
        names = [n for n, _ in self.entries]
        if keep in names:
            table.selectRow(names.index(keep))
        self._update_buttons()

    def show_library_message(self, text: str, *, error: bool = False) -> None:
        """Say what became of Rename, Delete or Unhide (one line, under the list)."""
        self.library_message.setText(text)
        self.library_message.setStyleSheet(f"color: {theme.DANGER};" if error else "")

    def selected_reference(self) -> tuple[str, str]:
        """``(name, origin)`` of the library row selected, ``("", "")`` for none."""
        rows = self.library_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.entries):
            return "", ""
        return self.entries[rows[0].row()]

    def _update_buttons(self) -> None:
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
        new = self._ask_new_name(name)
        if new is None:
            return
        new = new.strip()
        if not new or new == name:
            self.show_library_message(f"{name} keeps its name.")
            return
        self.rename_requested.emit(name, new)

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
        if self._confirm(question):
            self.delete_requested.emit(name)

    def _unhide_selected(self) -> None:
        name, origin = self.selected_reference()
        if origin == "hidden":
            self.unhide_requested.emit(name)
