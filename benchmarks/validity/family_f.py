"""Family F: neuromuscular drive through muscle dynamics, a resistive FSR sensor.

Written without reading families A–E's stroke, error or sensor code (only the contract of
:mod:`~benchmarks.validity.generators` and the signatures of ``family_e``'s public
functions) and without reading the scoring, so the benchmark has one more check on
strokes the scoring was not tuned on.

**Strokes.** A performer does not set forces; the nervous system sends a *drive* to the
muscles of each hand region and the force is what the muscles make of it:

* each region's drive is **piecewise linear** (knots per technique and style), with an
  optional *pulse-step* at landing — a brief overshoot of the drive above the level to be
  held, the classic way a controller speeds up a sluggish plant;
* the drive passes through a **critically damped second-order twitch filter**
  ``H(s) = 1 / (τs + 1)²`` (two first-order lags; impulse response ``t/τ² · e^(−t/τ)``,
  time to peak τ = 30 ms — a muscle twitch of tens of ms, no figure), identical for every
  region and unit gain at rest, so a steady drive of *F* newtons holds *F* newtons;
* **signal-dependent noise** (Harris & Wolpert 1998: the noise of a motor command grows
  in proportion to the command): the drive is multiplied by ``1 + 0.1·η``, η white and
  Gaussian per region (0.1 no figure); after the twitch filter this is about a 2 %
  fluctuation of each region's force;
* a small **physiological tremor** baseline, 0.3 % of the force at 8–12 Hz (no figure),
  far below the smallest tremor error (0.5 N);
* a pressed stroke ends when the **hand lifts**: once the force is below 10 % of its peak
  the contact is lost over 50 ms (no figure), so the arm, not the muscle's slow
  relaxation, ends it at exactly 0 N; a strike ends by rebounding (its tail is cut below
  1 % of the peak).

Techniques (peaks from ``docs/evidence.md``; others marked as choices):

* *effleurage* — one long glide (~0.85 s loaded; Ryason 2009: 40–50 strokes/min, with
  :func:`~benchmarks.validity.generators.rest_range_s`'s rests): the palm heel lands first
  and hands its load to the palm and the fingers as the hand glides; ~16 N peak (Chen et
  al. 2022: "high" ≥ 19.6 N, Haas et al. 2012: deep effleurage 10 N — between the two);
* *petrissage* — two kneading squeezes (~0.5 s each, no figure): a thumb-led squeeze,
  a partial release, a finger-led squeeze; ~13 N (no figure; below effleurage, Mickelwright
  et al. 2006's order);
* *friction* — a short deep stroke (~0.5 s loaded, 60–70 strokes/min, Ryason 2009) on
  the thumb (~25 N: ≈ 195 kPa on its 126.7 mm², near Chaves et al. 2020's 227 kPa) and
  the index and middle fingers, ~45 N in all; the load rocks transversely between thumb
  and fingers at ~3.5 Hz (no figure) with the total unchanged;
* *tapotement* — a hacking burst of 7 strikes at 5.9–6.15 strikes/s (inside McKechnie,
  Young & Behm 2007's 4–10/s); each strike is a brief (11 ms) drive pulse through a
  fast critically damped response (τ = 8 ms, chosen so a contact lasts ~45 ms, the
  crisp strikes of issue 13; no figure), ~7 N on the ulnar fingers (no figure; lightest
  of the four, Mickelwright et al. 2006).

Three styles per technique differ in ramp time, pulse-step, when and how far the load
moves between regions, rocking or strike rate, ±3 % in duration and force; their
peak, loaded duration and mean force stay within ±5 % of each other and each region's
share within 0.05 (half the smallest error level), so every style is a competent one.
Each stroke varies a further ±3 % in duration and force, knots and levels by ~2 %.

**Errors** are applied to the *drive*: the net drive is recovered from the stroke exactly
(the discrete twitch filter is inverted sample by sample; the lift shows as a brief
negative drive, the arm pulling the hand off), edited, and run through the muscle again,
so the muscle shapes the result:

* uniform and third errors multiply the drive by the factor (for a third, over that third
  of the loaded span, borders moved earlier by the filter's 2τ delay, softened over 50 ms
  and widened by 12.5 ms + 0.15 τ, no figure): the third gets ~90 % of the factor's effect
  (~85 % in the short friction stroke) and its neighbours some, as the muscle smooths any
  change of drive over ~100 ms;
* tempo: a faster or slower performer — the drive is compressed or stretched in time (a
  tapotement burst: strike times moved, each strike's pulse kept), the muscle's τ is not,
  and the compression is solved so the *loaded duration* scales by the factor;
* tremor: a 6–10 Hz drive oscillation sized through the filter's gain so the total force
  oscillates by the stated newtons zero to peak, shared over the regions as the drive is;
  in tapotement it raises and lowers the strikes by that amount;
* jerks: one sudden push and one give of the drive, sized so the force rises and falls by
  the stated fraction of the peak (a give wider when a 40 ms one cannot reach it, since a
  drive cannot go below zero); in tapotement, one strike that much harder, one lighter;
* load_shift: the stated fraction of the total moved onto the region the stroke loads
  least, taken from the others in proportion; with identical linear dynamics per region
  this is the same at drive and at force level, and it is applied at force level so the
  total is unchanged exactly;
* partial: the stated fraction of the loaded span is performed, then the hand lifts: the
  drive stops and the contact is lost over 50 ms (no figure).

**Non-strokes**: band-limited (25 Hz) noise of 0.5 N sd per sensor, rectified; a resting
hand (~3 N on palm and heel through the muscle, with a slow drift; no figure); four
random light fingertip touches (2–5 N, 0.15–0.5 s); a clean stroke of another technique.

**Sensor model** — a resistive FSR read through a divider and a linear calibration:
a per-sensor power-law response ``F_c·(F/F_c)^β`` around the calibration point
F_c = 10 N (the top of the FSR 402's 0.1–10 N range) with β 0.96–1.04 (no figure);
a residual gain within ±2 % per sensor and recording (the FSR 402's repeatability, its
±10 % part-to-part spread calibrated out — Interlink datasheet); hysteresis (unloading
reads up to 4 % above loading, relative to the peak of the last 0.4 s; no figure); creep
(the reading drifts up to 3 % higher with a 2 s time constant while loaded; no figure);
electronic noise 0.02 N sd while loaded (no figure); nothing below the 0.1 N turn-on
force (FSR 402 datasheet) — an unloaded sensor reads exactly 0; saturation at the
profile's 90 N (Wang, Linders & Nuckley 2017) and the profile's count grid (0.002 N).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import maximum_filter1d
from scipy.signal import lfilter

from sensors.profiles import GloveProfile

__all__ = ["clean_stroke", "inject", "non_stroke", "sensor_model"]

TECHNIQUES = ("effleurage", "petrissage", "friction", "tapotement")

#: Twitch time constant τ (s) of the drive-to-force filter per technique. Muscles: tens of
#: ms (no figure); tapotement: the strike's contact response, chosen for ~45 ms contacts
#: (issue 13's crisp strikes; no figure).
_TAU_S = {"effleurage": 0.03, "petrissage": 0.03, "friction": 0.03, "tapotement": 0.008}
_SDN = 0.1  # signal-dependent noise: sd / drive (Harris & Wolpert 1998's law; no figure)
_PHYS_TREMOR = 0.003  # physiological tremor, fraction of the force; no figure
_PHYS_TREMOR_HZ = (8.0, 12.0)  # no figure
_END_N = 0.05  # a stroke ends when its total force falls below this (half of 0.1 N)
_END_FRAC = 0.01  # ... or below this fraction of its peak; no figure
_LOADED = 0.05  # loaded span: total force >= 5 % of the peak (our definition)
_EDGE_S = 0.05  # soft border of a third error; no figure
_JERK_S = 0.04  # width of a jerk's drive pulse; no figure
_LIFT_S = 0.05  # the hand losing contact as it lifts; no figure
_LIFT_AT = 0.1  # a pressed stroke's hand lifts once its force is below this of the peak; no figure

#: Peak total force, N: effleurage ~16 (Chen et al. 2022 / Haas et al. 2012), friction ~45
#: (Chaves et al. 2020 on the thumb), petrissage and tapotement no figure.
_PEAK_N = {"effleurage": 16.0, "petrissage": 13.0, "friction": 45.0, "tapotement": 7.0}

_FINGERS = ("index", "middle", "ring", "little")


# ----------------------------------------------------------------------------------
# muscle and channel helpers
# ----------------------------------------------------------------------------------


def _pole(technique: str, fs: float) -> float:
    """Pole ``a`` of each first-order lag of the twitch filter at rate ``fs``."""
    return math.exp(-1.0 / (fs * _TAU_S[technique]))


def _twitch(u: np.ndarray, a: float) -> np.ndarray:
    """Drive -> force: two cascaded first-order lags (critically damped, unit DC gain)."""
    b, den = [1.0 - a], [1.0, -a]
    return np.asarray(lfilter(b, den, lfilter(b, den, u, axis=0), axis=0))


def _untwitch(x: np.ndarray, a: float) -> np.ndarray:
    """Force -> drive: the exact inverse of :func:`_twitch` (from rest)."""
    b, den = [1.0, -a], [1.0 - a]
    return np.asarray(lfilter(b, den, lfilter(b, den, x, axis=0), axis=0))


def _gain_at(a: float, hz: float, fs: float) -> float:
    """Magnitude of the discrete twitch filter at ``hz``."""
    z = np.exp(-1j * 2.0 * math.pi * hz / fs)
    return float(abs((1.0 - a) / (1.0 - a * z)) ** 2)


def _delay(a: float) -> float:
    """Mean delay of the twitch filter, samples (2τ)."""
    return 2.0 * a / (1.0 - a)


def _weights(prof: GloveProfile) -> dict[str, np.ndarray]:
    """Channel weights of each hand region (a region's drive split over its sensors)."""
    regions = [s.region.value for s in prof.sensors]
    out = {}
    for r in set(regions):
        w = np.array([1.0 if q == r else 0.0 for q in regions])
        out[r] = w / w.sum()
    return out


def _channels(prof: GloveProfile, drives: dict[str, np.ndarray], n: int) -> np.ndarray:
    """Region drives ``{region: (n,)}`` -> channel drives ``(n, channels)``."""
    w = _weights(prof)
    u = np.zeros((n, len(prof.sensors)))
    for r, d in drives.items():
        if r in w:
            u += d[:, None] * w[r][None, :]
    return u


def _pw(t: np.ndarray, knots: list[tuple[float, float]]) -> np.ndarray:
    """Piecewise-linear drive through ``(time, level)`` knots (times made increasing)."""
    ts = np.maximum.accumulate(np.array([k[0] for k in knots]))
    return np.interp(t, ts, np.array([k[1] for k in knots]), left=0.0, right=0.0)


def _span(total: np.ndarray, frac: float = _LOADED) -> tuple[int, int]:
    """First and last sample (inclusive) where ``total`` is at least ``frac`` of its peak."""
    peak = float(total.max()) if total.size else 0.0
    if peak <= 0.0:
        return 0, max(0, total.size - 1)
    idx = np.flatnonzero(total >= frac * peak)
    return int(idx[0]), int(idx[-1])


def _trim(x: np.ndarray) -> np.ndarray:
    """Cut the filter's tail once the total is below 1 % of the peak (at least
    :data:`_END_N`; the remainder is below the sensors' turn-on force)."""
    total = x.sum(axis=1)
    above = np.flatnonzero(total >= max(_END_N, _END_FRAC * float(total.max(initial=0.0))))
    end = int(above[-1]) + 2 if above.size else 1
    return x[: min(end, x.shape[0])]


def _lift_gate(n: int, start: int, fs: float) -> np.ndarray:
    """1 until ``start``, then the contact lost over :data:`_LIFT_S` (raised cosine) to 0."""
    lift = max(2, round(_LIFT_S * fs))
    gate = np.ones(n)
    k = np.arange(max(0, n - start))
    gate[start:] = np.where(k < lift, 0.5 + 0.5 * np.cos(math.pi * k / lift), 0.0)
    return gate


def _lift(y: np.ndarray, fs: float) -> np.ndarray:
    """End a pressed stroke: once the force has fallen below :data:`_LIFT_AT` of its peak
    after the peak, the hand lifts (the arm, not the muscle, ends the contact)."""
    total = y.sum(axis=1)
    if not total.size or total.max() <= 0.0:
        return y[:1] * 0.0
    peak = int(np.argmax(total))
    below = np.flatnonzero(total[peak:] < _LIFT_AT * total[peak])
    start = peak + int(below[0]) if below.size else total.size - 1
    end = min(total.size, start + max(2, round(_LIFT_S * fs)) + 1)
    return y[:end] * _lift_gate(end, start, fs)[:, None]


def _run_muscle(u: np.ndarray, a: float, fs: float, technique: str) -> np.ndarray:
    """Force of drive ``u``: the muscle's tail let out, then the hand lifts (pressed
    strokes) or the tail is trimmed (strikes, which end by rebounding)."""
    pad = np.zeros((int(0.4 * fs), u.shape[1]))
    y = np.clip(_twitch(np.vstack([u, pad]), a), 0.0, None)
    return _trim(y) if technique == "tapotement" else _lift(y, fs)


def _motor_noise(u: np.ndarray, rng: np.random.Generator, fs: float) -> np.ndarray:
    """Signal-dependent noise and physiological tremor on a drive."""
    n = u.shape[0]
    t = np.arange(n) / fs
    hz = rng.uniform(*_PHYS_TREMOR_HZ)
    tremor = 1.0 + _PHYS_TREMOR * 4.0 * np.sin(2 * math.pi * hz * t + rng.uniform(0, 2 * math.pi))
    # ×4: about the twitch filter's attenuation at 8–12 Hz, so the force keeps ~0.3 %.
    noise = 1.0 + _SDN * rng.standard_normal(u.shape)
    return np.clip(u * noise * tremor[:, None], 0.0, None)


# ----------------------------------------------------------------------------------
# styles and clean strokes
# ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Style:
    """One performer's way of doing a technique (fractions of the stroke unless noted)."""

    dur: float  # duration factor
    force: float  # force factor
    ramp: float  # landing ramp
    release: float  # release ramp
    pulse: float  # pulse-step overshoot at landing, fraction of the level
    lead: float  # lead region's level factor (palm heel, thumb)
    follow: float  # following regions' level factor (fingers)
    move: float  # when the load has moved (effleurage) / squeeze timing shift (petrissage)
    rate: float  # friction rocking Hz; tapotement strikes/s
    width_s: float  # tapotement drive pulse width, s


# All no figure: three competent ways, kept within ±5 % and 0.05 share of each other.
_STYLES: dict[str, tuple[_Style, _Style, _Style]] = {
    "effleurage": (
        _Style(1.00, 1.00, 0.16, 0.16, 0.00, 1.00, 1.00, 0.78, 0.0, 0.0),
        _Style(1.03, 0.98, 0.13, 0.14, 0.08, 1.04, 0.96, 0.80, 0.0, 0.0),
        _Style(0.97, 1.02, 0.19, 0.18, 0.00, 0.97, 1.04, 0.75, 0.0, 0.0),
    ),
    "petrissage": (
        _Style(1.00, 1.00, 0.12, 0.12, 0.00, 1.00, 1.00, 0.00, 0.0, 0.0),
        _Style(1.03, 0.98, 0.10, 0.11, 0.06, 1.04, 0.97, 0.02, 0.0, 0.0),
        _Style(0.97, 1.02, 0.14, 0.13, 0.00, 0.97, 1.04, -0.02, 0.0, 0.0),
    ),
    "friction": (
        _Style(1.00, 1.00, 0.20, 0.16, 0.00, 1.00, 1.00, 0.0, 3.5, 0.0),
        _Style(1.03, 0.98, 0.16, 0.14, 0.08, 1.03, 0.97, 0.0, 3.3, 0.0),
        _Style(0.97, 1.02, 0.24, 0.18, 0.00, 0.97, 1.03, 0.0, 3.7, 0.0),
    ),
    "tapotement": (  # a burst's duration follows from its strike rate
        _Style(1.00, 1.00, 0.0, 0.0, 0.0, 1.00, 1.00, 0.0, 6.00, 0.011),
        _Style(1.00, 0.98, 0.0, 0.0, 0.0, 1.05, 0.95, 0.0, 6.15, 0.011),
        _Style(1.00, 1.02, 0.0, 0.0, 0.0, 0.95, 1.05, 0.0, 5.88, 0.011),
    ),
}

#: Command duration, s, before the style's and the stroke's duration factors (the muscle's
#: lag adds ~50 ms of loaded time): effleurage ~0.85 s loaded, friction ~0.5 s
#: (Ryason 2009's rates with rest_range_s), petrissage two ~0.5 s squeezes (no figure).
_CMD_S = {"effleurage": 0.79, "petrissage": 0.90, "friction": 0.41}

#: Finger split of a "fingers" drive (no figure).
_FINGER_SPLIT = {
    "effleurage": (0.30, 0.32, 0.24, 0.14),
    "petrissage": (0.30, 0.30, 0.25, 0.15),
}


def _j(rng: np.random.Generator, sd: float = 0.02) -> float:
    """A stroke-to-stroke factor near 1 (sd ``sd``; no figure)."""
    return float(1.0 + sd * rng.standard_normal())


def _fingers(technique: str, level: np.ndarray) -> dict[str, np.ndarray]:
    return {f: level * w for f, w in zip(_FINGERS, _FINGER_SPLIT[technique], strict=True)}


def _effleurage(s: _Style, t: np.ndarray, T: float, rng: np.random.Generator):
    r, q, p = s.ramp * T, s.release * T, s.pulse
    h = 0.52 * s.lead * _j(rng)
    fg = s.follow * _j(rng)
    tau = _TAU_S["effleurage"]
    heel = _pw(
        t,
        [
            (0, 0),
            (r, h * (1 + p)),
            (r + 2 * tau, h),
            (0.45 * T * _j(rng), 0.86 * h),
            (s.move * T * _j(rng), 0.42 * h),
            (T - q, 0.28 * h),
            (T, 0),
        ],
    )
    palm = _pw(
        t, [(0, 0), (r, 0.22 * _j(rng)), (0.5 * T, 0.32), (0.85 * T, 0.33), (T - q, 0.3), (T, 0)]
    )
    thumb = _pw(t, [(0, 0), (r, 0.03), (T - q, 0.04), (T, 0)])
    fingers = _pw(
        t,
        [
            (0, 0),
            (r + 0.05 * T, 0.06 * fg),
            (0.55 * T * _j(rng), 0.22 * fg),
            (0.85 * T, 0.36 * fg),
            (T - q, 0.34 * fg),
            (T, 0),
        ],
    )
    return {"palm_heel": heel, "palm": palm, "thumb": thumb, **_fingers("effleurage", fingers)}


def _petrissage(s: _Style, t: np.ndarray, T: float, rng: np.random.Generator):
    r, q, p, m = s.ramp * T, s.release * T, s.pulse, s.move
    tg, fg = s.lead * _j(rng), s.follow * _j(rng)
    k1, k2 = (0.27 + m) * T * _j(rng, 0.01), (0.78 + m) * T * _j(rng, 0.01)
    thumb = _pw(
        t,
        [
            (0, 0),
            (r, 0.42 * tg * (1 + p)),
            (k1, 0.50 * tg),
            (0.48 * T, 0.22 * tg),
            (0.62 * T, 0.26 * tg),
            (k2, 0.32 * tg),
            (T - q, 0.2 * tg),
            (T, 0),
        ],
    )
    fingers = _pw(
        t,
        [
            (0, 0),
            (r, 0.22 * fg * (1 + p)),
            (k1, 0.30 * fg),
            (0.48 * T, 0.17 * fg),
            (0.62 * T, 0.42 * fg),
            (k2, 0.50 * fg),
            (T - q, 0.30 * fg),
            (T, 0),
        ],
    )
    palm = _pw(t, [(0, 0), (r, 0.12 * _j(rng)), (T - q, 0.12), (T, 0)])
    heel = _pw(t, [(0, 0), (r, 0.03), (T - q, 0.03), (T, 0)])
    return {"thumb": thumb, "palm": palm, "palm_heel": heel, **_fingers("petrissage", fingers)}


def _friction(s: _Style, t: np.ndarray, T: float, rng: np.random.Generator):
    r, q, p = s.ramp * T, s.release * T, s.pulse
    env = _pw(t, [(0, 0), (r, 1 + p), (r + 0.08 * T, 1.0), (T - q, 1.0), (T, 0)])
    th = 0.55 * s.lead * _j(rng)
    ix, mi = 0.22 * s.follow * _j(rng), 0.15 * s.follow * _j(rng)
    rock = 0.15 * np.sin(2 * math.pi * s.rate * _j(rng) * t + rng.uniform(0, 2 * math.pi))
    # the to-and-fro: what the thumb gains the index and middle fingers give up
    give = 1.0 - rock * th / (ix + mi)
    return {
        "thumb": env * th * (1 + rock),
        "index": env * ix * give,
        "middle": env * mi * give,
        "palm": env * 0.05,
        "ring": env * 0.03,
    }


#: Tapotement: share of each strike per region (ulnar fingers; no figure).
_TAP_SHARES = {
    "little": 0.38,
    "ring": 0.30,
    "middle": 0.14,
    "palm": 0.08,
    "palm_heel": 0.07,
    "index": 0.03,
}
_TAP_STRIKES = 7  # no figure


def _pulse(width_s: float, fs: float) -> np.ndarray:
    """A half-sine drive pulse of ``width_s`` seconds sampled at ``fs`` (at least 2 samples)."""
    k = max(2, round(width_s * fs) + 1)
    return np.sin(math.pi * (np.arange(k) + 0.5) / k)


def _tapotement(s: _Style, rng: np.random.Generator, prof: GloveProfile, force: float):
    fs = float(prof.sample_rate_hz)
    a = _pole("tapotement", fs)
    pulse = _pulse(s.width_s, fs)
    unit = _twitch(np.concatenate([pulse, np.zeros(40)])[:, None], a).max()
    rate = s.rate * _j(rng, 0.015)
    onsets = [1.0]
    for _ in range(_TAP_STRIKES - 1):
        onsets.append(onsets[-1] + fs / rate * _j(rng, 0.04))  # interval jitter; no figure
    n = int(onsets[-1]) + pulse.size + 2
    w = _weights(prof)
    u = np.zeros((n, len(prof.sensors)))
    base = {
        r: v * (s.lead if r in ("little", "ring") else s.follow) for r, v in _TAP_SHARES.items()
    }
    for on in onsets:
        height = _PEAK_N["tapotement"] * force * _j(rng, 0.06) / unit  # no figure
        shares = {r: max(0.0, v + 0.01 * rng.standard_normal()) for r, v in base.items()}
        tot = sum(shares.values())
        i = round(on)
        for r, v in shares.items():
            if r in w:
                u[i : i + pulse.size] += (height * v / tot * pulse)[:, None] * w[r][None, :]
    return u


def clean_stroke(
    technique: str, style: int, rng: np.random.Generator, prof: GloveProfile
) -> np.ndarray:
    """One clean stroke: a style's drive through the muscle's twitch filter.

    Parameters
    ----------
    technique : str
        effleurage, petrissage, friction or tapotement.
    style : int
        Performer style, 0–2.
    rng : numpy.random.Generator
        Random source (stroke-to-stroke variation, motor noise).
    prof : GloveProfile
        Glove profile: regions, sensor positions, sample rate.

    Returns
    -------
    numpy.ndarray
        ``(n, channels)`` true force, N, at the profile's rate; 0 N at the start and, once
        the hand has lifted, at the end (a tapotement burst: below 1 % of its peak).
    """
    fs = float(prof.sample_rate_hz)
    s = _STYLES[technique][style]
    a = _pole(technique, fs)
    force = s.force * rng.uniform(0.97, 1.03)
    if technique == "tapotement":
        u = _tapotement(s, rng, prof, force)
        return _run_muscle(_motor_noise(u, rng, fs), a, fs, technique)
    T = _CMD_S[technique] * s.dur * rng.uniform(0.97, 1.03)
    n = int(T * fs) + 1
    t = np.arange(n) / fs
    maker = {"effleurage": _effleurage, "petrissage": _petrissage, "friction": _friction}
    u = _channels(prof, maker[technique](s, t, T, rng), n)
    u[0] = 0.0
    peak = _twitch(np.vstack([u, np.zeros((int(0.2 * fs), u.shape[1]))]), a).sum(axis=1).max()
    u *= _PEAK_N[technique] * force / peak
    return _run_muscle(_motor_noise(u, rng, fs), a, fs, technique)


# ----------------------------------------------------------------------------------
# errors
# ----------------------------------------------------------------------------------


def _third_window(n: int, lo: float, hi: float, fs: float) -> np.ndarray:
    """1 between samples ``lo`` and ``hi``, raised-cosine borders of :data:`_EDGE_S`."""
    i = np.arange(n, dtype=float)
    half = _EDGE_S * fs / 2.0

    def step(c: float) -> np.ndarray:  # 0 before c, 1 after, smooth over ±half
        z = np.clip((i - c + half) / (2 * half), 0.0, 1.0)
        return 0.5 - 0.5 * np.cos(math.pi * z)

    return step(lo) * (1.0 - step(hi))


def _strikes(total_u: np.ndarray) -> list[tuple[int, int]]:
    """Runs ``[a, b)`` of a tapotement drive (each strike's pulse)."""
    on = total_u > 1e-6 * max(float(total_u.max()), 1e-12)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], on.astype(int), [0]])))
    return [(int(edges[k]), int(edges[k + 1])) for k in range(0, len(edges), 2)]


