"""The session database: users, practice sessions, scored attempts, references used.

One SQLite file in the user data directory (``<data home>/massage-trainer.db``), in WAL
mode with foreign keys on. Its schema version is ``PRAGMA user_version``; opening an
older database upgrades it in one transaction after copying it aside
(``massage-trainer.db.v<N>.bak``), and a database from a newer program is refused.

Writes go through **one writer thread** that owns the only writing connection, so the
database has a single writer and callers can hand work over without waiting
(:meth:`Store.submit`); the synchronous write methods wait for their own job. Reads use
one connection per calling thread and see committed state only. Each attempt is
committed on its own with ``synchronous=FULL`` so a kill or a power cut keeps every
attempt scored before it.

Raw samples are not in the database: each session points to its capture file
(:mod:`sensors.capture`), which is appended crash-safely while the session runs.

This module holds the queries; the schema and its migrations are in
:mod:`trainer.store.schema`, the connections and the writer thread in
:mod:`trainer.store.connection`, the records and row mapping in
:mod:`trainer.store.records`, crash recovery in :mod:`trainer.store.recovery`.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import math
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trainer.exceptions import ReferenceFileError, StoreError
from trainer.ratings.model import Rating
from trainer.scoring.model import Reference, StrokeScore
from trainer.store.connection import DATABASE_FILE, Database
from trainer.store.progress import check_kind, check_surface
from trainer.store.ratings import AttemptFilter, insert_ratings, select_attempts, select_ratings
from trainer.store.records import (
    ATTEMPT_COLUMNS,
    INSERT_ATTEMPT,
    INSERT_COMPONENT,
    LEGACY_COMPONENTS,
    SELECT_COMPONENTS,
    SESSION_COLUMNS,
    AttemptRecord,
    SessionRecord,
    attempt_from_row,
    check_components,
    content_hash,
    now,
    parse_since,
    relative_to_home,
    score_components,
    score_row,
    session_from_row,
)
from trainer.store.recovery import IMPORTING_SUFFIX, writer_id
from trainer.store.references import decode_reference, encode_reference
from trainer.store.schema import SCHEMA_VERSION

__all__ = [
    "DATABASE_FILE",
    "IMPORTING_SUFFIX",
    "ROLES",
    "SCHEMA_VERSION",
    "SESSION_STATES",
    "AttemptRecord",
    "SessionRecord",
    "Store",
    "content_hash",
    "parse_since",
]

ROLES = ("student", "instructor")
#: ``recording`` while a program writes it; ``interrupted`` if that program died.
SESSION_STATES = ("recording", "finished", "interrupted")
DEFAULT_USER = "student"
_CHUNK = 500  # ids per query: SQLite's bound-parameter limit


#: An attempt to import: (index, score) or (index, score, {component: score or None}).
ImportedAttempt = (
    tuple[int, StrokeScore] | tuple[int, StrokeScore, Mapping[str, float | None] | None]
)

_INSERT_REFERENCE = (
    "INSERT OR IGNORE INTO reference_blobs (hash, name, technique, created_at, data) "
    "VALUES (?, ?, ?, ?, ?)"
)


class Store(Database):
    """The session database (one per data home).

    Parameters
    ----------
    home : pathlib.Path or None
        User data directory (default :func:`trainer.store.paths.data_home`); captures
        are stored below it and referred to relative to it.
    readonly : bool
        Open for reading only: no migration, no recovery, writes raise. A database that
        does not exist yet reads as empty.

    Raises
    ------
    StoreError
        The file is not a database, is corrupt, or comes from a newer program.
    """

    # -- writes ------------------------------------------------------------------------

    def ensure_user(self, name: str = DEFAULT_USER, role: str = "student") -> int:
        """Return the id of user ``name``, creating them with ``role`` if new.

        Raises
        ------
        StoreError
            An empty name or an unknown role.
        """
        name = name.strip()
        if not name or len(name) > 100:
            raise StoreError("user name must be 1 to 100 characters")
        if role not in ROLES:
            raise StoreError(f"unknown role {role!r}; known: {', '.join(ROLES)}")

        def job(conn: sqlite3.Connection) -> int:
            row = conn.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()
            if row is not None:
                return int(row[0])
            cur = conn.execute(
                "INSERT INTO users (name, role, created_at) VALUES (?, ?, ?)",
                (name, role, now()),
            )
            return int(cur.lastrowid or 0)

        return self._write(job)

    def add_reference(self, reference: Reference) -> str:
        """Keep a copy of ``reference`` (by content hash); return the hash."""
        data = encode_reference(reference)
        digest = content_hash(data)

        def job(conn: sqlite3.Connection) -> str:
            conn.execute(
                _INSERT_REFERENCE, (digest, reference.name, reference.technique, now(), data)
            )
            return digest

        return self._write(job)

    def begin_session(
        self,
        *,
        technique: str,
        reference: Reference | None,
        reference_name: str,
        glove: str,
        source: str,
        feedback_mode: str,
        capture: Path,
        user: str = DEFAULT_USER,
        started_at: datetime | None = None,
        kind: str = "practice",
        surface: str = "",
    ) -> int:
        """Create a session in the ``recording`` state; return its id.

        Parameters
        ----------
        technique, reference_name : str
            What is practised, against which reference.
        reference : Reference or None
            The reference itself, kept by content hash so replay survives a rebuild.
        glove, source, feedback_mode : str
            Glove profile name, source spec, faded-feedback setting.
        capture : pathlib.Path
            The session's capture file (inside the data home).
        user : str
            Who practises (created as a student if new).
        started_at : datetime or None
            Wall-clock start (default now).
        kind : {"practice", "probe"}
            A probe is a short set with every feedback hidden (schema 5).
        surface : str
            What is massaged (:func:`trainer.store.progress.check_surface`; "" unknown).

        Raises
        ------
        StoreError
            An unknown kind or a bad surface (nothing is written).
        """
        kind, surface = check_kind(kind), check_surface(surface)
        user_id = self.ensure_user(user)
        ref_hash = self.add_reference(reference) if reference is not None else None
        started = (started_at or datetime.now(UTC)).astimezone(UTC)
        relative = relative_to_home(capture, self.home)

        def job(conn: sqlite3.Connection) -> int:
            cur = conn.execute(
                "INSERT INTO sessions (user_id, started_at, glove, source, technique, "
                "reference_name, reference_hash, feedback_mode, capture, state, writer, "
                "kind, surface) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'recording', ?, ?, ?)",
                (
                    user_id,
                    started.isoformat(timespec="milliseconds"),
                    glove,
                    source,
                    technique,
                    reference_name,
                    ref_hash,
                    feedback_mode,
                    relative,
                    writer_id(),
                    kind,
                    surface,
                ),
            )
            return int(cur.lastrowid or 0)

        return self._write(job)

    def submit_attempt(
        self,
        session_id: int,
        index: int,
        score: StrokeScore,
        components: Mapping[str, float | None] | None = None,
    ) -> concurrent.futures.Future[int]:
        """Store a scored stroke without waiting (committed on its own); future of its id.

        ``components`` (``{name: 0-100 or None}``, any names) defaults to the score's
        own (:func:`~trainer.store.records.score_components`).

        Raises
        ------
        StoreError
            A component name or score is not valid (before anything is written).
        """
        row = score_row(score)
        parts = score_components(score) if components is None else check_components(components)

        def job(conn: sqlite3.Connection) -> int:
            return _insert_attempt(conn, session_id, index, row, parts)

        return self.submit(job)

    def add_attempt(
        self,
        session_id: int,
        index: int,
        score: StrokeScore,
        components: Mapping[str, float | None] | None = None,
    ) -> int:
        """Store a scored stroke and wait for the commit; return the attempt id."""
        return self.submit_attempt(session_id, index, score, components).result()

    def end_session(self, session_id: int, *, samples: int, duration_s: float) -> None:
        """Mark a session finished, with its capture's sample count and duration."""
        if not math.isfinite(duration_s):
            duration_s = 0.0

        def job(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE sessions SET state = 'finished', ended_at = ?, samples = ?, "
                "duration_s = ? WHERE id = ?",
                (now(), int(samples), float(duration_s), session_id),
            )

        self._write(job)

    def import_sessions(
        self,
        sessions: Sequence[tuple[dict[str, Any], Path, Sequence[ImportedAttempt]]],
        references: Sequence[Reference] = (),
        ratings: Sequence[Mapping[int, Sequence[Rating]]] = (),
        check: Callable[[], None] | None = None,
    ) -> list[int | None]:
        """Insert whole sessions (from a pack) in one transaction: all or nothing.

        Parameters
        ----------
        sessions : sequence of (dict, Path, sequence of attempts)
            Each session's fields (as in :meth:`SessionRecord.to_dict`, with
            ``reference``), its capture (already in the data home) and its attempts:
            ``(index, StrokeScore)``, or ``(index, StrokeScore, components)`` to give
            the component scores (``{name: 0-100 or None}``) explicitly.
        references : sequence of Reference
            References the sessions were scored against (kept by content hash).
        ratings : sequence of mapping
            Per session (same order), ``{attempt index: ratings}`` (their attempt ids
            are ignored). A session already in the store gets the ratings it lacks.
        check : callable or None
            Called inside the transaction just before it commits; raising there (e.g.
            a capture the rows point to is gone) rolls every row back.

        Returns
        -------
        list of int or None
            The new session ids; ``None`` for a session already in the store (same
            user, start time and technique), which is left as it is.
        """
        blobs = [(content_hash(d := encode_reference(r)), r, d) for r in references]
        rows = [
            (meta, relative_to_home(path, self.home), [_with_components(a) for a in attempts])
            for meta, path, attempts in sessions
        ]

        def job(conn: sqlite3.Connection) -> list[int | None]:
            for digest, ref, data in blobs:
                conn.execute(_INSERT_REFERENCE, (digest, ref.name, ref.technique, now(), data))
            ids: list[int | None] = []
            for n, (meta, capture, attempts) in enumerate(rows):
                rated = ratings[n] if n < len(ratings) else {}
                user = str(meta["user"])
                twin = conn.execute(
                    "SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id WHERE "
                    "u.name = ? AND s.started_at = ? AND s.technique = ?",
                    (user, meta["started_at"], meta["technique"]),
                ).fetchone()
                if twin is not None:  # imported before (or recorded here): keep one
                    ids.append(None)
                    _import_ratings(conn, int(twin[0]), rated)
                    continue
                conn.execute(
                    "INSERT OR IGNORE INTO users (name, role, created_at) VALUES (?, ?, ?)",
                    (user, meta.get("role", "student"), now()),
                )
                (user_id,) = conn.execute("SELECT id FROM users WHERE name = ?", (user,)).fetchone()
                state = meta.get("state", "finished")
                cur = conn.execute(
                    "INSERT INTO sessions (user_id, started_at, ended_at, glove, source, "
                    "technique, reference_name, reference_hash, feedback_mode, capture, state,"
                    " samples, duration_s, kind, surface) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        user_id,
                        meta["started_at"],
                        meta.get("ended_at"),
                        meta["glove"],
                        meta["source"],
                        meta["technique"],
                        meta["reference"],
                        meta.get("reference_hash"),
                        str(meta.get("feedback_mode", "every")),
                        capture,
                        "interrupted" if state == "recording" else state,
                        int(meta.get("samples", 0)),
                        float(meta.get("duration_s", 0.0)),
                        check_kind(str(meta.get("kind", "practice"))),
                        check_surface(str(meta.get("surface", ""))),
                    ),
                )
                sid = int(cur.lastrowid or 0)
                for index, score, parts in attempts:
                    _insert_attempt(conn, sid, index, score_row(score), parts)
                _import_ratings(conn, sid, rated)
                ids.append(sid)
            if check is not None:
                check()
            return ids

        return self._write(job)

    def delete_session(self, session_id: int) -> None:
        """Soft-delete a session (hidden from history; :meth:`restore_session` undoes it).

        Raises
        ------
        StoreError
            Unknown session.
        """
        self._set_deleted(session_id, now())

    def restore_session(self, session_id: int) -> None:
        """Undo :meth:`delete_session`.

        Raises
        ------
        StoreError
            Unknown session.
        """
        self._set_deleted(session_id, None)

    def _set_deleted(self, session_id: int, when: str | None) -> None:
        def job(conn: sqlite3.Connection) -> int:
            cur = conn.execute(
                "UPDATE sessions SET deleted_at = ? WHERE id = ?", (when, session_id)
            )
            return cur.rowcount

        if self._write(job) == 0:
            raise StoreError(f"no session {session_id}")

    # -- reads -------------------------------------------------------------------------

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
            Only this user's.
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
            where.append("u.name = ?")
            args.append(user)
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
        try:
            return decode_reference(data, f"stored reference {digest[:12]}")
        except ReferenceFileError as err:
            raise StoreError(str(err)) from None

    # -- ratings (queries in trainer/store/ratings.py) ----------------------------------

    def add_ratings(self, ratings: Sequence[Rating]) -> tuple[int, int]:
        """Store instructors' ratings in one transaction (all or none).

        Returns
        -------
        tuple of int
            ``(added, skipped)``: ratings equal in every field to a stored one are
            skipped (an export imported twice adds nothing).

        Raises
        ------
        StoreError
            A rating of an attempt that does not exist (nothing is stored).
        """
        items = list(ratings)
        return self._write(lambda conn: insert_ratings(conn, items))

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


