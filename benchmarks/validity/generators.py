"""Stroke generators for the scoring-validity benchmark, independent of the simulator.

Nothing here imports or copies ``sensors/strokes.py`` or ``sensors/sources/sim.py``: the
benchmark must also hold on strokes the scoring was not tuned on. Six *families* build
strokes in different ways, so a fix tuned on one can be checked on the others:

* **Family A — piecewise envelopes per hand region.** Every region gets its own
  raised-cosine ramp up, a plateau with a slow sinusoidal modulation and a raised-cosine
  ramp down; regions may lag the lead region (the palm heel lands before the fingers, the
  fingers squeeze after the thumb). Tapotement is a train of raised-cosine strikes. Sensor
  noise: white Gaussian, 0.03 N per channel, the reading clipped at 0 N (a force sensor
  never reads below zero).
* **Family B — minimum-jerk / Gaussian force pulses with a moving contact point.** The
  *total* force is a sum of minimum-jerk transitions (Flash & Hogan 1985,
  ``10 s³ − 15 s⁴ + 6 s⁵``) and Gaussian pulses; it is spread over the sensors by a
  contact point moving over the hand (sensor positions from the glove profile), each
  sensor's weight ``exp(−|p − c(t)|² / 2σ²)`` plus a small floor, normalised. Sensor
  model: AR(1) coloured noise (sd 0.05 N, ρ 0.85), a constant baseline offset of
  0.01–0.06 N per sensor and a ±3 % gain per sensor and recording, clipped at 0 N.
* **Family C — knot envelopes, load rolling over the hand, an FSR-like sensor**
  (:mod:`~benchmarks.validity.family_c`). The force is a monotone cubic through knots
  jittered per stroke, with asymmetric attack and release (one style lands fast and
  releases slowly, another builds slowly and lets go quickly); the load blends two region
  share vectors during the stroke (effleurage rolls from the heel onto palm and fingers,
  petrissage alternates thumb and finger squeezes, friction rocks between thumb and
  fingers at a frequency that drifts within the stroke); tapotement strikes are
  gamma-shaped with intervals, widths, heights and loads drawn per strike. Sensor model:
  ±5 % gain, a mild power-law non-linearity, a little hysteresis and creep, a creeping
  baseline, 10–12-bit quantisation, occasional single-sample spikes and lost samples.
  Errors are injected its own way (same kinds, levels and expected codes): soft-edged
  phase errors over most of the third, non-uniform time warps, amplitude-modulated tremor,
  biphasic jolts, load taken from the most loaded regions, a natural release when the
  stroke stops early. The styles' spread in each third's force is kept comparable to A's
  and B's, so the styles stay within expert variation.
* **Family D — sums of lognormal sub-movements, a capacitive-like sensor**
  (:mod:`~benchmarks.validity.family_d`), written without reading A, B or C: each stroke
  is overlapping lognormal force pulses, each with its own load share; petrissage has
  two unequal lobes, friction small circles of drifting rate, tapotement alternates
  strong and weak strikes with swing. Sensor: crosstalk, a gain drifting across a take,
  a wandering baseline, sample-and-hold with skipped updates, quantisation.
* **Family E — motor commands through a contact model, a piezoresistive sensor**
  (:mod:`~benchmarks.validity.family_e`), written without reading A–D: the hand follows
  planned indentation depths (minimum-jerk segments per hand region) into tissue with a
  Hunt–Crossley contact law, so the force's shape comes from the dynamics; errors edit
  the plan and run the physics again; tapotement strikes are a hand's mass hitting
  tissue. Sensor: uncorrected curvature, hysteresis, creep, dropouts, quantisation.
  Its held-out style stays within half the smallest error level of the others.
* **Family F — neuromuscular drive through muscle dynamics, a resistive FSR**
  (:mod:`~benchmarks.validity.family_f`), written without reading A–E or the scoring: each
  hand region gets a piecewise-linear drive (with a pulse-step at landing) passed through a
  critically damped twitch filter, with signal-dependent motor noise (Harris & Wolpert
  1998) and a small physiological tremor; errors edit the drive recovered by inverting the
  filter and run the muscle again; tapotement strikes are brief drive pulses through a fast
  contact response. Sensor: power-law response, residual gain, hysteresis, creep, a 0.1 N
  turn-on force below which it reads 0, quantisation.

Figures (``docs/evidence.md``): effleurage 40–50 strokes/min and a
peak near the "high" low-back force ≥ 2 kg ≈ 19.6 N (Chen et al. 2022; 10 N deep effleurage
in Haas et al. 2012) — we use ~16 N; friction 60–70 strokes/min and ~227 kPa on a fingertip
(Chaves et al. 2020: ≈ 29 N over 126.7 mm²) — we use ~45 N total over thumb and fingers;
tapotement 4–10 strikes/s (McKechnie et al. 2007) with crisp ~45 ms strikes. **No published
figure** exists for petrissage's cycle or force, tapotement's force, the rests between
strokes, or the load shares per hand region: those are our plausible choices (petrissage
~0.55 s kneading cycle at ~13 N; tapotement ~7 N strikes on the ulnar fingers; rests
0.3–0.8 s), marked ``# no figure`` below.

Each technique has three performer *styles* per family (all within expert variation: load
spread across regions, ramp speed, modulation, ±5 % duration and force); references are
built from styles 0 and 1, style 2 is held out. Every stroke also varies ±3 % in duration
and force from stroke to stroke.

Error kinds (graded, levels 1–4; level 2 is "moderate") are injected into clean strokes
of seeds never used for the references; see :data:`ERROR_LEVELS` and :func:`inject`
(family C: ``family_c.inject``).
Each generated stroke carries a :class:`Truth`: technique, style, family, error kind,
level, physical magnitude, and the deduction codes that would name the fault
(:func:`expected_codes`; the mapping is documented there).
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from sensors.profiles import GloveProfile, load_profile

__all__ = [
    "ERROR_KINDS",
    "ERROR_LEVELS",
    "FAMILIES",
    "HELD_OUT_STYLE",
    "NON_STROKE_KINDS",
    "PROFILE_NAME",
    "REFERENCE_STYLES",
    "STYLES",
    "TECHNIQUES",
    "Recording",
    "Truth",
    "clean_stroke",
    "expected_codes",
    "inject",
    "make_recording",
    "non_stroke",
    "profile",
    "reference_takes",
    "rest_range_s",
    "rng_for",
]

TECHNIQUES = ("effleurage", "petrissage", "friction", "tapotement")
FAMILIES = ("A", "B", "C", "D", "E", "F")
STYLES = (0, 1, 2)
REFERENCE_STYLES = (0, 1)
HELD_OUT_STYLE = 2
PROFILE_NAME = "reference-glove"
PHASES = ("start", "middle", "end")

#: Magnitude of each error kind per level 1..4 (level 2 = moderate).
#: uniform / third: force factor; fast / slow: duration factor (the stroke resampled in
#: time); tremor: amplitude (N, zero to peak, on the total force) at 6–10 Hz; jerks: size
#: of one spike and one dip as a fraction of the stroke's peak; load_shift: fraction of
#: the total moved onto another hand region (total unchanged); partial: fraction of the
#: stroke performed before the hand lifts.
ERROR_LEVELS: dict[str, tuple[float, ...]] = {
    "light_uniform": (0.9, 0.7, 0.5, 0.3),
    "heavy_uniform": (1.1, 1.3, 1.5, 1.7),
    **{f"light_{p}": (0.85, 0.7, 0.5, 0.3) for p in PHASES},
    **{f"heavy_{p}": (1.15, 1.3, 1.5, 1.7) for p in PHASES},
    "fast": (0.9, 0.75, 0.6, 0.5),
    "slow": (1.1, 1.33, 1.6, 2.0),
    "tremor": (0.5, 1.5, 2.5, 4.0),
    "jerks": (0.1, 0.25, 0.4, 0.6),
    "load_shift": (0.1, 0.25, 0.4, 0.6),
    "partial": (0.8, 0.7, 0.55, 0.4),
}
ERROR_KINDS = tuple(ERROR_LEVELS)
NON_STROKE_KINDS = ("noise", "rest", "touches", "other_technique")

#: Region that a load-shift error moves load onto (one the expert barely loads).
_SHIFT_TARGET = {
    "effleurage": "thumb",
    "petrissage": "palm_heel",
    "friction": "palm",
    "tapotement": "palm_heel",
}


@dataclass(frozen=True, slots=True)
class Truth:
    """Ground truth of one generated stroke (or non-stroke event).

    ``technique`` is what was performed ("none" for noise, rest, touches); ``kind`` is
    "clean", an error kind or a non-stroke kind; ``level`` 0 for clean, 1–4 for errors;
    ``expected`` the deduction codes that name the fault (``*`` a wildcard suffix),
    ``tolerated`` codes that are neither right nor wrong for it.
    """

    family: str
    technique: str
    style: int
    kind: str
    level: int
    magnitude: float
    expected: tuple[str, ...]
    tolerated: tuple[str, ...]
    nonstroke: bool
    seed: tuple[int, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Recording:
    """A multi-stroke recording ``(n, channels)`` newtons with each item's span and truth."""

    values: np.ndarray
    spans: tuple[tuple[int, int], ...]
    truths: tuple[Truth, ...]


