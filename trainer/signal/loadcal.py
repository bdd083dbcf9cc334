"""Calibration with known weights: tare, placed loads, a monotone raw → newton table per sensor.

Pure maths and a small state object (no I/O, no threads, no clocks, no Qt), so the
``calibrate`` command and a GUI wizard drive the same engine:

1. :func:`counts_profile` gives a profile whose calibration is the identity, so a source
   opened with it yields raw counts (:func:`block_counts` recovers counts from any block).
2. :class:`LoadCalibration` is the step-by-step session: a tare step (glove at rest), then
   one step per :class:`Placement` (a known mass on one sensor). For each step the caller
   shows :meth:`~LoadCalibration.prompt`, calls :meth:`~LoadCalibration.arm` once the
   user has placed the load, and feeds counts with :meth:`~LoadCalibration.feed` until the
   returned :class:`StepUpdate` says ``ACCEPTED`` (the settled reading is kept and the
   session moves on) or ``REJECTED`` (a one-line reason; :meth:`~LoadCalibration.arm`
   again retries the same step).
3. :meth:`LoadCalibration.fit` (or :func:`fit_sensor` on plain numbers) fits each sensor's
   curve and :meth:`CalibrationFit.apply` puts the tables into a copy of the profile.

Steady state. A step accepts the first moment at which, over the last
``window_s``, the watched channel's mean moved by at most ``tol`` between the window's two
halves and its standard deviation is at most ``tol``, and that has held for ``hold_s``;
``tol = max(abs_tol_counts, rel_tol * |level - rest level|)``. The reading is the mean
raw count over that window. A load step also needs the level to stand at least
``min_change_counts`` above the rest level and away from the sensor's previous load, so
a weight still being placed, or lifted off between loads, is never taken for the next
load. Nothing settles within ``timeout_s`` of stream time: the step is rejected and says
why (still moving, no load seen, no change from the previous load).

The fit and its residuals are described in :mod:`trainer.signal.loadfit`, which holds
the curve, the per-sensor fits and the raw-count helpers; their names are re-exported
here.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from trainer.exceptions import SignalError
from trainer.signal.loadfit import (
    STANDARD_GRAVITY,
    CalibrationFit,
    MonotoneCurve,
    PointFit,
    SensorFit,
    block_counts,
    counts_profile,
    fit_sensor,
    sensor_label,
)

if TYPE_CHECKING:
    from sensors.profiles import GloveProfile

__all__ = [
    "STANDARD_GRAVITY",
    "CalibrationFit",
    "LoadCalibration",
    "MonotoneCurve",
    "Placement",
    "PointFit",
    "Reading",
    "SensorFit",
    "SettleCriteria",
    "StepStatus",
    "StepUpdate",
    "block_counts",
    "counts_profile",
    "fit_sensor",
    "placements_for",
]

_FULL_SCALE_FRACTION = 0.995  # a settled mean this close to raw_max is an ADC at its stop


def _kg(load_kg: float) -> str:
    return f"{load_kg:g} kg"


# -- the session ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Placement:
    """A known mass placed on one sensor.

    Parameters
    ----------
    sensor : str
        Sensor name (as in the profile).
    load_kg : float
        Mass in kilograms, > 0.
    """

    sensor: str
    load_kg: float

    @property
    def newtons(self) -> float:
        """The load's weight, ``load_kg × g`` with standard gravity."""
        return self.load_kg * STANDARD_GRAVITY


def placements_for(sensors: Iterable[str], loads_kg: Iterable[float]) -> list[Placement]:
    """Every load on every sensor: sensor by sensor, lightest load first.

    Parameters
    ----------
    sensors : iterable of str
        Sensor names.
    loads_kg : iterable of float
        Masses in kilograms.

    Returns
    -------
    list of Placement
        The schedule.
    """
    loads = sorted(float(k) for k in loads_kg)
    return [Placement(s, k) for s in sensors for k in loads]


