from __future__ import annotations

import numpy as np
import pytest
from dtaidistance import dtw as dtai
from dtaidistance import dtw_ndim as dtai_nd

from sensors.blocks import SampleBlock
from sensors.profiles import load_profile
from trainer.dtw import dtw_distance, dtw_path
from trainer.exceptions import SignalError


def _oracle(a: np.ndarray, b: np.ndarray, r: int | None, max_dist: float | None = None) -> float:
    # dtaidistance's window w allows |i - j| < w + |n - m| (on the longer side), so our
    # radius r is its window r + 1. Its ndim kernel uses the same convention as ours: local
    # cost = squared Euclidean distance summed over channels (SquaredEuclideanNdim), result
    # = sqrt of the accumulated cost; the 1-D kernel is the d = 1 case of it.
    window = None if r is None else r + 1
    if a.ndim == 1:
        return dtai.distance_fast(a, b, window=window, max_dist=max_dist, use_pruning=False)
    return dtai_nd.distance_fast(a, b, window=window, max_dist=max_dist, use_pruning=False)


@pytest.mark.parametrize("r", [None, 0, 1, 5, 30])
@pytest.mark.parametrize("d", [1, 2, 3, 4, 5])
def test_distance_equals_dtaidistance(r: int | None, d: int) -> None:
    rng = np.random.default_rng(1000 * d + (r or 99))
    for _ in range(30):  # 750 pairs over the grid
        n, m = rng.integers(1, 70, size=2)
        shape_a, shape_b = ((n,), (m,)) if d == 1 else ((n, d), (m, d))
        a, b = rng.normal(size=shape_a), rng.normal(size=shape_b)
        expected = _oracle(a, b, r)
        assert dtw_distance(a, b, window=r) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("r", [None, 0, 5])
def test_max_dist_equals_dtaidistance(r: int | None) -> None:
    rng = np.random.default_rng(7 + (r or 0))
    for _ in range(40):
        a = rng.normal(size=(int(rng.integers(2, 50)), 3))
        b = rng.normal(size=(int(rng.integers(2, 50)), 3))
        true = dtw_distance(a, b, window=r)
        for max_dist in (true * 0.3, true * 0.99, true * 1.01, true * 3):
            got = dtw_distance(a, b, window=r, max_dist=max_dist)
            want = _oracle(a, b, r, max_dist)
            assert got == want == np.inf or got == pytest.approx(want, rel=1e-9)
            assert got == (true if max_dist >= true else np.inf)


def test_hand_worked_distances() -> None:
    assert dtw_distance([0.0, 1.0, 2.0], [0.0, 2.0]) == 1.0
    assert dtw_distance([0.0, 1.0, 2.0], [1.0, 2.0, 3.0]) == pytest.approx(np.sqrt(2))
    assert dtw_distance([0.0, 1.0, 2.0], [1.0, 2.0, 3.0], window=0) == pytest.approx(np.sqrt(3))
    # two channels: [(0, 0), (3, 4)] vs [(0, 0), (0, 0), (3, 4)]: the repeat is free
    a = np.array([[0.0, 0.0], [3.0, 4.0]])
    assert dtw_distance(a, a[[0, 0, 1]]) == 0.0
    assert dtw_distance(a, a[[0, 0, 0]]) == 5.0  # (3, 4) -> (0, 0) once: sqrt(9 + 16)


@pytest.mark.parametrize("r", [None, 0, 3])
def test_path_cost_equals_distance_squared(r: int | None) -> None:
    rng = np.random.default_rng(11 + (r or 0))
    for _ in range(40):
        a = rng.normal(size=(int(rng.integers(1, 40)), 3))
        b = rng.normal(size=(int(rng.integers(1, 40)), 3))
        dist, path = dtw_path(a, b, window=r)
        assert path.dtype == np.int64 and path.shape[1] == 2
        assert tuple(path[0]) == (0, 0) and tuple(path[-1]) == (len(a) - 1, len(b) - 1)
        steps = np.diff(path, axis=0)
        assert np.all((steps >= 0) & (steps <= 1)) and np.all(steps.sum(axis=1) >= 1)
        if r is not None:  # inside the widened band
            i, j = path[:, 0], path[:, 1]
            assert np.all(i - j <= max(0, len(a) - len(b)) + r)
            assert np.all(j - i <= max(0, len(b) - len(a)) + r)
        cost = ((a[path[:, 0]] - b[path[:, 1]]) ** 2).sum()
        assert cost == pytest.approx(dist**2, rel=1e-12)
        assert dist == pytest.approx(dtw_distance(a, b, window=r), rel=1e-12)


def test_symmetric_and_zero_on_self() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(30, 2)), rng.normal(size=(22, 2))
    assert dtw_distance(a, b, window=4) == pytest.approx(dtw_distance(b, a, window=4), rel=1e-12)
    assert dtw_distance(a, a, window=0) == 0.0


def test_accepts_sample_blocks_and_lists() -> None:
    profile = load_profile("diy-fsr5")
    rng = np.random.default_rng(5)
    values = rng.random((20, 5))
    block = SampleBlock(t=np.arange(20) / 100.0, values=values, profile=profile)
    assert not block.values.flags.writeable
    assert dtw_distance(block, values[::2].tolist()) == pytest.approx(
        dtw_distance(values, values[::2]), rel=1e-15
    )


@pytest.mark.parametrize(
    ("a", "b", "kwargs"),
    [
        ([], [1.0], {}),
        ([np.nan], [1.0], {}),
        ([np.inf, 1.0], [1.0], {}),
        (np.zeros((3, 2)), np.zeros((3, 3)), {}),
        (np.zeros((2, 2, 2)), np.zeros((2, 2, 2)), {}),
        (np.zeros((3, 0)), np.zeros((3, 0)), {}),
        (["a", "b"], [1.0], {}),
        ([1j, 2j], [1.0], {}),
        ([1.0], [1.0], {"window": -1}),
        ([1.0], [1.0], {"window": 1.5}),
        ([1.0], [1.0], {"window": True}),
        ([1.0], [1.0], {"max_dist": -1.0}),
        ([1.0], [1.0], {"max_dist": float("nan")}),
    ],
)
def test_bad_input_raises_signal_error(a: object, b: object, kwargs: dict) -> None:
    with pytest.raises(SignalError):
        dtw_distance(a, b, **kwargs)  # type: ignore[arg-type]
    if "max_dist" not in kwargs:
        with pytest.raises(SignalError):
            dtw_path(a, b, **kwargs)  # type: ignore[arg-type]
