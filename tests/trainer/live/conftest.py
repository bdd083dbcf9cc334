"""Live-engine test set-up: the scripted sources of the UI fakes, the starter reference."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# ScriptedSource / ExplodingSource live beside the UI fakes (they import no Qt).
sys.path.insert(0, str(Path(__file__).parents[1] / "ui"))


@pytest.fixture(scope="session")
def effleurage_ref():
    """The bundled effleurage starter reference (loaded once)."""
    from trainer.app import load_references

    return next(r for r in load_references() if r.name == "effleurage-starter")
