"""History's "Feedback and retention" panel: dependence on feedback, re-tests due.

Per technique (and person) it shows the mean score with feedback against the mean in
no-feedback probes (the difference is the *dependence*), what was kept after 1 day,
1 week and 8 weeks without practice, and when the next spaced re-test is due
(:mod:`trainer.store.progress` computes them; the History controller reads the store).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6 import QtCore, QtWidgets

from trainer.ui import theme
from trainer.ui.widgets import Card, label

if TYPE_CHECKING:
    from trainer.store.progress import Retention, TechniqueProgress

__all__ = ["GAP_NAMES", "RetentionPanel"]

#: How each spaced gap (days) is said.
GAP_NAMES = {1: "1 day", 7: "1 week", 56: "8 weeks"}
#: A dependence this large, with an interval clear of 0, asks for faded feedback (the
#: user guide's rule of thumb, not a published figure).
_LARGE_DEPENDENCE = 10.0


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def _kept(r: Retention) -> str:
    gap = GAP_NAMES.get(r.gap_days, f"{r.gap_days} days")
    if r.after is None:
        return f"{gap} –"
    if r.change is None:  # no probe while training was fresh to compare with
        return f"{gap} {r.after.mean:.0f}"
    return f"{gap} {r.change:+.0f}"


def _date(when: datetime) -> str:
    local = when.astimezone()
    return f"{local.day} {local.strftime('%b')}"


class RetentionPanel(Card):
    """Dependence on feedback and the retention re-tests, one block per technique.

    Parameters
    ----------
    parent : QtWidgets.QWidget or None
        Parent widget.

    Attributes
    ----------
    blocks : dict
        The label of each technique shown (``"effleurage"``, or ``"effleurage · ana"``
        when several people are shown), in order.
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("Feedback and retention", parent)
        self.setAccessibleName("Feedback and retention")
        self.empty = label("", "muted", wrap=True)
        self.empty.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop)
        self.body.addWidget(self.empty)
        inner = QtWidgets.QWidget()
        inner.setObjectName("retentionBlocks")
        inner.setStyleSheet("#retentionBlocks { background: transparent; }")  # the card's
        self._list = QtWidgets.QVBoxLayout(inner)
        self._list.setContentsMargins(0, 0, 4, 0)
        self._list.setSpacing(10)
        self._list.addStretch(1)
        self.area = QtWidgets.QScrollArea()
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.area.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.area.setWidget(inner)
        self.area.viewport().setAutoFillBackground(False)
        self.body.addWidget(self.area, 1)
        self.blocks: dict[str, QtWidgets.QLabel] = {}
        self.show_progress([])

    def show_progress(self, results: Sequence[TechniqueProgress]) -> None:
        """Show ``results`` (:func:`trainer.store.progress.progress`; "due now" as computed)."""
        for block in self.blocks.values():
            self._list.removeWidget(block)
            block.deleteLater()
        self.blocks = {}
        several = len({r.user for r in results}) > 1
        for r in results:
            key = f"{r.technique} · {r.user}" if several else r.technique
            block = label(self._describe(key, r), wrap=True)
            block.setTextFormat(QtCore.Qt.TextFormat.RichText)
            block.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop)
            block.setAccessibleName(f"Feedback and retention: {key}")
            self._list.insertWidget(self._list.count() - 1, block)
            self.blocks[key] = block
        self.area.setVisible(bool(results))
        self.empty.setVisible(not results)
        self.empty.setText(
            "No practice yet. Practise, then take a probe (P in Practice): "
            "your scores without feedback show what you have learned."
        )

    @staticmethod
    def _describe(key: str, r: TechniqueProgress) -> str:
        f, p = r.with_feedback, r.probe
        lines = [
            f"<b>{key}</b>",
            f"With feedback {_num(f.mean)} · probes {_num(p.mean)} ({f.n} / {p.n} strokes)",
        ]
        d = r.dependence
        if d is None:
            lines.append("Dependence – (needs a probe and practice with feedback)")
        else:
            ci = d.ci95
            spread = "" if ci is None else f" (95 %: {ci[0]:+.0f} to {ci[1]:+.0f})"
            lines.append(f"Dependence {d.difference:+.0f} points{spread}")
            if d.difference >= _LARGE_DEPENDENCE and ci is not None and ci[0] > 0:
                lines.append(
                    f"<span style='color: {theme.CAUTION};'>Leans on feedback: "
                    "fade it (every Nth, random, big errors)</span>"
                )
        lines.append("Kept after " + ", ".join(_kept(x) for x in r.retention))
        if r.next_retest is None:
            lines.append("Next re-test – (practise first)")
        else:
            gap = GAP_NAMES.get(r.next_retest_gap_days or 0, f"{r.next_retest_gap_days} days")
            due = f" · <b style='color: {theme.CAUTION};'>due now</b>" if r.overdue else ""
            lines.append(f"Next re-test {_date(r.next_retest)} ({gap}){due}")
        use = r.feedback_use
        if use.strokes:
            asked = f", {use.requested} asked" if use.requested else ""
            lines.append(f"Feedback on {use.shown} of {use.strokes} practice strokes{asked}")
        return "<br>".join(lines)
