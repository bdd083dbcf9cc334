"""Percussion: a strike train's beat, period, evenness and level (pure maths).

Tapotement is judged by its strikes: the template's beat (does it repeat?), the period a
student strikes at (one hand or two alternating), how evenly they strike, and the level
of the strikes (a running maximum over a beat). :mod:`trainer.scoring.alignment` uses the
beat to tell percussion from a sweep and re-exports these functions.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.ndimage import maximum_filter1d
from scipy.signal import find_peaks

from trainer.scoring.strokes import OFF_THRESHOLD_N

__all__ = [
    "beat_samples",
    "envelope",
    "even_strikes",
    "rhythm_clarity",
    "strike_jitter",
    "strike_period",
]

#: Strikes are peaks at least this many beats apart, this share of the piece's peak high
#: and over the rest level (a tenth: a third struck at 30 % of the rest's force still
#: strikes; a quarter lost some of those strikes, and the doubled intervals read as
#: "uneven strikes", 10-45 points, where the fault was a light third).
_STRIKE_SPACING = 0.3
_STRIKE_HEIGHT = 0.1
#: Autocorrelation a template's beat needs to count as percussion (see beat_samples).
_BEAT_CLARITY = 0.3
#: A strike train's period is its first autocorrelation peak at least this share of the
#: highest: two hands alternating (one strikes harder, or a little later) repeat exactly
#: only every second strike, so that lag's peak is the highest, yet they strike twice.
_PERIOD_PEAK_SHARE = 0.6
#: How close (a share of the strikes' median interval) half the autocorrelation's period
#: must come to that interval for the strikes to be read as alternating pairs.
_PAIRED_TOLERANCE = 0.2


def _detrended_autocorrelation(g: np.ndarray, trend_samples: int) -> np.ndarray:
    """Autocorrelation of ``g`` less its moving average over ``trend_samples``, lag 0 up."""
    kernel = max(3, trend_samples) | 1
    trend = np.convolve(np.pad(g, kernel // 2, mode="edge"), np.ones(kernel) / kernel, "valid")
    d = g - trend
    return np.correlate(d, d, mode="full")[g.size - 1 :]


def _beat_autocorrelation(g: np.ndarray, beat: int) -> tuple[np.ndarray, int, int] | None:
    """Return a piece's autocorrelation and the lags where a strike train repeats.

    Detrended over two beats (so strikes stay); the lags run from 0.4 to 2.5 beats (a
    train played twice as fast or half as fast still counts). ``None`` when the piece is
    too short or flat.
    """
    lo, hi = max(2, int(0.4 * beat)), min(int(2.5 * beat) + 1, g.size // 2)
    if hi <= lo:
        return None
    ac = _detrended_autocorrelation(g, 2 * beat)
    return (ac, lo, hi) if ac[0] > 0 else None


def _local_peaks(ac: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Lags in ``[lo, hi)`` where ``ac`` is at least as high as on either side."""
    k = np.arange(max(lo, 1), min(hi, ac.size - 1))
    return k[(ac[k] >= ac[k - 1]) & (ac[k] >= ac[k + 1])]


def _period_peak(ac: np.ndarray, lo: int, hi: int) -> int:
    """First local maximum of ``ac`` in ``[lo, hi)`` at least a share of the highest.

    The share is :data:`_PERIOD_PEAK_SHARE`. Without a local maximum there (a monotone
    stretch) the highest lag; when nothing repeats (every peak negative) the least bad.
    """
    if min(hi, ac.size - 1) <= max(lo, 1):
        return lo
    peaks = _local_peaks(ac, lo, hi)
    if peaks.size == 0:
        return lo + int(np.argmax(ac[lo:hi]))
    best = float(ac[peaks].max())
    if best <= 0:  # nothing repeats: the least bad lag
        return int(peaks[np.argmax(ac[peaks])])
    return int(peaks[ac[peaks] >= _PERIOD_PEAK_SHARE * best][0])


