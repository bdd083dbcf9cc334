"""Controllers driven on their own: real views, fake services, a fake shell, no MainWindow.

Worker calls run when the test says (``ManualJobs.run``), so each test sees the view
before and after a worker answers.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from types import SimpleNamespace
from typing import Any, cast

import pytest
from fakes import FakeShell, ManualJobs, ScriptedSource, make_services

from sensors.sources.base import SourceState, SourceStatus
from trainer.live import AcquisitionEvent, EventKind
from trainer.store.takes import TakeShelf
from trainer.ui.connect_view import ConnectView
from trainer.ui.controllers import (
    ConnectController,
    InstructorController,
    PracticeController,
    ReplayController,
    StoreSlot,
)
from trainer.ui.instructor_view import InstructorView
from trainer.ui.practice_view import PracticeView
from trainer.ui.replay_view import ReplayView
from trainer.ui.services import SourceChoice

TECHNIQUES = ["effleurage", "friction", "skin rolling"]


class _Recorder:
    """A session recorder that keeps what it is given (called from the engine's threads)."""

    def __init__(self, feedback: str, spec: str) -> None:
        self.feedback, self.spec = feedback, spec
        self.started: tuple[str, str] | None = None
        self.samples = 0
        self.finished = threading.Event()

    def start(self, technique: str, reference: str, profile: object) -> None:
        self.started = (technique, reference)

    def add_block(self, block) -> None:
        self.samples += len(block.t)

    def add_score(self, score: object) -> None:
        pass

    def finish(self) -> None:
        self.finished.set()


class _Link:
    """The pieces every test composes: a connect controller on scripted sources."""

    def __init__(self, qtbot, **source_kw) -> None:
        self.sources: list[ScriptedSource] = []
        self.specs: list[str] = []

        def open_source(spec: str) -> ScriptedSource:
            self.specs.append(spec)
            self.sources.append(ScriptedSource(**source_kw))
            return self.sources[-1]

        self.services = make_services(open_source)
        self.jobs = ManualJobs()
        self.shell = FakeShell()
        self.view = ConnectView(self.services.simulated_techniques, ["reference-glove"])
        qtbot.addWidget(self.view)
        self.controller = ConnectController(self.view, self.services, self.jobs, self.shell)

    def drain(self, *controllers) -> list[EventKind]:
        """Hand this frame's events to the controllers (as the frame timer does)."""
        kinds = []
        for event in self.controller.events():
            kinds.append(event.kind)
            for c in (*controllers, self.controller):
                c.on_event(event)
        return kinds

    def close(self) -> None:
        self.controller.disconnect_source()
        self.jobs.run()


@pytest.fixture
def link(qtbot):
    made = _Link(qtbot, level_n=1.0)
    yield made
    made.close()


def test_connect_controller_builds_follows_tares_and_retires_a_source(qtbot, link) -> None:
    ctl, view, shell = link.controller, link.view, link.shell
    started: list[object] = []
    stopping: list[bool] = []
    ctl.started.connect(started.append)
    ctl.stopping.connect(lambda: stopping.append(True))

    view.connect_requested.emit(SourceChoice("ble", "AA"))  # the user's click
    assert view.badge.state == "connecting" and not view.connect_button.isEnabled()
    assert shell.source == "Opening glove AA…" and shell.settings["source/choice"] == "ble:AA"
    assert ctl.acquisition is None  # still being built in a worker
    link.jobs.run()
    acq = ctl.acquisition
    assert acq is not None and started == [acq] and view.glove.text() == acq.profile.name
    assert shell.source == f"glove AA · {acq.profile.name}"

    # Streaming: the status shows, and a click on Connect lands in Practice once.
    link.sources[0].set_state(SourceState.STREAMING, "connected", battery_pct=64)

    def streaming() -> bool:
        ctl.follow_status()
        return view.badge.state == "streaming"

    qtbot.waitUntil(streaming, timeout=5000)
    assert shell.views == ["practice"] and view.battery.text() == "64 %"
    ctl.follow_status()
    assert shell.views == ["practice"]

    # The sensor bars and measured rate draw only while the view is visible.
    qtbot.waitUntil(lambda: len(acq.buffer.snapshot()) > 400, timeout=5000)  # > tare window
    ctl.tick(visible=False)
    assert view.rate.text().endswith("nominal")
    ctl.tick(visible=True)
    assert "Hz  (nominal" in view.rate.text()

    # Tare: a countdown to hold still, then asked, then answered by an event.
    said: list[tuple[str, str]] = []
    ctl.tare_changed.connect(lambda state, text: said.append((state, text)))
    ctl.tare_countdown_s = 1
    ctl.request_tare()
    assert view.tare_message.text() == "Hold still… zeroing in 1"
    qtbot.waitUntil(lambda: view.tare_message.text() == "Hold still… zeroing now", timeout=3000)
    assert [text for _, text in said] == ["Hold still… zeroing in 1", "Hold still… zeroing now"]
    seen: list[EventKind] = []
    qtbot.waitUntil(lambda: EventKind.TARE in seen + link.drain(), timeout=5000)
    assert EventKind.TARE_FAILED not in seen
    assert view.tare_message.text() == "Sensors zeroed."

    # Disconnect: listeners end their recordings first, the source is closed in a worker.
    ctl.disconnect_source()
    assert stopping and ctl.acquisition is None and ctl.choice is None
    assert view.badge.state == "idle" and shell.source == "No glove"
    link.jobs.run()
    assert link.sources[0].closed.is_set()


def test_a_superseded_or_failed_connection(qtbot, link) -> None:
    ctl = link.controller
    ctl.connect_source(SourceChoice("ble", "first"))
    ctl.connect_source(SourceChoice("ble", "second"))
    link.jobs.run()
    first, second = link.sources
    assert first.closed.is_set()  # built too late: closed, never acquired from
    assert ctl.acquisition is not None and ctl.acquisition.source is second
    assert ctl.choice == SourceChoice("ble", "second")

    link.services = replace(link.services, open_source=_no_glove)
    ctl.services = link.services
    ctl.connect_source(SourceChoice("ble", "kitchen"))
    link.jobs.run()
    assert ctl.acquisition is None and ctl.choice is None
    assert "kitchen" in link.view.error.text() and link.shell.source == "No glove"
    assert second.closed.is_set()


def _no_glove(spec: str):
    from sensors.exceptions import DeviceNotFoundError

    raise DeviceNotFoundError(f"no glove named {spec.split(':')[1]!r}")


def _practice(qtbot, link, *, store: StoreSlot, references, take_running=lambda: False):
    recorders: list[_Recorder] = []

    def make_recorder(store, ref, feedback, spec, **options):
        recorders.append(_Recorder(feedback, spec))
        recorders[-1].options = options  # kind, surface (and who practises)
        return recorders[-1]

    services = replace(
        link.services, load_references=lambda: list(references), make_recorder=make_recorder
    )
    view = PracticeView(TECHNIQUES)
    qtbot.addWidget(view)
    ctl = PracticeController(
        view, services, link.jobs, link.shell, link.controller, store, take_running=take_running
    )
    return ctl, view, recorders


def test_practice_controller_runs_a_recorded_session(qtbot, link, references) -> None:
    store = StoreSlot(store=cast(Any, object()), error="", done=True)  # the recorder is faked
    takes = {"running": False}
    ctl, view, recorders = _practice(
        qtbot, link, store=store, references=references, take_running=lambda: takes["running"]
    )
    ended = []
    ctl.session_ended.connect(lambda: ended.append(True))
    link.shell.settings["practice/reference"] = "effleurage-starter"
    ctl.load_references()
    ctl.warm_up()  # no warm-up in these services: ready at once
    assert link.shell.alignment == "" and ctl.warm_done
    assert link.shell.messages[-1] == "Live scoring ready."
    link.jobs.run()
    assert ctl.references_loaded and ctl.references == list(references)

    ctl.toggle_session()  # no glove yet
    assert not ctl.running
    link.controller.connect_source(SourceChoice("ble", "glove"))
    link.jobs.run()
    assert view.current_reference().name == "effleurage-starter" and view.can_start()

    takes["running"] = True
    ctl.toggle_session()
    assert not ctl.running and link.shell.messages[-1:] == ["Stop the take being recorded first."]
    takes["running"] = False
    ctl.toggle_session()
    assert ctl.running and link.shell.views[-1] == "practice"
    (recorder,) = recorders
    assert (recorder.feedback, recorder.spec) == ("every", "ble:glove")
    assert link.shell.settings["practice/feedback_mode"] == "every"
    assert recorder.options["kind"] == "practice"
    assert view.summary.note.text() == ""  # saved: no "Not saved" note

    link.sources[0].set_state(SourceState.STREAMING)
    qtbot.waitUntil(lambda: ctl.tick(visible=True), timeout=5000)
    # Started in the engine's scoring thread, which takes each block after the plot can.
    qtbot.waitUntil(lambda: recorder.started is not None, timeout=5000)
    assert recorder.started == ("effleurage", "effleurage-starter")
    assert not ctl.tick(visible=False)

    status = SourceStatus(SourceState.STREAMING)
    ctl.on_event(AcquisitionEvent(EventKind.RECORDING_FAILED, status, message="disk full"))
    assert view.summary.note.text() == "Recording stopped: disk full"
    assert link.shell.messages[-1] == "Recording stopped: disk full"
    ctl.on_event(AcquisitionEvent(EventKind.FINISHED, status))
    assert not ctl.running and ended == [True]
    assert ctl.last_summary is not None and ctl.last_summary["strokes"] == 0
    qtbot.waitUntil(recorder.finished.is_set, timeout=5000)  # closed in the engine's thread
    assert recorder.samples > 0


def test_practice_tick_reuses_its_snapshot_until_the_buffer_changes(qtbot, link, references):
    """Frames between blocks copy nothing; a scorer track filled in later is drawn."""
    import numpy as np

    from sensors.profiles import load_profile
    from trainer.live import LiveState, RingBuffer

    ctl, view, _ = _practice(qtbot, link, store=StoreSlot(), references=references)
    profile = load_profile("reference-glove")
    buffer = RingBuffer(3000, 7, 3)
    copies: list[int] = []
    snapshot = buffer.snapshot

    def counted(max_samples=None):
        copies.append(max_samples)
        return snapshot(max_samples)

    buffer.snapshot = counted
    view.set_profile(profile)
    link.controller.acquisition = cast(
        Any, SimpleNamespace(buffer=buffer, profile=profile, live=LiveState)
    )
    try:
        buffer.write(np.arange(40) / 200.0, np.full((40, 7), 2.0))
        assert ctl.tick(visible=True) and len(copies) == 1
        ctl.tick(visible=True)
        ctl.tick(visible=True)
        assert len(copies) == 1  # nothing new: the last snapshot again
        buffer.set_aux(20, np.tile([10.0, 14.0, 12.0], (20, 1)))  # scored after
        assert ctl.tick(visible=True) and len(copies) == 2
        assert np.nanmax(np.asarray(view.plot.band_hi.getData()[1], dtype=float)) > 13.0
    finally:
        link.controller.acquisition = None


def test_practice_without_a_store_says_so_and_the_simulated_glove_follows(
    qtbot, link, references
) -> None:
    ctl, view, recorders = _practice(
        qtbot, link, store=StoreSlot(error="database is corrupt", done=True), references=references
    )
    ctl.load_references()
    ctl.warm_up()
    link.jobs.run()
    link.controller.connect_source(SourceChoice("sim", "effleurage"))
    link.jobs.run()
    ctl.toggle_session()
    assert ctl.running and recorders == []
    assert view.summary.note.text() == "Not saved: database is corrupt"
    # Disconnecting ends the session first.
    link.controller.disconnect_source()
    assert not ctl.running and view.subtitle.text() == "Connect a glove to start"
    link.jobs.run()

    link.controller.connect_source(SourceChoice("sim", "effleurage", (("seed", "2"),)))
    link.jobs.run()
    view.technique.setCurrentText("skin rolling")  # the simulator cannot perform it
    assert link.shell.settings["practice/technique"] == "skin rolling"
    assert not link.jobs.busy and link.controller.choice.target == "effleurage"
    view.technique.setCurrentText("friction")
    assert link.controller.choice == SourceChoice("sim", "friction", (("seed", "2"),))
    link.jobs.run()
    assert link.specs[-1] == "sim:friction?seed=2"


def test_autostart_connects_once_ready_and_starts_before_the_first_read(
    qtbot, link, references
) -> None:
    store = StoreSlot()
    ctl, view, _ = _practice(qtbot, link, store=store, references=references)
    ctl.autostart(SourceChoice("ble", "glove"), "effleurage", "effleurage-starter")
    assert link.shell.views == ["practice"]
    ctl.load_references()
    ctl.warm_up()
    ctl.poll_autostart()
    assert link.specs == []  # references still loading
    link.jobs.run()
    ctl.poll_autostart()
    assert link.specs == []  # the store has not answered yet
    store.done = True
    ctl.poll_autostart()
    link.jobs.run()
    assert link.specs == ["ble:glove"] and ctl.running
    assert view.current_reference().name == "effleurage-starter"


def test_instructor_controller_lists_takes_and_gates_recording(
    qtbot, link, references, fixtures_dir, tmp_path
) -> None:
    practice, _, _ = _practice(qtbot, link, store=StoreSlot(done=True), references=references)
    shelf = TakeShelf(tmp_path)
    services = replace(link.services, open_takes=lambda: shelf)
    view = InstructorView(TECHNIQUES)
    qtbot.addWidget(view)
    ctl = InstructorController(view, services, link.jobs, link.shell, link.controller, practice)

    ctl.tick(visible=True)
    assert "Connect a glove" in view.record_status.text() and not view.record_button.isEnabled()
    ctl.open_takes()
    link.jobs.run()
    assert ctl.takes is shelf and view.table.rowCount() == 0

    view.author.setText("Ana")
    view.add_requested.emit(str(fixtures_dir / "effleurage-sim.mtcap"))
    link.jobs.run()
    assert view.table.rowCount() == 1 and _cell(view, 0, 4) == "8"
    assert _cell(view, 0, 2) == "Ana"
    name = view.takes[0].name
    view.keep_changed.emit(name, False)
    link.jobs.run()
    assert shelf.take(name).good is False

    link.controller.connect_source(SourceChoice("sim", "effleurage"))
    link.jobs.run()
    ctl.tick(visible=True)
    assert view.record_button.isEnabled() and view.record_status.text() == ""
    practice.load_references()
    practice.warm_up()
    link.jobs.run()
    practice.toggle_session()
    ctl.tick(visible=True)
    assert "Stop the practice session" in view.record_status.text()
    ctl.toggle_take()
    assert not ctl.recording  # not on top of a session
    practice.toggle_session()

    link.sources[-1].set_state(SourceState.STREAMING)
    ctl.toggle_take()
    assert ctl.recording and view.recording
    assert link.shell.settings["instructor/author"] == "Ana"
    acq = link.controller.acquisition
    qtbot.waitUntil(lambda: len(acq.buffer.snapshot()) > 200, timeout=5000)
    ctl.tick(visible=True)
    assert view.record_status.text().startswith("Recording… ")
    ctl.toggle_take()
    assert not ctl.recording and view.record_status.text() == "Saving the take…"

    def saved() -> bool:
        ctl.tick(visible=True)
        return view.record_status.text().startswith("Take saved (")

    qtbot.waitUntil(saved, timeout=5000)
    link.jobs.run()
    assert view.table.rowCount() == 2

    ctl.toggle_take()
    assert ctl.recording
    link.controller.disconnect_source()  # ends the take first
    assert not ctl.recording and view.record_status.text() == "Saving the take…"
    link.jobs.run()
    view.technique.setCurrentText("friction")
    assert link.shell.settings["instructor/technique"] == "friction"
    link.jobs.run()
    assert view.table.rowCount() == 0


def _cell(view: InstructorView, row: int, column: int) -> str:
    item = view.table.item(row, column)
    return "" if item is None else item.text()


def test_replay_controller_needs_the_store(qtbot) -> None:
    view = ReplayView()
    qtbot.addWidget(view)
    shell, jobs = FakeShell(), ManualJobs()
    ctl = ReplayController(view, jobs, shell, StoreSlot(error="no session store in this mode"))
    view.target.setText("S3")
    view.target.returnPressed.emit()
    assert shell.views == ["replay"] and not jobs.busy
    assert view.message.text() == "Replay needs the session store: no session store in this mode"
    assert ctl.view is view
