"""The Practice view's controller: references, alignment warm-up, sessions, live frames.

Every session runs under a :class:`~trainer.live.feedback.FeedbackPolicy`: the live
coach raises every cue, and the policy decides, frame by frame and stroke by stroke,
what the student sees (cues, the reference band, score cards), answers F (feedback on
the last stroke) and ends a no-feedback probe after its strokes. What each stroke
showed goes to the session's recorder (``add_feedback``) beside its score.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6 import QtCore

from trainer.exceptions import TrainerError
from trainer.live import Acquisition, AcquisitionEvent, EventKind, Snapshot
from trainer.live.feedback import FeedbackError, FeedbackMode, FeedbackPolicy, StrokeFeedback
from trainer.store.progress import check_surface, load_session_scores, probe_due
from trainer.ui.services import Services, SourceChoice

if TYPE_CHECKING:
    from trainer.live import SessionRecorder
    from trainer.scoring import Reference
    from trainer.ui.controllers.base import JobRunner, Shell, StoreSlot
    from trainer.ui.controllers.connect import ConnectController
    from trainer.ui.practice_view import PracticeView

__all__ = ["PracticeController"]

#: The remembered choices (settings keys).
_FEEDBACK_KEY = "practice/feedback_mode"
_SURFACE_KEY = "practice/surface"
_PROBE_KEY = "practice/probe_strokes"
_REQUIRE_KEY = "practice/require_probes"
#: What the old three-entry picker remembered (an index) meant.
_OLD_FEEDBACK = ("every", "every_n:3", "off")
_GAP_WORDS = {1: "1-day", 7: "1-week", 56: "8-week"}


def _nothing_recording() -> bool:
    return False


def _last_practice(when: datetime, now: datetime) -> str:
    """Name the practice that ended at ``when`` by local calendar days."""
    days = (now.astimezone().date() - when.astimezone().date()).days
    if days <= 0:
        return "your practice earlier today"
    return "yesterday's practice" if days == 1 else f"your practice {days} days ago"


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

    Attributes
    ----------
    policy : FeedbackPolicy or None
        What the running (or last) session shows.
    offer_probes : bool
        Offer a no-feedback probe after a practice and before the first one of a
        technique (the demo turns this off).
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
        #: Who practises (the window's current person, issue 20); ``None``: the default.
        self.person: Callable[[], str] | None = None
        #: Their role ("student" / "instructor"); ``None``: a student.
        self.role: Callable[[], str] | None = None
        self._due: tuple[str | None, str] | None = None  # (person, technique) owing a probe
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
        self.policy: FeedbackPolicy | None = None
        self.offer_probes = True
        self._offer_checked: set[tuple[str | None, str]] = set()  # (person, technique) asked
        self._offer_reading = False
        # The last snapshot and its buffer: frames between changes to the buffer reuse it
        # (the plot only slides), rather than copy 11 s of samples 60 times a second.
        self._snapshot: tuple[object, Snapshot] | None = None
        view.scoring_available = False
        view.session_toggled.connect(self.toggle_session)
        view.technique_changed.connect(self._on_technique_changed)
        view.feedback_changed.connect(self._on_feedback_changed)
        view.probe_requested.connect(self.start_probe)
        view.probe_dismissed.connect(view.withdraw_probe)
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
        """Start a practice session on the chosen reference, or stop the running one.

        When an instructor requires it, a student who owes a probe starts with the probe.
        """
        if self.view.running:
            self._stop()
        elif self.probe_required():
            n = self.view.probe_strokes_wanted
            self.shell.show_message(
                f"Your instructor asks for a probe first: {n} strokes without feedback.", 8000
            )
            self._start(probe=True)
        else:
            self._start(probe=False)

    def probe_required(self) -> bool:
        """Whether the next session must be a probe: required, due, and a student's."""
        role = self.role() if self.role is not None else "student"
        user = self.person() if self.person is not None else None
        return (
            self.view.feedback_settings.require_probes.isChecked()
            and role != "instructor"
            and self._due == (user, self.view.technique.currentText())
        )

    def sync_role(self) -> None:
        """Only an instructor may change whether probes are required."""
        role = self.role() if self.role is not None else "student"
        box = self.view.feedback_settings.require_probes
        box.setEnabled(role == "instructor")

    def start_probe(self) -> None:
        """Start a no-feedback probe (its strokes are set in the view) if nothing runs."""
        if self.view.running:
            self.shell.show_message("Stop the session first: a probe is a set of its own.", 5000)
            return
        self._start(probe=True)

    def _start(self, *, probe: bool) -> None:
        view = self.view
        acq = self.link.acquisition
        make_coach = self.services.make_coach
        if acq is None or not view.can_start() or make_coach is None:
            return
        if self.take_running():
            self.shell.show_message("Stop the take being recorded first.", 5000)
            return
        try:
            surface = check_surface(view.surface())
        except TrainerError as err:
            self.shell.show_message(f"Surface: {err}", 8000)
            return
        mode = view.feedback_mode()
        if mode.kind == "random":  # other strokes each session, the same within one
            mode = dataclasses.replace(mode, seed=secrets.randbelow(2**31))
        policy = FeedbackPolicy(mode, probe=probe, probe_strokes=view.probe_strokes_wanted)
        ref = view.current_reference()
        # The coach raises every cue; the policy decides which the student sees.
        acq.set_scorer(make_coach(ref, "every", 1))
        recorder = None
        note = self.store.error
        store = self.store.store
        if store is not None and self.services.make_recorder is not None:
            choice = self.link.choice
            spec = choice.spec if choice is not None else ""
            try:
                recorder = self.services.make_recorder(
                    store, ref, policy.session_mode(), spec,
                    kind="probe" if probe else "practice", surface=surface,
                    **({"user": self.person()} if self.person is not None else {}),
                )  # fmt: skip
            except TrainerError as err:
                note = str(err)
            else:
                acq.set_recorder(recorder, technique=ref.technique, reference=ref.name)
        self.policy = policy
        self.recorder = recorder
        self.shell.remember("practice/reference", ref.name)
        self._remember_choices()
        view.session_started(
            saved=recorder is not None,
            note=note,
            probe=probe,
            mode=policy.mode,
            probe_strokes=policy.probe_strokes,
        )
        self.shell.show_view("practice")

    def _stop(self) -> None:
        acq = self.link.acquisition
        if acq is not None:
            acq.set_scorer(None)
            acq.set_recorder(None)
        policy = self.policy
        end = policy.end_set() if policy is not None else None
        self.last_summary = self.view.session_stopped(end)
        self.session_ended.emit()
        if policy is None or end is None:
            return
        if policy.probe:
            self._due = None  # the probe owed is taken
            self.shell.show_message("Probe done: its scores are in the summary.", 8000)
        elif end.strokes and self.offer_probes:
            n = self.view.probe_strokes_wanted
            self.view.offer_probe(f"How much stays without help? Try {n} strokes without feedback.")

    def request_feedback(self) -> None:
        """Show the last stroke's card and cues (F); recorded as self-requested."""
        policy = self.policy
        if not self.view.running or policy is None:
            self.shell.show_message("F shows the last stroke's score while you practise.", 5000)
            return
        try:
            asked = policy.request_last()
        except FeedbackError:
            self.shell.show_message("No feedback during a probe: scores come at its end.", 5000)
            return
        if asked is None:
            self.shell.show_message("No stroke scored yet.", 4000)
            return
        self.view.show_requested(asked)
        self._record(asked)

    def _record(self, feedback: StrokeFeedback) -> None:
        """Hand what a stroke showed to the session's recorder (if it records that)."""
        add = getattr(self.recorder, "add_feedback", None)
        if add is None:
            return
        try:
            add(feedback)
        except TrainerError as err:
            self.shell.show_message(f"Feedback record not saved: {err}", 8000)

    def _on_feedback_changed(self, text: str) -> None:
        self._remember_choices()
        policy = self.policy
        if self.view.running and policy is not None and not policy.probe:
            mode = self.view.feedback_mode()
            if mode.kind == "random":
                mode = dataclasses.replace(mode, seed=secrets.randbelow(2**31))
            policy.set_mode(mode)  # from the next stroke on; each stroke records its mode

    def _remember_choices(self) -> None:
        self.shell.remember(_FEEDBACK_KEY, self.view.feedback_mode().text())
        self.shell.remember(_SURFACE_KEY, self.view.surface())
        self.shell.remember(_PROBE_KEY, self.view.probe_strokes_wanted)
        self.shell.remember(
            _REQUIRE_KEY, int(self.view.feedback_settings.require_probes.isChecked())
        )

    # -- the offer of a probe before practice --

    def poll_probe_offer(self) -> None:
        """Once per person and technique, when the store is open: offer a probe if due.

        Due when the technique was practised and no probe followed its last practice,
        or a spaced re-test (1 day, 1 week, 8 weeks) is overdue
        (:func:`trainer.store.progress.probe_due`). Read in a worker.
        """
        store = self.store.store
        technique = self.view.technique.currentText()
        user = self.person() if self.person is not None else None
        if (
            store is None
            or not self.offer_probes
            or self.view.running
            or self._offer_reading
            or not technique
            or (user, technique) in self._offer_checked
        ):
            return
        self._offer_checked.add((user, technique))
        self._offer_reading = True
        now = datetime.now(UTC)

        def read() -> Any:
            scores = load_session_scores(store, technique=technique, user=user or None)
            return probe_due(scores, now=now)

        def done(due: Any, err: BaseException | None) -> None:
            self._offer_reading = False
            view = self.view
            if err is None and due is not None:
                self._due = (user, technique)
            if err is not None or due is None or view.running or view.offering_probe:
                return
            if view.technique.currentText() != technique:
                return
            n = view.probe_strokes_wanted
            when = _last_practice(due.last_practice, now)
            if due.gap_days is not None:
                gap = _GAP_WORDS.get(due.gap_days, f"{due.gap_days}-day")
                text = f"Your {gap} re-test is due: {n} strokes without feedback."
            else:
                text = f"What did you keep since {when}? {n} strokes without feedback."
            view.offer_probe(text)

        self.jobs.submit(read, done)

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
        policy = self.policy
        if kind is EventKind.STROKE and self.view.running:
            if policy is None:
                self.view.add_score(event.payload)
            elif not policy.complete:
                decision = policy.stroke(event.payload)
                self.view.add_score(event.payload, decision)
                self._record(decision)
                if policy.complete:  # a probe ends at its strokes
                    self._stop()
        elif kind is EventKind.RECORDING_FAILED:
            self.view.summary.set_note(f"Recording stopped: {event.message}")
            self.shell.show_message(f"Recording stopped: {event.message}", 15000)
        elif kind is EventKind.FINISHED:
            if self.view.running and self.stop_session_on_finish:
                self.toggle_session()

    def tick(self, visible: bool) -> bool:
        """Draw the newest samples while visible; return whether the plot got new data."""
        self.poll_probe_offer()
        acq = self.link.acquisition
        if acq is None:
            return False
        live = acq.live()
        live_feedback = True
        policy = self.policy
        if self.view.running and policy is not None:
            # Filtered even when not visible: bandwidth tells a stroke's cues after it.
            live = dataclasses.replace(live, cues=policy.live_cues(live.cues, live.strokes))
            live_feedback = policy.shows_live(live.strokes)
        if not visible:
            return False
        fs = float(acq.profile.sample_rate_hz)
        kept = self._snapshot
        # The revision, not the count: a block's scorer track is filled in after it.
        if kept is not None and kept[0] is acq.buffer and kept[1].revision == acq.buffer.revision:
            snap = kept[1]
        else:
            snap = acq.buffer.snapshot(round((self.view.plot.window_s + 1.0) * fs))
            self._snapshot = (acq.buffer, snap)
        return self.view.refresh(snap, live, live_feedback=live_feedback)

    # -- settings --

    def _set_technique_quietly(self, technique: str) -> None:
        self.view.technique.blockSignals(True)
        self.view.technique.setCurrentText(technique)
        self.view.technique.blockSignals(False)

    def restore(self) -> None:
        """Select the remembered choices of the last practice.

        Technique, feedback, probe length, surface, and whether an instructor requires
        due probes (the reference once loaded). A setting from the old three-entry picker (an
        index) is read as the mode it meant.
        """
        technique = self.shell.recall("practice/technique", "")
        if isinstance(technique, str) and technique:
            self._set_technique_quietly(technique)
        # Read every choice before showing any: showing one remembers them all.
        surface = self.shell.recall(_SURFACE_KEY, "")
        required = self.shell.recall(_REQUIRE_KEY, 0)
        text = self.shell.recall(_FEEDBACK_KEY, "")
        if not text:
            try:
                old = int(self.shell.recall("practice/feedback", 0))  # type: ignore[call-overload]
            except (TypeError, ValueError):
                old = 0
            text = _OLD_FEEDBACK[old] if 0 <= old < len(_OLD_FEEDBACK) else ""
        try:
            self.view.set_feedback_mode(FeedbackMode.parse(str(text or "every")))
        except FeedbackError:
            pass  # a hand-edited setting: keep the default
        try:
            strokes = int(self.shell.recall(_PROBE_KEY, 0))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            strokes = 0
        if strokes > 0:
            self.view.feedback_settings.probe_strokes.setValue(strokes)
        self.view.feedback_settings.require_probes.setChecked(str(required) in ("1", "true"))
        self.sync_role()
        if isinstance(surface, str):
            self.view.set_surface(surface)

    def _restore_reference(self) -> None:
        name = self.shell.recall("practice/reference", "")
        index = self.view.reference.findText(str(name)) if name else -1
        if index >= 0:
            self.view.reference.setCurrentIndex(index)
