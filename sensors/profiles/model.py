"""Glove profile data: regions, calibrations, sensors and the profile itself.

Part of :mod:`sensors.profiles` (import from there; its docstring has the hand map
frame and the TOML layout). Validation lives in :mod:`sensors.profiles.validation`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "DEFAULT_PROFILE",
    "PROTOCOLS",
    "Calibration",
    "GloveProfile",
    "Region",
    "SensorSpec",
]

DEFAULT_PROFILE = "reference-glove"
PROTOCOLS = ("glove-v1", "nus-text")


class Region(enum.StrEnum):
    """Hand regions a sensor can sit on (used for per-region load shares)."""

    PALM_HEEL = "palm_heel"
    PALM = "palm"
    THUMB = "thumb"
    INDEX = "index"
    MIDDLE = "middle"
    RING = "ring"
    LITTLE = "little"


@dataclass(frozen=True, slots=True)
class Calibration:
    """Raw counts → newtons for one sensor.

    Parameters
    ----------
    kind : {"linear", "table", "power"}
        ``linear``: ``N = scale * raw + offset``. ``table``: piecewise-linear through
        ``points`` (raw strictly ascending, newtons non-decreasing; FSRs are strongly
        non-linear), held constant beyond the first and last point. ``power``:
        ``N = scale * raw ** exponent`` (raw clipped at 0).
    scale, offset, exponent : float
        Coefficients for ``linear`` and ``power``.
    points : tuple of (float, float)
        ``(raw, newtons)`` pairs for ``table``.
    """

    kind: str = "linear"
    scale: float = 1.0
    offset: float = 0.0
    exponent: float = 1.0
    points: tuple[tuple[float, float], ...] = ()

    def to_newtons(self, raw: np.ndarray) -> np.ndarray:
        """Convert raw counts to newtons.

        Parameters
        ----------
        raw : numpy.ndarray
            Counts, any shape.

        Returns
        -------
        numpy.ndarray
            Newtons, float64, same shape.
        """
        x = np.asarray(raw, dtype=np.float64)
        if self.kind == "linear":
            return self.scale * x + self.offset
        if self.kind == "power":
            return self.scale * np.power(np.clip(x, 0.0, None), self.exponent)
        pts = np.asarray(self.points, dtype=np.float64)
        return np.interp(x, pts[:, 0], pts[:, 1])

    def to_raw(self, newtons: np.ndarray) -> np.ndarray:
        """Invert :meth:`to_newtons` (used by the simulated glove).

        Parameters
        ----------
        newtons : numpy.ndarray
            Forces in N, any shape.

        Returns
        -------
        numpy.ndarray
            Counts as float64 (not rounded or clipped), same shape. For a table, forces
            beyond its last point map to the first raw value reaching that force, and
            flat stretches invert to their lowest raw value.
        """
        y = np.asarray(newtons, dtype=np.float64)
        if self.kind == "linear":
            return (y - self.offset) / self.scale
        if self.kind == "power":
            return np.power(np.clip(y, 0.0, None) / self.scale, 1.0 / self.exponent)
        pts = np.asarray(self.points, dtype=np.float64)
        # Flat stretches of the table have no unique inverse: keep the first raw value.
        newtons_axis, first = np.unique(pts[:, 1], return_index=True)
        return np.interp(y, newtons_axis, pts[first, 0])

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (only the fields the kind uses)."""
        if self.kind == "table":
            return {"kind": "table", "points": [list(p) for p in self.points]}
        if self.kind == "power":
            return {"kind": "power", "scale": self.scale, "exponent": self.exponent}
        return {"kind": "linear", "scale": self.scale, "offset": self.offset}


@dataclass(frozen=True, slots=True)
class SensorSpec:
    """One force sensor of a glove.

    Parameters
    ----------
    name : str
        Unique channel name (``"thumb"``, ``"palm_heel"``...).
    region : Region
        Hand region it loads.
    position : tuple of float
        ``(x, y)`` on the hand map (see :mod:`sensors.profiles`), each in ``[0, 1]``.
    contact_area_mm2 : float
        Active area, to convert force to pressure.
    saturation_n : float
        Force at which the sensor clips; readings at or above are flagged.
    calibration : Calibration
        Raw counts → newtons.
    """

    name: str
    region: Region
    position: tuple[float, float]
    contact_area_mm2: float
    saturation_n: float
    calibration: Calibration = field(default_factory=Calibration)


