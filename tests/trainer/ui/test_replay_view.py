from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from trainer.store.database import Store
from trainer.store.replay import load_replay
from trainer.ui.replay_view import ReplayView


@pytest.fixture(scope="module")
def recorded(practised_home) -> Path:
    home, _ = practised_home("replay-ui")
    return home


@pytest.fixture
def replay_data(recorded):
    with Store(recorded, readonly=True) as store:
        attempt = store.attempts(1)[1]
        yield load_replay(store, f"A{attempt.id}")


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@contextlib.contextmanager
def _window_on(qtbot, recorded: Path) -> Iterator[Any]:
    """A main window on the recorded home's store (closed after)."""
    from fakes import make_services

    from sensors.sources import open_source
    from trainer.ui.main_window import MainWindow

    store = Store(recorded)
    window = MainWindow(make_services(open_source))
    window.owns_store = False
    qtbot.addWidget(window)
    window.store = store
    try:
        yield window
    finally:
        window.close()
        store.close()


def test_attempt_is_shown_in_real_and_warped_time(qtbot, themed_app, replay_data) -> None:
    view = ReplayView()
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    view.show_data(replay_data)
    assert view.attempt_list.count() == len(replay_data.attempts)
    assert view.attempt_list.currentRow() == replay_data.focus == 1
    x, _y = view.real.force.getData()
    assert x.size == replay_data.capture.n_samples
    _wx, wy = view.warped.force.getData()
    assert wy.size == replay_data.reference.length
    np.testing.assert_allclose(wy, replay_data.attempts[1].on_template)
    _, band_lo = view.warped.band_lo.getData()
    np.testing.assert_allclose(band_lo, replay_data.reference.band_lo)
    pins = [p for p in view.real.pins if p.isVisible()]
    assert len(pins) == len(replay_data.attempts[1].pins)
    for line, pin in zip(pins, replay_data.attempts[1].pins, strict=True):
        assert line.value() == pytest.approx(pin.t_s)
        assert line.label.toPlainText().startswith(f"−{pin.points:.1f}")
    assert view.card.isVisible() and view.card.overall.text() == (
        f"{replay_data.attempts[1].attempt.score.overall:.0f}"
    )
    # The playhead starts at the attempt.
    a = replay_data.attempts[1]
    assert view.position_s == pytest.approx(float(replay_data.t[a.first]))
    assert not view.grab().isNull()


def test_play_pause_seek_and_speed(qtbot, themed_app, replay_data) -> None:
    clock = _Clock()
    view = ReplayView(clock=clock)
    qtbot.addWidget(view)
    view.show_data(replay_data)
    start = view.position_s
    view.play()
    assert view.playing and view.play_button.text() == "Pause"
    view.advance(0.25)
    assert view.position_s == pytest.approx(start + 0.25)
    view.set_speed(2.0)
    assert view.speed_box.currentText() == "2×"
    warped_before = view.warped.playhead.value()
    view.advance(0.1)
    assert view.position_s == pytest.approx(start + 0.45)
    assert view.warped.playhead.value() >= warped_before  # monotone along the path
    view.pause()
    view.advance(1.0)
    assert view.position_s == pytest.approx(start + 0.45)  # paused: no motion
    view.seek(-50.0)
    assert view.position_s == pytest.approx(float(replay_data.t[0]))
    view.seek(1e9)
    view.play()  # at the end: plays again from the start
    assert view.position_s == pytest.approx(float(replay_data.t[0]))
    view.advance(1e6)
    assert not view.playing and view.position_s == pytest.approx(float(replay_data.t[-1]))
    assert view.slider.value() == view.slider.maximum()


def test_timer_drives_playback_for_many_frames(qtbot, themed_app, replay_data) -> None:
    view = ReplayView()
    qtbot.addWidget(view)
    view.resize(1100, 650)
    view.show()
    view.show_data(replay_data)
    view.set_speed(4.0)
    view.play()
    start = view.frames_drawn
    qtbot.waitUntil(lambda: view.frames_drawn - start >= 30, timeout=10_000)
    assert view.position_s > float(replay_data.t[replay_data.attempts[1].first])


def test_choosing_another_stroke_moves_the_view(qtbot, themed_app, replay_data) -> None:
    view = ReplayView()
    qtbot.addWidget(view)
    view.show_data(replay_data)
    view.attempt_list.setCurrentRow(3)
    a = replay_data.attempts[3]
    assert view.position_s == pytest.approx(float(replay_data.t[a.first]))
    lo, hi = view.real.plot.viewRange()[0]
    assert lo < float(replay_data.t[a.first]) < float(replay_data.t[a.stop - 1]) < hi
    _, wy = view.warped.force.getData()
    np.testing.assert_allclose(wy, a.on_template)


