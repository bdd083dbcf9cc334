"""The Rate view: blind, keyboard-first rating of stored attempts (pytest-qt, real widgets)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pyqtgraph as pg
import pytest
from fakes import FakeShell, ManualJobs
from PySide6 import QtCore, QtWidgets

from trainer.store.database import Store
from trainer.ui.controllers.base import StoreSlot
from trainer.ui.controllers.rate import RateController, draw_round
from trainer.ui.rate_view import RateView, install_note_escape


@pytest.fixture(scope="module")
def recorded(practised_home) -> Path:
    home, _ = practised_home("rate-ui")
    return home


def _texts(view: QtWidgets.QWidget) -> list[str]:
    """Every text a rater could see: widgets, their items, and the plots' graphics text."""
    out = [view.windowTitle()]
    for w in view.findChildren(QtWidgets.QWidget):
        if not w.isVisibleTo(view):
            continue
        for attr in ("text", "placeholderText", "toolTip", "windowTitle", "title", "suffix"):
            getter = getattr(w, attr, None)
            if callable(getter):
                try:
                    value = getter()
                except TypeError:
                    continue
                if isinstance(value, str):
                    out.append(value)
        if isinstance(w, QtWidgets.QComboBox):
            out += [w.itemText(i) for i in range(w.count())]
        if isinstance(w, QtWidgets.QListWidget):
            out += [w.item(i).text() for i in range(w.count())]
        if isinstance(w, pg.GraphicsView):
            for item in w.scene().items():
                if isinstance(item, QtWidgets.QGraphicsTextItem):
                    out.append(item.toPlainText())
                elif isinstance(item, pg.LabelItem):
                    out.append(item.text)
    return [t for t in out if t]


def _assert_blind(view: RateView, attempt, student: str, static: set[str]) -> None:
    texts = _texts(view)
    # The fault-tag boxes name the vocabulary the rater picks from (the same for every
    # attempt); none may come ticked, and no other text may name the program's faults.
    assert not any(box.isChecked() for box in view.tag_boxes.values())
    vocabulary = {box.text() for box in view.tag_boxes.values()}
    joined = "\n".join(t for t in texts if t not in vocabulary).lower()
    assert "real time" in joined and "stroke, warped" in joined  # the plots' text is read too
    assert "score" not in joined and "deduct" not in joined and "points" not in joined
    overall = attempt.score.overall
    for number in {f"{overall:.1f}", f"{overall:.0f}"}:
        assert not re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", joined), number
    for d in attempt.score.deductions:
        assert d.message.lower() not in joined
        assert d.code.lower() not in joined and d.code.replace("_", " ") not in joined
        assert f"{d.points:.1f}" not in joined
    for name, value in attempt.components.items():
        if value is not None:
            assert not re.search(rf"(?<![\d.]){value:.1f}(?![\d])", joined), name
    # Nor who it was: the student's name is in no text the round added to the view.
    dynamic = "\n".join(t for t in texts if t not in static).lower()
    assert student.lower() not in dynamic


def test_a_rating_round_is_blind_keyboard_first_and_stored(qtbot, themed_app, recorded) -> None:
    with Store(recorded) as store:
        attempts = {a.id: a for a in store.find_attempts()}
        assert len(attempts) >= 3
        view = RateView(["effleurage"])
        install_note_escape(view)
        qtbot.addWidget(view)
        view.resize(1200, 700)
        view.show()
        static = set(_texts(view))  # the setup row, before any attempt is shown
        students = {s.id: s.user for s in store.sessions()}
        jobs, shell = ManualJobs(), FakeShell()
        ctl = RateController(view, jobs, shell, StoreSlot(store=store, error="", done=True),
                             rng=lambda rater: random.Random(rater))  # fmt: skip
        view.rater.setText("ana")
        view.count.setValue(3)
        qtbot.mouseClick(view.start_button, QtCore.Qt.MouseButton.LeftButton)
        jobs.run()
        assert ctl.current is not None and view.active
        shown_order = []
        keys = [("7", "r"), ("1", "0"), ("0", "")]  # 7 + rushed; 10; 0
        for first, second in keys:
            shown_order.append(ctl.current)
            shown = attempts[ctl.current]
            _assert_blind(view, shown, students[shown.session_id], static)
            view.setFocus()
            qtbot.keyClick(view, first)
            if second:
                qtbot.keyClick(view, second)
            if (first, second) == ("1", "0"):
                assert view.rating_label.text() == "10"
                view.note.setFocus()
                qtbot.keyClicks(view.note, "smooth")
                qtbot.keyClick(view.note, QtCore.Qt.Key.Key_Escape)
                assert not view.note.hasFocus()
            qtbot.keyClick(view, QtCore.Qt.Key.Key_Return)
            jobs.run()
        assert not view.active and "Round finished: 3 of 3" in view.subtitle.text()
        ratings = store.ratings(raters=["ana"])
        assert [(r.attempt_id, r.rating, r.tags, r.note) for r in ratings] == [
            (shown_order[0], 7.0, ("rushed",), ""),
            (shown_order[1], 10.0, (), "smooth"),
            (shown_order[2], 0.0, (), ""),
        ]
        # Another round by the same rater leaves out what they rated; a retest brings it.
        view.count.setValue(50)
        qtbot.mouseClick(view.start_button, QtCore.Qt.MouseButton.LeftButton)
        jobs.run()
        assert set(ctl.queue).isdisjoint(shown_order)
        assert len(ctl.queue) == len(attempts) - 3
        # The filters: another student's attempts, or a date to come, give nothing.
        view.student.setText("nobody")
        qtbot.mouseClick(view.start_button, QtCore.Qt.MouseButton.LeftButton)
        jobs.run()
        assert "Nothing to rate" in view.subtitle.text() and "filters" in view.subtitle.text()
        view.student.clear()
        view.since.setText("last tuesday")
        qtbot.mouseClick(view.start_button, QtCore.Qt.MouseButton.LeftButton)
        assert "not a date" in view.subtitle.text()