@dataclass(frozen=True, slots=True)
class GloveProfile:
    """Everything the program needs to know about one glove model.

    Parameters
    ----------
    name : str
        Profile name.
    description : str
        Human-readable description (with sources of the figures).
    protocol : {"glove-v1", "nus-text"}
        Wire protocol (see ``docs/glove-protocol.md``).
    sample_rate_hz : float
        Nominal sample rate.
    raw_max : int
        Full-scale raw count (e.g. 4095 for a 12-bit ADC, 65535 for u16; the TOML may
        give ``raw_bits`` instead). At most 65535 for ``glove-v1``.
    sensors : tuple of SensorSpec
        Channels, in wire order.
    """

    name: str
    description: str
    protocol: str
    sample_rate_hz: float
    raw_max: int
    sensors: tuple[SensorSpec, ...]

    @property
    def channel_names(self) -> tuple[str, ...]:
        """Sensor names in channel order."""
        return tuple(s.name for s in self.sensors)

    @property
    def regions(self) -> tuple[str, ...]:
        """Region of each channel (plain strings), in channel order."""
        return tuple(str(s.region) for s in self.sensors)

    @property
    def positions(self) -> np.ndarray:
        """Hand-map positions, shape ``(channels, 2)``."""
        return np.array([s.position for s in self.sensors], dtype=np.float64)

    @property
    def saturation_n(self) -> np.ndarray:
        """Saturation force per channel in newtons, shape ``(channels,)``."""
        return np.array([s.saturation_n for s in self.sensors], dtype=np.float64)

    @property
    def contact_area_m2(self) -> np.ndarray:
        """Contact area per channel in m², shape ``(channels,)``."""
        return np.array([s.contact_area_mm2 * 1e-6 for s in self.sensors], dtype=np.float64)

    def to_newtons(self, raw: np.ndarray) -> np.ndarray:
        """Calibrate raw counts to forces.

        Parameters
        ----------
        raw : numpy.ndarray
            Counts, shape ``(k, channels)``.

        Returns
        -------
        numpy.ndarray
            Newtons, shape ``(k, channels)``, float64.

        Raises
        ------
        ValueError
            If ``raw`` is not ``(k, channels)``.
        """
        raw = np.asarray(raw)
        if raw.ndim != 2 or raw.shape[1] != len(self.sensors):
            raise ValueError(f"raw must be (k, {len(self.sensors)}), got {raw.shape}")
        out = np.empty(raw.shape, dtype=np.float64)
        for i, sensor in enumerate(self.sensors):
            out[:, i] = sensor.calibration.to_newtons(raw[:, i])
        return out

    def to_raw(self, newtons: np.ndarray) -> np.ndarray:
        """Invert the calibration (the simulated glove's ADC).

        Parameters
        ----------
        newtons : numpy.ndarray
            Forces, shape ``(k, channels)``.

        Returns
        -------
        numpy.ndarray
            Counts, shape ``(k, channels)``, int64, rounded and clipped to
            ``[0, raw_max]``.

        Raises
        ------
        ValueError
            If ``newtons`` is not ``(k, channels)``.
        """
        newtons = np.asarray(newtons, dtype=np.float64)
        if newtons.ndim != 2 or newtons.shape[1] != len(self.sensors):
            raise ValueError(f"newtons must be (k, {len(self.sensors)}), got {newtons.shape}")
        out = np.empty(newtons.shape, dtype=np.float64)
        for i, sensor in enumerate(self.sensors):
            out[:, i] = sensor.calibration.to_raw(newtons[:, i])
        return np.clip(np.rint(out), 0, self.raw_max).astype(np.int64)

    def pressure_kpa(self, newtons: np.ndarray) -> np.ndarray:
        """Mean pressure over each sensor's contact area.

        Parameters
        ----------
        newtons : numpy.ndarray
            Forces, shape ``(k, channels)`` (or anything broadcasting against
            ``(channels,)``).

        Returns
        -------
        numpy.ndarray
            Pressure in kPa, same shape.
        """
        return np.asarray(newtons, dtype=np.float64) / self.contact_area_m2 / 1e3

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (captures and references embed it).

        Returns
        -------
        dict
            Plain ``str``/``float``/``int``/``list`` values; :meth:`from_dict` restores
            an equal profile.
        """
        return {
            "name": self.name,
            "description": self.description,
            "protocol": self.protocol,
            "sample_rate_hz": self.sample_rate_hz,
            "raw_max": self.raw_max,
            "sensors": [
                {
                    "name": s.name,
                    "region": str(s.region),
                    "position": list(s.position),
                    "contact_area_mm2": s.contact_area_mm2,
                    "saturation_n": s.saturation_n,
                    "calibration": s.calibration.to_dict(),
                }
                for s in self.sensors
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], origin: str = "profile") -> GloveProfile:
        """Build and validate a profile from a mapping (TOML or embedded JSON).

        Parameters
        ----------
        data : Mapping
            The profile document (the TOML layout, or :meth:`to_dict`'s output).
        origin : str
            Where it came from, prefixed to error messages.

        Returns
        -------
        GloveProfile
            The validated profile.

        Raises
        ------
        ProfileError
            Naming the first invalid field.
        """
        # Imported here: validation builds these classes, so it imports this module.
        from sensors.profiles.validation import build_profile

        return build_profile(data, origin)
