"""Run the window: the interactive app, and the demo (optionally headless, self-ending)."""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyqtgraph.util.garbage_collector import GarbageCollector
from PySide6 import QtCore, QtWidgets

from trainer.exceptions import Terminated, TrainerError
from trainer.ui import theme
from trainer.ui.main_window import MainWindow
from trainer.ui.services import Services, SourceChoice

__all__ = [
    "DemoOptions",
    "DemoResult",
    "application",
    "collect_garbage",
    "headless_environment",
    "open_settings",
    "run_demo",
    "run_gui",
    "run_replay",
]


#: How long a thread may hold the GIL while another waits for it, seconds (Python's
#: default is 5 ms). The live engine's threads run Python (a stroke's score for tens of
#: ms) just as a frame wants to draw their samples; at 1 ms the frame waits less.
GIL_SWITCH_S = 0.001

#: How often the GUI thread collects cyclic garbage, seconds (see :func:`application`).
GC_INTERVAL_S = 1.0

_gui_thread_collector: GarbageCollector | None = None


def application() -> QtWidgets.QApplication:
    """Return the running QApplication, creating and theming it if needed.

    Also shortens the interpreter's thread switch interval (:data:`GIL_SWITCH_S`), and
    moves cyclic garbage collection onto the GUI thread: automatic collection is turned
    off and a Qt timer collects every :data:`GC_INTERVAL_S`. Python collects on whichever
    thread happens to allocate past the threshold; when that was the store's writer thread
    and the garbage held a Qt object, Qt's destructor waited on a lock the GUI thread
    held, and the program hung (seen in CI). pyqtgraph's collector is the known cure.
    """
    app = QtWidgets.QApplication.instance()
    if app is None:
        sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_S))
        QtCore.QCoreApplication.setOrganizationName("massage-trainer")
        QtCore.QCoreApplication.setApplicationName("massage-trainer")
        if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
            QtCore.qInstallMessageHandler(_quiet_offscreen)
        app = QtWidgets.QApplication([])
        theme.apply_theme(app)
    assert isinstance(app, QtWidgets.QApplication)
    global _gui_thread_collector
    if _gui_thread_collector is None:
        _gui_thread_collector = GarbageCollector(interval=GC_INTERVAL_S)
    return app


def collect_garbage() -> None:
    """Collect cyclic garbage now, on the calling thread, if :func:`application` took it over.

    Call it from the GUI thread only (tests call it between tests); it collects the
    generations whose thresholds have been passed, as the timer would.
    """
    if _gui_thread_collector is not None and not gc.isenabled():
        _gui_thread_collector.check()


def _quiet_offscreen(
    mode: QtCore.QtMsgType, context: QtCore.QMessageLogContext, message: str
) -> None:
    """Drop the offscreen plugin's notices about window-manager hints; print the rest."""
    if "propagateSizeHints" in message:
        return
    print(message, file=sys.stderr)


