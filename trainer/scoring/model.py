"""Data of the scoring layer: references, stroke scores, deductions (pure, JSON-ready)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sensors.profiles import GloveProfile

__all__ = ["COMPONENTS", "DEFAULT_WEIGHTS", "Deduction", "Reference", "StrokeScore"]

COMPONENTS = ("shape", "pressure", "tempo", "smoothness")
DEFAULT_WEIGHTS: dict[str, float] = {"shape": 0.3, "pressure": 0.3, "tempo": 0.2, "smoothness": 0.2}


@dataclass(frozen=True, slots=True, eq=False)
class Reference:
    """An expert reference stroke: template, tolerance band and score calibration.

    Parameters
    ----------
    name, technique, author, notes, created : str
        Metadata (``created`` is an ISO-8601 date).
    profile : GloveProfile
        Glove the takes were recorded with.
    fs_hz : float
        Sample rate of the arrays.
    template : numpy.ndarray
        DBA average stroke, newtons ``(L, channels)``.
    band_lo, band_hi : numpy.ndarray
        Tolerance band of the total force along the template, newtons ``(L,)``.
    channel_lo, channel_hi : numpy.ndarray
        Per-channel band, newtons ``(L, channels)``.
    duration_s : tuple of float
        (min, mean, max) stroke duration of the takes.
    shape_d90 : float
        90th percentile of the takes' shape distances to the template (score scale).
    smoothness_mean, smoothness_sd : float
        SPARC of the takes' total force.
    weights : dict
        Component weights of the overall score.
    n_strokes : int
        Strokes the reference was built from.
    """

    name: str
    technique: str
    author: str
    notes: str
    created: str
    profile: GloveProfile
    fs_hz: float
    template: np.ndarray
    band_lo: np.ndarray
    band_hi: np.ndarray
    channel_lo: np.ndarray
    channel_hi: np.ndarray
    duration_s: tuple[float, float, float]
    shape_d90: float
    smoothness_mean: float
    smoothness_sd: float
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    n_strokes: int = 0

    @property
    def length(self) -> int:
        """Template length in samples."""
        return int(self.template.shape[0])

    @property
    def total(self) -> np.ndarray:
        """Template total force ``(L,)``."""
        return self.template.sum(axis=1)

    def summary(self) -> dict[str, Any]:
        """Short JSON-ready description (for ``reference list``/``show``)."""
        return {
            "name": self.name,
            "technique": self.technique,
            "author": self.author,
            "created": self.created,
            "glove": self.profile.name,
            "sample_rate_hz": self.fs_hz,
            "template_samples": self.length,
            "strokes": self.n_strokes,
            "duration_s": [round(v, 3) for v in self.duration_s],
            "peak_force_n": round(float(self.total.max()), 2),
            "weights": self.weights,
            "notes": self.notes,
        }


@dataclass(frozen=True, slots=True)
class Deduction:
    """Points lost for one thing a student can act on."""

    code: str
    message: str
    points: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"code": self.code, "message": self.message, "points": self.points}


@dataclass(frozen=True, slots=True)
class StrokeScore:
    """Scores of one stroke, 0–100 (``None`` where a component could not be scored).

    ``overall`` equals 100 minus the sum of the deductions' points.
    """

    start_s: float
    end_s: float
    overall: float
    shape: float | None
    pressure: float | None
    tempo: float | None
    smoothness: float | None
    deductions: tuple[Deduction, ...]
    flags: tuple[str, ...] = ()
    technique: str | None = None
    path: np.ndarray | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the issue's field names."""
        return {
            "start_s": self.start_s,
            "end_s": self.end_s,
            "overall": self.overall,
            "shape": self.shape,
            "pressure": self.pressure,
            "tempo": self.tempo,
            "smoothness": self.smoothness,
            "deductions": [d.to_dict() for d in self.deductions],
            "flags": list(self.flags),
        }
