"""The built-in score components shape, tempo and smoothness, and the pressure component.

Pressure lives in :mod:`trainer.scoring.pressure` and the shared stroke context in
:mod:`trainer.scoring.context`; both are re-exported here, where the component registry
finds every built-in scorer.

Each scorer takes a :class:`StrokeContext` (the stroke, its reference and their
:class:`~trainer.scoring.alignment.Alignment`) and returns a :class:`ComponentResult`: a
0–100 score and the *faults* that explain what it lost, each with its share of the loss.
A fault is named once, by what would recover the most points if it were fixed
(counterfactual), so a stroke that is too light throughout is "too light", not "too light
at the start, in the middle and at the end". Formulas: ``docs/scoring.md``.
"""

from __future__ import annotations

import math

import numpy as np

from trainer.exceptions import ScoringError
from trainer.scoring.alignment import (
    beat_samples,
    envelope,
    smoothed_template,
    strike_jitter,
    strike_period,
    unit,
)
from trainer.scoring.context import (
    K90,
    LOADED_N,
    PHASES,
    SECTION,
    WHERE,
    ComponentResult,
    StrokeContext,
    band_middle,
    curve,
    log_loss,
    mean_along_path,
    phase_of,
    shares_of,
    step_gains,
    stroke_context,
    stroke_shares,
)
from trainer.scoring.pressure import (
    SHARE_MIN_TOL,
    expected_shares,
    load_distance,
    pressure_component,
)
from trainer.signal import filter_offline

__all__ = [
    "LOADED_N",
    "MIN_SHAPE_SCALE",
    "PHASES",
    "SHAPE_FREE",
    "SHAPE_SCALE",
    "SHARE_MIN_TOL",
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
                log_loss(done),
            )
        )
    if form < 1.0:
        parts.append(("shape", _shape_message(ctx), log_loss(form)))
    return ComponentResult(
        100.0 * form * done,
        shares_of(parts),
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
            sections.append((f"{kind}_{name}", f"{kind} {SECTION[name]} of the stroke", deviation))
    uneven = (1.0 - _TEMPO_GLOBAL_WEIGHT) * (1.0 - even)
    weight = sum(s[2] for s in sections)
    parts += [(c, m, uneven * d / weight) for c, m, d in sections] if weight > 0 else []
    details = {"duration_s": ctx.duration_s, "pace_ratio": ratio, "tam": tam_value}
    details.update({f"slope_{k}": v for k, v in slopes.items()})
    return ComponentResult(100.0 * score, shares_of(parts), details=details)


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
