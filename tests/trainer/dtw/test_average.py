from __future__ import annotations

import numpy as np
import pytest
from dtaidistance import dtw_barycenter

from trainer.dtw import dba, dtw_distance
from trainer.exceptions import SignalError


@pytest.mark.parametrize(("d", "r"), [(1, None), (1, 4), (3, None), (3, 2)])
def test_one_iteration_equals_dtaidistance(d: int, r: int | None) -> None:
    # dtaidistance's dba() is one DBA update of a given centre; the same alignments (its
    # window is our radius + 1) must give the same barycenter.
    rng = np.random.default_rng(20 + d + (r or 0))
    for _ in range(5):
        shape = (lambda n: (n,)) if d == 1 else (lambda n: (n, d))
        takes = [rng.normal(size=shape(int(rng.integers(15, 30)))) for _ in range(6)]
        init = rng.normal(size=shape(20))
        ours = dba(takes, n_iter=1, init=init, window=r)
        theirs = dtw_barycenter.dba(takes, init, use_c=True, window=None if r is None else r + 1)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def _inertia(avg: np.ndarray, takes: list[np.ndarray]) -> float:
    return sum(dtw_distance(avg, t) ** 2 for t in takes)


def _takes(rng: np.random.Generator) -> list[np.ndarray]:
    base = np.sin(np.linspace(0, 2 * np.pi, 60))
    takes = []
    for k in range(6):
        n = 50 + 5 * k
        warp = np.linspace(0, 1, n) ** (0.8 + 0.08 * k)
        takes.append(np.interp(warp, np.linspace(0, 1, 60), base) + rng.normal(0, 0.05, n))
    return takes


def test_medoid_start_never_gets_worse_and_is_deterministic() -> None:
    takes = _takes(np.random.default_rng(1))
    medoid = dba(takes, n_iter=0)
    sums = [_inertia(t, takes) for t in takes]
    np.testing.assert_array_equal(medoid, takes[int(np.argmin(sums))])
    previous = _inertia(medoid, takes)
    for n_iter in (1, 2, 4, 8):
        avg = dba(takes, n_iter=n_iter, tol=0.0)
        assert avg.shape == medoid.shape
        inertia = _inertia(avg, takes)
        assert inertia <= previous * (1 + 1e-12)
        previous = inertia
    np.testing.assert_array_equal(dba(takes), dba(takes))
    assert previous < 0.9 * _inertia(medoid, takes)


def test_identical_takes_average_to_themselves_and_init_sets_length() -> None:
    take = np.random.default_rng(2).normal(size=(30, 2))
    np.testing.assert_allclose(dba([take, take, take]), take, rtol=1e-15)
    avg = dba([take, take[::2]], init=take[:12])
    assert avg.shape == (12, 2)


def test_dba_errors() -> None:
    with pytest.raises(SignalError):
        dba([])
    with pytest.raises(SignalError):
        dba([np.zeros((4, 2)), np.zeros((4, 3))])
    with pytest.raises(SignalError):
        dba([np.zeros(4)], init=np.zeros((4, 2)))
    with pytest.raises(SignalError):
        dba([np.zeros(4)], n_iter=-1)
