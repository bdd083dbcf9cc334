"""The desktop app: PySide6 + pyqtgraph views (the only layer importing Qt).

Names are imported lazily, so ``trainer.ui.acquisition`` and ``trainer.ui.services``
(Qt-free: ring buffer, acquisition thread, injected services) never pull in Qt.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "Acquisition",
    "AcquisitionEvent",
    "DemoOptions",
    "DemoResult",
    "EventKind",
    "LiveScorer",
    "LiveState",
    "MainWindow",
    "RingBuffer",
    "Services",
    "SessionRecorder",
    "Snapshot",
    "SourceChoice",
    "run_demo",
    "run_gui",
    "with_gap_breaks",
]

_HOMES = {
    "Acquisition": "acquisition",
    "AcquisitionEvent": "acquisition",
    "EventKind": "acquisition",
    "LiveScorer": "acquisition",
    "LiveState": "acquisition",
    "RingBuffer": "acquisition",
    "SessionRecorder": "acquisition",
    "Snapshot": "acquisition",
    "with_gap_breaks": "acquisition",
    "Services": "services",
    "SourceChoice": "services",
    "MainWindow": "main_window",
    "DemoOptions": "runner",
    "DemoResult": "runner",
    "run_demo": "runner",
    "run_gui": "runner",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'trainer.ui' has no attribute {name!r}")
    return getattr(importlib.import_module(f"trainer.ui.{home}"), name)


def __dir__() -> list[str]:
    return sorted(__all__)
