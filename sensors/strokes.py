"""Synthetic massage strokes: force profiles a simulated glove performs (pure, seeded).

Figures and their sources: ``docs/evidence.md``; where none is published the value
is a design choice of this simulator and is marked so. Nothing here pretends a choice is
a measurement.

=============  ==========================================================================
technique      what the simulator does, and why
=============  ==========================================================================
effleurage     long gliding strokes, mostly palm and palm heel. Rate 40–50 strokes/min
               (textbook summary, Ryason 2009) → a 1.2–1.5 s cycle: ~0.9 s loaded glide
               then an unloaded return (the rest). Peak ≈ 20 N: "high" low-back force
               ≥ 2 kg ≈ 19.6 N (Chen et al. 2022); deep effleurage 10 N at 0.5 Hz (Haas et
               al. 2012) is the light variant (``force_scale=0.5, tempo_scale=1.5``).
               Effleurage has the highest mean force of the three (Mickelwright et al.
               2006).
petrissage     kneading: squeeze-and-release cycles loading thumb and fingers against the
               palm. No published cycle frequency or newton band exists: we choose 1 Hz
               and a peak of ≈ 14 N, below effleurage per Mickelwright et al. 2006's
               ordering (a choice).
friction       small deep circles on the thumb/fingertips at 60–70 strokes/min (Ryason
               2009). Pressure: deep transverse friction mean 227 kPa, quartiles 100–408 kPa
               (Chaves et al. 2020), converted to force through each sensor's contact area
               — on a 126.7 mm² FSR 402 that is ≈ 29 N, above its 10–20 N range, so the
               DIY glove clips, which is exactly what clipping flags are for. 227 kPa is
               the main (thumb) sensor's stroke peak; the quartiles 100–408 kPa are the
               spread *between* therapists, reachable with ``force_scale`` 0.44–1.8.
tapotement     percussive strikes from the fingers and ulnar edge, 4–10 strikes/s (massage
               texts; McKechnie et al. 2007 used 4 Hz): bursts of strikes at 6 Hz (our
               choice within that range). Lowest mean force (Mickelwright et al. 2006);
               per-strike peaks ≈ 8 N are our choice.
=============  ==========================================================================

Design choices common to all techniques (no published figures): stroke-to-stroke
amplitude ×U(0.9, 1.1), loaded duration ×U(0.9, 1.1), rest ×U(0.85, 1.15), per-sensor
share ×N(1, 0.08) clipped to [0.5, 1.5], a randomly skewed bell with a ±5 % ripple,
Gaussian sensor noise of sd 0.05 N (the resolution of the fibre-optic clinician glove,
Wang et al. 2017, used as a noise floor), and rests at zero force plus noise.

A *stroke* is one loaded period between rests (one glide, one squeeze, one circle, one
burst of strikes); :attr:`SimulatedTake.strokes` gives their sample spans as ground truth.

Simulated students (:class:`Student`: a level and named error tendencies) are in
:mod:`sensors.students`, technique models (:data:`MODELS`) in :mod:`sensors.stroke_models`;
both are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sensors.exceptions import SourceError
from sensors.profiles import GloveProfile
from sensors.stroke_models import MODELS, TECHNIQUES, TechniqueModel, technique_model
from sensors.students import (
    FAULT_FAMILIES,
    FAULTS,
    IMPROVE_HALF_LIFE,
    STUDENT_LEVELS,
    Student,
    check_faults,
    make_student,
    perform,
    plan_stroke,
    tempo_factor,
)

__all__ = [
    "FAULTS",
    "FAULT_FAMILIES",
    "IMPROVE_HALF_LIFE",
    "MODELS",
    "STUDENT_LEVELS",
    "TECHNIQUES",
    "SimulatedTake",
    "Student",
    "TechniqueModel",
    "check_faults",
    "make_student",
    "simulate_rest",
    "simulate_take",
]

# Sensor noise sd: the 0.05 N resolution of the fibre-optic clinician glove (Wang et al. 2017),
# used as the noise floor (a choice).
DEFAULT_NOISE_N = 0.05


@dataclass(frozen=True, slots=True, eq=False)
class SimulatedTake:
    """A synthetic recording with ground truth.

    Parameters
    ----------
    t : numpy.ndarray
        Times, seconds, ``(n,)``.
    values : numpy.ndarray
        Forces, newtons, ``(n, channels)``, clipped at each sensor's saturation.
    strokes : tuple of (int, int)
        Sample spans ``[start, end)`` of each stroke.
    technique : str
        Technique performed.
    seed : int
        Seed used.
    fs_hz : float
        Sample rate.
    stroke_faults : tuple of tuple of (str, float)
        Ground truth of a student's take: per stroke, the tendencies it was performed
        with and their strength (empty tuples for a plain take). ``stops_early`` is
        listed only on strokes that did stop early.
    completed : tuple of float
        Per stroke, the fraction of its length performed (1.0 unless it stopped early);
        empty for a plain take.
    """

    t: np.ndarray
    values: np.ndarray
    strokes: tuple[tuple[int, int], ...]
    technique: str
    seed: int
    fs_hz: float
    stroke_faults: tuple[tuple[tuple[str, float], ...], ...] = ()
    completed: tuple[float, ...] = ()


def _region_weights(profile: GloveProfile, shares: dict[str, float]) -> np.ndarray:
    weights = np.array([shares.get(r, 0.0) for r in profile.regions], dtype=np.float64)
    # A region may carry several sensors: split its share between them.
    for region in set(profile.regions):
        idx = [i for i, r in enumerate(profile.regions) if r == region]
        weights[idx] /= len(idx)
    if weights.sum() <= 0:  # a glove with none of the technique's regions: load evenly
        weights[:] = 1.0
    return weights / weights.sum()


def _stroke_envelope(
    n: int,
    model: TechniqueModel,
    fs_hz: float,
    rng: np.random.Generator,
    tremor: tuple[float, float] | None,
) -> np.ndarray:
    """Unit-peak force envelope of one stroke, ``(n,)``."""
    u = np.linspace(0.0, 1.0, n)
    if model.strike_hz is not None:
        # Percussion: short half-sine impacts at strike_hz with jittered heights.
        period = max(2, round(fs_hz / model.strike_hz))
        width = max(2, period // 3)
        env = np.zeros(n)
        for start in range(0, n - width, period):
            env[start : start + width] += rng.uniform(0.75, 1.0) * np.sin(
                np.linspace(0, np.pi, width)
            )
        return env
    # A smooth asymmetric bell: quick onset, held glide, gentler release (skewed sine).
    skew = rng.uniform(0.35, 0.5)
    warped = np.where(u < skew, 0.5 * u / skew, 0.5 + 0.5 * (u - skew) / (1 - skew))
    env = np.sin(np.pi * warped) ** 1.5
    env *= 1.0 + 0.05 * np.sin(2 * np.pi * rng.uniform(1.0, 2.0) * u + rng.uniform(0, 6.28))
    return env


def simulate_take(
    technique: str,
    *,
    seconds: float,
    profile: GloveProfile,
    seed: int = 0,
    force_scale: float = 1.0,
    tempo_scale: float = 1.0,
    tremor_hz: float | None = None,
    tremor_amplitude_n: float = 0.0,
    noise_n: float | None = None,
    n_strokes: int | None = None,
    lead_in_s: float = 0.5,
    student: Student | None = None,
    first_stroke: int = 0,
) -> SimulatedTake:
    """Synthesise a take of ``technique`` on ``profile``'s glove.

    Parameters
    ----------
    technique : str
        One of :data:`TECHNIQUES`.
    seconds : float
        Length of the take (ignored when ``n_strokes`` is given).
    profile : GloveProfile
        The glove: sample rate, sensor regions, contact areas, saturation.
    seed : int
        Seed; the same arguments always give the same take.
    force_scale : float
        Multiplies every stroke's force (0.5 → "too light").
    tempo_scale : float
        Multiplies every duration (1.6 → "dragged", 0.6 → "rushed").
    tremor_hz, tremor_amplitude_n : float
        Adds a sinusoidal tremor to loaded periods (e.g. 8 Hz, 1.5 N).
    noise_n : float or None
        Sensor noise standard deviation, newtons (default :data:`DEFAULT_NOISE_N`).
    n_strokes : int or None
        Produce exactly this many strokes instead of filling ``seconds``.
    lead_in_s : float
        Rest before the first stroke.
    student : Student or None
        Perform with this student's tendencies (see the module notes); ``None`` or a
        student without tendencies gives exactly the plain take.
    first_stroke : int
        Index of this take's first stroke in the session (an improving student's
        tendencies fade with it).

    Returns
    -------
    SimulatedTake
        The take with ground-truth stroke spans.

    Raises
    ------
    SourceError
        For an unknown technique or non-positive scales.
    """
    model = technique_model(technique)
    if force_scale < 0 or tempo_scale <= 0:
        raise SourceError("force_scale must be >= 0 and tempo_scale > 0")
    rng = np.random.default_rng(seed)
    fs = float(profile.sample_rate_hz)
    weights = _region_weights(profile, model.shares)
    if model.peak_kpa is not None:
        # Pressure target → force per loaded sensor through its contact area.
        peak_per_sensor = model.peak_kpa * 1e3 * profile.contact_area_m2 * (weights > 0)
        peak_vector = peak_per_sensor * weights / max(weights.max(), 1e-12)
    else:
        peak_vector = model.peak_n * weights
    noise = noise_n if noise_n is not None else DEFAULT_NOISE_N
    spans: list[tuple[int, int]] = []
    pieces: list[np.ndarray] = [np.zeros((round(lead_in_s * fs), len(weights)))]
    total = pieces[0].shape[0]
    limit = None if n_strokes is not None else round(seconds * fs)
    # A student's tendencies draw from their own generator: the plain sequence stays.
    faulty = student is not None and bool(student.tendencies)
    student_rng = np.random.default_rng([abs(seed), 0x57E]) if faulty else None
    logs: list[tuple[tuple[str, float], ...]] = []
    completed: list[float] = []
    while True:
        if n_strokes is not None and len(spans) >= n_strokes:
            break
        plan = None
        tempo = tempo_scale
        if student is not None and faulty:
            strengths = student.strengths(first_stroke + len(spans))
            tempo = tempo_scale * tempo_factor(strengths)
        stroke_n = max(4, round(model.stroke_s * tempo * rng.uniform(0.9, 1.1) * fs))
        rest_n = max(2, round(model.rest_s * tempo * rng.uniform(0.85, 1.15) * fs))
        if student_rng is not None:
            plan = plan_stroke(stroke_n, strengths, fs, student_rng)
        if limit is not None and total + (plan.length if plan else stroke_n) + rest_n > limit:
            break
        env = _stroke_envelope(stroke_n, model, fs, rng, None)
        amp = force_scale * rng.uniform(0.9, 1.1)
        share_jitter = np.clip(1.0 + rng.normal(0.0, 0.08, len(weights)), 0.5, 1.5)
        vector = peak_vector * share_jitter
        if plan is not None:
            env, vector, force = perform(env, vector, plan, fs, profile.regions)
            amp *= force
            logs.append(tuple(plan.log))
            completed.append(round(plan.length / plan.warped, 4) if plan.stopped else 1.0)
            stroke_n = env.size
        stroke = amp * env[:, None] * vector[None, :]
        if tremor_hz is not None and tremor_amplitude_n > 0:
            t_local = np.arange(stroke_n) / fs
            wobble = tremor_amplitude_n * np.sin(
                2 * np.pi * tremor_hz * t_local + rng.uniform(0, 6.28)
            )
            stroke += (wobble * np.minimum(env * 4, 1.0))[:, None] * (weights / weights.max())[
                None, :
            ]
        spans.append((total, total + stroke_n))
        pieces += [stroke, np.zeros((rest_n, len(weights)))]
        total += stroke_n + rest_n
    if limit is not None and total < limit:
        pieces.append(np.zeros((limit - total, len(weights))))
    values = np.concatenate(pieces, axis=0)
    values += rng.normal(0.0, noise, values.shape)
    values = np.clip(values, 0.0, profile.saturation_n[None, :])
    t = np.arange(values.shape[0]) / fs
    return SimulatedTake(
        t, values, tuple(spans), technique, seed, fs, tuple(logs), tuple(completed)
    )


def simulate_rest(
    seconds: float, profile: GloveProfile, seed: int = 0, noise_n: float | None = None
) -> SimulatedTake:
    """Synthesise a glove at rest: sensor noise only, no strokes.

    Parameters
    ----------
    seconds : float
        Duration.
    profile : GloveProfile
        The glove.
    seed : int
        Seed.
    noise_n : float or None
        Noise standard deviation (same default as :func:`simulate_take`).

    Returns
    -------
    SimulatedTake
        A take with ``strokes == ()`` and technique ``"rest"``.
    """
    rng = np.random.default_rng(seed)
    fs = float(profile.sample_rate_hz)
    n = round(seconds * fs)
    noise = noise_n if noise_n is not None else DEFAULT_NOISE_N
    values = np.clip(rng.normal(0.0, noise, (n, len(profile.sensors))), 0.0, None)
    return SimulatedTake(np.arange(n) / fs, values, (), "rest", seed, fs)
