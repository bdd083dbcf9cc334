"""Writing glove profiles as TOML (e.g. a profile with a fitted calibration).

Part of :mod:`sensors.profiles`. The text is made here (no TOML library is needed to
write this small, fixed layout) and is checked by parsing it back with the project's
own loader before anything is written: what lands on disk always loads, and loads as
the profile given (floats are written with Python's shortest round-tripping ``repr``).
The file is written to a temporary file beside it and renamed into place, so a crash
never leaves half a profile.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from sensors.exceptions import ProfileError
from sensors.profiles.loading import parse_profile
from sensors.profiles.model import Calibration, GloveProfile

__all__ = ["profile_to_toml", "write_profile"]

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _string(text: str) -> str:
    """Quote ``text`` as a TOML basic string (control characters escaped, as TOML requires)."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _float(value: float) -> str:
    # repr gives "10.0" or "1e-05": valid TOML floats that read back bit for bit.
    return repr(float(value))


def _calibration(cal: Calibration) -> str:
    if cal.kind == "table":
        points = ", ".join(f"[{_float(r)}, {_float(n)}]" for r, n in cal.points)
        return f'{{ kind = "table", points = [{points}] }}'
    if cal.kind == "power":
        return (
            f'{{ kind = "power", scale = {_float(cal.scale)}, exponent = {_float(cal.exponent)} }}'
        )
    return f'{{ kind = "linear", scale = {_float(cal.scale)}, offset = {_float(cal.offset)} }}'


def profile_to_toml(profile: GloveProfile, *, comment: str = "") -> str:
    """Render a profile in the bundled profiles' TOML layout.

    Parameters
    ----------
    profile : GloveProfile
        The profile.
    comment : str
        Text put first as ``#`` comment lines (e.g. where the calibration came from).

    Returns
    -------
    str
        TOML text that :func:`~sensors.profiles.parse_profile` loads as ``profile``.

    Raises
    ------
    ProfileError
        If the text would not load back as the same profile (a bug, or a profile that
        was never valid).
    """
    lines = [f"# {line}".rstrip() for line in comment.splitlines()]
    lines += [
        f"name = {_string(profile.name)}",
        f"description = {_string(profile.description)}",
        f"protocol = {_string(profile.protocol)}",
        f"sample_rate_hz = {_float(profile.sample_rate_hz)}",
        f"raw_max = {int(profile.raw_max)}",
    ]
    for s in profile.sensors:
        lines += [
            "",
            "[[sensors]]",
            f"name = {_string(s.name)}",
            f"region = {_string(str(s.region))}",
            f"position = [{_float(s.position[0])}, {_float(s.position[1])}]",
            f"contact_area_mm2 = {_float(s.contact_area_mm2)}",
            f"saturation_n = {_float(s.saturation_n)}",
            f"calibration = {_calibration(s.calibration)}",
        ]
    text = "\n".join(lines) + "\n"
    back = parse_profile(text, f"profile {profile.name!r} as written")
    if back.to_dict() != profile.to_dict():
        raise ProfileError(f"profile {profile.name!r} does not survive a TOML round trip")
    return text


def write_profile(
    profile: GloveProfile,
    path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    comment: str = "",
) -> Path:
    """Write a profile TOML file atomically, after checking it loads back unchanged.

    Parameters
    ----------
    profile : GloveProfile
        The profile.
    path : str or os.PathLike
        Destination (conventionally ``.toml``, so ``--profile PATH`` finds it).
    overwrite : bool
        Replace an existing file; by default an existing file is never touched.
    comment : str
        Leading comment, see :func:`profile_to_toml`.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ProfileError
        If the file exists and ``overwrite`` is false, or the profile does not round-trip.
    OSError
        If the file cannot be written.
    """
    target = Path(path)
    text = profile_to_toml(profile, comment=comment)
    if target.exists() and not overwrite:
        raise ProfileError(f"{target} exists: not overwriting it (use --force)")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, target)
        else:
            # link() fails if the target appeared meanwhile: never clobber it.
            try:
                os.link(tmp, target)
            except FileExistsError:
                raise ProfileError(f"{target} exists: not overwriting it (use --force)") from None
            except OSError:  # a file system without hard links
                if target.exists():
                    raise ProfileError(
                        f"{target} exists: not overwriting it (use --force)"
                    ) from None
                os.replace(tmp, target)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return target
