"""The practice view on a recorded fixture: curves, band, score cards, summary, cues."""

from __future__ import annotations

from typing import Any

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
    window.resize(1280, 800)  # a laptop: room for three score cards (the test screen is 800 px)
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
    # No glove yet: the student can already choose a reference, not start.
    assert view.current_reference().name == "effleurage-starter" and not view.can_start()
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
    base: dict[str, Any] = dict(
        t=1.0, position=40, band_ahead=(np.ones(5), np.ones(5) * 2), strokes=2
    )
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


def _text_fits(widget) -> bool:
    """Whether a label shows all its text: wrapped to its height, or one line that fits."""
    if widget.wordWrap():
        return widget.heightForWidth(widget.width()) <= widget.height() + 1
    advance = widget.fontMetrics().horizontalAdvance(widget.text())
    return advance <= widget.contentsRect().width()


def test_practice_hint_lines_are_whole_at_1024x600(qtbot, themed_app, references) -> None:
    from fakes import ScriptedSource

    source = ScriptedSource()
    window = MainWindow(make_services(lambda spec: source, references), frame_interval_ms=10)
    qtbot.addWidget(window)
    window.resize(1024, 600)
    window.show()
    window.show_view("practice")
    view = window.practice_view
    try:
        qtbot.waitUntil(lambda: window.references_loaded and window.warm_done, timeout=5000)
        assert view.cue_hint.text() == "Connect view: simulated glove, capture or BLE"
        themed_app.processEvents()
        assert _text_fits(view.cue_hint), view.cue_hint.text()
        window.connect_source(SourceChoice("ble", "glove"))
        qtbot.waitUntil(view.can_start, timeout=5000)
        assert view.cue_hint.text().startswith("Space starts and stops")
        themed_app.processEvents()
        assert _text_fits(view.cue_hint), view.cue_hint.text()
    finally:
        window.close()


def _streaming_window(qtbot, references, **source_kw):
    from fakes import ScriptedSource

    from sensors.sources.base import SourceState

    # A block every 20 ms (five times the glove's 200 Hz): each block draws a frame at once
    # (FrameClock._on_samples), and at the fake's default of a block every 5 ms the GUI
    # thread, drawing a frame in several milliseconds, never caught up: each processEvents
    # call went on drawing for seconds (a test took 1 s alone and 20 s on a busy machine).
    source_kw = {"block": 20, "interval_s": 0.02, **source_kw}
    source = ScriptedSource(**source_kw)
    source.set_state(SourceState.STREAMING)
    window = MainWindow(make_services(lambda spec: source, references), frame_interval_ms=10)
    qtbot.addWidget(window)
    window.show()
    window.connect_source(SourceChoice("ble", "glove"))
    qtbot.waitUntil(lambda: window.acquisition is not None, timeout=5000)
    qtbot.waitUntil(lambda: len(window.acquisition.buffer.snapshot()) > 200, timeout=5000)
    window.show_view("practice")
    return window


def test_tare_in_practice_counts_down_and_says_where_the_hand_moved(
    qtbot, themed_app, references
) -> None:
    from PySide6 import QtCore

    # A hand that keeps moving: tare must fail, and say so in Practice, in words.
    window = _streaming_window(qtbot, references, level_n=3.0, noise_n=2.0)
    view = window.practice_view
    window.connect_controller.tare_countdown_s = 2
    try:
        assert not view.tare_note.isVisible()
        window.activateWindow()
        qtbot.keyClick(window, QtCore.Qt.Key.Key_T)
        assert view.tare_note.isVisible()
        assert view.tare_note.text() == "Hold still… zeroing in 2"
        qtbot.keyClick(window, QtCore.Qt.Key.Key_T)  # a second press does not restart it
        qtbot.waitUntil(lambda: view.tare_note.text().endswith("in 1"), timeout=3000)
        qtbot.waitUntil(lambda: view.tare_note.text().startswith("Not zeroed"), timeout=5000)
        text = view.tare_note.text()
        assert "channel" not in text and "press T again" in text
        names = [s.name.replace("_", " ") for s in window.acquisition.profile.sensors]
        assert any(f"the {name} sensor" in text for name in names), text
        assert window.connect_view.tare_message.text() == text  # the same in Connect
    finally:
        window.close()


def test_tare_in_practice_confirms_a_still_hand(qtbot, themed_app, references) -> None:
    window = _streaming_window(qtbot, references, level_n=0.2)
    view = window.practice_view
    window.connect_controller.tare_countdown_s = 1
    try:
        window.connect_controller.request_tare()
        assert view.tare_note.text() == "Hold still… zeroing in 1"
        qtbot.waitUntil(lambda: view.tare_note.text() == "Sensors zeroed.", timeout=5000)
    finally:
        window.close()


def test_status_bar_speaks_plainly_about_live_scoring(qtbot, themed_app, references) -> None:
    from dataclasses import replace

    services = replace(make_services(open_source, references), warm_up=lambda: None)
    window = MainWindow(services, frame_interval_ms=10)
    qtbot.addWidget(window)
    window.show()
    try:
        qtbot.waitUntil(lambda: window.warm_done, timeout=5000)
        assert window.warm
        assert "lignment" not in window.warm_label.text()
        assert window.warm_label.text() == ""  # nothing left to wait for
        assert window.statusBar().currentMessage() == "Live scoring ready."
    finally:
        window.close()


