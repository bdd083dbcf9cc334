"""Practice feedback modes on the real view: each shows and hides exactly what it says.

The controller runs on a scripted glove (:class:`practice_rig.PracticeRig`): every check
is on the view's own widgets (cards, cue, band) and on what the recorder was told.
"""

from __future__ import annotations

import pytest
from practice_rig import PracticeRig  # type: ignore[import-not-found]
from practice_rig import stroke_score as _score

from sensors.sources.base import SourceState
from trainer.live.feedback import FeedbackMode
from trainer.scoring import Cue
from trainer.ui.practice_view import CUE_TEXT


@pytest.fixture
def practice(qtbot, themed_app, references):
    made = PracticeRig(qtbot, references)
    made.view.resize(900, 600)  # two score cards, as on a 1024×600 screen
    made.view.show()
    made.source.set_state(SourceState.STREAMING)
    qtbot.waitUntil(lambda: len(made.link.acquisition.buffer.snapshot()) > 10, timeout=5000)
    yield made
    made.close()


def test_bandwidth_shows_only_strokes_outside_the_band(practice) -> None:
    practice.start(FeedbackMode("bandwidth", below=85.0, deduction=5.0))
    view = practice.view
    (recorder,) = practice.recorders
    assert recorder.feedback == "bandwidth:85:5" and recorder.options["kind"] == "practice"
    # No live cue nor band during a stroke: bandwidth feedback comes after it.
    practice.frame([Cue.PRESS_HARDER], strokes=0)
    assert view.cue.text() == "Feedback if a stroke needs it" and not view.band_visible
    practice.frame([Cue.EASE_OFF], strokes=0)
    assert view.cue.text() == CUE_TEXT[Cue.EASE_OFF.value]  # the safety cue, always
    practice.stroke(_score(84.9))  # just below the score threshold: shown
    assert practice.headings() == ["Stroke 1"]
    assert view.last_note.text() == f"Stroke 1: {CUE_TEXT['press harder']}"
    practice.stroke(_score(85.0, ("uneven_load", 4.9)))  # just inside both: hidden
    practice.stroke(_score(90.0, ("uneven_load", 5.0)))  # one deduction at the line: shown
    practice.stroke(_score(86.0, ("minor", 9.0)))  # the pooled minor line never counts
    assert practice.headings() == ["Stroke 3", "Stroke 1"]
    assert view.cards[0].overall.text() == "90"
    assert [r.card for r in recorder.records] == [True, False, True, False]
    assert [r.reason for r in recorder.records][:2] == ["bandwidth", "within band"]
    assert {r.mode for r in recorder.records} == {"bandwidth:85:5"}
    # The running summary counts only what was shown; the rest comes at the end.
    assert "2 strokes without feedback" in view.summary.text.text()
    practice.ctl.toggle_session()
    summary = practice.ctl.last_summary
    assert summary["strokes"] == 4 and summary["shown"] == 2 and summary["kind"] == "practice"
    assert practice.headings() == ["Stroke 4", "Stroke 3"]  # every score revealed now
    assert "Feedback during the set on 2 of 4 strokes" in view.summary.text.text()


def test_every_nth_shows_cues_band_and_cards_on_its_strokes_only(practice) -> None:
    practice.start(FeedbackMode("every_n", n=3))
    view = practice.view
    for i in range(5):
        practice.frame([Cue.SLOW_DOWN], strokes=i)
        live = i % 3 == 0
        assert view.band_visible is live
        expected = CUE_TEXT["slow down"] if live else "This stroke on your own"
        assert view.cue.text() == expected, i
        assert view.progress.value() == (50 if live else 0)
        practice.stroke(_score(70.0 + i))
    assert practice.headings() == ["Stroke 4", "Stroke 1"]
    assert [r.card for r in practice.recorders[0].records] == [True, False, False, True, False]


def test_random_share_follows_its_draws_and_each_session_draws_anew(practice) -> None:
    practice.view.feedback_settings.share.setValue(50)
    practice.start(FeedbackMode("random", share=0.5))
    policy = practice.ctl.policy
    for _ in range(20):
        practice.stroke(_score(80.0))
    shown = [r.index for r in practice.recorders[0].records if r.card]
    assert shown == [i for i in range(20) if policy.scheduled(i)]
    assert 0 < len(shown) < 20
    assert practice.headings() == [f"Stroke {shown[-1] + 1}", f"Stroke {shown[-2] + 1}"]
    seed = policy.mode.seed
    practice.ctl.toggle_session()
    practice.ctl.toggle_session()
    assert practice.ctl.policy.mode.seed != seed  # not the same strokes every session


