"""Simulated students: the same strokes, performed with named error tendencies.

Part of :mod:`sensors.strokes` (:func:`~sensors.strokes.simulate_take` takes a
:class:`Student`; the names are re-exported there).

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
from sensors.stroke_models import technique_model

__all__ = [
    "FAULTS",
    "FAULT_FAMILIES",
    "IMPROVE_HALF_LIFE",
    "STUDENT_LEVELS",
    "Student",
    "check_faults",
    "make_student",
]

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
    model = technique_model(technique)
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


@dataclass(slots=True)
class Plan:
    """How a student performs one stroke (drawn before the stroke is synthesised)."""

    strengths: dict[str, float]
    warp: tuple[float, float, float]
    length: int  # samples after the phase warp and any early stop
    warped: int  # samples after the phase warp
    stopped: bool
    jerk: tuple[float, float, tuple[tuple[float, float], ...]] | None = None
    log: list[tuple[str, float]] = field(default_factory=list)


def tempo_factor(strengths: dict[str, float]) -> float:
    """Return how much a rushed or dragged student stretches a stroke and its rest."""
    return (1.0 - _RUSHED * strengths.get("rushed", 0.0)) * (
        1.0 + _DRAGGED * strengths.get("dragged", 0.0)
    )


def plan_stroke(n: int, strengths: dict[str, float], fs: float, rng: np.random.Generator) -> Plan:
    """Draw how a student performs a stroke of ``n`` samples (before it is synthesised)."""
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
    return Plan(strengths, warp, length, warped, stopped, jerk, log)  # type: ignore[arg-type]


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


def perform(
    env: np.ndarray,
    vector: np.ndarray,
    plan: Plan,
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
