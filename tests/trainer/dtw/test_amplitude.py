from __future__ import annotations

import numpy as np
import pytest

from trainer.dtw import dtw_distance, normalise_amplitude, znormalise
from trainer.exceptions import SignalError


def test_znormalise_per_channel_and_flat_channels() -> None:
    x = np.column_stack([np.arange(10.0), np.full(10, 0.1), np.zeros(10)])
    before = x.copy()
    z = znormalise(x)
    np.testing.assert_array_equal(x, before)  # the raw signal is untouched
    assert z[:, 0].mean() == pytest.approx(0, abs=1e-15)
    assert z[:, 0].std() == pytest.approx(1)
    assert np.all(z[:, 1:] == 0)  # a rounding-level std is not divided by
    np.testing.assert_allclose(znormalise(np.arange(5.0)), znormalise(np.arange(5.0) * 7 + 3))


def test_modes() -> None:
    x = np.column_stack([np.linspace(0, 4, 8), np.linspace(0, 2, 8)])
    peak = normalise_amplitude(x, "peak")
    assert np.abs(peak).max() == 1.0
    np.testing.assert_allclose(peak[1:, 1] / peak[1:, 0], 0.5)  # shares between channels kept
    np.testing.assert_array_equal(normalise_amplitude(x, "none"), x)
    np.testing.assert_array_equal(normalise_amplitude(x, "zscore"), znormalise(x))
    np.testing.assert_array_equal(normalise_amplitude(np.zeros((3, 2)), "peak"), 0.0)


def test_shape_comparison_ignores_force_level() -> None:
    # the same stroke done twice as hard: far apart in newtons, identical in shape
    stroke = np.sin(np.linspace(0, np.pi, 40))[:, None] * np.array([[10.0, 4.0]])
    harder = 2 * stroke
    assert dtw_distance(stroke, harder) > 10
    assert dtw_distance(znormalise(stroke), znormalise(harder)) == pytest.approx(0, abs=1e-12)
    assert dtw_distance(*(normalise_amplitude(s, "peak") for s in (stroke, harder))) < 1e-12


@pytest.mark.parametrize("bad", [[], [np.nan, 1.0], np.zeros((2, 2, 2)), ["a"]])
def test_errors(bad: object) -> None:
    with pytest.raises(SignalError):
        znormalise(bad)  # type: ignore[arg-type]
    with pytest.raises(SignalError):
        normalise_amplitude(np.ones(3), "loud")  # type: ignore[arg-type]
