"""The practice view on a recorded fixture: curves, band, score cards, summary, cues."""

from __future__ import annotations

import numpy as np
from fakes import make_services

from sensors.profiles import load_profile
from sensors.sources import open_source
from trainer.live import LiveState
from trainer.scoring import Cue
from trainer.ui.main_window import MainWindow
from trainer.ui.practice_view import CUE_TEXT, PracticeView, compatible
from trainer.ui.services import SourceChoice


def _finite(item) -> np.ndarray:
    y = item.getData()[1]
    y = np.asarray([] if y is None else y, dtype=float)
    return y[np.isfinite(y)]


def test_practice_on_a_fixture_shows_curves_band_and_score_cards(
    qtbot, themed_app, references, fixtures_dir
) -> None:
    window = MainWindow(make_services(open_source, references), frame_interval_ms=10)
    qtbot.addWidget(window)
    window.show()
    window.stop_session_on_finish = False
    capture = fixtures_dir / "effleurage-sim.mtcap"
    finished: list[bool] = []
    window.source_finished.connect(lambda: finished.append(True))
    # Four times real time: 12 s of recording in about 3 s of frames.
    window.autostart(
        SourceChoice("replay", str(capture), (("speed", "4"),)), "effleurage", "effleurage-starter"
    )
    view = window.practice_view
    try:
        qtbot.waitUntil(lambda: view.running, timeout=5000)
        assert view.current_reference().name == "effleurage-starter"
        qtbot.waitUntil(lambda: view.cards[1].isVisible(), timeout=15_000)
        qtbot.waitUntil(lambda: bool(finished), timeout=15_000)
        plot = view.plot
        assert _finite(plot.total).size > 1000
        assert _finite(plot.band_lo).size > 100 and _finite(plot.template).size > 100
        lo, hi = _finite(plot.band_lo), _finite(plot.band_hi)
        assert np.all(lo <= hi)
        # A score card per finished stroke, newest first, with the scorer's numbers.
        n = len(view.scores)
        assert n >= 5
        assert view.cards[0].heading.text() == f"Stroke {n}"
        assert view.cards[0].overall.text() == f"{view.scores[-1].overall:.0f}"
        assert view.cards[0].bars["tempo"].value.text() == f"{view.scores[-1].tempo:.0f}"
        summary = window.practice_view.session_stopped()
        assert summary["strokes"] == n
        expected = np.mean([s.overall for s in view.scores])
        assert summary["overall"] == round(float(expected), 1)
        assert "Session summary" in view.summary.title.text()
    finally:
        window.close()


def test_references_offered_match_technique_and_glove(qtbot, themed_app, references) -> None:
    view = PracticeView(["effleurage", "friction"])
    qtbot.addWidget(view)
    view.scoring_available = True
    view.set_references(references)
    assert view.reference.count() == 0 and not view.can_start()  # no glove yet
    view.set_profile(load_profile("reference-glove"))
    names = [view.reference.itemText(i) for i in range(view.reference.count())]
    assert names == ["effleurage-starter"]
    assert view.start_button.isEnabled()
    view.technique.setCurrentText("friction")
    assert view.current_reference().name == "friction-starter"
    # The starters were made with the reference glove: none fits the 5-sensor DIY glove.
    view.set_profile(load_profile("diy-fsr5"))
    assert view.current_reference() is None and not view.start_button.isEnabled()
    assert view.cue.text() == "No reference"
    diy = load_profile("diy-fsr5")
    assert not any(compatible(r, diy) for r in references)


def test_cues_follow_the_scorer_calmly(qtbot, themed_app, references) -> None:
    view = PracticeView(["effleurage"])
    qtbot.addWidget(view)
    view.scoring_available = True
    view.set_profile(load_profile("reference-glove"))
    view.set_references(references)
    view.session_started(saved=False, note="database is corrupt")
    assert view.summary.note.text() == "Not saved: database is corrupt"
    base = dict(t=1.0, position=40, band_ahead=(np.ones(5), np.ones(5) * 2), strokes=2)
    view._show_cues(LiveState(active=True, progress=0.5, cues=(Cue.PRESS_HARDER,), **base))
    assert view.cue.text() == CUE_TEXT["press harder"]
    assert view.progress.value() == 50
    view._show_cues(
        LiveState(active=True, progress=0.6, cues=(Cue.SLOW_DOWN, Cue.EASE_OFF), **base)
    )
    assert view.cue.text() == CUE_TEXT[Cue.EASE_OFF.value]  # safety first
    view._show_cues(LiveState(active=True, progress=0.7, cues=(), **base))
    assert view.cue.text().startswith("Good")
    view._show_cues(LiveState(active=False, cues=(), **base))
    assert view.cue.text() == "Begin a stroke" and view.progress.value() == 0
    assert view.cue_hint.text() == "2 strokes scored"
    for cue in Cue:  # every cue the scorer can give has words on screen
        assert cue.value in CUE_TEXT
