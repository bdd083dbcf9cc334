"""Family D of the validity benchmark: sub-movements, two-lobed kneading, a capacitive sensor.

A fourth generator family, written without reading the stroke models of families A, B
(``generators.py``) and C (``family_c.py``) or the scoring's internals, so that a scoring
change fitted to those can be checked on strokes made, spoiled and read yet another way.
Only the shared interface is common: the error kinds, their levels and meaning, the
expected deduction codes, the rests between strokes and the glove profile.

**Strokes are sums of overlapping sub-movements.** Skilled movements are built from
overlapping primitive impulses with asymmetric, lognormal-like speed profiles (the
kinematic theory of rapid movements); here each sub-movement is a *force* pulse
``Λ(t; t0, tm, σ)`` — zero before its onset ``t0``, a lognormal in ``t − t0`` with its
mode at ``tm``, unit peak — with its own load share over the hand regions. The stroke's
force is their sum, so the load changes over the stroke as one sub-movement hands over to
the next (effleurage lands on the heel and sweeps off over palm and fingers). No single
envelope, no knots, no per-region ramps.

* **Effleurage** (4 sub-movements): style 0 is front-loaded (crests at about a third of the
  stroke and eases off), style 1 a long plateau of near-equal sub-movements cresting late,
  style 2 (held out) builds to a more peaked crest past the middle.
* **Petrissage**: one kneading cycle with two unequal lobes — a thumb-and-palm compression,
  then a finger squeeze — and a dip between them (no figure for kneading; our choice).
* **Friction**: a press-in and a sustained hold of two sub-movements, with a small
  circular motion of the fingertips: its radial part modulates the force and its
  tangential part passes load between index and middle finger, at a circle rate and with
  an amplitude that drift within the stroke. The load sits on index and middle finger
  (two-finger reinforced friction), not on the thumb.
* **Tapotement**: a burst of lognormal strikes on the ulnar edge with a two-beat rhythm,
  as alternating hands drive it — strong and weak strikes alternate (an accent, 0.82–0.9)
  and the intervals alternate long and short (swing, 52–56 % of a two-strike period);
  style 0 is crisp (45 ms contact).

**Sensor model (capacitive-like)**: crosstalk to neighbouring sensors (by distance on the
hand map), a per-sensor gain that drifts linearly across a take (a warming glove), a
baseline that wanders slowly, white noise, a sample-and-hold at 100 Hz inside the glove
(each reading sent twice at 200 Hz) with occasional skipped updates (a duplicated
reading), quantisation to the glove's 0.002 N count, clipped at 0 N and saturation.

**Errors, its own way** (same kinds, levels and meaning): level errors in one third are a
smooth gain plateau over the third with short edges; tempo errors retime the stroke but
its press-in and lift-off change with only the ¾ power of the pace (ramps are set by the
hand's dynamics), and percussion is struck at another rate with strikes of unchanged
contact time; tremor is narrow-band (6–10 Hz) and felt only in contact; jerks are
catch-and-slip steps (a sudden push and a sudden give, held briefly), or for percussion
single strikes hit harder and softer; load drifts onto one region during the stroke,
taken from all the others in proportion to their load; a stroke let go early releases
over most of its own release time, and a burst stopped early simply loses its last
strikes.

Figures (``docs/evidence.md``): effleurage 40–50 strokes/min (Ryason 2009) and a peak
between the 10 N of deep effleurage (Haas et al. 2012) and the ≥ 19.6 N "high" force
(Chen et al. 2022) — we use ~16 N; friction 60–70 strokes/min (Ryason 2009) and
≈ 227 kPa mean on a fingertip, quartiles ≈ 100–408 kPa (Chaves et al. 2020) — our index
finger carries ≈ 21 N ≈ 165 kPa, inside the quartiles; tapotement 4–10 strikes/s
(McKechnie et al. 2007), ≥ 100 Hz to keep its strikes' shape (why the internal
sample-and-hold is not slower than 100 Hz); the order effleurage > petrissage >
tapotement in force (Mickelwright et al. 2006). Everything else is marked ``# no figure``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sensors.profiles import GloveProfile

__all__ = ["clean_stroke", "inject", "non_stroke", "sensor_model"]

_TECHNIQUES = ("effleurage", "petrissage", "friction", "tapotement")


def _shares(prof: GloveProfile, **by_region: float) -> np.ndarray:
    """A load-share vector in channel order from shares per region (normalised)."""
    v = np.array([by_region.get(r, 0.0) for r in prof.regions], dtype=float)
    return v / v.sum()


# ----------------------------------------------------------------------------------
# sub-movements
# ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Sub:
    """One sub-movement in unit stroke time: onset, mode, log-spread, height, load."""

    t0: float
    tm: float
    sigma: float
    amp: float
    load: str


def _lognormal(t: np.ndarray, t0: float, tm: float, sigma: float) -> np.ndarray:
    """Unit-peak lognormal pulse: zero before ``t0``, mode at ``tm`` (``tm > t0``)."""
    out = np.zeros_like(t)
    on = t > t0
    u = t[on] - t0
    mu = math.log(tm - t0) + sigma**2  # the mode of a lognormal is exp(mu - sigma^2)
    pulse = np.exp(-((np.log(u) - mu) ** 2) / (2 * sigma**2)) / u
    out[on] = pulse * (tm - t0) * math.exp(sigma**2 / 2)  # value at the mode -> 1
    return out


def _taper(n: int, share: float) -> np.ndarray:
    """1 up to the last ``share`` of ``n`` samples, then a raised-cosine fall to exactly 0."""
    w = np.ones(n)
    k = max(2, round(share * n))
    w[-k:] = 0.5 * (1.0 + np.cos(np.linspace(0.0, math.pi, k)))
    return w


def _jitter_load(base: np.ndarray, rng: np.random.Generator, spread: float) -> np.ndarray:
    """A load vector jittered multiplicatively per stroke (lognormal, ``spread`` sd)."""
    v = base * np.exp(spread * rng.standard_normal(base.size))
    return v / v.sum()


# Load shares per sub-movement kind and region. No figure for any share: our choices
# from how each stroke is taught (effleurage lands on the heel and sweeps off over the
# palm and fingers; kneading squeezes thumb against palm, then fingers against thumb;
# reinforced friction works with the index held down by the middle finger; hacking
# strikes with the ulnar edge of the hand).
_LOADS: dict[str, dict[str, float]] = {
    "land": dict(
        palm_heel=0.52, palm=0.30, thumb=0.05, index=0.03, middle=0.05, ring=0.03, little=0.02
    ),
    "glide": dict(
        palm_heel=0.36, palm=0.38, thumb=0.07, index=0.06, middle=0.07, ring=0.04, little=0.02
    ),
    "sweep": dict(
        palm_heel=0.18, palm=0.40, thumb=0.09, index=0.10, middle=0.12, ring=0.08, little=0.03
    ),
    "compress": dict(
        palm_heel=0.08, palm=0.26, thumb=0.38, index=0.12, middle=0.10, ring=0.05, little=0.01
    ),
    "squeeze": dict(
        palm_heel=0.04, palm=0.12, thumb=0.24, index=0.25, middle=0.21, ring=0.11, little=0.03
    ),
    "rub": dict(
        palm_heel=0.02, palm=0.05, thumb=0.11, index=0.42, middle=0.31, ring=0.08, little=0.01
    ),
    "hack": dict(
        palm_heel=0.17, palm=0.04, thumb=0.02, index=0.04, middle=0.12, ring=0.26, little=0.35
    ),
}

#: Nominal duration (s) and peak total force (N) per technique.
_NOMINAL = {
    "effleurage": (0.90, 16.0),  # ~0.9 s stroke + 0.35-0.55 s rest = 40-50 strokes/min
    "petrissage": (0.60, 12.5),  # no figure (cycle or force); below effleurage's force
    "friction": (0.55, 50.0),  # 0.55 s + 0.30-0.44 s rest = 60-70 strokes/min
    "tapotement": (0.0, 7.5),  # no figure for force; duration = the strike train's
}

#: Style factors on duration and force (within the ±5 % the other families allow).
_STYLE_DF = {0: (1.0, 1.0), 1: (0.97, 1.04), 2: (1.04, 0.97)}

#: Sub-movements per technique and style, in unit stroke time (no figure: our choices).
#: Effleurage: 0 front-loaded, 1 a plateau cresting late, 2 a later, more peaked crest.
#: Petrissage: the first lobe higher (markedly in 0, slightly in 1), nearly equal lobes
#: and a deeper dip in 2. The styles' thirds stay within the spread of families A-C.
_SUBS: dict[str, dict[int, tuple[_Sub, ...]]] = {
    "effleurage": {
        0: (
            _Sub(0.00, 0.13, 0.50, 0.60, "land"),
            _Sub(0.02, 0.28, 0.42, 0.90, "glide"),
            _Sub(0.12, 0.52, 0.36, 0.66, "glide"),
            _Sub(0.30, 0.72, 0.30, 0.52, "sweep"),
        ),
        1: (
            _Sub(0.00, 0.13, 0.50, 0.66, "land"),
            _Sub(0.04, 0.32, 0.40, 0.72, "glide"),
            _Sub(0.16, 0.54, 0.34, 0.70, "glide"),
            _Sub(0.32, 0.73, 0.28, 0.70, "sweep"),
        ),
        2: (
            _Sub(0.00, 0.14, 0.50, 0.66, "land"),
            _Sub(0.04, 0.36, 0.42, 0.80, "glide"),
            _Sub(0.18, 0.56, 0.34, 0.80, "glide"),
            _Sub(0.34, 0.73, 0.28, 0.56, "sweep"),
        ),
    },
    "petrissage": {
        0: (
            _Sub(0.00, 0.23, 0.58, 1.22, "compress"),
            _Sub(0.26, 0.66, 0.36, 0.72, "squeeze"),
        ),
        1: (
            _Sub(0.00, 0.25, 0.58, 1.18, "compress"),
            _Sub(0.25, 0.65, 0.36, 0.80, "squeeze"),
        ),
        2: (
            _Sub(0.00, 0.22, 0.58, 1.10, "compress"),
            _Sub(0.28, 0.67, 0.34, 0.90, "squeeze"),
        ),
    },
    "friction": {
        0: (
            _Sub(0.00, 0.16, 0.50, 0.75, "rub"),
            _Sub(0.04, 0.42, 0.40, 0.80, "rub"),
            _Sub(0.20, 0.64, 0.34, 0.60, "rub"),
        ),
        1: (
            _Sub(0.00, 0.17, 0.60, 0.85, "rub"),
            _Sub(0.04, 0.40, 0.40, 0.75, "rub"),
            _Sub(0.20, 0.63, 0.34, 0.55, "rub"),
        ),
        2: (
            _Sub(0.00, 0.18, 0.50, 0.70, "rub"),
            _Sub(0.05, 0.44, 0.40, 0.80, "rub"),
            _Sub(0.22, 0.66, 0.34, 0.65, "rub"),
        ),
    },
}

#: Friction's small circles: rate (Hz), force modulation and index<->middle exchange
#: per style. No figure for either: our choices.
_CIRCLES = {0: (5.0, 0.07, 0.05), 1: (4.5, 0.09, 0.06), 2: (5.5, 0.06, 0.07)}

#: Tapotement per style: strikes/s (inside 4-10, docs/evidence.md), contact time (s;
#: crisp 45 ms for style 0), weak/strong accent ratio, swing (share of a two-strike period
#: taken by the first interval), strikes per burst. Accent, swing, count: no figure.
_TAP = {
    0: (6.5, 0.045, 0.85, 0.54, 8),
    1: (6.0, 0.050, 0.90, 0.52, 7),
    2: (7.0, 0.055, 0.82, 0.56, 8),
}

#: A style's per-region emphasis on top of the sub-movement loads (no figure).
_STYLE_LOAD = {
    0: dict(),
    1: dict(palm=1.08, middle=1.10, ring=1.05),
    2: dict(palm_heel=1.06, thumb=1.10, index=0.94),
}


def _load(prof: GloveProfile, kind: str, style: int) -> np.ndarray:
    emphasis = _STYLE_LOAD[style]
    return _shares(prof, **{r: v * emphasis.get(r, 1.0) for r, v in _LOADS[kind].items()})


def _smooth_walk(n: int, rng: np.random.Generator, knots: int) -> np.ndarray:
    """A slow random curve in about [-1, 1]: ``knots`` random values, linearly joined."""
    kv = rng.uniform(-1.0, 1.0, knots)
    return np.interp(np.linspace(0.0, knots - 1.0, n), np.arange(knots, dtype=float), kv)


def _sub_stroke(
    technique: str, style: int, rng: np.random.Generator, prof: GloveProfile, n: int
) -> np.ndarray:
    """The sum of the style's sub-movements over ``n`` samples, each with its own load."""
    u = np.linspace(0.0, 1.0, n)
    x = np.zeros((n, len(prof.sensors)))
    for sub in _SUBS[technique][style]:
        shift = 0.015 * rng.standard_normal()  # timing of each sub-movement, per stroke
        t0 = max(0.0, sub.t0 + shift) if sub.t0 > 0 else 0.0
        tm = max(t0 + 0.05, sub.tm + shift)
        sigma = sub.sigma * (1.0 + 0.05 * rng.standard_normal())
        amp = sub.amp * (1.0 + 0.04 * rng.standard_normal())
        load = _jitter_load(_load(prof, sub.load, style), rng, 0.06)
        x += amp * _lognormal(u, t0, tm, sigma)[:, None] * load[None, :]
    return x


