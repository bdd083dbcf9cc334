"""Rate: instructors rate stored attempts blind, keyboard first.

Each attempt is drawn over its reference as Replay draws it (real time: the stroke with
the reference and its band under it; warped time: the stroke on the reference's time
axis), but **nothing of the program's judgement is shown**: no score, no deduction, no
pin, not even which student it was. The rater types a rating 0–10 (a digit; ``1`` then
``0`` for 10), toggles fault tags with one letter each, may add a note, and presses
Enter for the next attempt. The order is random per rater (the controller draws it).

Also :func:`save_agreement_plot`: the agreement figures' scatter and Bland–Altman plot,
rendered offscreen to a PNG for ``massage-trainer agreement --plot``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from trainer.ratings.model import TAGS
from trainer.ui import theme
from trainer.ui.plots import cosmetic_pen, live_curve, nice_ceiling
from trainer.ui.widgets import Card, label, page_layout

if TYPE_CHECKING:
    from trainer.ratings.report import AgreementReport

__all__ = ["RateView", "save_agreement_plot"]

_MARGIN_S = 0.4  # real-time plot: seconds shown either side of the attempt
_DIGITS = {getattr(QtCore.Qt.Key, f"Key_{d}"): d for d in range(10)}
_TAG_KEYS = {
    getattr(QtCore.Qt.Key, f"Key_{key.upper()}"): tag for tag, (key, _codes) in TAGS.items()
}
_ENTER = (QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter)


def _band_colour(alpha: int) -> QtGui.QColor:
    colour = QtGui.QColor(theme.ACCENT)
    colour.setAlpha(alpha)
    return colour


class _StrokePlot:
    """Force, reference and band on one plot (items made once; no pins, no labels)."""

    def __init__(self, plot: pg.PlotItem, force_name: str) -> None:
        self.plot = plot
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setMouseEnabled(x=False, y=False)
        plot.getAxis("left").setWidth(58)
        band_pen = cosmetic_pen(_band_colour(90).name(QtGui.QColor.NameFormat.HexArgb))
        self.band_lo = live_curve(band_pen)
        self.band_hi = live_curve(band_pen)
        self.band = pg.FillBetweenItem(self.band_lo, self.band_hi, brush=_band_colour(45))
        self.reference = live_curve(cosmetic_pen(theme.ACCENT, dash=True), "reference")
        self.force = live_curve(cosmetic_pen(theme.TEXT, width=1.5), force_name)
        legend = plot.addLegend(offset=(-8, -4), labelTextColor=theme.TEXT_MUTED)
        legend.setColumnCount(2)
        for item in (self.band, self.band_lo, self.band_hi, self.reference, self.force):
            plot.addItem(item)

    def show(
        self, x: np.ndarray, force: np.ndarray, ref: np.ndarray, lo: np.ndarray, hi: np.ndarray
    ) -> None:
        self.force.setData(x, force)
        self.reference.setData(x, ref)
        self.band_lo.setData(x, lo)
        self.band_hi.setData(x, hi)

    def clear(self) -> None:
        for item in (self.band_lo, self.band_hi, self.reference, self.force):
            item.setData([], [])


class RateView(QtWidgets.QWidget):
    """Blind rating of attempts, one after another.

    Keys (while the plots, not the note, have the focus): ``0``–``9`` the rating (``1``
    then ``0`` gives 10), a letter per fault tag (shown beside it), Backspace clears the
    rating, Enter saves and shows the next attempt; in the note, Enter saves too and
    Escape returns to the keys.

    Signals
    -------
    start_requested(str, dict, int, bool)
        Rater; which attempts, ``{"technique", "reference", "user", "since"}`` (``""``:
        any; ``since`` a ``YYYY-MM-DD`` date); how many; include ones already rated by
        this rater (test–retest).
    rating_submitted(float, tuple, str)
        Rating 0–10, fault tags, note, for the attempt shown.
    skip_requested()
        Next attempt without rating this one.
    """

    start_requested = QtCore.Signal(str, dict, int, bool)
    rating_submitted = QtCore.Signal(float, tuple, str)
    skip_requested = QtCore.Signal()

    def __init__(
        self, techniques: Sequence[str] = (), parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self.rating: int | None = None
        self._pending_one = False  # "1" typed: a "0" next makes it 10
        self.tags: set[str] = set()
        self.active = False

        outer, _header, self.subtitle = page_layout(
            self,
            "Rate",
            "Rate stored attempts blind: what the program said stays hidden.",
        )
        outer.addLayout(self._build_setup(techniques))
        middle = QtWidgets.QHBoxLayout()
        middle.setSpacing(12)
        middle.addWidget(self._build_plot_card(), 1)
        middle.addWidget(self._build_rating_card())
        outer.addLayout(middle, 1)
        self._set_rating_enabled(False)

    # -- building (once) --

    def _build_setup(self, techniques: Sequence[str]) -> QtWidgets.QHBoxLayout:
        """Make the round's row: rater, which attempts, how many, Start."""
        self.rater = QtWidgets.QLineEdit()
        self.rater.setPlaceholderText("your name")
        self.rater.setFixedWidth(150)
        self.technique = QtWidgets.QComboBox()
        self.technique.addItem("any technique", "")
        for name in techniques:
            self.technique.addItem(name, name)
        self.reference = QtWidgets.QLineEdit()
        self.reference.setPlaceholderText("any reference")
        self.reference.setFixedWidth(140)
        self.student = QtWidgets.QLineEdit()
        self.student.setPlaceholderText("any student")
        self.student.setFixedWidth(110)
        self.since = QtWidgets.QLineEdit()
        self.since.setPlaceholderText("since YYYY-MM-DD")
        self.since.setFixedWidth(150)
        self.count = QtWidgets.QSpinBox()
        self.count.setRange(1, 500)
        self.count.setValue(20)
        self.count.setSuffix(" attempts")
        self.retest = QtWidgets.QCheckBox("include ones I rated")
        self.start_button = QtWidgets.QPushButton("Start")
        self.start_button.setObjectName("primary")
        self.start_button.clicked.connect(self._start)
        self.rater.returnPressed.connect(self._start)
        setup = QtWidgets.QHBoxLayout()  # its own row: the subtitle keeps the header's width
        setup.setSpacing(10)
        setup.addWidget(label("Rater", "muted"))
        for widget in (self.rater, self.technique, self.reference, self.student, self.since,
                       self.count, self.retest, self.start_button):  # fmt: skip
            setup.addWidget(widget)
        setup.addStretch(1)
        return setup

    def _build_plot_card(self) -> Card:
        """Make the card of the two plots: the stroke in real and in warped time."""
        plot_card = Card()
        plot_card.body.setContentsMargins(6, 8, 8, 6)
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.plots.ci.setSpacing(10)
        # enableMenu=False: no context menus built only to be dropped (_StrokePlot).
        real = self.plots.addPlot(row=0, col=0, enableMenu=False)
        warped = self.plots.addPlot(row=1, col=0, enableMenu=False)
        real.setTitle("Real time", color=theme.TEXT_MUTED, size="9pt")
        warped.setTitle("Warped onto the reference's time", color=theme.TEXT_MUTED,
                        size="9pt")  # fmt: skip
        real.setLabel("left", "Total force", units="N")
        real.setLabel("bottom", "time", units="s")
        warped.setLabel("left", "Total force", units="N")
        warped.setLabel("bottom", "reference time", units="s")
        self.real = _StrokePlot(real, "stroke")
        self.warped = _StrokePlot(warped, "stroke, warped")
        plot_card.body.addWidget(self.plots, 1)
        return plot_card

    def _build_rating_card(self) -> Card:
        """Make the Your rating card: the rating, fault tags, note, save and skip."""
        side = Card("Your rating")
        side.setFixedWidth(300)
        self.rating_label = label("–", "title")
        self.rating_label.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        side.body.addWidget(self.rating_label)
        side.body.addWidget(label("0–9, or 1 then 0 for 10", "muted"))
        self.tag_boxes: dict[str, QtWidgets.QCheckBox] = {}
        for tag, (key, _codes) in TAGS.items():
            box = QtWidgets.QCheckBox(f"{key.upper()}  {tag.replace('_', ' ')}")
            box.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
            box.toggled.connect(lambda on, t=tag: self._set_tag(t, on))
            side.body.addWidget(box)
            self.tag_boxes[tag] = box
        self.note = QtWidgets.QLineEdit()
        self.note.setPlaceholderText("note (optional)")
        self.note.setMaxLength(2000)
        self.note.returnPressed.connect(self.submit)
        side.body.addWidget(self.note)
        buttons = QtWidgets.QHBoxLayout()
        self.next_button = QtWidgets.QPushButton("Save, next (Enter)")
        self.next_button.setObjectName("primary")
        self.next_button.clicked.connect(self.submit)
        self.skip_button = QtWidgets.QPushButton("Skip")
        self.skip_button.clicked.connect(self.skip_requested)
        buttons.addWidget(self.next_button, 1)
        buttons.addWidget(self.skip_button)
        side.body.addLayout(buttons)
        self.progress = label("", "muted", wrap=True)
        side.body.addWidget(self.progress)
        side.body.addStretch(1)
        return side

    # -- what the controller shows --

    def show_message(self, text: str) -> None:
        """Say what is happening (loading, done, an error) under the title."""
        self.subtitle.setText(text)

    def show_attempt(self, data: Any, position: int, total: int) -> None:
        """Show one attempt of :class:`~trainer.store.replay.ReplayData` (its ``focus``).

        Only forces are drawn: no score, deduction, pin or student name.
        """
        a = data.attempts[data.focus]
        t = np.asarray(data.t, dtype=np.float64)
        first, stop = a.first, a.stop
        lo_t, hi_t = float(t[first]) - _MARGIN_S, float(t[stop - 1]) + _MARGIN_S
        shown = (t >= lo_t) & (t <= hi_t)
        x = t[shown] - float(t[first])
        force = np.asarray(data.total, dtype=np.float64)[shown]
        ref, lo, hi = (np.full(x.size, np.nan) for _ in range(3))
        if a.template_on_attempt is not None:
            inside = np.flatnonzero(shown)
            at = (inside >= first) & (inside < stop)
            rows = inside[at] - first
            ref[at], lo[at], hi[at] = a.template_on_attempt[rows].T
        self.real.show(x, force, ref, lo, hi)
        top = nice_ceiling(float(np.nanmax(np.concatenate([force, hi[np.isfinite(hi)], [1.0]]))))
        self.real.plot.setXRange(float(x[0]), float(x[-1]), padding=0.01)
        self.real.plot.setYRange(0, top, padding=0.02)
        reference = data.reference
        if reference is not None and a.on_template is not None:
            xr = np.arange(reference.length) / float(reference.fs_hz)
            self.warped.show(xr, a.on_template, reference.total, reference.band_lo,
                             reference.band_hi)  # fmt: skip
            self.warped.plot.setXRange(0, float(xr[-1]), padding=0.02)
            self.warped.plot.setYRange(0, top, padding=0.02)
        else:
            self.warped.clear()
        technique = data.session.technique
        ref_name = reference.name if reference is not None else "no reference"
        self.subtitle.setText(f"Attempt {position} of {total} · {technique} against {ref_name}")
        self.progress.setText(f"{position - 1} of {total} rated in this round")
        self._reset_input()
        self._set_rating_enabled(True)
        self.setFocus()

    def show_finished(self, rated: int, total: int) -> None:
        """End of the round: nothing more to rate."""
        self.real.clear()
        self.warped.clear()
        self._reset_input()
        self._set_rating_enabled(False)
        self.subtitle.setText(
            f"Round finished: {rated} of {total} rated. Compare with the program: "
            "`massage-trainer agreement`."
        )
        self.progress.setText("")

    # -- input --

    def _start(self) -> None:
        name = self.rater.text().strip()
        if not name:
            self.subtitle.setText("Type your name first: ratings are kept per rater.")
            self.rater.setFocus()
            return
        filters = {
            "technique": str(self.technique.currentData() or ""),
            "reference": self.reference.text().strip(),
            "user": self.student.text().strip(),
            "since": self.since.text().strip(),
        }
        self.start_requested.emit(name, filters, self.count.value(), self.retest.isChecked())

    def _set_rating_enabled(self, on: bool) -> None:
        self.active = on
        for widget in (self.note, self.next_button, self.skip_button, *self.tag_boxes.values()):
            widget.setEnabled(on)

    def _reset_input(self) -> None:
        self.rating = None
        self._pending_one = False
        self.tags.clear()
        for box in self.tag_boxes.values():
            box.blockSignals(True)
            box.setChecked(False)
            box.blockSignals(False)
        self.note.clear()
        self.rating_label.setText("–")

    def _set_tag(self, tag: str, on: bool) -> None:
        if on:
            self.tags.add(tag)
        else:
            self.tags.discard(tag)

    def type_digit(self, digit: int) -> None:
        """Take a digit key as the rating (``1`` then ``0`` makes 10)."""
        if self._pending_one and digit == 0:
            self.rating, self._pending_one = 10, False
        else:
            self.rating, self._pending_one = digit, digit == 1
        self.rating_label.setText(str(self.rating))

    def toggle_tag(self, tag: str) -> None:
        """Tick or untick a fault tag (its letter key)."""
        box = self.tag_boxes[tag]
        box.setChecked(not box.isChecked())

    def submit(self) -> None:
        """Save the rating shown (Enter); without a rating, ask for one."""
        if not self.active:
            return
        if self.rating is None:
            self.progress.setText("Type a rating 0–10 first (1 then 0 for 10).")
            self.setFocus()
            return
        tags = tuple(t for t in TAGS if t in self.tags)
        self._set_rating_enabled(False)  # until the next attempt is shown
        self.rating_submitted.emit(float(self.rating), tags, self.note.text().strip())

    def _handles(self, event: QtGui.QKeyEvent) -> bool:
        mods = event.modifiers() & ~QtCore.Qt.KeyboardModifier.KeypadModifier
        if mods != QtCore.Qt.KeyboardModifier.NoModifier or not self.active:
            return False
        key = event.key()
        return key in _DIGITS or key in _TAG_KEYS or key in _ENTER or key in (
            QtCore.Qt.Key.Key_Backspace, QtCore.Qt.Key.Key_Space
        )  # fmt: skip

    def event(self, event: QtCore.QEvent) -> bool:
        """Take the rating keys before the window's shortcuts (T, N, Space) do."""
        if event.type() == QtCore.QEvent.Type.ShortcutOverride and isinstance(
            event, QtGui.QKeyEvent
        ):
            if self._handles(event):
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        """Digits, tag letters, Backspace, Enter (see the class docstring)."""
        if not self._handles(event):
            super().keyPressEvent(event)
            return
        key = event.key()
        if key in _DIGITS:
            self.type_digit(_DIGITS[key])
        elif key in _TAG_KEYS:
            self.toggle_tag(_TAG_KEYS[key])
        elif key == QtCore.Qt.Key.Key_Backspace:
            self.rating, self._pending_one = None, False
            self.rating_label.setText("–")
        elif key in _ENTER:
            self.submit()
        event.accept()


