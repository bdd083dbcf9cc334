"""The session database's reads: sessions, attempts, people, references, ratings.

Part of :mod:`trainer.store.database`: :class:`~trainer.store.database.Store` adds the
writes to :class:`StoreReads`. Each call reads through the calling thread's own
connection and sees committed state only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from trainer.exceptions import ReferenceFileError, StoreError
from trainer.ratings.model import Rating
from trainer.store.connection import Database
from trainer.store.people import Person, find_person, require_person, select_people
from trainer.store.ratings import AttemptFilter, select_attempts, select_ratings
from trainer.store.records import (
    ATTEMPT_COLUMNS,
    LEGACY_COMPONENTS,
    SELECT_COMPONENTS,
    SESSION_COLUMNS,
    AttemptRecord,
    SessionRecord,
    attempt_from_row,
    content_hash,
    session_from_row,
)
from trainer.store.session_fields import FeedbackRecord, check_surface

if TYPE_CHECKING:
    from trainer.scoring.model import Reference

# The reference file format is imported by the one method that decodes a reference:
# listing sessions (`history`) needs none of it (start-up time).

__all__ = ["StoreReads"]

_CHUNK = 500  # ids per query: SQLite's bound-parameter limit


class StoreReads(Database):
    """The session database's queries that read (see ``Store``, which adds the writes)."""

    def sessions(
        self,
        *,
        technique: str | None = None,
        since: datetime | None = None,
        user: str | None = None,
        deleted: bool = False,
        surface: str | None = None,
    ) -> list[SessionRecord]:
        """Return sessions, oldest first.

        Parameters
        ----------
        technique : str or None
            Only this technique.
        since : datetime or None
            Only sessions started at or after this time.
        user : str or None
            Only this person's (matched regardless of case; nobody of that name: no
            sessions).
        deleted : bool
            List the soft-deleted sessions instead of the visible ones.
        surface : str or None
            Only sessions on this surface (``""``: those where it is unknown).
        """
        where = ["s.deleted_at IS NOT NULL" if deleted else "s.deleted_at IS NULL"]
        args: list[Any] = []
        if technique:
            where.append("s.technique = ?")
            args.append(technique)
        if since is not None:
            where.append("s.started_at >= ?")
            args.append(since.astimezone(UTC).isoformat(timespec="milliseconds"))
        if user:
            where.append("u.id = ?")
            args.append(self._person_id(user))
        if surface is not None:
            where.append("s.surface = ?")
            args.append(check_surface(surface))
        sql = (
            f"SELECT {SESSION_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id "
            f"WHERE {' AND '.join(where)} ORDER BY s.started_at, s.id"
        )
        with self._reading() as conn:
            rows = conn.execute(sql, args).fetchall()
        return [session_from_row(r, self.home) for r in rows]

    def _person_id(self, name: str) -> int:
        """Row id of the person called ``name``; -1 (no rows match) for nobody."""
        with self._reading() as conn:
            found = find_person(conn, name)
        return -1 if found is None else found.id

    def people(self) -> list[Person]:
        """Every person, by name (case ignored), with their session counts."""
        with self._reading() as conn:
            return select_people(conn)

    def person(self, name: str) -> Person:
        """Return the person called ``name`` (regardless of case).

        Raises
        ------
        StoreError
            Nobody is (the message lists who is).
        """
        with self._reading() as conn:
            return require_person(conn, name)

    def component_means(self, session_ids: Sequence[int]) -> dict[int, dict[str, float | None]]:
        """Return each session's mean overall and component scores (for progress plots).

        Parameters
        ----------
        session_ids : sequence of int
            Sessions to summarise.

        Returns
        -------
        dict
            ``{session id: {"overall", "shape", "pressure", "tempo", "smoothness",
            any other stored component}}``, ``None`` where no attempt has the
            component scored (sessions without attempts are left out).
        """
        ids = [int(i) for i in session_ids]
        out: dict[int, dict[str, float | None]] = {}
        with self._reading() as conn:
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                for sid, mean in conn.execute(
                    f"SELECT session_id, AVG(overall) FROM attempts WHERE session_id IN ({marks}) "
                    "GROUP BY session_id",
                    chunk,
                ):
                    out[int(sid)] = {"overall": float(mean), **dict.fromkeys(LEGACY_COMPONENTS)}
                for sid, name, mean in conn.execute(
                    "SELECT a.session_id, c.component, AVG(c.score) FROM attempt_components c "
                    f"JOIN attempts a ON a.id = c.attempt_id WHERE a.session_id IN ({marks}) "
                    "GROUP BY a.session_id, c.component ORDER BY a.session_id, MIN(c.rowid)",
                    chunk,
                ):
                    out[int(sid)][str(name)] = None if mean is None else float(mean)
        return out

    def stroke_feedback(
        self, session_ids: Sequence[int]
    ) -> dict[int, list[tuple[float, FeedbackRecord | None]]]:
        """Return each session's strokes for progress: overall score, what it showed.

        Parameters
        ----------
        session_ids : sequence of int
            Sessions to read.

        Returns
        -------
        dict
            ``{session id: [(overall, FeedbackRecord or None), ...]}`` in stroke order
            (``None``: not recorded, as for strokes before schema 7); sessions without
            attempts are left out.
        """
        ids = [int(i) for i in session_ids]
        out: dict[int, list[tuple[float, FeedbackRecord | None]]] = {}
        with self._reading() as conn:
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                for sid, overall, cues, card, requested, reason, mode in conn.execute(
                    "SELECT a.session_id, a.overall, f.cues, f.card, f.requested, f.reason, "
                    "f.mode FROM attempts a LEFT JOIN attempt_feedback f "
                    "ON f.session_id = a.session_id AND f.idx = a.idx "
                    f"WHERE a.session_id IN ({marks}) ORDER BY a.session_id, a.idx",
                    chunk,
                ):
                    record = None
                    if cues is not None:
                        record = FeedbackRecord(
                            bool(cues), bool(card), bool(requested), str(reason), str(mode)
                        )
                    out.setdefault(int(sid), []).append((float(overall), record))
        return out

    def feedback_records(self, session_id: int) -> dict[int, FeedbackRecord]:
        """Return what each stroke of a session showed, ``{stroke index: record}`` (schema 7).

        Every row, including a stroke whose attempt was never stored (a record may come
        before its attempt): what a pack carries. Strokes without a row are left out.
        """
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT idx, cues, card, requested, reason, mode FROM attempt_feedback "
                "WHERE session_id = ? ORDER BY idx",
                (int(session_id),),
            ).fetchall()
        return {
            int(idx): FeedbackRecord(
                bool(cues), bool(card), bool(requested), str(reason), str(mode)
            )
            for idx, cues, card, requested, reason, mode in rows
        }

    def session(self, session_id: int) -> SessionRecord:
        """Return one session (deleted or not).

        Raises
        ------
        StoreError
            Unknown session.
        """
        with self._reading() as conn:
            row = conn.execute(
                f"SELECT {SESSION_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id "
                "WHERE s.id = ?",
                (session_id,),
            ).fetchone()
        if row is None:
            raise StoreError(f"no session {session_id} (see `massage-trainer history`)")
        return session_from_row(row, self.home)

    def attempts(self, session_id: int) -> list[AttemptRecord]:
        """Return a session's attempts in stroke order."""
        with self._reading() as conn:
            rows = conn.execute(
                f"SELECT {ATTEMPT_COLUMNS} FROM attempts a JOIN sessions s "
                "ON s.id = a.session_id WHERE a.session_id = ? ORDER BY a.idx",
                (session_id,),
            ).fetchall()
            components = _components_of(conn, [r[0] for r in rows])
        return [attempt_from_row(r, components[r[0]]) for r in rows]

    def attempt(self, attempt_id: int) -> AttemptRecord:
        """Return one attempt.

        Raises
        ------
        StoreError
            Unknown attempt.
        """
        with self._reading() as conn:
            row = conn.execute(
                f"SELECT {ATTEMPT_COLUMNS} FROM attempts a JOIN sessions s "
                "ON s.id = a.session_id WHERE a.id = ?",
                (attempt_id,),
            ).fetchone()
            components = _components_of(conn, [attempt_id]) if row is not None else {}
        if row is None:
            raise StoreError(f"no attempt {attempt_id} (see `massage-trainer history`)")
        return attempt_from_row(row, components[attempt_id])

    def reference(self, digest: str) -> Reference:
        """Return the reference stored under content hash ``digest``.

        Raises
        ------
        StoreError
            Unknown hash, or the stored copy fails validation.
        """
        with self._reading() as conn:
            row = conn.execute(
                "SELECT data FROM reference_blobs WHERE hash = ?", (digest,)
            ).fetchone()
        if row is None:
            raise StoreError(f"no stored reference with hash {digest[:12]}…")
        data = bytes(row[0])
        if content_hash(data) != digest:
            raise StoreError(f"stored reference {digest[:12]}… is corrupt (hash mismatch)")
        from trainer.store.references import decode_reference

        try:
            return decode_reference(data, f"stored reference {digest[:12]}")
        except ReferenceFileError as err:
            raise StoreError(str(err)) from None

    # -- ratings (queries in trainer/store/ratings.py) ----------------------------------

    def ratings(
        self,
        *,
        attempts: AttemptFilter | None = None,
        raters: Sequence[str] = (),
        attempt_ids: Sequence[int] | None = None,
    ) -> list[Rating]:
        """Return ratings (re-ratings included), oldest first.

        Parameters
        ----------
        attempts : AttemptFilter or None
            Only of attempts matching it (technique, reference, student, dates).
        raters : sequence of str
            Only by these raters (all when empty).
        attempt_ids : sequence of int or None
            Only of these attempts.
        """
        with self._reading() as conn:
            return select_ratings(conn, attempts=attempts, raters=raters, attempt_ids=attempt_ids)

    def find_attempts(
        self, attempts: AttemptFilter | None = None, *, ids: Sequence[int] | None = None
    ) -> list[AttemptRecord]:
        """Return the attempts of visible sessions matching a filter (or by id), by id."""
        with self._reading() as conn:
            return select_attempts(conn, attempts=attempts, ids=ids)

    def integrity_check(self) -> str:
        """Run ``PRAGMA integrity_check``; ``"ok"`` when the database is sound."""
        with self._reading() as conn:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        return "; ".join(str(r[0]) for r in rows)

    def schema_version(self) -> int:
        """Return the database's schema version (``PRAGMA user_version``)."""
        with self._reading() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _components_of(
    conn: sqlite3.Connection, attempt_ids: Sequence[int]
) -> dict[int, dict[str, float | None]]:
    """Component scores of the given attempts, ``{attempt id: {name: score}}``."""
    out: dict[int, dict[str, float | None]] = {int(i): {} for i in attempt_ids}
    ids = list(out)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        sql = SELECT_COMPONENTS.format(marks=",".join("?" * len(chunk)))
        for aid, name, score in conn.execute(sql, chunk):
            out[int(aid)][str(name)] = None if score is None else float(score)
    return out
