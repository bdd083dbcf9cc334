from __future__ import annotations

import numpy as np
import pytest

from trainer.exceptions import SignalError
from trainer.signal import (
    centre_of_pressure,
    derivative,
    jerk,
    log_dimensionless_jerk,
    region_shares,
    sparc,
    total_force,
)

FS = 200.0


def _bell(n: int = 200) -> np.ndarray:
    return np.sin(np.linspace(0, np.pi, n)) ** 2 * 10


def test_shares_and_centre_of_pressure() -> None:
    values = np.array([[1.0, 1.0, 2.0], [0.0, 0.0, 0.1], [0.0, 3.0, 0.0]])
    names, shares = region_shares(values, ["palm", "palm", "thumb"])
    assert names == ("palm", "thumb")
    np.testing.assert_allclose(shares, [[0.5, 0.5], [0.0, 0.0], [1.0, 0.0]])
    cop = centre_of_pressure(values, [[0, 0], [1, 0], [0, 1]])
    np.testing.assert_allclose(cop[0], [0.25, 0.5])
    assert np.all(np.isnan(cop[1]))  # below the floor: undefined
    np.testing.assert_allclose(cop[2], [1.0, 0.0])  # one sensor loaded: its position
    np.testing.assert_allclose(total_force(values), [4.0, 0.1, 3.0])


def test_shares_keep_first_appearance_order_and_sum_to_one() -> None:
    rng = np.random.default_rng(1)
    values = rng.uniform(0, 5, size=(50, 5))
    regions = ("thumb", "index", "palm", "index", "palm_heel")
    names, shares = region_shares(values, regions)
    assert names == ("thumb", "index", "palm", "palm_heel")
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    np.testing.assert_allclose(shares[:, 1], (values[:, 1] + values[:, 3]) / values.sum(axis=1))


def test_negative_noise_counts_as_zero_and_scaling_does_not_move_the_centre() -> None:
    values = np.array([[2.0, -0.3, 2.0]])
    pos = [[0.2, 0.2], [0.9, 0.9], [0.6, 0.2]]
    _, shares = region_shares(values, ["palm", "index", "thumb"])
    assert shares.min() >= 0.0
    np.testing.assert_allclose(centre_of_pressure(values, pos), [[0.4, 0.2]])
    np.testing.assert_allclose(centre_of_pressure(7 * values, pos), [[0.4, 0.2]])


def test_feature_shape_errors() -> None:
    with pytest.raises(SignalError):
        region_shares(np.ones((3, 2)), ["palm"])
    with pytest.raises(SignalError):
        centre_of_pressure(np.ones((3, 2)), [[0, 0]])
    with pytest.raises(SignalError):
        total_force(np.ones(3))


def test_smoothness_matches_the_authors_published_examples() -> None:
    # Docstring examples of Balasubramanian et al.'s reference code
    # (github.com/siva82kb/SPARC, scripts/smoothness.py): a Gaussian speed profile.
    t = np.arange(-1, 1, 0.01)
    move = np.exp(-5 * t**2)
    assert sparc(move, 100.0) == pytest.approx(-1.41403, abs=5e-6)
    assert log_dimensionless_jerk(move, 100.0) == pytest.approx(-5.81636, abs=5e-6)


def test_tremor_lowers_both_smoothness_measures() -> None:
    bell = _bell()
    t = np.arange(bell.size) / FS
    shaky = bell + 0.8 * np.sin(2 * np.pi * 8 * t) * (bell > 0.5)
    assert log_dimensionless_jerk(shaky, FS) < log_dimensionless_jerk(bell, FS) - 1.0
    assert sparc(shaky, FS) < sparc(bell, FS) - 0.2


def test_two_pushes_are_less_smooth_than_one() -> None:
    one = _bell(300)
    two = np.r_[_bell(150), _bell(150)]
    assert sparc(two, FS) < sparc(one, FS) - 0.2
    assert log_dimensionless_jerk(two, FS) < log_dimensionless_jerk(one, FS) - 0.5


def test_smoothness_is_amplitude_and_duration_free() -> None:
    bell = _bell(200)
    assert sparc(3.7 * bell, FS) == pytest.approx(sparc(bell, FS), abs=1e-12)
    assert log_dimensionless_jerk(3.7 * bell, FS) == pytest.approx(
        log_dimensionless_jerk(bell, FS), abs=1e-12
    )
    # The same stroke lasting twice as long, sampled at the same rate.
    slow = _bell(400)
    assert sparc(slow, FS) == pytest.approx(sparc(bell, FS), abs=0.05)
    assert log_dimensionless_jerk(slow, FS) == pytest.approx(
        log_dimensionless_jerk(bell, FS), abs=0.05
    )


def test_smoothness_rejects_degenerate_input() -> None:
    with pytest.raises(SignalError):
        sparc(np.zeros(10), FS)
    with pytest.raises(SignalError):
        log_dimensionless_jerk([1.0, 2.0], FS)
    with pytest.raises(SignalError):
        sparc(np.ones((10, 2)), FS)
    with pytest.raises(SignalError):
        log_dimensionless_jerk(np.r_[_bell(), np.nan], FS)


def test_jerk_is_exact_on_polynomials_and_tames_noise() -> None:
    t = np.arange(600) / FS
    x = 3 * t**4 - t**3 + 2 * t
    np.testing.assert_allclose(jerk(x, FS), 72 * t - 6, atol=1e-6)
    two = np.stack([x, 2 * x], axis=1)
    np.testing.assert_allclose(jerk(two, FS)[:, 1], 2 * jerk(x, FS), atol=1e-6)
    # A slow sine plus sensor noise: Savitzky–Golay stays near the true third
    # derivative where three central differences are swamped by amplified noise.
    w = 2 * np.pi * 1.0
    clean = np.sin(w * t)
    noisy = clean + np.random.default_rng(0).normal(0, 1e-3, t.size)
    truth = -(w**3) * np.cos(w * t)
    err_sg = np.sqrt(np.mean((jerk(noisy, FS)[40:-40] - truth[40:-40]) ** 2))
    err_fd = np.sqrt(np.mean((derivative(noisy, FS, 3)[40:-40] - truth[40:-40]) ** 2))
    assert err_sg < 0.01 * err_fd
    assert err_sg < 0.1 * np.max(np.abs(truth))
    # Too short for the window: falls back to finite differences.
    np.testing.assert_allclose(jerk(t[:6] ** 3, FS), derivative(t[:6] ** 3, FS, 3))
    with pytest.raises(SignalError):
        jerk(x, FS, polyorder=2)


def test_derivative_of_a_line() -> None:
    t = np.arange(50) / FS
    np.testing.assert_allclose(derivative(4 * t + 1, FS), 4.0)
