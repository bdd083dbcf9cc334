"""Replay: an attempt (or a whole session) played back over its reference.

Two linked views of the same moment: **real time** (the session's force with the
reference and its band drawn under each attempt along the warping path) and **warped
time** (the attempt mapped onto the reference's own time axis, where a perfect stroke
lies on the template). Deductions are pinned where they happened. Play / pause /
seek / speed; the playhead moves on both plots.

Every plot item is made once; loading data and playing only call ``setData`` and
``setValue``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from trainer.ui import theme
from trainer.ui.plots import cosmetic_pen, live_curve, nice_ceiling
from trainer.ui.widgets import Card, Legend, ScoreCard, label, page_layout

__all__ = ["SPEEDS", "ReplayView"]

#: Playback speeds offered.
SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0)
_PIN_SLOTS = 12  # pins drawn per plot (an attempt has a handful of deductions)
_MARGIN_S = 0.6  # real-time plot: seconds shown either side of an attempt


def _band_brush(alpha: int) -> QtGui.QColor:
    colour = QtGui.QColor(theme.ACCENT)
    colour.setAlpha(alpha)
    return colour


def _pin_text(code: str) -> str:
    """Return a pin's short label: the deduction code without its phase ("too light")."""
    for phase in ("_start", "_middle", "_end"):
        code = code.removesuffix(phase)
    return code.replace("_", " ")


class _OverlayPlot:
    """One plot: force, reference, band, playhead and pins (items made once)."""

    def __init__(self, plot: pg.PlotItem, *, force_name: str) -> None:
        self.plot = plot
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setMouseEnabled(x=True, y=False)
        plot.getAxis("left").setWidth(58)
        plot.disableAutoRange()
        self.band_lo = live_curve(
            cosmetic_pen(_band_brush(90).name(QtGui.QColor.NameFormat.HexArgb))
        )
        self.band_hi = live_curve(
            cosmetic_pen(_band_brush(90).name(QtGui.QColor.NameFormat.HexArgb))
        )
        self.band = pg.FillBetweenItem(self.band_lo, self.band_hi, brush=_band_brush(45))
        self.reference = live_curve(cosmetic_pen(theme.ACCENT, dash=True), "reference")
        self.force = live_curve(cosmetic_pen(theme.TEXT, width=1.5), force_name)
        for item in (self.band, self.band_lo, self.band_hi, self.reference, self.force):
            plot.addItem(item)
        self.playhead = pg.InfiniteLine(angle=90, pen=cosmetic_pen(theme.CAUTION, width=1.5))
        plot.addItem(self.playhead, ignoreBounds=True)
        self.pins: list[pg.InfiniteLine] = []
        for _ in range(_PIN_SLOTS):
            pin = pg.InfiniteLine(
                angle=90,
                pen=cosmetic_pen(theme.DANGER, dash=True),
                label="",
                labelOpts={"position": 0.92, "color": theme.DANGER, "fill": "#ffffffd0"},
            )
            pin.setVisible(False)
            plot.addItem(pin, ignoreBounds=True)
            self.pins.append(pin)

    def set_pins(self, pins: list[tuple[float, str]]) -> None:
        for i, line in enumerate(self.pins):
            if i < len(pins):
                x, text = pins[i]
                # Visible first: a hidden label ignores its new text.
                line.setVisible(True)
                line.setValue(x)
                line.label.setFormat(text)
                line.label.setPosition(0.9 - 0.12 * (i % 4))  # stagger pins close together
            else:
                line.setVisible(False)

    def clear(self) -> None:
        for item in (self.band_lo, self.band_hi, self.reference, self.force):
            item.setData([], [])
        self.set_pins([])


