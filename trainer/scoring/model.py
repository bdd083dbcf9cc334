"""Data of the scoring layer: references, stroke scores, deductions (pure, JSON-ready)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trainer.exceptions import ScoringError

if TYPE_CHECKING:
    import numpy as np

    from sensors.profiles import GloveProfile

__all__ = [
    "COMPONENTS",
    "COMPONENT_NAME",
    "DEFAULT_WEIGHTS",
    "Deduction",
    "Reference",
    "StrokeScore",
    "check_weights",
    "region_names",
]

#: The built-in score components (reference files give each a weight); more can be
#: registered, see :mod:`trainer.scoring.components`.
COMPONENTS = ("shape", "pressure", "tempo", "smoothness")
#: A component's name (see trainer.scoring.components), and how many extra weights a
#: reference may carry.
COMPONENT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_MAX_EXTRA_WEIGHTS = 32
DEFAULT_WEIGHTS: dict[str, float] = {"shape": 0.3, "pressure": 0.3, "tempo": 0.2, "smoothness": 0.2}


def region_names(profile: GloveProfile) -> tuple[str, ...]:
    """Hand regions of a glove in first-appearance order (the order of region arrays)."""
    return tuple(dict.fromkeys(profile.regions))


def check_weights(weights: Any) -> dict[str, float]:
    """Validate component weights; return them as floats, built-ins first.

    The built-in components (:data:`COMPONENTS`) must each have a weight. A weight may
    also be given for any other component name (one registered with
    :func:`~trainer.scoring.components.register_component`, here or where the reference
    was made); a registered component without one takes its default weight when scored.
    Only what is given is kept, so a reference's bytes do not depend on what is
    registered.

    Parameters
    ----------
    weights : mapping
        One non-negative finite number per component, not all zero.

    Returns
    -------
    dict of str to float
        The weights (not normalised: the overall score divides by their sum).

    Raises
    ------
    ScoringError
        Missing built-in or malformed keys, negative, non-finite or all-zero weights.
    """
    if not isinstance(weights, dict) or not set(COMPONENTS) <= set(weights):
        raise ScoringError(f"weights must give {', '.join(COMPONENTS)}")
    extra = sorted(k for k in weights if k not in COMPONENTS)
    if len(extra) > _MAX_EXTRA_WEIGHTS or not all(
        isinstance(k, str) and COMPONENT_NAME.fullmatch(k) for k in extra
    ):
        raise ScoringError("weights: component names must be lowercase letters/digits/_")
    out = {}
    for name in (*COMPONENTS, *extra):
        value = weights[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScoringError(f"weight {name!r} must be a number")
        if not math.isfinite(value) or value < 0:
            raise ScoringError(f"weight {name!r} must be finite and >= 0")
        out[name] = float(value)
    if sum(out.values()) <= 0:
        raise ScoringError("weights must not all be zero")
    return out


@dataclass(frozen=True, slots=True, eq=False)
class Reference:
    """An expert reference stroke: template, tolerance band and score calibration.

    Pure data: :mod:`trainer.store.references` reads and writes it, the scoring
    functions use it. Formulas that produce each field are in ``docs/scoring.md``.

    Parameters
    ----------
    name, technique, author, notes, created : str
        Metadata (``created`` is an ISO-8601 date; ``notes`` carries citations).
    synthetic : bool
        Built from simulated takes rather than recorded from an expert.
    performers : tuple of str
        Who performed the takes (empty when unknown).
    profile : GloveProfile
        Glove the takes were recorded with.
    fs_hz : float
        Sample rate of the arrays, Hz.
    template : numpy.ndarray
        DBA average stroke, newtons ``(L, channels)``.
    band_lo, band_hi : numpy.ndarray
        Tolerance band of the total force along the template, newtons ``(L,)``.
    share_mean, share_sd : numpy.ndarray
        Load share of each hand region (:func:`region_names` order) over the loaded
        part of a stroke: mean and standard deviation across the takes' strokes ``(R,)``.
    duration_s : tuple of float
        (min, mean, max) stroke duration of the takes, seconds.
    peak_force_n : tuple of float
        (mean, sd) of the strokes' peak total force, newtons.
    mean_force_n : float
        Mean total force over the strokes, newtons.
    shape_d90 : float
        90th percentile of the takes' leave-one-out shape distances (shape score scale).
    tam_p90 : float
        90th percentile of the takes' leave-one-out time alignment measures (tempo scale).
    smoothness_mean, smoothness_sd : float
        Log dimensionless jerk of the takes' total force (below 14 Hz): mean and standard
        deviation (see :func:`trainer.scoring.measures.smoothness`).
    weights : dict
        Component weights of the overall score.
    n_strokes : int
        Strokes the reference was built from.
    strike_period_s : float
        Percussion: median strike period of the takes' strokes, seconds (their pace is
        how often they strike, not how long a burst lasts); 0 for a single sweep or a
        reference that predates it (its pace is then read from durations).
    strike_jitter_mean, strike_jitter_sd : float
        Percussion: how unevenly the takes' strokes strike
        (:func:`~trainer.scoring.alignment.strike_jitter`), mean and standard deviation;
        0 for a sweep or an older reference (its smoothness is then the jerk's).
    balance_rms : tuple of float
        Root mean square, over the takes' strokes, of each third's level relative to the
        whole stroke's (log, :func:`~trainer.scoring.pressure.third_balance`): start,
        middle, end; zeros for a reference that predates it (no balance is judged).
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
    share_mean: np.ndarray
    share_sd: np.ndarray
    duration_s: tuple[float, float, float]
    peak_force_n: tuple[float, float]
    mean_force_n: float
    shape_d90: float
    tam_p90: float
    smoothness_mean: float
    smoothness_sd: float
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    n_strokes: int = 0
    synthetic: bool = False
    performers: tuple[str, ...] = ()
    strike_period_s: float = 0.0
    strike_jitter_mean: float = 0.0
    strike_jitter_sd: float = 0.0
    balance_rms: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def __post_init__(self) -> None:
        # NumPy only here: listing references reads these names and imports no NumPy.
        import numpy as np

        template = np.asarray(self.template, dtype=np.float64)
        channels = len(self.profile.sensors)
        if template.ndim != 2 or template.shape[1] != channels or template.shape[0] < 3:
            raise ScoringError(
                f"template must be (L >= 3, {channels}) for glove {self.profile.name!r}, "
                f"got {template.shape}"
            )
        length = template.shape[0]
        regions = len(region_names(self.profile))
        arrays = {"template": template}
        for key, shape in (
            ("band_lo", (length,)),
            ("band_hi", (length,)),
            ("share_mean", (regions,)),
            ("share_sd", (regions,)),
        ):
            arr = np.asarray(getattr(self, key), dtype=np.float64)
            if arr.shape != shape:
                raise ScoringError(f"{key} has shape {arr.shape}, expected {shape}")
            arrays[key] = arr
        for key, arr in arrays.items():
            if not np.all(np.isfinite(arr)):
                raise ScoringError(f"{key} has non-finite values")
            arr = np.ascontiguousarray(arr)
            arr.flags.writeable = False  # shared with the UI thread: read-only
            object.__setattr__(self, key, arr)
        if np.any(arrays["band_lo"] > arrays["band_hi"]):
            raise ScoringError("band_lo exceeds band_hi")
        scalars = (
            self.fs_hz,
            self.shape_d90,
            self.tam_p90,
            self.mean_force_n,
            self.smoothness_mean,
            self.smoothness_sd,
            *self.duration_s,
            *self.peak_force_n,
            self.strike_period_s,
            self.strike_jitter_mean,
            self.strike_jitter_sd,
            *self.balance_rms,
        )
        if not all(math.isfinite(v) for v in scalars):
            raise ScoringError("reference calibration values must be finite")
        if min(self.strike_period_s, self.strike_jitter_mean, self.strike_jitter_sd) < 0:
            raise ScoringError("strike calibration must be >= 0")
        if len(self.balance_rms) != 3 or min(self.balance_rms) < 0:
            raise ScoringError("balance_rms must be three values >= 0")
        object.__setattr__(self, "balance_rms", tuple(float(v) for v in self.balance_rms))
        if self.fs_hz <= 0 or self.shape_d90 <= 0 or self.tam_p90 <= 0:
            raise ScoringError("sample rate and score scales must be > 0")
        lo, mean, hi = self.duration_s
        if not 0 < lo <= mean <= hi:
            raise ScoringError("duration_s must be 0 < min <= mean <= max")
        object.__setattr__(self, "weights", check_weights(dict(self.weights)))

    @property
    def length(self) -> int:
        """Template length in samples."""
        return int(self.template.shape[0])

    @property
    def total(self) -> np.ndarray:
        """Template total force ``(L,)``, newtons."""
        return self.template.sum(axis=1)

    @property
    def regions(self) -> tuple[str, ...]:
        """Hand regions, in the order of :attr:`share_mean`."""
        return region_names(self.profile)

    def summary(self) -> dict[str, Any]:
        """Short JSON-ready description (for ``reference list``/``show``)."""
        return {
            "name": self.name,
            "technique": self.technique,
            "author": self.author,
            "performers": list(self.performers),
            "created": self.created,
            "synthetic": self.synthetic,
            "glove": self.profile.name,
            "sample_rate_hz": self.fs_hz,
            "template_samples": self.length,
            "strokes": self.n_strokes,
            "duration_s": [round(v, 3) for v in self.duration_s],
            "peak_force_n": [round(v, 2) for v in self.peak_force_n],
            "mean_force_n": round(self.mean_force_n, 2),
            "region_shares": {
                r: round(float(s), 3) for r, s in zip(self.regions, self.share_mean, strict=True)
            },
            "weights": self.weights,
            "notes": self.notes,
        }


@dataclass(frozen=True, slots=True)
class Deduction:
    """Points lost for one thing a student can act on.

    Parameters
    ----------
    code : str
        Stable identifier (``too_light_end``, ``load_thumb``, ``rushed_start``...).
    message : str
        What to change, in words.
    points : float
        Points of the overall score lost for it, rounded to 0.1, > 0.
    """

    code: str
    message: str
    points: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"code": self.code, "message": self.message, "points": self.points}


