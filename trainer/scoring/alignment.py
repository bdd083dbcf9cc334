"""Where a stroke sits against its reference: completion, time map and shape distance.

One alignment per stroke feeds every score component, so the components judge the same
correspondence. Three choices make it hard to fool (formulas in ``docs/scoring.md``):

* it works on the **total force**, low-passed to the reference's own bandwidth
  (:func:`shape_cutoff_hz`): how the load is spread over the hand is judged apart (load
  shares), and tremor or a jerk does not bend the time map;
* the stroke is first rescaled **uniformly** to the template's length and then warped only
  within a Sakoe–Chiba band of :data:`WINDOW_FRACTION` of it: a light second half cannot
  be folded onto the template's quiet end, where anything is "in band";
* a stroke that ends early is told from a fast one by two hypotheses: the whole stroke at
  its own pace, or the start of the stroke at the reference's pace (open-end alignment).

Pure maths on arrays: no files, clocks or threads.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from trainer.dtw import OpenEndAligner, dtw_path
from trainer.scoring.model import Reference
from trainer.scoring.percussion import (
    beat_samples,
    envelope,
    even_strikes,
    rhythm_clarity,
    strike_jitter,
    strike_period,
)
from trainer.signal import filter_offline

__all__ = [
    "MIN_COMPLETION",
    "WINDOW_FRACTION",
    "Alignment",
    "align_stroke",
    "align_total",
    "beat_samples",
    "envelope",
    "even_strikes",
    "judged_force",
    "rhythm_clarity",
    "shape_cutoff_hz",
    "smooth_total",
    "stretch",
    "strike_jitter",
    "strike_period",
    "unit",
    "window",
]

#: Sakoe–Chiba radius of the time map, as a fraction of the (covered) template length.
WINDOW_FRACTION = 0.10
#: A stroke whose open-end alignment covers less of the template than this, and which
#: that hypothesis explains better than a whole stroke does, stopped early.
MIN_COMPLETION = 0.97
#: Percussion: the partial hypothesis must fit at least this much better (distance ratio).
_PARTIAL_MARGIN = 0.85
#: Share of its peak a stroke holds until its release begins: a sweep, percussion.
_SWEEP_SUSTAIN = 0.8
_STRIKE_SUSTAIN = 0.5
#: A stroke let go early is at rest again within this share of the reference's remainder.
_RELEASE_SHARE = 0.5
#: Timing evidence for the stopped-early hypothesis (see :func:`_edges`): a stroke let
#: go early releases faster than uniform rushing predicts and starts at the reference's
#: pace. A sweep stopped early when its evidence is below this (log units).
_RELEASE_EVIDENCE = -0.4
#: Weight of the onset pace beside the release in that evidence (onsets vary more
#: between performers than releases do).
_ONSET_WEIGHT = 0.75
#: ... and its prefix fits no more than this much worse than the whole stroke (distance
#: ratio)...
_TIMED_PARTIAL_MARGIN = 1.25
#: ... or fit this closely in absolute terms (per-step RMS of peak-normalised profiles;
#: clean strokes fit their reference within about 0.02).
_CLOSE_FIT = 0.08
#: Timing evidence this strong decides alone, if the prefix fits within :data:`_LOOSE_FIT`:
#: a stroke let go with its own unhurried release may match a quicker whole stroke's shape
#: better than its prefix, yet no rushed stroke in the benchmark's four families came
#: below -0.71 (stopped-early strokes: medians -0.65 to -1.39).
_STRONG_RELEASE_EVIDENCE = -0.8
_LOOSE_FIT = 0.2
#: A sweep whose prefix fits this many times better than the whole stroke (distance
#: ratio) stopped early whatever its timing: a stroke lifted with its own unhurried
#: release times like a rushed one, but covers only the start of the reference's form.
#: No stroke done faster in the benchmark's five families fitted its prefix better than
#: 0.26 of the whole (stopped strokes: medians 0.08 to 1.3).
_PREFIX_FIT_RATIO = 0.2
#: Share of the template's spectral energy the shape cut-off keeps, and its floor.
_ENERGY_KEPT = 0.9
_MIN_CUTOFF_HZ = 2.5
_MAX_CUTOFF_HZ = 20.0


def stretch(x: np.ndarray, length: int) -> np.ndarray:
    """Uniformly rescale a series in time to ``length`` samples (linear interpolation).

    Parameters
    ----------
    x : numpy.ndarray
        ``(n,)`` or ``(n, channels)``.
    length : int
        Output samples (>= 1).

    Returns
    -------
    numpy.ndarray
        ``(length,)`` or ``(length, channels)``.
    """
    n = x.shape[0]
    if n == length:
        return x
    if n == 1:
        return np.repeat(x, length, axis=0)
    pos = np.linspace(0.0, n - 1, length)
    i0 = np.minimum(pos.astype(np.int64), n - 2)
    frac = pos - i0
    if x.ndim == 2:
        frac = frac[:, None]
    return x[i0] * (1.0 - frac) + x[i0 + 1] * frac


def shape_cutoff_hz(template_total: np.ndarray, fs_hz: float) -> float:
    """Bandwidth of a reference stroke, from the spectrum of its force's rate of change.

    1.5 × the frequency below which that spectrum holds 90 % of its energy.

    Effleurage's smooth sweep needs a few hertz, tapotement's strikes far more. Shape and
    pressure are judged below this frequency (so tremor bends neither), smoothness above
    it too.

    Parameters
    ----------
    template_total : numpy.ndarray
        The template's total force ``(L,)``, newtons.
    fs_hz : float
        Its sample rate, Hz.

    Returns
    -------
    float
        Cut-off, Hz, within 2.5–20 Hz and below 0.45 of the sample rate.
    """
    # The spectrum of the force's rate of change: the template starts and ends near rest,
    # so there are no edges to smear, and the level (DC) does not swamp the count.
    g = np.diff(np.asarray(template_total, dtype=np.float64))
    spectrum = np.abs(np.fft.rfft(g, n=4 * g.size)) ** 2
    freqs = np.fft.rfftfreq(4 * g.size, 1.0 / fs_hz)
    energy = np.cumsum(spectrum)
    if energy[-1] <= 0:
        return _MIN_CUTOFF_HZ
    f90 = float(freqs[int(np.searchsorted(energy, _ENERGY_KEPT * energy[-1]))])
    return float(min(max(1.5 * f90, _MIN_CUTOFF_HZ), _MAX_CUTOFF_HZ, 0.45 * fs_hz))


def smooth_total(total: np.ndarray, fs_hz: float, cutoff_hz: float) -> np.ndarray:
    """Zero-phase low-pass of a total-force profile, floored at 0 N (force cannot pull)."""
    if total.size < 4:
        return np.clip(total, 0.0, None)
    return np.clip(filter_offline(total, fs_hz, cutoff_hz, order=2), 0.0, None)


def smoothed_template(reference: Reference) -> tuple[np.ndarray, float]:
    """Return the reference's total force at its shape bandwidth, and that bandwidth (Hz).

    Strokes are smoothed to the same bandwidth before they are compared with it, so the
    comparison sees form, not the template's finer ripple. A stroke's score asks for it
    about ten times (each counterfactual aligns again): the last few references' are kept
    (read-only; a reference is immutable, and each entry holds its reference so that its
    ``id`` is not reused while cached).
    """
    key = id(reference)
    with _SMOOTHED_LOCK:
        hit = _SMOOTHED.get(key)
        if hit is not None and hit[0] is reference:
            _SMOOTHED.move_to_end(key)
            return hit[1], hit[2]
    fs = reference.fs_hz
    cutoff = shape_cutoff_hz(reference.total, fs)
    smooth = smooth_total(reference.total, fs, cutoff)
    smooth.flags.writeable = False
    with _SMOOTHED_LOCK:
        _SMOOTHED[key] = (reference, smooth, cutoff)
        while len(_SMOOTHED) > _SMOOTHED_KEPT:
            _SMOOTHED.popitem(last=False)
    return smooth, cutoff


#: How many references' smoothed templates :func:`smoothed_template` keeps.
_SMOOTHED_KEPT = 16
_SMOOTHED: OrderedDict[int, tuple[Reference, np.ndarray, float]] = OrderedDict()
_SMOOTHED_LOCK = threading.Lock()


def unit(x: np.ndarray) -> np.ndarray:
    """Divide a profile by its own peak (shape without amplitude)."""
    return x / max(float(x.max()), 1e-9)


@dataclass(frozen=True, slots=True, eq=False)
class Alignment:
    """How one stroke maps onto its reference.

    Parameters
    ----------
    completion : float
        How far through the reference the stroke was carried before it was let go
        (1.0: the whole stroke).
    covered : int
        Template samples the stroke covers (up to where it was let go).
    stroke : numpy.ndarray
        The stroke's forces uniformly rescaled to ``covered`` samples ``(covered, C)``.
    total : numpy.ndarray
        Its total force, smoothed to the reference's bandwidth ``(covered,)``, newtons.
    path : numpy.ndarray
        Warping path ``(k, 2)`` (stroke index, template index), within the band.
    distance : float
        Shape distance: per-step RMS difference of the peak-normalised totals.
    full_distance, partial_distance : float
        Distances under the two hypotheses (whole stroke; start at the reference's pace).
    held : int
        Stroke samples before it was let go (all of them unless it stopped early).
    """

    completion: float
    covered: int
    stroke: np.ndarray
    total: np.ndarray
    path: np.ndarray
    distance: float
    full_distance: float
    partial_distance: float
    held: int


def window(length: int, fraction: float = WINDOW_FRACTION) -> int:
    """Sakoe–Chiba radius of the time map for a template of ``length`` samples."""
    return max(2, round(fraction * length))


def _full(f: np.ndarray, g: np.ndarray) -> tuple[float, np.ndarray]:
    """Whole-stroke hypothesis: uniform rescale, then DTW within the band."""
    fs = stretch(f, g.size)
    dist, path = dtw_path(unit(fs), unit(g), window=window(g.size))
    return math.sqrt(dist**2 / len(path)), path


def _sustained_end(x: np.ndarray, share: float) -> int:
    """Last index at which a profile is still at ``share`` of its peak or more."""
    return int(np.flatnonzero(x >= share * x.max())[-1])


def _crossing(x: np.ndarray, level: float, *, last: bool) -> float:
    """Sub-sample position where a profile first (or last) reaches ``level``."""
    above = np.flatnonzero(x >= level)
    if last:
        i = int(above[-1])
        if i + 1 >= x.size or x[i] == x[i + 1]:
            return float(i)
        return i + (x[i] - level) / (x[i] - x[i + 1])
    i = int(above[0])
    if i == 0 or x[i] == x[i - 1]:
        return float(i)
    return i - (x[i] - level) / (x[i] - x[i - 1])


def _edges(x: np.ndarray) -> tuple[float, float]:
    """Onset and release durations of a profile, samples.

    Onset from 10 % to 40 % of its sustained level (the 90th percentile of its loaded
    samples, so a ripple or a swell does not move the mark), release from 60 % back down to
    10 %. The onset stops lower: a stroke that lands on the heel and then builds (a first
    crest near half its level) would otherwise be timed to its second rise, a performer's
    style rather than their pace.
    """
    loaded = x[x > 0.1 * x.max()]
    level = float(np.quantile(loaded, 0.9)) if loaded.size else float(x.max())
    onset = _crossing(x, 0.4 * level, last=False) - _crossing(x, 0.1 * level, last=False)
    release = _crossing(x, 0.1 * level, last=True) - _crossing(x, 0.6 * level, last=True)
    return max(onset, 0.5), max(release, 0.5)


def _timing_evidence(f: np.ndarray, g: np.ndarray) -> float:
    """Log evidence that a short stroke stopped early rather than rushed (< 0: stopped).

    Rushing compresses the whole stroke, its onset and release included, by its duration
    ratio ``d``; a stroke let go early starts at the reference's pace and ends in a lift
    faster than the reference's own release. So the release against ``d`` times the
    reference's, and (with less weight) the onset against the same. A stroke rushed
    through its glide with unhurried ramps releases as slowly as the reference or more:
    rushed too, not stopped.
    """
    d = f.size / g.size
    onset_f, release_f = _edges(f)
    onset_g, release_g = _edges(g)
    release = release_f / (d * release_g)
    onset = onset_f / (d * onset_g)
    return math.log(release) - _ONSET_WEIGHT * math.log(onset)


def _partial(f: np.ndarray, g: np.ndarray, share: float) -> tuple[float, float, int, int]:
    """Stopped-early hypothesis: the stroke at the reference's pace against a prefix.

    The stroke up to where it last holds ``share`` of its peak (its release left out: a
    stroke let go early falls fast, and that fall is not the reference's) is aligned
    open-end (the template's end free) within a band around the diagonal. Completion is
    how far that reached, relative to where the template itself last holds that share.

    Returns
    -------
    distance : float
        Per-step distance of the open-end alignment.
    completion : float
        0–1.
    reached : int
        Template samples the held part of the stroke covers.
    held : int
        Stroke samples before its release.
    """
    held = f[: _sustained_end(f, share) + 1]
    g_end = _sustained_end(g, share)
    aligner = OpenEndAligner(unit(g)[:, None], window=window(g.size))
    reached = aligner.push(unit(held)[:, None])
    steps = max(held.size, reached + 1)
    completion = min(1.0, (reached + 1) / (g_end + 1))
    return math.sqrt(aligner.cost / steps), completion, reached + 1, held.size


def _struck_throughout(f: np.ndarray, g: np.ndarray, shortest: int) -> bool:
    """Tell whether a train of strikes lasted as long as the experts' shortest.

    Its length rescaled by the experts' strike period over its own: a train let go early
    struck at its own pace for part of their burst. Its form alone may fit a prefix of
    theirs better than the whole (a light middle third looks like the gap after a
    train's end), but a train that struck for as long did not stop early.
    """
    if shortest <= 0:
        return False
    beat = beat_samples(g)
    own, theirs = strike_period(f, beat), strike_period(g, beat)
    if not (math.isfinite(own) and math.isfinite(theirs)) or own <= 0:
        return False
    return f.size * theirs / own >= shortest


def judged_force(values: np.ndarray, alignment: Alignment, beat: int) -> np.ndarray:
    """Return the force the pressure band judges, on the reference's time axis.

    A sweep: its smoothed total force, rescaled (``alignment.total``). A train of
    strikes: the level of its strikes, the running maximum over one beat of its total
    force taken at the stroke's own rate and only then rescaled. Rescaled first, a narrow
    strike lost height to the interpolation and to the shape low-pass (taken at the
    stroke's own rate: the faster the train, the narrower its strikes), so a train
    struck faster read as lighter and one struck slower as heavier, and the experts'
    band was as wide as that loss varied between their takes.

    Parameters
    ----------
    values : numpy.ndarray
        The stroke's forces ``(n, channels)``, newtons, low-passed; only the part held
        (``alignment.held`` samples) counts.
    alignment : Alignment
        Its alignment with the reference.
    beat : int
        The reference's beat, samples (:func:`beat_samples`; 1 for a sweep).

    Returns
    -------
    numpy.ndarray
        ``(alignment.covered,)`` newtons.
    """
    if beat <= 1:
        return alignment.total
    held = min(alignment.held, values.shape[0])
    own_beat = max(2, round(beat * held / alignment.covered))
    level = envelope(values[:held].sum(axis=1), own_beat)
    return stretch(level, alignment.covered)


def align_stroke(x: np.ndarray, reference: Reference) -> Alignment:
    """Align a stroke (at the reference's rate) with its reference.

    Parameters
    ----------
    x : numpy.ndarray
        Forces ``(n, channels)``, newtons, low-passed, at ``reference.fs_hz``.
    reference : Reference
        What to compare with.

    Returns
    -------
    Alignment
        Completion, the rescaled stroke and its time map.
    """
    template_total, cutoff = smoothed_template(reference)
    shortest = round(reference.duration_s[0] * reference.fs_hz)
    return align_total(x, template_total, reference.fs_hz, cutoff, shortest=shortest)


def align_total(
    x: np.ndarray,
    template_total: np.ndarray,
    fs_hz: float,
    cutoff_hz: float,
    *,
    whole: bool = False,
    shortest: int = 0,
) -> Alignment:
    """Align a stroke with a template's (smoothed) total force.

    Parameters
    ----------
    x : numpy.ndarray
        Forces ``(n, channels)``, newtons, at ``fs_hz``.
    template_total : numpy.ndarray
        The template's total force ``(L,)``, smoothed with :func:`smooth_total`.
    fs_hz, cutoff_hz : float
        Sample rate and the shape bandwidth (:func:`shape_cutoff_hz`), Hz.
    whole : bool
        Take the stroke as complete (no stopped-early hypothesis), as for experts' takes.
    shortest : int
        The experts' shortest stroke, samples (0: unknown). A train of strikes that,
        at the experts' strike rate, lasts as long was not let go early.

    Returns
    -------
    Alignment
        Completion, the rescaled stroke and its time map.
    """
    g = template_total
    f = smooth_total(x.sum(axis=1), fs_hz, cutoff_hz)
    length = g.size
    full_d, path = _full(f, g)
    partial_d, completion, covered, held = math.inf, 1.0, length, f.size
    if not whole and f.size < length:
        # A sweep is held until its release begins; percussion until its last strike
        # of at least half the peak (a train of strikes has no release of its own).
        sweep = beat_samples(g) <= 1
        share = _SWEEP_SUSTAIN if sweep else _STRIKE_SUSTAIN
        partial_d, reached, end, kept = _partial(f, g, share)
        # Let go early: the stroke falls to rest soon after, where the reference goes on
        # (a stroke only too light at the end keeps going at its light level).
        let_go = f.size - kept < _RELEASE_SHARE * (length - end)
        if sweep:
            # The open-end path may run ahead of the stroke by up to its band; a stroke
            # let go early was at the reference's pace: it covered no more than it held.
            reached = min(reached, kept / (_sustained_end(g, share) + 1))
            # A sweep's shape fits a quicker whole stroke about as well as a prefix: its
            # onset and release decide. At the reference's pace the stroke's length is
            # how much of it was done, and its held part covers as many template samples.
            evidence = _timing_evidence(f, g)
            stopped = (
                (
                    partial_d < max(_TIMED_PARTIAL_MARGIN * full_d, _CLOSE_FIT)
                    and evidence < _RELEASE_EVIDENCE
                )
                or (partial_d < _LOOSE_FIT and evidence < _STRONG_RELEASE_EVIDENCE)
                or partial_d < _PREFIX_FIT_RATIO * full_d
            )
            if stopped:
                reached, end = min(reached, f.size / length), min(kept, length)
        else:
            stopped = partial_d < _PARTIAL_MARGIN * full_d and not _struck_throughout(
                f, g, shortest
            )
        if stopped and reached < MIN_COMPLETION and let_go:
            completion, covered, held = reached, max(3, min(end, kept)), max(3, kept)
    if covered < length:
        f = f[:held]
        x = x[:held]
        dist, path = dtw_path(unit(stretch(f, covered)), unit(g[:covered]), window=window(covered))
        distance = math.sqrt(dist**2 / len(path))
    else:
        distance = full_d
    return Alignment(
        completion=completion,
        covered=covered,
        stroke=stretch(x, covered),
        total=stretch(f, covered),
        path=path,
        distance=distance,
        full_distance=full_d,
        partial_distance=partial_d,
        held=held,
    )