def _retime(u: np.ndarray, f: float, technique: str) -> np.ndarray:
    """The drive performed ``f`` times as long (strikes moved, each pulse kept)."""
    total = u.sum(axis=1)
    if technique == "tapotement":
        runs = _strikes(total)
        c0 = runs[0][0]
        moved = [(c0 + round((a - c0) * f), a, b) for a, b in runs]
        out = np.zeros((moved[-1][0] + (moved[-1][2] - moved[-1][1]) + 1, u.shape[1]))
        for new, a, b in moved:
            out[new : new + b - a] += u[a:b]
        return out
    nz = np.flatnonzero(np.abs(total) > 1e-9 * float(np.abs(total).max()))
    c0, c1 = int(nz[0]), int(nz[-1])
    length = c1 - c0 + 1
    new_len = max(3, round(length * f))
    pos = np.linspace(0.0, length - 1.0, new_len)
    src = np.arange(length, dtype=float)
    out = np.zeros((c0 + new_len + 1, u.shape[1]))
    for c in range(u.shape[1]):
        out[c0 : c0 + new_len, c] = np.interp(pos, src, u[c0 : c1 + 1, c])
    return out


def _tempo(x: np.ndarray, u: np.ndarray, f: float, technique: str, a: float, fs: float):
    """Solve the drive's time factor so the loaded duration scales by ``f``."""
    s0, s1 = _span(x.sum(axis=1))
    target = f * (s1 - s0)
    g, best = f, None
    for _ in range(6):
        y = _run_muscle(_retime(u, g, technique), a, fs, technique)
        y0, y1 = _span(y.sum(axis=1))
        err = abs((y1 - y0) - target)
        if best is None or err < best[0]:
            best = (err, y)
        if err < 0.5:
            break
        g *= target / max(y1 - y0, 1)
    assert best is not None
    return best[1]


