"""Finding and loading glove profiles: the bundled ones by name, others by path.

Part of :mod:`sensors.profiles` (import from there).
"""

from __future__ import annotations

import os
import tomllib
from importlib.resources import files
from pathlib import Path

from sensors.exceptions import ProfileError
from sensors.profiles.model import GloveProfile
from sensors.profiles.validation import build_profile

__all__ = ["list_profiles", "load_profile", "parse_profile"]

# The bundled TOML files are package data of sensors.profiles (this module's package).
_BUNDLED = "sensors.profiles"


def list_profiles() -> list[str]:
    """Return the names of the bundled profiles.

    Returns
    -------
    list of str
        Sorted names, e.g. ``["diy-fsr5", "reference-glove"]``.
    """
    root = files(_BUNDLED)
    return sorted(p.name.removesuffix(".toml") for p in root.iterdir() if p.name.endswith(".toml"))


def parse_profile(text: str, origin: str = "profile") -> GloveProfile:
    """Parse and validate profile TOML text.

    Parameters
    ----------
    text : str
        TOML document.
    origin : str
        Where it came from, for error messages.

    Returns
    -------
    GloveProfile
        The validated profile.

    Raises
    ------
    ProfileError
        If the TOML is malformed or a field is invalid (``err.field`` names it).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ProfileError(f"{origin}: not valid TOML ({err})") from None
    except ValueError:  # an integer longer than Python converts (over 4300 digits)
        raise ProfileError(f"{origin}: not valid TOML (a number too long to read)") from None
    except RecursionError:
        raise ProfileError(f"{origin}: not valid TOML (nested too deeply)") from None
    return build_profile(data, origin)


def load_profile(name_or_path: str | os.PathLike[str]) -> GloveProfile:
    """Load a bundled profile by name, or a profile TOML file by path.

    Parameters
    ----------
    name_or_path : str or os.PathLike
        A bundled name (see :func:`list_profiles`) or a path to a ``.toml`` file.

    Returns
    -------
    GloveProfile
        The validated profile.

    Raises
    ------
    ProfileError
        Unknown name (the message lists the known ones), unreadable file, bad content.
    """
    text_name = os.fspath(name_or_path)
    if text_name in list_profiles():
        resource = files(_BUNDLED).joinpath(f"{text_name}.toml")
        return parse_profile(resource.read_text(encoding="utf-8"), f"profile {text_name!r}")
    path = Path(text_name)
    if path.suffix.lower() == ".toml" or path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise ProfileError(f"cannot read profile {path}: {err}") from None
        return parse_profile(text, str(path))
    known = ", ".join(list_profiles())
    raise ProfileError(f"unknown glove profile {text_name!r} (known: {known})")
