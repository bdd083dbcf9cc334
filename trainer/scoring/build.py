"""Building a reference from an instructor's takes (DBA template, band, calibration)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from sensors.profiles import GloveProfile
from trainer.dtw import dba, dtw_path
from trainer.exceptions import ScoringError
from trainer.scoring.alignment import (
    align_total,
    beat_samples,
    judged_force,
    shape_cutoff_hz,
    smooth_total,
    strike_jitter,
    strike_period,
)
from trainer.scoring.measures import (
    smoothness,
    strike_envelope,
    stroke_context,
    stroke_shares,
    tam,
)
from trainer.scoring.model import DEFAULT_WEIGHTS, Reference, check_weights, region_names
from trainer.scoring.pressure import level_weights, third_balance
from trainer.scoring.scoring import normalised
from trainer.scoring.strokes import find_strokes

__all__ = ["BAND_MIN_N", "BAND_MIN_REL", "BAND_SD", "MIN_STROKES", "band", "build_reference"]

#: Band half-width: ``max(BAND_SD · sd, BAND_MIN_REL · |mean|, BAND_MIN_N)``.
BAND_SD = 2.0
BAND_MIN_REL = 0.2
BAND_MIN_N = 0.5
#: Fewest complete strokes a reference can be built from.
MIN_STROKES = 3
_DBA_ITER = 10
_MIN_SCALE = 1e-3  # floor of the score scales (identical takes would give 0)


def band(aligned: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Tolerance band from strokes aligned to the template axis.

    Parameters
    ----------
    aligned : numpy.ndarray
        ``(strokes, L)`` total force of each stroke per template index, newtons.

    Returns
    -------
    lo, hi : numpy.ndarray
        ``(L,)`` newtons: ``mean ± max(2 sd, 0.2 |mean|, 0.5 N)``, ``lo`` clipped at 0.
    """
    mean = aligned.mean(axis=0)
    half = np.maximum.reduce(
        [
            BAND_SD * aligned.std(axis=0),
            BAND_MIN_REL * np.abs(mean),
            np.full_like(mean, BAND_MIN_N),
        ]
    )
    return np.clip(mean - half, 0.0, None), mean + half


def _typical(strokes: list[np.ndarray]) -> list[np.ndarray]:
    """Drop strokes whose duration or peak force is far from the takes' median.

    A take may hold a stray touch or a half stroke; the median is robust to a few.
    """
    durations = np.array([len(s) for s in strokes], dtype=np.float64)
    peaks = np.array([s.sum(axis=1).max() for s in strokes])
    d_med, p_med = np.median(durations), np.median(peaks)
    keep = (
        (durations >= 0.5 * d_med)
        & (durations <= 2.0 * d_med)
        & (peaks >= p_med / 3.0)
        & (peaks <= 3.0 * p_med)
    )
    return [s for s, k in zip(strokes, keep, strict=True) if k]


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
    synthetic: bool = False,
    performers: Sequence[str] = (),
) -> Reference:
    """Build a reference from several takes of one technique.

    Each take is segmented into complete strokes by rest detection (strokes cut by a
    gap are left out); strokes far from the median duration or peak force are dropped;
    the rest are averaged with DBA into a template and aligned to it with DTW. The
    spread of the aligned strokes gives the tolerance band
    (:func:`band`), the load shares per region and the force levels. Leave-one-out gives
    the score scales: each stroke is compared with the template updated without it (one
    DBA step over the other strokes' alignments), and the 90th percentiles of those
    shape distances and time alignment measures are the scales at which a score is 90.

    Parameters
    ----------
    takes : sequence of (values, gap_starts)
        Recordings ``(n, channels)`` newtons at ``fs_hz`` with their gap positions.
    name, technique, author, notes, created : str
        Metadata.
    profile : GloveProfile
        Glove of the takes.
    fs_hz : float
        Sample rate, Hz.
    weights : dict or None
        Component weights (default :data:`~trainer.scoring.model.DEFAULT_WEIGHTS`).
    synthetic : bool
        The takes were simulated, not recorded from an expert.
    performers : sequence of str
        Who performed the takes (kept in the reference).

    Returns
    -------
    Reference
        The reference (not yet saved: see :mod:`trainer.store.references`).

    Raises
    ------
    ScoringError
        Fewer than :data:`MIN_STROKES` complete strokes, bad weights, or takes whose
        channels do not match the glove.
    """
    w = check_weights(dict(DEFAULT_WEIGHTS if weights is None else weights))
    strokes = [
        s.values
        for values, gaps in takes
        for s in find_strokes(values, fs_hz, profile, gap_starts=gaps)
    ]
    strokes = _typical(strokes) if strokes else strokes
    if len(strokes) < MIN_STROKES:
        raise ScoringError(
            f"found {len(strokes)} complete strokes in the takes; need at least {MIN_STROKES} "
            "(strokes must start and end at rest)"
        )
    # Average the shapes (each stroke over its own peak): averaging raw newtons, DBA
    # would fold a stronger stroke's whole plateau onto one template sample and distort
    # the template's time axis.
    shapes = [normalised(s) for s in strokes]
    peaks = np.array([float(s.sum(axis=1).max()) for s in strokes])
    shape_template = dba(shapes, n_iter=_DBA_ITER)
    template = shape_template * peaks.mean()
    cutoff = shape_cutoff_hz(template.sum(axis=1), fs_hz)
    smooth_template = smooth_total(template.sum(axis=1), fs_hz, cutoff)
    # Percussion is judged by its strike level: the band is on the running maximum
    # over one beat (a single sweep's beat is one sample: its force itself), taken as
    # the scorer takes a student's (judged_force).
    beat = beat_samples(template.sum(axis=1))
    band_lo, band_hi, balance_rms, share_arr = _spread(
        strokes, smooth_template, fs_hz, cutoff, beat, profile
    )
    durations = np.array([len(s) / fs_hz for s in strokes])
    periods = [strike_period(s.sum(axis=1), beat) for s in strokes] if beat > 1 else []
    periods = [p for p in periods if math.isfinite(p)]
    jitters = [strike_jitter(s.sum(axis=1), beat) for s in strokes] if beat > 1 else []
    jitters = [j for j in jitters if math.isfinite(j)]
    provisional = Reference(
        name=name,
        technique=technique,
        author=author,
        notes=notes,
        created=created,
        synthetic=synthetic,
        profile=profile,
        fs_hz=float(fs_hz),
        template=template,
        band_lo=band_lo,
        band_hi=band_hi,
        share_mean=share_arr.mean(axis=0),
        share_sd=share_arr.std(axis=0),
        duration_s=(float(durations.min()), float(durations.mean()), float(durations.max())),
        peak_force_n=(float(np.mean(peaks)), float(np.std(peaks))),
        mean_force_n=float(np.mean([s.sum(axis=1).mean() for s in strokes])),
        shape_d90=1.0,
        tam_p90=1.0,
        smoothness_mean=0.0,
        smoothness_sd=0.0,
        weights=w,
        n_strokes=len(strokes),
        performers=tuple(sorted(set(performers))),
        strike_period_s=float(np.median(periods)) / fs_hz if periods else 0.0,
        strike_jitter_mean=float(np.mean(jitters)) if len(jitters) >= 3 else 0.0,
        strike_jitter_sd=float(np.std(jitters)) if len(jitters) >= 3 else 0.0,
        balance_rms=(float(balance_rms[0]), float(balance_rms[1]), float(balance_rms[2])),
    )
    d_loo, tam_loo, smooth = _leave_one_out(strokes, shapes, shape_template, provisional, cutoff)
    return dataclasses.replace(
        provisional,
        smoothness_mean=float(np.mean(smooth)),
        smoothness_sd=float(np.std(smooth)),
        shape_d90=max(float(np.percentile(d_loo, 90)), _MIN_SCALE),
        tam_p90=max(float(np.percentile(tam_loo, 90)), _MIN_SCALE),
    )


