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

Simulated students
------------------
A :class:`Student` performs the same strokes with named error *tendencies*, spelled like
the scorer's deduction codes (``trainer.scoring.scoring``). Every magnitude below is a
design choice of this simulator (no published figures), given at strength ``s = 1`` (a
novice; an intermediate student is drawn at ``s`` ≈ 0.5):

=====================  ===============================================================
tendency               what changes in the generated stroke
=====================  ===============================================================
too_light, too_heavy   the whole stroke's force ×(1 − 0.45 s) / ×(1 + 0.5 s)
too_light_PHASE,       force in one third of the stroke (PHASE: start, middle, end; the
too_heavy_PHASE        scorer's thirds) ×(1 − 0.5 s) / ×(1 + 0.6 s), raised-cosine edges
rushed, dragged        stroke and rest durations ×(1 − 0.4 s) / ×(1 + 0.6 s)
rushed_PHASE,          that third of the stroke takes ×(1 − 0.5 s) / ×(1 + 0.8 s) of its
dragged_PHASE          time (the envelope is time-warped; the other thirds are unchanged)
load_REGION            a share 0.25 s of every sample's force moves onto REGION (its
                       sensors); the total force is unchanged
jerky                  force ×(1 + m(t)): an 8–10 Hz tremor of ±12 % s plus two 40 ms
                       force jerks of ±30 % s per stroke
stops_early            with probability 0.7 s a stroke ends (with a 60 ms release) at
                       U(40 %, 80 %) of its length
=====================  ===============================================================

A *novice* has 2–3 tendencies from different families (pressure, tempo, load, jerky,
stops_early) at ``s`` ~ U(0.8, 1.0); an *intermediate* 1–2 at U(0.4, 0.6); an *expert*
none: an expert's take is exactly the plain take of the same seed. With ``improve`` the
strengths fade over the session, halving every :data:`IMPROVE_HALF_LIFE` strokes.
Tendency randomness (which stroke stops early, tremor phase, jerk times) comes from its
own generator, so the plain stroke sequence of a seed is never disturbed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from sensors.exceptions import SourceError
from sensors.profiles import GloveProfile, Region

