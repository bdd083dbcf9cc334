"""Where user data lives: ``$MASSAGE_TRAINER_HOME`` or the platform's user data dir."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from trainer.exceptions import StoreError

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

    Raises
    ------
    StoreError
        The home exists but is no directory (a regular file, say): one line saying so,
        rather than ``[Errno 17] File exists`` or a program running without its data.
    """
    override = os.environ.get(HOME_ENV, "").strip()
    home = (
        Path(override).expanduser()
        if override
        else Path(platformdirs.user_data_dir("massage-trainer", appauthor=False))
    )
    if home.exists() and not home.is_dir():
        where = f"${HOME_ENV}" if override else "the data home"
        raise StoreError(f"{where} {home} is a file, not a folder: point it at a folder")
    if create:
        try:
            home.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):  # a part of the path is a file
            raise StoreError(
                f"the data home {home} cannot be created: a part of its path is a file"
            ) from None
    return home
