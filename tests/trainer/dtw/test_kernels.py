"""Every numba kernel against its plain NumPy twin: hand-worked cases, then seeded random data."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from trainer.dtw import _kernels, _reference

WINDOWS = (-1, 0, 1, 3, 8)


def _col(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64)[:, None]


def _pair(rng: np.random.Generator, d: int, max_len: int = 25) -> tuple[np.ndarray, np.ndarray]:
    n, m = rng.integers(1, max_len, size=2)
    return rng.normal(size=(n, d)), rng.normal(size=(m, d))


# --- hand-worked -------------------------------------------------------------------------


def test_hand_worked_matrix_cost_and_path() -> None:
    # local costs for a = [0, 1, 2], b = [0, 2]: [[0, 4], [1, 1], [4, 0]]
    a, b = _col(0, 1, 2), _col(0, 2)
    expected = np.array([[0.0, 4.0], [1.0, 1.0], [5.0, 1.0]])
    for impl in (_kernels, _reference):
        np.testing.assert_array_equal(impl.dtw_matrix(a, b, -1), expected)
        # (2, 1) <- diagonal (1, 0) = 1 ties with up (1, 1) = 1: the diagonal wins
        np.testing.assert_array_equal(impl.backtrack(expected), [[0, 0], [1, 0], [2, 1]])
    assert _kernels.dtw_cost(a, b, -1, np.inf) == _reference.dtw_cost(a, b, -1, np.inf) == 1.0


def test_hand_worked_band() -> None:
    # a = [0, 1, 2], b = [1, 2, 3]: free warping pays 1 + 0 + 0 + 1 = 2; the diagonal only
    # band (r = 0, equal lengths) pays 1 + 1 + 1 = 3.
    a, b = _col(0, 1, 2), _col(1, 2, 3)
    for impl in (_kernels, _reference):
        assert impl.dtw_cost(a, b, -1, np.inf) == 2.0
        assert impl.dtw_cost(a, b, 0, np.inf) == 3.0
        assert impl.dtw_cost(a, b, 0, 2.5) == np.inf
        assert impl.lb_kim_cost(a, b) == 2.0
    # envelope of b for r = 0 is b itself: LB_Keogh = 3 = the banded DTW here
    lo, hi = _kernels.envelope(b, 3, 0)
    np.testing.assert_array_equal(lo, b)
    np.testing.assert_array_equal(hi, b)
    assert _kernels.lb_keogh_cost(a, lo, hi, np.inf) == 3.0


def test_hand_worked_band_widened_for_unequal_lengths() -> None:
    # n = 2, m = 4, r = 0: row 0 may reach j <= 2, row 1 j in [1, 3]
    ok = _reference.allowed(2, 4, 0)
    np.testing.assert_array_equal(ok, [[True, True, True, False], [False, True, True, True]])
    lo, hi = _kernels.envelope(_col(5, 1, 3, 7), 2, 0)
    np.testing.assert_array_equal(lo[:, 0], [1, 1])
    np.testing.assert_array_equal(hi[:, 0], [5, 7])


def test_hand_worked_open_end() -> None:
    # template [0, 1, 2, 3], stream [0, 1]: row 0 = cumsum([0, 1, 4, 9]) = [0, 1, 5, 14];
    # row 1 locals [1, 0, 1, 4] -> [1, 0, 1, 5]
    template, stream = _col(0, 1, 2, 3), _col(0, 1)
    row, scratch = np.full(4, np.inf), np.empty(4)
    _kernels.open_end_rows(stream, template, row, scratch, 0, -1)
    np.testing.assert_array_equal(row, [1, 0, 1, 5])
    np.testing.assert_array_equal(_reference.open_end_rows(stream, template, -1)[-1], row)


def test_hand_worked_spring() -> None:
    # template [1, 2] occurs exactly at stream[1:3]; it is final at t = 3, when no path
    # starting at or before 2 can still reach below 0.
    template, stream = _col(1, 2), _col(0, 1, 2, 0, 0)
    assert _reference.spring(stream, template, 0.25) == [(1, 2, 0.0)]
    matches, state = _run_spring(stream[:3], template, 0.25)
    assert matches == [] and tuple(state) == (0.0, 1.0, 2.0)
    matches, _ = _run_spring(stream[:4], template, 0.25)
    assert matches == [(1, 2, 0.0)]


# --- seeded random parity ----------------------------------------------------------------


@pytest.mark.parametrize("r", WINDOWS)
def test_dtw_matrix_cost_and_backtrack(r: int) -> None:
    rng = np.random.default_rng(100 + r)
    for _ in range(25):
        a, b = _pair(rng, int(rng.integers(1, 4)))
        acc = _kernels.dtw_matrix(a, b, r)
        np.testing.assert_allclose(acc, _reference.dtw_matrix(a, b, r), rtol=1e-12)
        np.testing.assert_array_equal(_kernels.backtrack(acc), _reference.backtrack(acc))
        full = _reference.dtw_cost(a, b, r, np.inf)
        assert _kernels.dtw_cost(a, b, r, np.inf) == pytest.approx(full, rel=1e-12)
        for max_cost in (full * 0.5, full * 0.999, full * 1.001, full * 2):
            got = _kernels.dtw_cost(a, b, r, max_cost)
            want = _reference.dtw_cost(a, b, r, max_cost)
            assert got == pytest.approx(want, rel=1e-12) or got == want == np.inf


@pytest.mark.parametrize("r", WINDOWS)
def test_envelope_and_lower_bounds(r: int) -> None:
    rng = np.random.default_rng(200 + r)
    for _ in range(25):
        a, b = _pair(rng, int(rng.integers(1, 4)))
        lo, hi = _kernels.envelope(b, len(a), r)
        lo_ref, hi_ref = _reference.envelope(b, len(a), r)
        np.testing.assert_array_equal(lo, lo_ref)
        np.testing.assert_array_equal(hi, hi_ref)
        lb = _kernels.lb_keogh_cost(a, lo, hi, np.inf)
        assert lb == pytest.approx(_reference.lb_keogh_cost(a, lo, hi), rel=1e-12, abs=1e-300)
        # early stop returns a partial sum that is already above the threshold
        if lb > 0:
            assert _kernels.lb_keogh_cost(a, lo, hi, lb * 0.5) > lb * 0.5
        assert _kernels.lb_kim_cost(a, b) == pytest.approx(_reference.lb_kim_cost(a, b), rel=1e-12)


@pytest.mark.parametrize("r", WINDOWS)
def test_nn_search(r: int) -> None:
    rng = np.random.default_rng(300 + r)
    for _ in range(15):
        d = int(rng.integers(1, 4))
        q = rng.normal(size=(int(rng.integers(1, 20)), d))
        cands = [rng.normal(size=(int(rng.integers(1, 20)), d)) for _ in range(12)]
        cands.insert(5, cands[2].copy())  # an exact tie: the lower index must win
        cat = np.ascontiguousarray(np.concatenate(cands))
        offsets = np.cumsum([0] + [len(c) for c in cands]).astype(np.int64)
        envs = [_kernels.envelope(c, len(q), r) for c in cands]
        lo = np.ascontiguousarray(np.concatenate([e[0] for e in envs]))
        hi = np.ascontiguousarray(np.concatenate([e[1] for e in envs]))
        index, cost = _kernels.nn_search(q, cat, offsets, lo, hi, r)
        ref_index, ref_cost = _reference.nn_search(q, cands, r)
        assert index == ref_index
        assert cost == pytest.approx(ref_cost, rel=1e-12)


@pytest.mark.parametrize("r", WINDOWS)
def test_open_end_rows_incremental(r: int) -> None:
    rng = np.random.default_rng(400 + r)
    for _ in range(15):
        d = int(rng.integers(1, 4))
        template = rng.normal(size=(int(rng.integers(1, 20)), d))
        stream = rng.normal(size=(int(rng.integers(1, 30)), d))
        rows = _reference.open_end_rows(stream, template, r)
        row, scratch = np.full(len(template), np.inf), np.empty(len(template))
        t = 0
        while t < len(stream):
            k = int(rng.integers(1, 5))
            _kernels.open_end_rows(stream[t : t + k], template, row, scratch, t, r)
            t = min(t + k, len(stream))
            np.testing.assert_allclose(row, rows[t - 1], rtol=1e-12)


def _run_spring(
    stream: np.ndarray, template: np.ndarray, eps: float, blocks: list[int] | None = None
) -> tuple[list[tuple[int, int, float]], np.ndarray]:
    m = len(template)
    d, s = np.full(m + 1, np.inf), np.zeros(m + 1, dtype=np.int64)
    d[0] = 0.0
    sd, ss = np.empty(m + 1), np.empty(m + 1, dtype=np.int64)
    state = np.array([np.inf, 0.0, 0.0])
    found: list[tuple[int, int, float]] = []
    bounds = np.cumsum([0, *(blocks or [len(stream)])])
    for lo, hi in itertools.pairwise(bounds):
        out = np.empty((max(hi - lo, 1), 3))
        n = _kernels.spring_steps(stream[lo:hi], template, d, s, sd, ss, state, lo, eps, out)
        found += [(int(a), int(b), float(c)) for a, b, c in out[:n]]
    return found, state


@pytest.mark.parametrize("threshold_quantile", [None, 0.02, 0.2])
def test_spring_steps(threshold_quantile: float | None) -> None:
    rng = np.random.default_rng(
        500 if threshold_quantile is None else int(threshold_quantile * 1e3)
    )
    for _ in range(20):
        d = int(rng.integers(1, 4))
        template = rng.normal(size=(int(rng.integers(1, 8)), d))
        stream = rng.normal(size=(int(rng.integers(1, 60)), d))
        if threshold_quantile is None:
            eps = np.inf
        else:
            costs = _reference.subsequence_costs(stream, template)
            eps = float(np.quantile(costs[np.isfinite(costs)], threshold_quantile))
        sizes = list(rng.integers(1, 9, size=len(stream)))
        while sum(sizes) > len(stream):
            sizes.pop()
        sizes.append(len(stream) - sum(sizes))
        found, state = _run_spring(stream, template, eps, sizes)
        if np.isfinite(state[0]):  # what flush would add
            found.append((int(state[1]), int(state[2]), float(state[0])))
        expected = _reference.spring(stream, template, eps)
        assert [f[:2] for f in found] == [e[:2] for e in expected]
        np.testing.assert_allclose([f[2] for f in found], [e[2] for e in expected], rtol=1e-12)
