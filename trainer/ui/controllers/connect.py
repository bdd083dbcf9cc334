"""The Connect view's controller: the source, its acquisition, status, tare and scan."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import QtCore

from sensors.exceptions import SensorError
from sensors.sources.base import SourceState, SourceStatus
from trainer.exceptions import TrainerError
from trainer.live import Acquisition, AcquisitionEvent, EventKind
from trainer.ui.services import Advert, Services, SourceChoice

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sensors.profiles import GloveProfile
    from sensors.sources.base import Source
    from trainer.ui.connect_view import ConnectView
    from trainer.ui.controllers.base import JobRunner, Shell
    from trainer.ui.controllers.calibration import CalibrationController

__all__ = ["DRIFT_NOTE", "ConnectController", "drift_words", "parse_choice", "tare_failure_words"]

#: States of a source that has not streamed yet (an error then means it never worked).
_STARTING = frozenset({SourceState.IDLE, SourceState.CONNECTING, SourceState.SCANNING})


class ConnectController(QtCore.QObject):
    """Owns the live source: builds it in a worker, runs an :class:`Acquisition` on it.

    Practice and Instructor read :attr:`acquisition` and :attr:`choice` from here and
    react to its signals; nothing else builds or stops a source.

    Parameters
    ----------
    view : ConnectView
        The view it drives.
    services : Services
        ``open_source`` and ``scan`` are used (in workers).
    jobs : JobRunner
        Where blocking calls run.
    shell : Shell
        The window (status-bar source label, view switching, settings).
    window_s : float
        Seconds of samples kept in the acquisition's ring buffer.

    Signals
    -------
    started(Acquisition)
        A new acquisition, emitted before its first read (a session may start on it).
    samples_arrived()
        A block reached the acquisition's ring buffer (emitted from its thread: queued).
    stopping()
        The acquisition is about to be retired: end what records from it.
    disconnected()
        The user disconnected: there is no glove any more.
    tare_changed(str, str)
        What tare is doing, for every view: ``("counting" | "ok" | "failed" | "drift",
        text)``; "drift": a rest level wandered since the tare (re-tare).
    """

    started = QtCore.Signal(object)
    samples_arrived = QtCore.Signal()
    stopping = QtCore.Signal()
    disconnected = QtCore.Signal()
    tare_changed = QtCore.Signal(str, str)

    #: Seconds counted down before zeroing, so the hand can come to rest (T pressed with
    #: a moving hand would fail every time).
    TARE_COUNTDOWN_S = 3

    def __init__(
        self,
        view: ConnectView,
        services: Services,
        jobs: JobRunner,
        shell: Shell,
        *,
        window_s: float = 15.0,
    ) -> None:
        super().__init__()
        self.view = view
        self.services = services
        self.jobs = jobs
        self.shell = shell
        self.window_s = window_s
        #: The running acquisition, else ``None``.
        self.acquisition: Acquisition | None = None
        #: The source chosen last (``None`` once disconnected or failed).
        self.choice: SourceChoice | None = None
        self._serial = 0
        self._go_practice_when_streaming = False
        self._last_status: SourceStatus | None = None
        self.tare_countdown_s = self.TARE_COUNTDOWN_S
        self._tare_left = -1  # seconds still to count; -1: no countdown running
        self._tare_timer = QtCore.QTimer(self)
        self._tare_timer.setSingleShot(True)
        self._tare_timer.setInterval(1000)
        self._tare_timer.timeout.connect(self._tare_step)
        view.connect_requested.connect(self._on_connect_clicked)
        view.disconnect_requested.connect(self.disconnect_source)
        view.tare_requested.connect(self.request_tare)
        view.scan_requested.connect(self.scan)
        view.calibrate_requested.connect(self.open_calibration)
        #: Stream seconds a calibration step may take to settle (the wizard's timeout).
        self.calibration_timeout_s = 20.0
        #: The calibration wizard while it is open.
        self.calibration: CalibrationController | None = None
        view.calibrate_button.setVisible(services.open_counts_source is not None)

    # -- what the user asks --

    def _on_connect_clicked(self, choice: SourceChoice) -> None:
        self._go_practice_when_streaming = True
        self.connect_source(choice)

    def connect_source(self, choice: SourceChoice) -> None:
        """Build ``choice``'s source in a worker thread, then start acquiring from it."""
        self.disconnect_source(quiet=True)
        self.choice = choice
        self._serial += 1
        serial = self._serial
        self.view.set_choice(choice)
        self.view.show_connecting(choice)
        self.shell.show_source(f"Opening {choice.label}…")
        self.shell.remember("source/choice", choice.spec)

        def built(source: Source | None, err: BaseException | None) -> None:
            if serial != self._serial:  # superseded meanwhile
                if source is not None:
                    self.jobs.submit(source.close, lambda *_: None)
                return
            if err is not None or source is None:
                self._connection_failed(str(err) or type(err).__name__)
                return
            try:
                acq = Acquisition(source, window_s=self.window_s)
            except (SensorError, TrainerError, OSError) as exc:  # its profile was unreadable
                self._connection_failed(str(exc) or type(exc).__name__)
                return
            self.acquisition = acq
            self._last_status = None
            self.view.set_profile(acq.profile, _profile_file(choice))
            self.shell.show_source(f"{choice.label} · {acq.profile.name}")
            acq.on_write = self._samples_arrived
            self.started.emit(acq)
            acq.start()

        open_source = self.services.open_source

        def build() -> Source:
            source = open_source(choice.spec)
            # A capture reads its file for its profile: do it here, off the GUI thread,
            # so an unreadable one fails in the worker with its one-line reason.
            _ = source.profile
            return source

        self.jobs.submit(build, built)

    def _samples_arrived(self) -> None:
        """Tell the window a block arrived (called from the acquisition thread)."""
        try:
            self.samples_arrived.emit()
        except RuntimeError:  # the window is gone while the engine stops: nobody to tell
            pass

    def _connection_failed(self, message: str) -> None:
        self.choice = None
        self._go_practice_when_streaming = False
        self.view.set_profile(None)
        self.view.show_failed(message)
        self.shell.show_source("No glove")
        self.disconnected.emit()

    def disconnect_source(self, quiet: bool = False) -> None:
        """Stop the acquisition (joined in a worker thread) and forget the source."""
        self.stopping.emit()
        if self._tare_left >= 0:
            self._tare_timer.stop()
            self._tare_left = -1
            self._say_tare("", "")
        acq, self.acquisition = self.acquisition, None
        self._serial += 1
        if acq is not None:
            self.jobs.submit(acq.stop, lambda *_: None)
        if not quiet:
            self.choice = None
            self.view.show_disconnected()
            self.view.set_profile(None)
            self.disconnected.emit()
            self.shell.show_source("No glove")

    def follow_technique(self, technique: str) -> None:
        """Let the simulated glove, which plays the student, perform ``technique``.

        Only a technique it can perform: one that only has references keeps it as it is.
        """
        choice = self.choice
        if (
            choice is not None
            and choice.kind == "sim"
            and choice.target != technique
            and technique in self.services.simulated_techniques
        ):
            self.connect_source(SourceChoice("sim", technique, choice.options))

    def open_calibration(self) -> CalibrationController:
        """Open the calibration wizard on the connected glove (or say why it cannot).

        While it measures, the wizard reads the glove itself (in raw counts); it gives
        the glove back when it closes, with the new profile once one is saved.
        """
        from trainer.ui.calibration_dialog import CalibrationDialog
        from trainer.ui.controllers.calibration import CalibrationController

        if self.calibration is not None:
            self.calibration.dialog.raise_()
            return self.calibration
        dialog = CalibrationDialog(self.view)
        dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard = CalibrationController(dialog, self, timeout_s=self.calibration_timeout_s)
        self.calibration = wizard
        wizard.finished.connect(self._calibration_closed)
        wizard.open()
        return wizard

    def _calibration_closed(self, path: str) -> None:
        self.calibration = None
        if path:
            self.shell.show_message(f"Calibrated profile saved: {path}", 15000)

    def scan(self) -> None:
        """Scan for BLE gloves in a worker thread."""
        scan = self.services.scan
        if scan is None:
            return
        self.view.set_scanning(True)

        def done(adverts: Sequence[Advert] | None, err: BaseException | None) -> None:
            self.view.set_scanning(False)
            if err is not None:
                self.view.scan_failed(str(err) or type(err).__name__)
            else:
                self.view.show_devices(list(adverts or ()))

        self.jobs.submit(lambda: scan(5.0), done)

    def request_tare(self) -> None:
        """Count down, then zero the sensors (the result comes back as an event).

        The countdown asks the user to hold still first; pressing T again while it runs
        changes nothing. Every step is told through :attr:`tare_changed`.
        """
        if self.acquisition is None:
            self._say_tare("failed", "Connect a glove first, then tare (T).")
            return
        if self._tare_left >= 0:
            return
        self._tare_left = max(0, int(self.tare_countdown_s))
        self._tare_step()

    def _tare_step(self) -> None:
        acq = self.acquisition
        if acq is None:
            self._tare_left = -1
            return
        if self._tare_left > 0:
            self._say_tare("counting", f"Hold still… zeroing in {self._tare_left}")
            self._tare_left -= 1
            self._tare_timer.start()
            return
        self._tare_left = -1
        acq.request_tare()
        self._say_tare("counting", "Hold still… zeroing now")

    def _say_tare(self, state: str, text: str) -> None:
        self.view.show_tare(state != "failed", text)
        self.tare_changed.emit(state, text)

    def _profile(self) -> GloveProfile | None:
        return self.acquisition.profile if self.acquisition is not None else None

    # -- the frame timer --

    def events(self) -> list[AcquisitionEvent]:
        """Take the acquisition's events since the last frame."""
        return [] if self.acquisition is None else self.acquisition.events()

    def on_event(self, event: AcquisitionEvent) -> None:
        """Show what an acquisition event means for the link."""
        kind = event.kind
        if kind is EventKind.TARE:
            self._say_tare("ok", "Sensors zeroed.")
        elif kind is EventKind.TARE_FAILED:
            profile = self.acquisition.profile if self.acquisition is not None else None
            self._say_tare("failed", tare_failure_words(event.message, profile))
        elif kind is EventKind.ERROR:
            # The acquisition thread has ended: a source that never streamed (a capture
            # that cannot be read, a glove that refused) goes back to "not connected".
            self.shell.show_message(event.message, 10000)
            if event.status.state in _STARTING:
                self.disconnect_source(quiet=True)
                self._connection_failed(event.message)
            else:
                self.view.show_status(event.status)
                self.view.show_error(event.message)
        elif kind is EventKind.FINISHED:
            self.view.show_status(event.status)
        elif kind is EventKind.DRIFT:
            # Connect names the sensor; Practice (beside Start) gets the short line, so the
            # note keeps to two lines there.
            self.view.show_tare(False, drift_words(event.message, self._profile()))
            self.tare_changed.emit("drift", DRIFT_NOTE)

    def follow_status(self) -> None:
        """Show a changed link status; a click on Connect lands in Practice once streaming."""
        acq = self.acquisition
        if acq is None:
            return
        status = acq.status()
        if status != self._last_status:
            self._last_status = status
            self.view.show_status(status)
            if status.state is SourceState.STREAMING and self._go_practice_when_streaming:
                self._go_practice_when_streaming = False
                self.shell.show_view("practice")

    def tick(self, visible: bool) -> None:
        """Draw the sensor bars and measured rate while the view is visible."""
        acq = self.acquisition
        if not visible or acq is None:
            return
        fs = float(acq.profile.sample_rate_hz)
        rate = self.view.show_signal(acq.buffer.snapshot(round(3.0 * fs)))
        if rate is not None and self._last_status is not None:
            self.view.show_status(self._last_status, rate)

    # -- settings and shutdown --

    def restore(self) -> None:
        """Select the remembered source (it is not connected)."""
        spec = self.shell.recall("source/choice", "")
        if isinstance(spec, str) and spec:
            self.view.set_choice(parse_choice(spec))

    def close(self) -> None:
        """Stop the acquisition and wait for it (it finishes the recording running)."""
        wizard, self.calibration = self.calibration, None
        if wizard is not None:  # the window closes: stop reading counts, reconnect nothing
            wizard.shutdown()
        acq, self.acquisition = self.acquisition, None
        if acq is not None:
            acq.stop(timeout=2.0)