def _friction(
    style: int, rng: np.random.Generator, prof: GloveProfile, n: int, fs: float
) -> np.ndarray:
    """Sub-movements plus small circles: force modulation and index<->middle exchange."""
    x = _sub_stroke("friction", style, rng, prof, n)
    rate, depth, exchange = _CIRCLES[style]
    freq = rate * (1.0 + 0.08 * _smooth_walk(n, rng, 4))  # the circle rate drifts
    phase = 2.0 * math.pi * np.cumsum(freq) / fs + rng.uniform(0.0, 2.0 * math.pi)
    amp = depth * (1.0 + 0.5 * _smooth_walk(n, rng, 5))  # ... and so does its size
    total = x.sum(axis=1)
    x = x * (1.0 + amp * np.sin(phase))[:, None]
    regions = prof.regions
    i, m = regions.index("index"), regions.index("middle")
    moved = exchange * amp / depth * np.cos(phase) * total  # tangential: load changes finger
    moved = np.clip(moved, -x[:, m], x[:, i])  # never more than a finger carries
    x[:, i] -= moved
    x[:, m] += moved
    return x


def _tapotement(style: int, rng: np.random.Generator, prof: GloveProfile, d_f: float) -> np.ndarray:
    """A burst of lognormal strikes with a two-beat accent and swing."""
    fs = float(prof.sample_rate_hz)
    rate, width, accent, swing, count = _TAP[style]
    period2 = 2.0 / (rate / d_f)  # one strong + one weak strike
    onsets, t = [], 0.0
    for k in range(count):
        onsets.append(t)
        share = swing if k % 2 == 0 else 1.0 - swing
        t += period2 * share * (1.0 + 0.03 * rng.standard_normal())
    w = width * (1.0 + 0.06 * rng.standard_normal(count))
    n = round((onsets[-1] + w[-1]) * fs) + 1
    x = np.zeros((n, len(prof.sensors)))
    time = np.arange(n) / fs
    base = _load(prof, "hack", style)
    for k, t0 in enumerate(onsets):
        height = (1.0 if k % 2 == 0 else accent) * (1.0 + 0.05 * rng.standard_normal())
        m = time < t0 + w[k]
        pulse = np.zeros(n)
        # contact rises to its peak in ~30 % of the contact time, then decays
        pulse[m] = _lognormal(time[m], t0, t0 + 0.3 * w[k], 0.45)
        k_end = int(np.nonzero(m)[0][-1]) + 1
        k_on = math.floor(t0 * fs)
        pulse[k_on:k_end] *= _taper(k_end - k_on, 0.35)  # contact ends at t0 + width
        x += height * pulse[:, None] * _jitter_load(base, rng, 0.08)[None, :]
    return x