def test_enter_without_a_rating_asks_for_one_and_window_keys_are_taken(
    qtbot, themed_app, recorded
) -> None:
    with Store(recorded) as store:
        view = RateView()
        qtbot.addWidget(view)
        view.show()
        jobs = ManualJobs()
        ctl = RateController(view, jobs, FakeShell(), StoreSlot(store=store, error="", done=True))
        ctl.start_round("ben", {}, 2, False)
        jobs.run()
        view.setFocus()
        qtbot.keyClick(view, QtCore.Qt.Key.Key_Return)
        assert "Type a rating" in view.progress.text() and not jobs.pending
        override = _key_event(QtCore.QEvent.Type.ShortcutOverride, QtCore.Qt.Key.Key_T)
        assert view.event(override) is False or not override.isAccepted()  # T: not a tag
        override = _key_event(QtCore.QEvent.Type.ShortcutOverride, QtCore.Qt.Key.Key_R)
        assert view.event(override) and override.isAccepted()  # R: rushed, not the window's


def _key_event(kind: QtCore.QEvent.Type, key: QtCore.Qt.Key):
    from PySide6 import QtGui

    event = QtGui.QKeyEvent(kind, key, QtCore.Qt.KeyboardModifier.NoModifier)
    event.ignore()
    return event


def test_no_store_and_nothing_to_rate_are_said(qtbot, themed_app, tmp_path) -> None:
    view = RateView()
    qtbot.addWidget(view)
    jobs = ManualJobs()
    ctl = RateController(view, jobs, FakeShell(), StoreSlot(error="database is corrupt", done=True))
    view.rater.setText("ana")
    view._start()
    assert "database is corrupt" in view.subtitle.text()
    with Store(tmp_path) as store:
        view.start_requested.disconnect(ctl.start_round)
        ctl2 = RateController(view, jobs, FakeShell(), StoreSlot(store=store, error="", done=True))
        view.start_requested.emit("ana", {"technique": "effleurage"}, 5, False)
        jobs.run()
    assert "Nothing to rate" in view.subtitle.text() and ctl2.queue == []


def test_draw_round_is_random_per_rater_and_skips_rated() -> None:
    ids = list(range(1, 41))
    a = draw_round(ids, set(), 10, random.Random("ana"), retest=False)
    b = draw_round(ids, set(), 10, random.Random("ben"), retest=False)
    assert a != b and len(set(a)) == 10
    assert set(draw_round(ids, set(ids[:35]), 10, random.Random(1), retest=False)) == set(ids[35:])
    assert len(draw_round(ids, set(ids), 10, random.Random(1), retest=True)) == 10


def test_the_window_has_a_rate_view_whose_keys_are_its_own(
    qtbot, themed_app, references, recorded
) -> None:
    from fakes import make_services

    from sensors.sources import open_source
    from trainer.ui.main_window import MainWindow

    window = MainWindow(make_services(open_source, references), frame_interval_ms=10)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    with Store(recorded) as store:
        window.owns_store = False
        window.store_slot.store, window.store_slot.error = store, ""
        try:
            assert window.nav.item(window.nav.count() - 1).text() == "Rate"
            window.show_view("rate")
            assert window.current_view == "rate"
            view = window.rate_view
            view.rater.setText("cat")
            view.count.setValue(1)
            qtbot.mouseClick(view.start_button, QtCore.Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: view.active, timeout=10_000)
            view.setFocus()
            for key in ("8", "j"):
                qtbot.keyClick(view, key)
            qtbot.keyClick(view, QtCore.Qt.Key.Key_Space)
            assert not window.practice_view.running  # Space starts no practice session here
            qtbot.keyClick(view, QtCore.Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: not window.jobs.busy and not view.active, timeout=10_000)
            ((rating, tags),) = [(r.rating, r.tags) for r in store.ratings(raters=["cat"])]
            assert (rating, tags) == (8.0, ("jerky",))
        finally:
            window.close()
