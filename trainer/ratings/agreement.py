"""Agreement statistics: correlation, ICC, Bland–Altman, Cohen's κ, bootstrap CIs.

Pure functions on arrays (no I/O, no Qt). Correlations come from :mod:`scipy.stats`;
the intraclass correlations are computed from the two-way ANOVA mean squares, as
defined by Shrout & Fleiss (1979) and McGraw & Wong (1996), because no maintained
package for them is a dependency (pingouin is not). The tests check them against a
hand-worked ANOVA and a second, loop-based computation.

References
----------
.. [1] Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing
   rater reliability. *Psychological Bulletin* 86(2), 420–428.
.. [2] McGraw, K. O. & Wong, S. P. (1996). Forming inferences about some intraclass
   correlation coefficients. *Psychological Methods* 1(1), 30–46.
.. [3] Bland, J. M. & Altman, D. G. (1986). Statistical methods for assessing agreement
   between two methods of clinical measurement. *Lancet* 327(8476), 307–310.
.. [4] Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
   Psychological Measurement* 20(1), 37–46.
.. [5] Koo, T. K. & Li, M. Y. (2016). A guideline of selecting and reporting intraclass
   correlation coefficients for reliability research. *J. Chiropractic Medicine* 15(2),
   155–163.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from trainer.exceptions import RatingError

__all__ = [
    "DEFAULT_RESAMPLES",
    "DEFAULT_SEED",
    "BlandAltman",
    "Icc",
    "anova_two_way",
    "bland_altman",
    "bootstrap_ci",
    "bootstrap_cis",
    "cohen_kappa",
    "icc",
    "icc_many",
    "kappa_many",
    "pearson",
    "pearson_many",
    "spearman",
    "spearman_many",
]

#: Bootstrap resamples and seed: fixed, so the same ratings always give the same CIs.
DEFAULT_RESAMPLES = 2000
DEFAULT_SEED = 20260214

Ci = tuple[float, float]


def _pair(
    x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(x, dtype=np.float64).ravel()
    b = np.asarray(y, dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise RatingError(f"paired values differ in length ({a.size} and {b.size})")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise RatingError("paired values must be finite")
    return a, b


def _constant(a: np.ndarray) -> bool:
    return a.size == 0 or bool(np.all(a == a[0]))


def spearman(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    """Spearman's rank correlation ρ (:func:`scipy.stats.spearmanr`).

    Returns NaN with fewer than 3 pairs or when either side is constant (undefined).
    """
    a, b = _pair(x, y)
    if a.size < 3 or _constant(a) or _constant(b):
        return math.nan
    return float(stats.spearmanr(a, b).statistic)


def pearson(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    """Pearson's correlation r (:func:`scipy.stats.pearsonr`); NaN when undefined."""
    a, b = _pair(x, y)
    if a.size < 3 or _constant(a) or _constant(b):
        return math.nan
    return float(stats.pearsonr(a, b).statistic)


@dataclass(frozen=True, slots=True)
class Icc:
    """Intraclass correlations of an ``(n targets, k raters)`` table, and its ANOVA.

    Parameters
    ----------
    icc_2_1 : float
        ICC(2,1): two-way random effects, absolute agreement, single rater (McGraw &
        Wong's ICC(A,1)).
    icc_2_k : float
        ICC(2,k): the same for the mean of the ``k`` raters (ICC(A,k)).
    ms_rows, ms_cols, ms_error : float
        Mean squares of targets (rows), raters (columns) and the residual.
    n, k : int
        Targets and raters.
    """

    icc_2_1: float
    icc_2_k: float
    ms_rows: float
    ms_cols: float
    ms_error: float
    n: int
    k: int


def anova_two_way(table: np.ndarray) -> tuple[float, float, float]:
    """Mean squares of a two-way ANOVA without replication (rows, columns, error).

    Parameters
    ----------
    table : numpy.ndarray
        ``(n, k)`` scores, complete (no NaN), ``n >= 2`` and ``k >= 2``.

    Returns
    -------
    tuple of float
        ``(MSR, MSC, MSE)`` with ``n - 1``, ``k - 1`` and ``(n - 1)(k - 1)`` degrees of
        freedom.
    """
    x = np.asarray(table, dtype=np.float64)
    n, k = x.shape
    grand = x.mean()
    ss_rows = k * float(np.sum((x.mean(axis=1) - grand) ** 2))
    ss_cols = n * float(np.sum((x.mean(axis=0) - grand) ** 2))
    ss_total = float(np.sum((x - grand) ** 2))
    ss_error = max(ss_total - ss_rows - ss_cols, 0.0)  # rounding can make it -1e-16
    return ss_rows / (n - 1), ss_cols / (k - 1), ss_error / ((n - 1) * (k - 1))