def clean_stroke(
    technique: str, style: int, rng: np.random.Generator, prof: GloveProfile
) -> np.ndarray:
    """One clean family-D stroke ``(n, channels)`` newtons (non-negative, 0 N at both ends).

    Parameters
    ----------
    technique
        One of effleurage, petrissage, friction, tapotement.
    style
        Performer style 0, 1 or 2 (2 is held out of the references).
    rng
        The stroke's random generator (the only source of randomness).
    prof
        The glove profile (channels, regions, positions, sample rate).

    Returns
    -------
    numpy.ndarray
        Force per sensor, newtons.
    """
    fs = float(prof.sample_rate_hz)
    d_f, f_f = _STYLE_DF[style]
    d_f *= 1.0 + 0.03 * rng.uniform(-1.0, 1.0)  # ±3 % from stroke to stroke
    f_f *= 1.0 + 0.03 * rng.uniform(-1.0, 1.0)
    dur, peak = _NOMINAL[technique]
    if technique == "tapotement":
        x = _tapotement(style, rng, prof, d_f)
    else:
        n = round(dur * d_f * fs)
        if technique == "friction":
            x = _friction(style, rng, prof, n, fs)
        else:
            x = _sub_stroke(technique, style, rng, prof, n)
        x *= _taper(n, 0.08)[:, None]  # the last sub-movement's tail, lifted off
    total = x.sum(axis=1)
    return np.clip(x * (peak * f_f / total.max()), 0.0, None)


