"""The Practice view's score row: the latest strokes' cards (or a placeholder), the summary.

What a set's summary says (a probe's, strokes without feedback) is written here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6 import QtCore, QtWidgets

from trainer.live.feedback import FeedbackMode
from trainer.ui.feedback_settings import ordinal
from trainer.ui.widgets import Card, ScoreCard, SessionSummary, label, painted_later

__all__ = ["ScoreRow", "card_slots"]

_SCORE_CARDS = 3
#: Narrower than this (a 1366×768 screen at 150 %), one score card: two and the
#: session summary would make the page scroll sideways.
_TWO_CARDS = 760
#: Tallest the score row grows (a card with two long deductions, wrapped).
_ROW_MAX = 226


def card_slots(page_width: int) -> int:
    """Score cards shown at once on a page ``page_width`` wide.

    Three if wide, two on a 1024×600 screen, one if narrower.
    """
    return (
        _SCORE_CARDS if page_width >= 1000 else _SCORE_CARDS - 1 if page_width >= _TWO_CARDS else 1
    )


class ScoreRow:
    """The cards, their placeholder and the session summary, in the page's bottom row.

    Not a widget: its parts go straight into the page's layout.

    Parameters
    ----------
    bottom : QtWidgets.QHBoxLayout
        The page's bottom row.
    watcher : QtCore.QObject
        Filters the cards' and the summary's events: their relayouts refit the row.
    """

    def __init__(self, bottom: QtWidgets.QHBoxLayout, watcher: QtCore.QObject) -> None:
        self.cards = [ScoreCard() for _ in range(_SCORE_CARDS)]
        for card in self.cards:
            card.setVisible(False)
            bottom.addWidget(card, 1)
        self.placeholder = Card()
        self.placeholder_text = label("", "muted", wrap=True)
        self.placeholder_text.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.placeholder.body.addWidget(self.placeholder_text, 1)
        bottom.addWidget(self.placeholder, _SCORE_CARDS)
        self.summary = SessionSummary()
        self.summary.setMinimumWidth(230)
        self.summary.setMaximumWidth(330)
        # One height for the whole row, whatever it shows: at least a card with two
        # one-line deductions, more only if a card or the summary needs it, and during a
        # session it never shrinks back. The row grew and shrank with each stroke's card
        # and the summary's lines, and the plot above with it (as the cue's words did).
        self.cards[0].deductions.setText("−\n−")
        self.base = self.cards[0].sizeHint().height()
        self.cards[0].deductions.setText("")
        self.height = 0
        self.set_height(self.base)
        for part in (*self.cards, self.summary):
            part.installEventFilter(watcher)  # their relayouts: the page refits the row
        bottom.addWidget(self.summary)

    def set_height(self, height: int) -> None:
        """Give the cards, the placeholder and the summary ``height`` pixels."""
        self.height = height
        for part in (*self.cards, self.placeholder, self.summary):
            part.setFixedHeight(height)

    def fit(self, page: QtWidgets.QWidget) -> None:
        """Grow the row to what its tallest card or the summary shown in ``page`` needs.

        Never past a cap, and never shrinking (:meth:`set_height` starts afresh).
        """
        need = self.base
        for part in (*self.cards, self.summary):
            if part.isVisibleTo(page):
                need = max(need, part.heightForWidth(part.width()))
        need = min(need, _ROW_MAX)
        if need > self.height:
            self.set_height(need)

    def show_cards(self, shown: Sequence[tuple[int, Any]], slots: int) -> None:
        """Show the cards of the last ``slots`` strokes ``shown`` (number, score), newest first.

        None shown: the placeholder instead.
        """
        if not shown:
            for card in self.cards:
                card.setVisible(False)
            self.placeholder.setVisible(True)
            return
        recent = shown[-slots:][::-1]
        for i, card in enumerate(self.cards):
            if i < len(recent):
                with painted_later(card):  # its four bars would each repaint at once
                    card.show_score(*recent[i])
                card.setVisible(True)
            else:
                card.setVisible(False)
        self.placeholder.setVisible(False)

    def show_running(
        self,
        scores: Sequence[Any],
        shown: Sequence[tuple[int, Any]],
        probe_strokes: int | None,
    ) -> None:
        """Sum up the set so far: the strokes ``shown`` of ``scores``, or a probe's count.

        Parameters
        ----------
        scores : sequence of StrokeScore
            Every stroke of the set.
        shown : sequence of (int, StrokeScore)
            The strokes the student may see (number, score).
        probe_strokes : int or None
            The probe's length while a probe runs: its scores stay hidden.
        """
        if probe_strokes is not None:
            self.summary.show_summary([], running=True)
            self.summary.title.setText("Probe")
            self.summary.text.setText(
                f"Stroke {min(len(scores), probe_strokes)} of {probe_strokes} "
                "done. Your scores come at the end."
            )
            return
        self.summary.show_summary([s for _, s in shown], running=True)
        hidden = len(scores) - len(shown)
        if hidden:
            text = self.summary.text.text() if shown else ""
            more = f"{hidden} stroke{'s' * (hidden != 1)} without feedback: scores at the end"
            self.summary.text.setText(f"{text}<br>{more}" if text else more.capitalize())

    def show_end(self, scores: Sequence[Any], *, probe: bool, end: Any = None) -> dict[str, Any]:
        """Sum up a finished set (every score revealed); return the summary.

        Parameters
        ----------
        scores : sequence of StrokeScore
            Every stroke of the set.
        probe : bool
            The set was a no-feedback probe.
        end : SetSummary or None
            What the feedback policy says of the set.

        Returns
        -------
        dict
            As :meth:`PracticeView.session_stopped` returns it.
        """
        self.summary.show_summary(scores, running=False)
        summary = dict(self.summary.summary)
        summary["kind"] = "probe" if probe else "practice"
        if end is not None:
            summary.update(feedback=end.mode, shown=end.shown, requested=end.requested)
        if probe and scores:
            each = " · ".join(f"{s.overall:.0f}" for s in scores)
            self.summary.title.setText("Probe summary")
            self.summary.text.setText(
                f"<b>{len(scores)}</b> strokes without feedback · mean "
                f"<b>{summary['overall']:.0f}</b><br>Scores: {each}"
            )
        elif end is not None and scores and end.shown < len(scores):
            asked = f" ({end.requested} asked)" if end.requested else ""
            self.summary.text.setText(
                f"{self.summary.text.text()}<br>Feedback during the set on {end.shown} of "
                f"{len(scores)} strokes{asked}"
            )
        return summary

    def show_waiting(self, mode: FeedbackMode | None) -> None:
        """Say in the placeholder when cards come in a set of ``mode`` (``None``: a probe)."""
        if mode is None:
            self.placeholder_text.setText("Probe: no feedback. Your scores come at the end.")
            return
        text = {
            "every": "Score cards appear after each stroke.",
            "every_n": f"A score card on every {ordinal(mode.n)} stroke. F: the last one.",
            "random": "Score cards on some strokes. F shows the last one.",
            "bandwidth": "A score card when a stroke needs work. F: the last one.",
            "summary": "Scores at the end of the set. F shows the last stroke.",
            "off": "No score cards: feel it yourself. F shows the last stroke.",
        }[mode.kind]
        self.placeholder_text.setText(text)