class _NoteEscape(QtCore.QObject):
    """Escape in the note gives the keys back to the view."""

    def __init__(self, view: RateView) -> None:
        super().__init__(view)
        self.view = view

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if (
            event.type() == QtCore.QEvent.Type.KeyPress
            and isinstance(event, QtGui.QKeyEvent)
            and event.key() == QtCore.Qt.Key.Key_Escape
        ):
            self.view.setFocus()
            return True
        return False


def install_note_escape(view: RateView) -> None:
    """Make Escape in the note field return the focus to the rating keys."""
    view.note.installEventFilter(_NoteEscape(view))


# -- the agreement plot -------------------------------------------------------------------


def save_agreement_plot(
    report: AgreementReport, path: Path, size: tuple[int, int] = (1100, 480)
) -> Path:
    """Render the agreement scatter (with the identity line) and the Bland–Altman plot.

    Parameters
    ----------
    report : AgreementReport
        From :func:`trainer.ratings.report.agreement_report`.
    path : pathlib.Path
        PNG to write.
    size : tuple of int
        Pixels (width, height).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    pg.setConfigOptions(antialias=True)
    widget = pg.GraphicsLayoutWidget()
    widget.setBackground("w")
    widget.resize(*size)
    x, y = report.program, report.raters_mean
    scatter = widget.addPlot(row=0, col=0)
    scatter.setTitle("Program vs raters' mean", color=theme.TEXT, size="10pt")
    scatter.setLabel("bottom", "program (overall / 10)")
    scatter.setLabel("left", "raters' mean rating")
    scatter.addItem(
        pg.PlotDataItem([0, 10], [0, 10], pen=cosmetic_pen(theme.TEXT_MUTED, dash=True))
    )
    scatter.addItem(pg.ScatterPlotItem(x, y, size=8, brush=pg.mkBrush(theme.ACCENT), pen=None))
    scatter.setXRange(0, 10, padding=0.02)
    scatter.setYRange(0, 10, padding=0.02)
    ba_plot = widget.addPlot(row=0, col=1)
    ba_plot.setTitle("Bland–Altman", color=theme.TEXT, size="10pt")
    ba_plot.setLabel("bottom", "mean of program and raters")
    ba_plot.setLabel("left", "program − raters")
    means, diffs = (x + y) / 2.0, x - y
    ba_plot.addItem(
        pg.ScatterPlotItem(means, diffs, size=8, brush=pg.mkBrush(theme.ACCENT), pen=None)
    )
    ba = report.data["program_vs_mean"]["bland_altman"]
    for value, colour, dash, text in (
        (ba["bias"], theme.TEXT, False, "bias"),
        (ba["loa_low"], theme.DANGER, True, "−1.96 sd"),
        (ba["loa_high"], theme.DANGER, True, "+1.96 sd"),
    ):
        if value is None:
            continue
        line = pg.InfiniteLine(
            pos=value, angle=0, pen=cosmetic_pen(colour, dash=dash), label=f"{text} {value:+.2f}",
            labelOpts={"position": 0.9, "color": colour},
        )  # fmt: skip
        ba_plot.addItem(line)
    span = max(1.0, float(np.max(np.abs(diffs))) if diffs.size else 1.0)
    for v in (ba["loa_low"], ba["loa_high"]):
        if v is not None:
            span = max(span, abs(v))
    ba_plot.setYRange(-span * 1.15, span * 1.15, padding=0)
    ba_plot.setXRange(0, 10, padding=0.02)
    widget.show()
    app.processEvents()
    from pyqtgraph.exporters import ImageExporter

    exporter = ImageExporter(widget.scene())
    exporter.parameters()["width"] = size[0]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    exporter.export(str(path))
    widget.close()
    return path
