"""People: who practises (students) and who teaches (instructors) on a shared laptop.

A person is a row of the database's ``users`` table: a display name, a role
(``student`` or ``instructor``) and, since schema 6, a random identity (``uid``) that
packs carry with the person's sessions, so an import tells "this student again" from
"another student who happens to have the same name".

Names are checked by :func:`check_person_name`: trimmed, inner runs of spaces made one,
Unicode NFC, 1 to :data:`MAX_NAME` characters, no control or line-breaking characters
and no bidirectional overrides (a name must read as it is stored). Two people cannot
have names that differ only in case (``casefold``). A name is only ever data: it is
never part of a file name or a path (captures are named by time and technique).

Part of :mod:`trainer.store.database`: the functions here run inside the store's
transactions (its writer thread, or a reader connection) and :class:`Store
<trainer.store.database.Store>` exposes them as methods.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from trainer.exceptions import StoreError
from trainer.store.records import now

__all__ = [
    "DEFAULT_PERSON",
    "GUEST",
    "MAX_NAME",
    "ROLES",
    "Person",
    "check_person_name",
    "check_role",
    "new_uid",
    "same_name",
]

ROLES = ("student", "instructor")
#: Who practises when nobody said: the name every session had before people existed.
DEFAULT_PERSON = "student"
#: Who practises after "Skip" at the window's first-run question.
GUEST = "Guest"
MAX_NAME = 40
# Bidirectional embeddings, overrides and isolates: they make a name read otherwise
# than it is stored ("Ana" followed by reversed text).
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_UID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True, slots=True)
class Person:
    """One person known to the store.

    Parameters
    ----------
    id : int
        Row id (internal; people are named by ``name``).
    name : str
        Display name, unique regardless of case.
    role : {"student", "instructor"}
        What they do here.
    uid : str or None
        Random identity carried by packs (``None`` only for rows a schema-6 program
        never saw, e.g. inserted by hand).
    created_at : str
        When the person was added (ISO, UTC).
    sessions : int
        Their sessions, deleted ones included.
    deleted_sessions : int
        Of those, soft-deleted ones.
    """

    id: int
    name: str
    role: str
    uid: str | None
    created_at: str
    sessions: int = 0
    deleted_sessions: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (no row id: people are named by name)."""
        return {
            "name": self.name,
            "role": self.role,
            "created_at": self.created_at,
            "sessions": self.sessions,
            "deleted_sessions": self.deleted_sessions,
        }


def check_person_name(name: object) -> str:
    """Return ``name`` as a person's name is stored, or refuse it.

    Parameters
    ----------
    name : object
        What the user typed (anything but a string is refused).

    Returns
    -------
    str
        NFC, trimmed, inner whitespace runs made one space.

    Raises
    ------
    StoreError
        Empty, longer than :data:`MAX_NAME` characters, or holding a control,
        line-breaking or bidirectional-override character.
    """
    if not isinstance(name, str):
        raise StoreError("a person's name must be text")
    for ch in name:
        kind = unicodedata.category(ch)
        if ch in "\t " or kind == "Zs":
            continue  # spaces: collapsed below
        if kind in ("Cc", "Cs", "Co", "Cn", "Zl", "Zp") or ch in _BIDI:
            raise StoreError(
                f"a person's name cannot hold control characters (found U+{ord(ch):04X})"
            )
    text = " ".join(unicodedata.normalize("NFC", name).split())
    if not text:
        raise StoreError("a person's name cannot be empty")
    if len(text) > MAX_NAME:
        raise StoreError(f"a person's name must be at most {MAX_NAME} characters ({len(text)})")
    return text


def check_role(role: str) -> str:
    """Return ``role`` if it is known (``student`` or ``instructor``).

    Raises
    ------
    StoreError
        Any other role.
    """
    if role not in ROLES:
        raise StoreError(f"unknown role {role!r}; known: {', '.join(ROLES)}")
    return role


def same_name(a: str, b: str) -> bool:
    """Whether two names name the same person here (case and spacing ignored)."""
    return _key(a) == _key(b)


def new_uid() -> str:
    """Return a fresh random identity for a person (32 hex digits)."""
    import uuid

    return uuid.uuid4().hex


def is_uid(text: object) -> bool:
    """Whether ``text`` is an identity as :func:`new_uid` makes them."""
    return isinstance(text, str) and _UID.fullmatch(text) is not None


def _key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


# -- queries (inside the store's connections) ----------------------------------------------

_PERSON_COLUMNS = (
    "u.id, u.name, u.role, u.uid, u.created_at, "
    "(SELECT COUNT(*) FROM sessions s WHERE s.user_id = u.id), "
    "(SELECT COUNT(*) FROM sessions s WHERE s.user_id = u.id AND s.deleted_at IS NOT NULL)"
)


def _person(row: Sequence[Any]) -> Person:
    pid, name, role, uid, created, n, deleted = row
    return Person(int(pid), str(name), str(role), uid, str(created), int(n), int(deleted))


