"""Family C of the validity benchmark: knot envelopes, rolling load, an FSR-like sensor.

A third generator family, independent of families A and B (``generators.py``) and of the
project's simulator, so that a scoring change fitted to A and B can be checked on strokes
made another way. It differs from them in how strokes are made, how the sensors read
them, and how each error is injected:

* **Force envelope.** A monotone cubic (Fritsch–Carlson) through knots that are
  jittered from stroke to stroke, with zero slope at contact and lift-off. The knots make
  attack and release asymmetric and the peak skewed: a performer who lands fast and
  releases slowly, one who builds slowly and lets go quickly (A: raised-cosine ramps and
  a plateau; B: minimum-jerk transitions and Gaussian pulses).
* **Load that rolls over the hand.** The share of each sensor is a blend of two region
  share vectors that changes during the stroke (effleurage lands on the heel of the hand
  and rolls onto the palm and fingers; petrissage alternates thumb and finger squeezes in
  kneading cycles whose count and phase differ per style; friction rocks load between the
  thumb and the fingers in a small transverse oscillation whose frequency drifts within
  the stroke). Every stroke's shares also vary by ~8 % (A: fixed shares per region; B: a
  Gaussian kernel around a moving contact point).
* **Tapotement** (hacking with the ulnar fingers) as a train of asymmetric gamma-shaped
  strikes (fast impact, slower rebound), with strike intervals, widths, heights and the
  load of each strike drawn from distributions, and a gentle build or fade of the strike
  heights over the burst (A: raised-cosine strikes; B: Gaussian strikes alternating
  between two fingers).
* **Sensor model: an FSR-like glove.** Per-sensor gain ±5 %, a mild power-law residual of
  the calibration (exponent 0.97–1.0 around 10 N, the FSR 402's range in
  ``docs/evidence.md``), a little hysteresis (the reading is up to 3–5 % high while the
  load falls from a peak, closing at zero force), creep under sustained load (≤ 2 %), a
  slowly creeping baseline, white noise 0.015–0.03 N, quantisation to 10–12 bits over the
  sensor's range, and occasional single-sample glitches: a spike of 0.2–0.6 N on one
  sensor, or a lost sample that repeats the previous one (A: white noise; B: AR(1) noise,
  constant offsets and ±3 % gains).
* **Errors, injected another way** (same kinds, levels and expected codes as
  :data:`~benchmarks.validity.generators.ERROR_LEVELS`): uniform level errors with a
  slowly varying gain whose load-weighted mean is the factor; phase errors over most
  (75–90 %), not all, of the third with logistic edges; tempo errors as a non-uniform time warp
  whose mean stretch is the factor (percussion: the strike onsets are retimed and the
  strikes' own contact time changes only by the factor's square root); tremor at 6–10 Hz
  with a drifting frequency and amplitude modulation, growing with the force (as its
  square root);
  jerks as biphasic jolts (a push and a catch) at loaded moments; load shifts that take
  load mostly from the most loaded regions, onto a region the expert loads lightly, growing
  through the stroke (total unchanged); a partial stroke ends with a short natural release
  (fingers lift before the heel), or for percussion after the strike in progress.

Figures: the durations and forces of ``generators._BASE`` (cited there, from
``docs/evidence.md``); tapotement rates 5.5–7 strikes/s lie inside the published 4–10
strikes/s. Everything else — knot positions, shares, oscillation frequencies, sensor
imperfections, release times — is our own choice, marked ``# no figure``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import signal

from benchmarks.validity import generators as gen
from sensors.profiles import GloveProfile

__all__ = ["clean_stroke", "inject", "non_stroke", "sensor_model"]

_EFF = gen._EFF  # region order of the share tuples below

# Style factors on duration and force (within ±5 %); no figure.
_STYLE_DF = {0: (1.0, 1.0), 1: (0.96, 1.03), 2: (1.03, 0.97)}


def _shares(*values: float) -> dict[str, float]:
    return dict(zip(_EFF, values, strict=True))


# Envelope knots (fractions of the stroke, relative force), the region shares at landing
# and at the end of the roll, and where the roll runs (fractions). No figure for any.
_STYLES: dict[str, list[dict]] = {
    "effleurage": [
        {  # heel lands fast, long release
            "s": (0.0, 0.09, 0.20, 0.38, 0.58, 0.76, 0.90, 1.0),
            "v": (0.0, 0.46, 0.86, 1.00, 0.97, 0.74, 0.34, 0.0),
            "land": _shares(0.55, 0.27, 0.06, 0.04, 0.04, 0.02, 0.02),
            "leave": _shares(0.32, 0.40, 0.07, 0.07, 0.07, 0.04, 0.03),
            "roll": (0.25, 0.85),
        },
        {  # slow build, quicker release, the palm more
            "s": (0.0, 0.12, 0.28, 0.48, 0.68, 0.83, 0.93, 1.0),
            "v": (0.0, 0.44, 0.84, 0.97, 1.00, 0.70, 0.28, 0.0),
            "land": _shares(0.42, 0.36, 0.07, 0.05, 0.05, 0.03, 0.02),
            "leave": _shares(0.26, 0.46, 0.08, 0.06, 0.07, 0.04, 0.03),
            "roll": (0.15, 0.95),
        },
        {
            "s": (0.0, 0.10, 0.24, 0.44, 0.64, 0.80, 0.91, 1.0),
            "v": (0.0, 0.45, 0.85, 1.00, 0.98, 0.72, 0.31, 0.0),
            "land": _shares(0.48, 0.32, 0.07, 0.04, 0.05, 0.02, 0.02),
            "leave": _shares(0.30, 0.42, 0.08, 0.06, 0.07, 0.04, 0.03),
            "roll": (0.20, 0.90),
        },
    ],
    # kneading: thumb-led and finger-led shares, alternating `cycles` times per stroke
    # from phase `phase` (rad); the squeeze is quicker than the release or the reverse
    "petrissage": [
        {
            "s": (0.0, 0.15, 0.32, 0.50, 0.72, 0.88, 1.0),
            "v": (0.0, 0.55, 0.97, 0.93, 0.56, 0.20, 0.0),
            "thumb": _shares(0.06, 0.20, 0.46, 0.12, 0.09, 0.05, 0.02),
            "fingers": _shares(0.08, 0.17, 0.14, 0.24, 0.22, 0.11, 0.04),
            "cycles": 1.0,
            "phase": 0.0,
        },
        {
            "s": (0.0, 0.18, 0.38, 0.56, 0.76, 0.90, 1.0),
            "v": (0.0, 0.52, 0.94, 1.00, 0.60, 0.20, 0.0),
            "thumb": _shares(0.08, 0.18, 0.42, 0.14, 0.10, 0.06, 0.02),
            "fingers": _shares(0.10, 0.14, 0.14, 0.22, 0.22, 0.13, 0.05),
            "cycles": 1.0,
            "phase": 0.5,
        },
        {
            "s": (0.0, 0.16, 0.35, 0.53, 0.74, 0.89, 1.0),
            "v": (0.0, 0.52, 0.96, 0.97, 0.58, 0.20, 0.0),
            "thumb": _shares(0.07, 0.20, 0.44, 0.13, 0.09, 0.05, 0.02),
            "fingers": _shares(0.09, 0.16, 0.15, 0.23, 0.20, 0.12, 0.05),
            "cycles": 1.25,
            "phase": 0.25,
        },
    ],
    # friction: oscillation at f0 drifting by `drift` Hz over the stroke, force ripple
    # `depth`, thumb share rocking by `rock` onto index and middle
    "friction": [
        {
            "s": (0.0, 0.12, 0.26, 0.50, 0.74, 0.88, 1.0),
            "v": (0.0, 0.70, 0.97, 1.00, 0.96, 0.62, 0.0),
            "base": _shares(0.01, 0.02, 0.57, 0.24, 0.12, 0.03, 0.01),
            "f0": 3.8,
            "drift": 0.6,
            "depth": 0.06,
            "rock": 0.05,
        },
        {
            "s": (0.0, 0.14, 0.30, 0.55, 0.78, 0.90, 1.0),
            "v": (0.0, 0.66, 0.94, 1.00, 0.95, 0.56, 0.0),
            "base": _shares(0.01, 0.03, 0.51, 0.27, 0.14, 0.03, 0.01),
            "f0": 4.4,
            "drift": -0.5,
            "depth": 0.05,
            "rock": 0.06,
        },
        {
            "s": (0.0, 0.13, 0.28, 0.52, 0.76, 0.90, 1.0),
            "v": (0.0, 0.66, 0.95, 1.00, 0.97, 0.60, 0.0),
            "base": _shares(0.02, 0.03, 0.54, 0.25, 0.12, 0.03, 0.01),
            "f0": 4.0,
            "drift": 0.3,
            "depth": 0.07,
            "rock": 0.04,
        },
    ],
    # hacking with the ulnar fingers: strikes/s (inside 4-10/s), strike FWHM (s; style 0
    # is the crisp 45 ms strike), strikes per burst, CVs of interval / width / height,
    # height trend over the burst, shares
    "tapotement": [
        {
            "rate": 6.5,
            "width": 0.045,
            "strikes": 8,
            "cv": (0.05, 0.08, 0.10),
            "trend": 0.08,
            "shares": _shares(0.07, 0.02, 0.01, 0.08, 0.17, 0.27, 0.38),
        },
        {
            "rate": 5.5,
            "width": 0.060,
            "strikes": 7,
            "cv": (0.07, 0.10, 0.12),
            "trend": -0.06,
            "shares": _shares(0.05, 0.03, 0.01, 0.12, 0.22, 0.27, 0.30),
        },
        {
            "rate": 7.0,
            "width": 0.052,
            "strikes": 9,
            "cv": (0.06, 0.09, 0.11),
            "trend": 0.0,
            "shares": _shares(0.06, 0.03, 0.01, 0.10, 0.19, 0.28, 0.33),
        },
    ],
}
_SHARE_JITTER = 0.08  # stroke-to-stroke spread of each sensor's share (log sd); no figure
_STRIKE_K = 2.5  # gamma strike shape: fast impact, slower rebound; no figure
_STRIKE_FWHM = 1.5123  # FWHM of (u/τ)^2.5 · e^(2.5(1 − u/τ)) in units of τ
_STRIKE_FLOOR = 0.01  # the strike ends where it falls below 1 % of its height

# Regions a load-shift error moves load onto (ones the expert loads lightly); no figure.
_SHIFT_TARGET = {
    "effleurage": ("index", "middle", "ring"),  # pushing with the fingertips
    "petrissage": ("palm_heel", "palm"),  # pressing with the hand instead of kneading
    "friction": ("palm_heel",),  # leaning on the heel of the hand
    "tapotement": ("palm",),  # slapping with the flat hand
}
_FINGERS = ("thumb", "index", "middle", "ring", "little")


# ----------------------------------------------------------------------------------
# building blocks
# ----------------------------------------------------------------------------------


def _pchip(t: np.ndarray, kt: np.ndarray, kv: np.ndarray) -> np.ndarray:
    """Monotone cubic through knots ``(kt, kv)`` (Fritsch–Carlson), zero slope at the ends.

    No overshoot: between two knots the curve stays between their values.
    """
    h = np.diff(kt)
    delta = np.diff(kv) / h
    d = np.zeros_like(kv)
    same = delta[:-1] * delta[1:] > 0
    w1, w2 = 2 * h[1:] + h[:-1], h[1:] + 2 * h[:-1]
    safe0 = np.where(same, delta[:-1], 1.0)
    safe1 = np.where(same, delta[1:], 1.0)
    d[1:-1] = np.where(same, (w1 + w2) / (w1 / safe0 + w2 / safe1), 0.0)
    k = np.clip(np.searchsorted(kt, t, side="right") - 1, 0, kt.size - 2)
    s = np.clip((t - kt[k]) / h[k], 0.0, 1.0)
    s2, s3 = s * s, s * s * s
    return (
        (2 * s3 - 3 * s2 + 1) * kv[k]
        + (s3 - 2 * s2 + s) * h[k] * d[k]
        + (3 * s2 - 2 * s3) * kv[k + 1]
        + (s3 - s2) * h[k] * d[k + 1]
    )


def _envelope(s: np.ndarray, st: dict, rng: np.random.Generator) -> np.ndarray:
    """The style's knot envelope at stroke fractions ``s``, knots jittered, peak 1."""
    ks = np.array(st["s"], dtype=float)
    kv = np.array(st["v"], dtype=float)
    gaps = np.diff(ks).min()
    ks[1:-1] += rng.uniform(-0.25, 0.25, ks.size - 2) * gaps  # stays sorted
    kv[1:-1] *= rng.uniform(0.96, 1.04, kv.size - 2)
    env = _pchip(s, ks, kv)
    return env / env.max()


