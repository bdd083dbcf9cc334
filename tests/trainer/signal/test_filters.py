from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from trainer.exceptions import SignalError
from trainer.signal import StreamingFilter, design_lowpass, filter_offline, segments_from_gaps

FS = 200.0
SOS = design_lowpass(8.0, FS)
X = np.random.default_rng(3).normal(size=(400, 3)).cumsum(axis=0) + 5.0


def _whole(x: np.ndarray, sos: np.ndarray = SOS) -> np.ndarray:
    zi = signal.sosfilt_zi(sos)[:, :, None] * x[0][None, None, :]
    return signal.sosfilt(sos, x, axis=0, zi=zi)[0]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 60), min_size=1, max_size=40))
def test_block_by_block_equals_whole_signal(sizes: list[int]) -> None:
    f = StreamingFilter(SOS, 3)
    out, pos = [], 0
    for k in sizes:
        out.append(f.step(X[pos : pos + k]))
        assert out[-1].shape == (min(k, max(0, 400 - pos)), 3)
        pos += k
    out.append(f.step(X[pos:]))
    np.testing.assert_allclose(np.concatenate(out), _whole(X), rtol=0, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 50), st.booleans()), min_size=1, max_size=30),
    st.integers(1, 8),
)
def test_gaps_restart_for_any_split(blocks: list[tuple[int, bool]], order: int) -> None:
    sos = design_lowpass(15.0, FS, order)
    f = StreamingFilter(sos, 3)
    pos, out, starts = 0, [], [0]
    for k, gap in blocks:
        chunk = X[pos : pos + k]
        if gap and pos > 0:
            starts.append(pos)
        out.append(f.step(chunk, gap_before=gap))
        pos += chunk.shape[0]
    got = np.concatenate(out)
    expected = [_whole(X[a:b], sos) for a, b in segments_from_gaps(pos, starts)]
    if expected:
        np.testing.assert_allclose(got, np.concatenate(expected), rtol=0, atol=1e-12)


def test_gap_restarts_the_filter() -> None:
    f = StreamingFilter(SOS, 3)
    before = f.step(X[:150])
    after = f.step(X[150:], gap_before=True)
    np.testing.assert_allclose(after, _whole(X[150:]), atol=1e-12)
    # ... and differs from carrying the state over the gap.
    assert np.max(np.abs(after - _whole(X)[150:])) > 1e-3
    np.testing.assert_allclose(before, _whole(X)[:150], atol=1e-12)


def test_reads_sample_block_like_objects() -> None:
    f = StreamingFilter(SOS, 3)
    f.step(SimpleNamespace(values=X[:100], gap_before=False))
    after = f.step(SimpleNamespace(values=X[100:], gap_before=True))
    np.testing.assert_allclose(after, _whole(X[100:]), atol=1e-12)


def test_state_layout_and_reset() -> None:
    f = StreamingFilter(SOS, 3)
    assert f.zi is None and not f.started
    f.step(X[:0])  # an empty block does not start the filter
    assert f.zi is None
    f.step(X[:10])
    assert f.zi is not None and f.zi.shape == (SOS.shape[0], 2, 3)
    f.reset()
    assert not f.started
    np.testing.assert_allclose(f.step(X[10:60]), _whole(X[10:60]), atol=1e-12)


def test_starting_at_rest_has_no_transient() -> None:
    f = StreamingFilter(SOS, 2)
    np.testing.assert_allclose(f.step(np.full((50, 2), [3.0, -1.0])), [[3.0, -1.0]] * 50)


def test_rejected_block_leaves_state_untouched() -> None:
    f = StreamingFilter(SOS, 3)
    f.step(X[:100])
    bad = X[100:110].copy()
    bad[3, 1] = np.nan
    with pytest.raises(SignalError):
        f.step(bad)
    with pytest.raises(SignalError):
        f.step(np.zeros((4, 2)))
    np.testing.assert_allclose(f.step(X[100:]), _whole(X)[100:], atol=1e-12)


