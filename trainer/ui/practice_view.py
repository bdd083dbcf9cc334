"""Practice view: live force against the reference band, calm cues, hand map, score cards."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from sensors.profiles import GloveProfile
from trainer.live import LiveState, Snapshot
from trainer.ui import theme
from trainer.ui.heatmap import HandHeatmap
from trainer.ui.plots import ForcePlot
from trainer.ui.services import FEEDBACK_MODES
from trainer.ui.widgets import Card, ScoreCard, SessionSummary, label, page_layout

__all__ = ["CUE_TEXT", "PracticeView", "compatible"]

#: What each cue says on screen (keys: ``trainer.scoring.Cue`` values).
CUE_TEXT: dict[str, str] = {
    "press harder": "Press a little harder",
    "lighter": "A little lighter",
    "speed up": "A little faster",
    "slow down": "Slow down",
    "ease off: near pain threshold": "Ease off: near the pain threshold",
}

_SCORE_CARDS = 3


def compatible(reference: Any, profile: GloveProfile | None) -> bool:
    """Whether ``reference`` was recorded with a glove like ``profile`` (same channels, rate)."""
    if profile is None:
        return False
    return bool(
        reference.profile.channel_names == profile.channel_names
        and abs(float(reference.fs_hz) - float(profile.sample_rate_hz)) < 1e-6
    )


class PracticeView(QtWidgets.QWidget):
    """The student's view while practising.

    Signals
    -------
    session_toggled()
        Start/stop was pressed.
    technique_changed(str)
        Another technique was chosen.
    """

    session_toggled = QtCore.Signal()
    technique_changed = QtCore.Signal(str)

    def __init__(self, techniques: Sequence[str], parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self._references: list[Any] = []
        self._profile: GloveProfile | None = None
        self._fs: float | None = None
        self.scores: list[Any] = []
        self._heat_written = -1
        self.running = False
        self.scoring_available = True

        # -- header: pickers and start --
        outer, header, self.subtitle = page_layout(self, "Practice")
        outer.setSpacing(8)  # every pixel counts on a 600 px high screen
        self.technique = QtWidgets.QComboBox()
        self.technique.addItems(list(techniques))
        self.technique.currentTextChanged.connect(self._on_technique)
        self.reference = QtWidgets.QComboBox()
        self.reference.setMinimumWidth(140)
        self.feedback = QtWidgets.QComboBox()
        for text, mode, n in FEEDBACK_MODES:
            self.feedback.addItem(text, (mode, n))
        for combo in (self.technique, self.reference, self.feedback):
            # Their width follows the window, not their longest entry.
            combo.setSizeAdjustPolicy(
                QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(8)
        self.technique.setAccessibleName("Technique")
        self.reference.setAccessibleName("Reference")
        self.feedback.setAccessibleName("Feedback")
        for name, widget in (
            ("Technique", self.technique),
            ("Reference", self.reference),
            ("Feedback", self.feedback),
        ):
            box = QtWidgets.QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(label(name, "muted"))
            box.addWidget(widget)
            header.addLayout(box)
        self.start_button = QtWidgets.QPushButton("Start  (Space)")
        self.start_button.setObjectName("primary")
        self.start_button.setMinimumWidth(120)
        self.start_button.setAccessibleName("Start or stop the session")
        self.start_button.clicked.connect(self.session_toggled.emit)
        header.addWidget(self.start_button, 0, QtCore.Qt.AlignmentFlag.AlignBottom)

        # -- middle: plot | cue + hand --
        middle = QtWidgets.QHBoxLayout()
        middle.setSpacing(12)
        plot_card = Card()
        plot_card.body.setContentsMargins(6, 8, 8, 6)
        self.plot = ForcePlot(window_s=10.0, ahead_s=1.0)
        self.plot.legend.setContentsMargins(8, 0, 0, 0)
        plot_card.body.addWidget(self.plot.legend)
        plot_card.body.addWidget(self.plot, 1)
        middle.addWidget(plot_card, 1)

        side = QtWidgets.QVBoxLayout()
        side.setSpacing(12)
        cue_card = Card()
        self.cue = label("", "cue", wrap=True)
        self.cue.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.cue.setMinimumHeight(56)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(6)
        # Wrapped: a hint longer than the card breaks into lines instead of being clipped.
        self.cue_hint = label("", "muted", wrap=True)
        self.cue_hint.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        # What T (tare) is doing, here where the student looks while practising.
        self.tare_note = label("", "muted", wrap=True)
        self.tare_note.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.tare_note.setVisible(False)
        self.tare_note.setAccessibleName("Tare status")
        cue_card.body.addWidget(self.cue)
        cue_card.body.addWidget(self.progress)
        cue_card.body.addWidget(self.cue_hint)
        cue_card.body.addWidget(self.tare_note)
        side.addWidget(cue_card)
        hand_card = Card("Load on the hand")
        self.heatmap = HandHeatmap()
        hand_card.body.addWidget(self.heatmap, 1)
        side.addWidget(hand_card, 1)
        side_widget = QtWidgets.QWidget()
        side_widget.setLayout(side)
        side_widget.setMinimumWidth(230)
        side_widget.setMaximumWidth(330)
        side.setContentsMargins(0, 0, 0, 0)
        middle.addWidget(side_widget, 0)
        outer.addLayout(middle, 1)

        # -- bottom: score cards + session --
        bottom = QtWidgets.QHBoxLayout()
        bottom.setSpacing(12)
        self.cards = [ScoreCard() for _ in range(_SCORE_CARDS)]
        for card in self.cards:  # as tall as their contents need (never squeezed)
            card.setMaximumHeight(226)
            card.setVisible(False)
            bottom.addWidget(card, 1)
        self.placeholder = Card()
        self.placeholder_text = label("", "muted", wrap=True)
        self.placeholder_text.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.placeholder.body.addWidget(self.placeholder_text, 1)
        self.placeholder.setMinimumHeight(120)
        self.placeholder.setMaximumHeight(226)
        bottom.addWidget(self.placeholder, _SCORE_CARDS)
        self.summary = SessionSummary()
        self.summary.setMinimumWidth(230)
        self.summary.setMaximumWidth(330)
        self.summary.setMaximumHeight(226)
        #: Score cards shown at once: fewer on a narrow window (see resizeEvent).
        self.card_slots = _SCORE_CARDS
        bottom.addWidget(self.summary)
        outer.addLayout(bottom)
        self._update_idle_texts()

    # -- references and glove --

    def set_profile(self, profile: GloveProfile | None) -> None:
        """Show a (re)connected glove: new curves, its sensors, compatible references."""
        if profile is self._profile:
            return
        self._profile = profile
        self._fs = None if profile is None else float(profile.sample_rate_hz)
        self.plot.set_profile(profile)
        self.heatmap.set_profile(profile)
        self._fill_references()
        self._update_idle_texts()

    @property
    def references(self) -> list[Any]:
        """Every reference offered to the view (before filtering)."""
        return list(self._references)

    def set_references(self, references: Sequence[Any]) -> None:
        """Offer these references (filtered by technique and glove)."""
        self._references = list(references)
        self._fill_references()
        self._update_idle_texts()

    def _fill_references(self) -> None:
        keep = self.reference.currentText()
        self.reference.blockSignals(True)
        self.reference.clear()
        technique = self.technique.currentText()
        # Before a glove is connected every reference of the technique is offered, so a
        # student can choose first; a connected glove keeps only those recorded like it.
        for ref in self._references:
            if ref.technique == technique and (
                self._profile is None or compatible(ref, self._profile)
            ):
                self.reference.addItem(ref.name, ref)
        index = self.reference.findText(keep)
        self.reference.setCurrentIndex(max(index, 0))
        self.reference.blockSignals(False)
        self._update_idle_texts()

    def _on_technique(self, technique: str) -> None:
        self._fill_references()
        self.technique_changed.emit(technique)

    def current_reference(self) -> Any:
        """Return the chosen reference, or ``None``."""
        return self.reference.currentData()

    def next_reference(self) -> None:
        """Select the next reference in the list (wraps)."""
        if self.reference.count():
            self.reference.setCurrentIndex(
                (self.reference.currentIndex() + 1) % self.reference.count()
            )

    def feedback_mode(self) -> tuple[str, int]:
        """``(mode, n)`` of the faded-feedback setting."""
        mode, n = self.feedback.currentData()
        return str(mode), int(n)

    def can_start(self) -> bool:
        """Return whether a session can start (glove, scoring ready, a reference)."""
        return (
            self._profile is not None
            and self.scoring_available
            and self.current_reference() is not None
        )

    # -- session --

    def session_started(self, *, saved: bool, note: str = "") -> None:
        """Show a new session: clear the cards, lock the pickers."""
        self.running = True
        self.scores = []
        for card in self.cards:
            card.setVisible(False)
        self.placeholder.setVisible(True)
        self.summary.show_summary([], running=True)
        for widget in (self.technique, self.reference, self.feedback):
            widget.setEnabled(False)
        self.start_button.setText("Stop  (Space)")
        ref = self.current_reference()
        self.subtitle.setText(f"Following {ref.name if ref else '–'}")
        self.summary.set_note("" if saved else f"Not saved: {note or 'no session store'}")
        self._update_idle_texts()

    def session_stopped(self) -> dict[str, Any]:
        """End the session view: show and return its summary."""
        self.running = False
        for widget in (self.technique, self.reference, self.feedback):
            widget.setEnabled(True)
        self.start_button.setText("Start  (Space)")
        self.summary.show_summary(self.scores, running=False)
        self._update_idle_texts()
        return self.summary.summary

    def add_score(self, score: Any) -> None:
        """Show a finished stroke's score card (newest first)."""
        self.scores.append(score)
        self.plot.add_stroke(
            getattr(score, "start_s", 0.0), getattr(score, "path", None), self.current_reference()
        )
        self._show_cards()
        self.summary.show_summary(self.scores, running=self.running)

    def _show_cards(self) -> None:
        if not self.scores:
            return
        recent = self.scores[-self.card_slots :][::-1]
        first = len(self.scores)
        for i, card in enumerate(self.cards):
            if i < len(recent):
                card.show_score(first - i, recent[i])
                card.setVisible(True)
            else:
                card.setVisible(False)
        self.placeholder.setVisible(False)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        """Reflow: two score cards on a narrow window (a 1024×600 screen), three if wide."""
        super().resizeEvent(event)
        slots = _SCORE_CARDS if event.size().width() >= 1000 else _SCORE_CARDS - 1
        if slots != self.card_slots:
            self.card_slots = slots
            self._show_cards()

    def _update_idle_texts(self) -> None:
        ready = self.can_start()
        self.start_button.setEnabled(ready or self.running)
        if self.running:
            self.placeholder_text.setText("Score cards appear after each stroke.")
            return
        self.progress.setValue(0)
        if self._profile is None:
            self.subtitle.setText("Connect a glove to start")
            cue, hint = "Connect a glove", "Connect view: simulated glove, capture or BLE"
        elif not self.scoring_available:
            self.subtitle.setText(f"{self._profile.name} · getting live scoring ready…")
            cue, hint = "Getting ready…", "Live scoring starts in a moment"
        elif self.current_reference() is None:
            self.subtitle.setText(f"{self._profile.name} · no reference for this glove")
            cue, hint = "No reference", "Record one in Instructor, or pick another technique"
        else:
            self.subtitle.setText(f"{self._profile.name} · ready")
            cue, hint = "Press Start", "Space starts and stops · T tares · N next reference"
        self.cue.setText(cue)
        self.cue.setStyleSheet(f"color: {theme.TEXT_MUTED};")
        self.cue_hint.setText(hint)
        self.placeholder_text.setText("Your score cards appear here after each stroke.")

    def show_tare(self, state: str, text: str) -> None:
        """Show what tare (T) is doing: ``state`` is "counting", "ok" or "failed"."""
        colour = {"ok": theme.ACCENT, "failed": theme.CAUTION}.get(state, theme.TEXT)
        self.tare_note.setText(text)
        self.tare_note.setStyleSheet(f"color: {colour}; font-weight: 600;")
        self.tare_note.setVisible(bool(text))

    # -- per frame --

    def refresh(self, snap: Snapshot, live: LiveState | None) -> bool:
        """Draw the newest samples and scorer state; return whether anything was drawn."""
        ref = self.current_reference() if self.running else None
        template_ahead = None
        if ref is not None and live is not None and live.active and self._fs:
            pos = max(0, live.position)
            template_ahead = np.asarray(ref.total)[pos : pos + live.band_ahead[0].size]
        drawn = self.plot.show_frame(snap, live if self.running else None, template_ahead, self._fs)
        if drawn and self._profile is not None and snap.written != self._heat_written:
            self._heat_written = snap.written
            recent = snap.values[snap.t >= snap.t[-1] - 0.1]
            clipped = np.any(recent >= self._profile.saturation_n, axis=0)
            self.heatmap.set_loads(recent.mean(axis=0), clipped)
        if self.running and live is not None:
            self._show_cues(live)
        return drawn

    def _show_cues(self, live: LiveState) -> None:
        safety = any(getattr(c, "value", c) == "ease off: near pain threshold" for c in live.cues)
        if live.cues:
            text = CUE_TEXT.get(getattr(live.cues[0], "value", str(live.cues[0])), "")
            if safety:
                text = CUE_TEXT["ease off: near pain threshold"]
            colour = theme.CAUTION if safety else theme.TEXT
        elif live.active:
            text, colour = "Good: follow the band", theme.ACCENT
        else:
            text, colour = "Begin a stroke", theme.TEXT_MUTED
        if self.cue.text() != text:
            self.cue.setText(text)
            self.cue.setStyleSheet(f"color: {colour};")
        self.progress.setValue(0 if not live.active else round(100 * live.progress))
        hint = f"{live.strokes} stroke{'s' if live.strokes != 1 else ''} scored"
        if self.cue_hint.text() != hint:
            self.cue_hint.setText(hint)
