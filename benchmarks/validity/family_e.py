"""Family E of the validity benchmark: motor commands through contact physics, an FSR glove.

Written without reading families A–D's stroke, error or sensor models (only the shared
constants and docstrings of :mod:`~benchmarks.validity.generators`), so that a scoring change
fitted to A–D is checked on strokes made, spoiled and read yet another way.

Model
-----
The performer does not command a force: the hand follows a planned *trajectory*, and the
force arises from the hand's contact with soft tissue. Each hand region ``r`` indents the
tissue by a depth ``d_r(t) ≥ 0`` (mm) and feels the Hunt–Crossley force [HC]_

    ``F_r = k_r · d_r^1.5 · (1 + c · ḋ_r)``,   clipped at 0 N,

with a per-region stiffness ``k_r`` (N/mm^1.5; the broad palm heel and palm stiffer than the
pads, friction's tendon twice as stiff as the back's muscle) and ``c = 0.002 s/mm``: loading
reads a little above, unloading a little below the static curve, and the force rises
non-linearly with depth. Depth plans are chains of minimum-jerk segments (Flash & Hogan
1985, ``10 s³ − 15 s⁴ + 6 s⁵``) between via-points where the hand briefly rests. The hand
starts above the tissue (negative depth) and lifts off at the end, so each stroke starts and
ends at exactly 0 N. The discrete law uses backward differences at the glove's rate, so it
is invertible sample by sample (it is monotone in depth wherever the force is positive):
:func:`inject` recovers the plan from a clean stroke exactly, edits it and runs the physics
again.

* **Effleurage** — a long glide of the whole hand: the hand descends with its heel tilted
  down, so the heel lands first; the tilt rolls over during the glide (the load moves from
  heel and palm onto the fingers) and the hand lifts heel first, fingers last. Region depth
  is ``z(t) + tilt(t)·lever_r − lift_r`` with levers from the profile's sensor positions
  (wrist → fingertip) and the thumb held up. Style 0 heel-led with a full roll; style 1 a
  flatter hand with a quicker landing and a smaller roll; style 2 a deeper landing that
  settles, then a late roll. Peak ≈ 14–16 N, between Haas et al. 2012's 10 N "deep
  effleurage" and Chen et al. 2022's "high" ≥ 19.6 N; loaded ≈ 0.8–0.85 s, so with the
  shared rests (0.35–0.55 s) the rate is inside 40–50 strokes/min (Ryason 2009).
* **Petrissage** — kneading: the thumb and the fingers squeeze the tissue between them
  **twice** within one stroke (two compress-and-release cycles, the release partial so the
  grip is kept, the palm in light contact). Style 0 squeezes thumb and fingers together;
  style 1 lets the fingers trail the thumb and releases deeper; style 2 dwells briefly at
  each squeeze. ≈ 11–12 N peak, loaded ≈ 0.8 s (no figure; kept below effleurage,
  Mickelwright et al. 2006's order).
* **Friction** — deep cross-fibre friction: thumb tip, index and middle pressed in (the
  thumb's depth carries ≈ 29 N, the 227 kPa of Chaves et al. 2020 over a 126.7 mm² pad),
  then moved once across the fibre and back (a reciprocating transverse path of ±4–6 mm,
  not circles). The fibre is a ridge of the tissue surface (Gaussian, 1.2 mm high): the
  pads dig in deepest as they cross it, twice per stroke. Styles differ in depth,
  excursion and where the ridge lies under the path. ≈ 45 N in all, ≈ 0.55 s loaded, so
  with the shared rests 60–70 strokes/min (Ryason 2009).
* **Tapotement** — hacking with the ulnar edge: each strike is a hand of 0.15 kg hitting
  the tissue at 0.5–0.7 m/s, a Hunt–Crossley impact ``m d̈ = −k d^1.5 (1 + 1.5 (1 − e)
  ḋ / v₀)`` (``k`` 0.3 N/mm^1.5, restitution ``e`` 0.4). The equation scales exactly: with
  ``δ* = (m v₀²/k)^0.4`` and ``τ* = δ*/v₀`` every strike is one universal curve stretched, so
  the peak (∝ m^0.6 k^0.4 v₀^1.2, ≈ 7 N) and the contact time (∝ (m/k)^0.4 v₀^−0.2, ≈ 45 ms)
  come from the hand's mass and speed. The load of a strike is spread over little, ring and
  middle finger. Bursts of 7 strikes at 5.9–6.3 strikes/s by style (inside McKechnie et
  al. 2007's 4–10/s): style 0 even, style 1 an accented first strike, style 2 a crescendo.

Strokes vary by ±3 % in duration and force (the force as depth: ``×f^(2/3)``) and by a
little in the timing of their via-points. The styles' plans differ, but their peak, loaded
duration and mean force stay within about ±5 % of the reference styles' and each region's
load share within about 0.05: a style must differ from its peers by no more than half the
smallest error level (10 % in force or time, 0.1 of the load moved), or it would be an
error rather than expert variation.

Errors, at the command level
----------------------------
* ``light_*`` / ``heavy_*`` — a shallower (deeper) planned depth: in the whole stroke, or
  in one third of its loaded time with minimum-jerk transitions inside that third (the
  other thirds keep their plan). The depth factor is found so the *output* force of the
  third (its mean) changes by the stated factor — about ``factor^(2/3)`` by the contact
  law, a little otherwise because of the viscous term. Tapotement: a slower (faster) hand
  in the strikes of that third; the impulse follows the speed.
* ``fast`` / ``slow`` — the plan re-run at another speed (every segment's duration × the
  factor): the viscous term changes the force a little. Tapotement: the strike times
  move, each strike (a hand of the same speed) is unchanged.
* ``tremor`` — the whole hand's height oscillates at 6–10 Hz (a slowly drifting
  frequency); the depth amplitude is set from the tissue's local stiffness so the total
  force oscillates by the stated amplitude (N, zero to peak) while the hand is well in
  contact, fading in and out with the contact. Tapotement: the tremor's phase at each
  strike changes its speed, so strike peaks vary by ± the amplitude.
* ``jerks`` — two brief command steps (70–110 ms, 25 ms edges): a push and a give of the
  whole hand, each sized so its force step is the stated fraction of the stroke's peak
  (the viscous term overshoots at the edges, as a sudden move does). Tapotement: one strike
  struck harder, one softer, by that fraction of the peak.
* ``load_shift`` — the hand leans onto one region (effleurage: thumb; petrissage: palm;
  friction: palm heel; tapotement: palm) — its planned depth grows to carry the stated
  share of the total, the others lift in proportion; after the physics the total is
  rescaled to the clean total, so the total is unchanged and the share moves.
* ``partial`` — the plan is followed up to the stated fraction of the loaded time, then the
  hand lifts (a minimum-jerk path from the current depth and speed to above the tissue in
  80–120 ms). Tapotement: the remaining strikes are not struck.

Sensor (piezoresistive FSR glove)
---------------------------------
Per sensor, fixed for the glove (one seeded draw, so every take is read by the same glove):
a residual non-linearity the two-point calibration leaves (a mid-range bow of up to ±5 %),
hysteresis (3–6 %: the reading lags down on loading, up on unloading, a rate-independent
state that swings across within 1.5 N of travel), creep (the reading rises 2–5 % under
sustained load with a 2–5 s time constant and recovers when unloaded). Per take: a gain
within ±2 % (the FSR 402's repeatability for one part, Interlink), white noise of 0.05 N
(Wang et al. 2017's resolution as a noise floor), a sensor that now and then reads zero for
2–5 samples (a cracked trace or connector; ≈ one event per sensor per 20 s), clipping at
0 N and at the profile's saturation, quantisation to the profile's count (0.002 N for the
reference glove), at the profile's rate.

Non-strokes
-----------
``noise``: the glove flexed in the air — FSRs bent over the knuckles read band-limited
(1–15 Hz) artefacts, fingers more than palm; ``rest``: a relaxed hand laid on the back,
its weight ≈ 2.5–3.5 N on heel, palm and finger pads, the depth slowly sinking and rising with
the client's breathing (0.2–0.33 Hz); ``touches``: three to five light dabs of single
fingertips (1–3.5 N, 0.15–0.5 s); ``other_technique``: a clean stroke of another technique
(random style).

Figures from ``docs/evidence.md``: effleurage 40–50 and friction 60–70 strokes/min (Ryason
2009); effleurage between 10 N (Haas et al. 2012) and ≥ 19.6 N (Chen et al. 2022); friction
227 kPa on a fingertip (Chaves et al. 2020) over the FSR 402's 126.7 mm²; tapotement 4–10
strikes/s (McKechnie et al. 2007); the order effleurage > petrissage > tapotement
(Mickelwright et al. 2006); FSR 402 repeatability ±2 %; 0.05 N resolution (Wang et al.
2017). Every other constant is a choice, marked ``# no figure``.

.. [HC] Hunt K. H., Crossley F. R. E. (1975). Coefficient of restitution interpreted as
   damping in vibroimpact. J. Appl. Mech. 42(2):440–445.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np

from benchmarks.validity.generators import PHASES, TECHNIQUES
from sensors.profiles import GloveProfile

__all__ = ["clean_stroke", "inject", "non_stroke", "sensor_model"]

Knots = Sequence[tuple[float, float]]

# ----------------------------------------------------------------------------------
# tissue and hand
# ----------------------------------------------------------------------------------

#: Effective Hunt–Crossley stiffness of back tissue under each region, N/mm^1.5.
_K_REGION = {  # no figure
    "palm_heel": 0.8,
    "palm": 0.6,
    "thumb": 0.5,
    "index": 0.45,
    "middle": 0.45,
    "ring": 0.42,
    "little": 0.38,
}
#: The tissue a technique works on, a factor on the stiffness (friction: over a tendon).
_TISSUE = {"effleurage": 1.0, "petrissage": 1.0, "friction": 2.0}  # no figure
_DAMPING = 0.002  # s/mm, Hunt–Crossley c of a gliding contact  # no figure

_HAND_MASS_KG = 0.15  # effective mass of a hacking hand  # no figure
_EDGE_K = 0.3 * 1000.0**1.5  # N/m^1.5, the ulnar edge on the back (0.3 N/mm^1.5)  # no figure
_RESTITUTION = 0.4  # of a hand striking tissue  # no figure

_FINGERS = ("index", "middle", "ring", "little")
_PAD_S = 0.03  # zero force before the hand lands and after it lifts  # no figure
_TAP_TAIL_S = 0.08  # after the last strike (room for a slowed burst)  # no figure

#: The region a load-shift error leans onto (one this family's expert barely loads).
_SHIFT_TO = {  # no figure
    "effleurage": "thumb",
    "petrissage": "palm",
    "friction": "palm_heel",
    "tapotement": "palm",
}


def _stiffness(technique: str, prof: GloveProfile) -> np.ndarray:
    """Per-channel Hunt–Crossley stiffness (N/mm^1.5) for a gliding technique.

    Parameters
    ----------
    technique : str
        One of effleurage, petrissage, friction (the tissue factor).
    prof : GloveProfile
        Glove profile (channel regions).

    Returns
    -------
    numpy.ndarray
        ``(channels,)`` stiffness.
    """
    tissue = _TISSUE.get(technique, 1.0)
    return np.array([_K_REGION.get(r, 0.45) * tissue for r in prof.regions])


def _contact(depth: np.ndarray, fs: float, k: np.ndarray) -> np.ndarray:
    """Hunt–Crossley force of planned depths (backward-difference rate, clipped at 0 N).

    Parameters
    ----------
    depth : numpy.ndarray
        ``(n, channels)`` indentation, mm (negative: above the tissue).
    fs : float
        Sample rate, Hz.
    k : numpy.ndarray
        ``(channels,)`` stiffness, N/mm^1.5.

    Returns
    -------
    numpy.ndarray
        ``(n, channels)`` force, N.
    """
    d = np.maximum(depth, 0.0)
    rate = np.diff(d, axis=0, prepend=np.zeros((1, d.shape[1]))) * fs
    return np.maximum(k * d**1.5 * (1.0 + _DAMPING * rate), 0.0)


def _depth_from_force(force: np.ndarray, fs: float, k: np.ndarray) -> np.ndarray:
    """Invert :func:`_contact` sample by sample: the depths that produce ``force``.

    With ``s = √d`` and the previous depth ``p``, ``k s³ (1 − cf·p + cf·s²) = F`` is
    increasing in ``s`` wherever it is positive, so a bracketed Newton iteration finds the
    unique root. A zero force gives the shallowest depth that yields zero.

    Parameters
    ----------
    force : numpy.ndarray
        ``(n, channels)`` force, N (non-negative).
    fs : float
        Sample rate, Hz.
    k : numpy.ndarray
        ``(channels,)`` stiffness, N/mm^1.5.

    Returns
    -------
    numpy.ndarray
        ``(n, channels)`` depth, mm (≥ 0).
    """
    f_all = np.maximum(np.asarray(force, dtype=np.float64), 0.0)
    n, ch = f_all.shape
    cf = _DAMPING * fs
    out = np.zeros((n, ch))
    for j in range(ch):
        kj = float(k[j])
        col = f_all[:, j].tolist()
        res = [0.0] * n
        prev = 0.0
        for i, f in enumerate(col):
            b = 1.0 - cf * prev
            lo = math.sqrt(max(prev - 1.0 / cf, 0.0))
            if f <= 0.0:
                prev = lo * lo
                res[i] = prev
                continue
            hi = max(math.sqrt(prev), (f / kj) ** (1.0 / 3.0)) * (1.0 + 1e-12) + 1e-12
            s = min(max(math.sqrt(prev), lo), hi) if prev > 0.0 else hi
            for _ in range(100):
                s2 = s * s
                g = kj * s2 * s * (b + cf * s2) - f
                if abs(g) <= 1e-14 * f:
                    break
                if g > 0.0:
                    hi = s
                else:
                    lo = s
                dg = kj * s2 * (3.0 * b + 5.0 * cf * s2)
                new = s - g / dg if dg > 0.0 else 0.5 * (lo + hi)
                if not lo < new < hi:
                    new = 0.5 * (lo + hi)
                if new == s or hi - lo <= 1e-15 * hi:
                    break
                s = new
            prev = s * s
            res[i] = prev
        out[:, j] = res
    return out


def _mj(s: np.ndarray) -> np.ndarray:
    """Minimum-jerk step ``10 s³ − 15 s⁴ + 6 s⁵`` of ``s`` clipped to [0, 1].

    Parameters
    ----------
    s : numpy.ndarray
        Normalised time.

    Returns
    -------
    numpy.ndarray
        Step from 0 to 1.
    """
    s = np.clip(s, 0.0, 1.0)
    return s**3 * (10.0 - 15.0 * s + 6.0 * s**2)


def _path(t: np.ndarray, knots: Knots) -> np.ndarray:
    """Minimum-jerk segments through ``(time, value)`` via-points, resting at each.

    Parameters
    ----------
    t : numpy.ndarray
        Times (same unit as the knots).
    knots : sequence of (float, float)
        Via-points, times strictly increasing.

    Returns
    -------
    numpy.ndarray
        The path; the first value before the first knot, the last after the last.
    """
    out = np.full(t.shape, float(knots[0][1]))
    for (ta, va), (tb, vb) in itertools.pairwise(knots):
        out += (vb - va) * _mj((t - ta) / (tb - ta))
    return out


def _jitter_knots(knots: Knots, rng: np.random.Generator, sd: float = 0.01) -> list[tuple]:
    """Move the inner via-points' times a little (stroke-to-stroke variation), in order.

    Parameters
    ----------
    knots : sequence of (float, float)
        Via-points on normalised time [0, 1].
    rng : numpy.random.Generator
        Random source.
    sd : float
        Standard deviation of the shift (fraction of the stroke).

    Returns
    -------
    list of tuple
        Jittered via-points.
    """
    out = [tuple(knots[0])]
    for i in range(1, len(knots) - 1):
        t = knots[i][0] + float(np.clip(rng.normal(0.0, sd), -2 * sd, 2 * sd))
        t = min(max(t, out[-1][0] + 0.02), knots[i + 1][0] - 0.02)
        out.append((t, knots[i][1]))
    out.append(tuple(knots[-1]))
    return out


# ----------------------------------------------------------------------------------
# gliding techniques: plans
# ----------------------------------------------------------------------------------

#: Effleurage: duration (s), force factor, pivot depth z and heel-minus-fingertip tilt
#: knots (mm), how far the thumb and the fingers are held up (mm).
_EFF_STYLES: tuple[dict, ...] = (  # no figure
    {
        "dur": 1.05,
        "force": 1.0,
        "z": ((0.0, -1.8), (0.22, 3.4), (0.72, 3.5), (1.0, -1.8)),
        "tilt": ((0.0, 3.0), (0.18, 3.0), (0.86, -2.5), (1.0, -2.5)),
        "lift": {"thumb": 3.0, "fingers": 1.4},
    },
    {
        "dur": 1.0,
        "force": 0.96,
        "z": ((0.0, -1.4), (0.16, 3.3), (0.8, 3.3), (1.0, -1.4)),
        "tilt": ((0.0, 2.0), (0.14, 2.0), (0.9, -1.8), (1.0, -1.8)),
        "lift": {"thumb": 2.8, "fingers": 1.1},
    },
    {
        "dur": 1.1,
        "force": 1.0,
        "z": ((0.0, -1.9), (0.24, 3.6), (0.4, 3.3), (0.74, 3.3), (1.0, -1.9)),
        "tilt": ((0.0, 2.8), (0.34, 2.2), (0.9, -2.4), (1.0, -2.4)),
        "lift": {"thumb": 3.2, "fingers": 1.3},
    },
)

#: Petrissage: squeeze profile q (0..1) knots with the release level r, the depth reached
#: at q = 1 and the contact offset per group (mm), the fingers' lag (fraction).
_PET_STYLES: tuple[dict, ...] = (  # no figure
    {
        "dur": 1.0,
        "force": 1.0,
        "release": 0.7,
        "q": ((0.0, 0.0), (0.26, 1.0), (0.5, "r"), (0.74, 1.0), (1.0, 0.0)),
        "lag": 0.0,
        "depth": {"thumb": 5.0, "fingers": 3.8, "palm": 2.0},
        "offset": {"thumb": 1.2, "fingers": 1.2, "palm": 0.8},
    },
    {
        "dur": 1.05,
        "force": 0.96,
        "release": 0.64,
        "q": ((0.0, 0.0), (0.24, 1.0), (0.48, "r"), (0.72, 1.02), (1.0, 0.0)),
        "lag": 0.04,
        "depth": {"thumb": 5.2, "fingers": 3.7, "palm": 1.8},
        "offset": {"thumb": 1.2, "fingers": 1.1, "palm": 0.8},
    },
    {
        "dur": 1.04,
        "force": 0.98,
        "release": 0.68,
        "q": (
            (0.0, 0.0),
            (0.23, 1.0),
            (0.29, 1.0),
            (0.5, "r"),
            (0.71, 1.0),
            (0.77, 1.0),
            (1.0, 0.0),
        ),
        "lag": 0.02,
        "depth": {"thumb": 4.8, "fingers": 3.8, "palm": 2.0},
        "offset": {"thumb": 1.2, "fingers": 1.2, "palm": 0.8},
    },
)

#: Friction: press knots (mm) of the thumb tip, how far index and middle sit above it,
#: transverse excursion (mm), where the fibre ridge lies (mm), ridge height and width (mm).
_FRI_STYLES: tuple[dict, ...] = (  # no figure
    {
        "dur": 0.66,
        "force": 1.0,
        "press": ((0.0, -1.5), (0.22, 8.0), (0.8, 8.0), (1.0, -1.5)),
        "lift": {"index": 4.6, "middle": 5.2},
        "excursion": 5.0,
        "ridge_at": 0.0,
        "ridge": (1.2, 2.5),
    },
    {
        "dur": 0.63,
        "force": 0.96,
        "press": ((0.0, -1.5), (0.16, 7.6), (0.82, 7.9), (1.0, -1.5)),
        "lift": {"index": 3.7, "middle": 4.5},
        "excursion": 6.0,
        "ridge_at": 1.0,
        "ridge": (1.2, 2.5),
    },
    {
        "dur": 0.69,
        "force": 1.02,
        "press": ((0.0, -1.5), (0.3, 8.3), (0.74, 8.0), (1.0, -1.5)),
        "lift": {"index": 4.8, "middle": 5.3},
        "excursion": 4.0,
        "ridge_at": -1.0,
        "ridge": (1.2, 2.5),
    },
)

#: Tapotement: strike rate (1/s), strikes per burst, impact speed (m/s), a speed pattern
#: over the burst and the load shares over the ulnar fingers.
_TAP_STYLES: tuple[dict, ...] = (  # no figure (rates inside 4–10/s, McKechnie et al. 2007)
    {
        "rate": 6.0,
        "count": 7,
        "v0": 0.61,
        "pattern": "even",
        "shares": {"little": 0.55, "ring": 0.35, "middle": 0.10},
    },
    {
        "rate": 6.3,
        "count": 7,
        "v0": 0.6,
        "pattern": "accent",
        "shares": {"little": 0.45, "ring": 0.40, "middle": 0.15},
    },
    {
        "rate": 5.9,
        "count": 7,
        "v0": 0.61,
        "pattern": "crescendo",
        "shares": {"little": 0.53, "ring": 0.35, "middle": 0.12},
    },
)


def _grid(duration_s: float, fs: float) -> tuple[np.ndarray, np.ndarray]:
    """Sample times of a stroke and the same on normalised time (0 at landing, 1 at lift).

    Parameters
    ----------
    duration_s : float
        Planned duration from the first to the last via-point, s.
    fs : float
        Sample rate, Hz.

    Returns
    -------
    tuple of numpy.ndarray
        Times (s, from 0) and normalised times.
    """
    n = round((duration_s + 2 * _PAD_S) * fs) + 1
    t = np.arange(n) / fs
    return t, (t - _PAD_S) / duration_s


def _effleurage(style: int, rng: np.random.Generator, prof: GloveProfile) -> np.ndarray:
    """Planned depths of an effleurage glide (hand height and tilt, see module docstring)."""
    p = _EFF_STYLES[style]
    dur = p["dur"] * (1.0 + rng.uniform(-0.03, 0.03))
    _, s = _grid(dur, float(prof.sample_rate_hz))
    z = _path(s, _jitter_knots(p["z"], rng))
    tilt = _path(s, _jitter_knots(p["tilt"], rng))
    y = prof.positions[:, 1]
    lever = (0.5 - y) / 0.85  # heel +, fingertips −; the heel-to-tip span is ~0.85
    lift = np.array(
        [
            p["lift"]["thumb"] if r == "thumb" else p["lift"]["fingers"] if r in _FINGERS else 0.0
            for r in prof.regions
        ]
    )
    return z[:, None] + tilt[:, None] * lever[None, :] - lift[None, :]


def _petrissage(style: int, rng: np.random.Generator, prof: GloveProfile) -> np.ndarray:
    """Planned depths of a two-squeeze kneading stroke (see module docstring)."""
    p = _PET_STYLES[style]
    dur = p["dur"] * (1.0 + rng.uniform(-0.03, 0.03))
    _, s = _grid(dur, float(prof.sample_rate_hz))
    release = p["release"] + rng.uniform(-0.02, 0.02)
    knots = [(t, release if v == "r" else float(v)) for t, v in p["q"]]
    knots = _jitter_knots(knots, rng)
    q_thumb = _path(s, knots)
    q_fingers = _path(s - p["lag"], knots)
    out = np.empty((s.size, len(prof.regions)))
    for j, r in enumerate(prof.regions):
        if r == "thumb":
            out[:, j] = p["depth"]["thumb"] * q_thumb - p["offset"]["thumb"]
        elif r in _FINGERS:
            shorter = 0.4 if r == "little" else 0.0  # the little finger reaches less far
            out[:, j] = p["depth"]["fingers"] * q_fingers - p["offset"]["fingers"] - shorter
        elif r == "palm":
            out[:, j] = p["depth"]["palm"] * np.minimum(q_thumb, q_fingers) - p["offset"]["palm"]
        else:
            out[:, j] = -1.0  # the heel stays off the tissue
    return out


def _friction(style: int, rng: np.random.Generator, prof: GloveProfile) -> np.ndarray:
    """Planned depths of a cross-fibre friction stroke over a fibre ridge (see docstring)."""
    p = _FRI_STYLES[style]
    dur = p["dur"] * (1.0 + rng.uniform(-0.03, 0.03))
    _, s = _grid(dur, float(prof.sample_rate_hz))
    z = _path(s, _jitter_knots(p["press"], rng))
    a = p["excursion"] * (1.0 + rng.uniform(-0.05, 0.05))
    x = _path(s, _jitter_knots(((0.0, -a), (0.12, -a), (0.5, a), (0.88, -a), (1.0, -a)), rng))
    height, width = p["ridge"]
    ridge = height * np.exp(-0.5 * ((x - p["ridge_at"]) / width) ** 2)
    out = np.full((s.size, len(prof.regions)), -1.0)
    for j, r in enumerate(prof.regions):
        if r == "thumb":
            out[:, j] = z + ridge
        elif r in p["lift"]:
            out[:, j] = z + ridge - p["lift"][r]
    return out


_PLANS: dict[str, Callable[[int, np.random.Generator, GloveProfile], np.ndarray]] = {
    "effleurage": _effleurage,
    "petrissage": _petrissage,
    "friction": _friction,
}


def _glide(technique: str, style: int, rng: np.random.Generator, prof: GloveProfile) -> np.ndarray:
    """A clean gliding stroke: plan, per-stroke force variation, contact physics."""
    depth = _PLANS[technique](style, rng, prof)
    force = _STYLE_FORCE[technique][style] * (1.0 + rng.uniform(-0.03, 0.03))
    depth = np.where(depth > 0.0, depth * force ** (2.0 / 3.0), depth)
    return _contact(depth, float(prof.sample_rate_hz), _stiffness(technique, prof))


_STYLE_FORCE = {
    "effleurage": [p["force"] for p in _EFF_STYLES],
    "petrissage": [p["force"] for p in _PET_STYLES],
    "friction": [p["force"] for p in _FRI_STYLES],
}

# ----------------------------------------------------------------------------------
# tapotement: impacts
# ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _impact_curve() -> tuple[np.ndarray, np.ndarray]:
    """The universal Hunt–Crossley impact: ``u'' = −u^1.5 (1 + α u')``, ``u(0)=0, u'(0)=1``.

    Returns
    -------
    tuple of numpy.ndarray
        Normalised time ``s`` and normalised force ``G(s) = u^1.5 (1 + α u')`` until the
        hand leaves the tissue (``G`` is 0 at both ends).
    """
    alpha = 1.5 * (1.0 - _RESTITUTION)
    ds = 1e-3

    def rhs(u: float, v: float) -> tuple[float, float]:
        return v, -(max(u, 0.0) ** 1.5) * (1.0 + alpha * v)

    u, v = 0.0, 1.0
    ss, gs = [0.0], [0.0]
    step = 0
    while True:
        k1 = rhs(u, v)
        k2 = rhs(u + 0.5 * ds * k1[0], v + 0.5 * ds * k1[1])
        k3 = rhs(u + 0.5 * ds * k2[0], v + 0.5 * ds * k2[1])
        k4 = rhs(u + ds * k3[0], v + ds * k3[1])
        u += ds / 6.0 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
        v += ds / 6.0 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
        step += 1
        if u <= 0.0:
            break
        ss.append(step * ds)
        gs.append(max(u**1.5 * (1.0 + alpha * v), 0.0))
    ss.append(step * ds)
    gs.append(0.0)
    return np.array(ss), np.array(gs)


def _strike(v0: float, fs: float) -> np.ndarray:
    """Total force of one strike at impact speed ``v0`` (m/s), sampled from the contact.

    Parameters
    ----------
    v0 : float
        Impact speed, m/s.
    fs : float
        Sample rate, Hz.

    Returns
    -------
    numpy.ndarray
        Force, N; sample 0 is the instant of contact (0 N), the last is 0 N.
    """
    s, g = _impact_curve()
    dstar = (_HAND_MASS_KG * v0**2 / _EDGE_K) ** 0.4
    tau = dstar / v0
    fstar = _EDGE_K * dstar**1.5
    n = int(np.ceil(s[-1] * tau * fs)) + 1
    return fstar * np.interp(np.arange(n) / (fs * tau), s, g, right=0.0)


def _speed_for(measure: Callable[[np.ndarray], float], target: float, fs: float) -> float:
    """The impact speed whose sampled strike has ``measure`` equal to ``target`` (bisection).

    Parameters
    ----------
    measure : callable
        Strike force → a quantity increasing with speed (impulse, peak).
    target : float
        Wanted value.
    fs : float
        Sample rate, Hz.

    Returns
    -------
    float
        Speed, m/s.
    """
    lo, hi = 1e-3, 10.0
    for _ in range(60):
        mid = np.sqrt(lo * hi)
        if measure(_strike(mid, fs)) < target:
            lo = mid
        else:
            hi = mid
    return float(np.sqrt(lo * hi))


class _Burst:
    """A tapotement burst decomposed into strikes: onsets, speeds, shares, samples."""

    def __init__(self, x: np.ndarray, fs: float) -> None:
        total = x.sum(axis=1)
        on = np.concatenate([[False], total > 0.0, [False]])
        edges = np.flatnonzero(np.diff(on.astype(np.int8)))
        self.fs = fs
        self.n = x.shape[0]
        self.channels = x.shape[1]
        self.onsets = [max(int(a) - 1, 0) for a in edges[::2]]
        self.ends = [int(b) for b in edges[1::2]]
        self.pieces = [x[o:e].copy() for o, e in zip(self.onsets, self.ends, strict=True)]
        self.shares = [p.sum(axis=0) / p.sum() for p in self.pieces]
        self.speeds = [
            _speed_for(lambda f: float(f.sum()), float(p.sum()), fs) for p in self.pieces
        ]
        self.peaks = [
            int(o + np.argmax(p.sum(axis=1))) for o, p in zip(self.onsets, self.pieces, strict=True)
        ]

    def render(
        self,
        n: int | None = None,
        onsets: Sequence[int] | None = None,
        speeds: Sequence[float] | None = None,
        shares: Sequence[np.ndarray] | None = None,
        keep: Sequence[bool] | None = None,
    ) -> np.ndarray:
        """Strikes again with some commands changed; untouched strikes copied as they were.

        Parameters
        ----------
        n : int, optional
            Length of the result (default: the burst's).
        onsets, speeds, shares : sequence, optional
            Per-strike contact sample, impact speed (m/s), load shares.
        keep : sequence of bool, optional
            Which strikes are struck.

        Returns
        -------
        numpy.ndarray
            ``(n, channels)`` force, N.
        """
        onsets = list(self.onsets if onsets is None else onsets)
        speeds = list(self.speeds if speeds is None else speeds)
        shares = list(self.shares if shares is None else shares)
        keep = [True] * len(onsets) if keep is None else list(keep)
        pieces = []
        for i in range(len(onsets)):
            if speeds[i] == self.speeds[i] and np.array_equal(shares[i], self.shares[i]):
                pieces.append(self.pieces[i])
            else:
                pieces.append(_strike(speeds[i], self.fs)[:, None] * shares[i][None, :])
        ends = [o + p.shape[0] for o, p, k in zip(onsets, pieces, keep, strict=True) if k]
        need = max(ends, default=0)
        out = np.zeros((max(self.n if n is None else n, need + 1), self.channels))
        for o, p, k in zip(onsets, pieces, keep, strict=True):
            if k:
                out[o : o + p.shape[0]] += p
        return out


def _tapotement(style: int, rng: np.random.Generator, prof: GloveProfile) -> np.ndarray:
    """A clean hacking burst: strikes at the style's rate, speeds and shares."""
    p = _TAP_STYLES[style]
    fs = float(prof.sample_rate_hz)
    rate = p["rate"] * (1.0 + rng.uniform(-0.03, 0.03))
    count = p["count"]
    base = p["v0"] * (1.0 + rng.uniform(-0.03, 0.03)) ** (1.0 / 1.2)
    ramp = np.linspace(0.0, 1.0, count)
    pattern = {
        "even": np.ones(count),
        "accent": np.where(np.arange(count) == 0, 1.1, 1.0),
        "crescendo": 0.94 + 0.1 * np.minimum(ramp * 1.5, 1.0),
    }[p["pattern"]]
    ch = len(prof.regions)
    onsets = [
        round((_PAD_S + i / rate + float(np.clip(rng.normal(0.0, 0.004), -0.008, 0.008))) * fs)
        for i in range(count)
    ]
    strikes = []
    for i in range(count):
        v0 = base * pattern[i] * (1.0 + rng.uniform(-0.04, 0.04))
        share = np.array([p["shares"].get(r, 0.0) for r in prof.regions])
        share = share * (1.0 + rng.uniform(-0.08, 0.08, ch))
        strikes.append(_strike(v0, fs)[:, None] * (share / share.sum())[None, :])
    n = onsets[-1] + strikes[-1].shape[0] + round(_TAP_TAIL_S * fs)
    out = np.zeros((n, ch))
    for o, s in zip(onsets, strikes, strict=True):
        out[o : o + s.shape[0]] += s
    return out


# ----------------------------------------------------------------------------------
# public: clean strokes
# ----------------------------------------------------------------------------------


def clean_stroke(
    technique: str, style: int, rng: np.random.Generator, prof: GloveProfile
) -> np.ndarray:
    """One clean stroke: a style's plan through the contact physics.

    Parameters
    ----------
    technique : str
        effleurage, petrissage, friction or tapotement.
    style : int
        Performer style, 0–2.
    rng : numpy.random.Generator
        Random source (stroke-to-stroke variation).
    prof : GloveProfile
        Glove profile: regions, sensor positions, sample rate.

    Returns
    -------
    numpy.ndarray
        ``(n, channels)`` true force, N, at the profile's rate; 0 N at both ends.
    """
    if technique == "tapotement":
        return _tapotement(style, rng, prof)
    if technique not in _PLANS:
        raise ValueError(f"unknown technique {technique!r}")
    return _glide(technique, style, rng, prof)


# ----------------------------------------------------------------------------------
# public: errors
# ----------------------------------------------------------------------------------


def _span(total: np.ndarray) -> tuple[int, int]:
    """The loaded span: from the first to the last sample above 5 % of the peak."""
    on = np.flatnonzero(total > 0.05 * total.max())
    return int(on[0]), int(on[-1]) + 1


def _third(span: tuple[int, int], phase: str) -> tuple[int, int]:
    """Sample range of one third (start, middle, end) of a loaded span."""
    i0, i1 = span
    k = PHASES.index(phase)
    return i0 + round(k * (i1 - i0) / 3), i0 + round((k + 1) * (i1 - i0) / 3)


def _solve(measure: Callable[[float], float], target: float, power: float) -> float:
    """The command gain ``a`` with ``measure(a) = target``, ``measure`` increasing in ``a``.

    A bracket is grown from the power-law guess, then closed by bisection on ``log a``
    with secant steps (``measure`` grows roughly as ``a^(1/power)``).

    Parameters
    ----------
    measure : callable
        Gain → measured output (e.g. a ratio of mean forces), non-decreasing.
    target : float
        Wanted output.
    power : float
        Expected exponent of the inverse law (2/3 for depth against force).

    Returns
    -------
    float
        The gain.
    """
    a = target**power
    got = measure(a)
    if abs(got / target - 1.0) < 1e-4:
        return a
    step = 1.25 if got < target else 0.8
    lo_a, hi_a = (a, None) if got < target else (None, a)
    lo_m, hi_m = (got, None) if got < target else (None, got)
    for _ in range(40):  # grow the bracket
        if lo_a is not None and hi_a is not None:
            break
        a *= step
        m = measure(a)
        if m < target:
            lo_a, lo_m = a, m
        else:
            hi_a, hi_m = a, m
    if lo_a is None or hi_a is None or lo_m is None or hi_m is None:
        return a
    for i in range(60):
        x0, x1 = math.log(lo_a), math.log(hi_a)
        if i % 2 == 0 and hi_m > lo_m:  # secant on log a, alternating with bisection
            mid = x0 + (target - lo_m) / (hi_m - lo_m) * (x1 - x0)
            mid = min(max(mid, x0 + 0.05 * (x1 - x0)), x1 - 0.05 * (x1 - x0))
        else:
            mid = 0.5 * (x0 + x1)
        a = math.exp(mid)
        m = measure(a)
        if abs(m / target - 1.0) < 1e-4:
            return a
        if m < target:
            lo_a, lo_m = a, m
        else:
            hi_a, hi_m = a, m
    return a


def _window(n: int, lo: int, hi: int, ramp: int, open_lo: bool, open_hi: bool) -> np.ndarray:
    """1 inside ``[lo, hi)`` with minimum-jerk ramps *inside* it, 0 outside.

    Parameters
    ----------
    n : int
        Length.
    lo, hi : int
        Range.
    ramp : int
        Ramp length, samples.
    open_lo, open_hi : bool
        Extend to the array's start (end) instead of ramping.

    Returns
    -------
    numpy.ndarray
        The window.
    """
    i = np.arange(n, dtype=np.float64)
    up = np.ones(n) if open_lo else _mj((i - lo) / max(ramp, 1))
    down = np.ones(n) if open_hi else 1.0 - _mj((i - (hi - ramp)) / max(ramp, 1))
    return up * down


def _in_contact(depth: np.ndarray) -> np.ndarray:
    """Mask of regions touching the tissue."""
    return depth > 0.0


def _glide_level(
    x: np.ndarray, d: np.ndarray, kind: str, factor: float, fs: float, k: np.ndarray
) -> np.ndarray:
    """Uniform or one-third depth change whose output force changes by ``factor``."""
    total = x.sum(axis=1)
    n = x.shape[0]
    if kind.endswith("_uniform"):
        w = np.ones(n)
        lo, hi = 0, n
    else:
        phase = kind.split("_", 1)[1]
        span = _span(total)
        lo, hi = _third(span, phase)
        ramp = round(min(0.2 * (hi - lo), 0.08 * fs))
        w = _window(n, lo, hi, ramp, phase == "start", phase == "end")
    ref = total[lo:hi].mean()

    def run(a: float) -> np.ndarray:
        return _contact(d * (1.0 + (a - 1.0) * w)[:, None], fs, k)

    a = _solve(lambda a: float(run(a).sum(axis=1)[lo:hi].mean() / ref), factor, 2.0 / 3.0)
    return run(a)


def _glide_tempo(d: np.ndarray, factor: float, fs: float, k: np.ndarray) -> np.ndarray:
    """The plan re-run at another speed: every segment ``factor`` times as long."""
    n = d.shape[0]
    pos = np.minimum(np.arange(round(n * factor)) / factor, n - 1.0)
    i = np.minimum(np.floor(pos).astype(int), n - 2)
    u = (pos - i)[:, None]
    slope = np.gradient(d, axis=0)  # cubic Hermite through the samples (Catmull-Rom)
    plan = (
        (2 * u**3 - 3 * u**2 + 1) * d[i]
        + (u**3 - 2 * u**2 + u) * slope[i]
        + (-2 * u**3 + 3 * u**2) * d[i + 1]
        + (u**3 - u**2) * slope[i + 1]
    )
    return _contact(plan, fs, k)


def _tremor_phase(n: int, fs: float, rng: np.random.Generator) -> np.ndarray:
    """Phase of a 6–10 Hz tremor whose frequency drifts slowly (stays in 6–10 Hz)."""
    f0 = rng.uniform(6.5, 9.5)
    drift = 0.4 * np.sin(2 * np.pi * rng.uniform(0.3, 0.8) * np.arange(n) / fs + rng.uniform(0, 6))
    return rng.uniform(0.0, 2 * np.pi) + 2 * np.pi * np.cumsum(f0 + drift) / fs


def _glide_tremor(
    x: np.ndarray, d: np.ndarray, amp: float, rng: np.random.Generator, fs: float, k: np.ndarray
) -> np.ndarray:
    """The hand's height oscillates; depth amplitude from the local contact stiffness."""
    total = x.sum(axis=1)
    peak = total.max()
    touching = _in_contact(d)
    sens = (1.5 * k * np.sqrt(np.maximum(d, 0.0)) * touching).sum(axis=1)  # N/mm
    gate = _mj((total / peak - 0.1) / 0.3)
    mean_depth = np.where(
        touching.any(axis=1), (d * touching).sum(axis=1) / np.maximum(touching.sum(axis=1), 1), 0
    )
    wave = np.sin(_tremor_phase(x.shape[0], fs, rng))
    held = total > 0.5 * peak

    def run(g: float) -> np.ndarray:
        a = np.minimum(g * amp * gate / np.maximum(sens, 1e-6), 0.6 * mean_depth)
        return _contact(np.where(touching, np.maximum(d + (a * wave)[:, None], 0.0), d), fs, k)

    def size(g: float) -> float:
        diff = run(g).sum(axis=1) - total
        return float(np.sqrt(2.0 * np.mean(diff[held] ** 2)))

    g = _solve(size, amp, 1.0)
    return run(g)


def _events(
    total: np.ndarray, fs: float, rng: np.random.Generator, size: float
) -> tuple[int, int, int]:
    """Where the push and the give fall: start samples and the event length."""
    span = _span(total)
    length = round(rng.uniform(0.07, 0.11) * fs)
    lo = span[0] + round(0.15 * (span[1] - span[0]))
    hi = span[1] - round(0.15 * (span[1] - span[0])) - length
    starts = np.arange(lo, max(hi, lo + 1))
    floor = np.array([total[s : s + length].min() for s in starts])
    ok = starts[floor >= (size + 0.15) * total.max()]
    give = int(rng.choice(ok)) if ok.size else int(starts[np.argmax(floor)])
    gap = length + round(0.06 * fs)
    far = starts[np.abs(starts - give) >= gap]
    push = int(rng.choice(far)) if far.size else int(starts[np.argmin(np.abs(starts - give))])
    return push, give, length


def _step_plan(
    plan: np.ndarray,
    touching: np.ndarray,
    sign: float,
    step: np.ndarray,
    plateau: slice,
    total: np.ndarray,
    want: float,
    fs: float,
    k: np.ndarray,
) -> np.ndarray:
    """Add a depth step (``sign`` +1 push, −1 give) sized so its plateau moves ``want`` N.

    Parameters
    ----------
    plan : numpy.ndarray
        ``(n, channels)`` depth plan, mm.
    touching : numpy.ndarray
        Regions in contact (only they move with the hand's step).
    sign : float
        +1 for a push, −1 for a give.
    step : numpy.ndarray
        ``(n,)`` step shape, 0 … 1 … 0.
    plateau : slice
        Where the step is fully on (where its size is measured).
    total : numpy.ndarray
        ``(n,)`` clean total force, N.
    want : float
        Force change on the plateau, N.
    fs : float
        Sample rate, Hz.
    k : numpy.ndarray
        ``(channels,)`` stiffness.

    Returns
    -------
    numpy.ndarray
        The plan with the step.
    """

    def run(g: float) -> np.ndarray:
        return np.where(touching, np.maximum(plan + sign * g * step[:, None], 0.0), plan)

    def moved(g: float) -> float:
        f = _contact(run(g), fs, k).sum(axis=1)
        return float(np.median(sign * (f - total)[plateau]))

    return run(_solve(moved, want, 1.0))


def _glide_jerks(
    x: np.ndarray, d: np.ndarray, size: float, rng: np.random.Generator, fs: float, k: np.ndarray
) -> np.ndarray:
    """A sudden push and a sudden give of the whole hand, each ``size`` × peak."""
    total = x.sum(axis=1)
    peak = total.max()
    push, give, length = _events(total, fs, rng, size)
    edge = round(0.025 * fs)
    i = np.arange(x.shape[0], dtype=np.float64)
    touching = _in_contact(d)
    out = d.copy()
    for start, sign in ((push, 1.0), (give, -1.0)):
        step = _mj((i - start) / edge) - _mj((i - (start + length - edge)) / edge)
        plateau = slice(start + edge, start + length - edge)
        out = _step_plan(out, touching, sign, step, plateau, total, size * peak, fs, k)
    return _contact(out, fs, k)


def _glide_shift(
    x: np.ndarray, d: np.ndarray, share: float, technique: str, prof: GloveProfile, k: np.ndarray
) -> np.ndarray:
    """Lean onto one region: its depth carries ``share`` of the total, others lift."""
    fs = float(prof.sample_rate_hz)
    j = prof.regions.index(_SHIFT_TO[technique])
    total = x.sum(axis=1)
    others = np.arange(x.shape[1]) != j
    loaded = total > 0.0

    def run(beta: float) -> np.ndarray:
        plan = d.copy()
        carry = np.maximum(x[:, j] + beta * share * total, 0.0)
        plan[:, j] = np.where(loaded, (carry / k[j]) ** (2.0 / 3.0), d[:, j])
        plan[:, others] = d[:, others] * max(1.0 - beta * share, 0.0) ** (2.0 / 3.0)
        y = _contact(plan, fs, k)
        ys = y.sum(axis=1)
        scale = np.where(ys > 0.0, total / np.where(ys > 0.0, ys, 1.0), 0.0)
        return y * scale[:, None]

    def moved(beta: float) -> float:
        return float((run(beta)[:, j].sum() - x[:, j].sum()) / total.sum())

    return run(_solve(moved, share, 1.0))


def _glide_partial(
    d: np.ndarray,
    done: float,
    total: np.ndarray,
    rng: np.random.Generator,
    fs: float,
    k: np.ndarray,
) -> np.ndarray:
    """Follow the plan to ``done`` of the loaded time, then lift off from where the hand is."""
    i0, i1 = _span(total)
    cut = i0 + round(done * (i1 - i0))
    lift = round(rng.uniform(0.08, 0.12) * fs)
    p0 = np.maximum(d[cut - 1], 0.0)
    v0t = (d[cut - 1] - d[cut - 2]) * lift  # velocity × lift duration (per unit s)
    v0t = np.where(p0 > 0.0, v0t, 0.0)
    s = (np.arange(1, lift + 1) / lift)[:, None]
    after = (
        p0
        + v0t * s
        + (-10 * p0 - 6 * v0t) * s**3
        + (15 * p0 + 8 * v0t) * s**4
        + (-6 * p0 - 3 * v0t) * s**5
    )
    tail = np.full((round(_PAD_S * fs), d.shape[1]), -1.0)
    plan = np.concatenate([d[:cut], np.maximum(after, 0.0), tail])
    return _contact(plan, fs, k)


def _tap_inject(
    x: np.ndarray, kind: str, magnitude: float, rng: np.random.Generator, prof: GloveProfile
) -> np.ndarray:
    """Errors of a hacking burst, on its strikes' commands (speed, timing, shares)."""
    fs = float(prof.sample_rate_hz)
    b = _Burst(x, fs)
    total = x.sum(axis=1)
    peak = total.max()
    if kind.startswith(("light_", "heavy_")):
        if kind.endswith("_uniform"):
            lo, hi = 0, x.shape[0]
        else:
            span = (b.onsets[0], b.ends[-1])
            lo, hi = _third(span, kind.split("_", 1)[1])
        hit = [lo <= p < hi for p in b.peaks]
        ref = total[lo:hi].mean()

        def run(a: float) -> np.ndarray:
            speeds = [v * a if h else v for v, h in zip(b.speeds, hit, strict=True)]
            return b.render(speeds=speeds)

        a = _solve(lambda a: float(run(a).sum(axis=1)[lo:hi].mean() / ref), magnitude, 1.0)
        return run(a)
    if kind in ("fast", "slow"):
        onsets: list[int] = []
        for i, o in enumerate(b.onsets):
            new = round(o * magnitude)
            if onsets:
                new = max(new, onsets[-1] + b.pieces[i - 1].shape[0])
            onsets.append(new)
        return b.render(n=round(x.shape[0] * magnitude), onsets=onsets)
    if kind == "tremor":
        phase = _tremor_phase(x.shape[0], fs, rng)
        speeds = []
        for p, piece in zip(b.peaks, b.pieces, strict=True):
            want = max(piece.sum(axis=1).max() + magnitude * np.sin(phase[p]), 0.15 * peak)
            speeds.append(_speed_for(lambda f: float(f.max()), want, fs))
        return b.render(speeds=speeds)
    if kind == "jerks":
        inner = list(range(1, len(b.onsets) - 1)) or list(range(len(b.onsets)))
        harder, softer = (int(i) for i in rng.choice(inner, size=2, replace=False))
        speeds = list(b.speeds)
        for i, sign in ((harder, 1.0), (softer, -1.0)):
            top = b.pieces[i].sum(axis=1).max()
            want = max(top + sign * magnitude * peak, 0.15 * top)
            speeds[i] = _speed_for(lambda f: float(f.max()), want, fs)
        return b.render(speeds=speeds)
    if kind == "load_shift":
        j = prof.regions.index(_SHIFT_TO["tapotement"])
        onto = np.zeros(x.shape[1])
        onto[j] = 1.0
        shares = [(1.0 - magnitude) * s + magnitude * onto for s in b.shares]
        return b.render(shares=shares)
    if kind == "partial":
        cut = b.onsets[0] + magnitude * (b.ends[-1] - b.onsets[0])
        keep = [o < cut for o in b.onsets]
        keep[0] = True
        if all(keep):
            keep[-1] = False
        last = max(i for i, k in enumerate(keep) if k)
        n = b.ends[last] + round(0.05 * fs)
        return b.render(keep=keep)[:n]
    raise ValueError(f"unknown error kind {kind!r}")


def inject(
    x: np.ndarray,
    kind: str,
    magnitude: float,
    rng: np.random.Generator,
    prof: GloveProfile,
    technique: str,
) -> np.ndarray:
    """Inject one error into a clean family-E stroke by editing its motor plan.

    The plan is recovered from the stroke (the contact law inverted sample by sample; a
    tapotement burst split into strikes with their impact speeds), changed as the error
    says, and run through the physics again (see the module docstring).

    Parameters
    ----------
    x : numpy.ndarray
        ``(n, channels)`` clean stroke from :func:`clean_stroke`, N.
    kind : str
        An error kind of :data:`~benchmarks.validity.generators.ERROR_LEVELS`.
    magnitude : float
        Its magnitude: force factor (uniform, thirds), duration factor (fast, slow), N zero
        to peak (tremor), fraction of the peak (jerks), share moved (load_shift), fraction
        performed (partial).
    rng : numpy.random.Generator
        Random source (tremor phase and frequency, where jerks fall, the lift's speed).
    prof : GloveProfile
        Glove profile.
    technique : str
        The stroke's technique.

    Returns
    -------
    numpy.ndarray
        The faulty stroke, N, non-negative.
    """
    x = np.maximum(np.asarray(x, dtype=np.float64), 0.0)
    if technique == "tapotement":
        return _tap_inject(x, kind, magnitude, rng, prof)
    fs = float(prof.sample_rate_hz)
    k = _stiffness(technique, prof)
    d = _depth_from_force(x, fs, k)
    if kind.startswith(("light_", "heavy_")):
        return _glide_level(x, d, kind, magnitude, fs, k)
    if kind in ("fast", "slow"):
        return _glide_tempo(d, magnitude, fs, k)
    if kind == "tremor":
        return _glide_tremor(x, d, magnitude, rng, fs, k)
    if kind == "jerks":
        return _glide_jerks(x, d, magnitude, rng, fs, k)
    if kind == "load_shift":
        return _glide_shift(x, d, magnitude, technique, prof, k)
    if kind == "partial":
        return _glide_partial(d, magnitude, x.sum(axis=1), rng, fs, k)
    raise ValueError(f"unknown error kind {kind!r}")


# ----------------------------------------------------------------------------------
# public: non-strokes
# ----------------------------------------------------------------------------------


def _bend_noise(rng: np.random.Generator, prof: GloveProfile) -> np.ndarray:
    """The glove flexed in the air: band-limited bend artefacts, rectified."""
    fs = float(prof.sample_rate_hz)
    n = round(rng.uniform(2.2, 2.8) * fs)
    spec = np.fft.rfft(rng.normal(0.0, 1.0, (n, len(prof.regions))), axis=0)
    freqs = np.fft.rfftfreq(n, 1.0 / fs)
    spec[(freqs < 1.0) | (freqs > 15.0)] = 0.0  # 1–15 Hz: hand movements, not electronics
    raw = np.fft.irfft(spec, n, axis=0)
    raw /= raw.std(axis=0, keepdims=True)
    level = np.array([0.6 if r in (*_FINGERS, "thumb") else 0.3 for r in prof.regions])
    fade = _mj(np.arange(n) / (0.1 * fs)) * _mj((n - 1 - np.arange(n)) / (0.1 * fs))
    return np.maximum(raw * level * fade[:, None], 0.0)  # no figure


def _rest(rng: np.random.Generator, prof: GloveProfile) -> np.ndarray:
    """A relaxed hand laid on the back, sinking and rising with the client's breathing."""
    fs = float(prof.sample_rate_hz)
    dur = rng.uniform(2.0, 2.6)
    t, s = _grid(dur, fs)
    z = _path(s, ((0.0, -1.0), (0.15, 1.2), (0.85, 1.3), (1.0, -1.0)))
    breath = 0.15 * np.sin(2 * np.pi * rng.uniform(0.2, 0.33) * t + rng.uniform(0, 6))
    held = _mj(s / 0.15) * _mj((1.0 - s) / 0.15)
    z = z * (1.0 + rng.uniform(-0.1, 0.1)) + breath * held
    lift = np.array(
        [0.8 if r in _FINGERS else 2.0 if r == "thumb" else 0.0 for r in prof.regions]
    )  # no figure
    return _contact(z[:, None] - lift[None, :], fs, _stiffness("effleurage", prof))


def _touches(rng: np.random.Generator, prof: GloveProfile) -> np.ndarray:
    """Three to five light dabs of single fingertips at random times."""
    fs = float(prof.sample_rate_hz)
    n = round(2.5 * fs)
    k = _stiffness("effleurage", prof)
    tips = [j for j, r in enumerate(prof.regions) if r in (*_FINGERS, "thumb")]
    plan = np.full((n, len(prof.regions)), -1.0)
    t = np.arange(n) / fs
    for _ in range(int(rng.integers(3, 6))):
        j = int(rng.choice(tips))
        dur = rng.uniform(0.15, 0.5)
        start = rng.uniform(0.05, 2.45 - dur)
        depth = (rng.uniform(1.0, 3.5) / k[j]) ** (2.0 / 3.0)  # 1–3.5 N held  # no figure
        knots = ((start, -0.5), (start + 0.4 * dur, depth), (start + 0.6 * dur, depth))
        dab = _path(t, (*knots, (start + dur, -0.5)))
        plan[:, j] = np.maximum(plan[:, j], dab)
    return _contact(plan, fs, k)


def non_stroke(
    kind: str, technique: str, rng: np.random.Generator, prof: GloveProfile
) -> tuple[np.ndarray, str]:
    """A non-stroke event near ``technique``'s reference, and what was performed.

    Parameters
    ----------
    kind : str
        noise, rest, touches or other_technique.
    technique : str
        The reference's technique (other_technique performs another one).
    rng : numpy.random.Generator
        Random source.
    prof : GloveProfile
        Glove profile.

    Returns
    -------
    tuple of (numpy.ndarray, str)
        ``(n, channels)`` true force (N) and the technique performed ("none" unless
        ``other_technique``).
    """
    if kind == "noise":
        return _bend_noise(rng, prof), "none"
    if kind == "rest":
        return _rest(rng, prof), "none"
    if kind == "touches":
        return _touches(rng, prof), "none"
    if kind == "other_technique":
        others = [t for t in TECHNIQUES if t != technique]
        other = others[int(rng.integers(len(others)))]
        return clean_stroke(other, int(rng.integers(3)), rng, prof), other
    raise ValueError(f"unknown non-stroke kind {kind!r}")


# ----------------------------------------------------------------------------------
# public: the FSR glove
# ----------------------------------------------------------------------------------

_GLOVE_SEED = 0xE5  # the one glove every take of family E is read with  # no figure
_NOISE_N = 0.05  # white noise sd, Wang et al. 2017's 0.05 N resolution as a floor
_REPEATABILITY = 0.02  # per-take gain, FSR 402 ±2 % for one part (Interlink)
_DROPOUT_PER_S = 0.05  # events per sensor per second  # no figure


def _glove(prof: GloveProfile) -> dict[str, np.ndarray]:
    """Per-sensor constants of the glove (fixed: drawn from :data:`_GLOVE_SEED`).

    Parameters
    ----------
    prof : GloveProfile
        Glove profile (number of sensors).

    Returns
    -------
    dict of numpy.ndarray
        ``bow`` (residual non-linearity, ±5 %), ``bow_at`` (N, where it is largest),
        ``hyst`` (hysteresis, 3–6 %), ``creep`` (2–5 %), ``creep_tau`` (s, 2–5).
    """
    g = np.random.default_rng(np.random.SeedSequence([_GLOVE_SEED, len(prof.regions)]))
    ch = len(prof.regions)
    big = np.array([r in ("palm_heel", "palm") for r in prof.regions])
    return {
        "bow": g.uniform(-0.05, 0.05, ch),
        "bow_at": np.where(big, 20.0, 10.0) * g.uniform(0.8, 1.25, ch),  # no figure
        "hyst": g.uniform(0.03, 0.06, ch),  # no figure
        "creep": g.uniform(0.02, 0.05, ch),  # no figure
        "creep_tau": g.uniform(2.0, 5.0, ch),  # no figure
    }


def _resolution(prof: GloveProfile) -> np.ndarray:
    """Newtons per count of each sensor (linear calibrations; else full scale / raw_max)."""
    return np.array(
        [
            s.calibration.scale
            if s.calibration.kind == "linear"
            else s.saturation_n / float(prof.raw_max)
            for s in prof.sensors
        ]
    )


def sensor_model(clean: np.ndarray, rng: np.random.Generator, prof: GloveProfile) -> np.ndarray:
    """What an FSR glove reports for true forces ``clean`` (see the module docstring).

    Parameters
    ----------
    clean : numpy.ndarray
        ``(n, channels)`` true force, N, at the profile's rate.
    rng : numpy.random.Generator
        Random source (per-take gain, noise, dropouts).
    prof : GloveProfile
        Glove profile: rate, saturation, resolution.

    Returns
    -------
    numpy.ndarray
        ``(n, channels)`` readings, N: ≥ 0, ≤ saturation, on the profile's count grid.
    """
    f = np.maximum(np.asarray(clean, dtype=np.float64), 0.0)
    n, ch = f.shape
    fs = float(prof.sample_rate_hz)
    glove = _glove(prof)
    # residual non-linearity the calibration leaves: a bow, largest at bow_at
    x = f / glove["bow_at"]
    r = f * (1.0 + glove["bow"] * 4.0 * x / (1.0 + x) ** 2)
    # hysteresis: a rate-independent state swinging −1 (loading) … +1 (unloading);
    # creep: a first-order rise of the load's presence, recovering when unloaded
    width = 1.5  # N of travel that swings the hysteresis state across  # no figure
    step = np.diff(f, axis=0, prepend=f[:1]) / width
    load = f / (f + 0.5)
    keep = np.exp(-1.0 / (glove["creep_tau"] * fs))
    state, level = np.zeros(ch), np.zeros(ch)
    hyst, creep = np.empty_like(r), np.empty_like(r)
    for i in range(n):
        state = np.minimum(np.maximum(state - step[i], -1.0), 1.0)
        level = keep * level + (1.0 - keep) * load[i]
        hyst[i] = state
        creep[i] = level
    r = r * (1.0 + glove["hyst"] * hyst) * (1.0 + glove["creep"] * creep)
    # per take: gain, noise, dropouts, clipping, quantisation
    r = r * (1.0 + rng.uniform(-_REPEATABILITY, _REPEATABILITY, ch))
    r = r + rng.normal(0.0, _NOISE_N, (n, ch))
    for j in range(ch):
        for _ in range(int(rng.poisson(_DROPOUT_PER_S * n / fs))):
            start = int(rng.integers(n))
            r[start : start + int(rng.integers(2, 6)), j] = 0.0
    r = np.clip(r, 0.0, prof.saturation_n)
    q = _resolution(prof)
    return np.round(r / q) * q