# ----------------------------------------------------------------------------------
# errors
# ----------------------------------------------------------------------------------


def _span(x: np.ndarray) -> tuple[int, int]:
    """First and one-past-last sample carrying more than 5 % of the peak total force."""
    on = np.nonzero(x.sum(axis=1) > 0.05 * x.sum(axis=1).max())[0]
    return int(on[0]), int(on[-1]) + 1


def _raised(a: np.ndarray) -> np.ndarray:
    """Raised-cosine step: 0 for a <= 0, 1 for a >= 1."""
    return 0.5 - 0.5 * np.cos(math.pi * np.clip(a, 0.0, 1.0))


def _phase_weight(n: int, span: tuple[int, int], k: int, edge: float) -> np.ndarray:
    """1 inside third ``k`` of ``span``, 0 outside, raised-cosine edges ``edge`` wide.

    The edges straddle the third's boundaries, so only a sliver (``edge / 2`` of the
    span) spills into a neighbour; the outer ends of the first and last thirds are not
    edged.
    """
    i0, i1 = span
    s = (np.arange(n) - i0) / max(i1 - i0, 1)  # position in the span, 0..1
    lo, hi = k / 3.0, (k + 1) / 3.0
    w = np.ones(n)
    if k > 0:
        w *= _raised((s - (lo - edge / 2)) / edge)
    if k < 2:
        w *= _raised(((hi + edge / 2) - s) / edge)
    return w