def tare_failure_words(message: str, profile: GloveProfile | None) -> str:
    """Say why a tare failed in a student's words, naming the sensor by its hand region.

    ``"not at rest: channel 0 varies by 2.31 N (limit 0.5 N); lift the hand and tare
    again"`` becomes ``"Not zeroed: the palm heel sensor moved (2.3 N). Lift the hand
    off, hold it still and press T again."``.
    """
    import re

    found = re.search(r"channel (\d+) (varies by|reads) ([-\d.]+) N", message)
    if found is None:
        return f"Not zeroed: {message}" if message else "Not zeroed."
    index, verb, newtons = int(found.group(1)), found.group(2), float(found.group(3))
    name = f"sensor {index + 1}"
    if profile is not None and 0 <= index < len(profile.sensors):
        name = f"{profile.sensors[index].name.replace('_', ' ')} sensor"
    what = f"moved ({newtons:.1f} N)" if verb == "varies by" else f"is pressed ({newtons:.1f} N)"
    return f"Not zeroed: the {name} {what}. Lift the hand off, hold it still and press T again."


#: What Practice says when a rest level drifts (Connect says which sensor, by how much).
DRIFT_NOTE = "Sensor readings drifting: hold still and press T to tare."


def drift_words(message: str, profile: GloveProfile | None) -> str:
    """Say that a rest level wandered since the tare, and what to do, in one line.

    ``"palm_heel rest level drifted +0.62 N since the tare: re-tare"`` becomes
    ``"Sensor readings drifting (palm heel +0.6 N since the tare): hold still and press
    T to tare."``.
    """
    import re

    found = re.match(r"(\S+) rest level drifted ([-+\d.]+) N", message)
    if found is None:
        return DRIFT_NOTE
    name, newtons = found.group(1), float(found.group(2))
    if profile is not None and name not in profile.channel_names:
        name = "a sensor"
    return (
        f"Sensor readings drifting ({name.replace('_', ' ')} {newtons:+.1f} N since the "
        "tare): hold still and press T to tare."
    )


def _profile_file(choice: SourceChoice) -> str:
    """Return the name of a choice's profile file (a calibrated glove), else ""."""
    profile = dict(choice.options).get("profile", "")
    if choice.kind == "sim" or not profile.lower().endswith(".toml"):
        return ""
    return profile.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".toml")


def parse_choice(spec: str) -> SourceChoice:
    """Turn a saved spec back into a :class:`SourceChoice` (best effort, never raises)."""
    from urllib.parse import parse_qsl

    head, _, query = spec.partition("?")
    kind, _, target = head.partition(":")
    if kind not in {"sim", "replay", "ble"}:
        return SourceChoice("sim", "effleurage")
    return SourceChoice(kind, target, tuple(parse_qsl(query)))
