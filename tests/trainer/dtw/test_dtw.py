from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from dtaidistance import dtw as dtai
from dtaidistance import dtw_ndim as dtai_nd

from trainer import dtw
from trainer.dtw import _kernels, _reference
from trainer.exceptions import SignalError

RNG = np.random.default_rng(20261124)
DATA = Path(__file__).parents[2] / "data" / "gunpoint.npz"


def _oracle(a: np.ndarray, b: np.ndarray, r: int | None) -> float:
    window = None if r is None else r + 1
    if a.ndim == 1:
        return dtai.distance_fast(a, b, window=window, use_pruning=False)
    return dtai_nd.distance_fast(a, b, window=window, use_pruning=False)


@pytest.mark.parametrize("r", [None, 0, 1, 5, 30])
@pytest.mark.parametrize("d", [1, 2, 3, 4, 5])
def test_distance_equals_dtaidistance(r: int | None, d: int) -> None:
    for _ in range(30):
        n, m = RNG.integers(2, 60, size=2)
        shape_a, shape_b = ((n,), (m,)) if d == 1 else ((n, d), (m, d))
        a, b = RNG.normal(size=shape_a), RNG.normal(size=shape_b)
        expected = _oracle(a, b, r)
        assert dtw.dtw_distance(a, b, window=r) == pytest.approx(expected, rel=1e-9)


def test_path_cost_equals_distance_and_is_monotone() -> None:
    for r in (None, 0, 3):
        for _ in range(40):
            a = RNG.normal(size=(RNG.integers(1, 40), 3))
            b = RNG.normal(size=(RNG.integers(1, 40), 3))
            dist, path = dtw.dtw_path(a, b, window=r)
            assert tuple(path[0]) == (0, 0) and tuple(path[-1]) == (len(a) - 1, len(b) - 1)
            steps = np.diff(path, axis=0)
            assert np.all((steps >= 0) & (steps <= 1)) and np.all(steps.sum(axis=1) >= 1)
            cost = ((a[path[:, 0]] - b[path[:, 1]]) ** 2).sum()
            assert np.sqrt(cost) == pytest.approx(dist, rel=1e-12)
            assert dist == pytest.approx(dtw.dtw_distance(a, b, window=r), rel=1e-12)


def test_kernels_match_reference_twins() -> None:
    for r in (-1, 0, 2, 7):
        for _ in range(25):
            a = RNG.normal(size=(RNG.integers(1, 25), 2))
            b = RNG.normal(size=(RNG.integers(1, 25), 2))
            np.testing.assert_allclose(
                _kernels.dtw_matrix(a, b, r), _reference.dtw_matrix(a, b, r), rtol=1e-12
            )
            lo, hi = _kernels.envelope(b, len(a), r)
            assert _kernels.lb_keogh_cost(a, lo, hi, np.inf) == pytest.approx(
                _reference.lb_keogh_cost(a, b, r), rel=1e-12, abs=1e-15
            )


def test_hand_worked_case() -> None:
    # a = [0, 1, 2], b = [0, 2]: path (0,0) (1,0)|(1,1) (2,1) -> cost 0 + 1 + 0 = 1
    assert dtw.dtw_distance([0.0, 1.0, 2.0], [0.0, 2.0]) == pytest.approx(1.0)
    assert dtw.dtw_distance([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], window=0) == 0.0


def test_early_abandon() -> None:
    a, b = RNG.normal(size=(50, 2)), RNG.normal(size=(45, 2))
    true = dtw.dtw_distance(a, b)
    assert dtw.dtw_distance(a, b, max_dist=true * 1.0001) == pytest.approx(true)
    assert dtw.dtw_distance(a, b, max_dist=true * 0.5) == np.inf


def test_lower_bounds_never_exceed_dtw() -> None:
    for r in (None, 0, 2, 10):
        for _ in range(200):
            a = RNG.normal(size=(RNG.integers(1, 30), 2))
            b = RNG.normal(size=(RNG.integers(1, 30), 2))
            d = dtw.dtw_distance(a, b, window=r)
            assert dtw.lb_kim(a, b) <= d + 1e-12
            assert dtw.lb_keogh(a, b, r) <= d + 1e-12


