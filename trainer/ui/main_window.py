"""The main window: navigation, the frame timer, the acquisition it drives, settings."""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from sensors.sources.base import SourceState
from trainer.live import Acquisition, AcquisitionEvent, EventKind, with_gap_breaks
from trainer.ui.connect_view import ConnectView
from trainer.ui.history_view import HistoryView
from trainer.ui.instructor_view import InstructorView
from trainer.ui.plots import FrameCounter
from trainer.ui.practice_view import PracticeView
from trainer.ui.replay_view import ReplayView
from trainer.ui.services import Services, SourceChoice

__all__ = ["VIEWS", "MainWindow"]

#: Navigation entries: (key, label).
VIEWS = (
    ("connect", "Connect"),
    ("practice", "Practice"),
    ("instructor", "Instructor"),
    ("replay", "Replay"),
    ("history", "History"),
)


class _Jobs:
    """Blocking calls run in worker threads; results are collected by the frame timer."""

    def __init__(self) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(3, thread_name_prefix="ui-worker")
        self._pending: list[
            tuple[concurrent.futures.Future[Any], Callable[[Any, BaseException | None], None]]
        ] = []

    def submit(
        self, fn: Callable[[], Any], done: Callable[[Any, BaseException | None], None]
    ) -> None:
        self._pending.append((self._pool.submit(fn), done))

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def poll(self) -> None:
        ready = [(f, cb) for f, cb in self._pending if f.done()]
        if not ready:
            return
        self._pending = [(f, cb) for f, cb in self._pending if not f.done()]
        for future, callback in ready:
            err = future.exception()
            callback(None if err else future.result(), err)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class MainWindow(QtWidgets.QMainWindow):
    """The app window: Connect, Practice, Instructor, Replay, History.

    One :class:`QtCore.QTimer` (the frame timer) drives everything: it collects worker
    results, drains the acquisition's events, and redraws the visible view from a
    ring-buffer snapshot. Nothing it calls blocks on the glove, the disk or numba.

    Parameters
    ----------
    services : Services
        Injected dependencies (source factory, references, scorer, scan, store).
    settings : QtCore.QSettings or None
        Where geometry and last choices persist; ``None`` persists nothing.
    frame_interval_ms : int
        Frame timer period (33 ms ≈ 30 frames per second).
    window_s : float
        Seconds of samples kept in the acquisition's ring buffer.

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
        frame_interval_ms: int = 33,
        window_s: float = 15.0,
    ) -> None:
        super().__init__()
        self.services = services
        self.settings = settings
        self.window_s = window_s
        self.setWindowTitle("massage-trainer")
        self.acquisition: Acquisition | None = None
        self.choice: SourceChoice | None = None
        self.frames = 0
        self.fps = FrameCounter()
        self.last_summary: dict[str, Any] | None = None
        self._jobs = _Jobs()
        self._connect_serial = 0
        self._go_practice_when_streaming = False
        self._autostart: tuple[SourceChoice, str] | None = None
        self.references_loaded = False
        self.warm = False
        self.warm_done = False
        #: Stop a running session when the source finishes (the demo stops it itself,
        #: after its screenshot).
        self.stop_session_on_finish = True
        self._last_status: Any = None
        #: The session store once opened (``services.open_store``), else ``None``.
        self.store: Any = None
        self.store_error = "the session store is still opening"
        self.store_done = False
        #: Close the store with the window (tests sharing one store turn this off).
        self.owns_store = True
        #: The recorder of the running (or last) session.
        self.recorder: Any = None

        # -- views --
        self.connect_view = ConnectView(
            services.simulated_techniques,
            services.profiles,
            ble_available=services.scan is not None,
        )
        self.practice_view = PracticeView(services.techniques)
        self.practice_view.scoring_available = False
        self.instructor_view = InstructorView(services.techniques)
        #: The instructor's takes once opened (``services.open_takes``), else ``None``.
        self.takes: Any = None
        self.take_recorder: Any = None  # the take being recorded
        self._take_finishing: Any = None  # stopped, its file not closed yet
        self._take_started = 0.0
        self._recording_gate: tuple[bool, str] | None = None
        self.replay_view = ReplayView()
        self.history_view = HistoryView(services.techniques, self._jobs.submit)
        self._pages = {
            "connect": self.connect_view,
            "practice": self.practice_view,
            "instructor": self.instructor_view,
            "replay": self.replay_view,
            "history": self.history_view,
        }
        self.nav = QtWidgets.QListWidget()
        self.nav.setObjectName("nav")
        self.stack = QtWidgets.QStackedWidget()
        for key, text in VIEWS:
            item = QtWidgets.QListWidgetItem(text)
            item.setData(QtCore.Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
            self.stack.addWidget(self._pages[key])
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
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
        brand.addWidget(self.nav, 1)
        layout.addWidget(side)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        # -- status bar --
        self.source_label = QtWidgets.QLabel("No glove")
        self.warm_label = QtWidgets.QLabel("")
        self.fps_label = QtWidgets.QLabel("")
        self.statusBar().addWidget(self.source_label, 1)
        self.statusBar().addPermanentWidget(self.warm_label)
        self.statusBar().addPermanentWidget(self.fps_label)
        self.statusBar().setSizeGripEnabled(False)

        # -- wiring --
        self.connect_view.connect_requested.connect(self._on_connect_clicked)
        self.connect_view.disconnect_requested.connect(self.disconnect_source)
        self.connect_view.tare_requested.connect(self.request_tare)
        self.connect_view.scan_requested.connect(self.scan)
        self.practice_view.session_toggled.connect(self.toggle_session)
        self.practice_view.technique_changed.connect(self._on_technique_changed)
        self.replay_view.open_requested.connect(self.open_replay)
        self._wire_instructor()
        self.history_view.replay_requested.connect(self.open_replay)
        self._add_action("Start / stop (play / pause in Replay)", "Space", self._space)
        self._add_action("Tare", "T", self.request_tare)
        self._add_action("Next reference", "N", self.practice_view.next_reference)
        self._add_action("Quit", QtGui.QKeySequence.StandardKey.Quit, self.close)
        for i, (key, _) in enumerate(VIEWS):
            self._add_action(f"Show {key}", f"Ctrl+{i + 1}", lambda k=key: self.show_view(k))

        self.timer = QtCore.QTimer(self)
        self.timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self.timer.setInterval(frame_interval_ms)
        self.timer.timeout.connect(self.tick)

        self.resize(1280, 800)
        self._restore_settings()
        self._start_background()
        self.timer.start()

    # -- small helpers --

    def _add_action(
        self, text: str, shortcut: str | QtGui.QKeySequence.StandardKey, slot: Callable[[], Any]
    ) -> QtGui.QAction:
        action = QtGui.QAction(text, self)
        action.setShortcut(QtGui.QKeySequence(shortcut))
        action.setShortcutContext(QtCore.Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def show_view(self, key: str) -> None:
        """Switch to a view by key (``"connect"``, ``"practice"``...)."""
        keys = [k for k, _ in VIEWS]
        self.nav.setCurrentRow(keys.index(key))

    @property
    def current_view(self) -> str:
        """Key of the visible view."""
        return VIEWS[max(0, self.nav.currentRow())][0]

    # -- start-up work off the GUI thread --

    def _start_background(self) -> None:
        self._jobs.submit(self.services.load_references, self._references_loaded)
        if self.services.open_store is not None:
            self._jobs.submit(self.services.open_store, self._store_opened)
        else:
            self.store_error = "no session store in this mode"
            self.store_done = True
            self.history_view.set_store(None, self.store_error)
        if self.services.open_takes is not None:
            self._jobs.submit(self.services.open_takes, self._takes_opened)
        else:
            self.instructor_view.set_recording_possible(False, "Takes are not kept in this mode.")
        if self.services.warm_up is not None:
            self.warm_label.setText("Preparing alignment…")
            self._jobs.submit(self.services.warm_up, self._warmed_up)
        else:
            self._warmed_up(None, None)

    def _references_loaded(self, refs: Any, err: BaseException | None) -> None:
        if err is not None:
            self.statusBar().showMessage(f"References could not be loaded: {err}", 8000)
            refs = []
        self.practice_view.set_references(refs)
        self.references_loaded = True
        self._restore_reference()

    def _store_opened(self, store: Any, err: BaseException | None) -> None:
        self.store_done = True
        if err is not None:
            self.store_error = str(err)
            self.statusBar().showMessage(f"Session store unavailable: {err}", 15000)
            self.history_view.set_store(None, self.store_error)
            return
        self.store = store
        self.store_error = ""
        self.history_view.set_store(store)
        self.store_ready.emit()

    # -- replay --

    def open_replay(self, target: str) -> None:
        """Load a session (``"S12"``) or an attempt (``"A7"``) and show it in Replay."""
        store = self.store
        self.show_view("replay")
        if store is None:
            self.replay_view.show_error(f"Replay needs the session store: {self.store_error}")
            return
        from trainer.store.replay import load_replay

        def done(data: Any, err: BaseException | None) -> None:
            if err is not None:
                self.replay_view.show_error(str(err))
            else:
                self.replay_view.show_data(data)
                self.replay_loaded.emit()

        self.replay_view.show_error(f"Loading {target}…")
        self._jobs.submit(lambda: load_replay(store, target), done)

    def _space(self) -> None:
        if self.current_view == "replay":
            self.replay_view.toggle_play()
        elif self.current_view == "instructor":
            self.toggle_take()
        else:
            self.toggle_session()

    def _warmed_up(self, _result: Any, err: BaseException | None) -> None:
        self.warm = err is None
        self.warm_done = True
        available = self.services.make_coach is not None and self.warm
        if err is not None:
            self.warm_label.setText(f"Alignment unavailable: {err}")
        else:
            self.warm_label.setText("Alignment ready" if available else "Scoring unavailable")
        self.practice_view.scoring_available = available
        self.practice_view.set_references(self.practice_view.references)

    # -- sources --

    def _on_connect_clicked(self, choice: SourceChoice) -> None:
        self._go_practice_when_streaming = True
        self.connect_source(choice)

    def connect_source(self, choice: SourceChoice) -> None:
        """Build ``choice``'s source in a worker thread, then start acquiring from it."""
        self.disconnect_source(quiet=True)
        self.choice = choice
        self._connect_serial += 1
        serial = self._connect_serial
        self.connect_view.set_choice(choice)
        self.connect_view.show_connecting(choice)
        self.source_label.setText(f"Opening {choice.label}…")
        self._save("source/choice", choice.spec)

        def built(source: Any, err: BaseException | None) -> None:
            if serial != self._connect_serial:  # superseded meanwhile
                if source is not None:
                    self._jobs.submit(source.close, lambda *_: None)
                return
            if err is not None:
                self._connection_failed(str(err) or type(err).__name__)
                return
            acq = Acquisition(source, window_s=self.window_s)
            self.acquisition = acq
            self._last_status = None
            self.connect_view.set_profile(acq.profile)
            self.practice_view.set_profile(acq.profile)
            self.source_label.setText(f"{choice.label} · {acq.profile.name}")
            self._autostart_session()
            acq.start()

        self._jobs.submit(lambda: self.services.open_source(choice.spec), built)

    def _connection_failed(self, message: str) -> None:
        self.choice = None
        self._go_practice_when_streaming = False
        self.connect_view.show_disconnected()
        self.connect_view.show_error(message)
        self.source_label.setText("No glove")

    def disconnect_source(self, quiet: bool = False) -> None:
        """Stop the acquisition (joined in a worker thread) and forget the source."""
        if self.practice_view.running:
            self.toggle_session()
        if self.take_recorder is not None:
            self.toggle_take()
        acq, self.acquisition = self.acquisition, None
        self._connect_serial += 1
        if acq is not None:
            self._jobs.submit(acq.stop, lambda *_: None)
        if not quiet:
            self.choice = None
            self.connect_view.show_disconnected()
            self.connect_view.set_profile(None)
            self.practice_view.set_profile(None)
            self.source_label.setText("No glove")

    def scan(self) -> None:
        """Scan for BLE gloves in a worker thread."""
        if self.services.scan is None:
            return
        scan = self.services.scan
        self.connect_view.set_scanning(True)

        def done(adverts: Any, err: BaseException | None) -> None:
            self.connect_view.set_scanning(False)
            if err is not None:
                self.connect_view.show_devices([])
                self.connect_view.show_error(str(err))
            else:
                self.connect_view.show_devices(list(adverts))

        self._jobs.submit(lambda: scan(5.0), done)

    def request_tare(self) -> None:
        """Zero the sensors (the result comes back as an event)."""
        if self.acquisition is not None:
            self.acquisition.request_tare()
            self.connect_view.show_tare(True, "Hold still…")

    def _on_technique_changed(self, technique: str, *, remember: bool = True) -> None:
        if remember:
            self._save("practice/technique", technique)
        # The simulated glove plays the student: let it perform what is being practised.
        choice = self.choice
        # Only to what it can perform: a technique with references only keeps it as it is.
        if (
            choice is not None
            and choice.kind == "sim"
            and choice.target != technique
            and technique in self.services.simulated_techniques
        ):
            self.connect_source(SourceChoice("sim", technique, choice.options))

    # -- sessions --

    def toggle_session(self) -> None:
        """Start a practice session on the chosen reference, or stop the running one."""
        view = self.practice_view
        acq = self.acquisition
        if view.running:
            if acq is not None:
                acq.set_scorer(None)
                acq.set_recorder(None)
            self.last_summary = view.session_stopped()
            # The recorder finishes in the acquisition thread; history reads soon after.
            QtCore.QTimer.singleShot(500, self.history_view.refresh)
            return
        if acq is None or not view.can_start() or self.services.make_coach is None:
            return
        if self.take_recorder is not None:
            self.statusBar().showMessage("Stop the take being recorded first.", 5000)
            return
        ref = view.current_reference()
        mode, n = view.feedback_mode()
        acq.set_scorer(self.services.make_coach(ref, mode, n))
        recorder = None
        if self.store is not None and self.services.make_recorder is not None:
            spec = self.choice.spec if self.choice is not None else ""
            feedback = f"{mode}:{n}" if mode == "every_n" else mode
            recorder = self.services.make_recorder(self.store, ref, feedback, spec)
            acq.set_recorder(recorder, technique=ref.technique, reference=ref.name)
        self.recorder = recorder
        self._save("practice/reference", ref.name)
        self._save("practice/feedback", view.feedback.currentIndex())
        view.session_started(saved=recorder is not None, note=self.store_error)
        self.show_view("practice")

    def autostart(self, choice: SourceChoice, technique: str, reference: str = "") -> None:
        """Connect to ``choice`` and practise ``technique`` as soon as everything is ready.

        The source is built once the references are loaded and the kernels are warm,
        and the session starts before its first sample is read, so no stroke is missed.

        Parameters
        ----------
        choice : SourceChoice
            The source to connect.
        technique : str
            Technique to practise.
        reference : str
            Reference name ("" for the first compatible one).
        """
        self.practice_view.technique.blockSignals(True)
        self.practice_view.technique.setCurrentText(technique)
        self.practice_view.technique.blockSignals(False)
        self.practice_view.set_references(self.practice_view.references)
        self._autostart = (choice, reference)
        self.show_view("practice")

    def _autostart_connect(self) -> None:
        if self._autostart is None or self.choice is not None or self._jobs.busy:
            return
        if self.references_loaded and self.warm_done and self.store_done:
            self.connect_source(self._autostart[0])

    def _autostart_session(self) -> None:
        """Start the pending session (called before the acquisition's first read)."""
        if self._autostart is None:
            return
        _, reference = self._autostart
        self._autostart = None
        view = self.practice_view
        if reference and view.reference.findText(reference) >= 0:
            view.reference.setCurrentIndex(view.reference.findText(reference))
        self.toggle_session()

    # -- instructor: takes and references --

    def _wire_instructor(self) -> None:
        view = self.instructor_view
        view.record_toggled.connect(self.toggle_take)
        view.technique_changed.connect(self._on_instructor_technique)
        view.take_selected.connect(self._load_take)
        view.keep_changed.connect(
            lambda name, keep: self._takes_job(lambda s: s.mark(name, keep), refresh=True)
        )
        view.trim_changed.connect(self._set_trim)
        view.add_requested.connect(self._add_take_file)
        view.delete_requested.connect(
            lambda name: self._takes_job(lambda s: s.remove(name), refresh=True)
        )
        view.build_requested.connect(self._build_reference)
        view.save_requested.connect(self._save_reference)
        view.export_requested.connect(self._export_reference)

    def _takes_opened(self, shelf: Any, err: BaseException | None) -> None:
        if err is not None:
            self.instructor_view.set_recording_possible(False, f"Takes unavailable: {err}")
            return
        self.takes = shelf
        self.refresh_takes()

    def _takes_job(
        self,
        fn: Callable[[Any], Any],
        done: Callable[[Any], None] | None = None,
        *,
        refresh: bool = False,
    ) -> None:
        """Run ``fn(shelf)`` in a worker; errors become one line under the reference."""
        shelf = self.takes
        if shelf is None:
            return

        def finished(result: Any, err: BaseException | None) -> None:
            if err is not None:
                self.instructor_view.show_message(str(err))
            elif done is not None:
                done(result)
            if refresh:
                self.refresh_takes()

        self._jobs.submit(lambda: fn(shelf), finished)

    def refresh_takes(self) -> None:
        """List the takes of the instructor's technique, with their complete strokes."""
        technique = self.instructor_view.technique.currentText()

        def listing(shelf: Any) -> tuple[list[Any], dict[str, int], list[str]]:
            from trainer.store.takes import stroke_spans

            takes, problems = shelf.takes(technique)
            strokes = {}
            for take in takes:
                _, cap = shelf.load(take.name)
                lo, hi = take.trim or (0.0, take.duration_s)
                strokes[take.name] = sum(a >= lo and b <= hi for a, b in stroke_spans(cap))
            return takes, strokes, problems

        self._takes_job(listing, lambda r: self.instructor_view.show_takes(*r))

    def _load_take(self, name: str) -> None:
        def load(shelf: Any) -> tuple[Any, np.ndarray, np.ndarray, list[tuple[float, float]]]:
            from trainer.store.takes import stroke_spans

            take, cap = shelf.load(name)
            gap_before = np.zeros(cap.n_samples, dtype=bool)
            gap_before[cap.gap_starts] = True
            t, total = with_gap_breaks(cap.t - cap.t[0], cap.values.sum(axis=1), gap_before)
            return take, t, total, stroke_spans(cap)

        self._takes_job(load, lambda r: self.instructor_view.show_take(*r))

    def _set_trim(self, name: str, span: Any) -> None:
        # Redraw from what was stored (clipped), once it is stored.
        self._takes_job(
            lambda s: s.set_trim(name, span), lambda _: self._load_take(name), refresh=True
        )

    def _add_take_file(self, path: str) -> None:
        technique = self.instructor_view.technique.currentText()
        author = self.instructor_view.author.text().strip()
        self._takes_job(
            lambda s: s.add_file(path, technique, author=author),
            lambda take: self.instructor_view.show_message(f"Added {take.name}."),
            refresh=True,
        )

    def _on_instructor_technique(self, technique: str) -> None:
        self._save("instructor/technique", technique)
        self.refresh_takes()
        self._on_technique_changed(technique, remember=False)

    def toggle_take(self) -> None:
        """Start recording a take of the instructor's technique, or stop the one running."""
        view = self.instructor_view
        acq = self.acquisition
        if self.take_recorder is not None:
            recorder, self.take_recorder = self.take_recorder, None
            self._take_finishing = recorder
            if acq is not None:
                acq.set_recorder(None)  # the take is closed in the acquisition thread
            view.recording_stopped("Saving the take…")
            return
        if acq is None or self.takes is None or self.practice_view.running:
            return
        choice = self.choice
        recorder = self.takes.recorder(
            source=choice.spec if choice is not None else "",
            author=view.author.text().strip(),
            synthetic=choice is not None and choice.kind == "sim",
        )
        acq.set_recorder(recorder, technique=view.technique.currentText())
        self.take_recorder = recorder
        self._take_started = time.monotonic()
        self._save("instructor/author", view.author.text().strip())
        view.recording_started()

    def _instructor_tick(self) -> None:
        """Follow the take being closed, and whether a take can be recorded now."""
        finishing = self._take_finishing
        if finishing is not None and (finishing.done or finishing.capture is None):
            self._take_finishing = None
            self.instructor_view.recording_stopped(
                f"Take saved ({finishing.duration_s:.1f} s)."
                if finishing.capture
                else "Nothing was recorded."
            )
            self.refresh_takes()
        if self.acquisition is None:
            gate = (False, "Connect a glove (or the simulated one) to record.")
        elif self.practice_view.running:
            gate = (False, "Stop the practice session to record a take.")
        elif self.takes is None:
            gate = (False, "Opening your takes…")
        else:
            gate = (True, "")
        if gate != self._recording_gate:
            self._recording_gate = gate
            self.instructor_view.set_recording_possible(*gate)

    def _build_reference(self, name: str) -> None:
        view = self.instructor_view
        kept = view.kept_takes()
        technique = view.technique.currentText()
        author = view.author.text().strip()

        def failed_or_shown(result: Any, err: BaseException | None) -> None:
            if err is not None:
                view.build_failed(str(err))
            else:
                view.show_reference(result)

        shelf = self.takes
        if shelf is None:
            return
        self._jobs.submit(
            lambda: shelf.build(kept, name=name, technique=technique, author=author),
            failed_or_shown,
        )

    def _save_reference(self) -> None:
        view = self.instructor_view
        ref = view.reference
        if ref is None or self.services.save_reference is None:
            return
        taken = any(r.name == ref.name for r in self.practice_view.references)
        if taken and not view.confirm(f"A reference named {ref.name} exists. Replace it?"):
            return
        save = self.services.save_reference

        def saved(path: Any, err: BaseException | None) -> None:
            if err is not None:
                view.show_message(f"Could not save: {err}")
                return
            view.reference_saved(ref.name, Path(path))
            self._jobs.submit(self.services.load_references, self._references_loaded)

        self._jobs.submit(lambda: save(ref, taken), saved)

    def _export_reference(self, out: str) -> None:
        view = self.instructor_view
        export = self.services.export_references
        name = view.saved_name
        if export is None or not name:
            return

        def exported(_result: Any, err: BaseException | None) -> None:
            view.show_message(f"Could not export: {err}" if err else f"Exported {name} to {out}.")

        self._jobs.submit(lambda: export(Path(out), [name]), exported)

    # -- the frame timer --

    def tick(self) -> None:
        """One frame: worker results, acquisition events, the visible view."""
        self._jobs.poll()
        self._autostart_connect()
        acq = self.acquisition
        if acq is not None:
            for event in acq.events():
                self._dispatch(event)
            acq = self.acquisition  # an event may have retired it
        if acq is not None:
            status = acq.status()
            if status != self._last_status:
                self._last_status = status
                self.connect_view.show_status(status)
                if status.state is SourceState.STREAMING and self._go_practice_when_streaming:
                    self._go_practice_when_streaming = False
                    self.show_view("practice")
            view = self.current_view
            if view == "practice":
                fs = float(acq.profile.sample_rate_hz)
                snap = acq.buffer.snapshot(round((self.practice_view.plot.window_s + 1.0) * fs))
                if self.practice_view.refresh(snap, acq.live()):
                    self.frames += 1
                    self.fps.tick()
                    self.frame_drawn.emit()
            elif view == "instructor" and self.take_recorder is not None:
                fs = float(acq.profile.sample_rate_hz)
                snap = acq.buffer.snapshot(round(10.0 * fs))
                self.instructor_view.show_live(
                    snap.t, snap.values.sum(axis=1), time.monotonic() - self._take_started
                )
            elif view == "connect":
                fs = float(acq.profile.sample_rate_hz)
                rate = self.connect_view.show_signal(acq.buffer.snapshot(round(3.0 * fs)))
                if rate is not None:
                    self.connect_view.show_status(status, rate)
        self._instructor_tick()
        if self.frames % 15 == 0:
            fps = self.fps.fps
            self.fps_label.setText(f"{fps:.0f} fps" if fps else "")

    def _dispatch(self, event: AcquisitionEvent) -> None:
        kind = event.kind
        if kind is EventKind.STROKE and self.practice_view.running:
            self.practice_view.add_score(event.payload)
        elif kind is EventKind.TARE:
            self.connect_view.show_tare(True, "Sensors zeroed.")
        elif kind is EventKind.TARE_FAILED:
            self.connect_view.show_tare(False, event.message)
        elif kind is EventKind.RECORDING_FAILED:
            self.practice_view.summary.set_note(f"Recording stopped: {event.message}")
            self.statusBar().showMessage(f"Recording stopped: {event.message}", 15000)
        elif kind is EventKind.ERROR:
            self.connect_view.show_status(event.status)
            self.connect_view.show_error(event.message)
            self.statusBar().showMessage(event.message, 10000)
        elif kind is EventKind.FINISHED:
            if self.practice_view.running and self.stop_session_on_finish:
                self.toggle_session()
            self.connect_view.show_status(event.status)
            self.source_finished.emit()

    # -- settings --

    def _save(self, key: str, value: Any) -> None:
        if self.settings is not None:
            self.settings.setValue(key, value)

    def _restore_settings(self) -> None:
        s = self.settings
        if s is None:
            self.show_view("connect")
            return
        geometry = s.value("window/geometry")
        if isinstance(geometry, QtCore.QByteArray):
            self.restoreGeometry(geometry)
        spec = s.value("source/choice", "")
        if isinstance(spec, str) and spec:
            self.connect_view.set_choice(_parse_choice(spec))
        technique = s.value("practice/technique", "")
        if isinstance(technique, str) and technique:
            self.practice_view.technique.blockSignals(True)
            self.practice_view.technique.setCurrentText(technique)
            self.practice_view.technique.blockSignals(False)
        try:
            feedback = int(s.value("practice/feedback", 0))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            feedback = 0
        if 0 <= feedback < self.practice_view.feedback.count():
            self.practice_view.feedback.setCurrentIndex(feedback)
        for key, widget in (
            ("instructor/technique", self.instructor_view.technique),
            ("instructor/author", self.instructor_view.author),
        ):
            value = s.value(key, "")
            if isinstance(value, str) and value:
                widget.blockSignals(True)
                if isinstance(widget, QtWidgets.QComboBox):
                    widget.setCurrentText(value)
                else:
                    widget.setText(value)
                widget.blockSignals(False)
        view = s.value("window/view", "connect")
        self.show_view(view if view in self._pages else "connect")

    def _restore_reference(self) -> None:
        if self.settings is None:
            return
        name = self.settings.value("practice/reference", "")
        index = self.practice_view.reference.findText(str(name)) if name else -1
        if index >= 0:
            self.practice_view.reference.setCurrentIndex(index)

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
        acq, self.acquisition = self.acquisition, None
        if acq is not None:
            acq.stop(timeout=2.0)  # finishes the session being recorded
        self._jobs.shutdown()
        store, self.store = self.store, None
        if store is not None and self.owns_store:
            store.close()
        super().closeEvent(event)


def _parse_choice(spec: str) -> SourceChoice:
    """Turn a saved spec back into a :class:`SourceChoice` (best effort, never raises)."""
    from urllib.parse import parse_qsl

    head, _, query = spec.partition("?")
    kind, _, target = head.partition(":")
    if kind not in {"sim", "replay", "ble"}:
        return SourceChoice("sim", "effleurage")
    return SourceChoice(kind, target, tuple(parse_qsl(query)))