def _tremor(u: np.ndarray, x: np.ndarray, amp: float, technique, a, fs, rng) -> np.ndarray:
    hz = rng.uniform(6.0, 10.0)
    phase = rng.uniform(0.0, 2.0 * math.pi)
    n = u.shape[0]
    total = u.sum(axis=1)
    if technique == "tapotement":
        out = u.copy()
        xt = x.sum(axis=1)
        for lo, hi in _strikes(total):
            peak = float(xt[lo : min(n, hi + 12)].max())
            t_mid = (lo + hi) / 2.0 / fs
            want = max(peak + amp * math.sin(2 * math.pi * hz * t_mid + phase), 0.1 * peak)
            out[lo:hi] *= want / peak
        return out
    t = np.arange(n) / fs
    smooth = np.clip(np.convolve(total, np.ones(5) / 5.0, mode="same"), 0.0, None)
    env = np.clip(smooth / (0.3 * smooth.max()), 0.0, 1.0)
    share = np.divide(u, total[:, None], out=np.zeros_like(u), where=total[:, None] > 0)
    wave = amp / _gain_at(a, hz, fs) * np.sin(2 * math.pi * hz * t + phase) * env
    return u + wave[:, None] * share


def _bump(width: int, n: int, at: int) -> np.ndarray:
    """Raised-cosine bump of ``width`` samples centred at ``at`` in an ``n`` array."""
    out = np.zeros(n)
    k = np.arange(width)
    shape = 0.5 - 0.5 * np.cos(2 * math.pi * (k + 0.5) / width)
    i0 = at - width // 2
    lo, hi = max(0, i0), min(n, i0 + width)
    out[lo:hi] = shape[lo - i0 : hi - i0]
    return out