def select_people(conn: sqlite3.Connection) -> list[Person]:
    """Every person, by name (case ignored), with their session counts."""
    rows = conn.execute(f"SELECT {_PERSON_COLUMNS} FROM users u").fetchall()
    return sorted((_person(r) for r in rows), key=lambda p: (_key(p.name), p.name))


def find_person(conn: sqlite3.Connection, name: str) -> Person | None:
    """Return the person called ``name`` (exactly, else ignoring case and spacing)."""
    row = conn.execute(f"SELECT {_PERSON_COLUMNS} FROM users u WHERE u.name = ?", (name,))
    exact = row.fetchone()
    if exact is not None:
        return _person(exact)
    # Few people on one laptop: compare in Python (SQLite's NOCASE folds ASCII only).
    matches = [p for p in select_people(conn) if same_name(p.name, name)]
    return matches[0] if len(matches) == 1 else None


def require_person(conn: sqlite3.Connection, name: str) -> Person:
    """Return the person called ``name`` (see :func:`find_person`), or refuse."""
    found = find_person(conn, name)
    if found is not None:
        return found
    known = [p.name for p in select_people(conn)]
    listed = ", ".join(known[:12]) + (", …" if len(known) > 12 else "")
    raise StoreError(
        f"no person called {name[:60]!r} (known: {listed or 'nobody yet'}; "
        "see `massage-trainer users list`)"
    )


def _clash(conn: sqlite3.Connection, name: str, *, other_than: int | None = None) -> None:
    for person in select_people(conn):
        if same_name(person.name, name) and person.id != other_than:
            raise StoreError(f"there is already a person called {person.name!r}")


def insert_person(conn: sqlite3.Connection, name: str, role: str, uid: str | None = None) -> Person:
    """Add a person (name checked, unique regardless of case); return them."""
    name, role = check_person_name(name), check_role(role)
    _clash(conn, name)
    conn.execute(
        "INSERT INTO users (name, role, created_at, uid) VALUES (?, ?, ?, ?)",
        (name, role, now(), uid or new_uid()),
    )
    person = find_person(conn, name)
    assert person is not None  # just inserted, in this transaction
    return person


def ensure_person(conn: sqlite3.Connection, name: str, role: str = "student") -> Person:
    """Return the person called ``name``, added with ``role`` if nobody is.

    An existing name is used as stored, whatever its length (older programs allowed
    100 characters); a new one must pass :func:`check_person_name`.
    """
    found = find_person(conn, name.strip())
    if found is not None:
        if found.uid is None:  # a row no schema-6 program wrote: give it an identity
            conn.execute("UPDATE users SET uid = ? WHERE id = ?", (new_uid(), found.id))
        return found
    return insert_person(conn, name, role)


def rename_person(conn: sqlite3.Connection, old: str, new: str) -> Person:
    """Rename a person (their sessions follow: they are linked by row, not by name)."""
    person = require_person(conn, old)
    name = check_person_name(new)
    _clash(conn, name, other_than=person.id)
    conn.execute("UPDATE users SET name = ? WHERE id = ?", (name, person.id))
    renamed = find_person(conn, name)
    assert renamed is not None
    return renamed


def set_role(conn: sqlite3.Connection, name: str, role: str) -> Person:
    """Change a person's role."""
    person = require_person(conn, name)
    conn.execute("UPDATE users SET role = ? WHERE id = ?", (check_role(role), person.id))
    changed = find_person(conn, person.name)
    assert changed is not None
    return changed


def delete_person(
    conn: sqlite3.Connection, name: str, *, with_sessions: bool
) -> tuple[Person, list[str]]:
    """Remove a person; with ``with_sessions``, their sessions too.

    Returns
    -------
    tuple of (Person, list of str)
        Who was removed, and the captures (relative to the data home) of the sessions
        removed with them, for the caller to delete once this commits.

    Raises
    ------
    StoreError
        Unknown person, or they have sessions (deleted ones too) and not
        ``with_sessions``, or one of theirs is being recorded: nothing is removed.
    """
    person = require_person(conn, name)
    if person.sessions and not with_sessions:
        hidden = f", {person.deleted_sessions} of them deleted" if person.deleted_sessions else ""
        raise StoreError(
            f"{person.name} has {person.sessions} session(s){hidden}: not removed "
            "(to remove them with their sessions: --delete-sessions)"
        )
    recording = conn.execute(
        "SELECT id FROM sessions WHERE user_id = ? AND state = 'recording'", (person.id,)
    ).fetchone()
    if recording is not None:  # another program is writing it: its files are in use
        raise StoreError(f"{person.name}'s session {recording[0]} is being recorded: stop it first")
    captures = [
        str(c)
        for (c,) in conn.execute("SELECT capture FROM sessions WHERE user_id = ?", (person.id,))
    ]
    # Attempts, their components and ratings go with the sessions (ON DELETE CASCADE).
    conn.execute("DELETE FROM sessions WHERE user_id = ?", (person.id,))
    conn.execute("DELETE FROM users WHERE id = ?", (person.id,))
    return person, captures
