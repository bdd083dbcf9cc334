"""Scoring strokes against a reference: every registered component, overall, deductions.

Every formula is documented in ``docs/scoring.md``. Inputs are arrays plus ``fs_hz``;
nothing here reads files or clocks, so the same input always gives the same scores.
The components themselves are in :mod:`trainer.scoring.measures` and registered in
:mod:`trainer.scoring.components`; the shared time map in :mod:`trainer.scoring.alignment`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.ndimage import median_filter

from sensors.profiles import GloveProfile
from trainer.exceptions import NotAStrokeError, ScoringError
from trainer.scoring.alignment import (
    align_stroke,
    beat_samples,
    even_strikes,
    rhythm_clarity,
    smoothed_template,
    stretch,
)
from trainer.scoring.components import component, components
from trainer.scoring.measures import (
    MIN_SHAPE_SCALE,
    PHASES,
    ComponentResult,
    StrokeContext,
    load_distance,
    mean_along_path,
    step_gains,
    stroke_context,
    stroke_shares,
)
from trainer.scoring.model import Deduction, Reference, StrokeScore
from trainer.scoring.safety import CAUTION_KPA, peak_pressure
from trainer.scoring.strokes import find_strokes, segmentation
from trainer.signal import filter_offline, resample

__all__ = [
    "MINOR_POINTS",
    "OVER_PRESSURE_POINTS",
    "PHASES",
    "REJECT_SHAPE",
    "check_compatible",
    "mean_along_path",
    "normalised",
    "score_stroke",
    "score_strokes",
    "segmentation",
    "shape_distance",
    "stretch",
    "stroke_shares",
]

#: Deductions smaller than this are pooled into one ``minor`` line: not worth a
#: student's attention, and not trustworthy as advice (on four independent generator
#: families, lines worth 1 to 1.5 points named the fault a student made 39-49 % of the
#: time; larger ones 79-89 %).
MINOR_POINTS = 1.5
OVER_PRESSURE_POINTS = 10.0
#: Over-pressure within this factor of the experts' own mean peak is theirs, not a fault.
_EXPERT_KPA_MIN_SPREAD = 1.1
#: A "stroke" further than this many expert spreads (``shape_d90``) from the reference's
#: shape, even allowing for stopping early, is not an attempt at it: no score.
REJECT_SHAPE = 4.0
#: Nor is one carrying less than this share of the reference's force, or lasting less
#: than a quarter or more than four times as long.
REJECT_LEVEL = 0.15
REJECT_DURATION = 4.0
#: Share of its load elsewhere on the hand (total variation distance) that alone makes a
#: piece no attempt; the three are combined in log units: ``(ln level / ln 0.15)² +
#: (ln ratio / ln 4)² + (load / 0.75)² > 1`` (see :func:`_reject`).
REJECT_LOAD = 0.75
#: Percussion: a piece whose force repeats less clearly than this near the reference's
#: beat (:func:`~trainer.scoring.alignment.rhythm_clarity`) is no strike train. Strokes
#: of every error kind on the benchmark keep ≥ 0.48; noise ≤ 0.24.
REJECT_RHYTHM = 0.4
#: A component scoring below this counts as this in the overall (a floor for the log).
_FLOOR = 1.0
#: Components whose loss a level error can cause (they judge the level-corrected form).
_BENT_BY_LEVEL = ("shape", "tempo", "smoothness")
#: Quicker than this (Hz) is no steady hand's change of pressure: tremor (6-10 Hz) and
#: jerks lie above it.
_STEADY_HZ = 4.0
#: A running median this long (s) takes out a push or a give of up to half as long.
_JOLT_S = 0.3
#: ... once ``jerky`` keeps at least this share of smoothness's loss.
_JERKY_OWN_SHARE = 0.5
#: A level fault whose counterfactual recovers this share of another component's loss
#: takes all of it: the running-median level is an estimate, and what it leaves of a
#: soft-edged light or heavy third is its own error, not a second fault.
_EXPLAINED = 0.8


def normalised(stroke: np.ndarray) -> np.ndarray:
    """Divide a stroke by its own peak total force (shape without amplitude).

    Parameters
    ----------
    stroke : numpy.ndarray
        Forces ``(n, channels)``, newtons.

    Returns
    -------
    numpy.ndarray
        Dimensionless ``(n, channels)``; peak total force 1 (or the input if flat zero).
    """
    peak = float(stroke.sum(axis=1).max())
    return stroke / max(peak, 1e-9)


def shape_distance(stroke: Any, reference: Reference) -> float:
    """Shape distance of a stroke from a reference (the shape score's input).

    Parameters
    ----------
    stroke : array_like
        Forces ``(n, channels)``, newtons, at the reference's rate.
    reference : Reference
        What to compare with.

    Returns
    -------
    float
        Per-step RMS difference of the peak-normalised, band-limited total forces once
        the stroke's changes of level are divided out (the form distance of
        :func:`~trainer.scoring.measures.stroke_context`).
    """
    x = np.asarray(stroke, dtype=np.float64)
    al = align_stroke(x, reference)
    return stroke_context(x, x.shape[0] / reference.fs_hz, reference, al).form_distance


def _rounded(items: list[tuple[str, str, float]]) -> tuple[Deduction, ...]:
    """Merge repeated codes, fold the minor ones together, round to 0.1 point.

    A list of "rushed the start: 0.1" lines is noise to a student; deductions below
    :data:`MINOR_POINTS` are pooled into one ``minor`` line that names them, so the
    list stays short and still sums to the points lost.
    """
    merged: dict[str, tuple[str, float]] = {}
    for code, message, points in items:
        old = merged.get(code, (message, 0.0))
        merged[code] = (old[0] if old[1] >= points else message, old[1] + points)
    major = {c: mp for c, mp in merged.items() if mp[1] >= MINOR_POINTS}
    minor = sorted(
        (c for c, mp in merged.items() if 0 < mp[1] < MINOR_POINTS), key=lambda c: merged[c][1]
    )
    out = [Deduction(code, message, round(points, 1)) for code, (message, points) in major.items()]
    minor_points = round(sum(merged[c][1] for c in minor), 1)
    if minor_points > 0:
        names = ", ".join(c.replace("_", " ") for c in reversed(minor))
        out.append(
            Deduction(
                "minor",
                f"small differences, each under {MINOR_POINTS:g} points: {names}",
                minor_points,
            )
        )
    return tuple(sorted((d for d in out if d.points > 0), key=lambda d: (-d.points, d.code)))


def _round(value: float, digits: int = 6) -> float:
    # Normalise -0.0 so JSON never shows it.
    return round(value, digits) + 0.0


def _checked(stroke: Any, fs_hz: float, reference: Reference) -> tuple[np.ndarray, float]:
    """Return the stroke at the reference's rate (floored at 0 N) and its duration."""
    x = np.asarray(stroke, dtype=np.float64)
    channels = reference.template.shape[1]
    if x.ndim != 2 or x.shape[1] != channels:
        raise ScoringError(
            f"stroke has shape {x.shape}, reference {reference.name!r} expects (n, {channels})"
        )
    if not math.isfinite(fs_hz) or fs_hz <= 0:
        raise ScoringError(f"sample rate must be > 0 Hz, got {fs_hz!r}")
    if not np.all(np.isfinite(x)):
        raise ScoringError("stroke contains NaN or infinite values")
    duration_s = x.shape[0] / fs_hz
    if fs_hz != reference.fs_hz and x.shape[0] > 1:
        x = resample(x, fs_hz, reference.fs_hz)
    x = np.clip(x, 0.0, None)  # a sensor cannot pull: below 0 N is filter ringing
    if x.shape[0] < 3 or x.sum(axis=1).max() <= 0:
        raise ScoringError("stroke too short or without force to score")
    return x, duration_s


