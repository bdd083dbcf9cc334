"""Who is practising, in the window (issue 20): top bar, Practice, History, Instructor."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fakes import make_services
from person_sessions import finished_session  # type: ignore[import-not-found]
from PySide6 import QtCore

from sensors.sources import open_source
from trainer.app import make_recorder
from trainer.store.database import Store
from trainer.store.sessions import SessionRecording
from trainer.ui.history_view import EVERYONE
from trainer.ui.main_window import MainWindow


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "home") as store:
        yield store


def _window(qtbot, references, store: Store, *, settings=None, user=None) -> MainWindow:
    services = replace(
        make_services(open_source, references),
        open_store=lambda: store,
        make_recorder=make_recorder,
        user=user,
    )
    window = MainWindow(services, settings=settings, frame_interval_ms=10)
    window.owns_store = False  # the test reads the same store afterwards
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.store is not None and window.references_loaded, timeout=5000)
    return window


def _people_read(window: MainWindow, count: int):
    return lambda: len(window.people_controller.people) == count


def _choose(window: MainWindow, name: str) -> None:
    """The second of the two clicks: a name in the open "Switch person" menu."""
    (action,) = [a for a in window.people_bar.menu.actions() if a.data() == name]
    action.trigger()


def _record_one(qtbot, window: MainWindow) -> int:
    """Start a practice session, wait for its row, stop it; return its id."""
    qtbot.waitUntil(window.practice_view.can_start, timeout=5000)
    window.toggle_session()
    assert window.practice_view.running
    qtbot.waitUntil(lambda: getattr(window.recorder, "session_id", None) is not None, timeout=5000)
    recorder = window.recorder
    assert isinstance(recorder, SessionRecording) and recorder.session_id is not None
    sid = recorder.session_id
    window.toggle_session()
    return sid


def test_switching_person_changes_who_practice_records(qtbot, themed_app, references, store):
    store.add_person("Ana")
    store.add_person("Bo")
    window = _window(qtbot, references, store)
    try:
        qtbot.waitUntil(_people_read(window, 2), timeout=5000)
        assert window.people_bar.names == ["Ana", "Bo"]
        window.connect_source(window.connect_view.choice())
        qtbot.waitUntil(lambda: window.acquisition is not None, timeout=5000)
        qtbot.waitUntil(lambda: window.warm_done, timeout=30000)

        _choose(window, "Bo")
        assert window.person == "Bo" and window.people_bar.who.text() == "Practising:\nBo"
        first = _record_one(qtbot, window)
        _choose(window, "Ana")
        assert window.person == "Ana"
        second = _record_one(qtbot, window)
        assert (store.session(first).user, store.session(second).user) == ("Bo", "Ana")
        assert window.instructor_view.author.text() == "Ana"  # takes record the performer
        # The shortcut opens the same menu.
        qtbot.keyClick(window, QtCore.Qt.Key.Key_U, QtCore.Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(window.people_bar.menu.isVisible, timeout=2000)
        window.people_bar.menu.close()
    finally:
        window.close()


def test_history_shows_each_persons_sessions_apart(
    qtbot, themed_app, references, store, effleurage_capture
):
    ana = [finished_session(store, "Ana", effleurage_capture) for _ in range(2)]
    bo = finished_session(store, "Bo", effleurage_capture)
    store.add_person("Mr Ruiz", "instructor")
    window = _window(qtbot, references, store, user="ana")
    history = window.history_view
    try:
        qtbot.waitUntil(lambda: window.person == "Ana", timeout=5000)
        qtbot.waitUntil(lambda: [s.id for s in history.sessions] == ana, timeout=5000)
        assert history.person.isHidden()  # a student sees their own only
        _choose(window, "Bo")
        qtbot.waitUntil(lambda: [s.id for s in history.sessions] == [bo], timeout=5000)
        assert history.table.item(0, 8).text() == "Bo"

        # An instructor sees their own by default, and may pick anyone or everyone.
        _choose(window, "Mr Ruiz")
        qtbot.waitUntil(lambda: history.sessions == [] and history.loads > 2, timeout=5000)
        assert not history.person.isHidden()
        history.person.setCurrentIndex(history.person.findText(EVERYONE))
        qtbot.waitUntil(lambda: len(history.sessions) == 3, timeout=5000)
        history.person.setCurrentIndex(history.person.findData("Ana"))
        qtbot.waitUntil(lambda: [s.id for s in history.sessions] == ana, timeout=5000)

        # A rename shows in the menu, the person filter and the sessions' Person column.
        store.rename_person("Ana", "Ana Lopez")
        window.people_controller.load()  # as when the store is opened again
        qtbot.waitUntil(lambda: "Ana Lopez" in window.people_bar.names, timeout=5000)
        assert "Ana" not in window.people_bar.names
        history.person.setCurrentIndex(history.person.findData("Ana Lopez"))
        qtbot.waitUntil(lambda: [s.user for s in history.sessions] == ["Ana Lopez"] * 2)
        assert [s.id for s in history.sessions] == ana
        assert history.table.item(0, 8).text() == "Ana Lopez"
    finally:
        window.close()


def test_first_run_asks_who_practises_and_refuses_bad_names(
    qtbot, themed_app, references, store, tmp_path
):
    settings = QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)
    window = _window(qtbot, references, store, settings=settings)
    bar = window.people_bar
    try:
        qtbot.waitUntil(lambda: bar.asking, timeout=5000)
        bar.name_edit.setText("  \x07 ")
        bar.add_button.click()
        qtbot.waitUntil(lambda: "control characters" in bar.error.text(), timeout=5000)
        assert bar.asking and store.people() == []
        bar.name_edit.setText("  Ana  ")
        bar.add_button.click()
        qtbot.waitUntil(lambda: window.person == "Ana", timeout=5000)
        assert not bar.asking and [p.name for p in store.people()] == ["Ana"]
        assert settings.value("people/current") == "Ana"
    finally:
        window.close()


def test_skipping_the_first_run_question_practises_as_guest(
    qtbot, themed_app, references, store, tmp_path
):
    settings = QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)
    window = _window(qtbot, references, store, settings=settings)
    try:
        qtbot.waitUntil(lambda: window.people_bar.asking, timeout=5000)
        window.people_bar.skip_button.click()
        qtbot.waitUntil(lambda: window.person == "Guest", timeout=5000)
        assert [p.name for p in store.people()] == ["Guest"]
    finally:
        window.close()


def test_the_instructor_built_late_shows_the_author_it_would_have(
    qtbot, themed_app, references, store, tmp_path
) -> None:
    """The Instructor is built on first use: its author field then shows what following
    the performer since start-up put there (never over a typed or remembered name)."""
    store.add_person("Ana")
    store.add_person("Bo")
    settings = QtCore.QSettings(str(tmp_path / "s.ini"), QtCore.QSettings.Format.IniFormat)
    settings.setValue("instructor/author", "Ana")  # who recorded the last take
    window = _window(qtbot, references, store, settings=settings, user="bo")
    try:
        qtbot.waitUntil(lambda: window.person == "Bo", timeout=5000)
        window.switch_person("Ana")  # the remembered name is now the performer's...
        assert window.person == "Ana"
        window.switch_person("Bo")  # ...so the next performer replaces it
        assert window.person == "Bo" and window._instructor is None
        assert window.instructor_view.author.text() == "Bo"
    finally:
        window.close()

    settings.setValue("instructor/author", "Carla")  # not a performer: kept
    window = _window(qtbot, references, store, settings=settings, user="bo")
    try:
        qtbot.waitUntil(lambda: window.person == "Bo", timeout=5000)
        window.switch_person("Ana")
        assert window.instructor_view.author.text() == "Carla"
        window.switch_person("Bo")  # built now: the field itself follows
        assert window.instructor_view.author.text() == "Carla"
        window.instructor_view.author.setText("")
        window.switch_person("Ana")
        assert window.instructor_view.author.text() == "Ana"
    finally:
        window.close()
