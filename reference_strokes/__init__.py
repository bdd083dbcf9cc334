"""Bundled expert reference strokes (package data, ``*.mtref`` files)."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

__all__ = ["bundled_reference_files"]


def bundled_reference_files() -> list[Traversable]:
    """Return the bundled reference files, sorted by name.

    Returns
    -------
    list of importlib.resources.abc.Traversable
        One entry per ``*.mtref`` file shipped with the package.
    """
    root = files(__name__)
    return sorted((p for p in root.iterdir() if p.name.endswith(".mtref")), key=lambda p: p.name)
