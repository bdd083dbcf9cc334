"""Calibrating a reference's component weights to instructors' ratings (pure maths).

The overall score is the weighted geometric mean of the component scores
(``docs/scoring.md``)::

    overall = 100 · Π (s_c / 100) ^ (w_c / Σ w)        (over the scored components)

so a stored attempt's overall under other weights follows from its stored component
scores, without re-scoring its capture. What the stored overall holds beyond that mean
(the over-pressure deduction, rounding) is kept as a per-attempt offset, so the
reference's own weights give back the stored scores exactly.

The fit: non-negative weights (so the overall never falls when a component's score
rises: monotone), minimising the squared error to the raters' mean rating (on 0–10,
as ``overall / 10``) plus a ridge penalty pulling the normalised weights towards the
reference's (regularised: few ratings move them little). Agreement before and after is
measured on held-out folds: the attempts are split into folds, each fold is predicted
by weights fitted on the others.

Score scales (the experts' spreads a component's score is measured against) are fitted
too when the caller gives their effect (:class:`ScaleEffect`): for a few candidate
factors of a scale, how much each attempt's component score changes (the caller
re-scores the attempts' captures; nothing here reads a file). The scale and the weights
are fitted in turns (coordinate descent), each factor chosen on a grid with a penalty on
``ln(factor)^2``, so a scale moves only when the ratings ask for it. Any positive scale
keeps the component monotone in the deviation it measures.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize

from trainer.exceptions import RatingError
from trainer.ratings.agreement import DEFAULT_SEED, icc, pearson, spearman

__all__ = [
    "FLOOR",
    "MIN_ATTEMPTS",
    "SCALE_PENALTY",
    "Calibration",
    "ScaleEffect",
    "calibrate_weights",
    "fit_weights",
    "overall_scores",
]

#: A component scoring below this counts as this (as in the scorer: a floor for the log).
FLOOR = 1.0
#: Fewest rated attempts a calibration needs: five folds of at least four attempts.
MIN_ATTEMPTS = 20
#: Folds of the cross-validation.
FOLDS = 5
#: Ridge penalty on the normalised weights' distance from the reference's.
DEFAULT_PENALTY = 0.5


def overall_scores(components: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Overall scores 0–100 of attempts from their component scores and the weights.

    Parameters
    ----------
    components : numpy.ndarray
        ``(n, C)`` component scores 0–100; NaN where a component was not scored (it
        is left out and the others re-weighted, as the scorer does).
    weights : numpy.ndarray
        ``(C,)`` non-negative weights.

    Returns
    -------
    numpy.ndarray
        ``(n,)`` weighted geometric means (100 where no weighted component is scored).
    """
    s = np.asarray(components, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    scored = np.isfinite(s) & (w > 0)
    wm = np.where(scored, w, 0.0)
    total = wm.sum(axis=1)
    logs = np.log(np.clip(np.where(scored, s, 100.0), FLOOR, 100.0) / 100.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_log = np.where(total > 0, (wm * logs).sum(axis=1) / np.where(total > 0, total, 1), 0)
    return 100.0 * np.exp(mean_log)


def _predict(components: np.ndarray, offsets: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return np.clip(overall_scores(components, weights) - offsets, 0.0, 100.0)


def fit_weights(
    components: np.ndarray,
    offsets: np.ndarray,
    target: np.ndarray,
    prior: np.ndarray,
    *,
    penalty: float = DEFAULT_PENALTY,
) -> np.ndarray:
    """Fit non-negative weights to ratings (0–10), regularised towards ``prior``.

    Minimises ``mean((overall / 10 - target)^2) + penalty · Σ (w/Σw - p/Σp)^2`` over
    weights on the simplex scaled to ``Σ prior`` (SLSQP), so the result is a drop-in
    replacement for the reference's weights.

    Parameters
    ----------
    components : numpy.ndarray
        ``(n, C)`` component scores (NaN: not scored).
    offsets : numpy.ndarray
        ``(n,)`` points the stored overall differs from the geometric mean by.
    target : numpy.ndarray
        ``(n,)`` ratings 0–10 (the raters' mean per attempt).
    prior : numpy.ndarray
        ``(C,)`` the reference's weights.
    penalty : float
        Ridge strength (>= 0).

    Returns
    -------
    numpy.ndarray
        ``(C,)`` weights, non-negative, summing to ``Σ prior``.
    """
    p = np.asarray(prior, dtype=np.float64)
    total = float(p.sum())
    p_norm = p / total

    def loss(u: np.ndarray) -> float:
        pred = _predict(components, offsets, u * total) / 10.0
        return float(np.mean((pred - target) ** 2) + penalty * np.sum((u - p_norm) ** 2))

    result = optimize.minimize(
        loss,
        p_norm,
        method="SLSQP",
        bounds=[(0.0, 1.0)] * p.size,
        constraints=({"type": "eq", "fun": lambda u: float(np.sum(u) - 1.0)},),
        options={"maxiter": 200, "ftol": 1e-10},
    )
    u = np.clip(np.asarray(result.x, dtype=np.float64), 0.0, None)
    if not np.all(np.isfinite(u)) or u.sum() <= 0:
        return p.copy()
    if loss(u / u.sum()) > loss(p_norm):  # never worse on the data than where it started
        return p.copy()
    return u / u.sum() * total


def _agreement(program10: np.ndarray, target: np.ndarray) -> dict[str, float | None]:
    def num(value: float) -> float | None:
        return round(float(value), 4) if math.isfinite(value) else None

    return {
        "icc_2_1": num(icc(np.column_stack([program10, target])).icc_2_1),
        "spearman": num(spearman(program10, target)),
        "pearson": num(pearson(program10, target)),
        "mae": num(float(np.mean(np.abs(program10 - target)))),
    }


#: Penalty on ln(factor)^2 of a scale (0-10 rating units squared): halving a scale
#: must improve the mean squared error by 0.024 to be chosen.
SCALE_PENALTY = 0.05


@dataclass(frozen=True, slots=True)
class ScaleEffect:
    """How a candidate factor of one score scale changes one component's scores.

    Parameters
    ----------
    scale : str
        The reference's field (``tam_p90``, ``smoothness_sd``).
    component : str
        The component it moves (one of the calibration's names).
    factors : numpy.ndarray
        ``(F,)`` candidate multipliers of the scale, one of them 1.
    deltas : numpy.ndarray
        ``(n, F)`` change of each attempt's component score (0–100 points) with the
        scale multiplied by each factor (0 where it could not be re-scored).
    """

    scale: str
    component: str
    factors: np.ndarray
    deltas: np.ndarray


def _with_scales(
    components: np.ndarray,
    names: Sequence[str],
    effects: Sequence[ScaleEffect],
    chosen: Mapping[str, int],
    rows: np.ndarray,
) -> np.ndarray:
    """Component scores of ``rows`` with each scale at its chosen factor (index)."""
    out = components[rows].copy()
    for e in effects:
        col = list(names).index(e.component)
        out[:, col] = np.clip(out[:, col] + e.deltas[rows, chosen[e.scale]], 0.0, 100.0)
    return out


def _fit(
    names: Sequence[str],
    components: np.ndarray,
    offsets: np.ndarray,
    target: np.ndarray,
    prior: np.ndarray,
    effects: Sequence[ScaleEffect],
    rows: np.ndarray,
    penalty: float,
) -> tuple[np.ndarray, dict[str, int]]:
    """Fit weights and scale factors on ``rows``: weights, then each scale, twice."""
    chosen = {e.scale: int(np.argmin(np.abs(np.log(e.factors)))) for e in effects}
    y, off = target[rows], offsets[rows]
    weights = fit_weights(_with_scales(components, names, effects, chosen, rows), off, y,
                          prior, penalty=penalty)  # fmt: skip
    for _round in range(2 if effects else 0):
        for e in effects:
            losses = []
            for j, factor in enumerate(e.factors):
                trial = {**chosen, e.scale: j}
                pred = _predict(_with_scales(components, names, effects, trial, rows), off, weights)
                losses.append(
                    float(np.mean((pred / 10.0 - y) ** 2))
                    + SCALE_PENALTY * float(np.log(factor)) ** 2
                )
            chosen[e.scale] = int(np.argmin(losses))
        weights = fit_weights(_with_scales(components, names, effects, chosen, rows), off, y,
                              prior, penalty=penalty)  # fmt: skip
    return weights, chosen


@dataclass(frozen=True, slots=True)
class Calibration:
    """A calibration's result.

    Parameters
    ----------
    names : tuple of str
        Components, in the order of the weights.
    before, after : dict
        ``{name: weight}``: the reference's, and the fitted ones (on every attempt).
    held_out_before, held_out_after : dict
        Agreement with the raters' mean on held-out folds (``icc_2_1``, ``spearman``,
        ``pearson``, ``mae`` on 0–10): the program as it scored, and as the weights
        fitted without that fold would have scored.
    n_attempts, folds : int
        Rated attempts used, and folds.
    scales : dict
        ``{scale: factor}`` fitted on every attempt (1: unchanged), for the scales
        whose effect was given.
    """

    names: tuple[str, ...]
    before: dict[str, float]
    after: dict[str, float]
    held_out_before: dict[str, float | None]
    held_out_after: dict[str, float | None]
    n_attempts: int
    folds: int
    scales: dict[str, float] = field(default_factory=dict)

    @property
    def improved(self) -> bool:
        """Held-out ICC(2,1) is higher after than before."""
        a, b = self.held_out_after["icc_2_1"], self.held_out_before["icc_2_1"]
        return a is not None and (b is None or a > b)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict."""
        return {
            "n_attempts": self.n_attempts,
            "folds": self.folds,
            "weights_before": self.before,
            "weights_after": self.after,
            "scale_factors": self.scales,
            "held_out_before": self.held_out_before,
            "held_out_after": self.held_out_after,
            "improved": self.improved,
        }


def calibrate_weights(
    names: Sequence[str],
    components: np.ndarray,
    overall: np.ndarray,
    version_weights: np.ndarray,
    target: np.ndarray,
    prior: Mapping[str, float],
    *,
    folds: int = FOLDS,
    penalty: float = DEFAULT_PENALTY,
    seed: int = DEFAULT_SEED,
    scales: Sequence[ScaleEffect] = (),
) -> Calibration:
    """Cross-validate a weight fit by attempt, then fit on every attempt.

    Parameters
    ----------
    names : sequence of str
        The ``C`` components (columns of ``components``).
    components : numpy.ndarray
        ``(n, C)`` stored component scores 0–100 (NaN: not scored).
    overall : numpy.ndarray
        ``(n,)`` stored overall scores (what the program said).
    version_weights : numpy.ndarray
        ``(n, C)`` the weights of the reference version each attempt was scored with
        (for its offset).
    target : numpy.ndarray
        ``(n,)`` the raters' mean rating of each attempt, 0–10.
    prior : mapping
        The current reference's weights, ``{name: weight}`` (every name in ``names``).
    folds, penalty, seed : int, float, int
        Cross-validation folds, ridge strength, seed of the fold split.
    scales : sequence of ScaleEffect
        Score scales to fit with the weights (their effect on each attempt).

    Returns
    -------
    Calibration

    Raises
    ------
    RatingError
        Fewer than :data:`MIN_ATTEMPTS` rated attempts.
    """
    s = np.asarray(components, dtype=np.float64)
    y = np.asarray(target, dtype=np.float64)
    n = s.shape[0]
    if n < MIN_ATTEMPTS:
        raise RatingError(
            f"calibration needs ratings of at least {MIN_ATTEMPTS} attempts of this "
            f"reference; it has {n}"
        )
    offsets = np.array(
        [overall_scores(s[i : i + 1], version_weights[i])[0] - overall[i] for i in range(n)]
    )
    p = np.array([prior[name] for name in names], dtype=np.float64)
    rng = np.random.default_rng(seed)
    fold_of = rng.permutation(np.arange(n) % folds)
    for e in scales:
        if e.component not in names or e.deltas.shape != (n, e.factors.size):
            raise RatingError(f"scale {e.scale}: effect does not match the attempts")
    predicted = np.empty(n)
    everyone = np.arange(n)
    for f in range(folds):
        test = everyone[fold_of == f]
        w, chosen = _fit(names, s, offsets, y, p, scales, everyone[fold_of != f], penalty)
        predicted[test] = _predict(_with_scales(s, names, scales, chosen, test), offsets[test], w)
    fitted, chosen = _fit(names, s, offsets, y, p, scales, everyone, penalty)
    names = tuple(names)
    return Calibration(
        names=names,
        before={k: float(v) for k, v in zip(names, p, strict=True)},
        after={k: round(float(v), 6) for k, v in zip(names, fitted, strict=True)},
        held_out_before=_agreement(np.asarray(overall, dtype=np.float64) / 10.0, y),
        held_out_after=_agreement(predicted / 10.0, y),
        n_attempts=n,
        folds=folds,
        scales={e.scale: float(e.factors[chosen[e.scale]]) for e in scales},
    )
