"""Small building blocks shared by the views: cards, state badge, sensor bars, score cards."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from PySide6 import QtCore, QtWidgets

from sensors.profiles import GloveProfile
from trainer.scoring.components import component_names, components
from trainer.ui import theme

__all__ = [
    "Card",
    "Legend",
    "ScoreCard",
    "SensorBars",
    "SessionSummary",
    "StateBadge",
    "headline",
]


class Card(QtWidgets.QFrame):
    """A white rounded panel with an optional title.

    Parameters
    ----------
    title : str
        Heading ("" for none).
    parent : QtWidgets.QWidget or None
        Parent widget.
    """

    def __init__(self, title: str = "", parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.body = QtWidgets.QVBoxLayout(self)
        self.body.setContentsMargins(16, 12, 16, 14)
        self.body.setSpacing(8)
        self.title = QtWidgets.QLabel(title)
        self.title.setObjectName("cardTitle")
        self.body.addWidget(self.title)
        if not title:  # else shown with the card (made visible before it had a parent,
            self.title.setVisible(False)  # it opened and closed as a window of its own)


#: Legend swatches: a solid line, a dashed line, a filled box, a line with a dot.
_SWATCH = {"line": "━━", "dash": "╍╍", "box": "■", "dot": "━●━"}


class Legend(QtWidgets.QLabel):
    """A plot's legend as a line of text above the plot, never on top of its data.

    It wraps on narrow windows and names every entry in words, so the meaning never
    rests on colour alone (screen readers get the same words).

    Parameters
    ----------
    entries : sequence of (str, str, str)
        ``(colour, swatch, text)``; swatch is ``"line"``, ``"dash"``, ``"box"`` or
        ``"dot"``.
    parent : QtWidgets.QWidget or None
        Parent widget.
    """

    def __init__(
        self,
        entries: Sequence[tuple[str, str, str]] = (),
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("legend")
        self.setWordWrap(True)
        self.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.entries: list[tuple[str, str, str]] = []
        self._write(entries)
        # A legend with entries is shown with the page it joins: made visible without a
        # parent, it would open (and close) as a window of its own.
        if parent is not None or not self.entries:
            self.setVisible(bool(self.entries))

    def set_entries(self, entries: Sequence[tuple[str, str, str]]) -> None:
        """Show these ``(colour, swatch, text)`` entries, in order."""
        self._write(entries)
        self.setVisible(bool(self.entries))

    def _write(self, entries: Sequence[tuple[str, str, str]]) -> None:
        """Set the text (and what a screen reader says) of these entries."""
        self.entries = list(entries)
        parts = [
            f'<span style="color:{colour}; font-weight:700;">{_SWATCH.get(kind, "━━")}</span>'
            f"&nbsp;{text}"
            for colour, kind, text in self.entries
        ]
        self.setText("&nbsp;&nbsp;&nbsp; ".join(parts))
        self.setAccessibleName("Legend: " + ", ".join(text for _, _, text in self.entries))


def page_layout(
    page: QtWidgets.QWidget, title: str, subtitle: str = ""
) -> tuple[QtWidgets.QVBoxLayout, QtWidgets.QHBoxLayout, QtWidgets.QLabel]:
    """Lay out a view: margins, a header row with its title and subtitle.

    Returns
    -------
    tuple
        The page's vertical layout, the header row (add controls to its right) and the
        subtitle label.
    """
    page.setObjectName("page")
    outer = QtWidgets.QVBoxLayout(page)
    outer.setContentsMargins(24, 14, 24, 14)
    outer.setSpacing(12)
    header = QtWidgets.QHBoxLayout()
    header.setSpacing(10)
    titles = QtWidgets.QVBoxLayout()
    titles.setSpacing(0)
    titles.addWidget(label(title, "title"))
    sub = label(subtitle, "subtitle", wrap=True)  # wraps rather than widening the page
    titles.addWidget(sub)
    header.addLayout(titles, 1)
    outer.addLayout(header)
    return outer, header, sub


def row_table(columns: Sequence[str]) -> QtWidgets.QTableWidget:
    """Return a read-only table whose rows are selected one at a time, whole."""
    table = QtWidgets.QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def label(text: str = "", name: str | None = None, *, wrap: bool = False) -> QtWidgets.QLabel:
    """Return a label with an object name for the style sheet."""
    widget = QtWidgets.QLabel(text)
    if name:
        widget.setObjectName(name)
    widget.setWordWrap(wrap)
    return widget


def headline(message: str) -> str:
    """Return the gist of a deduction message: the part before its first ``:`` or ``,``.

    ``"stroke shape differs from the reference, most in the middle"`` gives
    ``"stroke shape differs from the reference"``.
    """
    for sep in (":", ","):
        message = message.split(sep, 1)[0]
    return message.strip()


@contextlib.contextmanager
def painted_later(widget: QtWidgets.QWidget) -> Iterator[None]:
    """Hold ``widget``'s immediate repaints; it is painted with the next frame."""
    widget.setUpdatesEnabled(False)
    try:
        yield
    finally:
        widget.setUpdatesEnabled(True)  # schedules one update()


