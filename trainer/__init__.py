"""massage-trainer: teach massage technique with a pressure-sensing glove.

Layers, each importing only those before it:
``signal`` (calibration, filters, features) → ``dtw`` (alignment kernels) →
``scoring`` (references, stroke scores, live cues) → ``store`` (database, files) →
``ui`` (PySide6 + pyqtgraph); ``app`` and ``cli`` compose them.

Subpackages import their heavy dependencies (SciPy, numba, Qt) only when used, so a
command that needs no maths (``--version``, ``history``) starts fast; a test checks it.
"""

from __future__ import annotations

__all__ = ["__version__"]

#: The one place the version is written: pyproject.toml reads it from here
#: (``[tool.setuptools.dynamic]``), so ``--version`` needs no importlib.metadata
#: (tens of milliseconds that the start-up goal of 0.15 s cannot spare).
__version__ = "0.1.0"
