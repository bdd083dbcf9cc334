"""Building references from takes and scoring strokes against them (pure maths).

Every formula is documented in ``docs/scoring.md``. Inputs are arrays plus ``fs_hz``;
nothing here reads files or clocks, so the same input always gives the same scores.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sensors.profiles import GloveProfile
from trainer.dtw import dba, dtw_path
from trainer.exceptions import ScoringError
from trainer.scoring.model import COMPONENTS, DEFAULT_WEIGHTS, Deduction, Reference, StrokeScore
from trainer.signal import (
    Segment,
    active_segments,
    filter_offline,
    region_shares,
    resample,
    sparc,
    total_force,
)

__all__ = [
    "CAUTION_KPA",
    "PHASES",
    "FoundStroke",
    "build_reference",
    "find_strokes",
    "prepare",
    "recognise",
    "score_stroke",
    "score_strokes",
    "shape_distance",
]

# Lowest published pressure pain threshold on the back: lumbar, chronic low back pain,
# ≈ 262 kPa (Giesbrecht & Battié 2005); pain-free ≈ 356 kPa, upper trapezius ≈ 423 kPa
# (Bordachar et al. 2019). We caution at 80 % of the lowest ("approaching").
PAIN_THRESHOLD_KPA = 262.0
CAUTION_KPA = 0.8 * PAIN_THRESHOLD_KPA
PHASES = ("start", "middle", "end")
SCORING_CUTOFF_HZ = 20.0  # keeps tapotement's ≤ 10 Hz strikes and an 8 Hz tremor visible
_LN2 = math.log(2.0)
_SHAPE_AT_D90 = 90.0  # an expert's 90th-percentile shape distance scores this
_BAND_MIN_REL = 0.15  # band half-width at least 15 % of the template level ...
_BAND_MIN_N = 0.5  # ... and at least 0.5 N
_OVER_PRESSURE_POINTS = 10.0


@dataclass(frozen=True, slots=True)
class FoundStroke:
    """A stroke found in a recording: its span and its (filtered) samples."""

    start: int
    end: int
    values: np.ndarray
    clipped_channels: tuple[int, ...]


def prepare(values: Any, fs_hz: float, gap_starts: Any = ()) -> np.ndarray:
    """Zero-phase low-pass for offline scoring (no smoothing across gaps)."""
    cutoff = min(SCORING_CUTOFF_HZ, 0.45 * fs_hz)
    return filter_offline(values, fs_hz, cutoff, gap_starts=gap_starts)


def find_strokes(
    values: Any,
    fs_hz: float,
    profile: GloveProfile,
    *,
    gap_starts: Any = (),
    min_active_s: float = 0.2,
) -> list[FoundStroke]:
    """Segment a recording into strokes (rest detection with hysteresis).

    Strokes cut by a gap or by the end of the recording are left out: they are not
    complete strokes and are never scored across a gap.

    Parameters
    ----------
    values : array_like
        Forces ``(n, channels)``, newtons, unfiltered.
    fs_hz : float
        Sample rate.
    profile : GloveProfile
        For saturation limits (clipping flags).
    gap_starts : iterable of int
        Samples preceded by a gap.
    min_active_s : float
        Shortest stroke.
    """
    raw = np.asarray(values, dtype=np.float64)
    filtered = prepare(raw, fs_hz, gap_starts)
    segments: list[Segment] = active_segments(
        total_force(filtered), fs_hz, gap_starts=gap_starts, min_active_s=min_active_s
    )
    saturation = profile.saturation_n
    found = []
    for seg in segments:
        if seg.truncated:
            continue
        clipped = np.flatnonzero((raw[seg.start : seg.end] >= saturation * 0.999).any(axis=0))
        found.append(
            FoundStroke(
                seg.start, seg.end, filtered[seg.start : seg.end], tuple(int(c) for c in clipped)
            )
        )
    return found


def _normalised(stroke: np.ndarray) -> np.ndarray:
    peak = float(total_force(stroke).max())
    return stroke / max(peak, 1e-9)


def shape_distance(stroke: Any, template: Any) -> tuple[float, np.ndarray]:
    """Shape distance: per-step RMS DTW distance of peak-normalised signals.

    Both signals are divided by their own peak total force (amplitude is the pressure
    score's business), aligned with DTW, and the accumulated squared cost is divided by
    the path length, so stretching a stroke in time barely changes it.

    Returns
    -------
    distance : float
        ``sqrt(cost / len(path))``.
    path : numpy.ndarray
        Warping path ``(k, 2)``: (stroke index, template index).
    """
    a = _normalised(np.asarray(stroke, dtype=np.float64))
    b = _normalised(np.asarray(template, dtype=np.float64))
    dist, path = dtw_path(a, b)
    return math.sqrt(dist**2 / len(path)), path


def _mean_per_template_index(values: np.ndarray, path: np.ndarray, length: int) -> np.ndarray:
    sums = np.zeros((length, *values.shape[1:]))
    counts = np.zeros(length)
    np.add.at(sums, path[:, 1], values[path[:, 0]])
    np.add.at(counts, path[:, 1], 1.0)
    return sums / counts.reshape((-1,) + (1,) * (values.ndim - 1))


def _band(aligned: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = aligned.mean(axis=0)
    half = np.maximum.reduce(
        [2.0 * aligned.std(axis=0), _BAND_MIN_REL * np.abs(mean), np.full_like(mean, _BAND_MIN_N)]
    )
    return np.clip(mean - half, 0.0, None), mean + half


def build_reference(
    takes: Sequence[tuple[Any, Any]],
    *,
    name: str,
    technique: str,
    profile: GloveProfile,
    fs_hz: float,
    author: str = "",
    notes: str = "",
    created: str = "",
    weights: dict[str, float] | None = None,
) -> Reference:
    """Build a reference from several takes of one technique.

    Each take is segmented into strokes; the strokes are averaged with DBA into a
    template; every stroke is aligned to it with DTW and the spread of the aligned
    strokes gives the tolerance band (mean ± max(2 sd, 15 % of level, 0.5 N)). The
    score scale comes from leave-one-out: each stroke's shape distance to a template
    built without it; its 90th percentile scores 90 on shape.

    Parameters
    ----------
    takes : sequence of (values, gap_starts)
        Recordings ``(n, channels)`` newtons at ``fs_hz`` with their gap positions.
    name, technique, author, notes, created : str
        Metadata.
    profile : GloveProfile
        Glove of the takes.
    fs_hz : float
        Sample rate.
    weights : dict or None
        Component weights (default :data:`~trainer.scoring.model.DEFAULT_WEIGHTS`).

    Raises
    ------
    ScoringError
        Fewer than 3 complete strokes in the takes.
    """
    strokes = [
        s.values
        for values, gaps in takes
        for s in find_strokes(values, fs_hz, profile, gap_starts=gaps)
    ]
    if len(strokes) < 3:
        raise ScoringError(f"found {len(strokes)} complete strokes in the takes; need at least 3")
    template = dba(strokes, n_iter=10)
    length = template.shape[0]
    totals, channels, d_loo, smooth = [], [], [], []
    for k, stroke in enumerate(strokes):
        _, path = dtw_path(stroke, template)
        channels.append(_mean_per_template_index(stroke, path, length))
        totals.append(channels[-1].sum(axis=1))
        others = strokes[:k] + strokes[k + 1 :]
        loo_template = dba(others, n_iter=3, init=template)
        d_loo.append(shape_distance(stroke, loo_template)[0])
        smooth.append(sparc(total_force(stroke), fs_hz))
    band_lo, band_hi = _band(np.array(totals))
    channel_lo, channel_hi = _band(np.array(channels))
    durations = np.array([len(s) / fs_hz for s in strokes])
    w = dict(DEFAULT_WEIGHTS if weights is None else weights)
    if set(w) != set(COMPONENTS) or any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
        raise ScoringError(f"weights must give non-negative values for {', '.join(COMPONENTS)}")
    return Reference(
        name=name,
        technique=technique,
        author=author,
        notes=notes,
        created=created,
        profile=profile,
        fs_hz=float(fs_hz),
        template=template,
        band_lo=band_lo,
        band_hi=band_hi,
        channel_lo=channel_lo,
        channel_hi=channel_hi,
        duration_s=(float(durations.min()), float(durations.mean()), float(durations.max())),
        shape_d90=max(float(np.percentile(d_loo, 90)), 1e-3),
        smoothness_mean=float(np.mean(smooth)),
        smoothness_sd=float(np.std(smooth)),
        weights=w,
        n_strokes=len(strokes),
    )


def _bell(x: float, tolerance: float) -> float:
    """1 at 0, 0.5 at ``tolerance``: ``exp(-ln2 (x / tol)^2)``."""
    return math.exp(-_LN2 * (x / tolerance) ** 2)


def _phase_of(j: np.ndarray, length: int) -> np.ndarray:
    return np.minimum((3 * j) // max(length, 1), 2)


def score_stroke(
    stroke: Any,
    fs_hz: float,
    reference: Reference,
    *,
    start_s: float = 0.0,
    clipped_channels: Sequence[int] = (),
) -> StrokeScore:
    """Score one stroke against a reference (formulas in ``docs/scoring.md``).

    Parameters
    ----------
    stroke : array_like
        Filtered forces of the stroke ``(n, channels)``, newtons.
    fs_hz : float
        Its sample rate (resampled to the reference's if different).
    reference : Reference
        What to compare with.
    start_s : float
        Start time, for the report.
    clipped_channels : sequence of int
        Channels that hit saturation: pressure is then not scored.

    Returns
    -------
    StrokeScore
        Components 0–100 and deductions summing to ``100 - overall``.
    """
    x = np.asarray(stroke, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != reference.template.shape[1]:
        raise ScoringError(
            f"stroke has shape {x.shape}, reference {reference.name!r} expects "
            f"{reference.template.shape[1]} channels"
        )
    duration_s = x.shape[0] / fs_hz
    if fs_hz != reference.fs_hz:
        x = resample(x, fs_hz, reference.fs_hz)
    if x.shape[0] < 3:
        raise ScoringError("stroke too short to score")
    length = reference.length
    profile = reference.profile
    flags: list[str] = [f"clipped:{profile.channel_names[c]}" for c in clipped_channels]
    items: list[tuple[str, str, float]] = []  # (code, message, weighted points)
    weights = dict(reference.weights)
    if clipped_channels:
        weights["pressure"] = 0.0
    total_w = sum(weights.values())
    w = {k: v / total_w for k, v in weights.items()}

    # shape
    d, path = shape_distance(x, reference.template)
    shape = 100.0 * math.exp(-math.log(100.0 / _SHAPE_AT_D90) * (d / reference.shape_d90) ** 2)
    if shape < 99.95:
        items.append(
            ("shape", "stroke shape differs from the reference", w["shape"] * (100 - shape))
        )

    # pressure along the warping path, per template index
    total = x.sum(axis=1)
    per_j = _mean_per_template_index(total, path, length)
    lo, hi = reference.band_lo, reference.band_hi
    mid = np.maximum(0.5 * (lo + hi), 1.0)
    light = np.clip(lo - per_j, 0.0, None) / (0.5 * mid)
    heavy = np.clip(per_j - hi, 0.0, None) / (0.5 * mid)
    loss = np.minimum(light + heavy, 1.0)
    pressure: float | None = None
    if not clipped_channels:
        # Regional balance: shares of the load against the template's, beyond ±15 points.
        names, shares = region_shares(x, profile.regions)
        _, ref_shares = region_shares(reference.template, profile.regions)
        loaded = total >= 1.0
        regions: list[tuple[str, float, float, float]] = []
        if loaded.any():
            mine = shares[loaded].mean(axis=0)
            expected = ref_shares[ref_shares.sum(axis=1) > 0].mean(axis=0)
            for i, region in enumerate(names):
                excess = abs(mine[i] - expected[i]) - 0.15
                if excess > 0:
                    regions.append((region, float(mine[i]), float(expected[i]), excess))
        region_penalty = min(0.5, sum(r[3] for r in regions))
        band_loss = float(loss.mean())
        pressure = 100.0 * (1.0 - band_loss) * (1.0 - region_penalty)
        band_points = w["pressure"] * 100.0 * band_loss
        region_points = w["pressure"] * 100.0 * (1.0 - band_loss) * region_penalty
        phase = _phase_of(np.arange(length), length)
        parts = []
        for p, phase_name in enumerate(PHASES):
            in_phase = phase == p
            for kind, amount in (("light", light), ("heavy", heavy)):
                share = float(np.minimum(amount, 1.0)[in_phase].sum())
                if share > 0:
                    parts.append((kind, phase_name, share))
        weight_sum = sum(part[2] for part in parts) or 1.0
        where = {"start": "at the start", "middle": "in the middle", "end": "at the end"}
        for kind, phase_name, share in parts:
            items.append(
                (
                    f"too_{kind}_{phase_name}",
                    f"too {kind} {where[phase_name]} of the stroke",
                    band_points * share / weight_sum,
                )
            )
        excess_sum = sum(r[3] for r in regions) or 1.0
        for region, mine_share, expected_share, excess in regions:
            flags.append(f"load:{region}")
            items.append(
                (
                    f"load_{region}",
                    f"{region.replace('_', ' ')} carries {100 * mine_share:.0f} % of the load, "
                    f"expected {100 * expected_share:.0f} %",
                    region_points * excess / excess_sum,
                )
            )

    # tempo: duration ratio and local warping slope (Folgado et al. 2018)
    mean_d = reference.duration_s[1]
    ratio = duration_s / mean_d
    spread = max(
        math.log(reference.duration_s[2] / mean_d), math.log(mean_d / reference.duration_s[0])
    )
    tol = max(math.log(1.25), 1.5 * spread)
    global_tempo = _bell(math.log(ratio), tol)
    phase_j = _phase_of(path[:, 1], length)
    local_ratios = []
    for p in range(3):
        stroke_samples = len(np.unique(path[phase_j == p, 0]))
        template_samples = len(np.unique(path[phase_j == p, 1]))
        local_ratios.append((stroke_samples / max(template_samples, 1)) / (x.shape[0] / length))
    local_tempo = float(
        np.mean([_bell(math.log(max(r, 1e-6)), math.log(1.5)) for r in local_ratios])
    )
    tempo = 100.0 * (0.7 * global_tempo + 0.3 * local_tempo)
    tempo_lost = w["tempo"] * (100.0 - tempo)
    global_part = 0.7 * (1 - global_tempo)
    local_part = 0.3 * (1 - local_tempo)
    denominator = (global_part + local_part) or 1.0
    if global_part > 0:
        message = (
            f"rushed: {ratio:.0%} of the reference duration"
            if ratio < 1
            else f"dragged: {ratio:.0%} of the reference duration"
        )
        items.append(
            ("rushed" if ratio < 1 else "dragged", message, tempo_lost * global_part / denominator)
        )
    if local_part > 0:
        worst = int(np.argmax([abs(math.log(max(r, 1e-6))) for r in local_ratios]))
        kind = "rushed" if local_ratios[worst] < 1 else "dragged"
        items.append(
            (
                f"{kind}_{PHASES[worst]}",
                f"{kind} {('the start', 'the middle', 'the end')[worst]} of the stroke",
                tempo_lost * local_part / denominator,
            )
        )

    # smoothness: SPARC relative to the reference's takes
    s = sparc(total, reference.fs_hz)
    deficit = max(0.0, reference.smoothness_mean - s)
    smoothness = 100.0 * _bell(deficit, max(0.15, 3.0 * reference.smoothness_sd))
    if smoothness < 99.95:
        items.append(
            (
                "jerky",
                "jerky pressure: change force more smoothly",
                w["smoothness"] * (100 - smoothness),
            )
        )

    # safety: pressure approaching the back's pain threshold, heavier than the expert
    kpa = profile.pressure_kpa(x)
    over = np.flatnonzero(
        (kpa.max(axis=0) >= CAUTION_KPA) & (x.max(axis=0) > reference.channel_hi.max(axis=0))
    )
    if over.size:
        sensor = profile.channel_names[int(over[0])]
        flags.append(f"over_pressure:{sensor}")
        items.append(
            (
                "over_pressure",
                f"{sensor} pressure {kpa[:, over[0]].max():.0f} kPa nears the back's pain "
                f"threshold (~{PAIN_THRESHOLD_KPA:.0f} kPa): ease off",
                _OVER_PRESSURE_POINTS,
            )
        )

    deductions = _rounded_deductions(items)
    overall = max(0.0, round(100.0 - sum(dd.points for dd in deductions), 1))
    return StrokeScore(
        start_s=round(start_s, 3),
        end_s=round(start_s + duration_s, 3),
        overall=overall,
        shape=round(shape, 1),
        pressure=None if pressure is None else round(pressure, 1),
        tempo=round(tempo, 1),
        smoothness=round(smoothness, 1),
        deductions=deductions,
        flags=tuple(flags),
        technique=reference.technique,
        path=path,
    )


def _rounded_deductions(items: list[tuple[str, str, float]]) -> tuple[Deduction, ...]:
    """Round to 0.1 point, merge repeated codes, drop zeros, largest first."""
    merged: dict[str, tuple[str, float]] = {}
    for code, message, points in items:
        old = merged.get(code, (message, 0.0))[1]
        merged[code] = (message, old + points)
    out = [
        Deduction(code, msg, round(p, 1)) for code, (msg, p) in merged.items() if round(p, 1) > 0
    ]
    return tuple(sorted(out, key=lambda dd: (-dd.points, dd.code)))


def score_strokes(
    values: Any,
    fs_hz: float,
    reference: Reference,
    *,
    profile: GloveProfile | None = None,
    gap_starts: Any = (),
) -> list[StrokeScore]:
    """Find and score every complete stroke of a recording."""
    prof = profile or reference.profile
    min_active = 0.4 * reference.duration_s[0]
    found = find_strokes(values, fs_hz, prof, gap_starts=gap_starts, min_active_s=min_active)
    return [
        score_stroke(
            s.values, fs_hz, reference, start_s=s.start / fs_hz, clipped_channels=s.clipped_channels
        )
        for s in found
    ]


def recognise(
    stroke: Any, fs_hz: float, references: Sequence[Reference], *, reject_factor: float = 2.5
) -> tuple[str | None, dict[str, float]]:
    """Which technique a stroke is, or ``None`` if it matches no reference well enough.

    The stroke's shape distance to each reference, divided by that reference's own
    expert spread (``shape_d90``), is compared; the nearest wins unless even it is
    more than ``reject_factor`` times its spread away.

    Returns
    -------
    technique : str or None
        Best technique, or ``None`` (rejected).
    scores : dict
        Relative distance to each reference, by reference name.
    """
    x = np.asarray(stroke, dtype=np.float64)
    relative = {}
    for ref in references:
        xs = x if fs_hz == ref.fs_hz else resample(x, fs_hz, ref.fs_hz)
        relative[ref.name] = shape_distance(xs, ref.template)[0] / ref.shape_d90
    best = min(relative, key=lambda k: (relative[k], k))
    if relative[best] > reject_factor:
        return None, relative
    technique = next(r.technique for r in references if r.name == best)
    return technique, relative
