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

This module holds the writes; the reads are in :mod:`trainer.store.reads`, the schema
and its migrations in :mod:`trainer.store.schema`, the connections and the writer thread
in :mod:`trainer.store.connection`, the placing of a pack's sessions in
:mod:`trainer.store.importing`, the records and row mapping in
:mod:`trainer.store.records`, crash recovery in :mod:`trainer.store.recovery`, people
(who practises) in :mod:`trainer.store.people`.
"""

from __future__ import annotations

import concurrent.futures
import logging
import math
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer.exceptions import StoreError
from trainer.ratings.model import Rating
from trainer.store.connection import DATABASE_FILE
from trainer.store.importing import PackPeople, import_feedback, import_ratings, with_components
from trainer.store.people import (
    DEFAULT_PERSON,
    ROLES,
    Person,
    check_person_name,
    delete_person,
    ensure_person,
    insert_person,
    rename_person,
    set_role,
)
from trainer.store.ratings import insert_ratings
from trainer.store.reads import StoreReads
from trainer.store.records import (
    INSERT_ATTEMPT,
    INSERT_COMPONENT,
    AttemptRecord,
    SessionRecord,
    check_components,
    content_hash,
    now,
    parse_since,
    relative_to_home,
    score_components,
    score_row,
)
from trainer.store.recovery import IMPORTING_SUFFIX, writer_id
from trainer.store.schema import SCHEMA_VERSION
from trainer.store.session_fields import FeedbackRecord, check_kind, check_surface

if TYPE_CHECKING:
    from trainer.scoring.model import Reference, StrokeScore
    from trainer.store.importing import ImportedAttempt

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


_INSERT_REFERENCE = (
    "INSERT OR IGNORE INTO reference_blobs (hash, name, technique, created_at, data) "
    "VALUES (?, ?, ?, ?, ?)"
)


class Store(StoreReads):
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
            (meta, relative_to_home(path, self.home), [with_components(a) for a in attempts])
            for meta, path, attempts in sessions
        ]

        def job(conn: sqlite3.Connection) -> list[int | None]:
            for digest, ref, data in blobs:
                conn.execute(_INSERT_REFERENCE, (digest, ref.name, ref.technique, now(), data))
            ids: list[int | None] = []
            people = PackPeople(conn, same_name)
            for n, (meta, capture, attempts) in enumerate(rows):
                rated = ratings[n] if n < len(ratings) else {}
                shown = feedback[n] if n < len(feedback) else {}
                twin = people.twin(meta)
                if twin is not None:  # imported before (or recorded here): keep one
                    ids.append(None)
                    import_ratings(conn, twin, rated)
                    import_feedback(conn, twin, shown)
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
                import_ratings(conn, sid, rated)
                import_feedback(conn, sid, shown)
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
