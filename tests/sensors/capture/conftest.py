"""Capture tests' set-up: the default glove profile, the shared helpers importable.

``capture_helpers`` (block generator, writer shortcut) is imported by bare name: this
folder goes on sys.path, as tests/sensors/sources does for ``fake_ble`` (importlib mode).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sensors.profiles import DEFAULT_PROFILE, GloveProfile, load_profile

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="module")
def profile() -> GloveProfile:
    return load_profile(DEFAULT_PROFILE)