def test_bad_input() -> None:
    with pytest.raises(SignalError):
        dtw.dtw_distance([], [1.0])
    with pytest.raises(SignalError):
        dtw.dtw_distance([np.nan], [1.0])
    with pytest.raises(SignalError):
        dtw.dtw_distance(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(SignalError):
        dtw.dtw_distance([1.0], [1.0], window=-1)


def test_open_end_equals_dtw_python() -> None:
    import dtw as dtwpy

    for _ in range(30):
        template = RNG.normal(size=(RNG.integers(5, 40), 3))
        stream = RNG.normal(size=(RNG.integers(2, 40), 3))
        cost = ((stream[:, None, :] - template[None, :, :]) ** 2).sum(axis=2)
        # dtw-python refuses open_end with symmetric1 ("requires normalizable step
        # patterns"); the same steps with hint "N" divide the last row by the constant n,
        # which leaves the open-end argmin and the reported (unnormalised) distance as
        # symmetric1's. Also check the last row itself against symmetric1's cost matrix.
        sym1_n = dtwpy.StepPattern(dtwpy.symmetric1.mx, hint="N")
        ref = dtwpy.dtw(cost, step_pattern=sym1_n, open_end=True)
        full = dtwpy.dtw(cost, step_pattern="symmetric1", keep_internals=True)
        aligner = dtw.OpenEndAligner(template)
        # push in random blocks: incremental == one-shot
        pos = 0
        while pos < len(stream):
            k = int(RNG.integers(1, 6))
            aligner.push(stream[pos : pos + k])
            pos += k
        assert aligner.position == ref.index2[-1]
        assert aligner.cost == pytest.approx(ref.distance, rel=1e-12)
        np.testing.assert_allclose(aligner.row, full.costMatrix[-1], rtol=1e-12)
        np.testing.assert_allclose(aligner.row, _reference.open_end_costs(stream, template))


def test_spring_matches_brute_force_on_small_cases() -> None:
    for _ in range(25):
        template = RNG.normal(size=(RNG.integers(2, 6), 2))
        stream = RNG.normal(size=(RNG.integers(3, 18), 2))
        s, e, cost = _reference.spring_brute_force(stream, template)
        matcher = dtw.StreamingMatcher(template)
        matches = matcher.push(stream) + matcher.flush()
        best = min(matches, key=lambda m: m.distance)
        assert best.distance == pytest.approx(np.sqrt(cost), rel=1e-12)
        assert (best.start, best.end) == (s, e + 1)
        # reported matches never overlap
        spans = sorted((m.start, m.end) for m in matches)
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def test_spring_spots_planted_strokes_across_pushes_with_threshold() -> None:
    t = np.linspace(0, np.pi, 40)
    template = np.sin(t)[:, None] * np.array([[1.0, 0.5]])
    noise = lambda n: RNG.normal(0, 0.02, size=(n, 2))  # noqa: E731
    pieces, truth, pos = [], [], 0
    for stretch in (1.0, 1.3, 0.8):
        rest = noise(30)
        stroke = np.interp(np.linspace(0, 39, int(40 * stretch)), np.arange(40), template[:, 0])
        stroke = stroke[:, None] * np.array([[1.0, 0.5]]) + noise(len(stroke))
        pieces += [rest, stroke]
        truth.append((pos + 30, pos + 30 + len(stroke)))
        pos += 30 + len(stroke)
    pieces.append(noise(30))
    stream = np.concatenate(pieces)
    matcher = dtw.StreamingMatcher(template, threshold=1.0)
    found = []
    for start in range(0, len(stream), 7):
        found += matcher.push(stream[start : start + 7])
    found += matcher.flush()
    assert len(found) == 3
    for m, (s, e) in zip(found, truth, strict=True):
        assert abs(m.start - s) <= 3 and abs(m.end - e) <= 3
    # a rest-only stream gives nothing under the threshold
    quiet = dtw.StreamingMatcher(template, threshold=1.0)
    assert quiet.push(noise(300)) + quiet.flush() == []


def test_dba_recovers_a_common_shape() -> None:
    base = np.sin(np.linspace(0, 2 * np.pi, 60))
    takes = []
    for k in range(6):
        n = 50 + 5 * k
        warped = np.interp(np.linspace(0, 1, n) ** (0.8 + 0.08 * k), np.linspace(0, 1, 60), base)
        takes.append(warped + RNG.normal(0, 0.02, n))
    avg = dba(takes) if (dba := dtw.dba) else None
    assert avg is not None and avg.ndim == 1
    mean_to_avg = np.mean([dtw.dtw_distance(avg, t) for t in takes])
    mean_to_first = np.mean([dtw.dtw_distance(takes[0], t) for t in takes[1:]])
    assert mean_to_avg < mean_to_first


def test_znormalise_handles_flat_channels() -> None:
    x = np.column_stack([np.arange(10.0), np.full(10, 3.0)])
    z = dtw.znormalise(x)
    assert np.allclose(z[:, 0].mean(), 0) and np.allclose(z[:, 0].std(), 1)
    assert np.all(z[:, 1] == 0)


def _gunpoint():
    with np.load(DATA, allow_pickle=False) as f:
        return f["X_train"], f["y_train"], f["X_test"], f["y_test"]


def test_gunpoint_published_error_rates() -> None:
    xtr, ytr, xte, yte = _gunpoint()
    dtw_wrong = euclid_wrong = 0
    for x, y in zip(xte, yte, strict=True):
        i, _ = dtw.nearest(x, list(xtr))
        dtw_wrong += ytr[i] != y
        euclid_wrong += ytr[np.argmin(((xtr - x) ** 2).sum(axis=1))] != y
    assert round(dtw_wrong / len(yte), 4) == 0.0933  # Ratanamahatana & Keogh 2005 / UCR
    assert round(euclid_wrong / len(yte), 4) == 0.0867


def test_gunpoint_pruned_search_equals_brute_force() -> None:
    xtr, _, xte, _ = _gunpoint()
    r = 15  # 10 % of the length
    for x in xte[::3]:
        brute = np.array([dtai.distance_fast(x, c, window=r + 1, use_pruning=False) for c in xtr])
        i, dist = dtw.nearest(x, list(xtr), window=r)
        assert i == int(np.argmin(brute))
        assert dist == pytest.approx(brute.min(), rel=1e-9)


def test_warmup_runs() -> None:
    dtw.warmup()