def _own_model(family: str) -> ModuleType | None:
    """The module of a family that models strokes, errors and sensors its own way.

    Families C–F (``family_c`` … ``family_f``); ``None`` for A and B, modelled here.
    Imported when asked: those modules import this one.
    """
    if family in ("C", "D", "E", "F"):
        return importlib.import_module(f"benchmarks.validity.family_{family.lower()}")
    return None


def profile() -> GloveProfile:
    """The glove profile the starters and ``reference build`` use."""
    return load_profile(PROFILE_NAME)


def rng_for(*key: int) -> np.random.Generator:
    """A generator seeded from a tuple of integers (stable across runs and platforms)."""
    return np.random.default_rng(np.random.SeedSequence([int(k) for k in key]))


# ----------------------------------------------------------------------------------
# building blocks
# ----------------------------------------------------------------------------------


def _rc_ramp(t: np.ndarray, t0: float, dur: float) -> np.ndarray:
    """Raised-cosine step: 0 before ``t0``, 1 after ``t0 + dur``."""
    s = np.clip((t - t0) / max(dur, 1e-9), 0.0, 1.0)
    return 0.5 * (1.0 - np.cos(np.pi * s))


def _min_jerk(t: np.ndarray, t0: float, dur: float) -> np.ndarray:
    """Minimum-jerk step: 0 before ``t0``, 1 after ``t0 + dur``."""
    s = np.clip((t - t0) / max(dur, 1e-9), 0.0, 1.0)
    return s**3 * (10.0 - 15.0 * s + 6.0 * s**2)


