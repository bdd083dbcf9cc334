"""The pressure component: force along the reference's band, and load over the hand.

Level faults are named by counterfactuals (the whole stroke's level, or one third's,
rescaled to the band's middle: the one that recovers most is named first), so a stroke
too light throughout is "too light", not three thirds. Formulas: ``docs/scoring.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from trainer.scoring.alignment import beat_samples, judged_force
from trainer.scoring.context import (
    K90,
    LOADED_N,
    PHASES,
    WHERE,
    ComponentResult,
    StrokeContext,
    log_loss,
    phase_of,
    shares_of,
    stroke_shares,
)
from trainer.scoring.model import Reference

__all__ = [
    "BALANCE_MIN",
    "BALANCE_SD",
    "BAND_TIMING",
    "SHARE_FREE",
    "SHARE_MIN_TOL",
    "expected_shares",
    "level_weights",
    "load_distance",
    "pressure_component",
    "third_balance",
]

#: Load-share tolerance (total variation distance beyond the free share scoring 90), floor.
SHARE_MIN_TOL = 0.08
#: Share of the load tolerance within which a spread loses nothing (the experts' own).
SHARE_FREE = 0.5
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
#: Balance between the thirds (a third's level over the whole stroke's, in log, against
#: the experts'): tolerance ``max(BALANCE_SD · the takes' RMS, BALANCE_MIN)``. Free of
#: the performer's overall level, which the band must allow for, so it sees a third
#: pressed lightly where the band is wide (a ramp, a squeeze's onset).
BALANCE_SD = 2.0
BALANCE_MIN = 0.1


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
    mid: np.ndarray
    #: Per third, the balance tolerance (log ratio); None: the reference predates it.
    balance_tol: np.ndarray | None = None


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


def _levels(
    force: np.ndarray, mid: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """Return each third's weighted level against ``mid``, which hold samples, the whole's."""
    n = force.size
    phase = phase_of(np.arange(n), n)
    thirds = np.array([_level_ratio(force, mid, w, phase == i) for i in range(3)])
    present = np.bincount(phase, minlength=3) > 0
    return thirds, present, _level_ratio(force, mid, w, np.ones(n, bool))


def _balance(thirds: np.ndarray, present: np.ndarray, whole: float) -> np.ndarray:
    """Return the log of each third's level over the whole's (0 for an empty third)."""
    ratio = np.maximum(thirds, 1e-6) / max(whole, 1e-6)
    return np.where(present, np.log(ratio), 0.0)


def third_balance(force: np.ndarray, mid: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Return each third's level relative to the whole stroke's, in log, against ``mid``.

    ``log((L_i / M_i) / (L / M))`` with ``L`` the weighted force and ``M`` the band's
    middle, over third ``i`` and over the whole: 0 where the stroke spreads its force over
    the thirds as the experts did, whatever its overall level.
    """
    return _balance(*_levels(force, mid, w))


def level_weights(mid: np.ndarray) -> np.ndarray:
    """Return each template index's weight in a level: its band middle, >= ``LOADED_N``."""
    level = np.maximum(mid, LOADED_N)
    return level / level.sum()


