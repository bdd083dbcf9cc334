"""A practice controller on a scripted glove, for the feedback and probe tests.

Strokes are handed to the controller as the frame timer does (``on_event``), and the
live state it filters is set by the test (:meth:`PracticeRig.frame`), so every check
can be made on the real view's widgets and on what the recorder was told.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from types import SimpleNamespace
from typing import cast

import numpy as np
from fakes import FakeShell, ManualJobs, ScriptedSource, make_services

from sensors.sources.base import SourceState, SourceStatus
from trainer.live import AcquisitionEvent, EventKind, LiveState
from trainer.live.feedback import FeedbackMode
from trainer.store.database import Store
from trainer.ui.connect_view import ConnectView
from trainer.ui.controllers import ConnectController, PracticeController, StoreSlot
from trainer.ui.practice_view import PracticeView

_STATUS = SourceStatus(SourceState.STREAMING)


class RecorderStub:
    """Keeps what it is told; ``add_feedback`` is called from the GUI thread."""

    def __init__(self, feedback: str, options: dict) -> None:
        self.feedback, self.options = feedback, options
        self.records: list = []
        self.finished = threading.Event()

    def start(self, technique, reference, profile) -> None:
        pass

    def add_block(self, block) -> None:
        pass

    def add_score(self, score) -> None:
        pass

    def add_feedback(self, feedback) -> None:
        self.records.append(feedback)

    def finish(self) -> None:
        self.finished.set()


def stroke_score(overall: float, *deductions: tuple[str, float]) -> SimpleNamespace:
    return SimpleNamespace(
        overall=overall,
        start_s=0.0,
        path=None,
        components={"shape": 90.0, "pressure": 80.0, "tempo": 85.0, "smoothness": 88.0},
        deductions=[
            SimpleNamespace(code=code, message=f"{code}: detail", points=points)
            for code, points in deductions
        ],
    )


class PracticeRig:
    """A practice controller on a connected scripted glove, with a recording store."""

    def __init__(self, qtbot, references, settings: dict | None = None) -> None:
        self.recorders: list[RecorderStub] = []

        def make_recorder(store, ref, feedback, spec, **options):
            self.recorders.append(RecorderStub(feedback, options))
            return self.recorders[-1]

        self.source = ScriptedSource(level_n=1.0)
        services = replace(
            make_services(lambda spec: self.source, references), make_recorder=make_recorder
        )
        self.jobs = ManualJobs()
        self.shell = FakeShell(settings)
        connect_view = ConnectView(services.simulated_techniques, ["reference-glove"])
        qtbot.addWidget(connect_view)
        self.link = ConnectController(connect_view, services, self.jobs, self.shell)
        self.view = PracticeView(["effleurage", "friction"])
        qtbot.addWidget(self.view)
        # A stand-in store: the recorder is faked, so nothing is written to it.
        store = StoreSlot(store=cast(Store, object()), error="", done=True)
        self.ctl = PracticeController(self.view, services, self.jobs, self.shell, self.link, store)
        self.ctl.offer_probes = False  # these tests are about the modes
        self.ctl.restore()
        self.ctl.load_references()
        self.ctl.warm_up()
        self.link.connect_source(self.link.view.choice())
        self.jobs.run()

    def start(self, mode: FeedbackMode) -> None:
        self.view.set_feedback_mode(mode)
        self.ctl.toggle_session()
        assert self.ctl.running

    def stroke(self, score) -> None:
        self.ctl.on_event(AcquisitionEvent(EventKind.STROKE, _STATUS, payload=score))

    def frame(self, cues=(), *, strokes: int, active: bool = True) -> None:
        """Draw a frame whose scorer state the test chooses."""
        acq = self.link.acquisition
        assert acq is not None
        state = LiveState(
            t=1.0, active=active, position=10, progress=0.5, cues=tuple(cues), strokes=strokes,
            band_ahead=(np.ones(5), np.full(5, 2.0)),
        )  # fmt: skip
        # The engine's latest state, as the test wants it (patched on this instance).
        acq.live = lambda: state  # type: ignore[method-assign]
        self.ctl.tick(visible=True)

    def headings(self) -> list[str]:
        return [c.heading.text() for c in self.view.cards if c.isVisible()]

    def close(self) -> None:
        self.link.disconnect_source()
        self.jobs.run()
