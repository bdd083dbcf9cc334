from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.exceptions import SignalError
from trainer.signal import ActivityDetector, DriftMonitor, DriftWarning, Tare, calibrate

FS = 100.0


def _stub_profile(channels: int = 2) -> Any:  # a stand-in for a GloveProfile
    # The calibration maths belongs to the profile; here only the wiring is tested.
    return SimpleNamespace(
        name="stub",
        sensors=(None,) * channels,
        to_newtons=lambda raw: 0.01 * np.asarray(raw, dtype=np.float64) ** 1.5,
    )


def test_calibrate_delegates_and_checks_shape() -> None:
    raw = np.array([[0, 100], [400, 900]])
    np.testing.assert_allclose(calibrate(raw, _stub_profile()), [[0.0, 10.0], [80.0, 270.0]])
    with pytest.raises(SignalError, match="stub"):
        calibrate(np.zeros((3, 3)), _stub_profile())
    with pytest.raises(SignalError):
        calibrate(np.zeros(2), _stub_profile())
    with pytest.raises(SignalError):
        calibrate(np.array([[np.nan, 1.0]]), _stub_profile())


def test_calibrate_with_a_bundled_profile() -> None:
    from sensors.profiles import load_profile

    profile = load_profile("diy-fsr5")
    newtons = np.linspace(0.0, 8.0, 9)[:, None] * np.ones(len(profile.sensors))
    raw = profile.to_raw(newtons)
    back = calibrate(raw, profile)
    assert back.shape == newtons.shape
    assert np.all(np.diff(back, axis=0) >= 0)  # more counts, more force
    np.testing.assert_array_equal(back, profile.to_newtons(raw))


def test_tare_is_a_robust_median() -> None:
    rng = np.random.default_rng(0)
    rest = 0.4 + rng.normal(0, 0.02, size=(200, 3))
    rest[::40, 1] += 5.0  # a few spikes (2.5 %) neither move nor fail the tare
    tare = Tare.from_rest(rest)
    np.testing.assert_allclose(tare.offsets_n, 0.4, atol=0.01)
    assert tare.channels == 3
    out = tare.apply(np.array([[0.1, 0.4, 2.4]]))
    np.testing.assert_allclose(out, [[0.0, 0.0, 2.0]], atol=0.02)
    assert out.min() == 0.0  # a glove cannot pull: clipped, not negative
    with pytest.raises(SignalError):
        tare.apply(np.zeros((2, 4)))


def test_tare_refuses_a_hand_that_is_not_at_rest() -> None:
    rng = np.random.default_rng(1)
    rest = 0.4 + rng.normal(0, 0.02, size=(100, 3))
    moving = rest.copy()
    moving[60:, 2] += np.linspace(0, 6, 40)  # pressing during the window
    with pytest.raises(SignalError, match="not at rest: channel 2"):
        Tare.from_rest(moving)
    pressing = rest + np.array([0.0, 6.0, 0.0])  # steady press: only the offset limit sees it
    assert Tare.from_rest(pressing).offsets_n[1] == pytest.approx(6.4, abs=0.02)
    with pytest.raises(SignalError, match="channel 1"):
        Tare.from_rest(pressing, max_offset_n=2.0)
    with pytest.raises(SignalError):
        Tare.from_rest(np.zeros((0, 3)))
    with pytest.raises(SignalError):
        Tare.from_rest(np.full((5, 2), np.nan))


def test_drift_warns_once_per_excursion() -> None:
    rng = np.random.default_rng(2)
    monitor = DriftMonitor(3, FS, threshold_n=0.3)
    rest = np.ones(500, dtype=bool)
    assert monitor.update(rng.normal(0, 0.05, size=(500, 3)), rest) == []
    drifted = rng.normal(0, 0.05, size=(500, 3)) + np.array([0.0, 0.6, 0.0])
    warnings = monitor.update(drifted, rest)
    assert [w.channel for w in warnings] == [1]
    w = warnings[0]
    assert isinstance(w, DriftWarning) and w.threshold_n == 0.3 and 0.3 < w.offset_n < 0.4
    # One-pole smoothing with a 1 s time constant: 0.6 N step crosses 0.3 N after ~ln 2 s.
    assert 500 + 0.5 * FS < w.index < 500 + 1.0 * FS
    assert "re-tare" in w.message
    assert monitor.update(drifted, rest) == []  # still drifted: no repeat
    monitor.update(np.zeros((500, 3)), rest)  # back within half the limit: re-armed
    assert [w.channel for w in monitor.update(drifted, rest)] == [1]


def test_drift_ignores_active_samples_and_scales_with_range() -> None:
    monitor = DriftMonitor([0.5, 0.5], FS, threshold_n=0.2, range_n=[10.0, 90.0])
    np.testing.assert_allclose(monitor.limit_n, [0.2, 1.8])  # max(0.2 N, 2 % of range)
    pressing = np.full((1000, 2), 8.0)
    assert monitor.update(pressing, np.zeros(1000, dtype=bool)) == []  # not rest: ignored
    np.testing.assert_allclose(monitor.drift_n, 0.0)
    warnings = monitor.update(np.full((1000, 2), 1.5), np.ones(1000, dtype=bool))
    assert [w.channel for w in warnings] == [0]  # 1 N is past 0.2 N but not past 1.8 N
    monitor.reset([1.5, 1.5])  # re-tared at the new level
    assert monitor.update(np.full((100, 2), 1.5), np.ones(100, dtype=bool)) == []


def test_drift_with_the_activity_detector_as_rest_mask() -> None:
    n = 3000
    t = np.arange(n) / FS
    values = np.zeros((n, 2)) + np.random.default_rng(5).normal(0, 0.03, (n, 2))
    values[:, 1] += 0.5 * t / t[-1]  # channel 1 creeps up by 0.5 N over 30 s
    for start in range(300, n, 600):
        values[start : start + 200] += 6 * np.sin(np.linspace(0, np.pi, 200))[:, None]
    detector = ActivityDetector(FS)
    monitor = DriftMonitor(2, FS, threshold_n=0.2)
    found = []
    for a in range(0, n, 37):
        block = values[a : a + 37]
        _, active = detector.classify(block.sum(axis=1))
        found += monitor.update(block, ~active)
    assert [w.channel for w in found] == [1]
    assert not any(300 <= w.index % 600 < 500 for w in found)  # fired at rest


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 150), min_size=1, max_size=30), st.integers(0, 1000))
def test_drift_warnings_do_not_depend_on_block_split(sizes: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 1500
    values = np.cumsum(rng.normal(0, 0.03, (n, 2)), axis=0)  # random-walk rest level
    rest = rng.random(n) > 0.2
    whole = DriftMonitor(2, FS, threshold_n=0.2).update(values, rest)
    monitor = DriftMonitor(2, FS, threshold_n=0.2)
    got, pos = [], 0
    for k in [*sizes, n]:
        got += monitor.update(values[pos : pos + k], rest[pos : pos + k])
        pos += k
    assert got == whole


def test_drift_bad_input() -> None:
    with pytest.raises(SignalError):
        DriftMonitor(2, FS).update(np.zeros((3, 2)), np.ones(4, dtype=bool))
    with pytest.raises(SignalError):
        DriftMonitor(2, 0.0)
    with pytest.raises(SignalError):
        DriftMonitor([np.nan], FS)