def _loss(force: np.ndarray, band: _Band, w: np.ndarray) -> np.ndarray:
    """Per template index: the band loss, topped up in a third its balance loses more in.

    A third's balance loss is ``(1 - exp(-K u^2)) / 3``, ``u`` its log ratio's excess over
    the inner :data:`_BAND_FREE` of the tolerance, in the rest of it (10 % of a third at
    the tolerance). The larger of a third's band and balance losses counts: both judge
    how hard that third was pressed.
    """
    loss = _band_loss(force, band, w)
    if band.balance_tol is None:
        return loss
    thirds, present, whole = _levels(force, band.mid, w)
    balance_dev = _balance(thirds, present, whole)
    # A third is out of balance only where it is also off the experts' level that way:
    # beside a light middle the start looks heavy, but it is as the experts pressed it.
    balance_dev = np.where(balance_dev * (thirds - 1.0) > 0, balance_dev, 0.0)
    # As the band: nothing lost within its inner share, 10 % of a third at its edge.
    over = np.maximum(np.abs(balance_dev) - _BAND_FREE * band.balance_tol, 0.0)
    balance = (1.0 - np.exp(-K90 * (over / ((1.0 - _BAND_FREE) * band.balance_tol)) ** 2)) / 3.0
    phase = phase_of(np.arange(force.size), force.size)
    for i in range(3):
        here = phase == i
        extra = balance[i] - float(loss[here].sum())
        if here.any() and extra > 0:
            loss[here] += extra / here.sum()
    return loss


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
    devs = list(_levels(force, mid, w)[0] - 1.0)
    if not (all(d < 0 for d in devs) or all(d > 0 for d in devs)) or min(map(abs, devs)) < (
        _THROUGHOUT_EVENNESS * max(map(abs, devs))
    ):
        masks.pop("")
    for _ in range(3):
        loss = float(_loss(current, band, w).sum())
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
            gain = loss - float(_loss(fixed, band, w).sum())
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
    rest = _loss(current, band, w)
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


def _judged_band(
    lo: np.ndarray, hi: np.ndarray, balance_rms: tuple[float, float, float]
) -> tuple[_Band, np.ndarray]:
    """Return the band as the scorer judges force against it, and each index's weight."""
    mid = 0.5 * (lo + hi)
    half = np.maximum.reduce([0.5 * (hi - lo), 0.05 * mid, np.full(mid.size, 0.25)])
    rms = np.asarray(balance_rms, dtype=float)
    band = _Band(
        mid - _BAND_FREE * half,
        mid + _BAND_FREE * half,
        (1.0 - _BAND_FREE) * half,
        mid,
        np.maximum(BALANCE_SD * rms, BALANCE_MIN) if rms.any() else None,
    )
    return band, level_weights(mid)


def pressure_component(ctx: StrokeContext) -> ComponentResult:
    """Force along the reference's band (level and where), and load over the hand."""
    al, ref = ctx.alignment, ctx.reference
    n = al.covered
    lo, hi = ref.band_lo[:n], ref.band_hi[:n]
    # Balance is judged on a whole sweep: one let go early is told that first, and a
    # train of strikes has no level between them (a tremor's harder and softer strikes
    # would read as a third out of balance).
    beat = beat_samples(ref.total)
    judged = ctx.judge_balance and n >= ref.length and beat == 1
    band, w = _judged_band(lo, hi, ref.balance_rms if judged else (0.0, 0.0, 0.0))
    mid = band.mid
    # Real-time phases: the stroke rescaled uniformly, not warped; percussion by the
    # level of its strikes (the band was built the same way).
    force = judged_force(ctx.values, al, beat)
    force = _retimed(force, band, w, ref.length)
    band_loss = min(float(_loss(force, band, w).sum()), 1.0)
    faults = _level_faults(force, mid, band, w)
    shares = stroke_shares(ctx.values, ref.profile.regions)
    load_factor, tv = 1.0, 0.0
    load_faults: list[tuple[str, str, float]] = []
    flags: list[str] = []
    if shares is not None:
        expected = expected_shares(ref, n)
        load_factor, load_faults, flags, tv = _load_fault(shares, ref, expected)
    band_factor = 1.0 - band_loss
    parts = [(c, m, g / max(band_loss, 1e-12) * log_loss(band_factor)) for c, m, g in faults]
    parts += [(c, m, s * log_loss(load_factor)) for c, m, s in load_faults]
    details = {
        "time_in_band": float(np.mean((force >= lo) & (force <= hi))),
        "time_too_light": float(np.mean(force < lo)),
        "time_too_heavy": float(np.mean(force > hi)),
        "peak_force_n": float(ctx.values.sum(axis=1).max()),
        "pressure_ratio": float((w * force).sum() / max((w * mid).sum(), 1e-9)),
        "load_distance": tv,
    }
    return ComponentResult(
        100.0 * band_factor * load_factor, shares_of(parts), tuple(flags), details
    )