def _reject(ctx: StrokeContext) -> None:
    """Raise :class:`NotAStrokeError` when the piece is no attempt at the reference."""
    ref, al = ctx.reference, ctx.alignment
    level = float(ctx.values.sum(axis=1).max()) / max(ref.peak_force_n[0], 1e-9)
    ratio = ctx.duration_s / ref.duration_s[1]
    load = load_distance(ctx.values, ref, al.covered)
    why = ""
    if min(al.distance, ctx.form_distance) > REJECT_SHAPE * max(ref.shape_d90, MIN_SHAPE_SCALE):
        why = f"its force profile is unlike {ref.technique}"
    elif level < REJECT_LEVEL:
        why = "too light to be a stroke (a touch)"
    elif (beat := beat_samples(ref.total)) > 1 and (
        rhythm_clarity(ctx.values.sum(axis=1), beat) < REJECT_RHYTHM
    ):
        why = "no strikes in its rhythm"
    elif not 1.0 / REJECT_DURATION <= ratio <= REJECT_DURATION:
        why = f"it lasted {ctx.duration_s:.1f} s, the reference {ref.duration_s[1]:.1f} s"
    elif (math.log(level) / math.log(REJECT_LEVEL)) ** 2 + (
        math.log(ratio) / math.log(REJECT_DURATION)
    ) ** 2 + (load / REJECT_LOAD) ** 2 > 1.0:
        # Far off in force, duration and where the hand pressed at once: a resting hand,
        # a touch, another technique (a friction stroke against effleurage: thrice the
        # force on the fingertips instead of the palm). Any one of them alone is a fault.
        why = (
            f"{100 * level:.0f} % of its force for {ratio:.1f} times its duration, "
            f"{100 * load:.0f} % of the load elsewhere on the hand"
        )
    if why:
        raise NotAStrokeError(f"not a {ref.technique} stroke: {why}")