def open_settings(path: Path) -> QtCore.QSettings:
    """Return INI settings stored at ``path`` (inside the user data directory).

    An explicit file rather than the platform's registry/plist keeps every piece of
    user data under ``$MASSAGE_TRAINER_HOME`` (tests get their own automatically).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    return QtCore.QSettings(str(path), QtCore.QSettings.Format.IniFormat)


#: Signals that end the app as Ctrl+C does (SIGTERM: logout, shutdown, service managers).
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class _Interrupt:
    """Ctrl+C (SIGINT) or SIGTERM quits the Qt event loop.

    Python runs a signal handler at the next bytecode, which may be in the middle of a
    paint event; touching Qt there (even ``quit()``) can crash it. So the handler only
    raises a flag, and a timer, from a clean point of the event loop, acts on it.
    """

    def __init__(self, app: QtWidgets.QApplication, loop: QtCore.QEventLoop | None = None) -> None:
        self.hit = False
        self.signum = signal.SIGINT
        # Quit the loop that runs: app.quit() ends only app.exec(), not a loop of our own.
        self._quit = app.quit if loop is None else loop.quit
        self._previous: Any = None
        self._timer = QtCore.QTimer()
        self._timer.timeout.connect(self._poll)  # also wakes the interpreter to run handlers

    def __enter__(self) -> _Interrupt:
        if threading.current_thread() is threading.main_thread():
            self._previous = {sig: signal.signal(sig, self._handle) for sig in _STOP_SIGNALS}
            self._timer.start(200)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        self.hit = True
        self.signum = signal.Signals(signum)

    def stop(self) -> KeyboardInterrupt:
        """Return the exception to raise once the loop has ended (Ctrl+C or SIGTERM)."""
        return Terminated() if self.signum == signal.SIGTERM else KeyboardInterrupt()

    def _poll(self) -> None:
        if self.hit:
            self._timer.stop()
            self._quit()

    def __exit__(self, *exc: object) -> None:
        self._timer.stop()
        if self._previous is not None:
            for sig, handler in self._previous.items():
                signal.signal(sig, handler)


def run_gui(services: Services, settings: QtCore.QSettings | None) -> int:
    """Open the app window and run until it is closed.

    Parameters
    ----------
    services : Services
        Injected dependencies.
    settings : QtCore.QSettings or None
        Persistent settings (geometry, last choices).

    Returns
    -------
    int
        The Qt event loop's exit code.
    """
    app = application()
    window = MainWindow(services, settings=settings)
    window.show()
    try:
        with _Interrupt(app) as interrupt:
            code = int(app.exec())
    finally:
        _dispose(window, app)
    if interrupt.hit:
        raise interrupt.stop()
    return code


def _dispose(window: MainWindow, app: QtWidgets.QApplication) -> None:
    """Close the window (stops the acquisition thread) before Python tears Qt down."""
    window.close()
    window.deleteLater()
    app.processEvents()


@dataclass(frozen=True, slots=True)
class DemoOptions:
    """How the demo runs.

    Parameters
    ----------
    technique : str
        Technique the simulated glove performs and the student practises.
    reference : str
        Reference to follow ("" for the first compatible one).
    seconds : float or None
        Glove time to simulate; ``None`` runs until the window closes (or ``frames``).
    speed : float
        Simulation speed (1 = real time). The frame timer is unchanged, so a faster
        glove shows more samples per frame through the very same update path.
    seed : int
        Simulator seed.
    frames : int or None
        Quit after this many drawn frames.
    screenshot : pathlib.Path or None
        Save a PNG of the practice view at the end.
    quit_at_end : bool
        Quit when the simulation ends (headless), instead of leaving the window open.
    timeout_s : float or None
        Wall-clock limit; exceeding it raises :class:`~trainer.exceptions.TrainerError`.
    sim_options : tuple of (str, str)
        More options of the simulated glove's spec (``student``, ``faults``, ``improve``).
    """

    technique: str = "effleurage"
    reference: str = ""
    seconds: float | None = None
    speed: float = 1.0
    seed: int = 1
    frames: int | None = None
    screenshot: Path | None = None
    quit_at_end: bool = False
    timeout_s: float | None = None
    sim_options: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class DemoResult:
    """What the demo did (the ``--json`` summary is :meth:`to_dict`)."""

    technique: str
    reference: str | None
    glove: str | None
    seconds: float
    frames: int
    fps: float
    strokes: list[dict[str, Any]] = field(default_factory=list)
    overall: float | None = None
    session: dict[str, Any] = field(default_factory=dict)
    screenshot: str | None = None
    scoring: bool = True
    session_id: int | None = None
    #: Who the glove played: ``simulated effleurage (seed 1), novice student: …`` (what
    #: the deductions should name), or ``None`` for a source without a description.
    performer: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "technique": self.technique,
            "reference": self.reference,
            "glove": self.glove,
            "performer": self.performer,
            "seconds": self.seconds,
            "strokes": self.strokes,
            "overall": self.overall,
            "session": self.session,
            "session_id": self.session_id,
            "frames": self.frames,
            "fps": round(self.fps, 1),
            "screenshot": self.screenshot,
            "scoring": self.scoring,
        }


def run_demo(
    services: Services,
    options: DemoOptions,
    settings: QtCore.QSettings | None = None,
) -> DemoResult:
    """Open the app on the simulated glove practising ``options.technique``.

    The window connects the simulated glove, starts a session on the reference as soon
    as references are loaded and the kernels are warm, and (with ``seconds``) ends
    when the simulation does: screenshot of the practice view, session summary.

    Parameters
    ----------
    services : Services
        Injected dependencies.
    options : DemoOptions
        Technique, duration, speed, exit conditions, screenshot.
    settings : QtCore.QSettings or None
        Persistent settings (``None`` in headless runs: nothing is remembered).

    Returns
    -------
    DemoResult
        Scores and frame counts.

    Raises
    ------
    TrainerError
        If the wall-clock ``timeout_s`` passes first, the glove failed, or the
        screenshot could not be written.
    """
    app = application()
    window = MainWindow(services, settings=settings)
    window.stop_session_on_finish = False
    _show(window)
    opts: list[tuple[str, str]] = [("seed", str(options.seed)), ("speed", f"{options.speed:g}")]
    if options.seconds is not None:
        opts.append(("seconds", f"{options.seconds:g}"))
    opts += options.sim_options
    window.autostart(
        SourceChoice("sim", options.technique, tuple(opts)), options.technique, options.reference
    )
    started = time.monotonic()
    frame_times: list[float] = []
    outcome: dict[str, Any] = {"result": None, "error": None}
    # A loop of its own, not app.exec(): quitting it leaves the application able to run
    # event loops afterwards (a test, or a caller, goes on using Qt).
    loop = QtCore.QEventLoop()

    def collect() -> None:
        if outcome["result"] is not None:
            return
        result = outcome["result"] = _collect(window, services, options, frame_times)
        acq = window.acquisition
        if acq is not None and acq.error is not None:
            outcome["error"] = f"glove failed: {acq.error}"
        if options.screenshot is not None:
            # Grabbed after the last stroke is scored and drawn: the picture shows the
            # same strokes as the JSON summary beside it.
            window.practice_controller.tick(True)
            app.processEvents()
            pixmap = window.grab()
            path = options.screenshot
            path.parent.mkdir(parents=True, exist_ok=True)
            if pixmap.save(str(path), "PNG"):
                result.screenshot = str(path)
            else:
                outcome["error"] = f"could not write the screenshot {path}"

    def finish() -> None:
        collect()
        if options.quit_at_end or options.frames is not None:
            loop.quit()

    def on_frame() -> None:
        frame_times.append(time.monotonic())
        if options.frames is not None and window.frames >= options.frames:
            finish()

    def on_finished() -> None:
        # Let this tick's last frame reach the plot first.
        QtCore.QTimer.singleShot(0, finish)

    def watchdog() -> None:
        if options.timeout_s is not None and time.monotonic() - started > options.timeout_s:
            outcome["error"] = f"demo did not finish within {options.timeout_s:g} s"
            loop.quit()

    window.frame_drawn.connect(on_frame)
    window.source_finished.connect(on_finished)
    window.closing.connect(collect)
    guard = QtCore.QTimer(window)
    guard.timeout.connect(watchdog)
    guard.start(250)
    window.show_view("practice")
    try:
        with _Interrupt(app, loop) as interrupt:
            # Once the event loop runs (Ctrl+C handled from here on): say so on stderr.
            QtCore.QTimer.singleShot(0, _announce_running)
            loop.exec()
        guard.stop()
        if interrupt.hit:
            raise interrupt.stop()
        if outcome["error"] is None:
            collect()
    finally:
        _dispose(window, app)  # always: a live window at interpreter exit can crash Qt
    if outcome["error"]:
        raise TrainerError(outcome["error"])
    result: DemoResult = outcome["result"]
    return result


def _show(window: MainWindow) -> None:
    """Show the window; offscreen, at 1280×800 whatever the virtual screen's size.

    On a real screen the window fits itself on the screen when shown; the offscreen
    screen is small (800×800), and a picture is taken at the usual size.
    """
    window.show()
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        window.resize(1280, 800)


def _announce_running() -> None:
    print("massage-trainer: demo running (Ctrl+C stops it)", file=sys.stderr, flush=True)


def run_replay(
    services: Services,
    data: Any,
    *,
    speed: float = 1.0,
    screenshot: Path | None = None,
    settings: QtCore.QSettings | None = None,
) -> Path | None:
    """Open the app on the Replay view showing ``data`` (a ``ReplayData``).

    With ``screenshot``, render the view with the playhead half-way through the
    focused attempt (or the first), save it as PNG and return its path without
    entering the event loop; otherwise play and run until the window is closed.

    Raises
    ------
    TrainerError
        If the screenshot cannot be written.
    """
    app = application()
    window = MainWindow(services, settings=settings)
    _show(window)
    try:
        window.show_view("replay")
        view = window.replay_view
        view.show_data(data)
        view.set_speed(speed)
        if screenshot is not None:
            focus = data.focus if data.focus is not None else 0
            if data.attempts:
                a = data.attempts[focus]
                view.seek(float(data.t[(a.first + a.stop) // 2]))
            for _ in range(3):  # layout, then paint
                app.processEvents()
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            if not window.grab().save(str(screenshot), "PNG"):
                raise TrainerError(f"could not write the screenshot {screenshot}")
            return screenshot
        view.play()
        with _Interrupt(app) as interrupt:
            app.exec()
        if interrupt.hit:
            raise interrupt.stop()
        return None
    finally:
        _dispose(window, app)


def _collect(
    window: MainWindow, services: Services, options: DemoOptions, frame_times: list[float]
) -> DemoResult:
    """Stop the session and gather what the demo reports."""
    acq = window.acquisition
    seconds = 0.0
    if acq is not None:
        snap = acq.buffer.snapshot(1)
        seconds = float(snap.t[-1]) if len(snap) else 0.0
    reference = window.practice_view.current_reference()
    if window.practice_view.running:
        window.toggle_session()
    summary = window.last_summary or {}
    fps = 0.0
    if len(frame_times) >= 2 and frame_times[-1] > frame_times[0]:
        fps = (len(frame_times) - 1) / (frame_times[-1] - frame_times[0])
    return DemoResult(
        technique=options.technique,
        reference=None if reference is None else reference.name,
        glove=None if acq is None else acq.profile.name,
        seconds=round(seconds, 3),
        frames=window.frames,
        fps=fps,
        strokes=[s.to_dict() for s in window.practice_view.scores],
        overall=summary.get("overall"),
        session=summary,
        scoring=services.make_coach is not None and window.warm,
        session_id=getattr(window.recorder, "session_id", None),
        performer=None if acq is None else getattr(acq.source, "description", None),
    )


def headless_environment() -> None:
    """Select Qt's offscreen platform (call before the QApplication exists)."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
