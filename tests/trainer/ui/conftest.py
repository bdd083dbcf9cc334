"""UI test set-up: fakes importable, settings never touch the user's, one themed app."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def _isolated_qsettings(tmp_path: Path) -> None:
    """Any default-constructed QSettings writes under tmp_path, not the user's."""
    from PySide6 import QtCore

    for fmt in (QtCore.QSettings.Format.IniFormat, QtCore.QSettings.Format.NativeFormat):
        QtCore.QSettings.setPath(fmt, QtCore.QSettings.Scope.UserScope, str(tmp_path / "qs"))
    QtCore.QSettings.setDefaultFormat(QtCore.QSettings.Format.IniFormat)


@pytest.fixture(scope="session")
def themed_app(qapp):
    from trainer.ui import theme

    theme.apply_theme(qapp)
    return qapp


@pytest.fixture(scope="session")
def references():
    """The bundled references (loaded once)."""
    from trainer.app import load_references

    return load_references()


@pytest.fixture(scope="session")
def effleurage_ref(references):
    return next(r for r in references if r.name == "effleurage-starter")