__all__ = [
    "FAULTS",
    "FAULT_FAMILIES",
    "IMPROVE_HALF_LIFE",
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

TECHNIQUES = ("effleurage", "petrissage", "friction", "tapotement")
# Sensor noise sd: the 0.05 N resolution of the fibre-optic clinician glove (Wang et al. 2017),
# used as the noise floor (a choice).
DEFAULT_NOISE_N = 0.05


@dataclass(frozen=True, slots=True)
class TechniqueModel:
    """Parameters of one technique (see the module table for their sources).

    Parameters
    ----------
    stroke_s : float
        Loaded duration of one stroke, seconds.
    rest_s : float
        Light/unloaded time between strokes, seconds.
    peak_n : float
        Peak total force of a stroke, newtons (``None`` → from ``peak_kpa``).
    peak_kpa : float or None
        Peak pressure on the loaded sensors instead of a force (friction).
    shares : dict
        Load share per region during the stroke (normalised over the regions a glove has).
    strike_hz : float or None
        Percussion rate inside a stroke (tapotement).
    """

    stroke_s: float
    rest_s: float
    peak_n: float
    shares: dict[str, float]
    peak_kpa: float | None = None
    strike_hz: float | None = None


MODELS: dict[str, TechniqueModel] = {
    "effleurage": TechniqueModel(
        stroke_s=0.9,
        rest_s=0.45,
        peak_n=20.0,
        shares={
            "palm_heel": 0.35,
            "palm": 0.40,
            "thumb": 0.07,
            "index": 0.05,
            "middle": 0.05,
            "ring": 0.04,
            "little": 0.04,
        },
    ),
    "petrissage": TechniqueModel(
        stroke_s=0.6,
        rest_s=0.4,
        peak_n=14.0,
        shares={
            "palm_heel": 0.10,
            "palm": 0.15,
            "thumb": 0.30,
            "index": 0.15,
            "middle": 0.15,
            "ring": 0.10,
            "little": 0.05,
        },
    ),
    "friction": TechniqueModel(
        stroke_s=0.6,
        rest_s=0.3,
        peak_n=0.0,
        peak_kpa=227.0,
        shares={"thumb": 0.6, "index": 0.25, "middle": 0.15},
    ),
    "tapotement": TechniqueModel(
        stroke_s=1.5,
        rest_s=0.8,
        peak_n=8.0,
        strike_hz=6.0,
        shares={"palm_heel": 0.05, "index": 0.15, "middle": 0.2, "ring": 0.25, "little": 0.35},
    ),
}


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


STUDENT_LEVELS = ("novice", "intermediate", "expert")
#: The scorer's thirds of a stroke (``trainer.scoring.scoring.PHASES``).
_PHASES = ("start", "middle", "end")
#: Tendencies by family; a drawn student has at most one per family.
FAULT_FAMILIES: dict[str, tuple[str, ...]] = {
    "pressure": (
        "too_light",
        "too_heavy",
        *(f"too_light_{p}" for p in _PHASES),
        *(f"too_heavy_{p}" for p in _PHASES),
    ),
    "tempo": (
        "rushed",
        "dragged",
        *(f"rushed_{p}" for p in _PHASES),
        *(f"dragged_{p}" for p in _PHASES),
    ),
    "load": tuple(f"load_{r.value}" for r in Region),
    "jerky": ("jerky",),
    "stops_early": ("stops_early",),
}
FAULTS: tuple[str, ...] = tuple(f for group in FAULT_FAMILIES.values() for f in group)
_FAULT_GRAMMAR = (
    "too_light, too_heavy, too_light_PHASE, too_heavy_PHASE, rushed, dragged, "
    "rushed_PHASE, dragged_PHASE, load_REGION, jerky, stops_early; PHASE: "
    f"{', '.join(_PHASES)}; REGION: {', '.join(r.value for r in Region)}"
)
_OPPOSITE = {"light": "heavy", "heavy": "light", "rushed": "dragged", "dragged": "rushed"}
#: Strokes over which an improving student's tendencies halve (a design choice: a 20 s
#: effleurage demo is ~14 strokes, so its last strokes show about half the fault).
IMPROVE_HALF_LIFE = 12.0
#: (fewest, most tendencies, lowest, highest strength) drawn per level.
_LEVEL_DRAW = {"novice": (2, 3, 0.8, 1.0), "intermediate": (1, 2, 0.4, 0.6), "expert": (0, 0, 0, 0)}
#: Strength of explicitly chosen tendencies per level (no level: a novice's).
_LEVEL_STRENGTH = {"novice": 1.0, "intermediate": 0.5}
# Magnitudes at strength 1 (design choices, see the module table).
_LIGHT, _HEAVY = 0.45, 0.5
_PHASE_LIGHT, _PHASE_HEAVY = 0.5, 0.6
_RUSHED, _DRAGGED = 0.4, 0.6
_PHASE_RUSHED, _PHASE_DRAGGED = 0.5, 0.8
_LOAD_SHIFT = 0.25
_TREMOR_REL, _JERK_REL, _JERK_S, _JERKS = 0.12, 0.30, 0.04, 2
_EARLY_P, _EARLY_RANGE, _RELEASE_S = 0.7, (0.4, 0.8), 0.06
_PHASE_EDGE = 0.06  # width (in stroke fractions) of the raised-cosine edge of a phase window


def check_faults(faults: Iterable[str]) -> tuple[str, ...]:
    """Validate tendency names; return them in order, without repeats.

    Parameters
    ----------
    faults : iterable of str
        Names from :data:`FAULTS` (``too_light``, ``rushed_end``, ``load_thumb``...).

    Returns
    -------
    tuple of str
        The names, first occurrence kept.

    Raises
    ------
    SourceError
        For an unknown name or two that contradict each other (``too_light`` with
        ``too_heavy``, ``rushed_end`` with ``dragged_end``...).
    """
    out: list[str] = []
    for raw in faults:
        name = raw.strip().lower()
        if name not in FAULTS:
            raise SourceError(f"unknown fault {raw!r} (known: {_FAULT_GRAMMAR})")
        if name not in out:
            out.append(name)
    for name in out:
        head, sep, tail = name.partition("_")
        if head == "too":
            kind, _, where = tail.partition("_")
            other = f"too_{_OPPOSITE[kind]}" + (f"_{where}" if where else "")
        elif head in _OPPOSITE:
            other = _OPPOSITE[head] + (f"_{tail}" if sep else "")
        else:
            continue
        if other in out:
            raise SourceError(f"faults {name} and {other} contradict each other")
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Student:
    """A simulated student: a level and named error tendencies with their strengths.

    Parameters
    ----------
    level : {"novice", "intermediate", "expert"}
        The profile (an expert has no tendencies unless some are named).
    tendencies : tuple of (str, float)
        ``(fault, strength)`` pairs; strength 1 is a novice's full fault.
    improve : bool
        Tendencies fade over the session (halving every :data:`IMPROVE_HALF_LIFE`
        strokes).
    """

    level: str
    tendencies: tuple[tuple[str, float], ...] = ()
    improve: bool = False

    def strengths(self, stroke: int) -> dict[str, float]:
        """Strength of each tendency on the session's ``stroke``-th stroke (from 0)."""
        fade = 0.5 ** (stroke / IMPROVE_HALF_LIFE) if self.improve else 1.0
        return {name: s * fade for name, s in self.tendencies}

    def describe(self) -> str:
        """One line: ``novice student: too_light_end 0.93, rushed 0.85 (improving)``."""
        faults = ", ".join(f"{n} {s:.2f}" for n, s in self.tendencies) or "no tendencies"
        return f"{self.level} student: {faults}" + (" (improving)" if self.improve else "")

    def to_dict(self) -> dict[str, object]:
        """JSON-ready description (for status lines and capture metadata)."""
        return {
            "level": self.level,
            "tendencies": {n: round(s, 3) for n, s in self.tendencies},
            "improve": self.improve,
        }


def make_student(
    level: str | None,
    *,
    seed: int,
    technique: str,
    profile: GloveProfile,
    faults: Sequence[str] | None = None,
    improve: bool = False,
) -> Student:
    """Draw (or build from named ``faults``) a student, deterministically for a seed.

    Parameters
    ----------
    level : str or None
        One of :data:`STUDENT_LEVELS`; ``None`` with ``faults`` means a novice's strength.
    seed : int
        Draws the tendencies and their strengths (ignored for named faults).
    technique : str
        The technique performed: a drawn ``load_REGION`` moves load onto one of its
        lighter regions.
    profile : GloveProfile
        The glove: a named ``load_REGION`` must be one of its regions.
    faults : sequence of str or None
        Tendencies to perform instead of drawn ones (see :func:`check_faults`).
    improve : bool
        Tendencies fade over the session.

    Returns
    -------
    Student
        The student.

    Raises
    ------
    SourceError
        For an unknown level, an unknown or contradictory fault, faults asked of an
        expert, or a load region the glove does not have.
    """
    model = _check_technique(technique)
    if level is not None and level not in STUDENT_LEVELS:
        raise SourceError(f"unknown student level {level!r} (known: {', '.join(STUDENT_LEVELS)})")
    if faults:
        names = check_faults(faults)
        if level == "expert":
            raise SourceError("an expert student has no faults: use novice or intermediate")
        for name in names:
            region = name.removeprefix("load_")
            if region != name and region not in profile.regions:
                raise SourceError(
                    f"fault {name}: glove {profile.name} has no {region} sensor "
                    f"(regions: {', '.join(dict.fromkeys(profile.regions))})"
                )
        strength = _LEVEL_STRENGTH[level or "novice"]
        return Student(level or "novice", tuple((n, strength) for n in names), improve)
    level = level or "expert"
    fewest, most, lo, hi = _LEVEL_DRAW[level]
    if most == 0:
        return Student(level, (), improve)
    rng = np.random.default_rng([seed, 0x57D])
    # Load can only move onto a lighter region of the technique that the glove has.
    top = max(model.shares.values())
    lighter = [r for r in dict.fromkeys(profile.regions) if 0 < model.shares.get(r, 0.0) < top]
    families = [f for f in FAULT_FAMILIES if f != "load" or lighter]
    count = int(rng.integers(fewest, most + 1))
    chosen = rng.choice(len(families), size=min(count, len(families)), replace=False)
    tendencies = []
    for index in sorted(int(i) for i in chosen):
        family = families[index]
        options = [f"load_{r}" for r in lighter] if family == "load" else FAULT_FAMILIES[family]
        name = options[int(rng.integers(len(options)))]
        tendencies.append((name, round(float(rng.uniform(lo, hi)), 3)))
    return Student(level, tuple(tendencies), improve)


def _check_technique(technique: str) -> TechniqueModel:
    try:
        return MODELS[technique]
    except KeyError:
        raise SourceError(
            f"unknown technique {technique!r} (known: {', '.join(TECHNIQUES)})"
        ) from None


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


@dataclass(slots=True)
class _Plan:
    """How a student performs one stroke (drawn before the stroke is synthesised)."""

    strengths: dict[str, float]
    warp: tuple[float, float, float]
    length: int  # samples after the phase warp and any early stop
    warped: int  # samples after the phase warp
    stopped: bool
    jerk: tuple[float, float, tuple[tuple[float, float], ...]] | None = None
    log: list[tuple[str, float]] = field(default_factory=list)


def _tempo_factor(strengths: dict[str, float]) -> float:
    return (1.0 - _RUSHED * strengths.get("rushed", 0.0)) * (
        1.0 + _DRAGGED * strengths.get("dragged", 0.0)
    )


def _plan_stroke(n: int, strengths: dict[str, float], fs: float, rng: np.random.Generator) -> _Plan:
    warp = tuple(
        (1.0 - _PHASE_RUSHED * strengths.get(f"rushed_{p}", 0.0))
        * (1.0 + _PHASE_DRAGGED * strengths.get(f"dragged_{p}", 0.0))
        for p in _PHASES
    )
    warped = max(4, round(n * sum(warp) / 3.0))
    length, stopped = warped, False
    if "stops_early" in strengths:
        happens, fraction = rng.uniform(), rng.uniform(*_EARLY_RANGE)
        if happens < _EARLY_P * strengths["stops_early"]:
            length, stopped = max(4, round(warped * fraction)), True
    jerk = None
    if "jerky" in strengths:
        hz, phase = rng.uniform(8.0, 10.0), rng.uniform(0.0, 2 * math.pi)
        jerks = tuple(
            (float(rng.uniform(0.15, 0.85)), float(rng.choice((-1.0, 1.0)))) for _ in range(_JERKS)
        )
        jerk = (float(hz), float(phase), jerks)
    log = [
        (name, round(s, 3))
        for name, s in strengths.items()
        if s > 0 and (name != "stops_early" or stopped)
    ]
    return _Plan(strengths, warp, length, warped, stopped, jerk, log)  # type: ignore[arg-type]


def _phase_window(u: np.ndarray, phase: int) -> np.ndarray:
    """1 inside the ``phase``-th third of ``u`` in [0, 1], 0 outside, raised-cosine edges."""
    lo, hi, e = phase / 3.0, (phase + 1) / 3.0, _PHASE_EDGE
    left = np.ones_like(u) if phase == 0 else np.clip((u - lo + e / 2) / e, 0.0, 1.0)
    right = np.ones_like(u) if phase == 2 else np.clip((hi + e / 2 - u) / e, 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * left * right)


def _warp(env: np.ndarray, factors: tuple[float, float, float], n_out: int) -> np.ndarray:
    """Resample ``env`` to ``n_out`` samples, third ``p`` taking a ``factors[p]`` share."""
    bounds = np.concatenate([[0.0], np.cumsum(factors)]) / sum(factors)
    u = np.interp(np.linspace(0.0, 1.0, n_out), bounds, np.linspace(0.0, 1.0, 4))
    return np.interp(u * (env.size - 1), np.arange(env.size), env)


def _perform(
    env: np.ndarray,
    vector: np.ndarray,
    plan: _Plan,
    fs: float,
    regions: tuple[str, ...],
) -> tuple[np.ndarray, np.ndarray, float]:
    """Apply a student's tendencies: (envelope, per-sensor peak vector, force factor)."""
    st = plan.strengths
    force = (1.0 - _LIGHT * st.get("too_light", 0.0)) * (1.0 + _HEAVY * st.get("too_heavy", 0.0))
    u = np.linspace(0.0, 1.0, env.size)
    gain = np.ones(env.size)
    for p, where in enumerate(_PHASES):
        light, heavy = st.get(f"too_light_{where}", 0.0), st.get(f"too_heavy_{where}", 0.0)
        if light or heavy:
            gain *= 1.0 + (-_PHASE_LIGHT * light + _PHASE_HEAVY * heavy) * _phase_window(u, p)
    env = env * gain
    if plan.warped != env.size or any(f != 1.0 for f in plan.warp):
        env = _warp(env, plan.warp, plan.warped)
    if plan.jerk is not None:
        s = st["jerky"]
        hz, phase, jerks = plan.jerk
        t = np.arange(env.size) / fs
        wobble = _TREMOR_REL * s * np.sin(2 * np.pi * hz * t + phase)
        half = max(1, round(_JERK_S * fs / 2))
        for centre, sign in jerks:
            c = round(centre * (env.size - 1))
            lo, hi = max(0, c - half), min(env.size, c + half + 1)
            bump = np.sin(np.pi * (np.arange(lo, hi) - (c - half)) / (2 * half))
            wobble[lo:hi] += sign * _JERK_REL * s * bump
        env = np.clip(env * (1.0 + wobble), 0.0, None)
    if plan.stopped:
        env = env[: plan.length].copy()
        release = min(max(2, round(_RELEASE_S * fs)), env.size // 3)
        env[-release:] *= np.linspace(1.0, 0.0, release)
    for name, s in st.items():
        region = name.removeprefix("load_")
        if region == name or s <= 0:
            continue
        on = np.array([r == region for r in regions], dtype=np.float64)
        if on.any():
            shift = _LOAD_SHIFT * s
            vector = (1.0 - shift) * vector + shift * vector.sum() * on / on.sum()
    return env, vector, force


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
    model = _check_technique(technique)
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
            tempo = tempo_scale * _tempo_factor(strengths)
        stroke_n = max(4, round(model.stroke_s * tempo * rng.uniform(0.9, 1.1) * fs))
        rest_n = max(2, round(model.rest_s * tempo * rng.uniform(0.85, 1.15) * fs))
        if student_rng is not None:
            plan = _plan_stroke(stroke_n, strengths, fs, student_rng)
        if limit is not None and total + (plan.length if plan else stroke_n) + rest_n > limit:
            break
        env = _stroke_envelope(stroke_n, model, fs, rng, None)
        amp = force_scale * rng.uniform(0.9, 1.1)
        share_jitter = np.clip(1.0 + rng.normal(0.0, 0.08, len(weights)), 0.5, 1.5)
        vector = peak_vector * share_jitter
        if plan is not None:
            env, vector, force = _perform(env, vector, plan, fs, profile.regions)
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
