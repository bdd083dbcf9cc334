"""What every score component sees of a stroke, and the helpers they share (pure maths).

:func:`stroke_context` aligns a stroke with its reference and sets each third's level to
the reference's (the *form*, which shape and smoothness judge); a scorer takes the
resulting :class:`StrokeContext` and returns a :class:`ComponentResult`. The built-in
components are in :mod:`trainer.scoring.measures` and :mod:`trainer.scoring.pressure`.
Formulas: ``docs/scoring.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.ndimage import median_filter

from trainer.dtw import dtw_path
from trainer.scoring.alignment import (
    Alignment,
    smoothed_template,
    unit,
    window,
)
from trainer.scoring.model import Reference
from trainer.signal import region_shares

__all__ = [
    "FORM_WINDOW",
    "K90",
    "LOADED_N",
    "PHASES",
    "SECTION",
    "WHERE",
    "ComponentResult",
    "StrokeContext",
    "band_middle",
    "curve",
    "log_loss",
    "mean_along_path",
    "phase_of",
    "shares_of",
    "step_gains",
    "stroke_context",
    "stroke_shares",
]

PHASES = ("start", "middle", "end")
#: Sakoe–Chiba radius of the form's time map, as a share of the template: wider than the
#: level's (levels are divided out first, so warping cannot hide them), enough to follow
#: a third done in half its time.
FORM_WINDOW = 0.25
WHERE = {"start": "at the start", "middle": "in the middle", "end": "at the end"}
SECTION = {"start": "the start", "middle": "the middle", "end": "the end"}
#: ``100 · exp(-K (x / scale)^2)`` is 90 at ``x = scale``.
K90 = math.log(100.0 / 90.0)
#: Below this total force, load shares are not meaningful.
LOADED_N = 1.0
#: Width of the joins between thirds in the level profile, a fraction of the stroke.
_GAIN_SEGMENTS = 6
#: Width of the raised-cosine joins between the thirds' levels (share of the stroke).
_GAIN_EDGE = 0.06
#: Share of the template's peak above which its level is read for the step gains.
_STEP_LOADED = 0.3
#: The slowest tremor (Hz) the step gains must not follow.
_TREMOR_MIN_HZ = 6.0


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
    judge_balance : bool
        Pressure judges the balance between the thirds; off for a stroke whose main
        smoothness fault is jerks (a push or a give of a tenth of a second moves a third
        of a one-second stroke as a lighter third would; the band alone judges then).
    """

    values: np.ndarray
    duration_s: float
    reference: Reference
    alignment: Alignment
    gains: np.ndarray
    form: np.ndarray
    form_distance: float
    path: np.ndarray
    judge_balance: bool = True


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


def shares_of(parts: list[tuple[str, str, float]]) -> tuple[tuple[str, str, float], ...]:
    """Normalise (code, message, weight) parts to shares summing to 1."""
    total = sum(p[2] for p in parts if p[2] > 0)
    if total <= 0:
        return ()
    return tuple((c, m, w / total) for c, m, w in parts if w > 0)


def log_loss(score: float) -> float:
    """Return ``-ln(score)`` for a factor in 0..1 (floored at 1e-3): a component's loss."""
    return -math.log(max(score, 1e-3))