class StateBadge(QtWidgets.QWidget):
    """A coloured dot and the link state in words ("Streaming", "Reconnecting"...)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = "idle"
        self._colour = ""  # the dot's colour, styled only when it changes
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        self.dot = QtWidgets.QLabel()
        self.dot.setFixedSize(14, 14)
        self.text = label("Not connected", "stateText")
        layout.addWidget(self.dot)
        layout.addWidget(self.text, 1)
        self.set_state("idle")

    @property
    def state(self) -> str:
        """The state shown (a :class:`~sensors.sources.base.SourceState` value)."""
        return self._state

    def set_state(self, state: str, text: str | None = None) -> None:
        """Show ``state`` (``"streaming"``...) with ``text`` (default: the state in words)."""
        self._state = state
        colour = theme.STATE_COLOURS.get(state, theme.STATE_COLOURS["idle"])
        if colour != self._colour:
            # Called every frame (the link's state is followed live): setting even the same
            # style sheet again re-parses and re-polishes the dot, half a millisecond each.
            self._colour = colour
            self.dot.setStyleSheet(f"background: {colour}; border-radius: 7px;")
        words = {"idle": "Not connected", "finished": "Finished"}
        self.text.setText(text or words.get(state, state.capitalize()))


class SensorBars(QtWidgets.QWidget):
    """One live bar per sensor, so a loose or dead sensor is obvious at a glance.

    A sensor is flagged "no signal?" when, over the recent window, it stays flat while
    the others are clearly loaded.
    """

    #: A sensor is "flat" below this fraction of the busiest sensor's recent peak.
    FLAT_FRACTION = 0.02
    #: ... provided the busiest sensor peaked above this many newtons.
    ACTIVE_N = 1.0

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._grid = QtWidgets.QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(12)
        self._grid.setVerticalSpacing(3)
        self._rows: list[tuple[QtWidgets.QLabel, QtWidgets.QProgressBar, QtWidgets.QLabel]] = []
        self._notes: list[QtWidgets.QLabel] = []
        self.full_scale_n = 10.0
        self.flat = np.zeros(0, dtype=bool)

    def set_profile(self, profile: GloveProfile | None) -> None:
        """Make one row per sensor."""
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._rows, self._notes = [], []
        if profile is None:
            return
        self.full_scale_n = float(min(10.0, profile.saturation_n.min()))
        for i, sensor in enumerate(profile.sensors):
            name = label(sensor.name.replace("_", " "))
            swatch = theme.region_colour(str(sensor.region))
            chip = QtWidgets.QLabel()
            chip.setFixedSize(4, 14)
            chip.setStyleSheet(f"background: {swatch}; border-radius: 2px;")
            bar = QtWidgets.QProgressBar()
            bar.setRange(0, 1000)
            bar.setTextVisible(False)
            bar.setFixedHeight(10)
            bar.setStyleSheet(f"QProgressBar::chunk {{ background: {swatch}; }}")
            value = label("0.0 N", "muted")
            value.setMinimumWidth(56)
            value.setAlignment(QtCore.Qt.AlignmentFlag.AlignRight)
            note = label("", "muted")
            note.setMinimumWidth(90)
            self._grid.addWidget(chip, i, 0)
            self._grid.addWidget(name, i, 1)
            self._grid.addWidget(bar, i, 2)
            self._grid.addWidget(value, i, 3)
            self._grid.addWidget(note, i, 4)
            self._rows.append((name, bar, value))
            self._notes.append(note)
        self._grid.setColumnStretch(2, 1)
        self.flat = np.zeros(len(profile.sensors), dtype=bool)

    def set_values(self, current_n: np.ndarray, recent_peak_n: np.ndarray) -> None:
        """Update the bars.

        Parameters
        ----------
        current_n : numpy.ndarray
            Current load per sensor, newtons ``(channels,)``.
        recent_peak_n : numpy.ndarray
            Peak load per sensor over the recent window (a few seconds), ``(channels,)``.
        """
        if len(current_n) != len(self._rows):
            return
        busiest = float(np.max(recent_peak_n)) if len(recent_peak_n) else 0.0
        self.flat = (busiest > self.ACTIVE_N) & (
            np.asarray(recent_peak_n) < self.FLAT_FRACTION * busiest
        )
        for i, (_, bar, value) in enumerate(self._rows):
            v = float(current_n[i])
            bar.setValue(round(1000 * min(1.0, max(0.0, v / self.full_scale_n))))
            value.setText(f"{v:.1f} N")
            note = self._notes[i]
            text = "no signal?" if self.flat[i] else ""
            if note.text() != text:
                note.setText(text)
                note.setStyleSheet(f"color: {theme.CAUTION};" if text else "")


def component_score(score: Any, name: str) -> float | None:
    """One component's score of a stroke (``None`` if unscored or unknown)."""
    found = getattr(score, "components", {}).get(name)
    return found if found is not None else getattr(score, name, None)