def test_main_window_opens_replays_and_reports_errors(qtbot, themed_app, recorded) -> None:
    with _window_on(qtbot, recorded) as window:
        with qtbot.waitSignal(window.replay_loaded, timeout=10_000):
            window.open_replay("S1")
        assert window.current_view == "replay"
        assert window.replay_view.data.session.id == 1
        window.open_replay("A999")
        view = window.replay_view
        qtbot.waitUntil(lambda: "No attempt 999" in view.message.text())
        # The session still drawn keeps its subtitle; the error is a line of its own,
        # in the window's words (no command line to type).
        assert view.subtitle.text().startswith("Session 1 ·") and view.data.session.id == 1
        assert not view.message.isHidden() and "massage-trainer" not in view.message.text()
        assert "History" in view.message.text()
        window.replay_view.target.setText("S1")
        with qtbot.waitSignal(window.replay_loaded, timeout=10_000):
            window.replay_view.target.returnPressed.emit()


def test_space_plays_after_history_opens_a_replay(qtbot, themed_app, recorded) -> None:
    from PySide6 import QtCore, QtWidgets

    with _window_on(qtbot, recorded) as window:
        window.show()
        window.activateWindow()
        qtbot.waitExposed(window)
        view = window.replay_view
        window.show_view("replay")
        view.target.setFocus()  # where the focus was left last time
        with qtbot.waitSignal(window.replay_loaded, timeout=10_000):
            window.history_view.replay_requested.emit("S1")  # History → Open in Replay
        assert view.message.isHidden()  # "Loading S1…" is gone
        focus = QtWidgets.QApplication.focusWidget()
        assert focus is not view.target
        qtbot.keyClick(focus or window, QtCore.Qt.Key.Key_Space)
        assert view.playing and view.target.text() == ""


def test_ids_of_three_digits_and_more_show_whole(qtbot, themed_app, replay_data) -> None:
    from dataclasses import replace

    attempts = tuple(
        replace(a, attempt=replace(a.attempt, id=a.attempt.id + 12_340))
        for a in replay_data.attempts
    )
    view = ReplayView()
    qtbot.addWidget(view)
    view.resize(1024, 560)
    view.show()
    view.show_data(replace(replay_data, attempts=attempts))
    themed_app.processEvents()
    lst = view.attempt_list
    room = lst.viewport().width()
    for i in range(lst.count()):
        text = lst.item(i).text()
        assert "(A1234" in text
        assert lst.fontMetrics().horizontalAdvance(text) + 8 <= room, text


def test_axes_stay_in_seconds_and_newtons(qtbot, themed_app, replay_data) -> None:
    view = ReplayView()
    qtbot.addWidget(view)
    view.resize(1100, 650)
    view.show()
    view.show_data(replay_data)
    themed_app.processEvents()
    assert replay_data.reference.length / replay_data.reference.fs_hz < 1.0  # a short stroke
    for plot in (view.real.plot, view.warped.plot):
        bottom = plot.getAxis("bottom")
        assert bottom.labelUnitPrefix == "" and "(s)" in bottom.labelString()
        assert "(N)" in plot.getAxis("left").labelString()


def test_replay_fits_a_1024x600_window_without_sideways_scrolling(
    qtbot, themed_app, recorded
) -> None:
    # The strokes list (as wide as its longest line), the plots and the side column once
    # needed 7 px more than a 1024-px window gives a page: a sideways scroll bar showed.
    from dataclasses import replace

    from PySide6 import QtCore, QtWidgets

    with _window_on(qtbot, recorded) as window:
        window.show()
        window.resize(1024, 600)
        with qtbot.waitSignal(window.replay_loaded, timeout=10_000):
            window.open_replay("S1")
        view = window.replay_view
        # Attempt ids of five digits, as a year of practice gives: the widest list.
        data = view.data
        view.show_data(
            replace(
                data,
                attempts=tuple(
                    replace(a, attempt=replace(a.attempt, id=a.attempt.id + 12_340))
                    for a in data.attempts
                ),
            )
        )
        for _ in range(3):
            themed_app.processEvents()
        assert window.size() == QtCore.QSize(1024, 600)
        assert view.attempt_list.item(0).text().endswith("(A12341)")
        area = window.stack.currentWidget()
        assert isinstance(area, QtWidgets.QScrollArea)
        assert area.horizontalScrollBar().maximum() == 0
