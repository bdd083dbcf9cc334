"""Render any view headless, on demo data, to a PNG (README and user-guide images).

``massage-trainer gui --headless --view practice --size 1024x600 --screenshot p.png``
calls :func:`render_view`. Demo data is made fresh in a scratch data home: the
simulated glove streams (Connect, Practice), a few simulated takes are built into a
reference (Instructor), and simulated practice sessions are recorded and scored
(Replay, History). Nothing of the user's is read or written.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer.exceptions import TrainerError

if TYPE_CHECKING:
    from PySide6 import QtWidgets

    from trainer.store.database import Store
    from trainer.ui.main_window import MainWindow
    from trainer.ui.services import Services

__all__ = ["VIEWS", "parse_size", "render_view"]

#: The views :func:`render_view` can draw.
VIEWS = ("connect", "practice", "instructor", "replay", "history")

#: Simulated students recorded for History and Replay: (technique, spec options).
_DEMO_SESSIONS: tuple[tuple[str, str], ...] = (
    ("effleurage", "student=novice&seed=3"),
    ("petrissage", "student=novice&seed=5"),
    ("effleurage", "student=intermediate&seed=3"),
    ("petrissage", "student=intermediate&seed=5"),
    ("effleurage", "student=expert&seed=3"),
)


def parse_size(text: str) -> tuple[int, int]:
    """Parse ``"1024x600"`` into ``(1024, 600)``.

    Raises
    ------
    TrainerError
        If it is not two positive integers joined by ``x``.
    """
    width, sep, height = text.lower().replace("×", "x").partition("x")
    try:
        size = (int(width), int(height))
    except ValueError:
        size = (0, 0)
    if not sep or min(size) < 200 or max(size) > 8000:
        raise TrainerError(f"not a window size: {text!r} (use WIDTHxHEIGHT, e.g. 1024x600)")
    return size


def render_view(
    view: str,
    size: tuple[int, int],
    screenshot: Path,
    *,
    scale: float = 1.0,
    home: Path | None = None,
    timeout_s: float = 180.0,
) -> Path:
    """Draw one view of the app on demo data, offscreen, and save it as a PNG.

    Parameters
    ----------
    view : {"connect", "practice", "instructor", "replay", "history"}
        The view to draw.
    size : (int, int)
        Window size in screen pixels (the PNG's size).
    screenshot : pathlib.Path
        Where the PNG goes (its folder is created).
    scale : float
        Display scaling (1.5 for 150 %): the window is ``size / scale`` logical pixels,
        drawn at ``scale``. It must be chosen before Qt starts (``QT_SCALE_FACTOR``), so
        a process that already runs a QApplication can only use its own scale.
    home : pathlib.Path or None
        Scratch data home for the demo data (default: a temporary folder, removed after).
    timeout_s : float
        Longest wall time to wait for the demo data to be ready.

    Returns
    -------
    pathlib.Path
        ``screenshot``.

    Raises
    ------
    TrainerError
        Unknown view, a scale Qt cannot take any more, demo data not ready in time, or
        the PNG cannot be written.
    """
    if view not in VIEWS:
        raise TrainerError(f"unknown view {view!r} (choose from {', '.join(VIEWS)})")
    if not 0.5 <= scale <= 4.0:
        raise TrainerError(f"scale {scale:g} is outside 0.5-4")
    _prepare_qt(scale)
    if home is None:
        with tempfile.TemporaryDirectory(prefix="massage-trainer-shot-") as scratch:
            return _render(view, size, screenshot, scale, Path(scratch), timeout_s)
    return _render(view, size, screenshot, scale, Path(home), timeout_s)


def _prepare_qt(scale: float) -> None:
    """Offscreen platform and the scale, before the QApplication exists."""
    from PySide6 import QtWidgets

    app = QtWidgets.QApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ["QT_SCALE_FACTOR"] = f"{scale:g}"
        os.environ.pop("QT_AUTO_SCREEN_SCALE_FACTOR", None)
        os.environ.pop("QT_ENABLE_HIGHDPI_SCALING", None)
        return
    assert isinstance(app, QtWidgets.QApplication)
    if abs(app.devicePixelRatio() - scale) > 1e-6:
        raise TrainerError(
            f"cannot draw at scale {scale:g}: Qt already runs at {app.devicePixelRatio():g} "
            "in this process"
        )


def _render(
    view: str, size: tuple[int, int], out: Path, scale: float, home: Path, timeout_s: float
) -> Path:
    from trainer.ui.main_window import MainWindow
    from trainer.ui.runner import _dispose, application

    app = application()
    deadline = time.monotonic() + timeout_s
    services = demo_services(home)
    if view in ("replay", "history"):
        _record_demo_sessions(home, deadline)
    window = MainWindow(services, settings=None)
    try:
        window.show()
        # After show: the window fits itself on the (offscreen) screen when first shown,
        # and a picture has the size asked, whatever that screen is.
        window.resize(round(size[0] / scale), round(size[1] / scale))
        _STAGES[view](window, app, deadline)
        # The status bar says "ready", not "getting ready", in every picture.
        _wait(app, lambda: window.warm_done, deadline, "live scoring")
        for _ in range(3):  # layout, then paint
            app.processEvents()
        pixmap = window.grab()
        out.parent.mkdir(parents=True, exist_ok=True)
        if not pixmap.save(str(out), "PNG"):
            raise TrainerError(f"could not write the screenshot {out}")
        return out
    finally:
        _dispose(window, app)


def demo_services(home: Path) -> Services:
    """Return the app's services with every file under ``home`` (a scratch data home)."""
    from trainer.app import default_services, make_recorder
    from trainer.store.database import Store
    from trainer.store.references import ReferenceLibrary
    from trainer.store.takes import TakeShelf

    library = ReferenceLibrary(home / "references")
    base = default_services()
    return replace(
        base,
        scan=None,
        open_store=lambda: Store(home),
        make_recorder=make_recorder,
        open_takes=lambda: TakeShelf(home),
        save_reference=lambda ref, overwrite: library.add(ref, overwrite=overwrite),
        export_references=None,
        open_library=lambda: library,
    )


def _wait(
    app: QtWidgets.QApplication, ready: Callable[[], bool], deadline: float, what: str
) -> None:
    while not ready():
        if time.monotonic() > deadline:
            raise TrainerError(f"demo data not ready in time: {what}")
        app.processEvents()
        time.sleep(0.01)


def _sim(technique: str, options: str = "seed=3") -> Any:
    from trainer.ui.services import SourceChoice

    pairs = tuple(tuple(kv.split("=", 1)) for kv in options.split("&") if kv)
    return SourceChoice("sim", technique, pairs)  # type: ignore[arg-type]


def _stage_connect(window: MainWindow, app: QtWidgets.QApplication, deadline: float) -> None:
    window.show_view("connect")
    window.connect_source(_sim("effleurage"))
    window.show_view("connect")
    _wait(app, lambda: window.acquisition is not None, deadline, "the simulated glove")
    acq = window.acquisition
    assert acq is not None
    _wait(app, lambda: len(acq.buffer.snapshot()) > 2.5 * acq.profile.sample_rate_hz, deadline,
          "glove samples")  # fmt: skip
    window.connect_controller._go_practice_when_streaming = False
    window.show_view("connect")


def _stage_practice(window: MainWindow, app: QtWidgets.QApplication, deadline: float) -> None:
    window.autostart(_sim("effleurage", "seed=3&speed=2&student=intermediate"), "effleurage")
    _wait(app, lambda: window.practice_view.running, deadline, "a practice session")
    acq = window.acquisition
    assert acq is not None

    def mid_stroke() -> bool:
        live = acq.live()
        return len(window.practice_view.scores) >= 3 and live.active and live.progress >= 0.5

    _wait(app, mid_stroke, deadline, "three scored strokes")
    window.tick()


def _stage_instructor(window: MainWindow, app: QtWidgets.QApplication, deadline: float) -> None:
    from sensors.capture import CaptureWriter
    from sensors.sources import open_source

    _wait(app, lambda: window.takes is not None, deadline, "the takes")
    shelf = window.takes
    assert shelf is not None
    scratch = Path(shelf.folder).parent / "recordings"
    scratch.mkdir(parents=True, exist_ok=True)
    have = len(shelf.takes("effleurage")[0])
    for seed in (11, 12, 13)[have:]:
        path = scratch / f"take-{seed}.mtcap"
        source = open_source(f"sim:effleurage?seed={seed}&speed=0&seconds=14")
        source.open()
        try:
            with CaptureWriter(
                path, source.profile, source="sim:effleurage", overwrite=True
            ) as writer:
                while True:
                    try:
                        block = source.read(timeout=1.0)
                    except EOFError:
                        break
                    if block is not None:
                        writer.append(block)
        finally:
            source.close()
        shelf.add_file(path, "effleurage", author="Demo instructor")
    view = window.instructor_view
    window.show_view("instructor")
    window.refresh_takes()
    _wait(app, lambda: view.table.rowCount() >= 3 and len(view.strokes) >= 3, deadline, "takes")
    names = [t.name for t in view.takes][:3]
    reference = shelf.build(names, name="effleurage-demo", technique="effleurage",
                            author="Demo instructor")  # fmt: skip
    view.ref_name.setText("effleurage-demo")
    view.show_reference(reference)
    view.table.selectRow(0)
    _wait(app, lambda: "complete strokes" in view.take_info.text(), deadline, "a take drawn")


def _record_demo_sessions(home: Path, deadline: float) -> None:
    """Record the demo sessions into ``home``'s store (once per home)."""
    from trainer.store.database import Store

    marker = home / ".demo-sessions"
    if marker.exists():
        return
    with Store(home) as store:
        for technique, options in _DEMO_SESSIONS:
            _record_session(store, technique, options, deadline)
    marker.write_text("recorded\n")


def _record_session(store: Store, technique: str, options: str, deadline: float) -> None:
    from sensors.sources import open_source
    from trainer.app import load_references, make_coach, make_recorder
    from trainer.live import Acquisition, EventKind

    ref = next(r for r in load_references() if r.name == f"{technique}-starter")
    spec = f"sim:{technique}?{options}&speed=0&seconds=16"
    acq = Acquisition(open_source(spec))
    acq.set_scorer(make_coach(ref))
    acq.set_recorder(make_recorder(store, ref, "every", spec), technique=technique,
                     reference=ref.name)  # fmt: skip
    acq.start()
    try:
        while not any(e.kind is EventKind.FINISHED for e in acq.events()):
            if acq.wait(0.05) or time.monotonic() > deadline:
                break
    finally:
        acq.stop(timeout=10.0)
        acq.wait(10.0)
    if acq.error is not None:
        raise TrainerError(f"demo session could not be recorded: {acq.error}")


def _stage_replay(window: MainWindow, app: QtWidgets.QApplication, deadline: float) -> None:
    _wait(app, lambda: window.store is not None, deadline, "the session store")
    store = window.store
    assert store is not None
    # A good session with a few strokes: what a README reader should see first.
    sessions = [s for s in store.sessions() if s.attempts >= 5] or store.sessions()
    session = max(sessions, key=lambda s: s.mean_overall or 0.0)
    loaded: list[bool] = []
    window.replay_loaded.connect(lambda: loaded.append(True))
    window.open_replay(f"S{session.id}")
    _wait(app, lambda: bool(loaded), deadline, "the replay")
    view = window.replay_view
    data = view.data
    row = min(2, len(data.attempts) - 1)
    if row >= 0:
        view.attempt_list.setCurrentRow(row)
        a = data.attempts[row]
        view.seek(float(data.t[(a.first + a.stop) // 2]))


def _stage_history(window: MainWindow, app: QtWidgets.QApplication, deadline: float) -> None:
    window.show_view("history")
    view = window.history_view
    view.refresh()
    _wait(app, lambda: view.loads > 0 and view.table.rowCount() > 0, deadline, "sessions")
    view.table.selectRow(0)


_STAGES: dict[str, Callable[[MainWindow, QtWidgets.QApplication, float], None]] = {
    "connect": _stage_connect,
    "practice": _stage_practice,
    "instructor": _stage_instructor,
    "replay": _stage_replay,
    "history": _stage_history,
}
