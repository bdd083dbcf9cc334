"""A pack's sessions going into the store: whose they are, and what they carry.

Part of :mod:`trainer.store.database`: :meth:`Store.import_sessions
<trainer.store.database.Store.import_sessions>` runs these inside its one transaction.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from trainer.ratings.model import Rating
from trainer.store.people import MAX_NAME, find_person, insert_person, same_name, select_people
from trainer.store.ratings import insert_ratings
from trainer.store.records import check_components, score_components
from trainer.store.session_fields import FeedbackRecord

if TYPE_CHECKING:
    from typing import TypeAlias

    from trainer.scoring.model import StrokeScore

    #: An attempt to import: (index, score) or (index, score, {component: score or None}).
    ImportedAttempt: TypeAlias = (
        tuple[int, StrokeScore] | tuple[int, StrokeScore, Mapping[str, float | None] | None]
    )

__all__ = ["PackPeople", "import_feedback", "import_ratings", "with_components"]


class PackPeople:
    """Where an import's sessions go, person by person (inside its transaction)."""

    def __init__(self, conn: sqlite3.Connection, policy: str) -> None:
        self.conn = conn
        self.policy = policy
        self.placed: dict[str, str] = {}
        self._ids: dict[str, int] = {}  # by the pack's identity (or name, if none)

    @staticmethod
    def _key(meta: Mapping[str, Any]) -> str:
        uid = meta.get("user_uid")
        return f"uid:{uid}" if uid else f"name:{' '.join(str(meta['user']).split()).casefold()}"

    def _by_uid(self, uid: object) -> tuple[int, str] | None:
        if not uid:
            return None
        row = self.conn.execute("SELECT id, name FROM users WHERE uid = ?", (uid,)).fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    def twin(self, meta: Mapping[str, Any]) -> int | None:
        """Return the session already here that ``meta`` is (same person, start, technique)."""
        candidates = {p.id for p in select_people(self.conn) if same_name(p.name, meta["user"])}
        if (mine := self._by_uid(meta.get("user_uid"))) is not None:
            candidates.add(mine[0])
        if (placed := self._ids.get(self._key(meta))) is not None:
            candidates.add(placed)
        if not candidates:
            return None
        marks = ",".join("?" * len(candidates))
        rows = self.conn.execute(
            f"SELECT id, started_at FROM sessions WHERE technique = ? "
            f"AND user_id IN ({marks}) ORDER BY id",
            (meta["technique"], *sorted(candidates)),
        ).fetchall()
        # Compared as times: a pack spells them as it likes (".120000" for ".120").
        started = datetime.fromisoformat(str(meta["started_at"]))
        return next((int(i) for i, t in rows if datetime.fromisoformat(t) == started), None)

    def place(self, meta: Mapping[str, Any]) -> int:
        """Return the id of the person here whose session ``meta`` is (added if new)."""
        key = self._key(meta)
        if key in self._ids:
            return self._ids[key]
        name, role, uid = str(meta["user"]), str(meta.get("role", "student")), meta.get("user_uid")
        mine = self._by_uid(uid)
        if mine is not None:  # the same person, maybe renamed on either side
            person_id = mine[0]
            if not same_name(mine[1], name):
                self.placed[name] = mine[1]
        else:
            here = find_person(self.conn, name)
            if here is None:
                person_id = insert_person(self.conn, name, role, uid).id
            elif self.policy == "merge" or (uid and here.uid == uid):
                person_id = here.id
                self.placed[name] = here.name
            else:  # another student of the same name: keep them apart
                other = insert_person(self.conn, _free_name(self.conn, name), role, uid)
                person_id = other.id
                self.placed[name] = other.name
        self._ids[key] = person_id
        return person_id


def _free_name(conn: sqlite3.Connection, name: str) -> str:
    """``"Name (2)"``, ``"Name (3)"``...: the first that nobody here has (case ignored)."""
    taken = {p.name.casefold() for p in select_people(conn)}
    k = 2
    while True:
        suffix = f" ({k})"
        candidate = name[: MAX_NAME - len(suffix)].rstrip() + suffix
        if candidate.casefold() not in taken:
            return candidate
        k += 1


def with_components(
    attempt: ImportedAttempt,
) -> tuple[int, StrokeScore, dict[str, float | None]]:
    """Return ``(index, score, components)``: the components given (checked) or the score's."""
    index, score = attempt[0], attempt[1]
    given = attempt[2] if len(attempt) > 2 else None
    return index, score, score_components(score) if given is None else check_components(given)


def import_ratings(
    conn: sqlite3.Connection, session_id: int, rated: Mapping[int, Sequence[Rating]]
) -> None:
    """Insert a session's imported ratings, ``{attempt index: ratings}`` (ones it lacks)."""
    for index, items in rated.items():
        row = conn.execute(
            "SELECT id FROM attempts WHERE session_id = ? AND idx = ?", (session_id, index)
        ).fetchone()
        if row is not None:
            insert_ratings(conn, [dataclasses.replace(r, attempt_id=int(row[0])) for r in items])


def import_feedback(
    conn: sqlite3.Connection, session_id: int, shown: Mapping[int, FeedbackRecord]
) -> None:
    """Insert a session's imported feedback records, ``{stroke index: record}``.

    ``OR IGNORE``: a stroke that already has a row keeps it (the store's own record,
    possibly replaced by the student's request, is the one to trust).
    """
    conn.executemany(
        "INSERT OR IGNORE INTO attempt_feedback "
        "(session_id, idx, cues, card, requested, reason, mode) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (session_id, int(i), int(r.cues), int(r.card), int(r.requested), r.reason, r.mode)
            for i, r in shown.items()
        ],
    )
