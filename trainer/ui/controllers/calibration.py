"""The calibration wizard's controller: known weights on each sensor, a fitted profile.

The same engine as ``massage-trainer calibrate`` (:mod:`trainer.signal.loadcal`): the
connected glove is reopened in raw counts (``Services.open_counts_source``) and read by an
:class:`~trainer.live.Acquisition` of its own; every frame the new samples are turned into
counts and fed to a :class:`~trainer.signal.loadcal.LoadCalibration` on the GUI thread
(the session is not thread-safe). Each step is watched as soon as it is shown: a reading
is taken once the level has left the rest (or the previous load) and holds steady, so a
weight still being placed is never taken. Saving writes the fitted profile
(``Services.save_profile``) and reconnects the glove with it; cancelling reconnects the
glove as it was.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6 import QtCore

from sensors.exceptions import SensorError
from trainer.exceptions import TrainerError
from trainer.live import Acquisition, EventKind

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sensors.profiles import GloveProfile
    from sensors.sources.base import Source
    from trainer.signal.loadcal import CalibrationFit, LoadCalibration, SensorFit, StepUpdate
    from trainer.ui.calibration_dialog import CalibrationDialog
    from trainer.ui.controllers.connect import ConnectController
    from trainer.ui.services import SourceChoice

__all__ = ["DEFAULT_LOADS_KG", "CalibrationController", "FitRow", "fit_row", "parse_loads"]

#: Masses offered first, kg: 0.98-9.8 N, within a 10 N FSR 402 (as ``calibrate``).
DEFAULT_LOADS_KG = (0.1, 0.2, 0.5, 1.0)
#: Relative error (of the heaviest load) up to which a fit is called good, then fair.
_GOOD, _FAIR = 0.02, 0.05


def parse_loads(text: str) -> list[float]:
    """Read masses in kg from ``"0.1, 0.2, 0.5 1"`` (commas, spaces or semicolons).

    Raises
    ------
    TrainerError
        One line: a word that is not a number, a mass that is not > 0, or one listed twice.
    """
    words = text.replace(";", " ").replace(",", " ").split()
    if not words:
        raise TrainerError("give the masses you will place, in kg, e.g. 0.1, 0.2, 0.5, 1")
    loads = []
    for word in words:
        try:
            value = float(word.removesuffix("kg"))
        except ValueError:
            raise TrainerError(f"{word!r} is not a mass in kg (e.g. 0.1, 0.2, 0.5, 1)") from None
        if not (math.isfinite(value) and value > 0):
            raise TrainerError(f"{word}: every mass must be a number of kg above 0")
        loads.append(value)
    if len(set(loads)) != len(loads):
        raise TrainerError("a mass is listed twice: list each weight once")
    return sorted(loads)


@dataclass(frozen=True, slots=True)
class FitRow:
    """One sensor's fit as the wizard lists it.

    Parameters
    ----------
    sensor : str
        Sensor name.
    loads : int
        Loads measured.
    rest_counts : float
        Rest count (0 N).
    max_n : float
        The heaviest load, newtons (the table clips there).
    between_n : float
        Largest leave-one-out error, newtons (NaN with one load): how far the curve
        between loads can be trusted.
    noise_n : float
        Largest reading noise, newtons.
    quality : str
        ``"good"``, ``"fair"`` or ``"poor"`` (worst of the two errors against the
        heaviest load: up to 2 %, up to 5 %, more).
    """

    sensor: str
    loads: int
    rest_counts: float
    max_n: float
    between_n: float
    noise_n: float
    quality: str


def fit_row(fit: SensorFit) -> FitRow:
    """Summarise one sensor's fit for the wizard (see :class:`FitRow`)."""
    between = fit.max_loo_error_n
    noise = max(abs(p.noise_n) for p in fit.points)
    worst = max(noise, 0.0 if math.isnan(between) else between) / fit.max_newtons
    quality = "good" if worst <= _GOOD else "fair" if worst <= _FAIR else "poor"
    if math.isnan(between) and quality == "good":
        quality = "fair"  # one load: the curve between is a guess (a power law to 0 N)
    return FitRow(
        fit.sensor, len(fit.points), fit.tare_counts, fit.max_newtons, between, noise, quality
    )