@dataclass(frozen=True, slots=True)
class SettleCriteria:
    """When a reading counts as settled (see the module docstring).

    Parameters
    ----------
    window_s : float
        Averaging window, seconds.
    hold_s : float
        How long the window must stay steady before it is taken, seconds.
    rel_tol : float
        Allowed movement as a fraction of the level above the rest level.
    abs_tol_counts : float or None
        Smallest allowed movement and noise, counts (None: 0.5 % of ``raw_max``).
    min_change_counts : float or None
        Least distance of a load's level from the rest level and from the sensor's
        previous load, counts (None: 1 % of ``raw_max``).
    timeout_s : float
        Stream time after :meth:`LoadCalibration.arm` before a step is rejected.
    """

    window_s: float = 1.0
    hold_s: float = 0.5
    rel_tol: float = 0.01
    abs_tol_counts: float | None = None
    min_change_counts: float | None = None
    timeout_s: float = 20.0

    def __post_init__(self) -> None:
        numbers = (self.window_s, self.hold_s, self.rel_tol, self.timeout_s)
        if not all(math.isfinite(v) and v >= 0 for v in numbers) or self.window_s <= 0:
            raise SignalError("settle criteria must be finite, >= 0, with window_s > 0")
        for value in (self.abs_tol_counts, self.min_change_counts):
            if value is not None and not (math.isfinite(value) and value > 0):
                raise SignalError("count tolerances must be finite and > 0")


class StepStatus(enum.StrEnum):
    """Where the current step stands (:attr:`StepUpdate.status`)."""

    IDLE = "idle"  # not armed: waiting for the user to place the load
    MOVING = "moving"  # armed; the reading is still changing
    NO_LOAD = "no_load"  # armed; steady, but at the rest level or the previous load's
    SETTLING = "settling"  # steady and loaded; holding for hold_s
    ACCEPTED = "accepted"  # the reading was taken: the session moved to the next step
    REJECTED = "rejected"  # the step failed (see the message); arm() retries it


@dataclass(frozen=True, slots=True)
class Reading:
    """A settled reading.

    Parameters
    ----------
    placement : Placement or None
        The load, or None for the tare.
    counts : numpy.ndarray
        Mean raw count per watched channel over the settled window: every calibrated
        channel for the tare, the loaded sensor's one for a load.
    std_counts : numpy.ndarray
        Standard deviation over the same window, same shape.
    channels : tuple of int
        The channel index of each entry.
    """

    placement: Placement | None
    counts: np.ndarray
    std_counts: np.ndarray
    channels: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class StepUpdate:
    """What :meth:`LoadCalibration.feed` saw.

    Parameters
    ----------
    status : StepStatus
        The step's state after the samples.
    message : str
        One line for the user ("" while idle).
    level_counts : float
        Latest window mean of the watched channel (the first one for the tare), NaN
        before a full window.
    reading : Reading or None
        The reading taken, when ``status`` is ``ACCEPTED``.
    """

    status: StepStatus
    message: str = ""
    level_counts: float = float("nan")
    reading: Reading | None = None


