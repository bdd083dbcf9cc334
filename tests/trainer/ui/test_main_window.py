"""The main window: two clicks to practise, shortcuts, remembered choices, honest stubs."""

from __future__ import annotations

from fakes import make_services
from PySide6 import QtCore

from sensors.sources import open_source
from trainer.ui.main_window import LAZY_VIEWS, VIEWS, MainWindow


def _window(qtbot, references, settings=None, **kw) -> MainWindow:
    window = MainWindow(
        make_services(open_source, references, **kw), settings=settings, frame_interval_ms=10
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.references_loaded and window.warm_done, timeout=5000)
    return window


def test_first_time_user_practises_on_the_simulated_glove_in_two_clicks(
    qtbot, themed_app, references
) -> None:
    window = _window(qtbot, references)
    try:
        assert window.current_view == "connect"
        assert window.connect_view.sim_radio.isChecked()  # the default needs no choice
        qtbot.mouseClick(window.connect_view.connect_button, QtCore.Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.current_view == "practice", timeout=5000)
        start = window.practice_view.start_button
        qtbot.waitUntil(start.isEnabled, timeout=5000)
        qtbot.mouseClick(start, QtCore.Qt.MouseButton.LeftButton)
        assert window.practice_view.running
        assert window.practice_view.current_reference().name == "effleurage-starter"
        qtbot.waitUntil(lambda: window.frames > 5, timeout=5000)
    finally:
        window.close()


def test_keyboard_shortcuts(qtbot, themed_app, references) -> None:
    window = _window(qtbot, references)
    # T starts the countdown; one second of it, not the default three, to wait out below.
    window.connect_controller.tare_countdown_s = 1
    try:
        window.activateWindow()
        window.connect_source(window.connect_view.choice())
        qtbot.waitUntil(lambda: window.acquisition is not None, timeout=5000)
        window.show_view("practice")
        qtbot.waitUntil(window.practice_view.can_start, timeout=5000)
        qtbot.keyClick(window, QtCore.Qt.Key.Key_Space)
        assert window.practice_view.running
        qtbot.keyClick(window, QtCore.Qt.Key.Key_Space)
        assert not window.practice_view.running
        assert window.practice_view.summary.title.text() == "Session summary"
        qtbot.keyClick(window, QtCore.Qt.Key.Key_T)
        assert window.connect_view.tare_message.text().startswith("Hold still…")
        qtbot.waitUntil(
            lambda: not window.connect_view.tare_message.text().startswith("Hold still"),
            timeout=8000,
        )
        # N cycles through the references offered (one per technique here: stays put).
        before = window.practice_view.reference.currentIndex()
        qtbot.keyClick(window, QtCore.Qt.Key.Key_N)
        assert window.practice_view.reference.currentIndex() == before
        qtbot.keyClick(window, QtCore.Qt.Key.Key_3, QtCore.Qt.KeyboardModifier.ControlModifier)
        assert window.current_view == "instructor"
    finally:
        window.close()


def test_window_remembers_geometry_view_and_choices(qtbot, themed_app, references, tmp_path):
    path = str(tmp_path / "settings.ini")
    settings = QtCore.QSettings(path, QtCore.QSettings.Format.IniFormat)
    window = _window(qtbot, references, settings)
    window.resize(1111, 777)
    themed_app.processEvents()
    window.connect_view.technique.setCurrentText("friction")
    window.connect_view.profile.setCurrentText("diy-fsr5")
    window.connect_source(window.connect_view.choice())
    window.practice_view.technique.setCurrentText("tapotement")
    window.practice_view.feedback.setCurrentIndex(1)
    window.show_view("history")
    qtbot.waitUntil(lambda: window.acquisition is not None, timeout=5000)
    window.practice_view.feedback.setCurrentIndex(2)
    window.remember("practice/feedback", 2)
    window.close()

    again = _window(qtbot, references, QtCore.QSettings(path, QtCore.QSettings.Format.IniFormat))
    try:
        saved = QtCore.QSettings(path, QtCore.QSettings.Format.IniFormat).value("window/geometry")
        assert isinstance(saved, QtCore.QByteArray) and not saved.isEmpty()
        # The offscreen screen is 800 px wide, so Qt squeezes the width back to the
        # window's minimum; the height (default 800) shows the saved geometry came back.
        assert abs(again.height() - 777) <= 5
        assert again.current_view == "history"
        # The simulated glove follows the practised technique, and that was remembered.
        assert again.connect_view.choice().spec == "sim:tapotement?profile=diy-fsr5"
        assert again.practice_view.technique.currentText() == "tapotement"
        assert again.practice_view.feedback.currentIndex() == 2
        assert again.acquisition is None  # remembered, not auto-connected
    finally:
        again.close()