def test_lowpass_design() -> None:
    sos = design_lowpass(10.0, FS, order=4)
    assert sos.shape == (2, 6)
    _, h = signal.sosfreqz(sos, worN=[0.0, 10.0, 50.0], fs=FS)
    np.testing.assert_allclose(np.abs(h[:2]), [1.0, 2**-0.5], rtol=1e-9)
    assert np.abs(h[2]) < 0.01  # 4th order: ~ -48 dB two octaves up
    for cutoff, fs in [(100.0, 200.0), (150.0, 200.0), (0.0, 200.0), (-1.0, 200.0), (5.0, 0.0)]:
        with pytest.raises(SignalError):
            design_lowpass(cutoff, fs)
    with pytest.raises(SignalError):
        design_lowpass(5.0, 100.0, order=0)
    with pytest.raises(SignalError):
        StreamingFilter(np.zeros((2, 5)), 3)


def test_offline_is_zero_phase_and_respects_gaps() -> None:
    t = np.arange(400) / FS
    x = np.sin(2 * np.pi * 1.0 * t)
    y = filter_offline(x, FS, 8.0)
    assert np.max(np.abs(y[50:-50] - x[50:-50])) < 1e-2  # no lag at 1 Hz
    causal = signal.sosfilt(design_lowpass(8.0, FS), x)
    assert np.max(np.abs(causal[50:-50] - x[50:-50])) > 0.1  # the causal one lags
    step = np.r_[np.zeros(100), np.ones(100) * 10]
    y = filter_offline(step, FS, 5.0, gap_starts=[100])
    np.testing.assert_allclose(y[:100], 0.0, atol=1e-9)  # nothing leaks across the gap
    np.testing.assert_allclose(y[100:], 10.0, atol=1e-9)
    mask = np.zeros(200, dtype=bool)
    mask[100] = True
    np.testing.assert_array_equal(filter_offline(step, FS, 5.0, gap_starts=mask), y)
    assert np.max(np.abs(filter_offline(step, FS, 5.0)[:100])) > 0.1  # without the gap it does


def test_offline_long_segments_match_plain_sosfiltfilt() -> None:
    y = filter_offline(X, FS, 8.0, gap_starts=[150])
    np.testing.assert_allclose(y[:150], signal.sosfiltfilt(SOS, X[:150], axis=0), atol=1e-12)
    np.testing.assert_allclose(y[150:], signal.sosfiltfilt(SOS, X[150:], axis=0), atol=1e-12)


def test_offline_short_segments() -> None:
    with pytest.raises(ValueError):  # what the fallback protects against
        signal.sosfiltfilt(SOS, X[:10], axis=0)
    y = filter_offline(X[:40], FS, 8.0, gap_starts=[1, 3, 13])
    assert np.all(np.isfinite(y))
    np.testing.assert_array_equal(y[0], X[0])  # a 1-sample segment is left alone
    np.testing.assert_allclose(y[3:13], signal.sosfiltfilt(SOS, X[3:13], axis=0, padlen=9))
    # A constant short segment stays exactly constant (no edge artefacts).
    flat = filter_offline(np.full((5, 2), 4.0), FS, 8.0)
    np.testing.assert_allclose(flat, 4.0, atol=1e-12)
    assert filter_offline(np.zeros((0, 3)), FS, 8.0).shape == (0, 3)


def test_segments_from_gaps() -> None:
    assert segments_from_gaps(10) == [(0, 10)]
    assert segments_from_gaps(10, [0, 4, 4, 10]) == [(0, 4), (4, 10)]
    assert segments_from_gaps(10, np.array([False] * 4 + [True] + [False] * 5)) == [
        (0, 4),
        (4, 10),
    ]
    assert segments_from_gaps(0) == []
    assert segments_from_gaps(10, [-3, 11, 5]) == [(0, 5), (5, 10)]
    assert segments_from_gaps(10, {7, 2}) == segments_from_gaps(10, (g for g in [2, 7]))
    with pytest.raises(SignalError):
        segments_from_gaps(10, [2.5])
    with pytest.raises(SignalError):
        segments_from_gaps(10, np.zeros(9, dtype=bool))
    with pytest.raises(SignalError):
        filter_offline(np.zeros((4, 2, 2)), FS, 8.0)
