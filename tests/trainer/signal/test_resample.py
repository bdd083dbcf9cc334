from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.exceptions import SignalError
from trainer.signal import resample, resample_ratio, resample_times


def test_round_trip_100_50_100_stays_close() -> None:
    t = np.arange(1000) / 100.0
    x = np.sin(2 * np.pi * 0.7 * t) + 0.5 * np.sin(2 * np.pi * 4.0 * t)
    down = resample(x, 100, 50)
    assert down.shape == (500,)
    np.testing.assert_allclose(down[25:-25], x[::2][25:-25], atol=0.01)  # same instants
    back = resample(down, 50, 100)
    assert back.shape == x.shape
    assert np.max(np.abs(back[50:-50] - x[50:-50])) < 0.01


def test_content_above_the_new_nyquist_is_removed_not_aliased() -> None:
    t = np.arange(2000) / 200.0
    x = np.sin(2 * np.pi * 40.0 * t)  # above 25 Hz, the Nyquist of 50 Hz
    assert np.max(np.abs(resample(x, 200, 50)[50:-50])) < 0.05


def test_constant_level_does_not_droop_at_the_edges() -> None:
    x = np.full((90, 2), [5.0, 12.0])
    y = resample(x, 100, 60)
    # Zero padding (resample_poly's default) would sag by ~20 % at the ends.
    np.testing.assert_allclose(y, np.broadcast_to([5.0, 12.0], y.shape), rtol=1e-3)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 400),
    st.sampled_from([25.0, 50.0, 60.0, 100.0, 120.0, 200.0, 99.7, 44.1, 1000.0 / 3]),
    st.sampled_from([25.0, 50.0, 64.0, 100.0, 200.0, 250.0, 100.3]),
)
def test_length_and_time_axis(n: int, fs_from: float, fs_to: float) -> None:
    ratio = resample_ratio(fs_from, fs_to)
    assert ratio.denominator <= 1000
    # Rate error below 1e-5: about one sample per 100 000.
    assert abs(float(ratio) * fs_from / fs_to - 1) < 1e-5
    if (fs_to / fs_from * 1000).is_integer():
        assert float(ratio) == fs_to / fs_from
    x = np.random.default_rng(n).normal(size=(n, 3))
    y = resample(x, fs_from, fs_to)
    m = n if ratio == 1 else math.ceil(n * ratio.numerator / ratio.denominator)
    assert y.shape == (m, 3)
    t = resample_times(n, fs_from, fs_to, t0_s=2.0)
    assert t.shape == (m,)
    if m > 1:
        np.testing.assert_allclose(np.diff(t), 1 / (fs_from * float(ratio)))
        assert t[0] == 2.0
    if m > 0:
        # The output covers the input's n sample periods, and not one sample more.
        span = n / fs_from
        assert t[-1] - 2.0 < span <= t[-1] - 2.0 + 1 / (fs_from * float(ratio)) + 1e-9


def test_channels_are_independent_and_equal_rates_copy() -> None:
    x = np.random.default_rng(0).normal(size=(300, 2))
    both = resample(x, 100, 75)
    np.testing.assert_allclose(both[:, 1], resample(x[:, 1], 100, 75), atol=1e-12)
    same = resample(x, 100, 100)
    np.testing.assert_array_equal(same, x)
    same[0, 0] = 99.0
    assert x[0, 0] != 99.0
    assert resample_ratio(100.0, 99.7) == Fraction(997, 1000)


def test_bad_rates_and_shapes() -> None:
    for fs_from, fs_to in [(0.0, 100.0), (100.0, -1.0), (math.nan, 100.0), (100.0, math.inf)]:
        with pytest.raises(SignalError):
            resample(np.zeros(10), fs_from, fs_to)
    with pytest.raises(SignalError):
        resample(np.zeros((4, 2, 2)), 100, 50)
    with pytest.raises(SignalError):
        resample([1.0, np.nan], 100, 50)
    with pytest.raises(SignalError):
        resample_ratio(1e6, 1.0)  # rounds to 0/1