def _spread(
    strokes: list[np.ndarray],
    smooth_template: np.ndarray,
    fs_hz: float,
    cutoff: float,
    beat: int,
    profile: GloveProfile,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """How the experts' strokes spread about the template.

    Returns the band (``lo``, ``hi``), the RMS balance of their thirds and their load
    shares per region (one row per stroke with load; a row of zeros without).
    """
    totals, shares = [], []
    for stroke in strokes:
        # The band: each stroke on the template's axis as the scorer reads pressure
        # (uniformly rescaled: real-time phases).
        al = align_total(stroke, smooth_template, fs_hz, cutoff, whole=True)
        totals.append(judged_force(stroke, al, beat))
        share = stroke_shares(stroke, profile.regions)
        if share is not None:
            shares.append(share)
    band_lo, band_hi = band(np.array(totals))
    # How the takes spread their force over the thirds, judged as the scorer judges a
    # stroke's (against the band's middle, weighted by its level).
    mid = 0.5 * (band_lo + band_hi)
    balances = np.array([third_balance(t, mid, level_weights(mid)) for t in totals])
    balance_rms = np.sqrt(np.mean(balances**2, axis=0))
    share_arr = (
        np.array(shares) if shares else np.zeros((1, len(region_names(profile))), dtype=float)
    )
    return band_lo, band_hi, balance_rms, share_arr


def _leave_one_out(
    strokes: list[np.ndarray],
    shapes: list[np.ndarray],
    shape_template: np.ndarray,
    provisional: Reference,
    cutoff: float,
) -> tuple[list[float], list[float], list[float]]:
    """Score scales, leave-one-out: shape distance, TAM and smoothness of each stroke.

    Each stroke is measured as the scorer measures it, against the template updated
    without it (one DBA step over the other strokes' alignments).
    """
    fs_hz = provisional.fs_hz
    level = provisional.peak_force_n[0]
    beat = beat_samples(provisional.total)
    # Each stroke's samples summed per template index (one DBA step's ingredients).
    sums = np.zeros((len(strokes), *shape_template.shape))
    counts = np.zeros((len(strokes), shape_template.shape[0]))
    for k in range(len(strokes)):
        _, path = dtw_path(shape_template, shapes[k])
        np.add.at(sums[k], path[:, 0], shapes[k][path[:, 1]])
        np.add.at(counts[k], path[:, 0], 1.0)
    all_sums, all_counts = sums.sum(axis=0), counts.sum(axis=0)
    d_loo, tam_loo, smooth = [], [], []
    for k, stroke in enumerate(strokes):
        rest = all_counts - counts[k]
        loo = np.where(
            rest[:, None] > 0,
            (all_sums - sums[k]) / np.maximum(rest, 1.0)[:, None],
            shape_template,
        )
        loo_ref = dataclasses.replace(provisional, template=loo * level)
        loo_total = smooth_total(loo_ref.total, fs_hz, cutoff)
        al = align_total(stroke, loo_total, fs_hz, cutoff, whole=True)
        ctx = stroke_context(stroke, len(stroke) / fs_hz, loo_ref, al)
        d_loo.append(ctx.form_distance)
        tam_loo.append(tam(ctx.path))
        # Smoothness as the scorer measures it: on the level-corrected form.
        pace = ctx.form.size / max(al.covered, 1)
        smooth.append(smoothness(strike_envelope(ctx.form, beat), fs_hz, level, pace))
    return d_loo, tam_loo, smooth