class _ComponentBar(QtWidgets.QWidget):
    """A thin labelled bar for one score component."""

    def __init__(self, name: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.name = label(name, "muted")
        self.name.setFixedWidth(88)  # "Smoothness" in the bold-ish UI font
        self.bar = QtWidgets.QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(8)
        self.bar.setMinimumWidth(40)
        self.value = label("–", "muted")
        self.value.setFixedWidth(30)
        self.value.setAlignment(QtCore.Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.name)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.value)

    def set_value(self, value: float | None) -> None:
        # Unchanged values are not set again: each set restyles and re-lays out the bar.
        number, text = (0, "–") if value is None else (round(value), f"{value:.0f}")
        if self.bar.value() != number:
            self.bar.setValue(number)
        if self.value.text() != text:
            self.value.setText(text)


class ScoreCard(Card):
    """The score of one stroke: overall, the four components, the main deductions."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("", parent)
        self.body.setSpacing(3)
        head = QtWidgets.QHBoxLayout()
        self.heading = label("", "cardTitle")
        self.overall = label("", "bigNumber")
        self.overall.setAlignment(
            QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter
        )
        head.addWidget(self.heading, 1)
        head.addWidget(self.overall)
        self.body.addLayout(head)
        # One bar per registered score component (trainer.scoring.components).
        self.bars = {c.name: _ComponentBar(c.label) for c in components()}
        for bar in self.bars.values():
            self.body.addWidget(bar)
        self.deductions = label("", "muted", wrap=True)
        self.deductions.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop)
        self.deductions.setMinimumHeight(16)
        self.body.addWidget(self.deductions, 1)
        self.score: Any = None

    def show_score(self, number: int, score: Any) -> None:
        """Fill the card from a :class:`~trainer.scoring.StrokeScore`."""
        self.score = score
        self.heading.setText(f"Stroke {number}")
        self.overall.setText(f"{score.overall:.0f}")
        for name, bar in self.bars.items():
            bar.set_value(component_score(score, name))
        worst = [d for d in sorted(score.deductions, key=lambda d: -d.points) if d.points >= 0.05]
        # The card shows the gist of the two biggest; the tooltip has every detail.
        lines = [f"−{d.points:.1f}  {headline(d.message)}" for d in worst[:2]]
        self.deductions.setText("\n".join(lines) if lines else "Nothing to correct.")
        self.deductions.setToolTip("\n".join(f"−{d.points:.1f}  {d.message}" for d in worst))


class SessionSummary(Card):
    """Strokes, mean scores and the most frequent deductions of a session."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("Session", parent)
        self.text = label("", "muted", wrap=True)
        self.text.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop)
        self.body.addWidget(self.text, 1)
        self.note = label("", "muted", wrap=True)
        self.note.setStyleSheet("font-size: 8.5pt;")
        self.note.setVisible(False)
        self.body.addWidget(self.note)
        self.summary: dict[str, Any] = {}
        self.show_summary([], running=False)

    @staticmethod
    def summarise(scores: Sequence[Any]) -> dict[str, Any]:
        """Return ``{"strokes", "overall", components..., "top_deductions"}`` (JSON-ready)."""
        out: dict[str, Any] = {"strokes": len(scores), "overall": None}
        if not scores:
            return out
        out["overall"] = round(float(np.mean([s.overall for s in scores])), 1)
        for name in component_names():
            found = [component_score(s, name) for s in scores]
            vals = [v for v in found if v is not None]
            out[name] = round(float(np.mean(vals)), 1) if vals else None
        lost: dict[str, float] = {}
        for s in scores:
            for d in s.deductions:
                if d.code == "minor":  # nothing to work on: a pool of tiny differences
                    continue
                key = headline(d.message)
                lost[key] = lost.get(key, 0.0) + d.points
        out["top_deductions"] = [k for k, _ in sorted(lost.items(), key=lambda kv: -kv[1])[:3]]
        return out

    def set_note(self, text: str) -> None:
        """Show a small note under the summary ("" hides it)."""
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def show_summary(self, scores: Sequence[Any], *, running: bool) -> None:
        """Show the summary of ``scores`` (a running session or a finished one)."""
        self.summary = self.summarise(scores)
        s = self.summary
        self.title.setText("This session" if running else "Session summary")
        if not scores:
            self.text.setText(
                "Strokes are scored as you go." if running else "No strokes scored yet."
            )
            return
        parts = [f"<b>{s['strokes']}</b> strokes · mean <b>{s['overall']:.0f}</b>"]
        comps = [f"{n} {s[n]:.0f}" for n in component_names() if s.get(n) is not None]
        parts.append(" · ".join(comps))
        if s.get("top_deductions"):
            parts.append("Work on: " + "; ".join(s["top_deductions"]))
        self.text.setText("<br>".join(parts))