class CalibrationController(QtCore.QObject):
    """Drives one :class:`~trainer.ui.calibration_dialog.CalibrationDialog`.

    Parameters
    ----------
    dialog : CalibrationDialog
        The wizard it drives.
    link : ConnectController
        The connected glove (taken over while calibrating, given back after).
    timeout_s : float
        Stream seconds a step may take to settle before it is refused.
    frame_ms : int
        How often new samples are fed, milliseconds.

    Signals
    -------
    finished(str)
        The wizard closed: the saved profile's file, or ``""`` when nothing was saved.
    """

    finished = QtCore.Signal(str)

    def __init__(
        self,
        dialog: CalibrationDialog,
        link: ConnectController,
        *,
        timeout_s: float = 20.0,
        frame_ms: int = 33,
    ) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.link = link
        self.services = link.services
        self.jobs = link.jobs
        self.timeout_s = timeout_s
        #: The glove's profile being calibrated, and the source it was connected as.
        self.profile: GloveProfile | None = None
        self.choice: SourceChoice | None = None
        self.session: LoadCalibration | None = None
        self.fit: CalibrationFit | None = None
        self.acquisition: Acquisition | None = None
        self._taken = False  # the link's glove was handed over (give it back at the end)
        self._written = 0  # samples of the acquisition's buffer already fed
        self._settling = 0  # samples fed since the step became steady and loaded
        self._closed = False
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(frame_ms)
        self._timer.timeout.connect(self.poll)
        dialog.start_requested.connect(self.start)
        dialog.next_requested.connect(self.next_step)
        dialog.retry_requested.connect(self.retry)
        dialog.save_requested.connect(self.save)
        dialog.closed.connect(self.cancel)

    # -- opening --

    def open(self) -> None:
        """Show the wizard for the connected glove, or why it cannot calibrate."""
        link = self.link
        acq, choice = link.acquisition, link.choice
        if acq is None or choice is None:
            self.dialog.set_glove(
                None,
                "Nothing is connected: connect the glove (Bluetooth, or a recorded "
                "calibration session) first, then calibrate.",
            )
        elif choice.kind == "sim":
            self.dialog.set_glove(
                acq.profile,
                "The simulated glove presses strokes, not weights: connect a Bluetooth "
                "glove (or a recorded calibration session) to calibrate.",
            )
        elif self.services.open_counts_source is None or self.services.save_profile is None:
            self.dialog.set_glove(acq.profile, "Calibration is not available in this mode.")
        else:
            self.profile, self.choice = acq.profile, choice
            self.dialog.set_glove(acq.profile, "")
        self.dialog.open()

    # -- the steps --

    def start(self, sensors: Sequence[str], loads_text: str) -> None:
        """Check the choice, take the glove over in raw counts, and watch the tare step."""
        from trainer.signal.loadcal import LoadCalibration, SettleCriteria, placements_for

        profile, choice = self.profile, self.choice
        open_counts = self.services.open_counts_source
        if profile is None or choice is None or open_counts is None:
            return
        if not sensors:
            self.dialog.show_error("Tick at least one sensor to calibrate.")
            return
        try:
            loads = parse_loads(loads_text)
            criteria = SettleCriteria(timeout_s=self.timeout_s)
            self.session = LoadCalibration(
                profile, placements_for(sensors, loads), criteria=criteria
            )
        except TrainerError as err:  # SignalError too: beyond saturation, unknown sensor
            self.dialog.show_error(_line(err))
            return
        self.dialog.show_opening(f"Opening {choice.label} in raw counts…")
        old = self.link.acquisition
        self.link.disconnect_source(quiet=True)  # stops what records from it, too
        self.link.view.show_calibrating("Calibrating with known weights…")
        self._taken = True

        def build() -> Source:
            if old is not None:
                old.stop()  # a Bluetooth glove takes one connection: close it first
            source = open_counts(choice.spec, profile)
            _ = source.profile  # a capture reads its file here, off the GUI thread
            return source

        def built(source: Source | None, err: BaseException | None) -> None:
            if self._closed:
                if source is not None:
                    self.jobs.submit(source.close, lambda *_: None)
                return
            if err is not None or source is None:
                self.session = None
                self.dialog.show_setup_error(f"Could not open the glove: {_line(err)}")
                self._give_back()
                return
            self._run(source)

        self.jobs.submit(build, built)

    def _run(self, source: Source) -> None:
        try:
            acq = Acquisition(source, window_s=30.0)
        except (SensorError, TrainerError, OSError) as err:
            self.session = None
            self.dialog.show_setup_error(f"Could not read the glove: {_line(err)}")
            self._give_back()
            return
        self.acquisition = acq
        self._written = 0
        acq.start()
        self._timer.start()
        self._show_step()

    def _show_step(self) -> None:
        session = self.session
        assert session is not None
        session.arm()
        self._settling = 0
        self.dialog.show_step(session.step_index, session.step_count, _sentence(session.prompt()))

    def next_step(self) -> None:
        """Go on: the next weight, or the fit once every reading is in."""
        session = self.session
        if session is None:
            return
        if not session.done:
            self._show_step()
            return
        self._timer.stop()
        try:
            self.fit = session.fit()
        except TrainerError as err:
            self.dialog.show_error(_line(err))
            return
        self.dialog.show_fit([fit_row(f) for f in self.fit.sensors])

    def retry(self) -> None:
        """Watch the refused step again."""
        if self.session is not None and not self.session.done:
            self._show_step()

    # -- every frame: new samples -> counts -> the session --

    def poll(self) -> None:
        """Feed the samples that arrived since the last frame; follow the source's end."""
        acq, session = self.acquisition, self.session
        if acq is None or session is None:
            return
        for event in acq.events():
            if event.kind is EventKind.ERROR:
                self._lost(f"The glove stopped: {_line(event.message)}")
                return
            if event.kind is EventKind.FINISHED and not session.done:
                self._feed(acq, session)  # what came before the end still counts
                if not session.done:
                    self._lost(
                        "The source ended before every weight was measured (at "
                        f"{_sentence(session.prompt()).rstrip('.')})."
                    )
                return
        self._feed(acq, session)

    def _lost(self, message: str) -> None:
        self._timer.stop()
        self.dialog.show_refused(message, can_retry=False)

    def _feed(self, acq: Acquisition, session: LoadCalibration) -> None:
        from trainer.signal.loadcal import StepStatus, block_counts

        snap = acq.buffer.snapshot()
        new = snap.written - self._written
        if new <= 0:
            return
        self._written = snap.written
        lost = new > len(snap)  # the GUI fell a whole buffer behind: a gap
        k = min(new, len(snap))
        counts = block_counts(snap.values[-k:], acq.profile)
        gaps = snap.gap_before[-k:].copy()
        gaps[0] |= lost
        starts = [0, *np.flatnonzero(gaps[1:]) + 1, k]
        update: StepUpdate | None = None
        fs = float(acq.profile.sample_rate_hz)
        for a, b in itertools.pairwise(starts):
            if a == b:
                continue
            update = session.feed(counts[a:b], gap_before=bool(gaps[a]))
            self._settling = self._settling + (b - a) if update.status is StepStatus.SETTLING else 0
            if update.status in (StepStatus.ACCEPTED, StepStatus.REJECTED):
                break
        if update is None:
            return
        if update.status is StepStatus.ACCEPTED:
            self.dialog.show_captured(_sentence(update.message), last=session.done)
        elif update.status is StepStatus.REJECTED:
            self.dialog.show_refused(_sentence(f"Not taken: {update.message}"), can_retry=True)
        elif update.status is not StepStatus.IDLE:
            hold = max(1.0, session.criteria.hold_s * fs)
            steady = 1.0 if update.status is StepStatus.SETTLING else 0.0
            steady *= min(1.0, self._settling / hold)
            self.dialog.show_reading(
                str(update.status.value), _sentence(update.message), update.level_counts, steady
            )

    # -- saving and closing --

    def save(self, name: str, overwrite: bool = False) -> None:
        """Write the fitted profile as ``name`` and reconnect the glove with it."""
        fit, profile, save = self.fit, self.profile, self.services.save_profile
        if fit is None or profile is None or save is None:
            return
        try:
            new = fit.apply(profile)
        except TrainerError as err:
            self.dialog.show_error(_line(err))
            return
        self.dialog.show_saving(name)

        def saved(path: Path | None, err: BaseException | None) -> None:
            if isinstance(err, FileExistsError) and not overwrite:
                if self.dialog.confirm(f"A profile named {name} exists. Replace it?"):
                    self.save(name, overwrite=True)
                else:
                    self.dialog.show_error("Not saved: choose another name.")
                return
            if err is not None or path is None:
                self.dialog.show_error(f"Not saved: {_line(err)}")
                return
            self._finish(str(path))

        self.jobs.submit(lambda: save(new, name, overwrite), saved)

    def _finish(self, path: str) -> None:
        """Close the wizard; the glove comes back with the new profile."""
        choice = self.choice
        if choice is not None:
            self.choice = choice.with_option("profile", path)
        self._closed = True
        self._give_back(note=f"Now using the calibrated profile {Path(path).stem}.")
        self.dialog.accept()
        self.finished.emit(path)

    def cancel(self) -> None:
        """Give the glove back as it was: the wizard closed without saving."""
        if self._closed:
            return
        self._closed = True
        self._give_back()
        self.finished.emit("")

    def shutdown(self) -> None:
        """Stop reading the glove and close the wizard, giving nothing back (app exit)."""
        self._closed = True
        self._taken = False
        self._timer.stop()
        acq, self.acquisition = self.acquisition, None
        if acq is not None:
            acq.stop(timeout=2.0)
        self.dialog.done(0)  # not reject(): that would reconnect the glove

    def _give_back(self, note: str = "") -> None:
        """Stop reading counts, then reconnect the glove (once it is closed)."""
        self._timer.stop()
        acq, self.acquisition = self.acquisition, None
        if not self._taken:
            return
        self._taken = False
        choice, link = self.choice, self.link

        def reconnect(*_: Any) -> None:
            if choice is None:
                return
            link.connect_source(choice)
            if note:
                link.view.show_tare(True, note)

        if acq is None:
            reconnect()
        else:
            self.jobs.submit(acq.stop, reconnect)


def _line(err: object) -> str:
    """One line of an error (its first), never empty."""
    text = str(err).strip() if err is not None else ""
    if not text and isinstance(err, BaseException):
        text = type(err).__name__
    return text.splitlines()[0] if text else "unknown error"


def _sentence(text: str) -> str:
    """``"place 1 kg on palm"`` -> ``"Place 1 kg on palm."``."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", ")")) else text + "."