def _with_components(
    attempt: ImportedAttempt,
) -> tuple[int, StrokeScore, dict[str, float | None]]:
    index, score = attempt[0], attempt[1]
    given = attempt[2] if len(attempt) > 2 else None
    return index, score, score_components(score) if given is None else check_components(given)


def _insert_attempt(
    conn: sqlite3.Connection,
    session_id: int,
    index: int,
    row: dict[str, Any],
    components: Mapping[str, float | None],
) -> int:
    """Insert one attempt and its component scores (inside the caller's transaction)."""
    cur = conn.execute(INSERT_ATTEMPT, {**row, "session_id": session_id, "idx": index})
    attempt_id = int(cur.lastrowid or 0)
    conn.executemany(INSERT_COMPONENT, [(attempt_id, k, v) for k, v in components.items()])
    return attempt_id


def _import_ratings(
    conn: sqlite3.Connection, session_id: int, rated: Mapping[int, Sequence[Rating]]
) -> None:
    """Insert a session's imported ratings, ``{attempt index: ratings}`` (ones it lacks)."""
    for index, items in rated.items():
        row = conn.execute(
            "SELECT id FROM attempts WHERE session_id = ? AND idx = ?", (session_id, index)
        ).fetchone()
        if row is not None:
            insert_ratings(conn, [dataclasses.replace(r, attempt_id=int(row[0])) for r in items])


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
