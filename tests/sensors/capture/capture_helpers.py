"""Helpers shared by the capture tests: synthetic blocks, a writer shortcut."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sensors.blocks import SampleBlock
from sensors.capture import CaptureWriter
from sensors.profiles import GloveProfile, list_profiles, load_profile


def other_profile(profile: GloveProfile) -> GloveProfile:
    for name in list_profiles():
        candidate = load_profile(name)
        if candidate != profile:
            return candidate
    pytest.fail("need a second bundled profile")


def make_blocks(
    profile: GloveProfile,
    n_blocks: int = 12,
    k: int = 10,
    *,
    gaps: frozenset[int] = frozenset(),
    seed: int = 0,
) -> list[SampleBlock]:
    """Blocks at the profile's rate; a block in ``gaps`` follows 7 lost samples."""
    rng = np.random.default_rng(seed)
    dt = 1.0 / profile.sample_rate_hz
    c = len(profile.sensors)
    blocks = []
    i = 0
    for b in range(n_blocks):
        if b in gaps:
            i += 7
        t = (i + np.arange(k)) * dt
        i += k
        values = rng.gamma(2.0, 3.0, size=(k, c))
        blocks.append(SampleBlock(t, values, profile, gap_before=b in gaps, seq=b))
    return blocks


def write(path: Path, profile: GloveProfile, blocks: list[SampleBlock], **kw) -> None:
    with CaptureWriter(path, profile, source="test:blocks", **kw) as writer:
        for block in blocks:
            writer.append(block)
