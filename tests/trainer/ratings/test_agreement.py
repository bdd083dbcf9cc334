"""Agreement statistics (trainer.ratings.agreement) against known values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from trainer.exceptions import RatingError
from trainer.ratings.agreement import (
    anova_two_way,
    bland_altman,
    bootstrap_ci,
    cohen_kappa,
    icc,
    icc_many,
    kappa_many,
    pearson,
    pearson_many,
    spearman,
    spearman_many,
)

# Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges.
SHROUT_FLEISS = np.array(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
    dtype=float,
)


def test_two_way_anova_of_shrout_and_fleiss_table_matches_the_hand_worked_sums() -> None:
    # By hand: T = 127, N = 24, T^2/N = 16129/24; row sums 24 12 26 16 30 19, column sums
    # 46 15 26 40, sum of squares 841. SSR = 2913/4 - T^2/N = 1349/24 (df 5),
    # SSC = 4617/6 - T^2/N = 2339/24 (df 3), SST = 841 - T^2/N = 4055/24,
    # SSE = SST - SSR - SSC = 367/24 (df 15).
    msr, msc, mse = anova_two_way(SHROUT_FLEISS)
    assert msr == pytest.approx(1349 / 24 / 5)
    assert msc == pytest.approx(2339 / 24 / 3)
    assert mse == pytest.approx(367 / 24 / 15)
    result = icc(SHROUT_FLEISS)
    n, k = 6, 4
    by_hand_1 = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
    by_hand_k = (msr - mse) / (msr + (msc - mse) / n)
    assert result.icc_2_1 == pytest.approx(by_hand_1)
    assert result.icc_2_k == pytest.approx(by_hand_k)
    # The published values: ICC(2,1) = .29, ICC(2,k) = .62.
    assert round(result.icc_2_1, 2) == 0.29
    assert round(result.icc_2_k, 2) == 0.62


def _icc_by_least_squares(table: np.ndarray) -> tuple[float, float]:
    """ICC(A,1), ICC(A,k) from variance components, the error from a dummy-coded fit.

    Independent of the closed form: the residual sum of squares comes from a least
    squares fit of ``x_ij = mu + r_i + c_j``, the other sums from explicit loops.
    """
    n, k = table.shape
    rows, y = [], []
    for i in range(n):
        for j in range(k):
            x = np.zeros(1 + n + k)
            x[0], x[1 + i], x[1 + n + j] = 1.0, 1.0, 1.0
            rows.append(x)
            y.append(table[i, j])
    design, target = np.array(rows), np.array(y)
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)
    sse = float(np.sum((target - design @ coef) ** 2))
    grand = sum(sum(r) for r in table.tolist()) / (n * k)
    ssr = sum(k * (sum(r) / k - grand) ** 2 for r in table.tolist())
    ssc = sum(n * (sum(table[i][j] for i in range(n)) / n - grand) ** 2 for j in range(k))
    msr, msc, mse = ssr / (n - 1), ssc / (k - 1), sse / ((n - 1) * (k - 1))
    var_rows, var_cols = (msr - mse) / k, (msc - mse) / n
    single = var_rows / (var_rows + var_cols + mse)
    average = var_rows / (var_rows + (var_cols + mse) / k)
    return single, average


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_icc_agrees_with_a_variance_components_computation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    true = rng.normal(6, 1.5, size=15)
    table = true[:, None] + rng.normal([0.0, 0.8, -0.4], 1.0, size=(15, 3))
    single, average = _icc_by_least_squares(table)
    result = icc(table)
    assert result.icc_2_1 == pytest.approx(single, abs=1e-9)
    assert result.icc_2_k == pytest.approx(average, abs=1e-9)
    assert _icc_by_least_squares(SHROUT_FLEISS)[0] == pytest.approx(icc(SHROUT_FLEISS).icc_2_1)


def test_synthetic_raters_give_the_expected_rho_and_icc() -> None:
    # Program score P ~ N(6, 1.5) on 0-10; a rater says P + N(0, 1). Bivariate normal:
    # r = 1.5 / sqrt(1.5^2 + 1), Spearman = 6/pi asin(r/2); ICC(A,1) of the pair
    # (P, rater) = var P / (var P + sigma^2 / 2) (k = 2, no bias).
    rng = np.random.default_rng(7)
    n, sd, sigma = 4000, 1.5, 1.0
    program = rng.normal(6.0, sd, n)
    rater = program + rng.normal(0.0, sigma, n)
    r = sd / math.sqrt(sd**2 + sigma**2)
    assert pearson(program, rater) == pytest.approx(r, abs=0.015)
    assert spearman(program, rater) == pytest.approx(6 / math.pi * math.asin(r / 2), abs=0.015)
    expected = sd**2 / (sd**2 + sigma**2 / 2)
    assert icc(np.column_stack([program, rater])).icc_2_1 == pytest.approx(expected, abs=0.015)
    # A harsh rater (1.5 points lower): absolute agreement drops, ranking does not.
    # ICC(A,1) = var P / (var P + (sigma^2 + bias^2) / 2).
    harsh = rater - 1.5
    expected = sd**2 / (sd**2 + (sigma**2 + 1.5**2) / 2)
    assert icc(np.column_stack([program, harsh])).icc_2_1 == pytest.approx(expected, abs=0.02)
    assert spearman(program, harsh) == pytest.approx(spearman(program, rater))
    ba = bland_altman(program, harsh)
    assert ba.bias == pytest.approx(1.5, abs=0.05)
    assert ba.loa_high - ba.loa_low == pytest.approx(2 * 1.96 * sigma, abs=0.1)


def test_a_monotone_but_curved_rater_ranks_perfectly_yet_does_not_agree_absolutely() -> None:
    program = np.linspace(1, 10, 30)
    rater = 10 * (program / 10) ** 2
    assert spearman(program, rater) == pytest.approx(1.0)
    assert pearson(program, rater) < 1.0
    assert icc(np.column_stack([program, rater])).icc_2_1 < 0.95


def test_cohen_kappa_on_a_known_table() -> None:
    # 50 items: both yes 20, A yes B no 5, A no B yes 10, both no 15.
    # p_o = 35/50 = 0.7; p_e = (25*30 + 25*20) / 50^2 = 0.5; kappa = 0.2 / 0.5 = 0.4.
    a = [1] * 20 + [1] * 5 + [0] * 10 + [0] * 15
    b = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    # Three categories, rows rater A, columns rater B (n = 100):
    #        x   y   z
    #   x   44   5   1    (50)
    #   y    7  20   3    (30)
    #   z    6   0  14    (20)
    #      (57) (25) (18)
    # p_o = (44 + 20 + 14) / 100 = 0.78; p_e = .50*.57 + .30*.25 + .20*.18 = 0.396;
    # kappa = 0.384 / 0.604.
    table = {("x", "x"): 44, ("x", "y"): 5, ("x", "z"): 1, ("y", "x"): 7, ("y", "y"): 20,
             ("y", "z"): 3, ("z", "x"): 6, ("z", "y"): 0, ("z", "z"): 14}  # fmt: skip
    pairs = [k for k, v in table.items() for _ in range(v)]
    a3, b3 = [p[0] for p in pairs], [p[1] for p in pairs]
    assert cohen_kappa(a3, b3) == pytest.approx(0.384 / 0.604)
    assert cohen_kappa(a, a) == 1.0
    assert math.isnan(cohen_kappa([0, 0, 0], [0, 0, 0]))  # no variation: undefined


def test_bootstrap_ci_is_reproducible_covers_the_estimate_and_narrows_with_n() -> None:
    rng = np.random.default_rng(3)

    def rows(n: int) -> np.ndarray:
        p = rng.normal(6, 1.5, n)
        return np.column_stack([p, p + rng.normal(0, 1, n)])

    small, large = rows(30), rows(300)

    def stat(stack: np.ndarray) -> np.ndarray:
        return spearman_many(stack[..., 0], stack[..., 1])

    ci = bootstrap_ci(stat, small, n_resamples=500)
    assert ci == bootstrap_ci(stat, small, n_resamples=500)  # fixed seed
    assert ci[0] <= spearman(small[:, 0], small[:, 1]) <= ci[1]
    wide = bootstrap_ci(stat, large, n_resamples=500)
    assert wide[1] - wide[0] < ci[1] - ci[0]
    assert all(math.isnan(v) for v in bootstrap_ci(stat, small[:2]))


def test_vectorised_bootstrap_statistics_equal_their_scalar_twins() -> None:
    rng = np.random.default_rng(4)
    stack = np.round(rng.normal(6, 2, size=(25, 12, 3)))  # rounded: ties, as real ratings
    stack[3, :, 1] = 5.0  # a constant resample: undefined correlation
    flags = rng.random((25, 12, 2)) < 0.4
    rho = spearman_many(stack[..., 0], stack[..., 1])
    r = pearson_many(stack[..., 0], stack[..., 1])
    single, average = icc_many(stack)
    kappa = kappa_many(flags[..., 0], flags[..., 1])
    for b in range(25):
        x, y = stack[b, :, 0], stack[b, :, 1]
        assert rho[b] == pytest.approx(spearman(x, y), nan_ok=True)
        assert r[b] == pytest.approx(pearson(x, y), nan_ok=True)
        assert single[b] == pytest.approx(icc(stack[b]).icc_2_1, nan_ok=True)
        assert average[b] == pytest.approx(icc(stack[b]).icc_2_k, nan_ok=True)
        assert kappa[b] == pytest.approx(
            cohen_kappa(list(flags[b, :, 0]), list(flags[b, :, 1])), nan_ok=True
        )
    assert math.isnan(rho[3]) and math.isnan(r[3])


def test_bad_input_is_one_clear_error() -> None:
    with pytest.raises(RatingError, match="at least 2 targets"):
        icc([[1.0, 2.0]])
    with pytest.raises(RatingError, match="complete table"):
        icc([[1.0, math.nan], [2.0, 3.0]])
    with pytest.raises(RatingError, match="differ in length"):
        spearman([1, 2, 3], [1, 2])
    assert math.isnan(spearman([1, 1, 1], [1, 2, 3]))
    assert math.isnan(icc([[5, 5], [5, 5]]).icc_2_1)