def beat_samples(template_total: np.ndarray) -> int:
    """Length of one beat of a percussive template (strikes), or 1 for a single sweep.

    The first strong autocorrelation peak of the template's detrended total force
    (:func:`_period_peak`; the highest if that one is faint), if it is clear (> 0.3) and
    at least three beats fit in the stroke: tapotement's strike period.
    """
    g = np.asarray(template_total, dtype=np.float64)
    n = g.size
    if n < 12:
        return 1
    ac = _detrended_autocorrelation(g, n // 6)  # the trend: a sixth of the stroke
    if ac[0] <= 0:
        return 1
    ac = ac / ac[0]
    below = np.flatnonzero(ac < 0)
    if below.size == 0:
        return 1
    start = int(below[0])
    lag = 0
    if start < n // 3:
        lag = _period_peak(ac, start, n // 3 + 1)
        if ac[lag] <= _BEAT_CLARITY:  # the first peak is faint: the clearest one
            lag = start + int(np.argmax(ac[start : n // 3 + 1]))
    return lag if lag > 1 and ac[lag] > _BEAT_CLARITY else 1


def rhythm_clarity(total: np.ndarray, beat: int) -> float:
    """How clearly a piece repeats near a percussive template's beat (-1..1).

    The highest autocorrelation *peak* of the piece's detrended total force at lags from
    0.4 to 2.5 beats (a strike train played twice as fast or half as fast still counts).
    Noise, a resting hand or a few random touches do not repeat; strikes do. A peak, not
    any lag: a slow drift left after detrending still correlates with itself a few
    samples on, falling from lag 0 with no peak, and repeats nothing.

    Parameters
    ----------
    total : numpy.ndarray
        The piece's total force ``(n,)``, newtons.
    beat : int
        The template's beat, samples (:func:`beat_samples`; > 1).

    Returns
    -------
    float
        The clearest normalised autocorrelation peak in that range (0 when too short or
        without a peak).
    """
    found = _beat_autocorrelation(np.asarray(total, dtype=np.float64), beat)
    if found is None:
        return 0.0
    ac, lo, hi = found
    peaks = _local_peaks(ac, lo, hi)
    last = min(hi, ac.size) - 1
    if last > lo and ac[last] > ac[last - 1]:  # still rising: it repeats a little slower
        peaks = np.append(peaks, last)
    return float(np.max(ac[peaks]) / ac[0]) if peaks.size else 0.0


def strike_period(total: np.ndarray, beat: int) -> float:
    """Return the period of a strike train, samples.

    The first strong autocorrelation peak from 0.4 to 2.5 beats of the reference
    (:func:`_period_peak`), refined to a fraction of a sample by a parabola through it.
    Two hands that alternate with a swing (long, short, long...) repeat exactly only
    every second strike: when the strikes' median interval is half that lag, the period
    is the half. A tapotement's pace is how often it strikes, not how long its burst
    lasts (a performer may strike eight times or nine): the tempo component compares
    this period with the experts' (:attr:`~trainer.scoring.model.Reference.strike_period_s`).

    Parameters
    ----------
    total : numpy.ndarray
        Total force ``(n,)``, newtons.
    beat : int
        The reference's beat, samples (:func:`beat_samples`; > 1).

    Returns
    -------
    float
        The period, samples; ``nan`` when the piece is too short to show one.
    """
    g = np.asarray(total, dtype=np.float64)
    found = _beat_autocorrelation(g, beat)
    if found is None or found[2] <= found[1] + 1:
        return math.nan
    ac, lo, hi = found
    k = _period_peak(ac, lo, hi)
    period = float(k)
    if 0 < k < ac.size - 1:
        a, b, c = ac[k - 1], ac[k], ac[k + 1]
        curvature = a - 2.0 * b + c
        if curvature < 0:
            period = k + 0.5 * (a - c) / curvature
    peaks = _strikes(g, beat)
    if peaks.size >= 4:
        interval = float(np.median(np.diff(peaks)))
        if abs(0.5 * period - interval) <= _PAIRED_TOLERANCE * interval:
            return 0.5 * period
    return period


def strike_jitter(total: np.ndarray, beat: int) -> float:
    """Return how unevenly a train strikes, in force and in time.

    The RMS log ratio of each strike's height to the median of it and its neighbours,
    and of each interval between strikes to the median of it and two each side, added
    in quadrature. A strike much harder or weaker than those beside it, or a stray hit
    between two (a jerk, a tremor on the hand) counts; a change of level over a third,
    or of pace over the burst, does not (the median follows it).

    Parameters
    ----------
    total : numpy.ndarray
        Total force ``(n,)``, newtons.
    beat : int
        The reference's beat, samples (:func:`beat_samples`; > 1).

    Returns
    -------
    float
        The jitter, log units; ``nan`` with fewer than four strikes.
    """
    g = np.asarray(total, dtype=np.float64)
    peaks = _strikes(g, beat)
    if peaks.size < 4:
        return math.nan
    heights = _off_neighbours(np.log(g[peaks]), 1)
    # Two each side: a stray hit halves two intervals in a row.
    intervals = _off_neighbours(np.log(np.diff(peaks).astype(np.float64)), 2)
    return float(np.sqrt(np.mean(heights**2) + np.mean(intervals**2)))


def _strikes(total: np.ndarray, beat: int) -> np.ndarray:
    """Find a train's strikes: peaks 0.3 beat apart, a tenth of its peak high, over 1 N.

    The floor is the rest level (:data:`~trainer.scoring.strokes.OFF_THRESHOLD_N`): in a
    light burst, the sensors' noise between strikes reaches a tenth of its peak.
    """
    if total.size < 3 or total.max() <= 0:
        return np.empty(0, dtype=np.int64)
    height = max(_STRIKE_HEIGHT * float(total.max()), OFF_THRESHOLD_N)
    peaks, _ = find_peaks(total, distance=max(1, int(_STRIKE_SPACING * beat)), height=height)
    return peaks


def even_strikes(values: np.ndarray, beat: int) -> np.ndarray:
    """Return a strike train with each strike as hard as the median of it and its neighbours.

    The counterfactual of an even hand (:func:`strike_jitter` measures the opposite):
    every sample is scaled by its nearest strike's ratio of that median to its own
    height, so a strike made harder or weaker by a tremor or a stray jolt is set back to
    its neighbours' level, while a change of level over a third stays (the median
    follows it).

    Parameters
    ----------
    values : numpy.ndarray
        Forces ``(n, channels)``, newtons.
    beat : int
        The reference's beat, samples (> 1).

    Returns
    -------
    numpy.ndarray
        ``(n, channels)``; ``values`` itself with fewer than four strikes.
    """
    g = values.sum(axis=1)
    peaks = _strikes(g, beat)
    if peaks.size < 4:
        return values
    heights = np.log(g[peaks])
    ratio = np.exp(-_off_neighbours(heights, 1))
    # Each sample belongs to its nearest strike (borders half-way between two).
    nearest = np.searchsorted(0.5 * (peaks[1:] + peaks[:-1]), np.arange(g.size))
    return values * ratio[nearest][:, None]


def _off_neighbours(x: np.ndarray, reach: int) -> np.ndarray:
    """Each value less the median of it and ``reach`` neighbours each side (ends held)."""
    padded = np.pad(x, reach, mode="edge")
    windows = np.stack([padded[k : k + x.size] for k in range(2 * reach + 1)])
    return x - np.median(windows, axis=0)


def envelope(total: np.ndarray, beat: int) -> np.ndarray:
    """Return the running maximum over one beat.

    For percussion that is the level of its strikes; for a single sweep (``beat`` 1) it
    is the force itself.
    """
    if beat <= 1:
        return total
    return maximum_filter1d(total, size=beat, mode="nearest")