def _smoothstep(s: np.ndarray, a: float, b: float) -> np.ndarray:
    u = np.clip((s - a) / (b - a), 0.0, 1.0)
    return u * u * (3.0 - 2.0 * u)


def _jittered_shares(
    prof: GloveProfile, shares: dict[str, float], rng: np.random.Generator
) -> np.ndarray:
    w = gen._share_vector(prof, shares) * np.exp(
        _SHARE_JITTER * rng.standard_normal(len(prof.sensors))
    )
    return w / w.sum()


def _strike(r: np.ndarray) -> np.ndarray:
    """A gamma-shaped strike of height 1 at ``r`` = time since onset / time to peak."""
    r = np.clip(r, 0.0, None)
    p = r**_STRIKE_K * np.exp(_STRIKE_K * (1.0 - r))
    return np.clip((p - _STRIKE_FLOOR) / (1.0 - _STRIKE_FLOOR), 0.0, None)


def _strike_support() -> float:
    """How long a strike lasts, from onset until it has fallen below its floor (× τ)."""
    r = np.linspace(1.0, 8.0, 1401)
    p = r**_STRIKE_K * np.exp(_STRIKE_K * (1.0 - r))
    return float(r[np.argmax(p < _STRIKE_FLOOR)])


def _region_mask(prof: GloveProfile, names: tuple[str, ...]) -> np.ndarray:
    return np.array([r in names for r in prof.regions])


