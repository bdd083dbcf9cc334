"""References built once per test session from simulated expert takes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sensors.profiles import load_profile
from sensors.strokes import TECHNIQUES, simulate_take
from trainer.scoring import Reference, build_reference

PROFILE = load_profile("reference-glove")
BUILD_SEEDS = (1, 2, 3)  # the "expert's" takes; held-out takes in the tests use other seeds


def _build(technique: str, seconds: float = 20.0, **weights: float) -> Reference:
    takes = [
        (simulate_take(technique, seconds=seconds, profile=PROFILE, seed=s).values, ())
        for s in BUILD_SEEDS
    ]
    return build_reference(
        takes,
        name=f"{technique}-test",
        technique=technique,
        profile=PROFILE,
        fs_hz=PROFILE.sample_rate_hz,
        weights=weights or None,
        synthetic=True,
    )


@pytest.fixture(scope="session")
def sim_references() -> dict[str, Reference]:
    """One reference per technique from three 20 s simulated takes (seeds 1-3)."""
    return {t: _build(t) for t in TECHNIQUES}


@pytest.fixture(scope="session")
def make_reference() -> Callable[..., Reference]:
    """Build a reference from seeds 1-3: ``make_reference(technique, seconds, **weights)``."""
    return _build
