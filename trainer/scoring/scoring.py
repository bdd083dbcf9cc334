"""Scoring strokes against a reference: shape, pressure, tempo, smoothness, deductions.

Every formula is documented in ``docs/scoring.md``. Inputs are arrays plus ``fs_hz``;
nothing here reads files or clocks, so the same input always gives the same scores.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from sensors.profiles import GloveProfile
from trainer.dtw import dtw_path
from trainer.exceptions import ScoringError, SignalError
from trainer.scoring.model import COMPONENTS, Deduction, Reference, StrokeScore
from trainer.scoring.safety import CAUTION_KPA, peak_pressure
from trainer.scoring.strokes import find_strokes
from trainer.signal import region_shares, resample, sparc

__all__ = [
    "LOAD_SHARE_MIN_TOL",
    "MINOR_POINTS",
    "OVER_PRESSURE_POINTS",
    "PHASES",
    "check_compatible",
    "mean_along_path",
    "normalised",
    "score_stroke",
    "score_strokes",
    "shape_distance",
    "stretch",
    "stroke_shares",
    "time_alignment",
]

PHASES = ("start", "middle", "end")
_WHERE = {"start": "at the start", "middle": "in the middle", "end": "at the end"}
_SECTION = {"start": "the start", "middle": "the middle", "end": "the end"}
_LN2 = math.log(2.0)
#: An expert's 90th-percentile distance scores 90: ``100 · exp(-K (d / d90)^2)``.
_K90 = math.log(100.0 / 90.0)
#: Band shortfall or excess, as a fraction of the band's level, that loses everything.
_FULL_LOSS_FRACTION = 0.5
#: Region load shares may differ from the expert's by this much before any loss.
LOAD_SHARE_MIN_TOL = 0.10
#: Deductions smaller than this (they would show as 0 in whole points) are pooled into one
#: ``minor`` line.
MINOR_POINTS = 0.5
#: Duration beyond the expert's range by this factor halves the global tempo score.
_TEMPO_HALF = math.log(1.25)
_TEMPO_GLOBAL_WEIGHT = 0.7
#: Smoothness: a SPARC deficit of ``max(0.15, 3 sd)`` halves the score.
_SPARC_MIN_TOL = 0.15
OVER_PRESSURE_POINTS = 10.0
_LOADED_N = 1.0  # below this total force, load shares are not meaningful


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


def stretch(x: np.ndarray, length: int) -> np.ndarray:
    """Uniformly rescale a stroke in time to ``length`` samples (linear interpolation).

    Parameters
    ----------
    x : numpy.ndarray
        ``(n, channels)``.
    length : int
        Output samples.

    Returns
    -------
    numpy.ndarray
        ``(length, channels)``.
    """
    n = x.shape[0]
    if n == length:
        return x
    pos = np.linspace(0.0, n - 1, length)
    i0 = np.minimum(pos.astype(np.int64), n - 2)
    frac = (pos - i0)[:, None]
    return x[i0] * (1.0 - frac) + x[i0 + 1] * frac


def shape_distance(stroke: Any, template: Any) -> tuple[float, np.ndarray]:
    """Shape distance: per-step RMS DTW distance of peak-normalised signals.

    Both signals are divided by their own peak total force (amplitude is the pressure
    score's business), aligned with multichannel DTW, and the accumulated squared cost
    is divided by the path length, so stretching a stroke in time barely changes it.

    Parameters
    ----------
    stroke, template : array_like
        Forces ``(n, channels)`` and ``(L, channels)``, newtons.

    Returns
    -------
    distance : float
        ``sqrt(cost / len(path))``, dimensionless.
    path : numpy.ndarray
        Warping path ``(k, 2)``: (stroke index, template index).
    """
    a = normalised(np.asarray(stroke, dtype=np.float64))
    b = normalised(np.asarray(template, dtype=np.float64))
    dist, path = dtw_path(a, b)
    return math.sqrt(dist**2 / len(path)), path


def time_alignment(stroke: Any, template: Any) -> tuple[float, np.ndarray]:
    """Time Alignment Measurement of a stroke against a template (Folgado et al. 2018).

    The stroke is first rescaled uniformly to the template's length, so the measure
    sees only *non-uniform* timing (rushed or dragged sections); the overall pace is the
    duration ratio's business. Both are peak-normalised and aligned with DTW; along the
    path, steps where only the template advances are *advance* (the stroke is ahead:
    rushed), steps where only the stroke advances are *delay* (dragged), diagonal steps
    are *in phase*. ``TAM = advance / m + delay / n + (1 - phase / min(n, m))`` with
    ``n``, ``m`` the last indices; 0 for identical timing, at most 3.

    Parameters
    ----------
    stroke, template : array_like
        Forces ``(n, channels)`` and ``(L, channels)``, newtons.

    Returns
    -------
    tam : float
        The measure, 0–3.
    path : numpy.ndarray
        Warping path ``(k, 2)`` between the rescaled stroke and the template.
    """
    b = np.asarray(template, dtype=np.float64)
    a = stretch(np.asarray(stroke, dtype=np.float64), b.shape[0])
    _, path = dtw_path(normalised(a), normalised(b))
    di = np.diff(path[:, 0])
    dj = np.diff(path[:, 1])
    n = max(int(path[-1, 0]), 1)
    m = max(int(path[-1, 1]), 1)
    advance = int(np.count_nonzero(di == 0))
    delay = int(np.count_nonzero(dj == 0))
    phase = int(np.count_nonzero((di == 1) & (dj == 1)))
    return advance / m + delay / n + (1.0 - phase / min(n, m)), path


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
    return sums / counts.reshape((-1,) + (1,) * (values.ndim - 1))


def stroke_shares(values: np.ndarray, profile: GloveProfile) -> np.ndarray | None:
    """Mean load share of each hand region over the loaded samples of a stroke.

    Parameters
    ----------
    values : numpy.ndarray
        Forces ``(n, channels)``, newtons.
    profile : GloveProfile
        Gives each channel's region.

    Returns
    -------
    numpy.ndarray or None
        ``(R,)`` shares in region order summing to 1, or ``None`` if never loaded.
    """
    _, shares = region_shares(values, profile.regions)
    loaded = values.sum(axis=1) >= _LOADED_N
    if not loaded.any():
        return None
    return shares[loaded].mean(axis=0)


def _curve(x: float, scale: float) -> float:
    """``100 · exp(-K (x / scale)^2)``: 100 at 0, 90 at ``scale``; monotone decreasing."""
    return 100.0 * math.exp(-_K90 * (x / scale) ** 2)


def _bell(x: float, half: float) -> float:
    """``exp(-ln2 (x / half)^2)``: 1 at 0, 0.5 at ``half``."""
    return math.exp(-_LN2 * (x / half) ** 2)


def _phase_of(j: np.ndarray, length: int) -> np.ndarray:
    return np.minimum((3 * j) // max(length, 1), 2)


def _split(total: float, parts: Sequence[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    """Share ``total`` points between ``(code, message, weight)`` parts by weight."""
    weight = sum(p[2] for p in parts)
    if total <= 0 or weight <= 0:
        return []
    return [(code, message, total * w / weight) for code, message, w in parts if w > 0]


def _pressure(
    x: np.ndarray, path: np.ndarray, reference: Reference
) -> tuple[float, list[tuple[str, str, float]], list[str], dict[str, float]]:
    """Pressure 0–100, its loss split into (code, message, fraction) parts, flags, details."""
    length = reference.length
    per_j = mean_along_path(x.sum(axis=1), path, length)
    lo, hi = reference.band_lo, reference.band_hi
    level = _FULL_LOSS_FRACTION * np.maximum(0.5 * (lo + hi), 1.0)
    # Each template index counts by the band's level: where the expert presses hardest
    # matters most (between tapotement's strikes everyone is trivially "in band").
    weight = level / level.sum()
    light = np.minimum(np.clip(lo - per_j, 0.0, None) / level, 1.0) * weight
    heavy = np.minimum(np.clip(per_j - hi, 0.0, None) / level, 1.0) * weight
    band_loss = float((light + heavy).sum())

    shares = stroke_shares(x, reference.profile)
    regions: list[tuple[str, float, float, float]] = []
    if shares is not None:
        tolerance = np.maximum(LOAD_SHARE_MIN_TOL, 2.0 * reference.share_sd)
        for i, region in enumerate(reference.regions):
            excess = abs(shares[i] - reference.share_mean[i]) - tolerance[i]
            if excess > 0:
                regions.append(
                    (region, float(shares[i]), float(reference.share_mean[i]), float(excess))
                )
    region_loss = min(0.5, sum(r[3] for r in regions))
    pressure = 100.0 * (1.0 - band_loss) * (1.0 - region_loss)

    # Fractions of the 100 points the pressure component can lose.
    parts: list[tuple[str, str, float]] = []
    phase = _phase_of(np.arange(length), length)
    band_parts = []
    for p, name in enumerate(PHASES):
        in_phase = phase == p
        for kind, amount, off in (
            ("light", light, lo - per_j),
            ("heavy", heavy, per_j - hi),
        ):
            share = float(amount[in_phase].sum())
            if share > 0:
                outside = in_phase & (amount > 0)
                by = float(off[outside].mean())
                side = "under" if kind == "light" else "over"
                band_parts.append(
                    (
                        f"too_{kind}_{name}",
                        f"too {kind} {_WHERE[name]} of the stroke: about {by:.1f} N {side} "
                        "the band",
                        share,
                    )
                )
    parts += _split(band_loss, band_parts)
    region_parts = [
        (
            f"load_{region}",
            f"{region.replace('_', ' ')} carries {100 * mine:.0f} % of the load, "
            f"expected {100 * expected:.0f} %",
            excess,
        )
        for region, mine, expected, excess in regions
    ]
    parts += _split((1.0 - band_loss) * region_loss, region_parts)
    flags = [f"load:{r[0]}" for r in regions]
    details = {
        "time_in_band": float(np.mean((per_j >= lo) & (per_j <= hi))),
        "time_too_light": float(np.mean(per_j < lo)),
        "time_too_heavy": float(np.mean(per_j > hi)),
        "peak_force_n": float(x.sum(axis=1).max()),
    }
    return pressure, parts, flags, details


def _tempo(
    duration_s: float, x: np.ndarray, reference: Reference
) -> tuple[float, list[tuple[str, str, float]], dict[str, float]]:
    """Tempo 0–100 and its loss split into (code, message, fraction) parts, details."""
    lo_d, mean_d, hi_d = reference.duration_s
    ratio = duration_s / mean_d
    # Log-distance outside the expert's own duration range (0 inside it).
    beyond = max(0.0, math.log(duration_s / hi_d), math.log(lo_d / duration_s))
    global_score = _bell(beyond, _TEMPO_HALF)
    tam, path = time_alignment(x, reference.template)
    local_score = _curve(tam, reference.tam_p90) / 100.0
    tempo = 100.0 * (
        _TEMPO_GLOBAL_WEIGHT * global_score + (1.0 - _TEMPO_GLOBAL_WEIGHT) * local_score
    )
    parts: list[tuple[str, str, float]] = []
    global_loss = _TEMPO_GLOBAL_WEIGHT * (1.0 - global_score)
    if global_loss > 0:
        kind = "rushed" if ratio < 1 else "dragged"
        advice = "slow down" if ratio < 1 else "speed up"
        parts.append(
            (kind, f"{kind}: {ratio:.0%} of the reference duration, {advice}", global_loss)
        )
    # Sections: stroke samples per template sample in each third (the path's slope).
    length = reference.length
    phase = _phase_of(path[:, 1], length)
    section_parts = []
    slopes = {}
    for p, name in enumerate(PHASES):
        here = phase == p
        slope = len(np.unique(path[here, 0])) / max(len(np.unique(path[here, 1])), 1)
        slopes[name] = slope
        deviation = abs(math.log(max(slope, 1e-6)))
        if deviation > 0:
            kind = "rushed" if slope < 1 else "dragged"
            section_parts.append(
                (f"{kind}_{name}", f"{kind} {_SECTION[name]} of the stroke", deviation)
            )
    parts += _split((1.0 - _TEMPO_GLOBAL_WEIGHT) * (1.0 - local_score), section_parts)
    details = {"duration_s": duration_s, "duration_ratio": ratio, "tam": tam}
    details.update({f"slope_{k}": v for k, v in slopes.items()})
    return tempo, parts, details


def _shape_message(x: np.ndarray, path: np.ndarray, reference: Reference) -> str:
    """Say where (which third, which sensor) the normalised stroke departs most."""
    diff = normalised(x)[path[:, 0]] - normalised(reference.template)[path[:, 1]]
    cost = diff**2
    by_phase = np.bincount(
        _phase_of(path[:, 1], reference.length), weights=cost.sum(axis=1), minlength=3
    )
    where = PHASES[int(np.argmax(by_phase))]
    sensor = reference.profile.channel_names[int(np.argmax(cost.sum(axis=0)))]
    return (
        f"stroke shape differs from the reference: most {_WHERE[where]} of the stroke, "
        f"on the {sensor.replace('_', ' ')} sensor"
    )


def _rounded(items: list[tuple[str, str, float]]) -> tuple[Deduction, ...]:
    """Merge repeated codes, fold the minor ones together, round to 0.1 point.

    A list of "rushed the start: 0.1" lines is noise to a student; deductions below
    :data:`MINOR_POINTS` are pooled into one ``minor`` line that names them, so the
    list stays short and still sums to the points lost.
    """
    merged: dict[str, tuple[str, float]] = {}
    for code, message, points in items:
        old = merged.get(code, (message, 0.0))[1]
        merged[code] = (message, old + points)
    major = {c: mp for c, mp in merged.items() if mp[1] >= MINOR_POINTS}
    minor = sorted((c for c, mp in merged.items() if 0 < mp[1] < MINOR_POINTS), key=merged.get)
    out = [Deduction(code, message, round(points, 1)) for code, (message, points) in major.items()]
    minor_points = round(sum(merged[c][1] for c in minor), 1)
    if minor_points > 0:
        names = ", ".join(c.replace("_", " ") for c in reversed(minor))
        out.append(
            Deduction("minor", f"small differences, each under half a point: {names}", minor_points)
        )
    return tuple(sorted((d for d in out if d.points > 0), key=lambda d: (-d.points, d.code)))


def _round(value: float, digits: int = 6) -> float:
    # Normalise -0.0 so JSON never shows it.
    return round(value, digits) + 0.0


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
        Components 0–100 and deductions summing to ``100 - overall``.

    Raises
    ------
    ScoringError
        Wrong channel count, too short, non-finite or all-zero stroke.
    """
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
    if x.shape[0] < 3 or x.sum(axis=1).max() <= 0:
        raise ScoringError("stroke too short or without force to score")
    profile = reference.profile
    clipped = sorted({int(c) for c in clipped_channels})
    if any(not 0 <= c < channels for c in clipped):
        raise ScoringError(f"clipped channel out of range 0..{channels - 1}")
    flags = [f"clipped:{profile.channel_names[c]}" for c in clipped]

    weights = dict(reference.weights)
    if clipped:
        weights["pressure"] = 0.0  # a clipped force is not the true force: do not score it
    total_weight = sum(weights.values()) or 1.0
    w = {k: weights[k] / total_weight for k in COMPONENTS}
    items: list[tuple[str, str, float]] = []

    d, path = shape_distance(x, reference.template)
    shape = _curve(d, reference.shape_d90)
    items.append(("shape", _shape_message(x, path, reference), w["shape"] * (100 - shape)))

    pressure: float | None = None
    pressure_details: dict[str, float] = {}
    if not clipped:
        pressure, parts, region_flags, pressure_details = _pressure(x, path, reference)
        flags += region_flags
        items += [(c, m, w["pressure"] * 100.0 * f) for c, m, f in parts]

    tempo, parts, tempo_details = _tempo(duration_s, x, reference)
    items += [(c, m, w["tempo"] * 100.0 * f) for c, m, f in parts]

    try:
        s = sparc(x.sum(axis=1), reference.fs_hz)
    except SignalError as err:
        raise ScoringError(f"cannot score smoothness: {err}") from None
    deficit = max(0.0, reference.smoothness_mean - s)
    smoothness = 100.0 * _bell(deficit, max(_SPARC_MIN_TOL, 3.0 * reference.smoothness_sd))
    items.append(
        (
            "jerky",
            "jerky pressure: change force more smoothly",
            w["smoothness"] * (100 - smoothness),
        )
    )

    deductions = list(_rounded(items))
    channel, kpa = peak_pressure(x, profile)
    if kpa >= CAUTION_KPA:
        sensor = profile.channel_names[channel]
        flags.append(f"over_pressure:{sensor}")
        lost = sum(dd.points for dd in deductions)
        points = round(min(OVER_PRESSURE_POINTS, max(0.0, 100.0 - lost)), 1)
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

    details = {
        "shape_distance": d,
        "sparc": s,
        "peak_kpa": kpa,
        **pressure_details,
        **tempo_details,
    }
    return StrokeScore(
        start_s=_round(start_s, 3),
        end_s=_round(start_s + duration_s, 3),
        overall=overall,
        shape=round(shape, 1),
        pressure=None if pressure is None else round(pressure, 1),
        tempo=round(tempo, 1),
        smoothness=round(smoothness, 1),
        deductions=tuple(deductions),
        flags=tuple(flags),
        technique=reference.technique,
        details={k: _round(v) for k, v in sorted(details.items())},
        path=path,
    )


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
        One per complete stroke, in recording order (empty for rest or noise).

    Raises
    ------
    ScoringError
        Incompatible glove or malformed forces.
    """
    prof = profile or reference.profile
    check_compatible(prof, reference)
    min_active = 0.4 * reference.duration_s[0]
    found = find_strokes(values, fs_hz, prof, gap_starts=gap_starts, min_active_s=min_active)
    return [
        score_stroke(
            s.values,
            fs_hz,
            reference,
            start_s=s.start / fs_hz,
            clipped_channels=s.clipped_channels,
        )
        for s in found
    ]