def _jerks(u: np.ndarray, x: np.ndarray, frac: float, technique, a, fs, rng) -> np.ndarray:
    total_x = x.sum(axis=1)
    peak = float(total_x.max())
    size = frac * peak
    n = u.shape[0]
    total = u.sum(axis=1)
    out = u.copy()
    if technique == "tapotement":
        runs = _strikes(total)
        k1, k2 = rng.choice(np.arange(1, len(runs) - 1), size=2, replace=False)
        for k, sign in ((k1, 1.0), (k2, -1.0)):
            lo, hi = runs[int(k)]
            p = float(total_x[lo : min(n, hi + 12)].max())
            out[lo:hi] *= max(p + sign * size, 0.05 * p) / p
        return out
    s0, s1 = _span(total_x)
    d = round(_delay(a))
    lo, hi = s0 + int(0.2 * (s1 - s0)) - d, s0 + int(0.8 * (s1 - s0)) - d
    gap = int(0.15 * fs)
    t1 = int(rng.integers(lo, hi))
    options = [i for i in range(lo, hi) if abs(i - t1) >= gap] or [lo if t1 > (lo + hi) / 2 else hi]
    t2 = int(options[int(rng.integers(len(options)))])
    share = np.divide(u, total[:, None], out=np.zeros_like(u), where=total[:, None] > 0)
    smooth = np.clip(np.convolve(total, np.ones(5) / 5.0, mode="same"), 0.0, None)
    # the push: a brief extra drive sized through the muscle's response
    w = max(3, round(_JERK_S * fs))
    b = _bump(w, n, t1)
    amp = size / _twitch(b[:, None], a).max()
    out += (amp * b)[:, None] * share[t1][None, :]
    # the give: the drive let go; wider when a narrow one cannot reach the size (a drive
    # cannot go below zero), else the deepest give the drive allows
    best = (-1.0, 0.0, np.zeros(n))
    for w in range(max(3, round(_JERK_S * fs)), round(0.25 * fs) + 1):
        b = _bump(w, n, t2)
        g = float(_twitch(b[:, None], a).max())
        room = float(np.min(smooth[b > 0.05] / b[b > 0.05]))
        amp = min(size / g, 0.9 * room)
        if amp * g > best[0]:
            best = (amp * g, amp, b)
        if amp * g >= 0.999 * size:
            break
    _, amp, b = best
    cut = np.divide(amp * b, smooth, out=np.zeros(n), where=smooth > 0)
    return out * np.clip(1.0 - cut, 0.0, None)[:, None]