# ----------------------------------------------------------------------------------
# clean strokes
# ----------------------------------------------------------------------------------


def _tapotement(
    st: dict, d_f: float, jd: float, force: float, rng: np.random.Generator, prof: GloveProfile
) -> np.ndarray:
    fs = float(prof.sample_rate_hz)
    n_s = st["strikes"]
    cv_i, cv_w, cv_h = st["cv"]
    mean_gap = d_f * jd / st["rate"]
    # gamma-distributed intervals (shape 1/cv²), log-normal widths and heights
    gaps = rng.gamma(1.0 / cv_i**2, mean_gap * cv_i**2, n_s - 1)
    widths = st["width"] * np.exp(cv_w * rng.standard_normal(n_s))
    trend = 1.0 + st["trend"] * (np.linspace(0.0, 1.0, n_s) - 0.5)
    heights = np.clip(trend * np.exp(cv_h * rng.standard_normal(n_s)), 0.7, 1.3)
    taus = widths / _STRIKE_FWHM
    onsets = 0.015 + np.concatenate([[0.0], np.cumsum(gaps)])
    length = onsets[-1] + taus[-1] * _strike_support() + 0.02
    t = np.arange(round(length * fs)) / fs
    u = (t[None, :] - onsets[:, None]) / taus[:, None]
    pulses = heights[:, None] * _strike(u)
    base = gen._share_vector(prof, st["shares"])
    per = base[None, :] * np.exp(0.1 * rng.standard_normal((n_s, base.size)))
    per /= per.sum(axis=1, keepdims=True)  # each strike lands a little differently
    return force * pulses.T @ per


