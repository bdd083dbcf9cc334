"""The session database: people, practice sessions, scored attempts, references used.

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
:mod:`trainer.store.records`, crash recovery in :mod:`trainer.store.recovery`, people
(who practises) in :mod:`trainer.store.people`.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import math
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer.exceptions import ReferenceFileError, StoreError
from trainer.ratings.model import Rating
from trainer.store.connection import DATABASE_FILE, Database
from trainer.store.people import (
    DEFAULT_PERSON,
    MAX_NAME,
    ROLES,
    Person,
    check_person_name,
    delete_person,
    ensure_person,
    find_person,
    insert_person,
    rename_person,
    require_person,
    same_name,
    select_people,
    set_role,
)
from trainer.store.progress import FeedbackRecord, check_kind, check_surface
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
from trainer.store.schema import SCHEMA_VERSION

if TYPE_CHECKING:
    from typing import TypeAlias

    from trainer.scoring.model import Reference, StrokeScore

    #: An attempt to import: (index, score) or (index, score, {component: score or None}).
    ImportedAttempt: TypeAlias = (
        tuple[int, StrokeScore] | tuple[int, StrokeScore, Mapping[str, float | None] | None]
    )

# The reference file format (trainer.store.references: NumPy, glove profiles, the scoring
# model) is imported by the methods that read or write references: opening the store and
# listing sessions (`history`) need none of it (start-up time; tests/trainer/test_startup.py).

__all__ = [
    "DATABASE_FILE",
    "IMPORTING_SUFFIX",
    "ROLES",
    "SAME_NAME_POLICIES",
    "SCHEMA_VERSION",
    "SESSION_STATES",
    "AttemptRecord",
    "Person",
    "SessionRecord",
    "Store",
    "content_hash",
    "parse_since",
]

#: ``recording`` while a program writes it; ``interrupted`` if that program died.
SESSION_STATES = ("recording", "finished", "interrupted")
DEFAULT_USER = DEFAULT_PERSON
#: What an import does with a pack's person whose name is taken here by someone else
#: (another identity): ``apart`` adds them as "Name (2)", ``merge`` files their
#: sessions under the person here.
SAME_NAME_POLICIES = ("apart", "merge")
_log = logging.getLogger(__name__)
_CHUNK = 500  # ids per query: SQLite's bound-parameter limit


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
        """Return the id of person ``name``, adding them with ``role`` if new.

        ``name`` is matched regardless of case (``ana`` is ``Ana``).

        Raises
        ------
        StoreError
            A new name that :func:`~trainer.store.people.check_person_name` refuses, or
            an unknown role.
        """
        if role not in ROLES:
            raise StoreError(f"unknown role {role!r}; known: {', '.join(ROLES)}")
        if not isinstance(name, str) or not name.strip():
            raise StoreError("a person's name cannot be empty")
        return self._write(lambda conn: ensure_person(conn, name, role).id)

    # -- people (queries in trainer/store/people.py) -----------------------------------

    def add_person(self, name: str, role: str = "student") -> Person:
        """Add a person.

        Raises
        ------
        StoreError
            A bad name or role, or the name is taken (regardless of case).
        """
        return self._write(lambda conn: insert_person(conn, name, role))

    def rename_person(self, old: str, new: str) -> Person:
        """Rename a person; every session of theirs shows the new name.

        Raises
        ------
        StoreError
            Unknown person, a bad new name, or it is someone else's.
        """
        return self._write(lambda conn: rename_person(conn, old, new))

    def set_person_role(self, name: str, role: str) -> Person:
        """Make a person a student or an instructor.

        Raises
        ------
        StoreError
            Unknown person or role.
        """
        return self._write(lambda conn: set_role(conn, name, role))

    def remove_person(self, name: str, *, delete_sessions: bool = False) -> tuple[Person, int]:
        """Remove a person; with ``delete_sessions``, with every session of theirs.

        Sessions (deleted ones too), their attempts and ratings are removed in one
        transaction; their capture files are deleted once it commits.

        Returns
        -------
        tuple of (Person, int)
            Who was removed (with their session counts), and how many capture files
            could not be deleted (left in ``sessions/``; logged).

        Raises
        ------
        StoreError
            Unknown person, or they have sessions and not ``delete_sessions`` (nothing
            is removed).
        """
        person, captures = self._write(
            lambda conn: delete_person(conn, name, with_sessions=delete_sessions)
        )
        left = 0
        for relative in captures:
            try:
                (self.home / relative).unlink(missing_ok=True)
            except OSError as err:
                left += 1
                _log.warning("could not delete %s: %s", relative, err)
        return person, left

    def add_reference(self, reference: Reference) -> str:
        """Keep a copy of ``reference`` (by content hash); return the hash."""
        from trainer.store.references import encode_reference

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
            Who practises (matched regardless of case; added as a student if new).
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

    def submit_feedback(
        self, session_id: int, index: int, record: FeedbackRecord
    ) -> concurrent.futures.Future[None]:
        """Store what stroke ``index`` of a session showed, without waiting (schema 7).

        Keyed by (session, index) like its attempt, so it may come before or after the
        attempt; a second record of the stroke (the student asked about it) replaces the
        first.

        Raises
        ------
        StoreError
            A reason or mode longer than 40 characters (before anything is written).
        """
        if len(record.reason) > 40 or len(record.mode) > 40:
            raise StoreError("a feedback record's reason and mode are at most 40 characters")
        row = (
            int(session_id), int(index), int(record.cues), int(record.card),
            int(record.requested), record.reason, record.mode,
        )  # fmt: skip

        def job(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT OR REPLACE INTO attempt_feedback "
                "(session_id, idx, cues, card, requested, reason, mode) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                row,
            )

        return self.submit(job)

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
        *,
        same_name: str = "apart",
        placed: dict[str, str] | None = None,
        feedback: Sequence[Mapping[int, FeedbackRecord]] = (),
    ) -> list[int | None]:
        """Insert whole sessions (from a pack) in one transaction: all or nothing.

        Parameters
        ----------
        sessions : sequence of (dict, Path, sequence of attempts)
            Each session's fields (as in :meth:`SessionRecord.to_dict`, with
            ``reference``), its capture (already in the data home) and its attempts:
            ``(index, StrokeScore)``, or ``(index, StrokeScore, components)`` to give
            the component scores (``{name: 0-100 or None}``) explicitly. Names that
            :func:`~trainer.store.people.check_person_name` refuses are refused.
        references : sequence of Reference
            References the sessions were scored against (kept by content hash).
        ratings : sequence of mapping
            Per session (same order), ``{attempt index: ratings}`` (their attempt ids
            are ignored). A session already in the store gets the ratings it lacks.
        check : callable or None
            Called inside the transaction just before it commits; raising there (e.g.
            a capture the rows point to is gone) rolls every row back.
        same_name : {"apart", "merge"}
            A session's person (``user``, ``role``, ``user_uid``) is the person here
            of the same identity (``user_uid``), whatever their name now. Failing that,
            a person here of the same name is another student (their identity differs,
            or the pack gives none): ``apart`` adds the pack's person as
            ``"Name (2)"``, ``merge`` files the sessions under the person here.
        placed : dict or None
            Filled with ``{pack's name: name here}`` for each person whose sessions
            went under another name (``apart``) or into someone of that name
            (``merge``): what the caller tells the user.
        feedback : sequence of mapping
            Per session (same order), what each stroke showed, ``{stroke index:
            FeedbackRecord}`` (schema 7; older packs have none). A session already in
            the store gets the records it lacks; its own are kept.

        Returns
        -------
        list of int or None
            The new session ids; ``None`` for a session already in the store (same
            person, start time and technique), which is left as it is.

        Raises
        ------
        StoreError
            An unknown ``same_name`` or a bad name (nothing is written).
        """
        if same_name not in SAME_NAME_POLICIES:
            raise StoreError(
                f"unknown --same-name {same_name!r}; known: {', '.join(SAME_NAME_POLICIES)}"
            )
        for meta, _path, _attempts in sessions:
            check_person_name(meta["user"])
        from trainer.store.references import encode_reference

        blobs = [(content_hash(d := encode_reference(r)), r, d) for r in references]
        rows = [
            (meta, relative_to_home(path, self.home), [_with_components(a) for a in attempts])
            for meta, path, attempts in sessions
        ]

        def job(conn: sqlite3.Connection) -> list[int | None]:
            for digest, ref, data in blobs:
                conn.execute(_INSERT_REFERENCE, (digest, ref.name, ref.technique, now(), data))
            ids: list[int | None] = []
            people = _PackPeople(conn, same_name)
            for n, (meta, capture, attempts) in enumerate(rows):
                rated = ratings[n] if n < len(ratings) else {}
                shown = feedback[n] if n < len(feedback) else {}
                twin = people.twin(meta)
                if twin is not None:  # imported before (or recorded here): keep one
                    ids.append(None)
                    _import_ratings(conn, twin, rated)
                    _import_feedback(conn, twin, shown)
                    continue
                user_id = people.place(meta)
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
                _import_feedback(conn, sid, shown)
                ids.append(sid)
            if check is not None:
                check()
            if placed is not None:
                placed.update(people.placed)
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


class _PackPeople:
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


def _import_feedback(
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