def _loads(x: np.ndarray) -> np.ndarray:
    """Per-sample load shares (the stroke's mean shares where it carries no force)."""
    total = x.sum(axis=1, keepdims=True)
    mean = x.sum(axis=0) / x.sum()
    return np.where(total > 1e-9, x / np.maximum(total, 1e-12), mean[None, :])


def _with_total(x: np.ndarray, total: np.ndarray) -> np.ndarray:
    """The stroke with a new total force, each sensor keeping its share of the load."""
    return _loads(x) * np.clip(total, 0.0, None)[:, None]


def _is_percussive(technique: str) -> bool:
    return technique == "tapotement"


def _strikes(x: np.ndarray) -> list[tuple[int, int]]:
    """Strikes of a percussion burst: runs of contact above 2 % of the peak force."""
    total = x.sum(axis=1)
    on = np.concatenate([[False], total > 0.02 * total.max(), [False]])
    edges = np.flatnonzero(np.diff(on.astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _retime(x: np.ndarray, factor: float, fs: float) -> np.ndarray:
    """Performed ``factor`` × as long; press-in and lift-off scale with ``factor ** 0.75``.

    A rushed or dragging hand still lands and lifts with much its usual dynamics, so the
    ramps change less than the body of the stroke (the ¾ power is our choice, no
    figure). The slope of the time map is smoothed over 40 ms so no kink appears.
    """
    n = x.shape[0]
    m = round(n * factor)
    total = x.sum(axis=1)
    above = np.nonzero(total >= 0.6 * total.max())[0]
    a, c = int(above[0]), n - 1 - int(above[-1])
    b = n - a - c
    ramp = factor**0.75
    body = (m - ramp * (a + c)) / max(b, 1)
    if not 0.5 * factor <= body <= 2.0 * factor:  # ramps too long for it: plain stretch
        ramp = body = factor
    # slope: original samples per new sample, piecewise, then smoothed
    new_a, new_b = ramp * a, body * b
    j = np.arange(m) + 0.5
    slope = np.where(j < new_a, 1 / ramp, np.where(j < new_a + new_b, 1 / body, 1 / ramp))
    k = max(3, round(0.04 * fs * min(1.0, factor)))
    win = np.hanning(k + 2)[1:-1]
    padded = np.concatenate([np.full(k, slope[0]), slope, np.full(k, slope[-1])])
    slope = np.convolve(padded, win / win.sum(), mode="same")[k:-k]
    src = np.concatenate([[0.0], np.cumsum(slope)[:-1]])
    src *= (n - 1) / src[-1]  # exactly onto the original's first and last samples
    cols = [np.interp(src, np.arange(n, dtype=float), x[:, c]) for c in range(x.shape[1])]
    return np.stack(cols, axis=1)


def _restrike(x: np.ndarray, factor: float) -> np.ndarray:
    """A percussion burst struck at another rate: intervals × ``factor``, contact unchanged."""
    strikes = _strikes(x)
    if len(strikes) < 2:
        return x
    starts = [a for a, _ in strikes]
    new = [starts[0] + round((s - starts[0]) * factor) for s in starts]
    n = max(ns + (b - a) for ns, (a, b) in zip(new, strikes, strict=True))
    out = np.zeros((n + 1, x.shape[1]))
    for ns, (a, b) in zip(new, strikes, strict=True):
        out[ns : ns + b - a] += x[a:b]
    return out


def _tremor(x: np.ndarray, amp: float, rng: np.random.Generator, fs: float) -> np.ndarray:
    """Narrow-band tremor at 6–10 Hz, ``amp`` N zero to peak on average, felt in contact.

    Band-limited noise (Gaussian band ±0.6 Hz around a centre drawn in 6–10 Hz), scaled
    so its RMS is ``amp / √2`` (that of a sinusoid of amplitude ``amp``), so its envelope
    wanders as a physiological tremor's does. It rides on the contact: faded in below a
    quarter of the peak force (or twice ``amp``), so it never lifts the hand off.
    """
    n = x.shape[0]
    total = x.sum(axis=1)
    pad = 2 * n + 256
    spec = np.fft.rfft(rng.standard_normal(pad))
    freqs = np.fft.rfftfreq(pad, 1.0 / fs)
    centre = rng.uniform(6.0, 10.0)
    spec *= np.exp(-0.5 * ((freqs - centre) / 0.6) ** 2)
    wave = np.fft.irfft(spec, pad)[:n]
    wave *= (amp / math.sqrt(2.0)) / max(float(np.sqrt(np.mean(wave**2))), 1e-12)
    gate = _raised(total / max(0.25 * total.max(), 2.0 * amp))
    return _with_total(x, total + wave * gate)


def _catch(n: int, at: int, rise: int, hold: int, fall: int) -> np.ndarray:
    """A sudden step reaching 1 at ``at``: raised-cosine rise over ``rise`` samples, held
    ``hold`` samples, then a fall over ``fall``."""
    i = np.arange(n, dtype=float)
    return _raised((i - (at - rise)) / rise) * _raised((at + hold + fall - i) / fall)


def _jerks(
    x: np.ndarray, size: float, rng: np.random.Generator, fs: float, technique: str
) -> np.ndarray:
    """Catch-and-slip events of ``size`` × the peak: one push, one give, maybe a third.

    Each rises in 10–20 ms, holds 20–50 ms and recovers in 30–60 ms (no figure).
    Percussion: one strike hit ``size`` × the peak harder, another as much softer.
    """
    total = x.sum(axis=1)
    peak = float(total.max())
    signs = [1.0, -1.0] + ([float(rng.choice([-1.0, 1.0]))] if rng.random() < 0.5 else [])
    rng.shuffle(signs)
    if _is_percussive(technique):
        strikes = _strikes(x)
        pick = rng.choice(len(strikes), size=min(len(signs), len(strikes)), replace=False)
        out = x.copy()
        for sgn, k in zip(signs, pick, strict=False):
            a, b = strikes[int(k)]
            top = float(total[a:b].max())
            out[a:b] *= max(0.0, 1.0 + sgn * size * peak / top)
        return out
    i0, i1 = _span(x)
    delta = np.zeros(x.shape[0])
    taken: list[int] = []
    for sgn in signs:
        # a give where the hand presses well above its size, so it never lets go entirely
        floor = 0.5 if sgn > 0 else min(size + 0.25, 0.9)
        where = np.nonzero(total >= floor * peak)[0]
        for _ in range(50):  # events at least 80 ms apart
            at = int(where[rng.integers(where.size)])
            if all(abs(at - t) >= 0.08 * fs for t in taken):
                break
        taken.append(at)
        rise = round(fs * rng.uniform(0.010, 0.020))
        hold = round(fs * rng.uniform(0.020, 0.050))
        fall = round(fs * rng.uniform(0.030, 0.060))
        delta += sgn * size * peak * _catch(x.shape[0], at, rise, hold, fall)
    delta[:i0] = 0.0
    delta[i1:] = 0.0
    return _with_total(x, total + delta)


#: Regions a student may wrongly load per technique (chosen per stroke; no figure).
_SHIFT_TO = {
    "effleurage": ("middle", "thumb"),  # fingertips or thumb dig in
    "petrissage": ("palm_heel", "little"),  # pushing down with the heel; a lazy grip
    "friction": ("ring", "palm"),  # the reinforcing fingers slip; a flat hand
    "tapotement": ("index", "palm"),  # struck with the radial side or the flat palm
}


def _load_shift(
    x: np.ndarray, share: float, rng: np.random.Generator, prof: GloveProfile, technique: str
) -> np.ndarray:
    """Move on average ``share`` of the total onto one region; the total is unchanged.

    The moved share drifts from 0.85 × to 1.15 × ``share`` over the stroke (the hand
    rolls onto the region), and it is taken from every other sensor in proportion to its
    load, never more than they carry.
    """
    region = _SHIFT_TO[technique][int(rng.integers(2))]
    t = prof.regions.index(region)
    total = x.sum(axis=1)
    n = x.shape[0]
    moved = share * np.linspace(0.85, 1.15, n) * total
    others = total - x[:, t]
    moved = np.minimum(moved, others)
    keep = np.where(others > 1e-12, 1.0 - moved / np.maximum(others, 1e-12), 1.0)
    out = x * keep[:, None]
    out[:, t] = x[:, t] + moved
    return out


def _release_curve(k: int) -> np.ndarray:
    """A fall from 1 to 0 over ``k`` samples: quick at first, easing out (skewed)."""
    s = np.linspace(0.0, 1.0, k + 1)[1:]
    return (1.0 - s) ** 2 * (1.0 + 0.5 * s)


def _partial(
    x: np.ndarray, done: float, rng: np.random.Generator, fs: float, technique: str
) -> np.ndarray:
    """Stopped after ``done`` of the stroke, released as the hand lifts.

    Sweeps: cut at ``done`` of the loaded span and fall to 0 N over 60–90 % of the
    stroke's own release time (at least 40 ms), each sensor keeping its share.
    Percussion: the strikes that start after ``done`` of the burst are not struck.
    """
    i0, i1 = _span(x)
    cut = i0 + round(done * (i1 - i0))
    if _is_percussive(technique):
        strikes = _strikes(x)
        kept = [s for s in strikes if s[0] < cut][: len(strikes) - 1] or strikes[:1]
        return x[: kept[-1][1] + 1].copy()
    total = x.sum(axis=1)
    own_release = i1 - int(np.nonzero(total >= 0.5 * total.max())[0][-1])
    k = max(round(0.04 * fs), round(own_release * rng.uniform(0.6, 0.9)))
    out = np.zeros((cut + k + 1, x.shape[1]))
    out[:cut] = x[:cut]
    out[cut : cut + k] = x[cut - 1][None, :] * _release_curve(k)[:, None]
    return out


def inject(
    x: np.ndarray,
    kind: str,
    magnitude: float,
    rng: np.random.Generator,
    prof: GloveProfile,
    technique: str,
) -> np.ndarray:
    """Inject one error into a clean family-D stroke (kinds and magnitudes as family A's).

    Parameters
    ----------
    x
        A clean stroke ``(n, channels)`` N.
    kind
        An error kind of ``generators.ERROR_LEVELS``.
    magnitude
        The kind's magnitude at the level (force or duration factor, tremor N, jerk size,
        moved share, or share performed).
    rng
        The only source of randomness.
    prof
        The glove profile.
    technique
        The stroke's technique.

    Returns
    -------
    numpy.ndarray
        The spoiled stroke, non-negative; its length changes for tempo errors and partial
        strokes only.
    """
    fs = float(prof.sample_rate_hz)
    if kind in ("light_uniform", "heavy_uniform"):
        return x * magnitude
    if kind.startswith(("light_", "heavy_")):
        k = ("start", "middle", "end").index(kind.split("_", 1)[1])
        w = _phase_weight(x.shape[0], _span(x), k, edge=0.06)
        return x * (1.0 + (magnitude - 1.0) * w)[:, None]
    if kind in ("fast", "slow"):
        if _is_percussive(technique):
            return _restrike(x, magnitude)
        return _retime(x, magnitude, fs)
    if kind == "tremor":
        return _tremor(x, magnitude, rng, fs)
    if kind == "jerks":
        return _jerks(x, magnitude, rng, fs, technique)
    if kind == "load_shift":
        return _load_shift(x, magnitude, rng, prof, technique)
    if kind == "partial":
        return _partial(x, magnitude, rng, fs, technique)
    raise ValueError(f"unknown error kind {kind!r}")


# ----------------------------------------------------------------------------------
# non-strokes
# ----------------------------------------------------------------------------------


def non_stroke(
    kind: str, technique: str, rng: np.random.Generator, prof: GloveProfile
) -> tuple[np.ndarray, str]:
    """Family D's non-stroke events (same kinds and meaning as the other families').

    ``noise``: 2–3 s of pink (1/f) fluctuation, 0.35–0.5 N sd per sensor, rectified (a
    glove handled off the body); ``rest``: a hand resting on the back, 2–3.5 N mostly on
    heel and palm, settling in and lifting over 0.3 s, held 1.8–2.6 s and rising and
    falling ±10 % with the receiver's breathing (~0.25 Hz); ``touches``: 3–5 light touches
    (1.5–5 N, 0.1–0.45 s, one or two neighbouring fingertips, lognormal) with 0.1–0.6 s
    between them; ``other_technique``: a clean family-D stroke of another technique and a
    random style. No figure for any of these: our choices.

    Parameters
    ----------
    kind
        One of ``generators.NON_STROKE_KINDS``.
    technique
        The reference's technique (``other_technique`` picks another).
    rng
        The only source of randomness.
    prof
        The glove profile.

    Returns
    -------
    tuple[numpy.ndarray, str]
        The event ``(n, channels)`` N and what was performed ("none" or a technique).
    """
    fs = float(prof.sample_rate_hz)
    ch = len(prof.sensors)
    if kind == "noise":
        n = round(rng.uniform(2.0, 3.0) * fs)
        spec = np.fft.rfft(rng.standard_normal((n, ch)), axis=0)
        f = np.fft.rfftfreq(n, 1.0 / fs)
        spec *= (1.0 / np.sqrt(np.maximum(f, f[1])))[:, None]
        pink = np.fft.irfft(spec, n, axis=0)
        pink *= rng.uniform(0.35, 0.5, ch)[None, :] / pink.std(axis=0)[None, :]
        return np.clip(pink, 0.0, None), "none"
    if kind == "rest":
        n = round(rng.uniform(1.8, 2.6) * fs)
        t = np.arange(n) / fs
        level = rng.uniform(2.0, 3.5)
        breath = 1.0 + 0.1 * np.sin(2 * math.pi * rng.uniform(0.2, 0.3) * t + rng.uniform(0, 6))
        k = round(0.3 * fs)
        env = np.minimum(_raised(np.arange(n) / k), _raised((n - 1 - np.arange(n)) / k))
        load = _jitter_load(
            _shares(
                prof,
                palm_heel=0.45,
                palm=0.35,
                thumb=0.05,
                index=0.05,
                middle=0.05,
                ring=0.03,
                little=0.02,
            ),
            rng,
            0.15,
        )
        return (level * breath * env)[:, None] * load[None, :], "none"
    if kind == "touches":
        fingers = [prof.regions.index(r) for r in ("thumb", "index", "middle", "ring", "little")]
        pieces = []
        for _ in range(int(rng.integers(3, 6))):
            m = round(rng.uniform(0.1, 0.45) * fs)
            u = np.linspace(0.0, 1.0, m)
            pulse = _lognormal(u, 0.0, rng.uniform(0.25, 0.45), 0.4) * _taper(m, 0.25)
            touch = np.zeros((m, ch))
            j = int(rng.integers(len(fingers)))
            share = rng.uniform(0.6, 1.0)
            touch[:, fingers[j]] = share
            touch[:, fingers[min(j + 1, len(fingers) - 1)]] += 1.0 - share
            pieces.append(rng.uniform(1.5, 5.0) * pulse[:, None] * touch)
            pieces.append(np.zeros((round(rng.uniform(0.1, 0.6) * fs), ch)))
        return np.concatenate(pieces[:-1]), "none"
    if kind == "other_technique":
        others = [t for t in _TECHNIQUES if t != technique]
        other = others[int(rng.integers(len(others)))]
        return clean_stroke(other, int(rng.integers(3)), rng, prof), other
    raise ValueError(f"unknown non-stroke kind {kind!r}")


# ----------------------------------------------------------------------------------
# sensor model
# ----------------------------------------------------------------------------------


def sensor_model(clean: np.ndarray, rng: np.random.Generator, prof: GloveProfile) -> np.ndarray:
    """What a capacitive-like glove reads for the true forces ``clean`` ``(n, channels)`` N.

    Crosstalk of 1.5–3.5 % to neighbouring sensors (falling with distance on the hand
    map); a per-sensor gain of ±3 % that drifts by up to ±4 % across the take (the glove
    warms); a baseline of 0–0.04 N that wanders slowly (±0.03 N); white noise of 0.02 N;
    a sample-and-hold at 100 Hz (the ≥ 100 Hz that keeps tapotement's strikes,
    ``docs/evidence.md``) with 1 % of updates skipped (a reading sent again); quantised to
    the profile's count (0.002 N for the reference glove), clipped at 0 N and saturation.
    No figure for any of these magnitudes: our choices.

    Parameters
    ----------
    clean
        True forces per sensor, newtons.
    rng
        The only source of randomness.
    prof
        The glove profile (positions, calibration step, saturation).

    Returns
    -------
    numpy.ndarray
        The readings, same shape as ``clean``.
    """
    n, ch = clean.shape
    if n == 0:
        return clean.copy()
    pos = prof.positions
    d2 = ((pos[:, None, :] - pos[None, :, :]) ** 2).sum(axis=2)
    cross = np.exp(-d2 / (2 * 0.2**2)) * rng.uniform(0.015, 0.035)
    np.fill_diagonal(cross, 1.0)
    y = clean @ cross.T  # sensor i also feels its neighbours j
    ramp = np.linspace(0.0, 1.0, n)[:, None]
    g0, drift = (
        np.asarray(rng.uniform(lo, hi, size=ch)) for lo, hi in ((0.97, 1.03), (-0.04, 0.04))
    )
    gain = g0[None, :] * (1.0 + drift[None, :] * ramp)
    knots = max(2, n // 400 + 2)  # a new wander value every ~2 s
    walk = np.stack([_smooth_walk(n, rng, knots) for _ in range(ch)], axis=1)
    base = np.asarray(rng.uniform(0.0, 0.04, size=ch))[None, :] + 0.03 * walk
    y = y * gain + base + 0.02 * rng.standard_normal((n, ch))
    # sample-and-hold: the glove converts every second 200 Hz slot, now and then skips one
    fresh = (np.arange(n) + int(rng.integers(2))) % 2 == 0
    fresh &= rng.random(n) >= 0.01
    fresh[0] = True
    held = np.maximum.accumulate(np.where(fresh, np.arange(n), 0))
    y = y[held]
    for c, spec in enumerate(prof.sensors):  # the glove's own count, where it is linear
        if spec.calibration.kind == "linear" and spec.calibration.scale > 0:
            y[:, c] = np.round(y[:, c] / spec.calibration.scale) * spec.calibration.scale
    return np.clip(y, 0.0, prof.saturation_n[None, :])
