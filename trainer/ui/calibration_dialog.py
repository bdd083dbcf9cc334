"""The calibration wizard: known weights on each sensor, a fitted glove profile.

Three pages: choose the sensors and the weights; place each weight and hold still while
the reading settles (live reading, steadiness, what was captured); the fit per sensor and
the name to save it under. The dialog only shows and asks; its controller
(:class:`trainer.ui.controllers.calibration.CalibrationController`) runs the session.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from trainer.ui import theme
from trainer.ui.widgets import label, row_table

__all__ = ["CalibrationDialog"]

_FIT_COLUMNS = ("Sensor", "Loads", "Up to", "Between loads", "Noise", "Fit")
_PROFILE_NAME = QtCore.QRegularExpression(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: What the session's step states mean to the person holding the weight.
_STATES = {
    "moving": ("Still moving: hold still", theme.CAUTION),
    "no_load": ("No new load seen yet", theme.TEXT_MUTED),
    "settling": ("Steady: hold still", theme.ACCENT),
}
_QUALITY = {
    "good": ("good", theme.ACCENT),
    "fair": ("fair", theme.CAUTION),
    "poor": ("poor: check the weights", theme.DANGER),
}


def _buttons(*buttons: QtWidgets.QPushButton) -> QtWidgets.QHBoxLayout:
    row = QtWidgets.QHBoxLayout()
    row.addStretch(1)
    for b in buttons:
        row.addWidget(b)
    return row


def _error_line() -> QtWidgets.QLabel:
    line = label("", wrap=True)
    line.setStyleSheet(f"color: {theme.DANGER};")
    line.setVisible(False)
    return line


class CalibrationDialog(QtWidgets.QDialog):
    """Step through a calibration with known weights.

    Parameters
    ----------
    parent : QtWidgets.QWidget or None
        Parent widget (the Connect view).

    Signals
    -------
    start_requested(list, str)
        Calibrate these sensors with the masses typed (kg, not yet checked).
    next_requested()
        The reading was seen: go to the next weight (or the fit).
    retry_requested()
        Watch the refused step again.
    save_requested(str)
        Save the fitted profile under this name.
    closed()
        Closed without saving (Cancel, Escape or the window's close button).
    """

    start_requested = QtCore.Signal(object, str)
    next_requested = QtCore.Signal()
    retry_requested = QtCore.Signal()
    save_requested = QtCore.Signal(str)
    closed = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Calibrate with known weights")
        self.setObjectName("page")
        self.setModal(True)
        #: Asks a yes/no question (tests replace it).
        self.confirm: Callable[[str], bool] = self._confirm_dialog
        #: The sensor check boxes, by sensor name.
        self.sensor_boxes: dict[str, QtWidgets.QCheckBox] = {}
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 16)
        outer.setSpacing(10)
        self.heading = label("Calibrate with known weights", "title")
        outer.addWidget(self.heading)
        self.pages = QtWidgets.QStackedWidget()
        self.pages.addWidget(self._setup_page())
        self.pages.addWidget(self._measure_page())
        self.pages.addWidget(self._fit_page())
        outer.addWidget(self.pages, 1)
        self.resize(640, 500)

    # -- the pages --

    def _setup_page(self) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget()
        box = QtWidgets.QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        self.intro = label("", "muted", wrap=True)
        box.addWidget(self.intro)
        box.addWidget(label("Sensors to calibrate", "cardTitle"))
        self.sensor_grid = QtWidgets.QGridLayout()
        self.sensor_grid.setHorizontalSpacing(18)
        box.addLayout(self.sensor_grid)
        box.addWidget(label("Weights you will place (kg)", "cardTitle"))
        self.weights = QtWidgets.QLineEdit("0.1, 0.2, 0.5, 1")
        self.weights.setAccessibleName("Weights in kilograms")
        self.weights.setPlaceholderText("e.g. 0.1, 0.2, 0.5, 1")
        box.addWidget(self.weights)
        self.weights_hint = label(
            "Each weight goes on each sensor in turn, lightest first, centred on the "
            "sensor. Readings above the heaviest weight are clipped to it, so choose one "
            "near the hardest press you expect.",
            "muted",
            wrap=True,
        )
        box.addWidget(self.weights_hint)
        box.addStretch(1)
        self.setup_error = _error_line()
        box.addWidget(self.setup_error)
        self.cancel_setup = QtWidgets.QPushButton("Cancel")
        self.cancel_setup.clicked.connect(self.reject)
        self.start_button = QtWidgets.QPushButton("Start")
        self.start_button.setObjectName("primary")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self._start)
        box.addLayout(_buttons(self.cancel_setup, self.start_button))
        return page

    def _measure_page(self) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget()
        box = QtWidgets.QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        top = QtWidgets.QHBoxLayout()
        self.step_label = label("", "muted")
        self.steps_bar = QtWidgets.QProgressBar()
        self.steps_bar.setTextVisible(False)
        self.steps_bar.setAccessibleName("Steps done")
        top.addWidget(self.step_label)
        top.addWidget(self.steps_bar, 1)
        box.addLayout(top)
        self.prompt = label("", "cue", wrap=True)
        self.prompt.setStyleSheet("font-size: 15pt;")
        box.addWidget(self.prompt)
        form = QtWidgets.QFormLayout()
        form.setHorizontalSpacing(14)
        self.reading = label("–")
        self.state = label("Waiting for samples…", "muted")
        self.steady_bar = QtWidgets.QProgressBar()
        self.steady_bar.setRange(0, 100)
        self.steady_bar.setTextVisible(False)
        self.steady_bar.setAccessibleName("Steadiness")
        form.addRow(label("Reading", "muted"), self.reading)
        form.addRow(label("State", "muted"), self.state)
        form.addRow(label("Steady", "muted"), self.steady_bar)
        box.addLayout(form)
        self.detail = label("", "muted", wrap=True)
        box.addWidget(self.detail)
        box.addWidget(label("Captured", "cardTitle"))
        self.captured_list = QtWidgets.QListWidget()
        self.captured_list.setAccessibleName("Readings captured")
        box.addWidget(self.captured_list, 1)
        self.measure_error = _error_line()
        box.addWidget(self.measure_error)
        self.cancel_measure = QtWidgets.QPushButton("Cancel")
        self.cancel_measure.clicked.connect(self.reject)
        self.retry_button = QtWidgets.QPushButton("Try again")
        self.retry_button.clicked.connect(self.retry_requested)
        self.retry_button.setVisible(False)
        self.next_button = QtWidgets.QPushButton("Next")
        self.next_button.setObjectName("primary")
        self.next_button.setEnabled(False)
        self.next_button.clicked.connect(self.next_requested)
        box.addLayout(_buttons(self.cancel_measure, self.retry_button, self.next_button))
        return page

    def _fit_page(self) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget()
        box = QtWidgets.QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(label("The fit, per sensor", "cardTitle"))
        self.fit_table = row_table(_FIT_COLUMNS)
        self.fit_table.setAccessibleName("Fit per sensor")
        box.addWidget(self.fit_table, 1)
        box.addWidget(
            label(
                "Up to: the heaviest weight (harder presses read as that much). Between "
                "loads: the largest error of the curve where a weight was left out and "
                "refitted. Noise: the reading's wobble. Good is within 2 % of the heaviest "
                "weight, fair within 5 %.",
                "muted",
                wrap=True,
            )
        )
        row = QtWidgets.QHBoxLayout()
        row.addWidget(label("Save as profile", "muted"))
        self.profile_name = QtWidgets.QLineEdit()
        self.profile_name.setAccessibleName("Profile name")
        self.profile_name.setPlaceholderText("e.g. my-glove")
        self.profile_name.setValidator(
            QtGui.QRegularExpressionValidator(_PROFILE_NAME, self.profile_name)
        )
        self.profile_name.textChanged.connect(self._update_save)
        self.profile_name.returnPressed.connect(self._save)
        row.addWidget(self.profile_name, 1)
        row.addWidget(label(".toml", "muted"))
        box.addLayout(row)
        self.fit_error = _error_line()
        box.addWidget(self.fit_error)
        self.cancel_fit = QtWidgets.QPushButton("Cancel")
        self.cancel_fit.clicked.connect(self.reject)
        self.save_button = QtWidgets.QPushButton("Save and use")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self._save)
        box.addLayout(_buttons(self.cancel_fit, self.save_button))
        self._update_save()
        return page

    # -- what the controller tells the dialog --

    def set_glove(self, profile: Any, problem: str) -> None:
        """Offer ``profile``'s sensors, or say in one line why there is nothing to do."""
        while self.sensor_grid.count():
            item = self.sensor_grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.sensor_boxes = {}
        names = [] if profile is None else list(profile.channel_names)
        for i, name in enumerate(names):
            box = QtWidgets.QCheckBox(name.replace("_", " "))
            box.setChecked(True)
            self.sensor_boxes[name] = box
            self.sensor_grid.addWidget(box, i // 3, i % 3)
        if profile is None:
            self.intro.setText("Calibration needs a connected glove.")
        else:
            top = max((s.saturation_n for s in profile.sensors), default=0.0)
            self.intro.setText(
                f"Glove <b>{profile.name}</b>: first the sensors are zeroed at rest, then "
                "you place each weight on each sensor and hold still until it is captured. "
                "A raw-to-newton curve is fitted per sensor and saved as a new profile. "
                f"Sensors read up to {top:g} N ({top / 9.80665:.2f} kg)."
            )
        self.pages.setCurrentIndex(0)
        self.start_button.setEnabled(not problem and profile is not None)
        self.weights.setEnabled(not problem)
        self._say(self.setup_error, problem)

    def show_error(self, text: str) -> None:
        """Say what went wrong, one line, on the page shown ("" clears it)."""
        line = (self.setup_error, self.measure_error, self.fit_error)[self.pages.currentIndex()]
        self._say(line, text)
        if self.pages.currentIndex() == 2:
            self._update_save()

    def show_setup_error(self, text: str) -> None:
        """Back to the first page with why the calibration could not start."""
        self.pages.setCurrentIndex(0)
        self.start_button.setEnabled(True)
        self._say(self.setup_error, text)

    def show_opening(self, text: str) -> None:
        """Say that the glove is being reopened in raw counts."""
        self.start_button.setEnabled(False)
        self._say(self.setup_error, "")
        self.captured_list.clear()
        self.pages.setCurrentIndex(1)
        self.step_label.setText("")
        self.prompt.setText(text)
        self.state.setText("Waiting for samples…")
        self.next_button.setEnabled(False)

    def show_step(self, index: int, count: int, prompt: str) -> None:
        """Ask for step ``index`` (0: the rest, at the tare) of ``count``; watching starts."""
        self.pages.setCurrentIndex(1)
        self.step_label.setText(f"Step {index + 1} of {count}")
        self.steps_bar.setRange(0, count)
        self.steps_bar.setValue(index)
        self.prompt.setText(prompt)
        self.reading.setText("–")
        self.state.setText("Waiting for samples…")
        self.state.setStyleSheet("")
        self.steady_bar.setValue(0)
        self.detail.setText("")
        self.retry_button.setVisible(False)
        self.next_button.setEnabled(False)
        self.next_button.setText("Next")
        self._say(self.measure_error, "")

    def show_reading(self, state: str, message: str, level_counts: float, steady: float) -> None:
        """Show the latest reading while a step is watched.

        Parameters
        ----------
        state : str
            ``"moving"``, ``"no_load"`` or ``"settling"``.
        message : str
            The session's words about it.
        level_counts : float
            Latest window mean, raw counts (NaN before a full window).
        steady : float
            0–1: how far into the hold the reading is.
        """
        words, colour = _STATES.get(state, (state, theme.TEXT))
        self.state.setText(words)
        self.state.setStyleSheet(f"color: {colour}; font-weight: 600;")
        self.reading.setText("–" if math.isnan(level_counts) else f"{level_counts:.0f} counts")
        self.steady_bar.setValue(round(100 * max(0.0, min(1.0, steady))))
        self.detail.setText(message)

    def show_captured(self, message: str, *, last: bool) -> None:
        """List the reading just taken, and let the user go on."""
        self.captured_list.addItem(f"✓ {message}")
        self.captured_list.scrollToBottom()
        self.steady_bar.setValue(100)
        self.state.setText("Captured")
        self.state.setStyleSheet(f"color: {theme.ACCENT}; font-weight: 600;")
        self.detail.setText(message)
        self.steps_bar.setValue(self.steps_bar.value() + 1)
        self.next_button.setText("See the fit" if last else "Next")
        self.next_button.setEnabled(True)
        self.next_button.setFocus()

    def show_refused(self, message: str, *, can_retry: bool) -> None:
        """Say in one line why the step failed; offer to try it again if it may be."""
        self.state.setText("Not taken")
        self.state.setStyleSheet(f"color: {theme.DANGER}; font-weight: 600;")
        self.steady_bar.setValue(0)
        self._say(self.measure_error, message)
        self.retry_button.setVisible(can_retry)
        self.next_button.setEnabled(False)
        if can_retry:
            self.retry_button.setFocus()

    def show_fit(self, rows: Sequence[Any]) -> None:
        """Show each sensor's fit (:class:`~trainer.ui.controllers.calibration.FitRow`)."""
        self.pages.setCurrentIndex(2)
        table = self.fit_table
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            between = "–" if math.isnan(row.between_n) else f"±{row.between_n:.2f} N"
            words, colour = _QUALITY.get(row.quality, (row.quality, theme.TEXT))
            cells = (
                row.sensor.replace("_", " "),
                str(row.loads),
                f"{row.max_n:.1f} N",
                between,
                f"±{row.noise_n:.2f} N",
                words,
            )
            for c, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                if c == len(cells) - 1:
                    item.setForeground(QtGui.QColor(colour))
                table.setItem(r, c, item)
        table.resizeColumnsToContents()
        self._say(self.fit_error, "")
        self.profile_name.setFocus()
        self._update_save()

    def show_saving(self, name: str) -> None:
        """Say that the profile is being written."""
        self.save_button.setEnabled(False)
        self.fit_error.setStyleSheet(f"color: {theme.TEXT_MUTED};")
        self.fit_error.setText(f"Saving {name}…")
        self.fit_error.setVisible(True)

    # -- user actions --

    def checked_sensors(self) -> list[str]:
        """Names of the sensors ticked, in the profile's order."""
        return [name for name, box in self.sensor_boxes.items() if box.isChecked()]

    def _start(self) -> None:
        self.start_requested.emit(self.checked_sensors(), self.weights.text())

    def _save(self) -> None:
        name = self.profile_name.text().strip()
        if name and self.save_button.isEnabled():
            self.save_requested.emit(name)

    def _update_save(self) -> None:
        self.save_button.setEnabled(bool(self.profile_name.text().strip()))

    def reject(self) -> None:
        """Close without saving (the glove is given back as it was)."""
        self.closed.emit()
        super().reject()

    @staticmethod
    def _say(line: QtWidgets.QLabel, text: str) -> None:
        first = text.strip().splitlines()[0] if text.strip() else ""
        line.setStyleSheet(f"color: {theme.DANGER};")
        line.setText(first)
        line.setVisible(bool(first))

    def _confirm_dialog(self, question: str) -> bool:
        answer = QtWidgets.QMessageBox.question(self, "massage-trainer", question)
        return answer == QtWidgets.QMessageBox.StandardButton.Yes
