"""Practice view: live force against the reference band, calm cues, hand map, score cards.

What the student sees of each stroke follows a feedback mode (:mod:`trainer.live.feedback`,
chosen in the header, its parameters and the surface under "⋯"): the view only shows
what its controller says a stroke may show. A no-feedback *probe* hides every score,
cue and the reference band until it ends; the view offers one, unobtrusively, in the
side column.

Its parts: the settings under "⋯" (:mod:`trainer.ui.feedback_settings`), the cue and
hand column (:mod:`trainer.ui.cue_column`) and the score row (:mod:`trainer.ui.score_row`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from sensors.profiles import GloveProfile
from trainer.live import LiveState, Snapshot
from trainer.live.feedback import FEEDBACK_KINDS, PROBE_STROKES, FeedbackMode
from trainer.ui import theme
from trainer.ui.cue_column import CUE_TEXT, QUIET_TEXT, CueColumn
from trainer.ui.feedback_settings import FeedbackSettings, mode_label
from trainer.ui.plots import ForcePlot
from trainer.ui.score_row import ScoreRow, card_slots
from trainer.ui.widgets import Card, label, page_layout

__all__ = ["CUE_TEXT", "FeedbackSettings", "PracticeView", "compatible", "mode_label"]


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
    feedback_changed(str)
        The feedback mode or one of its parameters changed (the mode's text).
    probe_requested()
        The student accepted the offer of a no-feedback probe.
    probe_dismissed()
        The student turned the offer down ("Not now").
    """

    session_toggled = QtCore.Signal()
    technique_changed = QtCore.Signal(str)
    feedback_changed = QtCore.Signal(str)
    probe_requested = QtCore.Signal()
    probe_dismissed = QtCore.Signal()

    def __init__(self, techniques: Sequence[str], parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self._references: list[Any] = []
        self._profile: GloveProfile | None = None
        self._fs: float | None = None
        self.scores: list[Any] = []
        #: Strokes whose card the student may see: (stroke number, score).
        self.shown: list[tuple[int, Any]] = []
        self._heat_written = -1
        self._heat_due: tuple[np.ndarray, np.ndarray] | None = None  # for the next frame
        self.running = False
        #: The running (or last) session is a no-feedback probe.
        self.probe = False
        self.probe_strokes = PROBE_STROKES
        self._quiet = ""  # the cue box's words while a stroke has no live feedback
        self._band_shown = True
        self.scoring_available = True

        outer, header, self.subtitle = page_layout(self, "Practice")
        outer.setSpacing(8)  # every pixel counts on a 600 px high screen
        self._build_header(header, techniques)
        middle = QtWidgets.QHBoxLayout()
        middle.setSpacing(12)
        middle.addWidget(self._build_plot_card(), 1)
        middle.addWidget(self._build_side(), 0)
        outer.addLayout(middle, 1)
        outer.addLayout(self._build_score_row())
        self._band_items = (
            self.plot.band_fill, self.plot.ahead_fill, self.plot.band_lo, self.plot.band_hi,
            self.plot.ahead_lo, self.plot.ahead_hi, self.plot.template, self.plot.template_ahead,
        )  # fmt: skip
        self._update_idle_texts()

    # -- building (once) --

    def _build_header(self, header: QtWidgets.QHBoxLayout, techniques: Sequence[str]) -> None:
        """Add the pickers (technique, reference, feedback and its "⋯") and Start."""
        self._build_pickers(techniques)
        feedback_row = QtWidgets.QHBoxLayout()
        feedback_row.setSpacing(2)
        feedback_row.addWidget(self.feedback, 1)
        feedback_row.addWidget(self.feedback_more)
        for name, widget in (
            ("Technique", self.technique),
            ("Reference", self.reference),
            ("Feedback", feedback_row),
        ):
            box = QtWidgets.QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(label(name, "muted"))
            if isinstance(widget, QtWidgets.QLayout):
                box.addLayout(widget)
            else:
                box.addWidget(widget)
            header.addLayout(box)
        self.start_button = QtWidgets.QPushButton("Start  (Space)")
        self.start_button.setObjectName("primary")
        self.start_button.setMinimumWidth(120)
        self.start_button.setAccessibleName("Start or stop the session")
        self.start_button.clicked.connect(self.session_toggled.emit)
        header.addWidget(self.start_button, 0, QtCore.Qt.AlignmentFlag.AlignBottom)

    def _build_pickers(self, techniques: Sequence[str]) -> None:
        """Make the technique, reference and feedback pickers, and the "⋯" popup."""
        self.technique = QtWidgets.QComboBox()
        self.technique.addItems(list(techniques))
        self.technique.currentTextChanged.connect(self._on_technique)
        self.reference = QtWidgets.QComboBox()
        self.reference.setMinimumWidth(140)
        self.feedback = QtWidgets.QComboBox()
        for kind in FEEDBACK_KINDS:
            self.feedback.addItem("", kind)
        self.feedback_settings = FeedbackSettings()
        self.feedback_more = QtWidgets.QToolButton()
        self.feedback_more.setText("⋯")
        self.feedback_more.setToolTip("Feedback settings, probe length, surface")
        self.feedback_more.setAccessibleName("Feedback settings")
        self.feedback_more.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QtWidgets.QMenu(self.feedback_more)
        holder = QtWidgets.QWidgetAction(menu)
        holder.setDefaultWidget(self.feedback_settings)
        menu.addAction(holder)
        self.feedback_more.setMenu(menu)
        self._label_modes()
        self.feedback.currentIndexChanged.connect(lambda _i: self._on_feedback())
        self.feedback_settings.changed.connect(self._on_feedback)
        for combo in (self.technique, self.reference, self.feedback):
            # Their width follows the window, not their longest entry.
            combo.setSizeAdjustPolicy(
                QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            # 6 characters at the least: at 1366×768 and 150 % the header still fits
            # beside a vertical scroll bar, with no sideways scrolling.
            combo.setMinimumContentsLength(6)
        self.technique.setAccessibleName("Technique")
        self.reference.setAccessibleName("Reference")
        self.feedback.setAccessibleName("Feedback")

    def _build_plot_card(self) -> Card:
        """Make the live plot's card, its legend above it."""
        plot_card = Card()
        plot_card.body.setContentsMargins(6, 8, 8, 6)
        self.plot = ForcePlot(window_s=10.0, ahead_s=1.0)
        self.plot.legend.setContentsMargins(8, 0, 0, 0)
        plot_card.body.addWidget(self.plot.legend)
        plot_card.body.addWidget(self.plot, 1)
        return plot_card

    def _build_side(self) -> CueColumn:
        """Make the cue and hand column, its widgets reached as the view's own."""
        self._side = CueColumn()
        side = self._side
        self.cue, self.progress, self.cue_hint = side.cue, side.progress, side.cue_hint
        self.tare_note, self.last_note, self.heatmap = side.tare_note, side.last_note, side.heatmap
        self.probe_offer, self.probe_text = side.probe_offer, side.probe_text
        self.probe_button, self.probe_later = side.probe_button, side.probe_later
        self.probe_button.clicked.connect(self.probe_requested.emit)
        self.probe_later.clicked.connect(self.probe_dismissed.emit)
        return side

    def _build_score_row(self) -> QtWidgets.QHBoxLayout:
        """Make the bottom row: the score cards (or a placeholder), the session summary."""
        bottom = QtWidgets.QHBoxLayout()
        bottom.setSpacing(12)
        self._fit_pending = False
        self._row = ScoreRow(bottom, self)
        self.cards, self.placeholder = self._row.cards, self._row.placeholder
        self.placeholder_text, self.summary = self._row.placeholder_text, self._row.summary
        #: Score cards shown at once: fewer on a narrow window (see resizeEvent).
        self.card_slots = len(self.cards)
        return bottom

    # -- references and glove --

    def set_profile(self, profile: GloveProfile | None) -> None:
        """Show a (re)connected glove: new curves, its sensors, compatible references."""
        if profile is self._profile:
            return
        self._profile = profile
        self._fs = None if profile is None else float(profile.sample_rate_hz)
        self._heat_due = None  # the old glove's loads
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

    # -- feedback mode, probe length, surface --

    def feedback_mode(self) -> FeedbackMode:
        """Return the feedback mode chosen: its kind and the parameters under "⋯"."""
        return self.feedback_settings.mode(str(self.feedback.currentData()))

    def set_feedback_mode(self, mode: FeedbackMode) -> None:
        """Show ``mode`` as the choice (its parameter too), without ``feedback_changed``."""
        s = self.feedback_settings
        blockers = [QtCore.QSignalBlocker(w) for w in (self.feedback, s)]
        s.show_parameters(mode)
        self.feedback.setCurrentIndex(max(0, self.feedback.findData(mode.kind)))
        del blockers
        self._label_modes()

    def _label_modes(self) -> None:
        """Name every mode with its current parameter ("Every 3rd stroke")."""
        s = self.feedback_settings
        for i in range(self.feedback.count()):
            self.feedback.setItemText(i, mode_label(s.mode(str(self.feedback.itemData(i)))))
        self.feedback.setToolTip(
            f"Big errors: a score below {s.below.value()} or a deduction of "
            f"{s.points.value()} points or more. F shows the last stroke's card."
        )

    def _on_feedback(self) -> None:
        self._label_modes()
        if self.running and not self.probe:  # changed while practising: from the next stroke
            self._quiet = QUIET_TEXT.get(self.feedback_mode().kind, "")
            self._row.show_waiting(None if self.probe else self.feedback_mode())
        self.feedback_changed.emit(self.feedback_mode().text())

    @property
    def probe_strokes_wanted(self) -> int:
        """Strokes a probe started now would have (set under "⋯")."""
        return int(self.feedback_settings.probe_strokes.value())

    def surface(self) -> str:
        """Return what the student says they massage ("" when not said)."""
        return self.feedback_settings.surface.currentText()

    def set_surface(self, text: str) -> None:
        """Show ``text`` as the surface massaged."""
        self.feedback_settings.surface.setCurrentText(text)

    def can_start(self) -> bool:
        """Return whether a session can start (glove, scoring ready, a reference)."""
        return (
            self._profile is not None
            and self.scoring_available
            and self.current_reference() is not None
        )

    # -- the probe offer --

    def offer_probe(self, text: str) -> None:
        """Offer a no-feedback probe with ``text`` (in the cue card, no dialog)."""
        if self.running:
            return
        self.probe_text.setText(text)
        self._side.show_offer(True)
        self._update_idle_texts()

    def withdraw_probe(self) -> None:
        """Take the offer of a probe away."""
        self._side.show_offer(False)

    @property
    def offering_probe(self) -> bool:
        """A probe is on offer."""
        return self._side.offering_probe

    # -- session --

    def session_started(
        self,
        *,
        saved: bool,
        note: str = "",
        probe: bool = False,
        mode: FeedbackMode | None = None,
        probe_strokes: int = PROBE_STROKES,
    ) -> None:
        """Show a new session: clear the cards, lock the pickers.

        Parameters
        ----------
        saved : bool
            The session is being recorded (else the summary says why not: ``note``).
        note : str
            Why it is not saved.
        probe : bool
            A no-feedback probe: no cue, score or band until it ends.
        mode : FeedbackMode or None
            The practice's feedback mode (default ``every``); it may change while
            practising, a probe's may not.
        probe_strokes : int
            Strokes in the probe.
        """
        self.running = True
        self.probe = probe
        self.probe_strokes = probe_strokes
        self.scores = []
        self.shown = []
        self._row.set_height(self._row.base)  # a new set: the row fits its cards afresh
        kind = (mode or FeedbackMode()).kind
        self._quiet = "Probe: no feedback" if probe else QUIET_TEXT.get(kind, "")
        for card in self.cards:
            card.setVisible(False)
        self.placeholder.setVisible(True)
        self.withdraw_probe()
        self._show_running_summary()
        for widget in (self.technique, self.reference, self.feedback_settings.surface):
            widget.setEnabled(False)
        # The mode may change while practising (from the next stroke); not in a probe.
        self.feedback.setEnabled(not probe)
        self.feedback_more.setEnabled(not probe)
        self.start_button.setText("Stop  (Space)")
        ref = self.current_reference()
        name = ref.name if ref else "–"
        self.subtitle.setText(
            f"Probe: {probe_strokes} strokes without feedback · {name}"
            if probe
            else f"Following {name}"
        )
        self.summary.set_note("" if saved else f"Not saved: {note or 'no session store'}")
        self.last_note.setVisible(False)
        self._update_idle_texts()

    def session_stopped(self, end: Any = None) -> dict[str, Any]:
        """End the session view: reveal every score, show and return its summary.

        Parameters
        ----------
        end : SetSummary or None
            What the feedback policy says of the set (:meth:`FeedbackPolicy.end_set`).

        Returns
        -------
        dict
            :meth:`SessionSummary.summarise` of every stroke, with ``kind``
            (``practice``/``probe``) and, given ``end``, ``feedback``, ``shown`` and
            ``requested``.
        """
        self.running = False
        for widget in (
            self.technique, self.reference, self.feedback, self.feedback_more,
            self.feedback_settings.surface,
        ):  # fmt: skip
            widget.setEnabled(True)
        self.start_button.setText("Start  (Space)")
        # The end of the set: every score is revealed now.
        self.shown = list(enumerate(self.scores, 1))
        self._show_cards()
        self.set_band_visible(True)
        summary = self._row.show_end(self.scores, probe=self.probe, end=end)
        self._update_idle_texts()
        return summary

    def add_score(self, score: Any, feedback: Any = None) -> None:
        """Take a finished stroke's score; show its card if ``feedback`` says so.

        Parameters
        ----------
        score : StrokeScore
            The stroke's score.
        feedback : StrokeFeedback or None
            What the stroke may show (``None``: everything, as with ``every``).
        """
        self.scores.append(score)
        number = len(self.scores)
        if feedback is None or feedback.card:
            self.plot.add_stroke(
                getattr(score, "start_s", 0.0),
                getattr(score, "path", None),
                self.current_reference(),
            )
            self.shown.append((number, score))
            self._show_cards()
        if feedback is not None and feedback.reason == "bandwidth":
            # Outside the band: the cues that fired during it are told now, after it.
            self._side.say_after(number, feedback.shown_cues, "")
        self._show_running_summary()

    def show_requested(self, feedback: Any) -> None:
        """Show the card (and the cues) of a stroke the student asked about (F)."""
        number = int(feedback.index) + 1
        if all(n != number for n, _ in self.shown):
            self.shown.append((number, feedback.score))
            self.shown.sort(key=lambda pair: pair[0])
        self._show_cards()
        self._side.say_after(number, feedback.shown_cues, " (you asked)")
        self._show_running_summary()

    def _show_running_summary(self) -> None:
        if self.running:
            probe_strokes = self.probe_strokes if self.probe else None
            self._row.show_running(self.scores, self.shown, probe_strokes)

    def _show_cards(self) -> None:
        self._row.show_cards(self.shown, self.card_slots)

    def set_band_visible(self, visible: bool) -> None:
        """Show or hide the reference band and template (live feedback, like the cues)."""
        if visible != self._band_shown:
            self._band_shown = visible
            for item in self._band_items:
                item.setVisible(visible)

    @property
    def band_visible(self) -> bool:
        """The reference band is shown."""
        return self._band_shown

    # -- layout: a plot that keeps its size --

    def _fit_soon(self) -> None:
        """Fit the score row once the pending relayouts are done (widths are known)."""
        if not self._fit_pending:
            self._fit_pending = True
            QtCore.QTimer.singleShot(0, self, self._fit_bottom_row)

    def _fit_bottom_row(self) -> None:
        """Grow the score row to what its tallest card or the summary needs (to a cap)."""
        self._fit_pending = False
        self._row.fit(self)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        """Refit the score row when a card or the summary relays out (new text)."""
        if event.type() == QtCore.QEvent.Type.LayoutRequest:
            self._fit_soon()
        return super().eventFilter(watched, event)

    def event(self, event: QtCore.QEvent) -> bool:
        """After a relayout, fit the score row.

        (The window's page holder has the scroll area take the page's new size.)
        """
        handled = super().event(event)
        if event.type() == QtCore.QEvent.Type.LayoutRequest:
            self._fit_soon()
        return handled

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        """Reflow: three score cards if wide, two on a 1024×600 screen, one if narrower."""
        super().resizeEvent(event)
        width = event.size().width()
        self._side.set_page_width(width)
        if width != event.oldSize().width():
            self._row.set_height(self._row.base)  # other widths, other lines: fit again
            self._fit_soon()
        slots = card_slots(width)
        if slots != self.card_slots:
            self.card_slots = slots
            self._show_cards()

    def _update_idle_texts(self) -> None:
        ready = self.can_start()
        self.start_button.setEnabled(ready or self.running)
        self.probe_button.setEnabled(ready and not self.running)
        if self.running:
            self._row.show_waiting(None if self.probe else self.feedback_mode())
            return
        self._side.set_progress(0)
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
        """Show what tare (T) is doing: ``state`` is "counting", "ok", "failed" or "drift".

        "drift": the rest level wandered since the tare (the text says to press T again).
        """
        self._side.show_tare(state, text)

    # -- per frame --

    def refresh(
        self, snap: Snapshot, live: LiveState | None, *, live_feedback: bool = True
    ) -> bool:
        """Draw the newest samples and scorer state; return whether anything was drawn.

        Parameters
        ----------
        snap : Snapshot
            Newest samples.
        live : LiveState or None
            The scorer's state, its cues already filtered by the feedback policy.
        live_feedback : bool
            The stroke under way has live feedback: the reference band and the cues
            (else only the safety cue shows).
        """
        feedback = self.running and live_feedback
        self.set_band_visible(feedback or not self.running)
        ref = self.current_reference() if feedback else None
        template_ahead = None
        if ref is not None and live is not None and live.active and self._fs:
            pos = max(0, live.position)
            # The rows ahead summed, not the whole template's total each frame.
            ahead = np.asarray(ref.template)[pos : pos + live.band_ahead[0].size]
            template_ahead = ahead.sum(axis=1)
        drawn = self.plot.show_frame(snap, live if self.running else None, template_ahead, self._fs)
        if self._heat_due is not None:
            # The hand map shows a block one frame after the plot: a frame with new
            # samples then paints the plot alone, sooner (the hand map costs a few ms).
            self.heatmap.set_loads(*self._heat_due)
            self._heat_due = None
        if drawn and self._profile is not None and snap.written != self._heat_written:
            self._heat_written = snap.written
            recent = snap.values[snap.t >= snap.t[-1] - 0.1]
            clipped = np.any(recent >= self._profile.saturation_n, axis=0)
            self._heat_due = (recent.mean(axis=0), clipped)
        if self.running and live is not None:
            self._show_cues(live, live_feedback)
        return drawn

    def _show_cues(self, live: LiveState, live_feedback: bool = True) -> None:
        self._side.show_cues(
            live,
            live_feedback=live_feedback,
            quiet=self._quiet,
            probe_strokes=self.probe_strokes if self.probe else None,
        )