def icc(table: Sequence[Sequence[float]] | np.ndarray) -> Icc:
    """ICC(2,1) and ICC(2,k): two-way random effects, absolute agreement.

    With the mean squares of :func:`anova_two_way` (Shrout & Fleiss 1979, case 2;
    McGraw & Wong 1996, ICC(A,1) and ICC(A,k))::

        ICC(2,1) = (MSR - MSE) / (MSR + (k - 1) MSE + k (MSC - MSE) / n)
        ICC(2,k) = (MSR - MSE) / (MSR + (MSC - MSE) / n)

    Parameters
    ----------
    table : array_like
        ``(n targets, k raters)``, complete; ``n >= 2``, ``k >= 2``.

    Returns
    -------
    Icc
        Both coefficients (NaN when the denominator is 0: every score equal) and the
        mean squares.

    Raises
    ------
    RatingError
        Not a finite 2-D table of at least 2 x 2.
    """
    x = np.asarray(table, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 2:
        raise RatingError(f"ICC needs a table of at least 2 targets x 2 raters, got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise RatingError("ICC needs a complete table of finite scores")
    n, k = x.shape
    msr, msc, mse = anova_two_way(x)
    den_1 = msr + (k - 1) * mse + k * (msc - mse) / n
    den_k = msr + (msc - mse) / n
    icc_1 = (msr - mse) / den_1 if den_1 > 0 else math.nan
    icc_k = (msr - mse) / den_k if den_k > 0 else math.nan
    return Icc(float(icc_1), float(icc_k), msr, msc, mse, n, k)


@dataclass(frozen=True, slots=True)
class BlandAltman:
    """Bland–Altman agreement of two methods (differences ``a - b``).

    Parameters
    ----------
    bias : float
        Mean difference.
    sd : float
        Standard deviation of the differences (``ddof=1``).
    loa_low, loa_high : float
        95 % limits of agreement, ``bias ∓ 1.96 sd``.
    """

    bias: float
    sd: float
    loa_low: float
    loa_high: float


def bland_altman(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> BlandAltman:
    """Bias and 95 % limits of agreement of ``a`` against ``b`` (Bland & Altman 1986).

    Raises
    ------
    RatingError
        Fewer than 2 pairs, or unequal lengths.
    """
    x, y = _pair(a, b)
    if x.size < 2:
        raise RatingError("Bland–Altman needs at least 2 pairs")
    d = x - y
    bias = float(d.mean())
    sd = float(d.std(ddof=1))
    return BlandAltman(bias, sd, bias - 1.96 * sd, bias + 1.96 * sd)


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Cohen's κ of two raters' labels of the same items (Cohen 1960).

    ``κ = (p_o - p_e) / (1 - p_e)``, ``p_o`` the observed agreement and ``p_e`` the
    agreement expected from each rater's label frequencies.

    Returns
    -------
    float
        κ; NaN when ``p_e == 1`` (both raters always give the same single label:
        agreement by chance cannot be told from skill) or there are no items.

    Raises
    ------
    RatingError
        Unequal lengths.
    """
    if len(a) != len(b):
        raise RatingError(f"paired labels differ in length ({len(a)} and {len(b)})")
    n = len(a)
    if n == 0:
        return math.nan
    labels = sorted(set(a) | set(b), key=repr)
    index = {label: i for i, label in enumerate(labels)}
    table = np.zeros((len(labels), len(labels)))
    for u, v in zip(a, b, strict=True):
        table[index[u], index[v]] += 1
    p_o = float(np.trace(table)) / n
    p_e = float(table.sum(axis=1) @ table.sum(axis=0)) / n**2
    if p_e >= 1.0:
        return math.nan
    return (p_o - p_e) / (1.0 - p_e)


# -- bootstrap ---------------------------------------------------------------------------
# The statistics below take a stack of resampled tables, ``(B, n, columns)``, and return
# ``(B,)``: numpy over all resamples at once (a Python loop of scipy calls over 2000
# resamples takes seconds). The tests check each against its scalar twin above.


def pearson_many(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pearson's r of each row pair of ``(B, n)`` arrays (NaN where a row is constant)."""
    xc = x - x.mean(axis=-1, keepdims=True)
    yc = y - y.mean(axis=-1, keepdims=True)
    den = np.sqrt((xc**2).sum(axis=-1) * (yc**2).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (xc * yc).sum(axis=-1) / den
    return np.where(den > 1e-12 * (1 + np.abs(x).max() * np.abs(y).max()), r, np.nan)


def spearman_many(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman's ρ of each row pair: Pearson's r of the (tie-averaged) ranks."""
    return pearson_many(stats.rankdata(x, axis=-1), stats.rankdata(y, axis=-1))


def icc_many(tables: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ICC(2,1) and ICC(2,k) of each ``(n, k)`` table of a ``(B, n, k)`` stack."""
    x = np.asarray(tables, dtype=np.float64)
    n, k = x.shape[-2:]
    grand = x.mean(axis=(-2, -1), keepdims=True)
    ss_rows = k * ((x.mean(axis=-1, keepdims=True) - grand) ** 2).sum(axis=(-2, -1))
    ss_cols = n * ((x.mean(axis=-2, keepdims=True) - grand) ** 2).sum(axis=(-2, -1))
    ss_error = np.maximum(((x - grand) ** 2).sum(axis=(-2, -1)) - ss_rows - ss_cols, 0.0)
    msr, msc, mse = ss_rows / (n - 1), ss_cols / (k - 1), ss_error / ((n - 1) * (k - 1))
    den_1 = msr + (k - 1) * mse + k * (msc - mse) / n
    den_k = msr + (msc - mse) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        single = np.where(den_1 > 0, (msr - mse) / den_1, np.nan)
        average = np.where(den_k > 0, (msr - mse) / den_k, np.nan)
    return single, average


def kappa_many(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cohen's κ of each row pair of ``(B, n)`` boolean arrays (two labels)."""
    a, b = a.astype(bool), b.astype(bool)
    n = a.shape[-1]
    p_o = (a == b).mean(axis=-1)
    pa, pb = a.mean(axis=-1), b.mean(axis=-1)
    p_e = pa * pb + (1 - pa) * (1 - pb)
    with np.errstate(invalid="ignore", divide="ignore"):
        kappa = (p_o - p_e) / (1 - p_e)
    return np.where((1 - p_e) > 0.5 / n**2, kappa, np.nan)


def bootstrap_cis(
    statistic: Callable[[np.ndarray], Sequence[np.ndarray]],
    rows: np.ndarray,
    *,
    confidence: float = 0.95,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> list[Ci]:
    """Percentile bootstrap CIs of several statistics, resampling rows (attempts).

    Parameters
    ----------
    statistic : callable
        ``statistic(resamples) -> sequence of m arrays (B,)``, given every resample at
        once as a ``(B, n, columns)`` stack; a NaN (a degenerate resample, e.g. constant
        ratings) is left out of that statistic's CI.
    rows : numpy.ndarray
        ``(n, columns)``: one row per attempt (the unit resampled with replacement).
    confidence : float
        Coverage, e.g. 0.95.
    n_resamples : int
        Bootstrap resamples.
    seed : int
        Seed of :func:`numpy.random.default_rng`: the same input gives the same CIs.

    Returns
    -------
    list of (low, high)
        One per statistic; ``(nan, nan)`` with fewer than 3 rows, or when fewer than
        half of the resamples give a value.
    """
    data = np.asarray(rows)
    if data.ndim != 2:
        raise RatingError("bootstrap rows must be a 2-D table (attempts x columns)")
    n = data.shape[0]
    if n < 3:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = len(statistic(np.zeros((1, 3, data.shape[1]), data.dtype)))
        return [(math.nan, math.nan)] * m
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, n, size=(n_resamples, n))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant resamples: their NaN is dropped below
        values = statistic(data[picks])
    tail = 100.0 * (1.0 - confidence) / 2.0
    out: list[Ci] = []
    for column in values:
        column = np.asarray(column, dtype=np.float64)
        finite = column[np.isfinite(column)]
        if finite.size < n_resamples / 2:
            out.append((math.nan, math.nan))
            continue
        low, high = np.percentile(finite, [tail, 100.0 - tail])
        out.append((float(low), float(high)))
    return out


def bootstrap_ci(
    statistic: Callable[[np.ndarray], np.ndarray],
    rows: np.ndarray,
    *,
    confidence: float = 0.95,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> Ci:
    """Percentile bootstrap CI of one vectorised statistic (see :func:`bootstrap_cis`)."""
    (ci,) = bootstrap_cis(
        lambda r: (statistic(r),),
        rows,
        confidence=confidence,
        n_resamples=n_resamples,
        seed=seed,
    )
    return ci
