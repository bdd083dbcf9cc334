"""The reference library: bundled starter references plus the user's, by name.

The file format (reading, validating, writing ``.mtref`` files) is
:mod:`trainer.store.references`, which re-exports :class:`ReferenceLibrary` and
:class:`LibraryEntry`; this module is the library built on it (listing, importing,
hiding, renaming, exporting) and reads and writes files through it only.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reference_strokes import bundled_reference_files
from trainer.exceptions import ReferenceFileError
from trainer.scoring.model import Reference
from trainer.store.files import write_atomic
from trainer.store.paths import data_home
from trainer.store.reference_meta import NAME

# The format's private helpers too: reading goes through them so that its size limits
# (MAX_FILE_BYTES, read at call time) hold for the library's imports as well.
from trainer.store.references import (
    HIDDEN_FILE,
    REFERENCE_SUFFIX,
    _read_file,
    _write_atomic,
    check_name,
    decode_reference,
    encode_reference,
    load_reference,
    save_reference,
)

__all__ = ["LibraryEntry", "ReferenceLibrary"]


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    """One reference of the library as listed.

    Parameters
    ----------
    name : str
        Its name.
    origin : {"bundled", "user"}
        Shipped with the program, or in the user's library (shadowing a bundled one of
        the same name).
    reference : Reference or None
        The loaded reference, ``None`` if its file is invalid.
    error : str
        Why it could not be loaded ("" when it could).
    """

    name: str
    origin: str
    reference: Reference | None
    error: str = ""


class ReferenceLibrary:
    """Bundled starter references plus the user's, by name.

    User references live in ``<data home>/references/NAME.mtref``. Names are unique: a
    new reference may not take an existing name (bundled or user) unless asked to
    overwrite it; a user reference saved under a bundled name replaces the bundled one
    (how instructors replace the synthetic starters).

    Parameters
    ----------
    user_dir : pathlib.Path or None
        Where user references live (default ``data_home() / "references"``).
    """

    def __init__(self, user_dir: Path | None = None) -> None:
        self.user_dir = user_dir or data_home() / "references"

    def _user_files(self) -> dict[str, Path]:
        if not self.user_dir.is_dir():
            return {}
        return {
            p.name[: -len(REFERENCE_SUFFIX)]: p
            for p in sorted(self.user_dir.iterdir())
            if p.name.endswith(REFERENCE_SUFFIX) and p.is_file() and NAME.fullmatch(p.stem)
        }

    def _bundled(self) -> dict[str, Any]:
        """Return the bundled starters, less those the user hid."""
        hidden = self.hidden()
        return {
            name: r
            for r in bundled_reference_files()
            if (name := r.name[: -len(REFERENCE_SUFFIX)]) not in hidden
        }

    @property
    def _hidden_path(self) -> Path:
        return self.user_dir / HIDDEN_FILE

    def hidden(self) -> list[str]:
        """Names of the bundled starters the user hid (see :meth:`delete`), sorted.

        An unreadable list hides nothing (the starters simply show again).
        """
        try:
            names = json.loads(self._hidden_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        if not isinstance(names, list):
            return []
        return sorted({n for n in names if isinstance(n, str) and NAME.fullmatch(n)})

    def _set_hidden(self, names: set[str]) -> None:
        data = json.dumps(sorted(names), indent=1) + "\n"
        write_atomic(self._hidden_path, data.encode("utf-8"))

    def names(self) -> list[str]:
        """All reference names, sorted."""
        return sorted(set(self._bundled()) | set(self._user_files()))

    def sources(self) -> dict[str, tuple[Any, str]]:
        """Return each name's file and how errors name it, a user file over a starter.

        Returns
        -------
        dict of str to (source, str)
            Name to its file (a path, or a bundled resource) and its origin for error
            messages (``"user reference 'x'"`` or ``"bundled reference 'x'"``), in name order.
        """
        user, bundled = self._user_files(), self._bundled()
        return {
            name: (user[name], f"user reference {name!r}")
            if name in user
            else (bundled[name], f"bundled reference {name!r}")
            for name in sorted(set(user) | set(bundled))
        }

    def origin(self, name: str) -> str:
        """``"user"`` or ``"bundled"`` for a known name.

        Raises
        ------
        ReferenceFileError
            Unknown name.
        """
        if name in self._user_files():
            return "user"
        if name in self._bundled():
            return "bundled"
        raise self._unknown(name)

    def _unknown(self, name: str) -> ReferenceFileError:
        known = ", ".join(self.names()) or "none"
        return ReferenceFileError(f"unknown reference {name!r} (known: {known})")

    def entries(self) -> list[LibraryEntry]:
        """Every reference, loaded; invalid files are listed with their error."""
        out = []
        for name in self.names():
            try:
                out.append(LibraryEntry(name, self.origin(name), self.get(name)))
            except ReferenceFileError as err:
                out.append(LibraryEntry(name, self.origin(name), None, str(err)))
        return out

    def get(self, name_or_path: str) -> Reference:
        """Load a reference by name, or from a ``.mtref`` file path.

        Parameters
        ----------
        name_or_path : str
            A library name, or a path to a reference file.

        Returns
        -------
        Reference
            The validated reference.

        Raises
        ------
        ReferenceFileError
            Unknown name (the message lists the known ones) or an invalid file.
        """
        known = self.sources().get(name_or_path)
        if known is not None:
            return load_reference(*known)
        if name_or_path.endswith(REFERENCE_SUFFIX) or Path(name_or_path).is_file():
            return load_reference(name_or_path)
        raise self._unknown(name_or_path)

    def _target(self, name: str, overwrite: bool) -> Path:
        check_name(name)
        if not overwrite and name in self.names():
            raise ReferenceFileError(
                f"a reference named {name!r} already exists (choose another name or overwrite)"
            )
        return self.user_dir / f"{name}{REFERENCE_SUFFIX}"

    def add(self, ref: Reference, *, overwrite: bool = False) -> Path:
        """Save a reference into the user library under its name.

        Raises
        ------
        ReferenceFileError
            Invalid name, or the name is taken and ``overwrite`` is false.
        """
        return save_reference(ref, self._target(ref.name, overwrite), overwrite=True)

    def import_file(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Reference:
        """Validate a reference file and copy it into the user library.

        The bytes validated are the bytes written (read once), so a file changed
        meanwhile cannot slip in unvalidated.

        Raises
        ------
        ReferenceFileError
            Invalid file, or its name is taken and ``overwrite`` is false.
        """
        source = Path(path)
        data = _read_file(source)
        ref = decode_reference(data, str(source))
        _write_atomic(self._target(ref.name, overwrite), data, overwrite=True)
        return ref

    def import_reference(
        self,
        path: str | os.PathLike[str],
        *,
        name: str | None = None,
        overwrite: bool = False,
    ) -> tuple[Reference, bool]:
        """Validate a reference file and add it to the user library, maybe renamed.

        Parameters
        ----------
        path : path-like
            The ``.mtref`` file.
        name : str or None
            Import it under this name (its content says so too) instead of its own.
        overwrite : bool
            Replace a reference of that name with other content.

        Returns
        -------
        tuple of (Reference, bool)
            The reference as imported, and whether the library already had it: the
            same name and the same content (then nothing is written).

        Raises
        ------
        ReferenceFileError
            Invalid file or name, or the name is taken by other content and
            ``overwrite`` is false.
        """
        source = Path(path)
        data = _read_file(source)
        ref = decode_reference(data, str(source))
        if name is not None and name != ref.name:
            ref = dataclasses.replace(ref, name=check_name(name))
            data = encode_reference(ref)
        if ref.name in self.names() and self._content(ref.name) == data:
            return ref, True
        _write_atomic(self._target(ref.name, overwrite), data, overwrite=True)
        return ref, False

    def _content(self, name: str) -> bytes | None:
        """Return the bytes of the library's reference ``name`` (``None`` if unreadable)."""
        user = self._user_files()
        try:
            if name in user:
                return user[name].read_bytes()
            return bytes(self._bundled()[name].read_bytes())
        except (OSError, KeyError):
            return None

    def delete(self, name: str) -> str:
        """Remove a user reference, or hide a bundled starter.

        Sessions scored against it keep their own copy (by content hash) and still
        replay. A user reference saved under a bundled starter's name is removed, and
        the starter shows again.

        Parameters
        ----------
        name : str
            A library name.

        Returns
        -------
        str
            ``"deleted"``, ``"deleted, starter shown again"`` or ``"hidden"``.

        Raises
        ------
        ReferenceFileError
            Unknown name.
        """
        user = self._user_files()
        if name in user:
            user[name].unlink()
            return "deleted, starter shown again" if name in self._bundled() else "deleted"
        if name in self._bundled():
            self._set_hidden({*self.hidden(), name})
            return "hidden"
        raise self._unknown(name)

    def unhide(self, name: str) -> None:
        """Show a hidden bundled starter again.

        Raises
        ------
        ReferenceFileError
            ``name`` is no hidden starter.
        """
        hidden = set(self.hidden())
        if name not in hidden:
            raise ReferenceFileError(
                f"{name!r} is not a hidden starter (hidden: {', '.join(sorted(hidden)) or 'none'})"
            )
        self._set_hidden(hidden - {name})

    def rename(self, old: str, new: str) -> Path:
        """Rename a user reference (its file and the name inside it).

        The new file is written before the old one goes, so a crash leaves at worst
        both. Sessions keep their own copy under the old name and still replay.

        Returns
        -------
        pathlib.Path
            The new file.

        Raises
        ------
        ReferenceFileError
            Unknown or bundled ``old`` (starters are not renamed: export one and import
            it ``--name NEW``), or ``new`` invalid or taken.
        """
        user = self._user_files()
        if old not in user:
            if old in self._bundled():
                raise ReferenceFileError(
                    f"{old!r} is a bundled starter and cannot be renamed (copy it: "
                    f"`reference export {old} FILE`, then `reference import FILE --name NEW`)"
                )
            raise self._unknown(old)
        if new == old:
            raise ReferenceFileError(f"{old!r} already has that name")
        target = self._target(new, overwrite=False)
        ref = dataclasses.replace(self.get(old), name=new)
        path = save_reference(ref, target, overwrite=False)
        user[old].unlink()
        return path

    def export(self, name: str, out: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write the named reference to ``out``.

        Raises
        ------
        ReferenceFileError
            Unknown name, or ``out`` exists and ``overwrite`` is false.
        """
        return save_reference(self.get(name), out, overwrite=overwrite)