def test_views_without_a_store_say_so(qtbot, themed_app, references) -> None:
    window = _window(qtbot, references, coach=False)
    try:
        assert [window.nav.item(i).text() for i in range(window.nav.count())] == [
            label for _, label in VIEWS
        ]
        # These services have no session store: history and replay say why.
        assert "no session store" in window.history_view.subtitle.text()
        window.open_replay("S1")
        assert window.current_view == "replay"
        assert "needs the session store" in window.replay_view.message.text()
        # Without a scorer the practice view plots but does not offer a session.
        assert window.warm_label.text() == "Scoring unavailable"
        assert not window.practice_view.can_start()
    finally:
        window.close()


def test_no_widget_opens_a_window_of_its_own(qtbot, themed_app, references) -> None:
    """Building the window, and each view on first showing it (those of ``LAZY_VIEWS``
    are built then), shows no widget before it has a parent: such a widget opened (and
    closed) a window of its own, which took the focus from the app's window."""
    from PySide6 import QtWidgets

    strays: list[str] = []

    class Spy(QtCore.QObject):
        def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
            if (
                event.type() == QtCore.QEvent.Type.Show
                and isinstance(watched, QtWidgets.QWidget)
                and watched.isWindow()
                and not isinstance(watched, MainWindow)
            ):
                strays.append(f"{type(watched).__name__} {watched.objectName()!r}")
            return False

    spy = Spy()
    themed_app.installEventFilter(spy)
    try:
        window = _window(qtbot, references)
        try:
            for key, _ in VIEWS:
                window.show_view(key)
                themed_app.processEvents()
                area = window.stack.currentWidget()
                assert isinstance(area, QtWidgets.QScrollArea) and area.widget(), key
        finally:
            window.close()
    finally:
        themed_app.removeEventFilter(spy)
    assert not strays, strays


def test_lazy_views_are_built_on_first_use(qtbot, themed_app, references, tmp_path) -> None:
    """Instructor, Replay, History and Rate cost nothing until shown; built late, they
    show what they would have been told meanwhile (the store, the person, a session)."""
    from dataclasses import replace

    from PySide6 import QtWidgets

    from trainer.store.database import Store
    from trainer.store.takes import TakeShelf

    home = tmp_path / "home"
    services = replace(
        make_services(open_source, references),
        open_store=lambda: Store(home),
        open_takes=lambda: TakeShelf(home),
    )
    assert set(LAZY_VIEWS) == {"instructor", "replay", "history", "rate"}
    window = MainWindow(services, frame_interval_ms=10)
    qtbot.addWidget(window)

    def holds(key: str) -> bool:
        area = window.stack.widget([k for k, _ in VIEWS].index(key))
        assert isinstance(area, QtWidgets.QScrollArea)
        return area.widget() is not None

    try:
        # The store opens and the person is read with no lazy view built.
        with qtbot.waitSignal(window.people_controller.changed, timeout=5000):
            pass
        assert window.store is not None and window.person
        assert set(window._built) == {"connect", "practice"}
        assert not any(holds(key) for key in LAZY_VIEWS)
        # A session ends before History is first shown (its recorder still finishing):
        # History, built at once, reads the sessions, and again once it is written.
        window.practice_controller.session_ended.emit()
        window.show_view("history")
        assert holds("history") and set(window._built) == {"connect", "practice", "history"}
        history = window.history_view
        assert history.person_filter() == window.person  # the person's sessions
        qtbot.waitUntil(lambda: history.loads == 1, timeout=5000)
        assert "No sessions yet" in history.subtitle.text()
        qtbot.waitUntil(lambda: history.loads == 2, timeout=5000)
        # The Instructor: its takes open with it, the performer is the takes' author.
        assert "instructor" not in window._built
        window.show_view("instructor")
        assert holds("instructor")
        qtbot.waitUntil(lambda: window.takes is not None, timeout=5000)
        assert window.instructor_view.author.text() == window.person
        # Reading an attribute builds the view too (as screenshots of every page do).
        assert window.rate_view is window._pages["rate"] and holds("rate")
        assert set(window._pages) == {key for key, _ in VIEWS} and holds("replay")
    finally:
        window.close()