def clean_stroke(
    technique: str, style: int, rng: np.random.Generator, prof: GloveProfile
) -> np.ndarray:
    """One clean family-C stroke ``(n, channels)`` newtons (not yet clipped)."""
    fs = float(prof.sample_rate_hz)
    st = _STYLES[technique][style]
    d_f, f_f = _STYLE_DF[style]
    jd, jf = np.clip(np.exp(0.015 * rng.standard_normal(2)), 0.97, 1.03)
    force = gen._BASE[technique][1] * f_f * jf
    if technique == "tapotement":
        return _tapotement(st, d_f, float(jd), force, rng, prof)
    dur = gen._BASE[technique][0] * d_f * jd
    s = np.linspace(0.0, 1.0, round(dur * fs))  # contact to lift-off
    t = s * dur
    env = _envelope(s, st, rng)
    if technique == "effleurage":
        a, b = _jittered_shares(prof, st["land"], rng), _jittered_shares(prof, st["leave"], rng)
        lo, hi = st["roll"]
        r = _smoothstep(s, lo + rng.uniform(-0.04, 0.04), hi + rng.uniform(-0.04, 0.04))
        w = (1.0 - r)[:, None] * a[None, :] + r[:, None] * b[None, :]
        return force * env[:, None] * w
    if technique == "petrissage":
        a = _jittered_shares(prof, st["thumb"], rng)
        b = _jittered_shares(prof, st["fingers"], rng)
        phase = st["phase"] + rng.uniform(-0.3, 0.3)
        cycles = st["cycles"] * rng.uniform(0.95, 1.05)
        r = 0.5 + 0.4 * np.cos(2 * np.pi * cycles * s + phase)  # thumb-led share
        w = r[:, None] * a[None, :] + (1.0 - r)[:, None] * b[None, :]
        return force * env[:, None] * w
    # friction: the oscillation's frequency drifts linearly within the stroke
    f0 = st["f0"] + rng.uniform(-0.3, 0.3)
    drift = st["drift"] * rng.uniform(0.5, 1.5)
    phi = 2 * np.pi * (f0 * t + 0.5 * drift * t * t / dur) + rng.uniform(0, 2 * np.pi)
    total = env * (1.0 + st["depth"] * np.sin(phi))
    base = _jittered_shares(prof, st["base"], rng)
    thumb = _region_mask(prof, ("thumb",))
    tips = _region_mask(prof, ("index", "middle"))
    rock = st["rock"] * np.sin(phi + 0.5 * np.pi)  # thumb share <-> index and middle
    w = np.repeat(base[None, :], t.size, axis=0)
    w[:, thumb] += rock[:, None] / thumb.sum()
    w[:, tips] -= rock[:, None] * base[tips][None, :] / base[tips].sum()
    return force * total[:, None] * np.clip(w, 0.0, None)


