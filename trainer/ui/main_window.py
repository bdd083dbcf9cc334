"""The main window: it composes the views and their controllers, and owns the window.

The window has the navigation, the status bar, the shortcuts and the settings. What each
view does lives in its controller (:mod:`trainer.ui.controllers`), the frame timer that
ticks them in :class:`~trainer.ui.controllers.frames.FrameClock`, and what the views
built on first use follow in :class:`~trainer.ui.controllers.late_views.LateViews`; the
window implements the :class:`~trainer.ui.controllers.base.Shell` they ask.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6 import QtCore, QtGui, QtWidgets

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
from trainer.ui.controllers.frames import FrameClock
from trainer.ui.controllers.late_views import LateViews
from trainer.ui.controllers.people import PeopleController
from trainer.ui.controllers.rate import RateController
from trainer.ui.controllers.window_state import WindowState
from trainer.ui.history_view import HistoryView
from trainer.ui.instructor_view import InstructorView
from trainer.ui.page_scroll import hold, scrolling
from trainer.ui.people_bar import PeopleBar
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

    One timer (the frame timer, :class:`FrameClock`) drives everything: it collects
    worker results, hands the acquisition's events to the controllers, and lets each
    controller draw its view (the visible one redraws from a ring-buffer snapshot).
    Nothing it calls blocks on the glove, the disk or numba.

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
    store_opener, people_controller
        Open the session store at start-up (:class:`StoreOpener`); who practises.
    clock
        The frame timer (:class:`FrameClock`); ``timer``, ``pacer`` and ``fps`` are its.
    late_views, window_state
        What the lazy views follow (:class:`LateViews`); the remembered settings and
        the window's fit on its screen (:class:`WindowState`).

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
        #: The remembered choices, geometry and view; the window's fit on its screen.
        self.window_state = WindowState(self, settings)
        self.setWindowTitle("massage-trainer")
        self._shown_once = False
        #: Close the store with the window (tests sharing one store turn this off).
        self.owns_store = True
        self.jobs = Jobs()
        self.store_slot = StoreSlot()
        # The frame first: each page then joins a window already built, and its widgets
        # are styled once (moving a styled widget into another parent styles it again).
        self._build_window()
        self._compose(services, window_s)
        self._add_shortcuts()
        self.clock = FrameClock(
            self,
            self.jobs,
            self.connect_controller,
            self.practice_controller,
            # No take is recorded before the Instructor view is built.
            instructor=lambda: self._instructor[1] if self._instructor is not None else None,
            current_view=lambda: self.current_view,
            show_fps=self.fps_label.setText,
            interval_ms=frame_interval_ms,
        )
        self.clock.frame_drawn.connect(self.frame_drawn)
        self.clock.source_finished.connect(self.source_finished)
        self.timer, self.pacer, self.fps = self.clock.timer, self.clock.pacer, self.clock.fps

        self.resize(1280, 800)
        self._restore_settings()
        self.fit_to_screen()
        # Start-up work, each in a worker: references, store, kernels (the instructor's
        # takes open with the Instructor view, :meth:`_lazy_page`).
        self.practice_controller.load_references()
        self.store_opener.open_store()
        self.practice_controller.warm_up()
        self.clock.start()

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
        self.store_opener.store_ready.connect(self.store_ready)
        # Who practises (issue 20): the top bar's controller; every view follows them.
        self.people_controller = PeopleController(
            self.people_bar,
            services,
            jobs,
            self,
            store,
            # The real app asks who practises; demos, renders and tests (no settings) not.
            ask_first_run=self.settings is not None and services.user is None,
        )
        self.practice_controller.person = lambda: self.people_controller.current
        self.practice_controller.role = lambda: self.people_controller.role
        self.store_opener.store_ready.connect(self.people_controller.load)
        #: History and the Instructor's author follow the person, built or not.
        self.late_views = LateViews(self.people_controller, self.practice_controller, self, self)
        self.store_opener.finished.connect(self.late_views.store_opened)
        for key, page in self._built.items():
            hold(self._areas[key], page)

    def _lazy_page(self, key: str) -> None:
        """Build a view of :data:`LAZY_VIEWS` and its controller, once, into its page.

        A view built late is shown what it would have been told had it been built with
        the window (the remembered choices, the person, the store's state).
        """
        if key not in LAZY_VIEWS or key in self._built:
            return
        jobs, store = self.jobs, self.store_slot
        page: QtWidgets.QWidget
        if key == "instructor":
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
            self.late_views.instructor_built(instructor_view)  # the performer since
            instructor.open_takes()
            page = instructor_view
        elif key == "history":
            history_view = HistoryView(self.services.techniques)
            history = HistoryController(history_view, jobs, self, store)
            history_view.replay_requested.connect(self.open_replay)  # builds Replay
            self._history = history_view, history
            self.late_views.history_built(history)  # whose sessions, the store's
            page = history_view
        elif key == "replay":
            replay_view = ReplayView()
            replay_controller = ReplayController(replay_view, jobs, self, store)
            replay_controller.loaded.connect(self.replay_loaded)
            self._replay = replay_view, replay_controller
            page = replay_view
        else:  # "rate"
            rate_view = RateView(self.services.techniques)  # blind ratings (issue 14)
            install_note_escape(rate_view)
            self._rate = rate_view, RateController(rate_view, jobs, self, store)
            page = rate_view
        self._built[key] = page
        hold(self._areas[key], page)

    def _pair(self, key: str) -> tuple[Any, Any]:
        """Return a lazy view and its controller (``self._<key>``), built on first use."""
        self._lazy_page(key)
        pair = getattr(self, f"_{key}")
        assert pair is not None
        return pair

    @property
    def instructor_view(self) -> InstructorView:
        """The Instructor view (built on first use)."""
        return self._pair("instructor")[0]

    @property
    def instructor_controller(self) -> InstructorController:
        """The Instructor view's controller (built with the view on first use).

        It opens the instructor's takes when built.
        """
        return self._pair("instructor")[1]

    @property
    def history_view(self) -> HistoryView:
        """The History view (built on first use)."""
        return self._pair("history")[0]

    @property
    def history_controller(self) -> HistoryController:
        """The History view's controller (built with the view on first use)."""
        return self._pair("history")[1]

    @property
    def replay_view(self) -> ReplayView:
        """The Replay view (built on first use)."""
        return self._pair("replay")[0]

    @property
    def replay_controller(self) -> ReplayController:
        """The Replay view's controller (built with the view on first use)."""
        return self._pair("replay")[1]

    @property
    def rate_view(self) -> RateView:
        """The Rate view (built on first use)."""
        return self._pair("rate")[0]

    @property
    def rate_controller(self) -> RateController:
        """The Rate view's controller (built with the view on first use)."""
        return self._pair("rate")[1]

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
        self.people_bar = PeopleBar()  # its controller: _compose
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

    # -- who practises (issue 20), and the shell the controllers ask --

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
        self.window_state.remember(key, value)

    def recall(self, key: str, default: object = "") -> object:
        """Return a remembered choice, or ``default``."""
        return self.window_state.recall(key, default)

    # -- the frame timer --

    def tick(self) -> None:
        """One frame (see :meth:`FrameClock.tick`)."""
        self.clock.tick()

    @property
    def frames(self) -> int:
        """Frames that gave the practice plot new data."""
        return self.clock.frames

    # -- screens --

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        """On the first show the frame is known: fit it on the screen."""
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.fit_to_screen()

    def fit_to_screen(self) -> None:
        """Keep the whole window on its screen (see :meth:`WindowState.fit_to_screen`)."""
        self.window_state.fit_to_screen()

    # -- settings and closing --

    def _restore_settings(self) -> None:
        view = self.window_state.restore()  # the geometry
        if view is not None:
            self.connect_controller.restore()
            self.practice_controller.restore()  # the Instructor's when it is built
        self.show_view(view if isinstance(view, str) and view in self._areas else "connect")

    def save_settings(self) -> None:
        """Persist geometry and the visible view (choices are saved as they are made)."""
        self.window_state.save(self.current_view)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        """Save settings, stop the timer and the acquisition."""
        self.closing.emit()
        self.save_settings()
        self.clock.stop()
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