def _level_codes(result: ComponentResult) -> list[tuple[str, str, float]]:
    """Return the level faults (too light / too heavy somewhere) of a component."""
    return [f for f in result.faults if f[0].startswith(("too_light_", "too_heavy_")) and f[2] > 0]


def _weighted_loss(result: ComponentResult, weight: float) -> float:
    """Return a component's weighted log loss, ``-w ln(s / 100)`` (0 when unscored)."""
    if result.score is None:
        return 0.0
    return -weight * math.log(max(result.score, _FLOOR) / 100.0)


def _recovered(before: float, after: float) -> float:
    """Share of a component's log loss that a counterfactual scoring ``after`` recovers.

    ``(ln(after / 100) - ln(before / 100)) / -ln(before / 100)``, at most 1; ``before``
    is below 100 and ``after`` above it (callers check).
    """
    lost = -math.log(max(before, _FLOOR) / 100.0)
    return min(1.0, (lost + math.log(max(after, _FLOOR) / 100.0)) / lost)


def _credit_jerks(
    ctx: StrokeContext, results: dict[str, ComponentResult], weights: dict[str, float]
) -> None:
    """Give ``jerky`` the band loss its tremor or jerks cost pressure.

    A tremor or a jerk pushes the force in and out of the band, and pressure would name
    that as a third too heavy or too light. The counterfactual: the same stroke without
    what is quicker than a steady hand (low-passed at :data:`_STEADY_HZ`); for
    percussion, the same strikes each as hard as its neighbours
    (:func:`~trainer.scoring.alignment.even_strikes`). Whatever share of pressure's level
    loss that stroke recovers moves to ``jerky``; the scores do not change. Only when
    ``jerky`` still carries most of smoothness's loss after :func:`_credit_level_faults`
    (a jerk a change of level explains is the level's). What moves is at most what
    smoothness itself lost (weighted): a steady hand's low-pass also trims a heavy
    stroke's ramps, and a stroke barely rougher than the experts' is not mainly "jerky"
    for that.
    """
    pressure, smooth = results.get("pressure"), results.get("smoothness")
    if pressure is None or pressure.score is None or smooth is None:
        return
    jerky = [f for f in smooth.faults if f[0] == "jerky" and f[2] >= _JERKY_OWN_SHARE]
    named = _level_codes(pressure)
    ref = ctx.reference
    if not jerky or not named:
        return
    level_share = sum(f[2] for f in named)
    own = _weighted_loss(smooth, weights["smoothness"]) * jerky[0][2]
    # What may move: at most the level faults' share and smoothness's own loss.
    cap = min(level_share, own / max(_weighted_loss(pressure, weights["pressure"]), 1e-12))
    before = pressure.score

    def recovery(steady: np.ndarray) -> float:
        """Share of pressure's loss that ``steady`` recovers (0 if none)."""
        try:
            steady_ctx = _context_like(ctx, steady)
        except ScoringError:
            return 0.0
        after = component("pressure").scorer(steady_ctx).score
        return _recovered(before, after) if after is not None and after > before else 0.0

    beat = beat_samples(ref.total)
    if beat > 1:  # percussion: the same strikes, each as hard as its neighbours
        recovered = recovery(even_strikes(ctx.values, beat))
    else:
        # A tremor is quicker than a steady hand; a push or a give of a tenth of a second
        # is not, but a running median twice as long takes it out whole (and keeps a
        # change of level that lasts a third of the stroke). The better one counts; the
        # median is tried only when the low-pass leaves something it could still move.
        steady = np.clip(filter_offline(ctx.values, ref.fs_hz, _STEADY_HZ, order=2), 0.0, None)
        recovered = recovery(steady)
        if not 0.0 < recovered >= cap:
            size = min(round(_JOLT_S * ref.fs_hz), ctx.values.shape[0] // 2) | 1
            jolts_out = median_filter(steady, size=(size, 1), mode="nearest")
            recovered = max(recovered, recovery(jolts_out))
    if recovered <= 0.0:
        return
    moved = min(recovered, cap)
    keep = 1.0 - moved / level_share
    faults = [
        (c, m, share * keep) if c.startswith(("too_light_", "too_heavy_")) else (c, m, share)
        for c, m, share in pressure.faults
    ]
    faults.append((jerky[0][0], jerky[0][1], moved))
    results["pressure"] = dataclasses.replace(pressure, faults=tuple(faults))


def _context_like(ctx: StrokeContext, values: np.ndarray) -> StrokeContext:
    """Return a counterfactual stroke's context, judged as ``ctx`` is (balance or not)."""
    ref = ctx.reference
    again = stroke_context(values, ctx.duration_s, ref, align_stroke(values, ref))
    return dataclasses.replace(again, judge_balance=ctx.judge_balance)


def _jerks_come_first(results: dict[str, ComponentResult], weights: dict[str, float]) -> bool:
    """Tell whether "jerky" is the first thing the student hears (and not minor)."""
    _, items = _overall(results, weights)
    points: dict[str, float] = {}
    for code, _, p in items:
        points[code] = points.get(code, 0.0) + p
    jerky = points.get("jerky", 0.0)
    return jerky >= MINOR_POINTS and jerky >= max(points.values())


def _credit_level_faults(ctx: StrokeContext, results: dict[str, ComponentResult]) -> None:
    """Give a named level fault the points it also costs the other components.

    A third pressed too lightly, with a quick edge into it, also bends the form that
    shape and smoothness judge, and a student told "too light in the middle" and "jerky"
    would chase two faults where there is one. The counterfactual: the same stroke at
    the reference's level, its own form kept (its running median level against the
    template divided out, :func:`~trainer.scoring.measures.step_gains`). Whatever share of
    another component's loss that stroke recovers is moved to the level faults, in
    proportion to their own shares; the scores themselves do not change. Sweeps only: a
    train of strikes has no level between its strikes to correct. Only the built-in
    components a level bends are asked again (:data:`_BENT_BY_LEVEL`). A recovery of
    :data:`_EXPLAINED` or more moves the whole loss.
    """
    pressure = results.get("pressure")
    if pressure is None or not (named := _level_codes(pressure)):
        return
    others = {
        k: (r, r.score)
        for k, r in results.items()
        if k in _BENT_BY_LEVEL and r.score is not None and r.score < 100.0
    }
    ref, al = ctx.reference, ctx.alignment
    if not others or beat_samples(ref.total) > 1:
        return
    n = ctx.values.shape[0]
    g = smoothed_template(ref)[0][: al.covered]
    on_stroke = np.interp(np.arange(n) * (al.covered - 1) / max(n - 1, 1), np.arange(g.size), g)
    fixed = ctx.values / step_gains(ctx.values.sum(axis=1), on_stroke, ref.fs_hz)[:, None]
    try:
        fixed_ctx = _context_like(ctx, fixed)
    except ScoringError:
        return
    total_share = sum(f[2] for f in named)
    for comp in components():
        if comp.name not in others:
            continue
        result, before = others[comp.name]
        score = comp.scorer(fixed_ctx).score
        if score is None or score <= before:
            continue
        recovered = _recovered(before, score)
        if recovered >= _EXPLAINED:  # the rest is the level estimate's error
            recovered = 1.0
        faults = [(c, m, share * (1.0 - recovered)) for c, m, share in result.faults]
        faults += [(c, m, recovered * share / total_share) for c, m, share in named]
        results[comp.name] = dataclasses.replace(result, faults=tuple(faults))


def _overall(
    results: dict[str, ComponentResult], weights: dict[str, float]
) -> tuple[float, list[tuple[str, str, float]]]:
    """Weighted geometric mean of the components, and the points each fault lost.

    ``overall = 100 · Π (s_c / 100)^(w_c)`` over the scored components (weights
    normalised to sum 1): one very poor component pulls the whole score down, as a
    teacher's judgement does. The points lost, ``100 - overall``, are shared between
    components by ``-w_c ln(s_c / 100)``, and within a component by its faults' shares.
    """
    scored = {k: r for k, r in results.items() if r.score is not None and weights[k] > 0}
    total_weight = sum(weights[k] for k in scored) or 1.0
    logs = {k: _weighted_loss(r, weights[k] / total_weight) for k, r in scored.items()}
    log_sum = sum(logs.values())
    overall = 100.0 * math.exp(-log_sum)
    items: list[tuple[str, str, float]] = []
    if log_sum > 0:
        for k, r in scored.items():
            points = (100.0 - overall) * logs[k] / log_sum
            # A component that lost points without naming why still shows them.
            faults = r.faults or ((k, f"{k} differs from the reference", 1.0),)
            items += [(code, message, points * share) for code, message, share in faults]
    return overall, items


def score_stroke(
    stroke: Any,
    fs_hz: float,
    reference: Reference,
    *,
    start_s: float = 0.0,
    clipped_channels: Sequence[int] = (),
) -> StrokeScore:
    """Score one complete stroke against a reference (formulas in ``docs/scoring.md``).

    Parameters
    ----------
    stroke : array_like
        Low-passed forces of the stroke ``(n, channels)``, newtons (as
        :func:`~trainer.scoring.strokes.find_strokes` returns them).
    fs_hz : float
        Its sample rate, Hz (resampled to the reference's if different).
    reference : Reference
        What to compare with.
    start_s : float
        Start time in the recording, seconds (for the report).
    clipped_channels : sequence of int
        Sensors that hit saturation during the stroke: pressure is then not scored
        (``None``), the other components are re-weighted, and the stroke is flagged.

    Returns
    -------
    StrokeScore
        Every registered component 0–100 and deductions summing to ``100 - overall``.

    Raises
    ------
    NotAStrokeError
        The piece is no attempt at the reference's technique (noise, a resting hand, a
        touch, another technique): it gets no score.
    ScoringError
        Wrong channel count, too short, non-finite or all-zero stroke.
    """
    x, duration_s = _checked(stroke, fs_hz, reference)
    profile = reference.profile
    channels = reference.template.shape[1]
    clipped = sorted({int(c) for c in clipped_channels})
    if any(not 0 <= c < channels for c in clipped):
        raise ScoringError(f"clipped channel out of range 0..{channels - 1}")
    flags = [f"clipped:{profile.channel_names[c]}" for c in clipped]
    al = align_stroke(x, reference)
    if al.held < x.shape[0]:  # let go early: judge what was done, up to the release
        x, duration_s = x[: al.held], al.held / reference.fs_hz
    ctx = stroke_context(x, duration_s, reference, al)
    _reject(ctx)
    weights = dict(reference.weights)
    results: dict[str, ComponentResult] = {}
    details: dict[str, float] = {}
    for comp in components():
        weights.setdefault(comp.name, comp.default_weight)
        if comp.name == "pressure" and clipped:
            # A clipped force is not the true force: do not score it.
            results[comp.name] = ComponentResult(None)
            continue
        result = comp.scorer(ctx)
        results[comp.name] = result
        flags += result.flags
        details.update(result.details)
    pressure = results.get("pressure")
    if (
        pressure is not None
        and pressure.score is not None
        and any(reference.balance_rms)
        and _jerks_come_first(results, weights)
    ):
        # Where jerks are the stroke's main fault, its pushes and gives move the thirds'
        # levels (a tenth of a second is a third of a short stroke's third): the band
        # alone judges, as in every counterfactual below.
        ctx = dataclasses.replace(ctx, judge_balance=False)
        results["pressure"] = component("pressure").scorer(ctx)
    if weights.get("pressure", 0.0) > 0:
        _credit_level_faults(ctx, results)
        _credit_jerks(ctx, results, weights)
    overall, items = _overall(results, weights)
    deductions = list(_rounded(items))
    channel, kpa = peak_pressure(x, profile)
    details["peak_kpa"] = kpa
    if kpa >= CAUTION_KPA:
        sensor = profile.channel_names[channel]
        flags.append(f"over_pressure:{sensor}")
        lost = sum(dd.points for dd in deductions)
        points = round(min(OVER_PRESSURE_POINTS, max(0.0, 100.0 - lost)), 1)
        # Pressing as hard as the reference's own experts is flagged, not deducted: the
        # instructor chose that pressure (deep friction reaches the threshold by nature).
        if kpa <= _expert_kpa(reference)[channel]:
            points = 0.0
        if points > 0:
            deductions.append(
                Deduction(
                    "over_pressure",
                    f"{sensor} reached {kpa:.0f} kPa, at or above the lowest published pain "
                    f"threshold on the back ({CAUTION_KPA:.0f} kPa): ease off",
                    points,
                )
            )
            deductions.sort(key=lambda dd: (-dd.points, dd.code))
    overall = max(0.0, round(100.0 - sum(dd.points for dd in deductions), 1))
    return StrokeScore(
        start_s=_round(start_s, 3),
        end_s=_round(start_s + duration_s, 3),
        overall=overall,
        deductions=tuple(deductions),
        flags=tuple(flags),
        technique=reference.technique,
        details={k: _round(v) for k, v in sorted(details.items())},
        path=_stroke_path(ctx),
        components={k: None if r.score is None else round(r.score, 1) for k, r in results.items()},
    )


def _expert_kpa(reference: Reference) -> np.ndarray:
    """Highest pressure per sensor the reference's experts reach (template + 2 sd), kPa."""
    peak_mean, peak_sd = reference.peak_force_n
    spread = 1.0 + 2.0 * peak_sd / max(peak_mean, 1e-9)
    kpa: np.ndarray = reference.profile.pressure_kpa(reference.template).max(axis=0)
    return kpa * max(spread, _EXPERT_KPA_MIN_SPREAD)


def _stroke_path(ctx: StrokeContext) -> np.ndarray:
    """Return the time map in the stroke's own samples (replay draws the stroke on it)."""
    al = ctx.alignment
    n = ctx.values.shape[0]
    i = np.rint(ctx.path[:, 0] * (n - 1) / max(al.covered - 1, 1)).astype(np.int64)
    return np.column_stack([i, ctx.path[:, 1]])


def check_compatible(profile: GloveProfile, reference: Reference) -> None:
    """Raise unless a recording from ``profile`` can be scored against ``reference``.

    Raises
    ------
    ScoringError
        The gloves have different sensors.
    """
    if profile.channel_names != reference.profile.channel_names:
        raise ScoringError(
            f"recording is from glove {profile.name!r} "
            f"({len(profile.sensors)} sensors), reference {reference.name!r} from "
            f"{reference.profile.name!r} ({len(reference.profile.sensors)} sensors): "
            "use a reference built with the same glove"
        )


def score_strokes(
    values: Any,
    fs_hz: float,
    reference: Reference,
    *,
    profile: GloveProfile | None = None,
    gap_starts: Any = (),
) -> list[StrokeScore]:
    """Find and score every complete stroke of a recording.

    Parameters
    ----------
    values : array_like
        Forces ``(n, channels)``, newtons, unfiltered.
    fs_hz : float
        Sample rate, Hz.
    reference : Reference
        What to compare with.
    profile : GloveProfile or None
        Glove of the recording (default: the reference's); must have the same sensors.
    gap_starts : iterable of int
        Samples preceded by a gap (no stroke is scored across one).

    Returns
    -------
    list of StrokeScore
        One per complete stroke, in recording order; pieces that are no attempt at the
        reference (noise, rest, touches, another technique) are left out.

    Raises
    ------
    ScoringError
        Incompatible glove or malformed forces.
    """
    prof = profile or reference.profile
    check_compatible(prof, reference)
    found = find_strokes(values, fs_hz, prof, gap_starts=gap_starts, **segmentation(reference))
    scores = []
    for s in found:
        try:
            scores.append(
                score_stroke(
                    s.values,
                    fs_hz,
                    reference,
                    start_s=s.start / fs_hz,
                    clipped_channels=s.clipped_channels,
                )
            )
        except NotAStrokeError:
            continue  # noise, a resting hand, another technique: no score
    return scores