def test_summary_and_off_hide_everything_and_f_asks_for_the_last_stroke(practice) -> None:
    view, shell = practice.view, practice.shell
    practice.start(FeedbackMode("summary"))
    practice.frame([Cue.PRESS_HARDER], strokes=0)
    assert view.cue.text() == "Scores at the end of the set" and not view.band_visible
    for overall in (70.0, 75.0, 91.0):
        practice.stroke(_score(overall))
    assert practice.headings() == [] and view.placeholder.isVisible()
    assert "91" not in view.summary.text.text()
    practice.ctl.toggle_session()
    assert practice.headings() == ["Stroke 3", "Stroke 2"]
    assert practice.ctl.last_summary["overall"] == 78.7

    # Off, then F: the last stroke's card, recorded as asked for.
    practice.start(FeedbackMode("off"))
    practice.ctl.request_feedback()
    assert shell.messages[-1] == "No stroke scored yet."
    practice.frame([Cue.SLOW_DOWN], strokes=0)
    practice.stroke(_score(64.0, ("rushed", 8.0)))
    practice.stroke(_score(72.0))
    assert practice.headings() == []
    practice.ctl.request_feedback()
    assert practice.headings() == ["Stroke 2"] and view.cards[0].overall.text() == "72"
    records = practice.recorders[-1].records
    assert [(r.index, r.card, r.requested) for r in records] == [
        (0, False, False), (1, False, False), (1, True, True),
    ]  # fmt: skip
    assert view.last_note.text() == "Stroke 2 (you asked): no cues during it"
    practice.ctl.toggle_session()
    assert "(1 asked)" in view.summary.text.text()


def test_mode_changes_while_practising_apply_from_the_next_stroke(practice) -> None:
    practice.start(FeedbackMode("every"))
    practice.stroke(_score(80.0))
    practice.view.feedback.setCurrentIndex(practice.view.feedback.findData("off"))
    assert practice.view.feedback.isEnabled()  # changeable while practising
    practice.stroke(_score(81.0))
    assert practice.headings() == ["Stroke 1"]
    assert [r.mode for r in practice.recorders[0].records] == ["every", "off"]
    assert practice.shell.settings["practice/feedback_mode"] == "off"


def test_the_choice_is_remembered_with_its_parameters(qtbot, themed_app, references) -> None:
    first = PracticeRig(qtbot, references)
    try:
        settings = first.view.feedback_settings
        first.view.feedback.setCurrentIndex(first.view.feedback.findData("bandwidth"))
        settings.below.setValue(80)
        settings.points.setValue(7)
        settings.probe_strokes.setValue(8)
        settings.surface.setCurrentText("mannequin")
        assert first.view.feedback.currentText() == "Only big errors (< 80)"
        saved = dict(first.shell.settings)
    finally:
        first.close()
    assert saved["practice/feedback_mode"] == "bandwidth:80:7"
    again = PracticeRig(qtbot, references, saved)
    try:
        assert again.view.feedback_mode() == FeedbackMode("bandwidth", below=80, deduction=7)
        assert again.view.probe_strokes_wanted == 8 and again.view.surface() == "mannequin"
    finally:
        again.close()
    # The old three-entry picker remembered an index: 1 was "every 3rd stroke".
    old = PracticeRig(qtbot, references, {"practice/feedback": 1})
    try:
        assert old.view.feedback_mode().text() == "every_n:3"
        assert old.view.feedback.currentText() == "Every 3rd stroke"
    finally:
        old.close()


def test_a_bad_surface_is_refused_before_the_session(practice) -> None:
    practice.view.set_surface("pad; DROP TABLE")
    practice.ctl.toggle_session()
    assert not practice.ctl.running and practice.recorders == []
    assert practice.shell.messages[-1].startswith("Surface:")
    practice.view.set_surface("  Massage  Table ")
    practice.ctl.toggle_session()
    assert practice.recorders[-1].options["surface"] == "massage table"
