"""Shared test set-up: isolated user data, offscreen Qt, a fixtures path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

FIXTURES = Path(__file__).parent / "fixtures"
DATA = Path(__file__).parent / "data"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="run long variants (soak etc.)")
    parser.addoption("--glove-address", default=None, help="run hardware tests on this glove")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="long variant: pass --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Every test gets its own MASSAGE_TRAINER_HOME: no test touches real user data."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(home))
    return home


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
