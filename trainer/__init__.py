"""massage-trainer: teach massage technique with a pressure-sensing glove.

Layers, each importing only those before it:
``signal`` (calibration, filters, features) → ``dtw`` (alignment kernels) →
``scoring`` (references, stroke scores, live cues) → ``store`` (database, files) →
``ui`` (PySide6 + pyqtgraph); ``app`` and ``cli`` compose them.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("massage-trainer")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