class ReplayView(QtWidgets.QWidget):
    """Play an attempt or a session back over its reference.

    Parameters
    ----------
    parent : QtWidgets.QWidget or None
        Parent widget.
    clock : callable
        Monotonic clock, seconds (tests drive playback with a fake one).

    Signals
    -------
    open_requested(str)
        The user asked for another session or attempt (``"S12"``, ``"A7"``).
    """

    open_requested = QtCore.Signal(str)

    def __init__(
        self,
        parent: QtWidgets.QWidget | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.data: Any = None
        self.position_s = 0.0
        self.speed = 1.0
        self.playing = False
        self.frames_drawn = 0
        self._clock = clock
        self._last_tick = 0.0
        self._attempt = -1  # index into data.attempts shown in warped time
        self._start_s = self._end_s = 0.0

        outer, header, self.subtitle = page_layout(
            self, "Replay", "Open a session or an attempt from History."
        )
        self._build_header(outer, header)
        middle = QtWidgets.QHBoxLayout()
        middle.setSpacing(12)
        middle.addWidget(self._build_list_card())
        middle.addWidget(self._build_plot_card(), 1)
        middle.addWidget(self._build_side())
        outer.addLayout(middle, 1)
        outer.addLayout(self._build_transport())

        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(33)
        self.timer.timeout.connect(self._tick)
        for widget in (self.play_button, self.slider, self.speed_box):
            widget.setEnabled(False)

    # -- building (once) --

    def _build_header(self, outer: QtWidgets.QVBoxLayout, header: QtWidgets.QHBoxLayout) -> None:
        """Add the session or attempt to open, and the line for loading and errors."""
        self.target = QtWidgets.QLineEdit()
        self.target.setPlaceholderText("S12 or A7")
        self.target.setFixedWidth(110)
        self.target.returnPressed.connect(self._open_typed)
        open_button = QtWidgets.QPushButton("Open")
        open_button.clicked.connect(self._open_typed)
        self.target.setAccessibleName("Session or attempt to open")
        open_button.setAccessibleName("Open session or attempt")
        header.addWidget(self.target, 0, QtCore.Qt.AlignmentFlag.AlignBottom)
        header.addWidget(open_button, 0, QtCore.Qt.AlignmentFlag.AlignBottom)
        # Loading and errors: a line of their own, so the subtitle keeps naming what is
        # drawn (a bad id must not relabel the session still on screen).
        self.message = label("", "muted", wrap=True)
        self.message.setVisible(False)
        outer.addWidget(self.message)

    def _build_list_card(self) -> Card:
        """Make the Strokes card: the attempts of what is shown."""
        list_card = Card("Strokes")
        self.attempt_list = QtWidgets.QListWidget()
        self.attempt_list.setAccessibleName("Strokes")
        self.attempt_list.currentRowChanged.connect(self._on_attempt_chosen)
        list_card.body.addWidget(self.attempt_list, 1)
        list_card.setFixedWidth(170)
        self._list_card = list_card
        return list_card

    def _build_plot_card(self) -> Card:
        """Make the card of the two plots (real and warped time) and their legend."""
        plot_card = Card()
        # With the strokes list and the side at their widths, the page fits 1024 px.
        plot_card.setMinimumWidth(300)
        plot_card.body.setContentsMargins(6, 8, 8, 6)
        # Above the plots, off the curves.
        self.legend = Legend(
            [
                (theme.TEXT, "line", "your force"),
                (theme.ACCENT, "dash", "reference"),
                (theme.ACCENT, "box", "band"),
                (theme.CAUTION, "line", "playhead"),
                (theme.DANGER, "dash", "deduction"),
            ]
        )
        self.legend.setContentsMargins(8, 0, 0, 0)
        plot_card.body.addWidget(self.legend)
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.ci.setSpacing(10)
        # enableMenu=False: no context menus built only to be dropped (_OverlayPlot).
        real = self.plots.addPlot(row=0, col=0, enableMenu=False)
        warped = self.plots.addPlot(row=1, col=0, enableMenu=False)
        real.setTitle("Real time", color=theme.TEXT_MUTED, size="9pt")
        warped.setTitle(
            "Warped onto the reference's time", color=theme.TEXT_MUTED,
            size="9pt",
        )  # fmt: skip
        real.setLabel("left", "Total force", units="N")
        real.setLabel("bottom", "session time", units="s")
        warped.setLabel("left", "Total force", units="N")
        warped.setLabel("bottom", "reference time", units="s")
        for plot in (real, warped):  # always seconds and newtons: no ms for short strokes
            for edge in ("left", "bottom"):
                plot.getAxis(edge).enableAutoSIPrefix(False)
        self.real = _OverlayPlot(real, force_name="your force")
        self.warped = _OverlayPlot(warped, force_name="your stroke, warped")
        plot_card.body.addWidget(self.plots, 1)
        return plot_card

    def _build_side(self) -> QtWidgets.QWidget:
        """Make the side column: the attempt's score card and its deductions."""
        side = QtWidgets.QVBoxLayout()
        side.setSpacing(12)
        self.card = ScoreCard()
        self.card.setVisible(False)
        side.addWidget(self.card)
        notes = Card("Deductions")
        self.deductions = label("", "muted", wrap=True)
        self.deductions.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop)
        # A long list scrolls inside its card instead of making the page taller.
        deductions_scroll = QtWidgets.QScrollArea()
        deductions_scroll.setWidgetResizable(True)
        deductions_scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        deductions_scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        deductions_scroll.setMinimumHeight(60)
        deductions_scroll.setWidget(self.deductions)
        deductions_scroll.viewport().setAutoFillBackground(False)
        self.deductions.setStyleSheet("background: transparent;")
        notes.body.addWidget(deductions_scroll, 1)
        side.addWidget(notes, 1)
        side_widget = QtWidgets.QWidget()
        side_widget.setLayout(side)
        side_widget.setMinimumWidth(220)
        side_widget.setMaximumWidth(300)
        # On a narrow window the side gives way first: the plots need the width more.
        side_widget.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Maximum, QtWidgets.QSizePolicy.Policy.Preferred
        )
        side.setContentsMargins(0, 0, 0, 0)
        return side_widget

    def _build_transport(self) -> QtWidgets.QHBoxLayout:
        """Make the transport row: play, position, time, speed."""
        transport = QtWidgets.QHBoxLayout()
        self.play_button = QtWidgets.QPushButton("Play")
        self.play_button.setObjectName("primary")
        self.play_button.setFixedWidth(90)
        self.play_button.setAccessibleName("Play or pause")
        self.play_button.clicked.connect(self.toggle_play)
        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setAccessibleName("Playback position")
        self.slider.sliderMoved.connect(lambda ms: self.seek(self._start_s + ms / 1000.0))
        self.time_label = label("–", "muted")
        self.time_label.setFixedWidth(120)
        self.speed_box = QtWidgets.QComboBox()
        for s in SPEEDS:
            self.speed_box.addItem(f"{s:g}×", s)
        self.speed_box.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_box.setAccessibleName("Playback speed")
        self.speed_box.currentIndexChanged.connect(
            lambda i: self.set_speed(float(self.speed_box.itemData(i)))
        )
        transport.addWidget(self.play_button)
        transport.addWidget(self.slider, 1)
        transport.addWidget(self.time_label)
        transport.addWidget(label("Speed", "muted"))
        transport.addWidget(self.speed_box)
        return transport

    # -- data --

    def show_error(self, message: str) -> None:
        """Say why what was asked cannot be replayed (what is drawn stays, and says so)."""
        self.pause()
        self.show_note(message, error=True)

    def show_note(self, text: str, *, error: bool = False) -> None:
        """Show a line under the header ("Loading S12…", an error); "" hides it."""
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {theme.DANGER};" if error else "")
        self.message.setVisible(bool(text))

    def show_data(self, data: Any) -> None:
        """Show a :class:`~trainer.store.replay.ReplayData` (paused at its focus)."""
        self.pause()
        self.show_note("")
        self.data = data
        session = data.session
        started = session.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
        ref = data.reference.name if data.reference is not None else "no reference"
        self.subtitle.setText(
            f"Session {session.id} · {started} · {session.technique} against {ref}"
            + ("" if data.reference_note == "the copy used in the session" else
               f" ({data.reference_note})")
        )  # fmt: skip
        t = data.t
        self._start_s, self._end_s = float(t[0]), float(t[-1])
        total = data.total.astype(np.float64)
        gaps = data.capture.gap_starts
        if gaps.size:  # break the line at gaps: nothing is drawn across lost samples
            total = total.copy()
            total[np.clip(gaps - 1, 0, None)] = np.nan
        self.real.force.setData(t, total)
        n = t.size
        ref_total = np.full(n, np.nan)
        lo, hi = np.full(n, np.nan), np.full(n, np.nan)
        for a in data.attempts:
            if a.template_on_attempt is not None:
                ref_total[a.first : a.stop] = a.template_on_attempt[:, 0]
                lo[a.first : a.stop] = a.template_on_attempt[:, 1]
                hi[a.first : a.stop] = a.template_on_attempt[:, 2]
        self.real.reference.setData(t, ref_total)
        self.real.band_lo.setData(t, lo)
        self.real.band_hi.setData(t, hi)
        top = nice_ceiling(float(np.nanmax(np.concatenate([total, hi[np.isfinite(hi)], [1.0]]))))
        self.real.plot.setYRange(0, top, padding=0.02)
        self.warped.plot.setYRange(0, top, padding=0.02)
        self.attempt_list.blockSignals(True)
        self.attempt_list.clear()
        for a in data.attempts:
            score = a.attempt.score
            self.attempt_list.addItem(
                f"Stroke {a.attempt.index + 1}  ·  {score.overall:.0f}   (A{a.attempt.id})"
            )
        self.attempt_list.blockSignals(False)
        self._fit_list_width()
        self.slider.setRange(0, round((self._end_s - self._start_s) * 1000))
        for widget in (self.play_button, self.slider, self.speed_box):
            widget.setEnabled(True)
        focus = data.focus if data.focus is not None else (0 if data.attempts else None)
        if focus is None:
            self._attempt = -1
            self.warped.clear()
            self.card.setVisible(False)
            self.deductions.setText("No strokes were scored in this session.")
            self.real.plot.setXRange(self._start_s, self._end_s, padding=0.01)
            self.seek(self._start_s)
        else:
            self.attempt_list.setCurrentRow(focus)  # shows it and seeks to its start

    def _fit_list_width(self) -> None:
        """Widen the stroke list so its longest line ("Stroke 12 · 87 (A1234)") shows whole."""
        metrics = self.attempt_list.fontMetrics()
        widest = max(
            (
                metrics.horizontalAdvance(self.attempt_list.item(i).text())
                for i in range(self.attempt_list.count())
            ),
            default=0,
        )
        scrollbar = self.attempt_list.verticalScrollBar().sizeHint().width()
        # Card margins (16 + 16), list frame and item padding, and a scroll bar.
        self._list_card.setFixedWidth(max(170, widest + 32 + 16 + scrollbar))

    def _on_attempt_chosen(self, row: int) -> None:
        if self.data is None or not 0 <= row < len(self.data.attempts):
            return
        self._show_attempt(row)
        a = self.data.attempts[row]
        t0, t1 = float(self.data.t[a.first]), float(self.data.t[a.stop - 1])
        self.real.plot.setXRange(t0 - _MARGIN_S, t1 + _MARGIN_S, padding=0)
        self.seek(t0)

    def _show_attempt(self, row: int) -> None:
        data = self.data
        a = data.attempts[row]
        self._attempt = row
        score = a.attempt.score
        self.card.show_score(a.attempt.index + 1, score)
        self.card.setVisible(True)
        lines = [f"−{d.points:.1f}  {d.message}" for d in score.deductions]
        self.deductions.setText("\n\n".join(lines) if lines else "Nothing to correct.")
        ref = data.reference
        if ref is None or a.on_template is None:
            self.warped.clear()
            self.warped.plot.setTitle(
                "Warped time: not available (no reference or path stored)",
                color=theme.TEXT_MUTED,
                size="9pt",
            )
            self.real.set_pins([])
            return
        self.warped.plot.setTitle(
            "Warped onto the reference's time",
            color=theme.TEXT_MUTED,
            size="9pt",
        )
        x = np.arange(ref.length) / float(ref.fs_hz)
        self.warped.force.setData(x, a.on_template)
        self.warped.reference.setData(x, ref.total)
        self.warped.band_lo.setData(x, ref.band_lo)
        self.warped.band_hi.setData(x, ref.band_hi)
        self.warped.plot.setXRange(0, x[-1], padding=0.02)
        short = [(p, _pin_text(p.code)) for p in a.pins]
        self.real.set_pins([(p.t_s, f"−{p.points:.1f} {text}") for p, text in short])
        self.warped.set_pins(
            [(p.template_index / float(ref.fs_hz), f"−{p.points:.1f} {text}") for p, text in short]
        )

    def _open_typed(self) -> None:
        text = self.target.text().strip()
        if text:
            self.open_requested.emit(text)

    # -- transport --

    def set_speed(self, speed: float) -> None:
        """Set the playback speed (1 = real time)."""
        self.speed = float(speed)
        index = self.speed_box.findData(self.speed)
        if index >= 0 and index != self.speed_box.currentIndex():
            self.speed_box.setCurrentIndex(index)

    def toggle_play(self) -> None:
        """Play or pause (Space)."""
        if self.playing:
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        """Play from the playhead (from the start when at the end)."""
        if self.data is None:
            return
        if self.position_s >= self._end_s:
            self.seek(self._start_s)
        self.playing = True
        self.play_button.setText("Pause")
        self._last_tick = self._clock()
        self.timer.start()

    def pause(self) -> None:
        """Stop the playhead where it is."""
        self.playing = False
        self.play_button.setText("Play")
        self.timer.stop()

    def seek(self, t_s: float) -> None:
        """Move the playhead to session time ``t_s`` (clamped to the session)."""
        if self.data is None:
            return
        self.position_s = min(max(float(t_s), self._start_s), self._end_s)
        self._draw_playhead()

    def _tick(self) -> None:
        now = self._clock()
        dt, self._last_tick = now - self._last_tick, now
        self.advance(dt)

    def advance(self, wall_s: float) -> None:
        """Move the playhead by ``wall_s`` seconds of wall time at the current speed."""
        if not self.playing or self.data is None:
            return
        self.position_s = min(self.position_s + wall_s * self.speed, self._end_s)
        self._draw_playhead()
        if self.position_s >= self._end_s:
            self.pause()

    def _attempt_at(self, t_s: float) -> int:
        for i, a in enumerate(self.data.attempts):
            if float(self.data.t[a.first]) <= t_s <= float(self.data.t[a.stop - 1]):
                return i
        return -1

    def _draw_playhead(self) -> None:
        data = self.data
        t = self.position_s
        self.real.playhead.setValue(t)
        lo, hi = self.real.plot.viewRange()[0]
        if self.playing and not lo <= t <= hi:  # keep the playhead in view
            width = hi - lo
            self.real.plot.setXRange(t - 0.2 * width, t + 0.8 * width, padding=0)
        row = self._attempt_at(t)
        if row >= 0 and row != self._attempt:
            self.attempt_list.blockSignals(True)
            self.attempt_list.setCurrentRow(row)
            self.attempt_list.blockSignals(False)
            self._show_attempt(row)
        shown = data.attempts[self._attempt] if 0 <= self._attempt < len(data.attempts) else None
        if shown is not None and shown.path is not None and data.reference is not None:
            # The template index aligned with the playhead's sample (warped time).
            i = int(np.searchsorted(data.t, t)) - shown.first
            i = min(max(i, 0), shown.stop - shown.first - 1)
            rows = np.flatnonzero(shown.path[:, 0] <= i)
            j = int(shown.path[rows[-1], 1]) if rows.size else 0
            self.warped.playhead.setValue(j / float(data.reference.fs_hz))
        self.slider.blockSignals(True)
        self.slider.setValue(round((t - self._start_s) * 1000))
        self.slider.blockSignals(False)
        self.time_label.setText(f"{t - self._start_s:6.2f} / {self._end_s - self._start_s:.2f} s")
        self.frames_drawn += 1
