"""The Practice view's controller: references, alignment warm-up, sessions, live frames."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6 import QtCore

from trainer.live import Acquisition, AcquisitionEvent, EventKind
from trainer.ui.services import Services, SourceChoice

if TYPE_CHECKING:
    from trainer.live import SessionRecorder
    from trainer.scoring import Reference
    from trainer.ui.controllers.base import JobRunner, Shell, StoreSlot
    from trainer.ui.controllers.connect import ConnectController
    from trainer.ui.practice_view import PracticeView

__all__ = ["PracticeController"]


def _nothing_recording() -> bool:
    return False


class PracticeController(QtCore.QObject):
    """Runs practice sessions on the connected glove and draws them.

    Parameters
    ----------
    view : PracticeView
        The view it drives.
    services : Services
        ``load_references``, ``warm_up``, ``make_coach`` and ``make_recorder`` are used.
    jobs : JobRunner
        Where blocking calls run.
    shell : Shell
        The window (view switching, status bar, settings).
    link : ConnectController
        The live source (its acquisition and choice).
    store : StoreSlot
        Where sessions are recorded, once it is open.
    take_running : callable
        Whether the instructor is recording a take (no session starts on top of one).

    Signals
    -------
    session_ended()
        A session ended; its recorder finishes in the acquisition thread.
    """

    session_ended = QtCore.Signal()

    def __init__(
        self,
        view: PracticeView,
        services: Services,
        jobs: JobRunner,
        shell: Shell,
        link: ConnectController,
        store: StoreSlot,
        *,
        take_running: Callable[[], bool] = _nothing_recording,
    ) -> None:
        super().__init__()
        self.view = view
        self.services = services
        self.jobs = jobs
        self.shell = shell
        self.link = link
        self.store = store
        self.take_running = take_running
        self.references_loaded = False
        self.warm = False
        self.warm_done = False
        #: Stop a running session when the source finishes (the demo stops it itself,
        #: after its screenshot).
        self.stop_session_on_finish = True
        #: The summary of the last session stopped.
        self.last_summary: dict[str, Any] | None = None
        #: The recorder of the running (or last) session.
        self.recorder: SessionRecorder | None = None
        self._autostart: tuple[SourceChoice, str] | None = None
        view.scoring_available = False
        view.session_toggled.connect(self.toggle_session)
        view.technique_changed.connect(self._on_technique_changed)
        link.started.connect(self._on_started)
        link.stopping.connect(self._on_stopping)
        link.disconnected.connect(lambda: view.set_profile(None))
        link.tare_changed.connect(view.show_tare)

    @property
    def running(self) -> bool:
        """A session is running."""
        return self.view.running

    @property
    def references(self) -> list[Reference]:
        """Every reference loaded (before filtering by technique and glove)."""
        return self.view.references

    # -- references and warm-up, in workers --

    def load_references(self) -> None:
        """(Re)load the reference library in a worker; the view offers them when done."""
        self.jobs.submit(self.services.load_references, self._references_loaded)

    def _references_loaded(self, refs: list[Reference] | None, err: BaseException | None) -> None:
        if err is not None:
            self.shell.show_message(f"References could not be loaded: {err}", 8000)
        self.view.set_references(refs or [])
        self.references_loaded = True
        self._restore_reference()

    def warm_up(self) -> None:
        """Compile the alignment kernels in a worker (scoring waits for them)."""
        if self.services.warm_up is None:
            self._warmed_up(None, None)
            return
        self.shell.show_alignment("Getting live scoring ready…")
        self.jobs.submit(self.services.warm_up, self._warmed_up)

    def _warmed_up(self, _result: object, err: BaseException | None) -> None:
        self.warm = err is None
        self.warm_done = True
        available = self.services.make_coach is not None and self.warm
        if err is not None:
            self.shell.show_alignment(f"Live scoring unavailable: {err}")
        elif available:
            # Said once, then out of the way: the label is for what still needs attention.
            self.shell.show_alignment("")
            self.shell.show_message("Live scoring ready.", 5000)
        else:
            self.shell.show_alignment("Scoring unavailable")
        self.view.scoring_available = available
        self.view.set_references(self.view.references)

    # -- sessions --

    def toggle_session(self) -> None:
        """Start a practice session on the chosen reference, or stop the running one."""
        view = self.view
        acq = self.link.acquisition
        if view.running:
            if acq is not None:
                acq.set_scorer(None)
                acq.set_recorder(None)
            self.last_summary = view.session_stopped()
            self.session_ended.emit()
            return
        make_coach = self.services.make_coach
        if acq is None or not view.can_start() or make_coach is None:
            return
        if self.take_running():
            self.shell.show_message("Stop the take being recorded first.", 5000)
            return
        ref = view.current_reference()
        mode, n = view.feedback_mode()
        acq.set_scorer(make_coach(ref, mode, n))
        recorder = None
        store = self.store.store
        if store is not None and self.services.make_recorder is not None:
            choice = self.link.choice
            spec = choice.spec if choice is not None else ""
            feedback = f"{mode}:{n}" if mode == "every_n" else mode
            recorder = self.services.make_recorder(store, ref, feedback, spec)
            acq.set_recorder(recorder, technique=ref.technique, reference=ref.name)
        self.recorder = recorder
        self.shell.remember("practice/reference", ref.name)
        self.shell.remember("practice/feedback", view.feedback.currentIndex())
        view.session_started(saved=recorder is not None, note=self.store.error)
        self.shell.show_view("practice")

    def _on_stopping(self) -> None:
        if self.view.running:
            self.toggle_session()

    def _on_started(self, acq: Acquisition) -> None:
        self.view.set_profile(acq.profile)
        self._autostart_session()

    def _on_technique_changed(self, technique: str) -> None:
        self.shell.remember("practice/technique", technique)
        self.link.follow_technique(technique)

    # -- connect and practise in one go (the demo, ``practice`` on the command line) --

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
        self._set_technique_quietly(technique)
        self.view.set_references(self.view.references)
        self._autostart = (choice, reference)
        self.shell.show_view("practice")

    def poll_autostart(self) -> None:
        """Connect the pending autostart source once references, kernels and store are ready."""
        if self._autostart is None or self.link.choice is not None or self.jobs.busy:
            return
        if self.references_loaded and self.warm_done and self.store.done:
            self.link.connect_source(self._autostart[0])

    def _autostart_session(self) -> None:
        """Start the pending session (called before the acquisition's first read)."""
        if self._autostart is None:
            return
        _, reference = self._autostart
        self._autostart = None
        index = self.view.reference.findText(reference) if reference else -1
        if index >= 0:
            self.view.reference.setCurrentIndex(index)
        self.toggle_session()

    # -- the frame timer --

    def on_event(self, event: AcquisitionEvent) -> None:
        """Scores, a failed recording and the end of the source, for the running session."""
        kind = event.kind
        if kind is EventKind.STROKE and self.view.running:
            self.view.add_score(event.payload)
        elif kind is EventKind.RECORDING_FAILED:
            self.view.summary.set_note(f"Recording stopped: {event.message}")
            self.shell.show_message(f"Recording stopped: {event.message}", 15000)
        elif kind is EventKind.FINISHED:
            if self.view.running and self.stop_session_on_finish:
                self.toggle_session()

    def tick(self, visible: bool) -> bool:
        """Draw the newest samples while visible; return whether the plot got new data."""
        acq = self.link.acquisition
        if not visible or acq is None:
            return False
        fs = float(acq.profile.sample_rate_hz)
        snap = acq.buffer.snapshot(round((self.view.plot.window_s + 1.0) * fs))
        return self.view.refresh(snap, acq.live())

    # -- settings --

    def _set_technique_quietly(self, technique: str) -> None:
        self.view.technique.blockSignals(True)
        self.view.technique.setCurrentText(technique)
        self.view.technique.blockSignals(False)

    def restore(self) -> None:
        """Select the remembered technique and feedback (the reference once loaded)."""
        technique = self.shell.recall("practice/technique", "")
        if isinstance(technique, str) and technique:
            self._set_technique_quietly(technique)
        try:
            feedback = int(self.shell.recall("practice/feedback", 0))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            feedback = 0
        if 0 <= feedback < self.view.feedback.count():
            self.view.feedback.setCurrentIndex(feedback)

    def _restore_reference(self) -> None:
        name = self.shell.recall("practice/reference", "")
        index = self.view.reference.findText(str(name)) if name else -1
        if index >= 0:
            self.view.reference.setCurrentIndex(index)
