"""massage-trainer: teach massage technique with a pressure-sensing glove.

Layers, each importing only those before it:
``signal`` (calibration, filters, features) → ``dtw`` (alignment kernels) →
``scoring`` (references, stroke scores, live cues) → ``store`` (database, files) →
``ui`` (PySide6 + pyqtgraph); ``app`` and ``cli`` compose them.

Subpackages import their heavy dependencies (SciPy, numba, Qt) only when used, so a
command that needs no maths (``--version``, ``history``) starts fast; a test checks it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["__version__"]

__version__: str  # read on first access, by __getattr__ below


def __getattr__(name: str) -> Any:
    # The installed distribution's version, read on first use (PEP 562):
    # importlib.metadata costs tens of milliseconds that most commands never need.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("massage-trainer")
        except PackageNotFoundError:  # a source tree that was never installed
            value = "0.0.0+unknown"
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