class LoadCalibration:
    """A calibration session with known weights (tare, then each placement).

    Parameters
    ----------
    profile : GloveProfile
        The glove being calibrated (names, rate, ``raw_max``, saturation).
    placements : sequence of Placement
        The loads, in the order the user will place them.
    criteria : SettleCriteria
        When a reading is settled.

    Raises
    ------
    SignalError
        No placements, an unknown sensor, a load that is not a finite mass > 0, the
        same load twice on a sensor, or a load above the sensor's ``saturation_n``.

    Notes
    -----
    Not thread-safe: call :meth:`feed`, :meth:`arm` and :meth:`fit` from one thread (a
    GUI hands the acquisition thread's blocks over, or guards the session with a lock).
    Time is counted in samples (``profile.sample_rate_hz``), never read from a clock.
    """

    def __init__(
        self,
        profile: GloveProfile,
        placements: Sequence[Placement],
        *,
        criteria: SettleCriteria | None = None,
    ) -> None:
        self.profile = profile
        self.criteria = criteria or SettleCriteria()
        names = profile.channel_names
        if not placements:
            raise SignalError("nothing to calibrate: give at least one load on one sensor")
        seen: set[tuple[str, float]] = set()
        for p in placements:
            if p.sensor not in names:
                raise SignalError(
                    f"unknown sensor {p.sensor!r} (profile {profile.name!r} has: "
                    f"{', '.join(names)})"
                )
            if not (math.isfinite(p.load_kg) and p.load_kg > 0):
                raise SignalError(f"load {p.load_kg!r} kg on {p.sensor}: must be a mass > 0")
            if (p.sensor, p.load_kg) in seen:
                raise SignalError(f"{_kg(p.load_kg)} on {p.sensor} is listed twice")
            seen.add((p.sensor, p.load_kg))
            saturation = profile.sensors[names.index(p.sensor)].saturation_n
            if p.newtons > saturation:
                raise SignalError(
                    f"{_kg(p.load_kg)} ({p.newtons:.1f} N) on {p.sensor} is beyond its "
                    f"saturation ({saturation:g} N in profile {profile.name!r}): use lighter "
                    "loads, or raise saturation_n if the sensor really measures more"
                )
        self.placements = tuple(placements)
        self.sensors = tuple(dict.fromkeys(p.sensor for p in self.placements))
        self._sensor_channels = tuple(names.index(s) for s in self.sensors)
        fs = float(profile.sample_rate_hz)
        c = self.criteria
        self._window = max(2, round(c.window_s * fs))
        self._hold = max(1, round(c.hold_s * fs))
        self._timeout = max(self._window + self._hold, round(c.timeout_s * fs))
        raw_max = float(profile.raw_max)
        self._abs_tol = c.abs_tol_counts or max(1.0, 0.005 * raw_max)
        self._min_change = c.min_change_counts or max(2.0, 0.01 * raw_max)
        self._full_scale = _FULL_SCALE_FRACTION * raw_max
        self.tare: Reading | None = None
        self.readings: list[Reading] = []
        self._step = 0  # 0 = tare, i = placements[i - 1]
        self._armed = False
        self._reset_buffer()
        self._seen = 0

    # -- where the session stands --

    @property
    def step_index(self) -> int:
        """Current step: 0 is the tare, ``i`` is ``placements[i - 1]``."""
        return self._step

    @property
    def step_count(self) -> int:
        """Number of steps, the tare included."""
        return len(self.placements) + 1

    @property
    def current(self) -> Placement | None:
        """The current step's placement (None for the tare, or when done)."""
        if self._step == 0 or self.done:
            return None
        return self.placements[self._step - 1]

    @property
    def done(self) -> bool:
        """Every step has its reading: :meth:`fit` may be called."""
        return self._step > len(self.placements)

    @property
    def armed(self) -> bool:
        """The current step is watching the samples."""
        return self._armed

    def prompt(self) -> str:
        """Return what to ask the user for the current step (one line, no newline)."""
        if self.done:
            return "all loads measured"
        placement = self.current
        if placement is None:
            return "leave the glove at rest, nothing on the sensors"
        previous = self._previous_count(placement.sensor)
        take_off = "" if previous is None else " (lift or add to the previous weight)"
        return f"place {_kg(placement.load_kg)} on {sensor_label(placement.sensor)}{take_off}"

    def arm(self) -> None:
        """Start watching the samples for the current step (the load is in place).

        Raises
        ------
        SignalError
            If the session is done.
        """
        if self.done:
            raise SignalError("the calibration session is done: nothing to arm")
        self._armed = True
        self._seen = 0
        self._reset_buffer()

    def _reset_buffer(self) -> None:
        self._buf = np.empty((0, 0))
        self._checked = 0
        self._run = 0

    def _watched(self) -> tuple[int, ...]:
        placement = self.current
        if placement is None:
            return self._sensor_channels
        return (self.profile.channel_names.index(placement.sensor),)

    def _previous_count(self, sensor: str) -> float | None:
        counts = [
            float(r.counts[0])
            for r in self.readings
            if r.placement is not None and r.placement.sensor == sensor
        ]
        return counts[-1] if counts else None

    # -- feeding samples --

    def feed(self, counts: Any, *, gap_before: bool = False) -> StepUpdate:
        """Feed raw counts of every channel; advance the current step if it settles.

        Samples after the one at which a step is accepted are not used (the next step
        starts at its own :meth:`arm`).

        Parameters
        ----------
        counts : array_like
            Raw counts ``(k, channels)``.
        gap_before : bool
            Samples were lost before these: a window never spans a gap.

        Returns
        -------
        StepUpdate
            The step's state (``IDLE`` when not armed).

        Raises
        ------
        SignalError
            On a shape mismatch or non-finite counts.
        """
        x = np.asarray(counts, dtype=np.float64)
        channels = len(self.profile.sensors)
        if x.ndim != 2 or x.shape[1] != channels:
            raise SignalError(f"counts must be (k, {channels}), got {x.shape}")
        if not np.all(np.isfinite(x)):
            raise SignalError("counts must be finite")
        if not self._armed or self.done:
            return StepUpdate(StepStatus.IDLE)
        watched = self._watched()
        if gap_before:
            self._reset_buffer()
        new = x[:, watched]
        self._buf = new if self._buf.size == 0 else np.concatenate([self._buf, new])
        self._seen += x.shape[0]
        update = self._evaluate(watched)
        if update.status is StepStatus.ACCEPTED or update.status is StepStatus.REJECTED:
            return update
        if self._seen >= self._timeout:
            self._armed = False
            return StepUpdate(
                StepStatus.REJECTED, self._timeout_reason(update), update.level_counts
            )
        # Only the last window and the hold run matter from here on: bound the buffer.
        keep = self._window + 1
        if self._buf.shape[0] > 4 * keep:
            drop = self._buf.shape[0] - keep
            self._buf = self._buf[drop:]
            self._checked = max(0, self._checked - drop)
        return update

    def _rest_level(self, watched: tuple[int, ...]) -> np.ndarray | None:
        if self.tare is None or self.current is None:
            return None
        return np.array([self.tare.counts[self.tare.channels.index(ch)] for ch in watched])

    def _evaluate(self, watched: tuple[int, ...]) -> StepUpdate:
        buf = self._buf
        n, w = buf.shape[0], self._window
        if n < w:
            return StepUpdate(StepStatus.MOVING, "waiting for a full window of samples")
        half = w // 2
        base = buf[0]
        d = buf - base  # smaller numbers keep the cumulative sums exact enough
        cs = np.vstack([np.zeros((1, d.shape[1])), np.cumsum(d, axis=0)])
        cs2 = np.vstack([np.zeros((1, d.shape[1])), np.cumsum(d * d, axis=0)])
        ends = np.arange(max(w - 1, self._checked), n)
        hi = ends + 1
        lo = hi - w
        mean = (cs[hi] - cs[lo]) / w
        var = np.clip((cs2[hi] - cs2[lo]) / w - mean * mean, 0.0, None)
        std = np.sqrt(var)
        first = (cs[lo + half] - cs[lo]) / half
        second = (cs[hi] - cs[lo + half]) / (w - half)
        trend = np.abs(second - first)
        level = mean + base
        rest = self._rest_level(watched)
        reference = level if rest is None else rest[np.newaxis, :]
        tol = np.maximum(self._abs_tol, self.criteria.rel_tol * np.abs(level - reference))
        steady = np.all((trend <= tol) & (std <= tol), axis=1)
        loaded = np.ones(ends.shape, dtype=bool)
        placement = self.current
        previous = None if placement is None else self._previous_count(placement.sensor)
        if rest is not None:
            loaded = level[:, 0] - rest[0] >= self._min_change
            if previous is not None:
                loaded &= np.abs(level[:, 0] - previous) >= self._min_change
        ok = steady & loaded
        self._checked = n
        for j in range(ends.size):
            self._run = self._run + 1 if ok[j] else 0
            if self._run >= self._hold:
                return self._take(level[j], std[j], watched)
        latest = float(level[-1, 0])
        if not steady[-1]:
            return StepUpdate(
                StepStatus.MOVING,
                f"still moving: {trend[-1].max():.0f} counts within {w / self._fs:g} s "
                f"(steady means within {tol[-1].max():.0f})",
                latest,
            )
        if not loaded[-1]:
            return StepUpdate(
                StepStatus.NO_LOAD, self._no_load_reason(latest, rest, previous), latest
            )
        return StepUpdate(StepStatus.SETTLING, f"steady at {latest:.0f} counts: hold still", latest)

    @property
    def _fs(self) -> float:
        return float(self.profile.sample_rate_hz)

    def _no_load_reason(
        self, latest: float, rest: np.ndarray | None, previous: float | None
    ) -> str:
        placement = self.current
        assert placement is not None and rest is not None
        label = sensor_label(placement.sensor)
        if latest - rest[0] < self._min_change:
            return (
                f"no load seen on {label}: {latest:.0f} counts, within "
                f"{self._min_change:.0f} of its rest level {rest[0]:.0f} (is the weight "
                "centred on the sensor?)"
            )
        return (
            f"{label} reads {latest:.0f} counts, within {self._min_change:.0f} of the previous "
            f"load's {previous:.0f}: the sensor may be saturated; use lighter loads"
        )

    def _timeout_reason(self, update: StepUpdate) -> str:
        what = "the tare" if self.current is None else self.prompt().removeprefix("place ")
        if update.status is StepStatus.MOVING:
            return f"{what}: the reading never settled ({update.message})"
        return f"{what}: {update.message}"

    def _take(
        self,
        level: np.ndarray,
        std: np.ndarray,
        watched: tuple[int, ...],
    ) -> StepUpdate:
        placement = self.current
        reading = Reading(placement, level.copy(), std.copy(), watched)
        self._armed = False
        count = float(level[0])
        if placement is not None:
            label = sensor_label(placement.sensor)
            if count >= self._full_scale:
                return StepUpdate(
                    StepStatus.REJECTED,
                    f"{_kg(placement.load_kg)} on {label} reads {count:.0f} counts, at the "
                    f"ADC's full scale ({self.profile.raw_max}): beyond what the sensor "
                    "measures; use lighter loads",
                    count,
                )
            clash = self._out_of_order(placement, count)
            if clash is not None:
                return StepUpdate(
                    StepStatus.REJECTED,
                    f"readings must increase with the load: {_kg(placement.load_kg)} on "
                    f"{label} reads {count:.0f} counts, {clash}; check the placement and retry",
                    count,
                )
            self.readings.append(reading)
            message = f"{_kg(placement.load_kg)} on {label}: {count:.1f} counts (±{std[0]:.1f})"
        else:
            self.tare = reading
            message = "rest levels: " + ", ".join(
                f"{self.profile.channel_names[ch]} {lv:.1f}"
                for ch, lv in zip(watched, level, strict=True)
            )
        self._step += 1
        return StepUpdate(StepStatus.ACCEPTED, message, count, reading)

    def _out_of_order(self, placement: Placement, count: float) -> str | None:
        """Why ``count`` breaks the order of the sensor's readings so far (None: it fits)."""
        for r in self.readings:
            other = r.placement
            if other is None or other.sensor != placement.sensor:
                continue
            theirs = float(r.counts[0])
            if other.load_kg < placement.load_kg and theirs >= count:
                return f"not more than {_kg(other.load_kg)}'s {theirs:.0f}"
            if other.load_kg > placement.load_kg and theirs <= count:
                return f"not less than {_kg(other.load_kg)}'s {theirs:.0f}"
        return None

    # -- the fit --

    def fit(self) -> CalibrationFit:
        """Fit every calibrated sensor from the readings.

        Returns
        -------
        CalibrationFit
            The per-sensor fits.

        Raises
        ------
        SignalError
            If the session is not done, or a sensor's readings do not increase with
            the load.
        """
        if not self.done or self.tare is None:
            raise SignalError("the calibration is not finished: every load needs a reading")
        fits = []
        for sensor, channel in zip(self.sensors, self._sensor_channels, strict=True):
            mine = [r for r in self.readings if r.placement and r.placement.sensor == sensor]
            tare = float(self.tare.counts[self.tare.channels.index(channel)])
            fits.append(
                fit_sensor(
                    sensor,
                    tare,
                    [float(r.counts[0]) for r in mine],
                    [r.placement.newtons for r in mine if r.placement],
                    std_counts=[float(r.std_counts[0]) for r in mine],
                    loads_kg=[r.placement.load_kg for r in mine if r.placement],
                )
            )
        return CalibrationFit(tuple(fits))
