from __future__ import annotations

import numpy as np
import pytest

from trainer.exceptions import SignalError
from trainer.signal import (
    DriftMonitor,
    Tare,
    centre_of_pressure,
    log_dimensionless_jerk,
    region_shares,
    resample,
    sparc,
    total_force,
)

FS = 200.0


def _bell(n: int = 200) -> np.ndarray:
    return np.sin(np.linspace(0, np.pi, n)) ** 2 * 10


def test_shares_and_centre_of_pressure() -> None:
    values = np.array([[1.0, 1.0, 2.0], [0.0, 0.0, 0.1]])
    names, shares = region_shares(values, ["palm", "palm", "thumb"])
    assert names == ("palm", "thumb")
    np.testing.assert_allclose(shares[0], [0.5, 0.5])
    np.testing.assert_allclose(shares[1], [0.0, 0.0])  # below the floor: undefined → 0
    cop = centre_of_pressure(values, [[0, 0], [1, 0], [0, 1]])
    np.testing.assert_allclose(cop[0], [0.25, 0.5])
    assert np.all(np.isnan(cop[1]))
    np.testing.assert_allclose(total_force(values), [4.0, 0.1])


def test_tremor_lowers_both_smoothness_measures() -> None:
    bell = _bell()
    t = np.arange(bell.size) / FS
    shaky = bell + 0.8 * np.sin(2 * np.pi * 8 * t) * (bell > 0.5)
    assert log_dimensionless_jerk(shaky, FS) < log_dimensionless_jerk(bell, FS) - 1.0
    assert sparc(shaky, FS) < sparc(bell, FS) - 0.2


def test_smoothness_rejects_degenerate_input() -> None:
    with pytest.raises(SignalError):
        sparc(np.zeros(10), FS)
    with pytest.raises(SignalError):
        log_dimensionless_jerk([1.0, 2.0], FS)


def test_resample_round_trip_and_length() -> None:
    t = np.arange(1000) / 100.0
    x = np.sin(2 * np.pi * 0.7 * t)
    down = resample(x, 100, 50)
    assert down.shape == (500,)
    back = resample(down, 50, 100)
    assert np.max(np.abs(back[50:-50] - x[50:-50])) < 0.01
    assert resample(np.zeros((7, 2)), 100, 300).shape == (21, 2)


def test_tare_and_drift() -> None:
    rng = np.random.default_rng(0)
    rest = 0.4 + rng.normal(0, 0.02, size=(100, 3))
    tare = Tare.from_rest(rest)
    np.testing.assert_allclose(tare.offsets_n, 0.4, atol=0.02)
    assert tare.apply(np.full((1, 3), 0.1)).min() == 0.0
    with pytest.raises(SignalError, match="not at rest"):
        Tare.from_rest(np.r_[rest, np.full((20, 3), 9.0)])
    monitor = DriftMonitor(3, threshold_n=0.3, alpha=0.05)
    assert monitor.update(rng.normal(0, 0.02, size=(200, 3)), np.ones(200, bool)) == []
    warnings = monitor.update(np.full((200, 3), [0.0, 0.6, 0.0]), np.ones(200, bool))
    assert [w.channel for w in warnings] == [1] and warnings[0].offset_n > 0.3
    assert monitor.update(np.full((50, 3), [0.0, 0.6, 0.0]), np.ones(50, bool)) == []  # once
