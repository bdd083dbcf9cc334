"""Where user data lives: ``$MASSAGE_TRAINER_HOME`` or the platform's user data dir."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["HOME_ENV", "data_home"]

HOME_ENV = "MASSAGE_TRAINER_HOME"


def data_home(*, create: bool = True) -> Path:
    """Return the directory holding all user data (database, captures, references).

    Parameters
    ----------
    create : bool
        Create the directory if missing.

    Returns
    -------
    pathlib.Path
        ``$MASSAGE_TRAINER_HOME`` when set and non-empty, else the platformdirs user
        data directory for ``massage-trainer``.
    """
    override = os.environ.get(HOME_ENV, "").strip()
    home = (
        Path(override).expanduser()
        if override
        else Path(platformdirs.user_data_dir("massage-trainer", appauthor=False))
    )
    if create:
        home.mkdir(parents=True, exist_ok=True)
    return home
