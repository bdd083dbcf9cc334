"""The built-in score components: shape, pressure, tempo and smoothness (pure maths).

Each scorer takes a :class:`StrokeContext` (the stroke, its reference and their
:class:`~trainer.scoring.alignment.Alignment`) and returns a :class:`ComponentResult`: a
0–100 score and the *faults* that explain what it lost, each with its share of the loss.
A fault is named once, by what would recover the most points if it were fixed
(counterfactual), so a stroke that is too light throughout is "too light", not "too light
at the start, in the middle and at the end". Formulas: ``docs/scoring.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.ndimage import median_filter

from trainer.dtw import dtw_path
from trainer.exceptions import ScoringError
from trainer.scoring.alignment import (
    Alignment,
    beat_samples,
    envelope,
    smoothed_template,
    strike_jitter,
    strike_period,
    unit,
    window,
)
from trainer.scoring.model import Reference
from trainer.signal import filter_offline, region_shares

__all__ = [
    "LOADED_N",
    "MIN_SHAPE_SCALE",
    "PHASES",
    "SHAPE_FREE",
    "SHAPE_SCALE",
    "ComponentResult",
    "StrokeContext",
    "band_middle",
    "curve",
    "expected_shares",
    "load_distance",
    "mean_along_path",
    "phase_of",
    "pressure_component",
    "shape_component",
    "smoothness",
    "smoothness_component",
    "step_gains",
    "strike_envelope",
    "stroke_context",
    "stroke_shares",
    "tam",
    "tempo_component",
]

PHASES = ("start", "middle", "end")
#: Sakoe–Chiba radius of the form's time map, as a share of the template: wider than the
#: level's (levels are divided out first, so warping cannot hide them), enough to follow
#: a third done in half its time.
FORM_WINDOW = 0.25
WHERE = {"start": "at the start", "middle": "in the middle", "end": "at the end"}
_SECTION = {"start": "the start", "middle": "the middle", "end": "the end"}
#: ``100 · exp(-K (x / scale)^2)`` is 90 at ``x = scale``.
K90 = math.log(100.0 / 90.0)
#: Below this total force, load shares are not meaningful.
LOADED_N = 1.0
#: Floor of the shape scale: takes that agree closely would otherwise make a sensor's
#: resolution count as a fault (per-step RMS of peak-normalised force, 2.5 %).
MIN_SHAPE_SCALE = 0.025
_MIN_TAM_SCALE = 0.3
#: The shape score is 90 at this many times the experts' 90th-percentile distance: a
#: competent performer of another school sits a little beyond the reference's own.
SHAPE_SCALE = 1.5
#: A form within this many of the experts' own 90th-percentile distances (leave-one-out)
#: from the template loses nothing: the reference's performers differ that much from
#: their own mean, so a stroke that does is as good as theirs.
SHAPE_FREE = 1.0
#: Completion short of 1 by this much costs 10 % of the shape score.
_COMPLETION_SCALE = 0.08
#: Load-share tolerance (total variation distance beyond the free share scoring 90), floor.
SHARE_MIN_TOL = 0.08
#: Share of the load tolerance within which a spread loses nothing (the experts' own).
SHARE_FREE = 0.5
#: Duration tolerance (log ratio scoring 90), floor: 12 %.
_DURATION_MIN_TOL = math.log(1.12)
#: Share of the tempo score that judges the overall pace (the rest: even pace within).
_TEMPO_GLOBAL_WEIGHT = 0.85
#: Smoothness tolerance: a log-dimensionless-jerk deficit scoring 90, floor.
_JERK_MIN_TOL = 0.6
#: Percussion: strike-height jitter tolerance (log units scoring 90 beyond the experts'
#: mean), floor: a strike 10 % off its neighbours.
_JITTER_MIN_TOL = 0.1
#: Smoothness is measured below this frequency (above it is sensor noise).
_JERK_CUTOFF_HZ = 14.0
#: Width of the joins between thirds in the level profile, a fraction of the stroke.
_GAIN_SEGMENTS = 6
#: Width of the raised-cosine joins between the thirds' levels (share of the stroke).
_GAIN_EDGE = 0.06
#: Share of the template's peak above which its level is read for the step gains.
_STEP_LOADED = 0.3
#: The slowest tremor (Hz) the step gains must not follow.
_TREMOR_MIN_HZ = 6.0
#: Inner share of the band's half-width where the force loses nothing.
_BAND_FREE = 0.6
#: Timing a competent performer may differ by, a share of the template's length: each
#: third of a stroke is read up to this much earlier or later before the band judges it,
#: so a ramp landed or released a little earlier or later costs nothing (levels still do).
BAND_TIMING = 0.04
#: A counterfactual must recover this share of the remaining band loss to be named.
_NAMED_GAIN = 0.2
#: A level error is "throughout" when the least-off third is off by at least this share
#: of the most-off one (and the same way).
_THROUGHOUT_EVENNESS = 0.6


def curve(x: float, scale: float) -> float:
    """``100 · exp(-K (x / scale)^2)``: 100 at 0, 90 at ``scale``; monotone decreasing."""
    return 100.0 * math.exp(-K90 * (x / max(scale, 1e-12)) ** 2)


def phase_of(j: np.ndarray, length: int) -> np.ndarray:
    """Third of the template (0 start, 1 middle, 2 end) of each template index."""
    return np.minimum((3 * j) // max(length, 1), 2)


def mean_along_path(values: np.ndarray, path: np.ndarray, length: int) -> np.ndarray:
    """Average the stroke samples mapped to each template index.

    Parameters
    ----------
    values : numpy.ndarray
        Stroke samples ``(n,)`` or ``(n, k)``.
    path : numpy.ndarray
        Warping path ``(p, 2)`` (stroke index, template index) covering ``0..length-1``.
    length : int
        Template length ``L``.

    Returns
    -------
    numpy.ndarray
        ``(L,)`` or ``(L, k)``.
    """
    sums = np.zeros((length, *values.shape[1:]))
    counts = np.zeros(length)
    np.add.at(sums, path[:, 1], values[path[:, 0]])
    np.add.at(counts, path[:, 1], 1.0)
    return sums / np.maximum(counts, 1.0).reshape((-1,) + (1,) * (values.ndim - 1))


def stroke_shares(values: np.ndarray, regions: Sequence[str]) -> np.ndarray | None:
    """Mean load share of each hand region over the loaded samples of a stroke.

    Parameters
    ----------
    values : numpy.ndarray
        Forces ``(n, channels)``, newtons.
    regions : sequence of str
        Region of each channel (a glove profile's ``regions``).

    Returns
    -------
    numpy.ndarray or None
        ``(R,)`` shares in region order summing to 1, or ``None`` if never loaded.
    """
    _, shares = region_shares(values, tuple(regions))
    loaded = values.sum(axis=1) >= LOADED_N
    if not loaded.any():
        return None
    return shares[loaded].mean(axis=0)


def smoothness(total: np.ndarray, fs_hz: float, level_n: float = 0.0, pace: float = 1.0) -> float:
    """Log dimensionless jerk of a stroke's total force below 14 Hz (higher = smoother).

    ``LDLJ = -ln(T³ / P² · ∫ (d²F/dt²)² dt)`` (Hogan & Sternad 2009, the force profile in
    the role of speed), with ``P = max(peak force, level_n)``: scale-free for strokes at
    or above the expected level, while a light stroke is not called jerky for the sensor
    noise that its own small peak would magnify.

    Parameters
    ----------
    total : numpy.ndarray
        Total force ``(n,)``, newtons.
    fs_hz : float
        Sample rate, Hz.
    level_n : float
        The expected peak force (the reference's), newtons.
    pace : float
        Duration of the stroke over the reference's (covered) duration: the cut-off is
        ``14 Hz · pace^-0.8``, so a slow stroke is not called jerky for its sensor noise.

    Returns
    -------
    float
        LDLJ, dimensionless.

    Raises
    ------
    ScoringError
        Too short or without force.
    """
    x = np.asarray(total, dtype=np.float64)
    if x.size < 8 or not np.all(np.isfinite(x)) or x.max() <= 0:
        raise ScoringError("cannot score smoothness: too short or without force")
    # A stroke done at `pace` times the reference's duration has its content that much
    # lower; the cut-off follows it (to the 4/5 power: sensor noise's jerk then weighs
    # the same whatever the pace, since its integral grows as T⁴ · cutoff⁵).
    cutoff = min(_JERK_CUTOFF_HZ * pace ** (-0.8), 0.45 * fs_hz)
    x = np.clip(filter_offline(x, fs_hz, cutoff, order=2), 0.0, None)
    duration = x.size / fs_hz
    second = np.diff(x, 2) * fs_hz**2
    integral = float(np.sum(second**2)) / fs_hz
    peak = max(float(x.max()), level_n, 1e-9)
    return -math.log(max(duration**3 / peak**2 * integral, 1e-300))


@dataclass(frozen=True, slots=True, eq=False)
class StrokeContext:
    """What every component scorer sees of one stroke.

    Pressure judges *how hard, where*; shape and smoothness judge the *form* of the
    force once each third's level is set to the reference's (:attr:`form`), so a stroke
    that is only too light at the end is not also called misshapen or jerky.

    Parameters
    ----------
    values : numpy.ndarray
        Forces ``(n, channels)``, newtons, low-passed, at the reference's rate.
    duration_s : float
        Duration of the stroke as performed, seconds.
    reference : Reference
        What it is compared with.
    alignment : Alignment
        The stroke's time map onto the reference.
    gains : numpy.ndarray
        Level of the stroke against the template per template index ``(covered,)``,
        smoothed over a sixth of the stroke (:func:`_gain_profile`): divided out before
        shape and evenness of pace are judged.
    form : numpy.ndarray
        Total force divided by its third's level (:func:`_third_gains`), newtons, up to
        where the stroke was let go ``(held,)``: what smoothness judges.
    form_distance : float
        Shape distance of the level-corrected total force (per-step RMS of the
        peak-normalised profiles along :attr:`path`).
    path : numpy.ndarray
        Warping path ``(k, 2)`` of the stroke, its level per third divided out and
        uniformly rescaled, onto the covered template, within the band.
    """

    values: np.ndarray
    duration_s: float
    reference: Reference
    alignment: Alignment
    gains: np.ndarray
    form: np.ndarray
    form_distance: float
    path: np.ndarray


def band_middle(reference: Reference, covered: int) -> np.ndarray:
    """Middle of the reference's band over the covered template, newtons ``(covered,)``."""
    return 0.5 * (reference.band_lo[:covered] + reference.band_hi[:covered])


def _gain_profile(force: np.ndarray, mid: np.ndarray) -> np.ndarray:
    """Level of a stroke against the template, smoothed over a sixth of the stroke.

    ``g = MA(w·F) / MA(w·T)`` with ``w = max(T, 1 N)`` and ``MA`` a moving average over
    ``max(L/6, 3)`` samples (edges held): a level that changes anywhere, not only at the
    thirds' borders, is divided out before the form is judged, while a tremor or a jerk,
    faster than that window, stays in it.
    """
    n = force.size
    level = np.maximum(mid, LOADED_N)
    width = max(3, round(n / _GAIN_SEGMENTS))
    kernel = np.hanning(width + 2)[1:-1]
    kernel /= kernel.sum()

    def smooth(x: np.ndarray) -> np.ndarray:
        padded = np.pad(x, width, mode="edge")
        return np.convolve(padded, kernel, mode="same")[width:-width]

    ratio = smooth(level * force) / np.maximum(smooth(level * mid), 1e-9)
    return np.clip(ratio, 0.05, 20.0)


def _third_gains(force: np.ndarray, mid: np.ndarray) -> np.ndarray:
    """Per-third level ratio of a stroke to the template, joined by raised-cosine edges.

    The smoothness form divides these out: coarser than :func:`_gain_profile`, so a
    tremor or a jerk is never mistaken for a change of level.
    """
    n = force.size
    level = np.maximum(mid, LOADED_N)
    phase = phase_of(np.arange(n), n)
    ratios = np.array(
        [
            (level * force)[phase == p].sum() / max((level * mid)[phase == p].sum(), 1e-9)
            if np.any(phase == p)
            else 1.0
            for p in range(3)
        ]
    )
    ratios = np.clip(ratios, 0.05, 20.0)
    gains = ratios[phase].astype(np.float64)
    edge = max(2, round(_GAIN_EDGE * n))
    kernel = np.hanning(edge + 2)[1:-1]
    padded = np.pad(np.log(gains), edge, mode="edge")
    smooth = np.convolve(padded, kernel / kernel.sum(), mode="same")[edge:-edge]
    return np.exp(smooth)


def step_gains(total: np.ndarray, template: np.ndarray, fs_hz: float) -> np.ndarray:
    """Return a stroke's level against the template, sample by sample, its steps kept.

    The running median of the stroke-to-template ratio where the template is loaded
    (over a sixth of the stroke, and at least one period of the slowest tremor, 6 Hz):
    a median follows a change of level as quickly as the stroke made it, and ignores a
    spike, a dip or a tremor shorter than half its window. Dividing it out gives the
    stroke as it would have been at the reference's level, its own form kept (see
    ``trainer.scoring.scoring``: what a level error costs the other components is the
    level error's).

    Parameters
    ----------
    total : numpy.ndarray
        The stroke's total force ``(n,)``, newtons.
    template : numpy.ndarray
        The template's total force on the stroke's samples ``(n,)`` (uniformly
        rescaled), newtons.
    fs_hz : float
        Sample rate of both, Hz.

    Returns
    -------
    numpy.ndarray
        Level ratio per stroke sample ``(n,)``.
    """
    n = total.size
    loaded = template >= max(_STEP_LOADED * float(template.max()), LOADED_N)
    if n < 3 or not np.any(loaded):
        return np.ones(n)
    idx = np.flatnonzero(loaded)
    # Outside the loaded part (the ramps' feet) the nearest loaded ratio holds.
    ratio = np.interp(np.arange(n), idx, total[idx] / template[idx])
    size = max(3, n // _GAIN_SEGMENTS, round(fs_hz / _TREMOR_MIN_HZ)) | 1
    return np.exp(median_filter(np.log(np.clip(ratio, 0.05, 20.0)), size=size, mode="nearest"))


def stroke_context(
    values: np.ndarray, duration_s: float, reference: Reference, alignment: Alignment
) -> StrokeContext:
    """Gather what the component scorers need, the level-corrected form included.

    Pressure is read in *real-time* phases: the stroke rescaled uniformly onto the
    template's axis, with no warping that could fold a light half onto a quiet end. Its
    level per third (:attr:`StrokeContext.gains`) is divided out before the form is
    aligned (DTW within the band) for shape, evenness of pace and smoothness.

    Parameters
    ----------
    values : numpy.ndarray
        Forces ``(n, channels)``, newtons, at the reference's rate.
    duration_s : float
        Duration as performed, seconds.
    reference : Reference
        What it is compared with.
    alignment : Alignment
        From :func:`~trainer.scoring.alignment.align_stroke`.

    Returns
    -------
    StrokeContext
        The context.
    """
    al = alignment
    # Levels against the template itself (not the band): the template's own form is
    # then left untouched, and only the stroke's departures from it are divided out.
    g = smoothed_template(reference)[0][: al.covered]
    # Shape: levels divided out wherever they change (a sixth of the stroke at a time),
    # so a stroke light from its middle on is not also "misshapen".
    gains = _gain_profile(al.total, g)
    fine, fine_path = dtw_path(
        unit(al.total / gains), unit(g), window=window(al.covered, FORM_WINDOW)
    )
    # Pace and smoothness: levels per third only, coarse enough that a rushed ramp or a
    # tremor is not taken for a change of level.
    thirds = _third_gains(al.total, g)
    _, path = dtw_path(unit(al.total / thirds), unit(g), window=window(al.covered, FORM_WINDOW))
    n = values.shape[0]
    at_sample = np.interp(
        np.arange(n) * (al.covered - 1) / max(n - 1, 1), np.arange(al.covered), thirds
    )
    form = values.sum(axis=1) / at_sample
    distance = math.sqrt(fine**2 / len(fine_path))
    return StrokeContext(values, duration_s, reference, al, gains, form, distance, path)


@dataclass(frozen=True, slots=True)
class ComponentResult:
    """One component's verdict on a stroke.

    Parameters
    ----------
    score : float or None
        0–100, or ``None`` when the component cannot judge this stroke.
    faults : tuple of (code, message, share)
        What the loss is made of; shares are > 0 and sum to 1 when the score is below 100.
    flags : tuple of str
        Facts worth flagging (``load:<region>``...).
    details : dict
        Measured quantities behind the score.
    """

    score: float | None
    faults: tuple[tuple[str, str, float], ...] = ()
    flags: tuple[str, ...] = ()
    details: dict[str, float] = field(default_factory=dict)


def _shares_of(parts: list[tuple[str, str, float]]) -> tuple[tuple[str, str, float], ...]:
    """Normalise (code, message, weight) parts to shares summing to 1."""
    total = sum(p[2] for p in parts if p[2] > 0)
    if total <= 0:
        return ()
    return tuple((c, m, w / total) for c, m, w in parts if w > 0)


def _log_loss(score: float) -> float:
    return -math.log(max(score, 1e-3))


# -- shape ------------------------------------------------------------------------------


def shape_component(ctx: StrokeContext) -> ComponentResult:
    """Shape of the total force against the template's, and how much of it was done."""
    al, ref = ctx.alignment, ctx.reference
    scale = SHAPE_SCALE * max(ref.shape_d90, MIN_SHAPE_SCALE)
    form = curve(max(0.0, ctx.form_distance - SHAPE_FREE * ref.shape_d90), scale) / 100.0
    done = math.exp(-K90 * ((1.0 - al.completion) / _COMPLETION_SCALE) ** 2)
    parts: list[tuple[str, str, float]] = []
    if done < 1.0:
        parts.append(
            (
                "stopped_early",
                f"stopped early: the stroke covered about {100 * al.completion:.0f} % of the "
                "reference; carry it through to the end",
                _log_loss(done),
            )
        )
    if form < 1.0:
        parts.append(("shape", _shape_message(ctx), _log_loss(form)))
    return ComponentResult(
        100.0 * form * done,
        _shares_of(parts),
        details={"shape_distance": ctx.form_distance, "completion": al.completion},
    )


def _shape_message(ctx: StrokeContext) -> str:
    """Say in which third the force profile departs most from the reference's."""
    al, path = ctx.alignment, ctx.path
    g = unit(smoothed_template(ctx.reference)[0][: al.covered])
    f = unit(al.total / ctx.gains)  # on the pace path: near enough to say which third
    diff = f[path[:, 0]] - g[path[:, 1]]
    by_phase = np.bincount(phase_of(path[:, 1], al.covered), weights=diff**2, minlength=3)
    where = PHASES[int(np.argmax(by_phase))]
    return f"stroke shape differs from the reference: most {WHERE[where]} of the stroke"


# -- pressure ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Band:
    """Where force loses nothing (``free_lo``..``free_hi``) and how fast it loses beyond.

    The free zone is the inner :data:`_BAND_FREE` of the band's half-width around its
    middle; ``scale`` is the rest of the half-width (10 % lost at the band's edge).
    """

    free_lo: np.ndarray
    free_hi: np.ndarray
    scale: np.ndarray


def _retimed(force: np.ndarray, band: _Band, w: np.ndarray, length: int) -> np.ndarray:
    """Return the stroke with each third read at the time shift that fits the band best.

    A performer who lands or lets go a few per cent of the stroke earlier or later than
    the experts did is timed differently, not lighter or heavier: each third is read
    ``s`` samples later or earlier, ``|s| <= round(BAND_TIMING · length)``, the ``s``
    with the least band loss there (the smallest ``|s|`` among equals). One shift per
    third cannot make a light or heavy stretch fit: its level stays off.
    """
    n = force.size
    reach = round(BAND_TIMING * length)
    if reach == 0 or n < 3:
        return force
    phase = phase_of(np.arange(n), n)
    out = force.copy()
    shifts = sorted(range(-reach, reach + 1), key=abs)
    for p in range(3):
        idx = np.flatnonzero(phase == p)
        if idx.size == 0:
            continue
        best, best_loss = idx, math.inf
        trial = force.copy()
        for s in shifts:
            moved = np.clip(idx + s, 0, n - 1)
            trial[idx] = force[moved]
            loss = float(_band_loss(trial, band, w)[idx].sum())
            if loss < best_loss - 1e-12:
                best, best_loss = moved, loss
        out[idx] = force[best]
    return out


def _band_loss(force: np.ndarray, band: _Band, w: np.ndarray) -> np.ndarray:
    """Per template index: ``w_j (1 - exp(-K u_j^2))``, ``u_j`` the overshoot of the free zone.

    ``u_j = max(0, F_j - free_hi_j, free_lo_j - F_j) / ((1 - f) half_j)`` with ``f``
    the free share (:data:`_BAND_FREE`): nothing is lost in the inner part of the band,
    10 % at its edge, and the loss grows smoothly beyond.
    """
    u = np.maximum.reduce([force - band.free_hi, band.free_lo - force, np.zeros_like(force)])
    u = u / band.scale
    return w * (1.0 - np.exp(-K90 * u**2))


def _level_ratio(force: np.ndarray, mid: np.ndarray, w: np.ndarray, mask: np.ndarray) -> float:
    """Weighted level of a stroke against the band's middle over ``mask``."""
    return float((w * force)[mask].sum() / max((w * mid)[mask].sum(), 1e-9))


def _level_faults(
    force: np.ndarray, mid: np.ndarray, band: _Band, w: np.ndarray
) -> list[tuple[str, str, float]]:
    """Name the pressure faults by counterfactuals, largest recovery first.

    Candidates: the whole stroke's level, or one third's level, rescaled to the band's
    middle. The one whose fix recovers most of the band loss is named and applied, then
    the rest is tried again; what no rescaling explains is left to the thirds where it
    lies (too light or too heavy there).
    """
    length = force.size
    phase = phase_of(np.arange(length), length)
    masks = {"": np.ones(length, bool)} | {p: phase == i for i, p in enumerate(PHASES)}
    current = force.copy()
    faults: list[tuple[str, str, float]] = []
    # "Throughout" only when every third was off the same way and by a like amount: a
    # stroke light from its middle on is light there, not throughout.
    devs = [_level_ratio(force, mid, w, masks[p]) - 1.0 for p in PHASES]
    if not (all(d < 0 for d in devs) or all(d > 0 for d in devs)) or min(map(abs, devs)) < (
        _THROUGHOUT_EVENNESS * max(map(abs, devs))
    ):
        masks.pop("")
    for _ in range(3):
        loss = float(_band_loss(current, band, w).sum())
        if loss <= 1e-9:
            break
        best: tuple[float, str, float] | None = None
        for name, mask in masks.items():
            ratio = _level_ratio(current, mid, w, mask)
            if (ratio < 1.0) != (_level_ratio(force, mid, w, mask) < 1.0):
                # After the whole stroke is rescaled a third can look heavy that the
                # student pressed lightly: never name a fault against what was done.
                continue
            fixed = np.where(mask, current / max(ratio, 1e-6), current)
            gain = loss - float(_band_loss(fixed, band, w).sum())
            if best is None or gain > best[0] + 1e-12:
                best = (gain, name, ratio)
        if best is None or best[0] < _NAMED_GAIN * loss:
            break
        gain, name, ratio = best
        mask = masks[name]
        kind = "light" if ratio < 1.0 else "heavy"
        # Figures of the stroke as performed, not of the partly rescaled one.
        off = float(((force - mid) * w)[mask].sum() / max(w[mask].sum(), 1e-12))
        shown = _level_ratio(force, mid, w, mask)
        side = "under" if off < 0 else "over"
        where = f" {WHERE[name]} of the stroke" if name else " throughout the stroke"
        code = f"too_{kind}_{name or 'throughout'}"
        faults.append(
            (
                code,
                f"too {kind}{where}: about {abs(off):.1f} N {side} the target "
                f"({100 * shown:.0f} % of the reference's pressure)",
                gain,
            )
        )
        masks.pop(name)
        current = np.where(mask, current / max(ratio, 1e-6), current)
    rest = _band_loss(current, band, w)
    for i, name in enumerate(PHASES):
        # One line per third, named by the side the stroke as performed was on there: a
        # rescaled light stroke can overshoot the band, but the student pressed lightly
        # (and a third both "too light" and "too heavy" would contradict itself).
        here = phase == i
        lost = float(rest[here].sum())
        named = next((k for k, f in enumerate(faults) if f[0].endswith(f"_{name}")), None)
        if named is not None:  # this third's level was named: the rest is its remainder
            code, message, gain = faults[named]
            faults[named] = (code, message, gain + lost)
        elif lost > 0:
            kind = "light" if float((w * (force - mid))[here].sum()) < 0 else "heavy"
            faults.append((f"too_{kind}_{name}", f"too {kind} {WHERE[name]} of the stroke", lost))
    return faults


def expected_shares(ref: Reference, covered: int) -> np.ndarray:
    """Return the experts' load shares over the first ``covered`` template samples.

    A stroke let go early never reached the later part of the reference, whose load may
    sit elsewhere (petrissage's thumb squeezes before the fingers): its shares are the
    experts' mean moved by what the template's own shares lose with that part.
    """
    if covered >= ref.length:
        return ref.share_mean
    whole = stroke_shares(ref.template, ref.profile.regions)
    done = stroke_shares(ref.template[:covered], ref.profile.regions)
    if whole is None or done is None:
        return ref.share_mean
    moved = np.clip(ref.share_mean + done - whole, 0.0, None)
    return moved / max(float(moved.sum()), 1e-12)


def load_distance(values: np.ndarray, ref: Reference, covered: int) -> float:
    """Return how much of a stroke's load lies elsewhere on the hand than the experts'.

    The total variation distance of its load shares from :func:`expected_shares` over
    the first ``covered`` template samples; 0 for a stroke never loaded.
    """
    shares = stroke_shares(values, ref.profile.regions)
    if shares is None:
        return 0.0
    return 0.5 * float(np.abs(shares - expected_shares(ref, covered)).sum())


def _load_fault(
    shares: np.ndarray, ref: Reference, expected: np.ndarray
) -> tuple[float, list[tuple[str, str, float]], list[str], float]:
    """Load spread over the hand regions: factor, fault, flags, total variation distance."""
    dev = shares - expected
    tv = 0.5 * float(np.abs(dev).sum())
    tolerance = max(SHARE_MIN_TOL, float(ref.share_sd.sum()))
    over = max(0.0, tv - SHARE_FREE * tolerance)  # within it, a spread as the experts'
    factor = math.exp(-K90 * (over / tolerance) ** 2)
    flag_tol = np.maximum(0.10, 2.0 * ref.share_sd)
    flags = [f"load:{r}" for r, d, t in zip(ref.regions, dev, flag_tol, strict=True) if abs(d) > t]
    if factor >= 1.0:
        return factor, [], flags, tv
    over = int(np.argmax(dev))
    under = int(np.argmin(dev))
    region, low = ref.regions[over], ref.regions[under]
    message = (
        f"uneven load: {region.replace('_', ' ')} carries {100 * shares[over]:.0f} % of the "
        f"load (expected {100 * expected[over]:.0f} %), "
        f"{low.replace('_', ' ')} {100 * shares[under]:.0f} % "
        f"(expected {100 * expected[under]:.0f} %)"
    )
    return factor, [(f"load_{region}", message, 1.0)], flags, tv


def pressure_component(ctx: StrokeContext) -> ComponentResult:
    """Force along the reference's band (level and where), and load over the hand."""
    al, ref = ctx.alignment, ctx.reference
    n = al.covered
    lo, hi = ref.band_lo[:n], ref.band_hi[:n]
    mid = 0.5 * (lo + hi)
    half = np.maximum.reduce([0.5 * (hi - lo), 0.05 * mid, np.full(n, 0.25)])
    level = np.maximum(mid, LOADED_N)
    w = level / level.sum()
    # Real-time phases: the stroke rescaled uniformly, not warped; percussion by the
    # level of its strikes (the band was built the same way).
    force = envelope(al.total, beat_samples(ref.total))
    band = _Band(mid - _BAND_FREE * half, mid + _BAND_FREE * half, (1.0 - _BAND_FREE) * half)
    force = _retimed(force, band, w, ref.length)
    band_loss = float(_band_loss(force, band, w).sum())
    faults = _level_faults(force, mid, band, w)
    shares = stroke_shares(ctx.values, ref.profile.regions)
    load_factor, tv = 1.0, 0.0
    load_faults: list[tuple[str, str, float]] = []
    flags: list[str] = []
    if shares is not None:
        expected = expected_shares(ref, n)
        load_factor, load_faults, flags, tv = _load_fault(shares, ref, expected)
    band_factor = 1.0 - band_loss
    parts = [(c, m, g / max(band_loss, 1e-12) * _log_loss(band_factor)) for c, m, g in faults]
    parts += [(c, m, s * _log_loss(load_factor)) for c, m, s in load_faults]
    details = {
        "time_in_band": float(np.mean((force >= lo) & (force <= hi))),
        "time_too_light": float(np.mean(force < lo)),
        "time_too_heavy": float(np.mean(force > hi)),
        "peak_force_n": float(ctx.values.sum(axis=1).max()),
        "pressure_ratio": float((w * force).sum() / max((w * mid).sum(), 1e-9)),
        "load_distance": tv,
    }
    return ComponentResult(
        100.0 * band_factor * load_factor, _shares_of(parts), tuple(flags), details
    )


# -- tempo ------------------------------------------------------------------------------


def tam(path: np.ndarray) -> float:
    """Time Alignment Measurement of a warping path (Folgado et al. 2018), 0–3."""
    di, dj = np.diff(path[:, 0]), np.diff(path[:, 1])
    n = max(int(path[-1, 0]), 1)
    m = max(int(path[-1, 1]), 1)
    advance = int(np.count_nonzero(di == 0))
    delay = int(np.count_nonzero(dj == 0))
    phase = int(np.count_nonzero((di == 1) & (dj == 1)))
    return advance / m + delay / n + (1.0 - phase / min(n, m))


def _strike_ratio(ctx: StrokeContext) -> float | None:
    """Return a strike train's period over the experts' median period.

    ``None`` for a single sweep, a reference without the experts' period, or a piece
    whose period cannot be read.
    """
    ref = ctx.reference
    beat = beat_samples(ref.total)
    if beat <= 1 or ref.strike_period_s <= 0:
        return None
    period = strike_period(ctx.values.sum(axis=1), beat)
    if not math.isfinite(period):
        return None
    return max(period / ref.fs_hz / ref.strike_period_s, 1e-3)


def tempo_component(ctx: StrokeContext) -> ComponentResult:
    """Overall pace against the experts' durations, and evenness within the stroke."""
    al, ref = ctx.alignment, ctx.reference
    d_min, d_mean, d_max = ref.duration_s
    expected = al.covered / ref.length * d_mean  # what was done, at the experts' pace
    ratio = ctx.duration_s / expected
    # Percussion: a performer's number of strikes, or their rate alone, is style
    # (published rates span 4-10 a second); the pace is off when the burst is both
    # shorter and struck faster (or longer and slower), by the lesser of the two.
    by_rate = False
    if (strikes := _strike_ratio(ctx)) is not None:
        if (ratio < 1.0) != (strikes < 1.0):
            ratio = 1.0
        elif abs(math.log(strikes)) < abs(math.log(ratio)):
            ratio, by_rate = strikes, True
    tolerance = max(_DURATION_MIN_TOL, 0.5 * math.log(d_max / d_min))
    pace = math.exp(-K90 * (math.log(ratio) / tolerance) ** 2)
    tam_value = tam(ctx.path)
    even = curve(tam_value, max(ref.tam_p90, _MIN_TAM_SCALE)) / 100.0
    score = _TEMPO_GLOBAL_WEIGHT * pace + (1.0 - _TEMPO_GLOBAL_WEIGHT) * even
    parts: list[tuple[str, str, float]] = []
    if pace < 1.0:
        kind, advice = ("rushed", "slow down") if ratio < 1 else ("dragged", "speed up")
        said = (
            f"{1.0 / ratio:.0%} of the reference's strike rate"
            if by_rate
            else f"{ratio:.0%} of the reference duration"
        )
        parts.append(
            (
                kind,
                f"{kind}: {said}, {advice}",
                _TEMPO_GLOBAL_WEIGHT * (1.0 - pace),
            )
        )
    slopes = {}
    phase = phase_of(ctx.path[:, 1], al.covered)
    sections = []
    for p, name in enumerate(PHASES):
        here = ctx.path[phase == p]
        slope = len(np.unique(here[:, 0])) / max(len(np.unique(here[:, 1])), 1)
        slopes[name] = slope
        deviation = abs(math.log(max(slope, 1e-6)))
        if deviation > 0:
            kind = "rushed" if slope < 1 else "dragged"
            sections.append((f"{kind}_{name}", f"{kind} {_SECTION[name]} of the stroke", deviation))
    uneven = (1.0 - _TEMPO_GLOBAL_WEIGHT) * (1.0 - even)
    weight = sum(s[2] for s in sections)
    parts += [(c, m, uneven * d / weight) for c, m, d in sections] if weight > 0 else []
    details = {"duration_s": ctx.duration_s, "pace_ratio": ratio, "tam": tam_value}
    details.update({f"slope_{k}": v for k, v in slopes.items()})
    return ComponentResult(100.0 * score, _shares_of(parts), details=details)


# -- smoothness -------------------------------------------------------------------------


def strike_envelope(form: np.ndarray, beat: int) -> np.ndarray:
    """Return the level of a strike train's strikes, or a sweep's force itself.

    The running maximum over the train's own period (at least the reference's beat;
    ``beat`` 1 is a sweep). Over the reference's beat alone, a train struck more slowly
    would dip between its strikes and be called jerky for its pace.

    Parameters
    ----------
    form : numpy.ndarray
        Total force ``(n,)``, newtons.
    beat : int
        The reference's beat, samples (:func:`~trainer.scoring.alignment.beat_samples`).

    Returns
    -------
    numpy.ndarray
        The envelope ``(n,)``, newtons.
    """
    if beat <= 1:
        return form
    period = strike_period(form, beat)
    own = math.ceil(period) + 1 if math.isfinite(period) else beat
    return envelope(form, max(beat, own))


def smoothness_component(ctx: StrokeContext) -> ComponentResult:
    """Jerk of the total force against the experts' (only rougher costs points).

    For percussion, how evenly it strikes against how evenly they do.
    """
    ref = ctx.reference
    beat = beat_samples(ref.total)
    if beat > 1 and ref.strike_jitter_mean > 0:
        jitter = strike_jitter(ctx.values.sum(axis=1), beat)
        if math.isfinite(jitter):
            excess = max(0.0, jitter - ref.strike_jitter_mean)
            score = curve(excess, max(_JITTER_MIN_TOL, 2.5 * ref.strike_jitter_sd))
            faults: tuple[tuple[str, str, float], ...] = ()
            if score < 100.0:
                message = "uneven strikes: strike with the same force each time"
                faults = (("jerky", message, 1.0),)
            return ComponentResult(score, faults, details={"strike_jitter": jitter})
    pace = ctx.form.size / max(ctx.alignment.covered, 1)
    form = strike_envelope(ctx.form, beat)
    ldlj = smoothness(form, ref.fs_hz, ref.peak_force_n[0], pace)
    deficit = max(0.0, ref.smoothness_mean - ldlj)
    score = curve(deficit, max(_JERK_MIN_TOL, 2.5 * ref.smoothness_sd))
    faults = ()
    if score < 100.0:
        faults = (("jerky", "jerky pressure: change force more smoothly", 1.0),)
    return ComponentResult(score, faults, details={"jerk": ldlj})
