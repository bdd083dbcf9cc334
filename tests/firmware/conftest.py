"""Firmware tests: firmware/ and this folder on sys.path, fake MicroPython hardware.

The pure modules (glove.encoding, batching, sampling, control, config, engine, ...) import
nothing MicroPython-only and are imported directly. The hardware layer (glove.board,
glove.radio, glove.app) imports ``machine``, ``bluetooth`` and ``aioble``: the
``fake_hardware`` fixture installs small fakes of those (and ``micropython``) for one test
and removes them, and every glove module that saw them, afterwards.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

_HERE = Path(__file__).resolve().parent
for _path in (_HERE.parents[1] / "firmware", _HERE):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import fw_fakes  # type: ignore[import-not-found]  # noqa: E402  (needs the sys.path entries above)


@pytest.fixture
def fake_hardware(monkeypatch: pytest.MonkeyPatch) -> Iterator[types.SimpleNamespace]:
    """Fake ``machine``/``bluetooth``/``aioble``/``micropython`` for one test."""
    yield fw_fakes.install(monkeypatch)
    fw_fakes.uninstall()