def _gauss(t: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    return np.exp(-0.5 * ((t - mu) / sigma) ** 2)


def _share_vector(prof: GloveProfile, shares: dict[str, float]) -> np.ndarray:
    """Region shares → one weight per sensor (a region's share split over its sensors)."""
    regions = list(prof.regions)
    w = np.array([shares.get(r, 0.0) / regions.count(r) for r in regions])
    return w / w.sum()


def _contact_weights(prof: GloveProfile, points: np.ndarray, sigma: float) -> np.ndarray:
    """Family B: ``(n, channels)`` load distribution of a contact point path ``(n, 2)``."""
    pos = np.asarray(prof.positions, dtype=float)
    d2 = ((points[:, None, :] - pos[None, :, :]) ** 2).sum(axis=2)
    w = np.exp(-d2 / (2.0 * sigma**2)) + 0.01
    return w / w.sum(axis=1, keepdims=True)


# ----------------------------------------------------------------------------------
# family A: piecewise envelopes per hand region
# ----------------------------------------------------------------------------------

# Base duration (s) and peak total force (N) per technique.
_BASE = {
    "effleurage": (0.95, 16.0),  # 40-50 strokes/min with the rests below; ~16 N (Chen 2022)
    "petrissage": (0.55, 13.0),  # no figure: a ~0.55 s kneading squeeze at ~13 N
    "friction": (0.56, 45.0),  # 60-70 strokes/min; ~227 kPa on the lead fingertip (Chaves)
    "tapotement": (0.0, 7.0),  # duration from the strikes; no figure for the force
}
# Style factors on duration and force (within ±5 %).
_STYLE_DF = {0: (1.0, 1.0), 1: (1.04, 0.96), 2: (0.97, 1.04)}

_EFF = ("palm_heel", "palm", "thumb", "index", "middle", "ring", "little")

# Family A styles: shares per region, ramps (s), modulation depth, phase, lag (s) of the
# non-lead regions. Load shares per region: no figure (plausible choices).
_A_STYLES: dict[str, list[dict]] = {
    "effleurage": [
        {
            "shares": dict(zip(_EFF, (0.45, 0.33, 0.06, 0.04, 0.05, 0.04, 0.03), strict=True)),
            "up": 0.26,
            "down": 0.22,
            "mod": 0.05,
            "phase": 0.0,
            "lag": 0.03,
            "lead": ("palm_heel",),
        },
        {
            "shares": dict(zip(_EFF, (0.32, 0.44, 0.07, 0.05, 0.05, 0.04, 0.03), strict=True)),
            "up": 0.21,
            "down": 0.20,
            "mod": 0.09,
            "phase": 0.8,
            "lag": 0.05,
            "lead": ("palm_heel", "palm"),
        },
        {
            "shares": dict(zip(_EFF, (0.37, 0.36, 0.08, 0.05, 0.06, 0.04, 0.04), strict=True)),
            "up": 0.19,
            "down": 0.19,
            "mod": 0.07,
            "phase": -0.5,
            "lag": 0.02,
            "lead": ("palm_heel",),
        },
    ],
    "petrissage": [
        {
            "shares": dict(zip(_EFF, (0.08, 0.20, 0.32, 0.16, 0.14, 0.07, 0.03), strict=True)),
            "up": 0.20,
            "down": 0.19,
            "mod": 0.05,
            "phase": 0.0,
            "lag": 0.06,
            "lead": ("thumb",),
        },
        {
            "shares": dict(zip(_EFF, (0.10, 0.16, 0.28, 0.18, 0.16, 0.08, 0.04), strict=True)),
            "up": 0.17,
            "down": 0.21,
            "mod": 0.08,
            "phase": 1.0,
            "lag": 0.08,
            "lead": ("thumb",),
        },
        {
            "shares": dict(zip(_EFF, (0.09, 0.19, 0.30, 0.17, 0.13, 0.08, 0.04), strict=True)),
            "up": 0.18,
            "down": 0.18,
            "mod": 0.06,
            "phase": 0.4,
            "lag": 0.05,
            "lead": ("thumb", "palm"),
        },
    ],
    "friction": [
        {
            "shares": dict(zip(_EFF, (0.01, 0.02, 0.58, 0.24, 0.12, 0.02, 0.01), strict=True)),
            "up": 0.12,
            "down": 0.12,
            "mod": 0.07,
            "phase": 0.0,
            "lag": 0.01,
            "lead": ("thumb",),
        },
        {
            "shares": dict(zip(_EFF, (0.01, 0.03, 0.50, 0.28, 0.14, 0.03, 0.01), strict=True)),
            "up": 0.10,
            "down": 0.13,
            "mod": 0.05,
            "phase": 1.2,
            "lag": 0.02,
            "lead": ("thumb",),
        },
        {
            "shares": dict(zip(_EFF, (0.02, 0.03, 0.54, 0.25, 0.12, 0.03, 0.01), strict=True)),
            "up": 0.11,
            "down": 0.11,
            "mod": 0.09,
            "phase": 2.0,
            "lag": 0.0,
            "lead": ("thumb",),
        },
    ],
    # Tapotement (hacking with the ulnar fingers): strikes per second, strike width (s),
    # number of strikes per burst. Style 0 is the crisp 45 ms strike of issue 13.
    "tapotement": [
        {
            "shares": dict(zip(_EFF, (0.06, 0.01, 0.01, 0.12, 0.20, 0.25, 0.35), strict=True)),
            "rate": 6.0,
            "width": 0.045,
            "strikes": 8,
        },
        {
            "shares": dict(zip(_EFF, (0.04, 0.02, 0.02, 0.15, 0.22, 0.25, 0.30), strict=True)),
            "rate": 7.0,
            "width": 0.07,
            "strikes": 9,
        },
        {
            "shares": dict(zip(_EFF, (0.05, 0.01, 0.02, 0.13, 0.21, 0.26, 0.32), strict=True)),
            "rate": 6.5,
            "width": 0.06,
            "strikes": 8,
        },
    ],
}
_FRICTION_OSC_HZ = 4.0  # transverse to-and-fro modulating the force; no figure


def _stroke_a(technique: str, style: int, rng: np.random.Generator, prof: GloveProfile):
    fs = float(prof.sample_rate_hz)
    st = _A_STYLES[technique][style]
    d_f, f_f = _STYLE_DF[style]
    jd, jf = rng.uniform(0.97, 1.03, size=2)
    force = _BASE[technique][1] * f_f * jf
    share = _share_vector(prof, st["shares"])
    if technique == "tapotement":
        rate = st["rate"] / (d_f * jd)
        n_s = st["strikes"]
        times = 0.02 + np.arange(n_s) / rate + rng.uniform(-0.005, 0.005, n_s)
        length = times[-1] + st["width"] + 0.03
        t = np.arange(round(length * fs)) / fs
        total = np.zeros_like(t)
        heights = np.clip(1.0 + 0.08 * rng.standard_normal(n_s), 0.8, 1.2)
        for tk, hk in zip(times, heights, strict=True):
            s = (t - tk) / st["width"]
            inside = (s >= 0) & (s <= 1)
            total[inside] += hk * 0.5 * (1.0 - np.cos(2 * np.pi * s[inside]))
        return force * total[:, None] * share[None, :]
    dur = _BASE[technique][0] * d_f * jd
    t = np.arange(round(dur * fs)) / fs
    regions = list(prof.regions)
    body = dur - st["lag"]
    cycles = _FRICTION_OSC_HZ * body if technique == "friction" else 1.0
    out = np.zeros((t.size, len(regions)))
    for c, region in enumerate(regions):
        t0 = 0.0 if region in st["lead"] else st["lag"]
        env = _rc_ramp(t, t0, st["up"]) * (1.0 - _rc_ramp(t, t0 + body - st["down"], st["down"]))
        mod = 1.0 + st["mod"] * np.sin(2 * np.pi * cycles * (t - t0) / body + st["phase"])
        out[:, c] = force * share[c] * env * mod
    return out


# ----------------------------------------------------------------------------------
# family B: minimum-jerk / Gaussian pulses and a moving contact point
# ----------------------------------------------------------------------------------

_P = {  # hand landmarks, profile coordinates (x thumb -> little, y wrist -> fingertip)
    "heel": (0.50, 0.10),
    "palm": (0.52, 0.35),
    "thumb": (0.10, 0.45),
    "index": (0.30, 0.90),
    "middle": (0.48, 0.95),
    "ring": (0.66, 0.90),
    "little": (0.82, 0.78),
}

_B_STYLES: dict[str, list[dict]] = {
    # glide: contact path from -> to, spread sigma, rise / fall (s), swell size and place
    "effleurage": [
        {
            "from": (0.50, 0.12),
            "to": (0.51, 0.38),
            "sigma": 0.17,
            "rise": 0.28,
            "fall": 0.24,
            "swell": 0.06,
            "at": 0.45,
        },
        {
            "from": (0.48, 0.20),
            "to": (0.52, 0.45),
            "sigma": 0.21,
            "rise": 0.22,
            "fall": 0.22,
            "swell": 0.10,
            "at": 0.60,
        },
        {
            "from": (0.50, 0.15),
            "to": (0.50, 0.42),
            "sigma": 0.19,
            "rise": 0.20,
            "fall": 0.20,
            "swell": -0.06,
            "at": 0.50,
        },
    ],
    # kneading: a thumb squeeze then a finger squeeze (amplitudes, centres as fractions of
    # the stroke, width), over a light palm contact
    "petrissage": [
        {"a": (1.0, 0.8), "at": (0.36, 0.62), "w": 0.13, "sigma": 0.16, "palm": 0.25},
        {"a": (0.9, 0.9), "at": (0.40, 0.60), "w": 0.15, "sigma": 0.20, "palm": 0.20},
        {"a": (1.0, 0.7), "at": (0.34, 0.64), "w": 0.12, "sigma": 0.18, "palm": 0.30},
    ],
    # friction: rise / fall, contact circling around a centre (radius, spread), bump size
    "friction": [
        {
            "centre": (0.19, 0.62),
            "r": 0.05,
            "sigma": 0.14,
            "rise": 0.11,
            "fall": 0.11,
            "bump": 0.06,
        },
        {
            "centre": (0.20, 0.66),
            "r": 0.07,
            "sigma": 0.16,
            "rise": 0.09,
            "fall": 0.13,
            "bump": 0.04,
        },
        {
            "centre": (0.19, 0.64),
            "r": 0.06,
            "sigma": 0.15,
            "rise": 0.10,
            "fall": 0.10,
            "bump": 0.08,
        },
    ],
    # tapotement: Gaussian strikes of sd `sd` (45 ms FWHM for style 0), rate, count,
    # alternating contact ring <-> little finger with spread sigma
    "tapotement": [
        {"sd": 0.019, "rate": 6.5, "strikes": 8, "sigma": 0.16},
        {"sd": 0.026, "rate": 6.0, "strikes": 8, "sigma": 0.22},
        {"sd": 0.022, "rate": 7.5, "strikes": 10, "sigma": 0.19},
    ],
}


def _stroke_b(technique: str, style: int, rng: np.random.Generator, prof: GloveProfile):
    fs = float(prof.sample_rate_hz)
    st = _B_STYLES[technique][style]
    d_f, f_f = _STYLE_DF[style]
    jd, jf = rng.uniform(0.97, 1.03, size=2)
    force = _BASE[technique][1] * f_f * jf
    if technique == "tapotement":
        rate = st["rate"] / (d_f * jd)
        n_s, sd = st["strikes"], st["sd"]
        times = 4 * sd + np.arange(n_s) / rate + rng.uniform(-0.005, 0.005, n_s)
        t = np.arange(round((times[-1] + 4 * sd) * fs)) / fs
        out = np.zeros((t.size, len(prof.sensors)))
        heights = np.clip(1.0 + 0.1 * rng.standard_normal(n_s), 0.75, 1.25)
        for k, (tk, hk) in enumerate(zip(times, heights, strict=True)):
            point = np.array(_P["little"] if k % 2 == 0 else _P["ring"])
            w = _contact_weights(prof, point[None, :], st["sigma"])[0]
            out += force * hk * _gauss(t, tk, sd)[:, None] * w[None, :]
        return out
    dur = _BASE[technique][0] * d_f * jd
    t = np.arange(round(dur * fs)) / fs
    if technique == "effleurage":
        total = _min_jerk(t, 0.0, st["rise"]) - _min_jerk(t, dur - st["fall"], st["fall"])
        total = total * (1.0 + st["swell"] * _gauss(t, st["at"] * dur, 0.15 * dur))
        a, b = np.array(st["from"]), np.array(st["to"])
        path = a[None, :] + (b - a)[None, :] * (t / dur)[:, None]
        return force * total[:, None] * _contact_weights(prof, path, st["sigma"])
    if technique == "petrissage":
        taper = _min_jerk(t, 0.0, 0.06) * (1.0 - _min_jerk(t, dur - 0.06, 0.06))
        out = np.zeros((t.size, len(prof.sensors)))
        parts = (
            (st["a"][0], st["at"][0], st["w"], _P["thumb"]),
            (st["a"][1], st["at"][1], st["w"], ((_P["index"][0] + _P["middle"][0]) / 2, 0.88)),
            (st["palm"], 0.5, 0.3, _P["palm"]),
        )
        for amp, at, width, spot in parts:
            w = _contact_weights(prof, np.array(spot)[None, :], st["sigma"])[0]
            out += amp * _gauss(t, at * dur, width * dur)[:, None] * w[None, :]
        out *= taper[:, None]
        return force * out / out.sum(axis=1).max()
    # friction
    total = _min_jerk(t, 0.0, st["rise"]) - _min_jerk(t, dur - st["fall"], st["fall"])
    bumps = sum(
        _gauss(t, tk, 0.05) for tk in np.arange(0.1, dur, 1.0 / 3.5)
    )  # ~3.5 Hz to-and-fro; no figure
    total = total * (1.0 + st["bump"] * (bumps - 0.5))
    phase = 2 * np.pi * 3.5 * t
    centre = np.array(st["centre"])
    path = centre[None, :] + st["r"] * np.stack([np.cos(phase), np.sin(phase)], axis=1)
    return force * total[:, None] * _contact_weights(prof, path, st["sigma"])


def clean_stroke(
    family: str, technique: str, style: int, rng: np.random.Generator, prof: GloveProfile
) -> np.ndarray:
    """One clean stroke ``(n, channels)`` newtons, starting and ending at zero force."""
    if (own := _own_model(family)) is not None:
        return np.clip(own.clean_stroke(technique, style, rng, prof), 0.0, None)
    maker = _stroke_a if family == "A" else _stroke_b
    return np.clip(maker(technique, style, rng, prof), 0.0, None)


# ----------------------------------------------------------------------------------
# errors
# ----------------------------------------------------------------------------------


def _loaded_span(x: np.ndarray) -> tuple[int, int]:
    total = x.sum(axis=1)
    on = np.flatnonzero(total >= 0.05 * total.max())
    return int(on[0]), int(on[-1]) + 1


def _phase_gain(n: int, span: tuple[int, int], phase: str, factor: float, fs: float):
    """Gain ``factor`` over one third of the loaded span, 60 ms raised-cosine edges."""
    i0, i1 = span
    third = (i1 - i0) / 3.0
    k = PHASES.index(phase)
    a, b = i0 + k * third, i0 + (k + 1) * third
    t = np.arange(n, dtype=float)
    edge = 0.06 * fs
    win = np.ones(n)
    if k > 0:
        win *= _rc_ramp(t, a - edge / 2, edge)
    if k < 2:
        win *= 1.0 - _rc_ramp(t, b - edge / 2, edge)
    return 1.0 + (factor - 1.0) * win


def _distribute(x: np.ndarray, delta_total: np.ndarray) -> np.ndarray:
    """Add a total-force change over the sensors in proportion to their current load."""
    total = x.sum(axis=1, keepdims=True)
    shares = np.where(total > 1e-9, x / np.maximum(total, 1e-9), 1.0 / x.shape[1])
    return np.clip(x + delta_total[:, None] * shares, 0.0, None)


def inject(
    x: np.ndarray,
    kind: str,
    magnitude: float,
    rng: np.random.Generator,
    prof: GloveProfile,
    technique: str,
    family: str = "A",
) -> np.ndarray:
    """Inject one error into a clean stroke (see :data:`ERROR_LEVELS` for magnitudes).

    Families A and B share this injection; family C has its own (``family_c.inject``).
    """
    if (own := _own_model(family)) is not None:
        return own.inject(x, kind, magnitude, rng, prof, technique)
    fs = float(prof.sample_rate_hz)
    n = x.shape[0]
    if kind in ("light_uniform", "heavy_uniform"):
        return x * magnitude
    if kind.startswith(("light_", "heavy_")):
        phase = kind.split("_", 1)[1]
        return x * _phase_gain(n, _loaded_span(x), phase, magnitude, fs)[:, None]
    if kind in ("fast", "slow"):
        m = max(round(n * magnitude), 3)
        src = np.linspace(0.0, n - 1.0, m)
        grid = np.arange(n, dtype=float)
        return np.stack([np.interp(src, grid, x[:, c]) for c in range(x.shape[1])], axis=1)
    if kind == "tremor":
        total = x.sum(axis=1)
        env = np.clip(total / (0.5 * total.max()), 0.0, 1.0)
        freq = rng.uniform(6.0, 10.0)
        t = np.arange(n) / fs
        osc = magnitude * np.sin(2 * np.pi * freq * t + rng.uniform(0, 2 * np.pi)) * env
        return _distribute(x, osc)
    if kind == "jerks":
        total = x.sum(axis=1)
        i0, i1 = _loaded_span(x)
        width = round(0.04 * fs)
        first = rng.uniform(0.25, 0.42)
        places = (first, first + rng.uniform(0.2, 0.33))
        delta = np.zeros(n)
        t = np.arange(n, dtype=float)
        for sign, place in zip((1.0, -1.0), rng.permutation(places), strict=True):
            c = i0 + place * (i1 - i0)
            s = np.clip((t - (c - width / 2)) / width, 0.0, 1.0)
            bump = np.where((s > 0) & (s < 1), 0.5 * (1 - np.cos(2 * np.pi * s)), 0.0)
            delta += sign * magnitude * total.max() * bump
        return _distribute(x, delta)
    if kind == "load_shift":
        target = [c for c, r in enumerate(prof.regions) if r == _SHIFT_TARGET[technique]]
        total = x.sum(axis=1)
        out = x * (1.0 - magnitude)
        out[:, target] += magnitude * total[:, None] / len(target)
        return out
    if kind == "partial":
        i0, i1 = _loaded_span(x)
        cut = i0 + round(magnitude * (i1 - i0))
        rel = round(0.06 * fs)
        out = x[: cut + rel + 2].copy()
        fall = 1.0 - _rc_ramp(np.arange(rel, dtype=float), 0.0, rel - 1.0)
        out[cut : cut + rel] = x[cut - 1][None, :] * fall[:, None]
        out[cut + rel :] = 0.0
        return out
    raise ValueError(f"unknown error kind {kind!r}")


def expected_codes(kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The deduction codes that name an error kind's fault, and those tolerated.

    Vocabulary of ``trainer/scoring/scoring.py``: ``shape``, ``too_light_<third>``,
    ``too_heavy_<third>``, ``load_<region>``, ``rushed``, ``dragged``,
    ``rushed_<third>``, ``dragged_<third>``, ``jerky``, ``minor``, ``over_pressure``;
    ``stopped_early`` is not in it yet (issue 13 asks for it) and is accepted ahead.

    ======================  ============================  ================================
    kind                    names the fault (expected)    tolerated (neither TP nor FP)
    ======================  ============================  ================================
    clean                   —                             —
    light_uniform           too_light_* (any third)       —
    heavy_uniform           too_heavy_*                   —
    light_<third>           too_light_<third>             too_light_<adjacent third>
    heavy_<third>           too_heavy_<third>             too_heavy_<adjacent third>
    fast                    rushed (global)               rushed_<third>
    slow                    dragged (global)              dragged_<third>
    tremor, jerks           jerky                         shape
    load_shift              load_*                        shape
    partial                 stopped_early, too_light_end  shape
    ======================  ============================  ================================

    ``minor`` (pooled crumbs) and ``over_pressure`` (a safety line, right whenever the
    threshold is reached) are ignored everywhere. Every other deduction is a false
    positive. The shape line is tolerated only where the error really changes the
    peak-normalised shape; a uniform force error does not (shape is defined on
    peak-normalised signals), so a shape line there is wrong.
    """
    if kind == "clean":
        return (), ()
    if kind == "light_uniform":
        return ("too_light_*",), ()
    if kind == "heavy_uniform":
        return ("too_heavy_*",), ()
    if kind.startswith(("light_", "heavy_")):
        side, phase = kind.split("_", 1)
        adjacent = ("middle",) if phase != "middle" else ("start", "end")
        return (f"too_{side}_{phase}",), tuple(f"too_{side}_{p}" for p in adjacent)
    if kind == "fast":
        return ("rushed",), tuple(f"rushed_{p}" for p in PHASES)
    if kind == "slow":
        return ("dragged",), tuple(f"dragged_{p}" for p in PHASES)
    if kind in ("tremor", "jerks"):
        return ("jerky",), ("shape",)
    if kind == "load_shift":
        return ("load_*",), ("shape",)
    if kind == "partial":
        return ("stopped_early", "too_light_end"), ("shape",)
    return (), ()  # non-strokes: judged by rejection, not by deductions


# ----------------------------------------------------------------------------------
# non-strokes, noise, recordings
# ----------------------------------------------------------------------------------


def non_stroke(
    kind: str, family: str, technique: str, rng: np.random.Generator, prof: GloveProfile
) -> tuple[np.ndarray, str]:
    """A non-stroke event for ``technique``'s reference and what was performed.

    ``noise``: 2.5 s of 0.5 N (sd, per sensor) Gaussian noise, rectified at 0 N;
    ``rest``: a resting hand, ~3 N on palm and heel held 2 s with a slow drift;
    ``touches``: four random light touches (2.5–5 N, 0.15–0.5 s, one fingertip each);
    ``other_technique``: a clean stroke of another technique (random style).
    Family C models each kind its own way (``family_c.non_stroke``).
    """
    if (own := _own_model(family)) is not None:
        return own.non_stroke(kind, technique, rng, prof)
    fs = float(prof.sample_rate_hz)
    ch = len(prof.sensors)
    if kind == "noise":
        return np.clip(0.5 * rng.standard_normal((int(2.5 * fs), ch)), 0.0, None), "none"
    if kind == "rest":
        t = np.arange(int(2.6 * fs)) / fs
        level = rng.uniform(2.6, 3.4) * (1.0 + 0.05 * np.sin(2 * np.pi * 0.4 * t))
        env = _rc_ramp(t, 0.0, 0.3) * (1.0 - _rc_ramp(t, t[-1] - 0.3, 0.3))
        share = _share_vector(prof, {"palm_heel": 0.5, "palm": 0.4, "thumb": 0.1})
        return (level * env)[:, None] * share[None, :], "none"
    if kind == "touches":
        pieces = []
        for _ in range(4):
            width = rng.uniform(0.15, 0.5)
            t = np.arange(int(width * fs)) / fs
            bump = rng.uniform(2.5, 5.0) * 0.5 * (1 - np.cos(2 * np.pi * t / width))
            piece = np.zeros((t.size, ch))
            piece[:, rng.integers(2, ch)] = bump
            pieces += [piece, np.zeros((int(rng.uniform(0.25, 0.5) * fs), ch))]
        return np.concatenate(pieces[:-1]), "none"
    if kind == "other_technique":
        others = [t for t in TECHNIQUES if t != technique]
        other = others[int(rng.integers(len(others)))]
        return clean_stroke(family, other, int(rng.integers(3)), rng, prof), other
    raise ValueError(f"unknown non-stroke kind {kind!r}")


def rest_range_s(technique: str) -> tuple[float, float]:
    """Rest between strokes, seconds (from the stroke rates where published)."""
    return {
        "effleurage": (0.35, 0.55),  # ~0.95 s strokes at 40-50 strokes/min
        "petrissage": (0.30, 0.45),  # no figure
        "friction": (0.30, 0.44),  # ~0.56 s strokes at 60-70 strokes/min
        "tapotement": (0.50, 0.80),  # no figure: a pause between bursts
    }[technique]


def _sensor_noise(family: str, n: int, ch: int, rng: np.random.Generator):
    """Additive noise, per-sensor gain for a recording of the family's sensor model."""
    if family == "A":
        return 0.03 * rng.standard_normal((n, ch)), np.ones(ch)
    rho, sd = 0.85, 0.05
    e = rng.standard_normal((n, ch)) * sd * math.sqrt(1 - rho**2)
    noise = np.empty_like(e)
    noise[0] = rng.standard_normal(ch) * sd
    for i in range(1, n):
        noise[i] = rho * noise[i - 1] + e[i]
    return noise + rng.uniform(0.01, 0.06, ch)[None, :], rng.uniform(0.97, 1.03, ch)


def make_recording(
    items: Sequence[tuple[np.ndarray, Truth]],
    family: str,
    technique: str,
    rng: np.random.Generator,
    prof: GloveProfile,
) -> Recording:
    """Strokes separated by rests (0.6 s lead-in and tail), with the family's sensor noise."""
    fs = float(prof.sample_rate_hz)
    ch = len(prof.sensors)
    lo, hi = rest_range_s(technique)
    pieces = [np.zeros((int(0.6 * fs), ch))]
    spans, n = [], pieces[0].shape[0]
    for k, (x, _) in enumerate(items):
        spans.append((n, n + x.shape[0]))
        pieces.append(x)
        n += x.shape[0]
        gap = 0.6 if k == len(items) - 1 else rng.uniform(lo, hi)
        pieces.append(np.zeros((round(gap * fs), ch)))
        n += pieces[-1].shape[0]
    clean = np.concatenate(pieces)
    if (own := _own_model(family)) is not None:  # C, E, F: FSR-like; D: capacitive
        values = own.sensor_model(clean, rng, prof)
    else:
        noise, gain = _sensor_noise(family, clean.shape[0], ch, rng)
        values = np.clip(clean * gain[None, :] + noise, 0.0, None)
    return Recording(values, tuple(spans), tuple(t for _, t in items))


def reference_takes(
    family: str, technique: str, prof: GloveProfile, *, takes: int = 4, strokes: int = 3
) -> list[Recording]:
    """An instructor's takes: ``takes`` × ``strokes``, alternating the reference styles."""
    fam = FAMILIES.index(family)
    tech = TECHNIQUES.index(technique)
    out = []
    for k in range(takes):
        style = REFERENCE_STYLES[k % len(REFERENCE_STYLES)]
        rng = rng_for(fam, tech, 1, k)
        items = []
        for j in range(strokes):
            truth = Truth(family, technique, style, "clean", 0, 1.0, (), (), False, (1, k, j))
            items.append((clean_stroke(family, technique, style, rng, prof), truth))
        out.append(make_recording(items, family, technique, rng, prof))
    return out