def _load_shift(x: np.ndarray, frac: float) -> np.ndarray:
    """Move ``frac`` of the total onto the least-loaded channel, total unchanged exactly."""
    total = x.sum(axis=1)
    target = int(np.argmin(x.sum(axis=0)))
    rest = total - x[:, target]
    moved = np.minimum(frac * total, rest)
    keep = np.divide(rest - moved, rest, out=np.ones_like(rest), where=rest > 0)
    y = x * keep[:, None]
    y[:, target] = x[:, target] + moved
    return y


def inject(
    x: np.ndarray,
    kind: str,
    magnitude: float,
    rng: np.random.Generator,
    prof: GloveProfile,
    technique: str,
) -> np.ndarray:
    """Inject one error into a family-F stroke by editing the drive behind it.

    The drive is recovered by inverting the twitch filter, changed as the error says and
    run through the muscle again (see the module docstring).

    Parameters
    ----------
    x : numpy.ndarray
        ``(n, channels)`` stroke from :func:`clean_stroke` (or an earlier injection), N.
    kind : str
        An error kind of :data:`~benchmarks.validity.generators.ERROR_LEVELS`.
    magnitude : float
        Force factor (uniform, thirds), duration factor (fast, slow), N zero to peak
        (tremor), fraction of the peak (jerks), share moved (load_shift), fraction
        performed (partial).
    rng : numpy.random.Generator
        Random source (tremor frequency and phase, where jerks fall).
    prof : GloveProfile
        Glove profile.
    technique : str
        The stroke's technique.

    Returns
    -------
    numpy.ndarray
        The faulty stroke, N, non-negative.
    """
    x = np.clip(np.asarray(x, dtype=float), 0.0, None)
    if kind == "load_shift":
        return _load_shift(x, magnitude)
    fs = float(prof.sample_rate_hz)
    a = _pole(technique, fs)
    u = _untwitch(x, a)
    n = x.shape[0]
    if kind in ("light_uniform", "heavy_uniform"):
        u = u * magnitude
    elif kind.startswith(("light_", "heavy_")):
        phase = kind.split("_", 1)[1]
        s0, s1 = _span(x.sum(axis=1))
        # the third's borders in drive time (the muscle lags by 2τ), widened by a quarter
        # of the soft edge and 0.15 τ: the third gets ~90 % of the factor's effect, its
        # neighbours a little (the muscle smooths any change over ~100 ms; no figure)
        d = _delay(a)
        pad = _EDGE_S * fs / 4.0 + 0.15 * _TAU_S[technique] * fs
        b1, b2 = s0 + (s1 - s0) / 3.0 - d, s0 + 2.0 * (s1 - s0) / 3.0 - d
        lo, hi = {
            "start": (-1e9, b2 - (s1 - s0) / 3.0 + pad),
            "middle": (b1 - pad, b2 + pad),
            "end": (b2 - pad, 1e9),
        }[phase]
        u = u * (1.0 + (magnitude - 1.0) * _third_window(n, lo, hi, fs))[:, None]
    elif kind in ("fast", "slow"):
        return _tempo(x, u, magnitude, technique, a, fs)
    elif kind == "tremor":
        u = _tremor(u, x, magnitude, technique, a, fs, rng)
    elif kind == "jerks":
        u = _jerks(u, x, magnitude, technique, a, fs, rng)
    elif kind == "partial":
        s0, s1 = _span(x.sum(axis=1))
        stop = s0 + round(magnitude * (s1 - s0))
        lift = max(2, round(_LIFT_S * fs))
        u = u[: stop + lift + 1].copy()
        u[stop:] = 0.0  # the drive stops ...
        y = np.clip(_twitch(u, a), 0.0, None)
        return y * _lift_gate(y.shape[0], stop, fs)[:, None]  # ... and the hand lifts
    else:
        raise ValueError(f"unknown error kind {kind!r}")
    return np.clip(_twitch(u, a), 0.0, None)