# ----------------------------------------------------------------------------------
# errors
# ----------------------------------------------------------------------------------


def _time_map(m: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """A smooth, monotone, non-uniform map of ``m`` output samples onto ``[0, n − 1]``.

    The local stretch varies by ±10–25 % around the mean (``m / n``): the student
    hurries or lingers in parts of the stroke; the ends map onto the ends.
    """
    v = np.linspace(0.0, 1.0, m)
    return (n - 1.0) * _warp(v, rng)


def _warp(v: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A monotone map of ``[0, 1]`` onto itself, never the identity: slope 1 ± 0.09–0.23."""
    a = rng.choice((-1.0, 1.0)) * rng.uniform(0.06, 0.15)  # hurrying, or lingering, late
    b = rng.choice((-1.0, 1.0)) * rng.uniform(0.03, 0.08)  # a mid-stroke surge or hold
    return v + a * v * (1.0 - v) + b * np.sin(2 * np.pi * v) / (2 * np.pi)


def _resample(x: np.ndarray, src: np.ndarray) -> np.ndarray:
    grid = np.arange(x.shape[0], dtype=float)
    return np.stack([np.interp(src, grid, x[:, c]) for c in range(x.shape[1])], axis=1)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def _retime_strikes(x: np.ndarray, factor: float, rng: np.random.Generator) -> np.ndarray | None:
    """Percussion played faster / slower: onsets retimed, each strike's contact time
    scaled by only ``√factor``; the whole burst lasts ``factor`` × as long."""
    n = x.shape[0]
    total = x.sum(axis=1)
    segs = _runs(total > 0.02 * total.max())
    if len(segs) < 3:
        return None
    w = math.sqrt(factor)
    m = max(round(n * factor), 3)
    lead = round(segs[0][0] * factor)
    tail = round((n - segs[-1][1]) * factor)
    last_len = max(round((segs[-1][1] - segs[-1][0]) * w), 2)
    span_new = m - lead - tail - last_len
    span_old = segs[-1][0] - segs[0][0]
    if span_new <= 0:
        return None
    rel = np.array([(a - segs[0][0]) / span_old for a, _ in segs])
    starts = lead + np.round(_warp(rel, rng) * span_new).astype(int)
    out = np.zeros((m, x.shape[1]))
    for (a0, a1), s0 in zip(segs, starts, strict=True):
        k = max(round((a1 - a0) * w), 2)
        k = min(k, m - s0)
        seg = _resample(x[a0:a1], np.linspace(0.0, a1 - a0 - 1.0, k))
        out[s0 : s0 + k] += seg
    return out


def _phase_gain(
    n: int, span: tuple[int, int], phase: str, factor: float, rng: np.random.Generator, fs: float
) -> np.ndarray:
    """Gain ``factor`` over most (75–90 %) of one third, logistic edges (15–30 ms)."""
    i0, i1 = span
    third = (i1 - i0) / 3.0
    cover = rng.uniform(0.75, 0.90) * third
    tau = min(rng.uniform(0.015, 0.030) * fs, 0.12 * third)
    t = np.arange(n, dtype=float)

    def up(c: float) -> np.ndarray:
        return 0.5 * (1.0 + np.tanh((t - c) / (2.0 * tau)))  # logistic step at c

    if phase == "start":
        win = 1.0 - up(i0 + cover)
    elif phase == "end":
        win = up(i1 - cover)
    else:
        mid = i0 + 1.5 * third + rng.uniform(-0.05, 0.05) * third
        win = up(mid - cover / 2) * (1.0 - up(mid + cover / 2))
    return 1.0 + (factor - 1.0) * win


def _natural_release(x: np.ndarray, cut: int, rel: float, prof: GloveProfile) -> np.ndarray:
    """``x`` up to ``cut``, then the hand lifts over ``rel`` samples (fingers first)."""
    scale = np.array(
        [0.8 if r in _FINGERS else 1.25 if r == "palm_heel" else 1.0 for r in prof.regions]
    )
    lens = np.maximum(np.round(rel * scale), 2.0)
    size = int(lens.max())
    s = np.clip(np.arange(size, dtype=float)[:, None] / lens[None, :], 0.0, 1.0)
    fall = (1.0 - s**1.5) ** 2  # smooth start and end, front-loaded
    out = np.zeros((cut + size + 1, x.shape[1]))
    out[:cut] = x[:cut]
    out[cut : cut + size] = x[cut - 1][None, :] * fall
    return out


def inject(
    x: np.ndarray,
    kind: str,
    magnitude: float,
    rng: np.random.Generator,
    prof: GloveProfile,
    technique: str,
) -> np.ndarray:
    """Family C's injection of one error (kinds and magnitudes of ``ERROR_LEVELS``)."""
    fs = float(prof.sample_rate_hz)
    n = x.shape[0]
    total = x.sum(axis=1)
    span = gen._loaded_span(x)
    t = np.arange(n) / fs
    if kind in ("light_uniform", "heavy_uniform"):
        # a level that wanders a little (±5 %); its load-weighted mean is the factor
        g = 1.0 + 0.05 * np.sin(2 * np.pi * rng.uniform(0.5, 1.2) * t + rng.uniform(0, 6.3))
        g *= magnitude * total.sum() / (g * total).sum()
        return x * g[:, None]
    if kind.startswith(("light_", "heavy_")):
        phase = kind.split("_", 1)[1]
        return x * _phase_gain(n, span, phase, magnitude, rng, fs)[:, None]
    if kind in ("fast", "slow"):
        if technique == "tapotement":
            out = _retime_strikes(x, magnitude, rng)
            if out is not None:
                return out
        m = max(round(n * magnitude), 3)
        return _resample(x, _time_map(m, n, rng))
    if kind == "tremor":
        f0 = rng.uniform(6.0, 10.0)
        freq = np.clip(f0 + 0.4 * np.sin(2 * np.pi * 0.6 * t + rng.uniform(0, 6.3)), 6.0, 10.0)
        phi = 2 * np.pi * np.cumsum(freq) / fs + rng.uniform(0, 2 * np.pi)
        am = 1.0 + 0.3 * np.sin(2 * np.pi * rng.uniform(0.8, 2.0) * t + rng.uniform(0, 6.3))
        env = np.sqrt(np.clip(total / total.max(), 0.0, 1.0))  # tremor grows with force
        return gen._distribute(x, magnitude * am * np.sin(phi) * env)
    if kind == "jerks":
        i0, i1 = span
        loaded = np.flatnonzero(total >= 0.5 * total.max())
        first = rng.uniform(0.25, 0.42)
        places = (first, first + rng.uniform(0.2, 0.33))
        sigma = rng.uniform(0.012, 0.020) * fs
        idx = np.arange(n, dtype=float)
        delta = np.zeros(n)
        for sign, place in zip((1.0, -1.0), rng.permutation(places), strict=True):
            want = i0 + place * (i1 - i0)
            c = loaded[np.argmin(np.abs(loaded - want))]  # a moment the hand is loaded
            u = (idx - c) / sigma
            jolt = -u * np.exp(0.5 - 0.5 * u * u)  # push then catch, peaks ±1
            delta += sign * magnitude * total.max() * jolt
        return gen._distribute(x, delta)
    if kind == "load_shift":
        i0, i1 = span
        s = np.clip((np.arange(n) - i0) / max(i1 - i0, 1), 0.0, 1.0)
        frac = magnitude * (0.7 + 0.6 * s)  # grows through the stroke, mean = magnitude
        target = _region_mask(prof, _SHIFT_TARGET[technique])
        donors = np.where(target[None, :], 0.0, x**2)
        dsum = donors.sum(axis=1, keepdims=True)
        take = np.where(dsum > 0, donors / np.where(dsum > 0, dsum, 1.0), 0.0)
        take = np.minimum(take * (frac * total)[:, None], x * ~target[None, :])
        out = x - take
        out[:, target] += take.sum(axis=1, keepdims=True) / target.sum()
        return out
    if kind == "partial":
        i0, i1 = span
        cut = i0 + round(magnitude * (i1 - i0))
        if technique == "tapotement":  # the strike in progress is finished
            quiet = np.flatnonzero(total[cut:] < 0.02 * total.max())
            if quiet.size:
                end = cut + int(quiet[0])
                return _natural_release(x, max(end, 1), 0.01 * fs, prof)
        rel = rng.uniform(0.10, 0.18) * (i1 - i0)  # a short release; no figure
        return _natural_release(x, max(cut, 1), rel, prof)
    raise ValueError(f"unknown error kind {kind!r}")


# ----------------------------------------------------------------------------------
# non-strokes and the sensor model
# ----------------------------------------------------------------------------------


def non_stroke(
    kind: str, technique: str, rng: np.random.Generator, prof: GloveProfile
) -> tuple[np.ndarray, str]:
    """Family C's non-stroke events (same kinds and meaning as family A's).

    ``noise``: 2.5 s of band-limited (≤ 6 Hz) fluctuation, 0.4 N sd per sensor, rectified
    (a glove handled off the body); ``rest``: a resting hand, 2.4–3.6 N on the heel, palm
    and ulnar edge for ~2.5 s, its weight rolling slowly between them; ``touches``: four
    light touches (2–5 N, 0.12–0.45 s, gamma-shaped), each rolling from one fingertip onto
    its neighbour; ``other_technique``: a clean family-C stroke of another technique.
    """
    fs = float(prof.sample_rate_hz)
    ch = len(prof.sensors)
    if kind == "noise":
        n = int(2.5 * fs)
        b, a = signal.butter(2, 6.0 / (fs / 2))
        e = signal.lfilter(b, a, rng.standard_normal((n + 100, ch)), axis=0)[100:]
        return np.clip(0.4 * e / e.std(axis=0, keepdims=True), 0.0, None), "none"
    if kind == "rest":
        dur = rng.uniform(2.3, 2.7)
        t = np.arange(int(dur * fs)) / fs
        knots = np.array([0.0, 0.12, 0.3, 0.6, 0.85, 1.0])
        vals = np.array([0.0, 0.9, 1.0, 0.97, 0.85, 0.0])
        level = rng.uniform(2.4, 3.6) * _pchip(t / dur, knots, vals)
        a = gen._share_vector(prof, {"palm_heel": 0.55, "palm": 0.35, "little": 0.1})
        b = gen._share_vector(prof, {"palm_heel": 0.35, "palm": 0.45, "little": 0.2})
        r = 0.5 + 0.5 * np.sin(2 * np.pi * rng.uniform(0.2, 0.4) * t + rng.uniform(0, 6.3))
        w = (1.0 - r)[:, None] * a[None, :] + r[:, None] * b[None, :]
        return level[:, None] * w, "none"
    if kind == "touches":
        pieces = []
        for _ in range(4):
            width = rng.uniform(0.12, 0.45)  # contact time
            tau = width / (_strike_support() + 0.01)
            t = np.arange(int(width * fs)) / fs
            bump = rng.uniform(2.0, 5.0) * _strike(t / tau)
            c = int(rng.integers(3, ch))  # a fingertip (index .. little)
            nb = c - 1 if c == ch - 1 or rng.random() < 0.5 else c + 1
            roll = _smoothstep(t / t[-1], 0.2, 0.8)
            piece = np.zeros((t.size, ch))
            piece[:, c] = bump * (1.0 - roll)
            piece[:, nb] += bump * roll
            pieces += [piece, np.zeros((int(rng.uniform(0.2, 0.5) * fs), ch))]
        return np.concatenate(pieces[:-1]), "none"
    if kind == "other_technique":
        others = [t for t in gen.TECHNIQUES if t != technique]
        other = others[int(rng.integers(len(others)))]
        x = clean_stroke(other, int(rng.integers(3)), rng, prof)
        return np.clip(x, 0.0, None), other
    raise ValueError(f"unknown non-stroke kind {kind!r}")


def sensor_model(clean: np.ndarray, rng: np.random.Generator, prof: GloveProfile) -> np.ndarray:
    """What an FSR-like glove reads for the true forces ``clean`` ``(n, channels)`` N.

    All imperfections are mild and our own choices (no figure for any). The FSR 402's
    ±10 % part-to-part spread (``docs/evidence.md``) is why each sensor is calibrated; we
    assume up to ±5 % of it remains.
    """
    fs = float(prof.sample_rate_hz)
    n, ch = int(clean.shape[0]), int(clean.shape[1])
    sat = np.asarray(prof.saturation_n, dtype=float)
    f = np.clip(clean, 0.0, None) * rng.uniform(0.95, 1.05, ch)[None, :]  # gain ±5 %
    # residual non-linearity of the calibration: a power law around 10 N
    gamma = rng.uniform(0.97, 1.0, ch)
    f = 10.0 * (f / 10.0) ** gamma[None, :]
    # hysteresis: reading high while unloading from a peak (closes at zero force); the
    # peak holds with a 0.5 s decay, m_i = max_j≤i f_j · d^(i−j), in the log domain
    ln_d = -1.0 / (0.5 * fs)
    i = np.arange(n, dtype=float)[:, None]
    log_m = i * ln_d + np.maximum.accumulate(np.log(f + 1e-9) - i * ln_d, axis=0)
    peak = np.exp(log_m)
    eta = rng.uniform(0.03, 0.05, ch)
    f = f * (1.0 + eta[None, :] * (1.0 - f / np.maximum(peak, 1e-9)))
    # creep: up to +2 % after a few seconds under load
    loaded = (f > 0.5).astype(float)
    alpha = 1.0 / (3.0 * fs)
    held = signal.lfilter([alpha], [1.0, alpha - 1.0], loaded, axis=0)
    f = f * (1.0 + rng.uniform(0.0, 0.02, ch)[None, :] * held)
    # a slowly creeping baseline and white noise
    t = np.arange(n) / fs
    base = (
        rng.uniform(0.0, 0.02, ch)[None, :]
        + rng.uniform(0.0, 0.004, ch)[None, :] * t[:, None]
        + 0.01 * np.sin(2 * np.pi * t[:, None] / rng.uniform(8.0, 30.0, ch) + rng.uniform(0, 6.3))
    )
    f = f + base + rng.uniform(0.015, 0.03, ch)[None, :] * rng.standard_normal((n, ch))
    # occasional glitches (about one of each per 4 s): a small spike on one sensor ...
    secs = n / fs
    k = int(rng.poisson(secs / 4.0))
    rows, cols = rng.integers(0, n, k), rng.integers(0, ch, k)
    f[rows, cols] += rng.choice((-1.0, 1.0), k) * rng.uniform(0.2, 0.6, k)
    # ... quantisation to 10-12 bits over the sensor's range ...
    step = sat / (2.0 ** int(rng.integers(10, 13)) - 1.0)
    f = np.round(np.clip(f, 0.0, sat[None, :]) / step[None, :]) * step[None, :]
    # ... and a lost sample, filled with the one before it
    lost = np.sort(rng.integers(1, max(n, 2), int(rng.poisson(secs / 4.0))))
    if n > 1:
        f[lost] = f[lost - 1]
    return f
