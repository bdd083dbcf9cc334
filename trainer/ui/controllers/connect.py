"""The Connect view's controller: the source, its acquisition, status, tare and scan."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import QtCore

from sensors.sources.base import SourceState, SourceStatus
from trainer.live import Acquisition, AcquisitionEvent, EventKind
from trainer.ui.services import Advert, Services, SourceChoice

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sensors.sources.base import Source
    from trainer.ui.connect_view import ConnectView
    from trainer.ui.controllers.base import JobRunner, Shell

__all__ = ["ConnectController", "parse_choice"]


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
    stopping()
        The acquisition is about to be retired: end what records from it.
    disconnected()
        The user disconnected: there is no glove any more.
    """

    started = QtCore.Signal(object)
    stopping = QtCore.Signal()
    disconnected = QtCore.Signal()

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
        view.connect_requested.connect(self._on_connect_clicked)
        view.disconnect_requested.connect(self.disconnect_source)
        view.tare_requested.connect(self.request_tare)
        view.scan_requested.connect(self.scan)

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
            acq = Acquisition(source, window_s=self.window_s)
            self.acquisition = acq
            self._last_status = None
            self.view.set_profile(acq.profile)
            self.shell.show_source(f"{choice.label} · {acq.profile.name}")
            self.started.emit(acq)
            acq.start()

        open_source = self.services.open_source
        self.jobs.submit(lambda: open_source(choice.spec), built)

    def _connection_failed(self, message: str) -> None:
        self.choice = None
        self._go_practice_when_streaming = False
        self.view.show_disconnected()
        self.view.show_error(message)
        self.shell.show_source("No glove")

    def disconnect_source(self, quiet: bool = False) -> None:
        """Stop the acquisition (joined in a worker thread) and forget the source."""
        self.stopping.emit()
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

    def scan(self) -> None:
        """Scan for BLE gloves in a worker thread."""
        scan = self.services.scan
        if scan is None:
            return
        self.view.set_scanning(True)

        def done(adverts: Sequence[Advert] | None, err: BaseException | None) -> None:
            self.view.set_scanning(False)
            if err is not None:
                self.view.show_devices([])
                self.view.show_error(str(err))
            else:
                self.view.show_devices(list(adverts or ()))

        self.jobs.submit(lambda: scan(5.0), done)

    def request_tare(self) -> None:
        """Zero the sensors (the result comes back as an event)."""
        if self.acquisition is not None:
            self.acquisition.request_tare()
            self.view.show_tare(True, "Hold still…")

    # -- the frame timer --

    def events(self) -> list[AcquisitionEvent]:
        """Take the acquisition's events since the last frame."""
        return [] if self.acquisition is None else self.acquisition.events()

    def on_event(self, event: AcquisitionEvent) -> None:
        """Show what an acquisition event means for the link."""
        kind = event.kind
        if kind is EventKind.TARE:
            self.view.show_tare(True, "Sensors zeroed.")
        elif kind is EventKind.TARE_FAILED:
            self.view.show_tare(False, event.message)
        elif kind is EventKind.ERROR:
            self.view.show_status(event.status)
            self.view.show_error(event.message)
            self.shell.show_message(event.message, 10000)
        elif kind is EventKind.FINISHED:
            self.view.show_status(event.status)

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
        acq, self.acquisition = self.acquisition, None
        if acq is not None:
            acq.stop(timeout=2.0)


def parse_choice(spec: str) -> SourceChoice:
    """Turn a saved spec back into a :class:`SourceChoice` (best effort, never raises)."""
    from urllib.parse import parse_qsl

    head, _, query = spec.partition("?")
    kind, _, target = head.partition(":")
    if kind not in {"sim", "replay", "ble"}:
        return SourceChoice("sim", "effleurage")
    return SourceChoice(kind, target, tuple(parse_qsl(query)))