# ----------------------------------------------------------------------------------
# non-strokes and the sensor
# ----------------------------------------------------------------------------------


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
    fs = float(prof.sample_rate_hz)
    ch = len(prof.sensors)
    a = _pole("effleurage", fs)  # the muscle's twitch
    if kind == "noise":  # 25 Hz band-limited, 0.5 N sd, rectified (no figure)
        lp = math.exp(-2 * math.pi * 25.0 / fs)
        z = np.asarray(
            lfilter([1 - lp], [1, -lp], rng.standard_normal((int(2.5 * fs), ch)), axis=0)
        )
        return np.clip(0.5 * z / z.std(axis=0), 0.0, None), "none"
    if kind == "rest":  # a resting hand's weight on palm and heel, ~3 N (no figure)
        T = rng.uniform(2.0, 2.4)
        n = int(T * fs)
        t = np.arange(n) / fs
        env = _pw(t, [(0, 0), (0.3, 1.0), (T - 0.3, 1.0), (T, 0)])
        drift = 1.0 + 0.1 * np.sin(2 * math.pi * rng.uniform(0.2, 0.4) * t + rng.uniform(0, 6.3))
        level = 3.0 * rng.uniform(0.85, 1.15) * env * drift
        drives = {"palm": 0.45 * level, "palm_heel": 0.45 * level}
        drives.update({f: 0.025 * level for f in _FINGERS})
        u = _channels(prof, drives, n)
        return _run_muscle(_motor_noise(u, rng, fs), a, fs, "rest"), "none"
    if kind == "touches":  # four light fingertip touches (no figure)
        pieces = []
        for _ in range(4):
            T = rng.uniform(0.15, 0.5)
            n = int(T * fs) + 1
            t = np.arange(n) / fs
            level = rng.uniform(2.0, 5.0) * _pw(t, [(0, 0), (0.04, 1), (T - 0.04, 1), (T, 0)])
            region = ("thumb", *_FINGERS)[int(rng.integers(5))]
            u = _channels(prof, {region: level}, n)
            pieces.append(_run_muscle(_motor_noise(u, rng, fs), a, fs, "touch"))
            pieces.append(np.zeros((int(rng.uniform(0.1, 0.4) * fs), ch)))
        return np.vstack(pieces[:-1]), "none"
    if kind == "other_technique":
        others = [q for q in TECHNIQUES if q != technique]
        other = others[int(rng.integers(len(others)))]
        return clean_stroke(other, int(rng.integers(3)), rng, prof), other
    raise ValueError(f"unknown non-stroke kind {kind!r}")