def test_demo_screenshot_shows_every_stroke_the_summary_counts(
    qtbot, themed_app, references, tmp_path, monkeypatch
) -> None:
    from trainer.ui.runner import DemoOptions, run_demo

    headings: list[str] = []
    real_grab = MainWindow.grab

    def grab(self, *args):
        headings.append(self.practice_view.cards[0].heading.text())
        return real_grab(self, *args)

    monkeypatch.setattr(MainWindow, "grab", grab)
    shot = tmp_path / "demo.png"
    result = run_demo(
        make_services(open_source, references),
        DemoOptions(seconds=7.0, speed=4.0, screenshot=shot, quit_at_end=True, timeout_s=60),
    )
    assert shot.is_file() and result.screenshot == str(shot)
    assert len(result.strokes) >= 3
    assert headings[-1] == f"Stroke {len(result.strokes)}"


def test_the_probe_offer_fits_beside_the_work_at_1024x600(qtbot, themed_app, references) -> None:
    from types import SimpleNamespace

    from PySide6 import QtCore, QtWidgets

    from sensors.sources.base import SourceState, SourceStatus
    from trainer.live import AcquisitionEvent, EventKind

    window = _streaming_window(qtbot, references)
    window.resize(1024, 600)
    view = window.practice_view
    score = SimpleNamespace(
        overall=81.0, start_s=0.0, path=None, deductions=[],
        components={"shape": 90.0, "pressure": 75.0, "tempo": 85.0, "smoothness": 88.0},
    )  # fmt: skip
    try:
        qtbot.waitUntil(view.can_start, timeout=5000)
        window.toggle_session()
        event = AcquisitionEvent(
            EventKind.STROKE, SourceStatus(SourceState.STREAMING), payload=score
        )
        window.practice_controller.on_event(event)
        window.toggle_session()
        assert view.offering_probe and view.probe_button.isEnabled()
        area = window.stack.currentWidget()

        # Once laid out, the page still fits (no scrolling) and so does the offer's text.
        def fits() -> bool:
            return area.verticalScrollBar().maximum() == 0 and _text_fits(view.probe_text)

        qtbot.waitUntil(fits, timeout=3000)
        card = view.probe_offer.parentWidget()
        kids = [
            w
            for w in card.findChildren(
                QtWidgets.QWidget, options=QtCore.Qt.FindChildOption.FindDirectChildrenOnly
            )
            if w.isVisible()
        ]
        assert view.probe_offer in kids and view.cue in kids and not view.cue_hint.isVisible()
        for i, a in enumerate(kids):
            for b in kids[i + 1 :]:
                assert a.geometry().intersected(b.geometry()).isEmpty(), (a, b)
        for button in (view.probe_button, view.probe_later):
            corner = button.mapTo(window, QtCore.QPoint(0, 0))
            assert window.rect().contains(QtCore.QRect(corner, button.size()))
        window.activateWindow()
        qtbot.keyClick(window, QtCore.Qt.Key.Key_P)  # P takes the offer
        assert view.running and view.probe and not view.offering_probe
        assert view.cue_hint.isVisible()
    finally:
        window.close()


def test_the_plot_keeps_its_size_while_cues_cards_and_summary_change(
    qtbot, themed_app, references
) -> None:
    """A stroke's words, cards and summary do not resize the plot (each resize relaid out
    and repainted both plots whole: a frame of tens of milliseconds, and a jumping plot).
    Only a card that needs more lines grows the score row, once, and it stays so."""
    from types import SimpleNamespace

    from trainer.scoring import Cue

    def score(i: int, *messages: str) -> SimpleNamespace:
        deductions = [SimpleNamespace(code=f"d{k}", message=m, points=2.0) for k, m in
                      enumerate(messages)]  # fmt: skip
        return SimpleNamespace(overall=70.0 + i, start_s=0.0, path=None, deductions=deductions,
                               components={"shape": 90.0, "pressure": 75.0})  # fmt: skip

    def settle() -> None:
        for _ in range(5):
            themed_app.processEvents()

    window = _streaming_window(qtbot, references)
    window.resize(1280, 800)
    view = window.practice_view
    try:
        qtbot.waitUntil(view.can_start, timeout=5000)
        window.toggle_session()
        settle()
        plot_size, side_width = view.plot.size(), view.cue.width()
        base: dict[str, Any] = dict(t=1.0, position=40, band_ahead=(np.ones(5), np.ones(5) * 2))
        texts = set()
        for i, cues in enumerate([(), (Cue.EASE_OFF,), (Cue.PRESS_HARDER,), ()]):
            view._show_cues(
                LiveState(active=bool(cues), progress=0.2 * i, cues=cues, strokes=i, **base)
            )
            view.add_score(score(i, "too light at the end: 3 N", "rushed"))
            view.show_tare("ok" if i % 2 else "failed", "Tared." if i % 2 else "Hold still " * i)
            texts.add(view.cue.text())
            settle()
            assert view.plot.size() == plot_size, (i, view.cue.text())
            assert view.cue.width() == side_width
        assert len(texts) >= 3 and sum(card.isVisible() for card in view.cards) == 3
        # Two long deductions: the row grows to show them whole, never clipped...
        long = ("too heavy at the start of the stroke and all along it: 4 N",
                "stroke shape differs from the reference in its middle third, most")  # fmt: skip
        view.add_score(score(9, *long))
        settle()
        card = view.cards[0]
        assert card.height() >= card.heightForWidth(card.width())
        grown = view.plot.size()
        assert grown.width() == plot_size.width() and grown.height() < plot_size.height()
        # ...and stays so for the set: the plot does not jump back with the next card.
        view.add_score(score(10, "rushed"))
        settle()
        assert view.plot.size() == grown
    finally:
        window.close()
