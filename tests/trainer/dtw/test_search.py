from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from dtaidistance import dtw as dtai

from trainer.dtw import NearestNeighbours, dtw_distance, lb_keogh, lb_kim, nearest
from trainer.exceptions import SignalError

DATA = Path(__file__).parents[2] / "data" / "gunpoint.npz"


@pytest.mark.parametrize("r", [None, 0, 2, 10])
def test_lower_bounds_never_exceed_dtw(r: int | None) -> None:
    rng = np.random.default_rng(40 + (r or 0))
    for _ in range(150):
        d = int(rng.integers(1, 4))
        a = rng.normal(size=(int(rng.integers(1, 30)), d))
        b = rng.normal(size=(int(rng.integers(1, 30)), d))
        dist = dtw_distance(a, b, window=r)
        assert lb_kim(a, b) <= dist * (1 + 1e-12)
        assert lb_keogh(a, b, r) <= dist * (1 + 1e-12)
        assert lb_keogh(b, a, r) <= dist * (1 + 1e-12)


def test_lower_bounds_are_tight_where_they_should_be() -> None:
    # LB_Keogh with r = 0 on equal lengths is the diagonal's cost: the DTW itself
    a, b = [0.0, 1.0, 2.0], [1.0, 2.0, 3.0]
    assert lb_keogh(a, b, 0) == pytest.approx(dtw_distance(a, b, window=0))
    assert lb_kim(a, b) == pytest.approx(np.sqrt(2))
    assert lb_kim([4.0], [1.0]) == 3.0  # one cell: counted once
    # a query inside the candidate's envelope has bound 0
    assert lb_keogh([0.5, 0.5], [0.0, 1.0, 0.0]) == 0.0


def test_nearest_equals_brute_force_with_ties_to_lowest_index() -> None:
    rng = np.random.default_rng(50)
    for r in (None, 0, 3):
        for _ in range(20):
            cands = [rng.normal(size=(int(rng.integers(5, 30)), 2)) for _ in range(15)]
            cands.append(cands[4].copy())
            query = cands[4] + rng.normal(0, 0.01, size=cands[4].shape)
            dists = [dtw_distance(query, c, window=r) for c in cands]
            index, dist = nearest(query, cands, window=r)
            assert index == int(np.argmin(dists)) == 4
            assert dist == pytest.approx(min(dists), rel=1e-12)
            query = rng.normal(size=(int(rng.integers(5, 30)), 2))
            dists = [dtw_distance(query, c, window=r) for c in cands]
            assert nearest(query, cands, window=r) == (
                int(np.argmin(dists)),
                pytest.approx(min(dists), rel=1e-12),
            )


def test_nearest_neighbours_reuses_envelopes_for_several_lengths() -> None:
    rng = np.random.default_rng(51)
    cands = [rng.normal(size=(int(rng.integers(10, 20)),)) for _ in range(8)]
    search = NearestNeighbours(cands, window=2)
    assert len(search) == 8 and search.channels == 1
    for n in (12, 15, 12, 9):
        q = rng.normal(size=n)
        dists = [dtw_distance(q, c, window=2) for c in cands]
        index, dist = search.query(q)
        assert index == int(np.argmin(dists))
        assert dist == pytest.approx(min(dists), rel=1e-12)


def test_search_errors() -> None:
    with pytest.raises(SignalError):
        NearestNeighbours([])
    with pytest.raises(SignalError):
        NearestNeighbours([np.zeros((3, 2)), np.zeros((3, 1))])
    with pytest.raises(SignalError):
        NearestNeighbours([np.zeros((3, 2))]).query(np.zeros((3, 3)))
    with pytest.raises(SignalError):
        lb_keogh([1.0], [1.0], -2)


def _gunpoint() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    with np.load(DATA, allow_pickle=False) as f:
        return f["X_train"], f["y_train"], f["X_test"], f["y_test"]


def test_gunpoint_shape() -> None:
    xtr, ytr, xte, yte = _gunpoint()
    assert xtr.shape == (50, 150) and xte.shape == (150, 150)
    assert set(np.unique(ytr)) == set(np.unique(yte)) == {1, 2}


def test_gunpoint_published_error_rates() -> None:
    # UCR archive / Ratanamahatana & Keogh 2005: 1-NN test error 0.0933 with full-window
    # DTW and 0.0867 with Euclidean distance, i.e. 14 and 13 of the 150 test series.
    xtr, ytr, xte, yte = _gunpoint()
    search = NearestNeighbours(list(xtr))
    dtw_wrong = sum(ytr[search.query(x)[0]] != y for x, y in zip(xte, yte, strict=True))
    euclid = ((xte[:, None, :] - xtr[None, :, :]) ** 2).sum(axis=2)
    euclid_wrong = int((ytr[np.argmin(euclid, axis=1)] != yte).sum())
    assert (dtw_wrong, euclid_wrong) == (14, 13)
    assert round(dtw_wrong / len(yte), 4) == 0.0933
    assert round(euclid_wrong / len(yte), 4) == 0.0867


def test_gunpoint_pruned_search_equals_brute_force() -> None:
    xtr, _, xte, _ = _gunpoint()
    r = 15  # 10 % of the length
    search = NearestNeighbours(list(xtr), window=r)
    for x in xte:
        brute = np.array([dtai.distance_fast(x, c, window=r + 1, use_pruning=False) for c in xtr])
        index, dist = search.query(x)
        assert index == int(np.argmin(brute))
        assert dist == pytest.approx(brute.min(), rel=1e-9)
