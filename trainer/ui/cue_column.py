"""The Practice view's side column: what to do now, over the load on the hand.

The cue card says the cue (or why there is none), the stroke's progress and the strokes
counted, offers a no-feedback probe, tells the last stroke's cues after it and what tare
is doing; the hand map shows each sensor's load. The column's width follows the page
alone, never what it says.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6 import QtCore, QtWidgets

from trainer.live import LiveState
from trainer.ui import theme
from trainer.ui.heatmap import HandHeatmap
from trainer.ui.widgets import Card, label, painted_later

__all__ = ["CUE_TEXT", "QUIET_TEXT", "CueColumn"]

#: What each cue says on screen (keys: ``trainer.scoring.Cue`` values).
CUE_TEXT: dict[str, str] = {
    "press harder": "Press a little harder",
    "lighter": "A little lighter",
    "speed up": "A little faster",
    "slow down": "Slow down",
    "ease off: near pain threshold": "Ease off: near the pain threshold",
}

#: What the cue box says while a stroke has no live feedback, per mode kind.
QUIET_TEXT = {
    "every_n": "This stroke on your own",
    "random": "This stroke on your own",
    "bandwidth": "Feedback if a stroke needs it",
    "summary": "Scores at the end of the set",
    "off": "No feedback: feel it yourself",
}

_CUE_HEIGHT = 56  # two lines of a cue
_EASE_OFF = "ease off: near pain threshold"


def _side_width(page_width: int) -> int:
    """Width of the cue and hand column for a page ``page_width`` wide.

    Set by the page alone, never by what the cue says (:meth:`CueColumn.set_page_width`).
    """
    return max(230, min(330, round(0.3 * page_width)))


class CueColumn(QtWidgets.QWidget):
    """The cue card over the hand map; the Practice view reaches its widgets directly.

    Parameters
    ----------
    parent : QtWidgets.QWidget or None
        Parent widget.
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        side = QtWidgets.QVBoxLayout()
        side.setSpacing(12)
        cue_card = Card()
        self.cue = label("", "cue", wrap=True)
        self.cue.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.cue.setMinimumHeight(_CUE_HEIGHT)
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
        # What a stroke showed after it ended (bandwidth, or asked for with F).
        self.last_note = label("", "muted", wrap=True)
        self.last_note.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.last_note.setVisible(False)
        self.last_note.setAccessibleName("Feedback on the last stroke")
        # The offer of a probe: in the cue card, where the student looks between sets;
        # never a dialog in the way.
        self.probe_offer = QtWidgets.QWidget()
        self.probe_offer.setAccessibleName("Probe offer")
        self.probe_text = label("", "muted", wrap=True)
        self.probe_text.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.probe_button = QtWidgets.QPushButton("Start probe  (P)")
        self.probe_button.setObjectName("primary")
        self.probe_button.setAccessibleName("Start a probe without feedback")
        self.probe_later = QtWidgets.QPushButton("Not now")
        offer = QtWidgets.QVBoxLayout(self.probe_offer)
        offer.setContentsMargins(0, 0, 0, 0)
        offer.setSpacing(6)
        offer.addWidget(self.probe_text)
        buttons = QtWidgets.QHBoxLayout()
        buttons.setSpacing(6)
        buttons.addWidget(self.probe_button, 1)
        buttons.addWidget(self.probe_later)
        offer.addLayout(buttons)
        self.probe_offer.setVisible(False)
        cue_card.body.addWidget(self.cue)
        cue_card.body.addWidget(self.progress)
        cue_card.body.addWidget(self.cue_hint)
        cue_card.body.addWidget(self.probe_offer)
        cue_card.body.addWidget(self.last_note)
        cue_card.body.addWidget(self.tare_note)
        for words in (self.cue, self.cue_hint, self.tare_note, self.last_note, self.probe_text):
            # What they say changes with every stroke; their length must not set the
            # column's width: each change resized the plot beside it (a relayout and
            # full repaint of both plots, tens of milliseconds, and a jumping plot).
            words.setSizePolicy(
                QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred
            )
        side.addWidget(cue_card)
        hand_card = Card("Load on the hand")
        self.heatmap = HandHeatmap()
        hand_card.body.addWidget(self.heatmap, 1)
        side.addWidget(hand_card, 1)
        self.setLayout(side)
        self.setFixedWidth(_side_width(1280))  # follows the page's width (set_page_width)
        side.setContentsMargins(0, 0, 0, 0)

    def set_page_width(self, page_width: int) -> None:
        """Take the width a page ``page_width`` wide gives the column."""
        self.setFixedWidth(_side_width(page_width))

    def show_offer(self, shown: bool) -> None:
        """Show the offer of a probe (``shown``) or take it away."""
        # The offer takes the place of the idle hint and the (empty) stroke progress, and
        # of the room kept for a two-line cue (idle words take one): it fits 1024×600.
        self.probe_offer.setVisible(shown)
        self.cue_hint.setVisible(not shown)
        self.progress.setVisible(not shown)
        self.cue.setMinimumHeight(0 if shown else _CUE_HEIGHT)

    @property
    def offering_probe(self) -> bool:
        """A probe is on offer."""
        return not self.probe_offer.isHidden()

    def say_after(self, number: int, cues: Sequence[str], why: str) -> None:
        """Say which cues fired during stroke ``number`` (once it ended; ``why`` it is told)."""
        said = " · ".join(CUE_TEXT.get(c, c) for c in cues) or "no cues during it"
        self.last_note.setText(f"Stroke {number}{why}: {said}")
        self.last_note.setVisible(True)

    def show_tare(self, state: str, text: str) -> None:
        """Show what tare (T) is doing: ``state`` is "counting", "ok", "failed" or "drift".

        "drift": the rest level wandered since the tare (the text says to press T again).
        """
        colour = {"ok": theme.ACCENT, "failed": theme.CAUTION, "drift": theme.CAUTION}.get(
            state, theme.TEXT
        )
        self.tare_note.setText(text)
        self.tare_note.setStyleSheet(f"color: {colour}; font-weight: 600;")
        self.tare_note.setVisible(bool(text))

    def set_progress(self, value: int) -> None:
        """Show how far the stroke under way is (0-100)."""
        if value != self.progress.value():
            # A progress bar repaints itself at once when set (a couple of milliseconds
            # with the style sheet, nearly every frame of a stroke): painted with the
            # rest of the frame instead.
            with painted_later(self.progress):
                self.progress.setValue(value)

    def show_cues(
        self, live: LiveState, *, live_feedback: bool, quiet: str, probe_strokes: int | None
    ) -> None:
        """Show the scorer's cue, the stroke's progress and the strokes counted so far.

        Parameters
        ----------
        live : LiveState
            The scorer's state, its cues already filtered by the feedback policy.
        live_feedback : bool
            The stroke under way has live feedback (else only the safety cue shows).
        quiet : str
            What the cue says while a stroke has no live feedback.
        probe_strokes : int or None
            The probe's length while a probe runs (the strokes count towards it).
        """
        safety = any(getattr(c, "value", c) == _EASE_OFF for c in live.cues)
        if safety:  # never hidden, whatever the mode
            text, colour = CUE_TEXT[_EASE_OFF], theme.CAUTION
        elif not live_feedback:
            text, colour = quiet, theme.TEXT_MUTED
        elif live.cues:
            text = CUE_TEXT.get(getattr(live.cues[0], "value", str(live.cues[0])), "")
            colour = theme.TEXT
        elif live.active:
            text, colour = "Good: follow the band", theme.ACCENT
        else:
            text, colour = "Begin a stroke", theme.TEXT_MUTED
        if self.cue.text() != text:
            self.cue.setText(text)
            self.cue.setStyleSheet(f"color: {colour};")
        shown = live_feedback and live.active
        self.set_progress(round(100 * live.progress) if shown else 0)
        if probe_strokes is not None:
            hint = f"{min(live.strokes, probe_strokes)} of {probe_strokes} strokes"
        else:
            hint = f"{live.strokes} stroke{'s' if live.strokes != 1 else ''} scored"
        if self.cue_hint.text() != hint:
            self.cue_hint.setText(hint)