@dataclass(frozen=True, slots=True)
class StrokeScore:
    """Scores of one stroke, 0–100 (``None`` where a component could not be scored).

    ``overall`` equals 100 minus the sum of the deductions' points. Every component's
    score is in :attr:`components` (name to score); the built-in four are also fields.

    Parameters
    ----------
    start_s, end_s : float
        Span of the stroke in the recording, seconds.
    overall, shape, pressure, tempo, smoothness : float or None
        Scores 0–100, rounded to 0.1. ``pressure`` is ``None`` for a clipped stroke.
    deductions : tuple of Deduction
        Largest first; they sum to ``100 - overall``.
    flags : tuple of str
        ``clipped:<sensor>``, ``over_pressure:<sensor>``, ``load:<region>``.
    technique : str or None
        Technique of the reference it was scored against.
    details : dict
        Measured quantities behind the scores (rounded): shape distance, time in band,
        duration ratio, TAM, jerk, peak pressure.
    path : numpy.ndarray or None
        Warping path ``(k, 2)`` (stroke index, template index); not serialised.
    components : dict
        Score of every component by name (filled from the four fields when not given;
        the four fields are filled from it when they are not given).
    """

    start_s: float
    end_s: float
    overall: float
    shape: float | None = None
    pressure: float | None = None
    tempo: float | None = None
    smoothness: float | None = None
    deductions: tuple[Deduction, ...] = ()
    flags: tuple[str, ...] = ()
    technique: str | None = None
    details: dict[str, float] = field(default_factory=dict)
    path: np.ndarray | None = field(default=None, compare=False, repr=False)
    components: dict[str, float | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        merged = {name: getattr(self, name) for name in COMPONENTS}
        merged.update(self.components)
        object.__setattr__(self, "components", merged)
        for name in COMPONENTS:
            object.__setattr__(self, name, merged[name])

    @property
    def clipped(self) -> bool:
        """A sensor hit its saturation limit during the stroke."""
        return any(f.startswith("clipped:") for f in self.flags)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: every component's score by name, deductions, flags, details."""
        return {
            "start_s": self.start_s,
            "end_s": self.end_s,
            "overall": self.overall,
            **self.components,
            "deductions": [d.to_dict() for d in self.deductions],
            "flags": list(self.flags),
            "details": dict(self.details),
        }
