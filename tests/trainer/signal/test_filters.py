from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from trainer.exceptions import SignalError
from trainer.signal import StreamingFilter, design_lowpass, filter_offline

SOS = design_lowpass(8.0, 200.0)
X = np.random.default_rng(3).normal(size=(400, 3)).cumsum(axis=0)


def _whole(x: np.ndarray) -> np.ndarray:
    zi = signal.sosfilt_zi(SOS)[:, :, None] * x[0][None, None, :]
    return signal.sosfilt(SOS, x, axis=0, zi=zi)[0]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 60), min_size=1, max_size=40))
def test_block_by_block_equals_whole_signal(sizes: list[int]) -> None:
    f = StreamingFilter(SOS, 3)
    out, pos = [], 0
    for k in sizes:
        out.append(f.step(X[pos : pos + k]))
        pos += k
    out.append(f.step(X[pos:]))
    np.testing.assert_allclose(np.concatenate(out), _whole(X), rtol=0, atol=1e-12)


def test_gap_restarts_the_filter() -> None:
    f = StreamingFilter(SOS, 3)
    f.step(X[:150])
    after = f.step(X[150:], gap_before=True)
    np.testing.assert_allclose(after, _whole(X[150:]), atol=1e-12)


def test_starting_at_rest_has_no_transient() -> None:
    f = StreamingFilter(SOS, 1)
    np.testing.assert_allclose(f.step(np.full((50, 1), 3.0)), 3.0, atol=1e-12)


def test_offline_is_zero_phase_and_respects_gaps() -> None:
    t = np.arange(400) / 200.0
    x = np.sin(2 * np.pi * 1.0 * t)
    y = filter_offline(x, 200.0, 8.0)
    assert np.max(np.abs(y[50:-50] - x[50:-50])) < 1e-2  # no lag at 1 Hz
    step = np.r_[np.zeros(100), np.ones(100) * 10]
    y = filter_offline(step, 200.0, 5.0, gap_starts=[100])
    np.testing.assert_allclose(y[:100], 0.0, atol=1e-9)  # nothing leaks across the gap
    np.testing.assert_allclose(y[100:], 10.0, atol=1e-9)


def test_offline_short_segments() -> None:
    x = np.arange(10.0)
    y = filter_offline(x, 200.0, 8.0, gap_starts=[1, 4])
    assert y[0] == 0.0 and np.all(np.isfinite(y))


def test_bad_designs() -> None:
    with pytest.raises(SignalError):
        design_lowpass(150.0, 200.0)
    with pytest.raises(SignalError):
        StreamingFilter(SOS, 3).step(np.zeros((4, 2)))
