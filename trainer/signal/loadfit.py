"""Counts and newtons for the known-weights calibration (:mod:`trainer.signal.loadcal`).

A profile whose sources yield raw counts (:func:`counts_profile`), counts recovered from
any block (:func:`block_counts`), and the fit of each sensor's monotone raw → newton
curve (:func:`fit_sensor`, :class:`CalibrationFit`). Pure maths: no I/O, no state.

The fit. Through the rest point ``(tare count, 0 N)`` and the measured points, a PCHIP
interpolant (monotone, no overshoot) of ``log N`` against ``log(count - tare)``: a
force-sensing resistor's divider reading and a power law are straight or gently bent
lines there, so few loads recover the curve closely. Below the lightest load the curve
continues as the power law of the first two points, down to 0 N at the tare count (through
the origin). Extrapolation policy: readings above the heaviest load's count are **clipped**
to the heaviest load, and the sensor's ``saturation_n`` becomes at most that load, so
harder presses are flagged as clipped rather than guessed. The curve is written as a
piecewise-linear ``table`` calibration of about 50 points (the profile's format).

Residuals per sensor: the table's error at each measured point (the table's own
sampling error, near 0 by construction), the leave-one-out error of each interior point
(the curve refitted without it, evaluated at its count: how far the curve between loads
can be trusted), and the reading's noise converted to newtons through the local slope.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from trainer.exceptions import SignalError

if TYPE_CHECKING:
    from sensors.profiles import GloveProfile

__all__ = [
    "STANDARD_GRAVITY",
    "CalibrationFit",
    "MonotoneCurve",
    "PointFit",
    "SensorFit",
    "block_counts",
    "counts_profile",
    "fit_sensor",
    "sensor_label",
]

#: Standard gravity, m/s² (ISO 80000-3): newtons = kilograms × this.
STANDARD_GRAVITY = 9.80665
_HEAD_POINTS = 12  # table points between the tare count and the lightest load
_BODY_POINTS = 24  # table points spread evenly in counts, and again in force, above it


def sensor_label(name: str) -> str:
    """``"palm_heel"`` → ``"palm heel"`` (for prompts and messages)."""
    return name.replace("_", " ")


# -- raw counts from any source ---------------------------------------------------------


def counts_profile(profile: GloveProfile) -> GloveProfile:
    """Return the same glove with an identity calibration, so a source yields raw counts.

    Parameters
    ----------
    profile : GloveProfile
        The glove being calibrated.

    Returns
    -------
    GloveProfile
        Same name, protocol, rate and sensors (a BLE glove's config still matches), each
        with ``linear`` scale 1, offset 0 and ``saturation_n = raw_max`` (the ADC's stop).
    """
    from sensors.profiles import Calibration

    identity = Calibration("linear", scale=1.0, offset=0.0)
    sensors = tuple(
        dataclasses.replace(s, calibration=identity, saturation_n=float(profile.raw_max))
        for s in profile.sensors
    )
    return dataclasses.replace(profile, sensors=sensors)


def block_counts(values: Any, profile: GloveProfile) -> np.ndarray:
    """Raw counts of a block's forces, inverting the block's own profile.

    Exact for :func:`counts_profile` blocks and linear or power calibrations; for a
    table, forces on a flat stretch (e.g. beyond saturation) come back as its lowest
    count, which the session then refuses as no change between loads.

    Parameters
    ----------
    values : array_like
        Forces ``(k, channels)`` in newtons, as a block carries them.
    profile : GloveProfile
        The block's profile.

    Returns
    -------
    numpy.ndarray
        Counts ``(k, channels)``, float64, clipped at 0 (not rounded).
    """
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != len(profile.sensors):
        raise SignalError(f"values must be (k, {len(profile.sensors)}), got {x.shape}")
    out = np.empty_like(x)
    for i, sensor in enumerate(profile.sensors):
        out[:, i] = sensor.calibration.to_raw(x[:, i])
    return np.clip(out, 0.0, None)


# -- the fit -------------------------------------------------------------------------


class MonotoneCurve:
    """Counts → newtons through ``(tare, 0)`` and measured points (see the module docstring).

    Parameters
    ----------
    tare_counts : float
        Count at rest (0 N).
    counts, newtons : array_like
        Measured points, counts strictly increasing above ``tare_counts``, newtons
        strictly increasing and > 0.
    """

    def __init__(self, tare_counts: float, counts: Any, newtons: Any) -> None:
        from scipy.interpolate import PchipInterpolator

        self.tare = float(tare_counts)
        self.counts = np.asarray(counts, dtype=np.float64)
        self.newtons = np.asarray(newtons, dtype=np.float64)
        self._lx = np.log(self.counts - self.tare)
        self._ly = np.log(self.newtons)
        if self._lx.size >= 2:
            self._pchip: Any = PchipInterpolator(self._lx, self._ly)
            # The power law through the first two points carries the curve to 0 N.
            self._head = float((self._ly[1] - self._ly[0]) / (self._lx[1] - self._lx[0]))
        else:
            self._pchip = None
            self._head = 1.0  # one load: proportional to the count above rest

    def __call__(self, raw: Any) -> np.ndarray:
        """Newtons for raw counts (0 at or below the tare, clipped at the heaviest load)."""
        x = np.asarray(raw, dtype=np.float64)
        above = np.maximum(x - self.tare, np.finfo(float).tiny)
        lx = np.log(above)
        inner = np.clip(lx, self._lx[0], self._lx[-1])
        body = self._ly[0] if self._pchip is None else self._pchip(inner)
        ly = np.where(lx < self._lx[0], self._ly[0] + self._head * (lx - self._lx[0]), body)
        out = np.exp(ly)
        out = np.where(x <= self.tare, 0.0, out)
        return np.where(x >= self.counts[-1], self.newtons[-1], out)

    def slope(self, raw: Any) -> np.ndarray:
        """dN/dcount at ``raw`` (numerical; for converting count noise to newtons)."""
        x = np.asarray(raw, dtype=np.float64)
        h = np.maximum(1e-3 * np.abs(x - self.tare), 1e-6)
        return (self(x + h) - self(x - h)) / (2 * h)

    def table(self) -> tuple[tuple[float, float], ...]:
        """Return the curve as ``(raw, newtons)`` points for a ``table`` calibration.

        Points: ``(0, 0)``, the tare, a geometric run up to the lightest load (the
        steep head), then counts spread evenly in counts and again in force up to the
        heaviest load, and every measured point exactly. Raw is strictly increasing.
        """
        x1, xn = float(self.counts[0]), float(self.counts[-1])
        head = self.tare + (x1 - self.tare) * np.geomspace(1e-3, 1.0, _HEAD_POINTS)
        even_counts = np.linspace(x1, xn, _BODY_POINTS)
        fine = np.linspace(x1, xn, 4096)
        even_force = np.interp(
            np.linspace(self.newtons[0], self.newtons[-1], _BODY_POINTS), self(fine), fine
        )
        raws = np.concatenate([[0.0, self.tare], head, even_counts, even_force, self.counts])
        raws = np.unique(np.round(raws, 3))
        forces = np.round(self(raws), 6)
        forces[raws <= self.tare] = 0.0
        # Keep the measured points exact (rounding above could nudge them).
        for c, f in zip(np.round(self.counts, 3), self.newtons, strict=True):
            forces[raws == c] = f
        forces = np.maximum.accumulate(forces)
        return tuple((float(r), float(f)) for r, f in zip(raws, forces, strict=True))


@dataclass(frozen=True, slots=True)
class PointFit:
    """One measured load and how the fit treats it.

    Parameters
    ----------
    load_kg, newtons : float
        The load.
    counts, std_counts : float
        Its settled mean raw count and the window's standard deviation.
    fitted_n : float
        The written table's force at ``counts``.
    residual_n : float
        ``fitted_n - newtons``.
    loo_error_n : float
        Leave-one-out error: the curve refitted without this point, at ``counts``,
        minus ``newtons`` (NaN for the heaviest load, which cannot be left out).
    noise_n : float
        ``std_counts`` times the local slope: the reading's noise in newtons.
    """

    load_kg: float
    newtons: float
    counts: float
    std_counts: float
    fitted_n: float
    residual_n: float
    loo_error_n: float
    noise_n: float


@dataclass(frozen=True, slots=True)
class SensorFit:
    """The fitted calibration of one sensor.

    Parameters
    ----------
    sensor : str
        Sensor name.
    tare_counts : float
        Rest count (0 N).
    points : tuple of PointFit
        Measured loads, lightest first.
    curve : MonotoneCurve
        The fitted curve.
    points_table : tuple of (float, float)
        The curve as written (``table`` calibration points).
    """

    sensor: str
    tare_counts: float
    points: tuple[PointFit, ...]
    curve: MonotoneCurve
    points_table: tuple[tuple[float, float], ...]

    @property
    def max_newtons(self) -> float:
        """The heaviest load: the calibration clips there."""
        return self.points[-1].newtons

    @property
    def calibration(self) -> Any:
        """The :class:`~sensors.profiles.Calibration` (``table``) to write."""
        from sensors.profiles import Calibration

        return Calibration("table", points=self.points_table)

    def to_newtons(self, raw: Any) -> np.ndarray:
        """Convert counts with the written table (what the program will use)."""
        return np.asarray(self.calibration.to_newtons(raw), dtype=np.float64)

    @property
    def max_residual_n(self) -> float:
        """Largest ``|residual|`` over the measured points, newtons."""
        return max(abs(p.residual_n) for p in self.points)

    @property
    def max_loo_error_n(self) -> float:
        """Largest ``|leave-one-out error|``, newtons (NaN with fewer than 2 loads)."""
        errors = [abs(p.loo_error_n) for p in self.points if math.isfinite(p.loo_error_n)]
        return max(errors) if errors else float("nan")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary (the points and the largest errors)."""
        return {
            "sensor": self.sensor,
            "tare_counts": self.tare_counts,
            "max_newtons": self.max_newtons,
            "max_residual_n": self.max_residual_n,
            "max_loo_error_n": self.max_loo_error_n,
            "points": [dataclasses.asdict(p) for p in self.points],
            "table": [list(p) for p in self.points_table],
        }


def fit_sensor(
    sensor: str,
    tare_counts: float,
    counts: Sequence[float],
    newtons: Sequence[float],
    *,
    std_counts: Sequence[float] | None = None,
    loads_kg: Sequence[float] | None = None,
) -> SensorFit:
    """Fit one sensor's monotone curve through its rest count and measured loads.

    A load measured more than once is averaged first.

    Parameters
    ----------
    sensor : str
        Sensor name (for messages).
    tare_counts : float
        Count at rest.
    counts, newtons : sequence of float
        Settled count and known force of each placement (any order).
    std_counts : sequence of float or None
        Each reading's standard deviation (for the noise column); None: 0.
    loads_kg : sequence of float or None
        Each placement's mass (for the report); None: ``newtons / g``.

    Returns
    -------
    SensorFit
        The fit, its table and residuals.

    Raises
    ------
    SignalError
        No points, a force that is not > 0, a count not above the rest count, or counts
        that do not increase strictly with the load.
    """
    c = np.asarray(counts, dtype=np.float64)
    f = np.asarray(newtons, dtype=np.float64)
    label = sensor_label(sensor)
    if c.ndim != 1 or c.size == 0 or c.shape != f.shape:
        raise SignalError(f"{label}: need one count per load, at least one load")
    if not (np.all(np.isfinite(c)) and np.all(np.isfinite(f)) and math.isfinite(tare_counts)):
        raise SignalError(f"{label}: counts and loads must be finite")
    if np.any(f <= 0):
        raise SignalError(f"{label}: loads must be > 0 N")
    s = np.zeros_like(c) if std_counts is None else np.asarray(std_counts, dtype=np.float64)
    kg = f / STANDARD_GRAVITY if loads_kg is None else np.asarray(loads_kg, dtype=np.float64)
    # Average repeated loads, then sort by load.
    forces = np.unique(f)
    mean_c = np.array([c[f == v].mean() for v in forces])
    mean_s = np.array([s[f == v].mean() for v in forces])
    mean_kg = np.array([kg[f == v].mean() for v in forces])
    if np.any(mean_c <= tare_counts):
        worst = int(np.argmin(mean_c))
        raise SignalError(
            f"{label}: {mean_kg[worst]:g} kg reads {mean_c[worst]:.0f} counts, not above the "
            f"rest level {tare_counts:.0f}"
        )
    if np.any(np.diff(mean_c) <= 0):
        j = int(np.flatnonzero(np.diff(mean_c) <= 0)[0])
        raise SignalError(
            f"{label}: readings must increase with the load, but {mean_kg[j + 1]:g} kg reads "
            f"{mean_c[j + 1]:.0f} counts and {mean_kg[j]:g} kg {mean_c[j]:.0f}"
        )
    curve = MonotoneCurve(tare_counts, mean_c, forces)
    table = curve.table()
    from sensors.profiles import Calibration

    written = Calibration("table", points=table)
    fitted = np.asarray(written.to_newtons(mean_c), dtype=np.float64)
    slope = curve.slope(mean_c)
    points = []
    for i in range(forces.size):
        loo = float("nan")
        if forces.size >= 2 and i < forces.size - 1:
            keep = np.arange(forces.size) != i
            loo = float(
                MonotoneCurve(tare_counts, mean_c[keep], forces[keep])(mean_c[i]) - forces[i]
            )
        points.append(
            PointFit(
                load_kg=float(mean_kg[i]),
                newtons=float(forces[i]),
                counts=float(mean_c[i]),
                std_counts=float(mean_s[i]),
                fitted_n=float(fitted[i]),
                residual_n=float(fitted[i] - forces[i]),
                loo_error_n=loo,
                noise_n=float(mean_s[i] * slope[i]),
            )
        )
    return SensorFit(sensor, float(tare_counts), tuple(points), curve, table)


@dataclass(frozen=True, slots=True)
class CalibrationFit:
    """The fits of every calibrated sensor.

    Parameters
    ----------
    sensors : tuple of SensorFit
        One per calibrated sensor.
    """

    sensors: tuple[SensorFit, ...]

    def __getitem__(self, name: str) -> SensorFit:
        for fit in self.sensors:
            if fit.sensor == name:
                return fit
        raise KeyError(name)

    def apply(self, profile: GloveProfile, *, description: str | None = None) -> GloveProfile:
        """Return a copy of ``profile`` with the fitted tables (other sensors unchanged).

        Each calibrated sensor's ``saturation_n`` becomes at most its heaviest load
        (the table clips there, so harder presses are flagged as clipped).

        Parameters
        ----------
        profile : GloveProfile
            The glove calibrated.
        description : str or None
            New description (None keeps it).

        Returns
        -------
        GloveProfile
            The new profile, validated like a loaded one.

        Raises
        ------
        SignalError
            If a fitted sensor is not in ``profile``.
        """
        from sensors.profiles import GloveProfile

        by_name = {f.sensor: f for f in self.sensors}
        unknown = sorted(set(by_name) - set(profile.channel_names))
        if unknown:
            raise SignalError(f"sensor {unknown[0]!r} is not in profile {profile.name!r}")
        sensors = []
        for s in profile.sensors:
            fit = by_name.get(s.name)
            if fit is not None:
                s = dataclasses.replace(
                    s,
                    calibration=fit.calibration,
                    saturation_n=min(s.saturation_n, fit.max_newtons),
                )
            sensors.append(s)
        updated = dataclasses.replace(
            profile,
            sensors=tuple(sensors),
            description=profile.description if description is None else description,
        )
        # The same validation as a loaded file (raises ProfileError naming the field).
        return GloveProfile.from_dict(updated.to_dict(), origin=f"calibrated {profile.name!r}")