def sensor_model(clean: np.ndarray, rng: np.random.Generator, prof: GloveProfile) -> np.ndarray:
    """What a resistive FSR glove reports for true forces ``clean`` (see the module docstring).

    Parameters
    ----------
    clean : numpy.ndarray
        ``(n, channels)`` true force, N, at the profile's rate.
    rng : numpy.random.Generator
        Random source (per-recording gain and exponent, noise).
    prof : GloveProfile
        Glove profile: rate, saturation, resolution.

    Returns
    -------
    numpy.ndarray
        ``(n, channels)`` readings, N: exactly 0 below the 0.1 N turn-on force, ≤
        saturation, on the profile's count grid.
    """
    fs = float(prof.sample_rate_hz)
    f = np.clip(np.asarray(clean, dtype=float), 0.0, None)
    n, ch = f.shape
    beta = rng.uniform(0.96, 1.04, ch)  # no figure
    gain = rng.uniform(0.98, 1.02, ch)  # FSR 402 repeatability ±2 %
    fc = 10.0  # calibration point: top of the FSR 402's 0.1–10 N range
    r = fc * (f / fc) ** beta[None, :]
    if n:
        # hysteresis: unloading reads higher, relative to the peak of the last 0.4 s
        win = max(1, int(0.4 * fs))
        recent = maximum_filter1d(f, size=win, axis=0, origin=(win - 1) // 2, mode="nearest")
        r *= 1.0 + 0.04 * np.divide(recent - f, recent, out=np.zeros_like(f), where=recent > 0)
        # creep: a slow first-order drift upward while loaded, recovering when unloaded
        lp = math.exp(-1.0 / (2.0 * fs))
        z = np.asarray(lfilter([1 - lp], [1, -lp], (f > 0.1).astype(float), axis=0))
        r *= 1.0 + 0.03 * z
    noise = 0.02 * rng.standard_normal((n, ch))  # electronic noise; no figure
    r = r * gain[None, :] + np.where(f > 0.0, noise, 0.0)  # an open FSR reads nothing
    r[r < 0.1] = 0.0  # the FSR's turn-on force
    r = np.minimum(r, np.asarray(prof.saturation_n)[None, :])
    return np.asarray(prof.to_newtons(prof.to_raw(r)), dtype=float)
