"""The in-memory capture: rate, duration, blocks, validation (sensors.capture.model)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from capture_helpers import make_blocks, write  # type: ignore[import-not-found]

from sensors.blocks import SampleBlock
from sensors.capture import Capture, read_capture, trim_block
from sensors.exceptions import CaptureError
from sensors.profiles import GloveProfile


def test_rate_and_duration_ignore_gap_steps(tmp_path: Path, profile: GloveProfile) -> None:
    blocks = make_blocks(profile, n_blocks=5, gaps=frozenset({2}))
    write(tmp_path / "a.mtcap", profile, blocks)
    cap = read_capture(tmp_path / "a.mtcap")
    dt = 1.0 / profile.sample_rate_hz
    assert cap.sample_rate_hz == pytest.approx(profile.sample_rate_hz, rel=1e-9)
    # 50 samples plus 7 lost ones: the span covers 57 sample periods
    assert cap.duration_s == pytest.approx(57 * dt)


def test_blocks_reproduce_gaps(tmp_path: Path, profile: GloveProfile) -> None:
    blocks = make_blocks(profile, n_blocks=6, k=10, gaps=frozenset({2, 5}))
    write(tmp_path / "a.mtcap", profile, blocks)
    cap = read_capture(tmp_path / "a.mtcap")
    out = list(cap.blocks(block_size=4))
    assert all(len(b) <= 4 for b in out)
    assert [b.seq for b in out] == list(range(len(out)))
    np.testing.assert_array_equal(np.concatenate([b.t for b in out]), cap.t)
    np.testing.assert_array_equal(np.concatenate([b.values for b in out]), cap.values)
    starts = np.cumsum([0] + [len(b) for b in out[:-1]])
    flagged = [int(s) for s, b in zip(starts, out, strict=True) if b.gap_before]
    assert flagged == cap.gap_starts.tolist() == [20, 50]
    default = list(cap.blocks())
    assert max(len(b) for b in default) <= 10
    assert max(b.t[-1] - b.t[0] for b in default) < 0.05 + 1e-9


def test_empty_capture(tmp_path: Path, profile: GloveProfile) -> None:
    write(tmp_path / "e.mtcap", profile, [])
    cap = read_capture(tmp_path / "e.mtcap")
    assert cap.n_samples == 0
    assert cap.values.shape == (0, len(profile.sensors))
    assert cap.duration_s == 0.0
    assert cap.sample_rate_hz == profile.sample_rate_hz
    assert list(cap.blocks()) == []


def test_capture_validates_its_arrays(profile: GloveProfile) -> None:
    c = len(profile.sensors)
    with pytest.raises(CaptureError, match="shape"):
        Capture(None, profile, np.arange(3.0), np.zeros((3, c + 1)))
    with pytest.raises(CaptureError, match="increasing"):
        Capture(None, profile, np.array([0.0, 0.0]), np.zeros((2, c)))
    with pytest.raises(CaptureError, match="gap"):
        Capture(None, profile, np.arange(3.0), np.zeros((3, c)), gap_starts=np.array([3]))
    cap = Capture(None, profile, np.arange(3.0), np.zeros((3, c)), metadata={"a": 1})
    with pytest.raises(TypeError):
        cap.metadata["a"] = 2  # type: ignore[index]
    assert json.dumps(dict(cap.metadata)) == '{"a": 1}'


# --------------------------------------------------------------------------------------
# trim_block (recording itself is tested with the live engine: tests/trainer/live)
# --------------------------------------------------------------------------------------


def test_trim_block(profile: GloveProfile) -> None:
    block: SampleBlock = make_blocks(profile, n_blocks=1)[0]
    assert trim_block(block, 1e9) is block
    assert trim_block(block, block.t[0]) is None
    half = trim_block(block, block.t[5])
    assert half is not None and len(half) == 5 and half.gap_before == block.gap_before
