"""The main window: it composes the five views and their controllers, and owns the window.

The window has the navigation, the status bar, the shortcuts, the settings and the frame
timer that ticks the controllers. What each view does lives in its controller
(:mod:`trainer.ui.controllers`); the window implements the
:class:`~trainer.ui.controllers.base.Shell` they ask.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6 import QtCore, QtGui, QtWidgets

from trainer.live import EventKind
from trainer.ui.connect_view import ConnectView
from trainer.ui.controllers import (
    ConnectController,
    HistoryController,
    InstructorController,
    Jobs,
    PracticeController,
    ReplayController,
    StoreOpener,
    StoreSlot,
)
from trainer.ui.controllers.people import PeopleController
from trainer.ui.controllers.rate import RateController
from trainer.ui.history_view import HistoryView
from trainer.ui.instructor_view import InstructorView
from trainer.ui.page_scroll import hold, scrolling
from trainer.ui.people_bar import PeopleBar
from trainer.ui.plots import FrameCounter, FramePacer
from trainer.ui.practice_view import PracticeView
from trainer.ui.rate_view import RateView, install_note_escape
from trainer.ui.replay_view import ReplayView
from trainer.ui.services import Services, SourceChoice

if TYPE_CHECKING:
    from trainer.live import Acquisition, SessionRecorder
    from trainer.store.database import Store
    from trainer.store.takes import TakeShelf

__all__ = ["VIEWS", "MainWindow", "scrolling"]

#: Navigation entries: (key, label).
VIEWS = (
    ("connect", "Connect"),
    ("practice", "Practice"),
    ("instructor", "Instructor"),
    ("replay", "Replay"),
    ("history", "History"),
    ("rate", "Rate"),
)

#: Views built on first use (shown, or reached through the window): they cost the most
#: to build (their plots). What they would show before then is kept outside them (the
#: store slot, the person, the Instructor's author) and shown when they are built.
LAZY_VIEWS = ("instructor", "replay", "history", "rate")


class MainWindow(QtWidgets.QMainWindow):
    """The app window: Connect, Practice, Instructor, Replay, History.

    One :class:`QtCore.QTimer` (the frame timer) drives everything: it collects worker
    results, hands the acquisition's events to the controllers, and lets each controller
    draw its view (the visible one redraws from a ring-buffer snapshot). Nothing it
    calls blocks on the glove, the disk or numba.

    Parameters
    ----------
    services : Services
        Injected dependencies (source factory, references, scorer, scan, store).
    settings : QtCore.QSettings or None
        Where geometry and last choices persist; ``None`` persists nothing.
    frame_interval_ms : int or None
        A fixed frame timer period; ``None`` (the app's): 16 ms (60 frames a second) while
        frames cost little, 33 ms when they do not (:class:`~trainer.ui.plots.FramePacer`).
    window_s : float
        Seconds of samples kept in the acquisition's ring buffer.

    Attributes
    ----------
    connect_controller, practice_controller, instructor_controller, replay_controller, \
    history_controller
        The controllers (:mod:`trainer.ui.controllers`).
    connect_view, practice_view, instructor_view, replay_view, history_view, rate_view
        The views. Instructor, Replay, History and Rate (and their controllers) are built
        on first use: when shown, or when one of these attributes is first read
        (:data:`LAZY_VIEWS`).
    store_opener
        Opens the session store at start-up (:class:`StoreOpener`).

    Signals
    -------
    source_finished()
        The source has no more samples (end of a capture or of a timed simulation).
    frame_drawn()
        The practice plot was given new data this frame.
    closing()
        The window is about to close (the acquisition is still there).
    store_ready()
        The session store opened (history and replay can read it).
    replay_loaded()
        :meth:`open_replay` finished loading and the replay view shows it.
    """

    source_finished = QtCore.Signal()
    store_ready = QtCore.Signal()
    replay_loaded = QtCore.Signal()
    frame_drawn = QtCore.Signal()
    closing = QtCore.Signal()

    def __init__(
        self,
        services: Services,
        *,
        settings: QtCore.QSettings | None = None,
        frame_interval_ms: int | None = None,
        window_s: float = 15.0,
    ) -> None:
        super().__init__()
        self.services = services
        self.settings = settings
        self.setWindowTitle("massage-trainer")
        self.frames = 0
        self._shown_once = False
        self.fps = FrameCounter()
        #: Close the store with the window (tests sharing one store turn this off).
        self.owns_store = True
        self.jobs = Jobs()
        self.store_slot = StoreSlot()
        # The frame first: each page then joins a window already built, and its widgets
        # are styled once (moving a styled widget into another parent styles it again).
        self._build_window()
        self._compose(services, window_s)
        self._add_shortcuts()

        self.timer = QtCore.QTimer(self)
        self.timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        #: Picks the frame interval from what frames cost (``None``: a fixed one was asked).
        self.pacer = FramePacer() if frame_interval_ms is None else None
        self.timer.setInterval(self.pacer.interval_ms if self.pacer else frame_interval_ms or 33)
        self.timer.timeout.connect(self.tick)
        self._tick_began = 0.0  # perf_counter at the last frame's start
        self.connect_controller.samples_arrived.connect(self._on_samples)

        self.resize(1280, 800)
        self._restore_settings()
        self.fit_to_screen()
        self._start_background()
        self.timer.start()

    # -- composition --

    def _compose(self, services: Services, window_s: float) -> None:
        """Make the views and their controllers, and wire what one tells another.

        The views of :data:`LAZY_VIEWS` are made on first use (:meth:`_lazy_page`).
        """
        self.connect_view = ConnectView(
            services.simulated_techniques,
            services.profiles,
            ble_available=services.scan is not None,
        )
        self.practice_view = PracticeView(services.techniques)
        #: The pages built so far, by key (the lazy views join on first use).
        self._built: dict[str, QtWidgets.QWidget] = {
            "connect": self.connect_view,
            "practice": self.practice_view,
        }
        self._instructor: tuple[InstructorView, InstructorController] | None = None
        self._replay: tuple[ReplayView, ReplayController] | None = None
        self._history: tuple[HistoryView, HistoryController] | None = None
        self._rate: tuple[RateView, RateController] | None = None

        jobs, store = self.jobs, self.store_slot
        self.connect_controller = ConnectController(
            self.connect_view, services, jobs, self, window_s=window_s
        )
        self.practice_controller = PracticeController(
            self.practice_view,
            services,
            jobs,
            self,
            self.connect_controller,
            store,
            # No take runs before the Instructor view is built.
            take_running=lambda: self._instructor is not None and self._instructor[1].recording,
        )
        self.store_opener = StoreOpener(services, jobs, self, store)
        self.store_opener.finished.connect(self._store_opened)
        self.store_opener.store_ready.connect(self.store_ready)
        self.practice_controller.session_ended.connect(self._session_ended)
        self._compose_people(services)
        for key, page in self._built.items():
            hold(self._areas[key], page)

    def _lazy_page(self, key: str) -> None:
        """Build a view of :data:`LAZY_VIEWS` and its controller, once, into its page.

        A view built late is shown what it would have been told had it been built with
        the window (the remembered choices, the person, the store's state).
        """
        jobs, store = self.jobs, self.store_slot
        page: QtWidgets.QWidget
        if key == "instructor":
            if self._instructor is not None:
                return
            instructor_view = InstructorView(self.services.techniques)
            instructor = InstructorController(
                instructor_view,
                self.services,
                jobs,
                self,
                self.connect_controller,
                self.practice_controller,
            )
            self._instructor = instructor_view, instructor
            instructor.restore()  # the remembered technique and author
            if instructor_view.author.text() != self._author:  # the performer since
                instructor_view.author.setText(self._author)
            instructor.open_takes()
            page = instructor_view
        elif key == "history":
            if self._history is not None:
                return
            history_view = HistoryView(self.services.techniques)
            history = HistoryController(history_view, jobs, self, store)
            history_view.replay_requested.connect(self.open_replay)  # builds Replay
            self._history = history_view, history
            if self._people_known:
                # Whose sessions first, silently: show_store then reads them once.
                with QtCore.QSignalBlocker(history_view):
                    self._show_person_history(history)
            history.show_store()
            page = history_view
        elif key == "replay":
            if self._replay is not None:
                return
            replay_view = ReplayView()
            replay_controller = ReplayController(replay_view, jobs, self, store)
            replay_controller.loaded.connect(self.replay_loaded)
            self._replay = replay_view, replay_controller
            page = replay_view
        elif key == "rate":
            if self._rate is not None:
                return
            rate_view = RateView(self.services.techniques)  # blind ratings (issue 14)
            install_note_escape(rate_view)
            self._rate = rate_view, RateController(rate_view, jobs, self, store)
            page = rate_view
        else:
            return
        self._built[key] = page
        hold(self._areas[key], page)

    def _instructor_pair(self) -> tuple[InstructorView, InstructorController]:
        """Instructor's view and controller, built on first use."""
        self._lazy_page("instructor")
        assert self._instructor is not None
        return self._instructor

    def _history_pair(self) -> tuple[HistoryView, HistoryController]:
        """History's view and controller, built on first use."""
        self._lazy_page("history")
        assert self._history is not None
        return self._history

    def _replay_pair(self) -> tuple[ReplayView, ReplayController]:
        """Replay's view and controller, built on first use."""
        self._lazy_page("replay")
        assert self._replay is not None
        return self._replay

    def _rate_pair(self) -> tuple[RateView, RateController]:
        """Rate's view and controller, built on first use."""
        self._lazy_page("rate")
        assert self._rate is not None
        return self._rate

    @property
    def instructor_view(self) -> InstructorView:
        """The Instructor view (built on first use)."""
        return self._instructor_pair()[0]

    @property
    def instructor_controller(self) -> InstructorController:
        """The Instructor view's controller (built with the view on first use).

        It opens the instructor's takes when built.
        """
        return self._instructor_pair()[1]

    @property
    def history_view(self) -> HistoryView:
        """The History view (built on first use)."""
        return self._history_pair()[0]

    @property
    def history_controller(self) -> HistoryController:
        """The History view's controller (built with the view on first use)."""
        return self._history_pair()[1]

    @property
    def replay_view(self) -> ReplayView:
        """The Replay view (built on first use)."""
        return self._replay_pair()[0]

    @property
    def replay_controller(self) -> ReplayController:
        """The Replay view's controller (built with the view on first use)."""
        return self._replay_pair()[1]

    @property
    def rate_view(self) -> RateView:
        """The Rate view (built on first use)."""
        return self._rate_pair()[0]

    @property
    def rate_controller(self) -> RateController:
        """The Rate view's controller (built with the view on first use)."""
        return self._rate_pair()[1]

    @property
    def _pages(self) -> dict[str, QtWidgets.QWidget]:
        """Every view by key, in :data:`VIEWS` order (builds those not built yet)."""
        for key in LAZY_VIEWS:
            self._lazy_page(key)
        return {key: self._built[key] for key, _ in VIEWS}

    def _build_window(self) -> None:
        """Make the frame: the sidebar, the navigation and the stack of (empty) pages."""
        self.nav = QtWidgets.QListWidget()
        self.nav.setObjectName("nav")
        self.stack = QtWidgets.QStackedWidget()
        #: Each view's scroll area in the stack (a lazy view's stays empty until built).
        self._areas: dict[str, QtWidgets.QScrollArea] = {}
        for key, text in VIEWS:
            item = QtWidgets.QListWidgetItem(text)
            item.setData(QtCore.Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
            self._areas[key] = area = scrolling()  # its view joins it in _compose
            self.stack.addWidget(area)
        self.nav.currentRowChanged.connect(self._show_row)
        self.nav.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        central = QtWidgets.QWidget()
        layout = QtWidgets.QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        side = QtWidgets.QFrame()
        side.setObjectName("sidebar")
        side.setFixedWidth(190)
        brand = QtWidgets.QVBoxLayout(side)
        brand.setContentsMargins(0, 0, 0, 0)
        brand.setSpacing(0)
        name = QtWidgets.QLabel("massage-trainer")
        name.setObjectName("brand")
        brand.addWidget(name)
        self.people_bar = PeopleBar()  # its controller: _compose_people
        brand.addWidget(self.people_bar)  # who practises, on every view
        brand.addWidget(self.nav, 1)
        layout.addWidget(side)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.source_label = QtWidgets.QLabel("No glove")
        self.warm_label = QtWidgets.QLabel("")
        self.fps_label = QtWidgets.QLabel("")
        self.statusBar().addWidget(self.source_label, 1)
        self.statusBar().addPermanentWidget(self.warm_label)
        self.statusBar().addPermanentWidget(self.fps_label)
        self.statusBar().setSizeGripEnabled(False)

    def _add_shortcuts(self) -> None:
        self._add_action("Start / stop (play / pause in Replay)", "Space", self._space)
        self._add_action("Tare", "T", self.connect_controller.request_tare)
        self._add_action("Next reference", "N", self.practice_view.next_reference)
        # Feedback on the last stroke, a no-feedback probe (issue 19): Practice only.
        practice = self.practice_controller
        self._add_action(
            "Feedback on the last stroke", "F", self._in_practice(practice.request_feedback)
        )
        self._add_action("Probe without feedback", "P", self._in_practice(practice.start_probe))
        self._add_action("Switch person", "Ctrl+U", self.people_bar.open_menu)
        self._add_action("Quit", QtGui.QKeySequence.StandardKey.Quit, self.close)
        for i, (key, _) in enumerate(VIEWS):
            self._add_action(f"Show {key}", f"Ctrl+{i + 1}", functools.partial(self.show_view, key))

    def _add_action(
        self, text: str, shortcut: str | QtGui.QKeySequence.StandardKey, slot: Callable[[], Any]
    ) -> QtGui.QAction:
        action = QtGui.QAction(text, self)
        action.setShortcut(QtGui.QKeySequence(shortcut))
        action.setShortcutContext(QtCore.Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _in_practice(self, slot: Callable[[], Any]) -> Callable[[], None]:
        """Return ``slot`` run only while the Practice view is shown."""

        def run() -> None:
            if self.current_view == "practice":
                slot()

        return run

    def _space(self) -> None:
        if self.current_view == "replay":
            self.replay_controller.toggle_play()
        elif self.current_view == "instructor":
            self.instructor_controller.toggle_take()
        elif self.current_view == "rate":
            pass  # no session starts from the Rate view
        else:
            self.practice_controller.toggle_session()

    def _start_background(self) -> None:
        """Start-up work, each in a worker: references, store, kernels.

        The instructor's takes open with the Instructor view (:meth:`_lazy_page`).
        """
        self.practice_controller.load_references()
        self.store_opener.open_store()
        self.practice_controller.warm_up()

    def _store_opened(self) -> None:
        """Show History the store's sessions, or why there are none (once it has opened)."""
        if self._history is not None:  # else it reads the slot when built
            self._history[1].show_store()

    def _session_ended(self) -> None:
        """Read History's sessions again shortly (the recorder finishes in its thread).

        Also when History is not built yet: built meanwhile, it must not keep a read
        made before the session was written.
        """
        delay = HistoryController.REFRESH_DELAY_MS
        QtCore.QTimer.singleShot(delay, self, self._refresh_history)

    def _refresh_history(self) -> None:
        if self._history is not None:  # else it reads the sessions when built
            self._history[0].refresh()

    # -- the shell the controllers ask --

    # -- who practises (issue 20) --

    def _compose_people(self, services: Services) -> None:
        """Make the top bar's controller; every view follows the current person."""
        self.people_controller = PeopleController(
            self.people_bar,
            services,
            self.jobs,
            self,
            self.store_slot,
            # The real app asks who practises; demos, renders and tests (no settings) not.
            ask_first_run=self.settings is not None and services.user is None,
        )
        self._performer = ""  # the name last put in the Instructor's author field
        #: The Instructor's author field until the view is built: the remembered author,
        #: then the performer as :meth:`_person_changed` puts them.
        author = self.recall("instructor/author", "")
        self._author = author if isinstance(author, str) else ""
        self._people_known = False  # the people controller has announced someone
        self.practice_controller.person = lambda: self.people_controller.current
        self.practice_controller.role = lambda: self.people_controller.role
        self.store_opener.store_ready.connect(self.people_controller.load)
        self.people_controller.changed.connect(self._person_changed)

    def _show_person_history(self, history: HistoryController) -> None:
        people = self.people_controller
        history.set_person(people.current, people.role, people.names)

    def _person_changed(self) -> None:
        people = self.people_controller
        self._people_known = True
        if self._history is not None:  # else it is told when built
            self._show_person_history(self._history[1])
        # The author of takes follows the performer, never over a typed name.
        if self._instructor is not None:
            author = self._instructor[0].author
            if author.text().strip() in ("", self._performer):
                author.setText(people.current)
        elif self._author.strip() in ("", self._performer):
            self._author = people.current
        self._performer = people.current
        self.practice_controller.sync_role()
        if self.practice_controller.running:
            self.show_message(
                f"This session goes on as it started; the next is {people.current}'s.", 6000
            )

    @property
    def person(self) -> str:
        """Who practises now (Practice records as them)."""
        return self.people_controller.current

    def switch_person(self, name: str) -> None:
        """Practise as ``name`` (someone the store knows) from the next session on."""
        self.people_controller.switch(name)

    def show_view(self, key: str) -> None:
        """Switch to a view by key (``"connect"``, ``"practice"``...)."""
        keys = [k for k, _ in VIEWS]
        self.nav.setCurrentRow(keys.index(key))

    def _show_row(self, row: int) -> None:
        """Bring the page of navigation row ``row`` to the front (built first if lazy)."""
        if 0 <= row < len(VIEWS):
            self._lazy_page(VIEWS[row][0])
        self.stack.setCurrentIndex(row)

    @property
    def current_view(self) -> str:
        """Key of the visible view."""
        return VIEWS[max(0, self.nav.currentRow())][0]

    def show_message(self, text: str, timeout_ms: int) -> None:
        """Show a transient line in the status bar."""
        self.statusBar().showMessage(text, timeout_ms)

    def show_source(self, text: str) -> None:
        """Say which glove is connected."""
        self.source_label.setText(text)

    def show_alignment(self, text: str) -> None:
        """Say whether live scoring is ready."""
        self.warm_label.setText(text)

    def remember(self, key: str, value: object) -> None:
        """Persist a choice (nothing without settings)."""
        if self.settings is not None:
            self.settings.setValue(key, value)

    def recall(self, key: str, default: object = "") -> object:
        """Return a remembered choice, or ``default``."""
        return default if self.settings is None else self.settings.value(key, default)

    # -- the frame timer --

    def _on_samples(self) -> None:
        """Show a block that reached the ring buffer now, not at the next tick.

        Waiting for the timer added up to a frame interval to every block's way to the
        screen. The timer restarts from this frame, so frames stay evenly spaced; blocks
        coming within a quarter interval (at most 8 ms) of a frame wait for the next tick.
        """
        if self.current_view != "practice" or not self.timer.isActive():
            return
        if time.perf_counter() - self._tick_began < min(self.timer.interval() / 4000, 0.008):
            return
        self.timer.start()
        self.tick()

    def tick(self) -> None:
        """One frame: worker results, acquisition events, then each controller's view."""
        began = time.perf_counter()
        self._tick_began = began
        self.jobs.poll()
        self.practice_controller.poll_autostart()
        for event in self.connect_controller.events():
            self.practice_controller.on_event(event)
            self.connect_controller.on_event(event)
            if event.kind is EventKind.FINISHED:
                self.source_finished.emit()
        self.connect_controller.follow_status()
        view = self.current_view
        self.connect_controller.tick(view == "connect")
        if self.practice_controller.tick(view == "practice"):
            self.frames += 1
            self.fps.tick()
            self.frame_drawn.emit()
        if self._instructor is not None:  # no take is recorded before it is built
            self._instructor[1].tick(view == "instructor")
        if self.frames % 15 == 0:
            fps = self.fps.fps
            self.fps_label.setText(f"{fps:.0f} fps" if fps else "")
        if self.pacer is not None:
            # What a frame costs: this work, and painting the plot the last frame changed.
            cost = time.perf_counter() - began + self.practice_view.plot.take_paint_seconds()
            interval = self.pacer.add(cost)
            if interval != self.timer.interval():
                self.timer.setInterval(interval)

    # -- screens --

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        """On the first show the frame is known: fit it on the screen."""
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.fit_to_screen()

    def fit_to_screen(self) -> None:
        """Keep the whole window on its screen's available area (shrunk and moved to fit).

        A geometry saved on a large monitor, or the default 1280×800, must not put Start
        or Stop off a 1024×600 screen; the pages scroll when the window is smaller than
        they need.
        """
        screen = self.screen() or QtGui.QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        frame = self.frameGeometry()
        extra_w = max(0, frame.width() - self.width())  # title bar and borders
        extra_h = max(0, frame.height() - self.height())
        width = min(self.width(), area.width() - extra_w)
        height = min(self.height(), area.height() - extra_h)
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        frame = self.frameGeometry()
        x = min(max(frame.x(), area.x()), area.right() + 1 - frame.width())
        y = min(max(frame.y(), area.y()), area.bottom() + 1 - frame.height())
        if (x, y) != (frame.x(), frame.y()):
            self.move(x, y)

    # -- settings and closing --

    def _restore_settings(self) -> None:
        s = self.settings
        if s is None:
            self.show_view("connect")
            return
        geometry = s.value("window/geometry")
        if isinstance(geometry, QtCore.QByteArray):
            self.restoreGeometry(geometry)
        self.connect_controller.restore()
        self.practice_controller.restore()  # the Instructor's when it is built
        view = s.value("window/view", "connect")
        self.show_view(view if view in self._areas else "connect")

    def save_settings(self) -> None:
        """Persist geometry and the visible view (choices are saved as they are made)."""
        if self.settings is None:
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/view", self.current_view)
        self.settings.sync()

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        """Save settings, stop the timer and the acquisition."""
        self.closing.emit()
        self.save_settings()
        self.timer.stop()
        self.connect_controller.close()  # finishes the session being recorded
        self.jobs.shutdown()
        store, self.store_slot.store = self.store_slot.store, None
        if store is not None and self.owns_store:
            store.close()
        super().closeEvent(event)

    # -- what the runner, the benchmarks and the tests reach through the window --

    def connect_source(self, choice: SourceChoice) -> None:
        """Connect ``choice`` (see :meth:`ConnectController.connect_source`)."""
        self.connect_controller.connect_source(choice)

    def autostart(self, choice: SourceChoice, technique: str, reference: str = "") -> None:
        """Connect and practise as soon as ready (see :meth:`PracticeController.autostart`)."""
        self.practice_controller.autostart(choice, technique, reference)

    def toggle_session(self) -> None:
        """Start or stop a practice session."""
        self.practice_controller.toggle_session()

    def open_replay(self, target: str) -> None:
        """Load a session (``"S12"``) or an attempt (``"A7"``) and show it in Replay."""
        self.replay_controller.open_replay(target)

    def refresh_takes(self) -> None:
        """List the instructor's takes again."""
        self.instructor_controller.refresh_takes()

    @property
    def acquisition(self) -> Acquisition | None:
        """The running acquisition, else ``None``."""
        return self.connect_controller.acquisition

    @property
    def choice(self) -> SourceChoice | None:
        """The source connected (or being connected), else ``None``."""
        return self.connect_controller.choice

    @property
    def store(self) -> Store | None:
        """The session store once opened, else ``None``."""
        return self.store_slot.store

    @store.setter
    def store(self, store: Store | None) -> None:
        self.store_slot.store = store

    @property
    def takes(self) -> TakeShelf | None:
        """The instructor's takes once opened, else ``None``.

        Reading it builds the Instructor view, which opens them.
        """
        return self.instructor_controller.takes

    @property
    def references_loaded(self) -> bool:
        """The reference library has been read (or failed to)."""
        return self.practice_controller.references_loaded

    @property
    def warm(self) -> bool:
        """The alignment kernels compiled."""
        return self.practice_controller.warm

    @property
    def warm_done(self) -> bool:
        """The alignment warm-up ended (well or not)."""
        return self.practice_controller.warm_done

    @property
    def stop_session_on_finish(self) -> bool:
        """Stop a running session when the source finishes (the demo stops it itself)."""
        return self.practice_controller.stop_session_on_finish

    @stop_session_on_finish.setter
    def stop_session_on_finish(self, value: bool) -> None:
        self.practice_controller.stop_session_on_finish = value

    @property
    def last_summary(self) -> dict[str, Any] | None:
        """The summary of the last session stopped."""
        return self.practice_controller.last_summary

    @property
    def recorder(self) -> SessionRecorder | None:
        """The recorder of the running (or last) session."""
        return self.practice_controller.recorder
