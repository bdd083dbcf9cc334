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
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import logging
import math
import os
import shutil
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from trainer.exceptions import ReferenceFileError, StoreError
from trainer.scoring.model import Deduction, Reference, StrokeScore
from trainer.store.paths import data_home
from trainer.store.references import decode_reference, encode_reference

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

DATABASE_FILE = "massage-trainer.db"
ROLES = ("student", "instructor")
#: ``recording`` while a program writes it; ``interrupted`` if that program died.
SESSION_STATES = ("recording", "finished", "interrupted")
DEFAULT_USER = "student"
_log = logging.getLogger(__name__)

T = TypeVar("T")

# Each entry upgrades the schema from version i to i + 1. Never edit a released step:
# add a new one (and a test that upgrades a hand-made database of the previous version).
_MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1: the first schema.
    """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('student', 'instructor')),
        created_at TEXT NOT NULL
    );
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        started_at TEXT NOT NULL,
        ended_at TEXT,
        glove TEXT NOT NULL,
        source TEXT NOT NULL,
        technique TEXT NOT NULL,
        reference_name TEXT NOT NULL,
        feedback_mode TEXT NOT NULL,
        capture TEXT NOT NULL
    );
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        start_s REAL NOT NULL,
        end_s REAL NOT NULL,
        overall REAL NOT NULL,
        shape REAL,
        pressure REAL,
        tempo REAL,
        smoothness REAL,
        deductions TEXT NOT NULL,
        UNIQUE (session_id, idx)
    );
    """,
    # 1 -> 2: references kept by content hash (replay survives a rebuilt reference),
    # session state for crash recovery, soft delete, what replay needs per attempt.
    """
    CREATE TABLE reference_blobs (
        hash TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        technique TEXT NOT NULL,
        created_at TEXT NOT NULL,
        data BLOB NOT NULL
    );
    ALTER TABLE sessions ADD COLUMN reference_hash TEXT REFERENCES reference_blobs(hash);
    ALTER TABLE sessions ADD COLUMN state TEXT NOT NULL DEFAULT 'finished'
        CHECK (state IN ('recording', 'finished', 'interrupted'));
    ALTER TABLE sessions ADD COLUMN writer TEXT NOT NULL DEFAULT '';
    ALTER TABLE sessions ADD COLUMN samples INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN duration_s REAL NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN deleted_at TEXT;
    ALTER TABLE attempts ADD COLUMN flags TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE attempts ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE attempts ADD COLUMN path BLOB;
    CREATE INDEX sessions_by_start ON sessions (started_at);
    CREATE INDEX sessions_by_technique ON sessions (technique, started_at);
    """,
)
SCHEMA_VERSION = len(_MIGRATIONS)

_SESSION_COLUMNS = """
    s.id, u.name, u.role, s.started_at, s.ended_at, s.glove, s.source, s.technique,
    s.reference_name, s.reference_hash, s.feedback_mode, s.capture, s.state, s.samples,
    s.duration_s, s.deleted_at,
    (SELECT COUNT(*) FROM attempts a WHERE a.session_id = s.id),
    (SELECT AVG(a.overall) FROM attempts a WHERE a.session_id = s.id),
    (SELECT MAX(a.overall) FROM attempts a WHERE a.session_id = s.id)
"""
_ATTEMPT_COLUMNS = """
    a.id, a.session_id, a.idx, a.start_s, a.end_s, a.overall, a.shape, a.pressure,
    a.tempo, a.smoothness, a.deductions, a.flags, a.details, a.path, s.technique,
    s.reference_name, s.reference_hash
"""


_INSERT_ATTEMPT = (
    "INSERT INTO attempts (session_id, idx, start_s, end_s, overall, shape, pressure, tempo, "
    "smoothness, deductions, flags, details, path) VALUES (:session_id, :idx, :start_s, "
    ":end_s, :overall, :shape, :pressure, :tempo, :smoothness, :deductions, :flags, :details, "
    ":path)"
)
_INSERT_REFERENCE = (
    "INSERT OR IGNORE INTO reference_blobs (hash, name, technique, created_at, data) "
    "VALUES (?, ?, ?, ?, ?)"
)


#: Suffix of a capture being imported from a pack (renamed once its rows are committed).
IMPORTING_SUFFIX = ".importing"


def content_hash(data: bytes) -> str:
    """Return the content hash the store keys references by (SHA-256, hex)."""
    return hashlib.sha256(data).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _parse_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def parse_since(text: str) -> datetime:
    """Parse a ``--since`` date: ``YYYY-MM-DD`` (local midnight) or an ISO date-time.

    Raises
    ------
    StoreError
        If the text is not a date.
    """
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise StoreError(f"not a date: {text!r} (use YYYY-MM-DD)") from None
    if when.tzinfo is None:
        when = when.astimezone()  # a naive date means the user's local time
    return when.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One practice session as stored.

    Parameters
    ----------
    id : int
        Session id (what ``history`` shows and ``replay``/``export`` take).
    user, role : str
        Who practised.
    started_at, ended_at : datetime or None
        Wall-clock start and end (UTC); ``ended_at`` is ``None`` while recording.
    glove : str
        Glove profile name.
    source : str
        Source spec (``sim:effleurage``, ``ble:...``, ``replay:...``).
    technique, reference_name : str
        What was practised and against which reference.
    reference_hash : str or None
        Content hash of the reference used (``None`` for sessions from schema 1).
    feedback_mode : str
        Faded-feedback setting (``every``, ``every_n:3``, ``off``).
    capture : pathlib.Path
        The session's raw capture.
    state : str
        ``recording``, ``finished`` or ``interrupted``.
    samples : int
        Samples in the capture.
    duration_s : float
        Glove time covered, seconds.
    deleted : bool
        Soft-deleted (hidden from history until restored).
    attempts : int
        Strokes scored.
    mean_overall, best_overall : float or None
        Mean and best overall score of its attempts.
    """

    id: int
    user: str
    role: str
    started_at: datetime
    ended_at: datetime | None
    glove: str
    source: str
    technique: str
    reference_name: str
    reference_hash: str | None
    feedback_mode: str
    capture: Path
    state: str
    samples: int
    duration_s: float
    deleted: bool
    attempts: int
    mean_overall: float | None
    best_overall: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "id": self.id,
            "user": self.user,
            "role": self.role,
            "started_at": self.started_at.isoformat(),
            "ended_at": None if self.ended_at is None else self.ended_at.isoformat(),
            "glove": self.glove,
            "source": self.source,
            "technique": self.technique,
            "reference": self.reference_name,
            "reference_hash": self.reference_hash,
            "feedback_mode": self.feedback_mode,
            "capture": str(self.capture),
            "state": self.state,
            "samples": self.samples,
            "duration_s": round(self.duration_s, 3),
            "deleted": self.deleted,
            "strokes": self.attempts,
            "mean_overall": None if self.mean_overall is None else round(self.mean_overall, 1),
            "best_overall": self.best_overall,
        }


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """One scored stroke of a session.

    Parameters
    ----------
    id : int
        Attempt id (unique in the database).
    session_id : int
        Its session.
    index : int
        0-based stroke number within the session.
    score : StrokeScore
        Scores, deductions, flags, details and the warping path (stroke sample,
        template index) when it was stored; ``start_s``/``end_s`` are in the
        capture's time base.
    technique, reference_name : str
        What it was scored against.
    reference_hash : str or None
        Content hash of that reference (``None`` for attempts from schema 1).
    """

    id: int
    session_id: int
    index: int
    score: StrokeScore
    technique: str
    reference_name: str
    reference_hash: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the score's fields plus ids and the reference)."""
        return {
            "id": self.id,
            "session": self.session_id,
            "index": self.index,
            "technique": self.technique,
            "reference": self.reference_name,
            "reference_hash": self.reference_hash,
            **self.score.to_dict(),
        }


def _encode_path(path: np.ndarray | None) -> bytes | None:
    if path is None:
        return None
    return np.ascontiguousarray(path, dtype="<i4").reshape(-1, 2).tobytes()


def _decode_path(blob: bytes | None) -> np.ndarray | None:
    if blob is None:
        return None
    if len(blob) % 8:
        raise StoreError("stored warping path is corrupt (length not a multiple of 8)")
    return np.frombuffer(blob, dtype="<i4").reshape(-1, 2).astype(np.int64)


def _score_row(score: StrokeScore) -> dict[str, Any]:
    return {
        "start_s": score.start_s,
        "end_s": score.end_s,
        "overall": score.overall,
        "shape": score.shape,
        "pressure": score.pressure,
        "tempo": score.tempo,
        "smoothness": score.smoothness,
        "deductions": json.dumps([d.to_dict() for d in score.deductions], sort_keys=True),
        "flags": json.dumps(list(score.flags)),
        "details": json.dumps(score.details, sort_keys=True),
        "path": _encode_path(score.path),
    }


def _attempt_from_row(row: Sequence[Any]) -> AttemptRecord:
    (aid, sid, idx, start, end, overall, shape, pressure, tempo, smooth, deductions, flags,
     details, path, technique, ref_name, ref_hash) = row  # fmt: skip
    try:
        items = json.loads(deductions)
        score = StrokeScore(
            start_s=float(start),
            end_s=float(end),
            overall=float(overall),
            shape=shape,
            pressure=pressure,
            tempo=tempo,
            smoothness=smooth,
            deductions=tuple(
                Deduction(str(d["code"]), str(d["message"]), float(d["points"])) for d in items
            ),
            flags=tuple(str(f) for f in json.loads(flags)),
            technique=technique,
            details={str(k): float(v) for k, v in json.loads(details).items()},
            path=_decode_path(path),
        )
    except (ValueError, TypeError, KeyError, AttributeError) as err:
        raise StoreError(f"attempt {aid} is corrupt in the database: {err}") from None
    return AttemptRecord(aid, sid, idx, score, technique, ref_name, ref_hash)


def _session_from_row(row: Sequence[Any], home: Path) -> SessionRecord:
    (sid, user, role, started, ended, glove, source, technique, ref_name, ref_hash, mode,
     capture, state, samples, duration, deleted, n, mean, best) = row  # fmt: skip
    return SessionRecord(
        id=sid,
        user=user,
        role=role,
        started_at=datetime.fromisoformat(started),
        ended_at=_parse_time(ended),
        glove=glove,
        source=source,
        technique=technique,
        reference_name=ref_name,
        reference_hash=ref_hash,
        feedback_mode=mode,
        capture=home / capture,
        state=state,
        samples=int(samples),
        duration_s=float(duration),
        deleted=deleted is not None,
        attempts=int(n),
        mean_overall=None if mean is None else float(mean),
        best_overall=None if best is None else float(best),
    )


def _writer_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _writer_alive(writer: str) -> bool:
    """Whether the program that was recording a session still runs (on this host)."""
    host, _, pid = writer.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's (or an unknown) writer: it is not writing here
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


class Store:
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

    def __init__(self, home: Path | None = None, *, readonly: bool = False) -> None:
        self.home = Path(home) if home is not None else data_home()
        self.path = self.home / DATABASE_FILE
        self.readonly = readonly
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._closed = False
        self._writer: concurrent.futures.ThreadPoolExecutor | None = None
        self._write_conn: sqlite3.Connection | None = None
        if readonly:
            if self.path.exists():
                self._check_version(self._reader())
            return
        self.home.mkdir(parents=True, exist_ok=True)
        self._writer = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="store-writer")
        try:
            self._run(self._open_writer)
            self.recovered = self._run(self._recover)
        except BaseException:
            self.close()
            raise

    # -- connections -------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=10.0, check_same_thread=False)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA busy_timeout = 10000")
        except sqlite3.Error as err:
            raise self._error(err) from None
        return conn

    def _error(self, err: BaseException) -> StoreError:
        return StoreError(
            f"{self.path}: {err}; the database is unreadable (move it aside to start a "
            "new one: captures and references are kept outside it)"
        )

    def _check_version(self, conn: sqlite3.Connection) -> int:
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as err:
            raise self._error(err) from None
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: database schema {version} is newer than this program's "
                f"({SCHEMA_VERSION}); update massage-trainer"
            )
        return version

    def _open_writer(self) -> None:
        conn = self._connect()
        self._write_conn = conn
        try:
            version = self._check_version(conn)
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"{self.path}: cannot switch the database to WAL mode")
            conn.execute("PRAGMA synchronous = FULL")
            if version < SCHEMA_VERSION:
                self._migrate(conn, version)
            problem = conn.execute("PRAGMA quick_check").fetchone()[0]
            if problem != "ok":
                raise StoreError(f"{self.path}: database is corrupt ({problem})")
        except sqlite3.Error as err:
            raise self._error(err) from None

    def _migrate(self, conn: sqlite3.Connection, version: int) -> None:
        has_data = version > 0
        if has_data:
            backup = self.path.with_name(f"{self.path.name}.v{version}.bak")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            shutil.copy2(self.path, backup)
        # executescript commits first; run each step's statements inside one transaction.
        conn.isolation_level = None
        try:
            conn.execute("BEGIN IMMEDIATE")
            for step in range(version, SCHEMA_VERSION):
                for statement in _statements(_MIGRATIONS[step]):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            conn.isolation_level = ""

    def _reader(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError("the store is closed")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self.readonly and not self.path.exists():
                conn = sqlite3.connect(":memory:", check_same_thread=False)
                for statement in (s for m in _MIGRATIONS for s in _statements(m)):
                    conn.execute(statement)
            else:
                conn = self._connect()
                conn.execute("PRAGMA query_only = ON")
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        conn = self._reader()
        try:
            yield conn
        except sqlite3.Error as err:
            raise self._error(err) from None

    def close(self) -> None:
        """Finish pending writes and close every connection. Idempotent."""
        if self._writer is not None:
            if self._write_conn is not None:
                try:
                    self._writer.submit(self._write_conn.close).result()
                except Exception:  # closing must not raise
                    pass
            self._writer.shutdown(wait=True)
            self._writer = None
            self._write_conn = None
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
        self._closed = True

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the writer thread -------------------------------------------------------------

    def submit(self, job: Callable[[sqlite3.Connection], T]) -> concurrent.futures.Future[T]:
        """Run ``job(connection)`` on the writer thread, in one transaction.

        Returns at once; the future holds the job's result or its error
        (``sqlite3.Error`` turned into :class:`~trainer.exceptions.StoreError`).

        Raises
        ------
        StoreError
            If the store is read-only or closed.
        """
        if self._writer is None:
            raise StoreError("the store is read-only or closed")

        def transaction() -> T:
            conn = self._write_conn
            assert conn is not None
            try:
                with conn:  # commits, or rolls back on any error
                    return job(conn)
            except sqlite3.Error as err:
                raise self._error(err) from None

        return self._writer.submit(transaction)

    def _run(self, fn: Callable[[], T]) -> T:
        assert self._writer is not None
        return self._writer.submit(fn).result()

    def _write(self, job: Callable[[sqlite3.Connection], T]) -> T:
        return self.submit(job).result()

    # -- recovery ----------------------------------------------------------------------

    def _recover(self) -> list[int]:
        """Close sessions whose recording program died: state, end time, sample count."""
        from sensors.capture import read_capture
        from sensors.exceptions import CaptureError

        conn = self._write_conn
        assert conn is not None
        rows = conn.execute(
            "SELECT id, writer, capture, started_at FROM sessions WHERE state = 'recording'"
        ).fetchall()
        recovered = []
        for sid, writer, capture, started in rows:
            if _writer_alive(writer):
                continue  # a running program (maybe this one) is still recording it
            samples, duration = 0, 0.0
            try:
                cap = read_capture(self.home / capture)
                samples, duration = cap.n_samples, cap.duration_s
            except (CaptureError, OSError):
                pass  # nothing readable was recorded; the attempts are still kept
            ended = datetime.fromisoformat(started).timestamp() + duration
            with conn:
                conn.execute(
                    "UPDATE sessions SET state = 'interrupted', samples = ?, duration_s = ?, "
                    "ended_at = ? WHERE id = ?",
                    (
                        samples,
                        duration,
                        datetime.fromtimestamp(ended, UTC).isoformat(timespec="milliseconds"),
                        sid,
                    ),
                )
            recovered.append(int(sid))
        self._settle_imports(conn)
        return recovered

    def _settle_imports(self, conn: sqlite3.Connection) -> None:
        """Finish or undo pack imports that a killed program left half done.

        An import writes each capture as ``<name>.importing`` and renames it once its
        rows are committed: a row whose capture is still ``.importing`` gets it renamed
        now; an ``.importing`` file without a row is a copy of what is still in the pack,
        and is removed.
        """
        folder = self.home / "sessions"
        if not folder.is_dir():
            return
        for partial in folder.rglob(f"*{IMPORTING_SUFFIX}"):
            final = partial.with_name(partial.name.removesuffix(IMPORTING_SUFFIX))
            row = conn.execute(
                "SELECT 1 FROM sessions WHERE capture = ?", (_relative(final, self.home),)
            ).fetchone()
            try:
                if row is not None and not final.exists():
                    partial.replace(final)
                else:
                    partial.unlink()
            except OSError as err:
                _log.warning("could not settle %s: %s", partial, err)

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
                (name, role, _now()),
            )
            return int(cur.lastrowid or 0)

        return self._write(job)

    def add_reference(self, reference: Reference) -> str:
        """Keep a copy of ``reference`` (by content hash); return the hash."""
        data = encode_reference(reference)
        digest = content_hash(data)

        def job(conn: sqlite3.Connection) -> str:
            conn.execute(
                _INSERT_REFERENCE, (digest, reference.name, reference.technique, _now(), data)
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
        """
        user_id = self.ensure_user(user)
        ref_hash = self.add_reference(reference) if reference is not None else None
        started = (started_at or datetime.now(UTC)).astimezone(UTC)
        relative = _relative(capture, self.home)

        def job(conn: sqlite3.Connection) -> int:
            cur = conn.execute(
                "INSERT INTO sessions (user_id, started_at, glove, source, technique, "
                "reference_name, reference_hash, feedback_mode, capture, state, writer) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'recording', ?)",
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
                    _writer_id(),
                ),
            )
            return int(cur.lastrowid or 0)

        return self._write(job)

    def submit_attempt(
        self, session_id: int, index: int, score: StrokeScore
    ) -> concurrent.futures.Future[int]:
        """Store a scored stroke without waiting (committed on its own); future of its id."""
        row = _score_row(score)

        def job(conn: sqlite3.Connection) -> int:
            cur = conn.execute(_INSERT_ATTEMPT, {**row, "session_id": session_id, "idx": index})
            return int(cur.lastrowid or 0)

        return self.submit(job)

    def add_attempt(self, session_id: int, index: int, score: StrokeScore) -> int:
        """Store a scored stroke and wait for the commit; return the attempt id."""
        return self.submit_attempt(session_id, index, score).result()

    def end_session(self, session_id: int, *, samples: int, duration_s: float) -> None:
        """Mark a session finished, with its capture's sample count and duration."""
        if not math.isfinite(duration_s):
            duration_s = 0.0

        def job(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE sessions SET state = 'finished', ended_at = ?, samples = ?, "
                "duration_s = ? WHERE id = ?",
                (_now(), int(samples), float(duration_s), session_id),
            )

        self._write(job)

    def import_sessions(
        self,
        sessions: Sequence[tuple[dict[str, Any], Path, Sequence[tuple[int, StrokeScore]]]],
        references: Sequence[Reference] = (),
    ) -> list[int | None]:
        """Insert whole sessions (from a pack) in one transaction: all or nothing.

        Parameters
        ----------
        sessions : sequence of (dict, Path, sequence of (int, StrokeScore))
            Each session's fields (as in :meth:`SessionRecord.to_dict`, with
            ``reference``), its capture (already in the data home) and its attempts.
        references : sequence of Reference
            References the sessions were scored against (kept by content hash).

        Returns
        -------
        list of int or None
            The new session ids; ``None`` for a session already in the store (same
            user, start time and technique), which is left as it is.
        """
        blobs = [(content_hash(d := encode_reference(r)), r, d) for r in references]
        rows = [(meta, _relative(path, self.home), attempts) for meta, path, attempts in sessions]

        def job(conn: sqlite3.Connection) -> list[int | None]:
            for digest, ref, data in blobs:
                conn.execute(_INSERT_REFERENCE, (digest, ref.name, ref.technique, _now(), data))
            ids: list[int | None] = []
            for meta, capture, attempts in rows:
                user = str(meta["user"])
                twin = conn.execute(
                    "SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id WHERE "
                    "u.name = ? AND s.started_at = ? AND s.technique = ?",
                    (user, meta["started_at"], meta["technique"]),
                ).fetchone()
                if twin is not None:  # imported before (or recorded here): keep one
                    ids.append(None)
                    continue
                conn.execute(
                    "INSERT OR IGNORE INTO users (name, role, created_at) VALUES (?, ?, ?)",
                    (user, meta.get("role", "student"), _now()),
                )
                (user_id,) = conn.execute("SELECT id FROM users WHERE name = ?", (user,)).fetchone()
                state = meta.get("state", "finished")
                cur = conn.execute(
                    "INSERT INTO sessions (user_id, started_at, ended_at, glove, source, "
                    "technique, reference_name, reference_hash, feedback_mode, capture, state,"
                    " samples, duration_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    ),
                )
                sid = int(cur.lastrowid or 0)
                for index, score in attempts:
                    conn.execute(
                        _INSERT_ATTEMPT, {**_score_row(score), "session_id": sid, "idx": index}
                    )
                ids.append(sid)
            return ids

        return self._write(job)

    def delete_session(self, session_id: int) -> None:
        """Soft-delete a session (hidden from history; :meth:`restore_session` undoes it).

        Raises
        ------
        StoreError
            Unknown session.
        """
        self._set_deleted(session_id, _now())

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
        sql = (
            f"SELECT {_SESSION_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id "
            f"WHERE {' AND '.join(where)} ORDER BY s.started_at, s.id"
        )
        with self._reading() as conn:
            rows = conn.execute(sql, args).fetchall()
        return [_session_from_row(r, self.home) for r in rows]

    def component_means(self, session_ids: Sequence[int]) -> dict[int, dict[str, float | None]]:
        """Return each session's mean overall and component scores (for progress plots).

        Parameters
        ----------
        session_ids : sequence of int
            Sessions to summarise.

        Returns
        -------
        dict
            ``{session id: {"overall", "shape", "pressure", "tempo", "smoothness"}}``,
            ``None`` where no attempt has the component (sessions without attempts
            are left out).
        """
        ids = [int(i) for i in session_ids]
        out: dict[int, dict[str, float | None]] = {}
        with self._reading() as conn:
            for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    "SELECT session_id, AVG(overall), AVG(shape), AVG(pressure), AVG(tempo), "
                    f"AVG(smoothness) FROM attempts WHERE session_id IN ({marks}) "
                    "GROUP BY session_id",
                    chunk,
                ).fetchall()
                for sid, *means in rows:
                    keys = ("overall", "shape", "pressure", "tempo", "smoothness")
                    out[int(sid)] = {
                        k: None if m is None else float(m) for k, m in zip(keys, means, strict=True)
                    }
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
                f"SELECT {_SESSION_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id "
                "WHERE s.id = ?",
                (session_id,),
            ).fetchone()
        if row is None:
            raise StoreError(f"no session {session_id} (see `massage-trainer history`)")
        return _session_from_row(row, self.home)

    def attempts(self, session_id: int) -> list[AttemptRecord]:
        """Return a session's attempts in stroke order."""
        with self._reading() as conn:
            rows = conn.execute(
                f"SELECT {_ATTEMPT_COLUMNS} FROM attempts a JOIN sessions s "
                "ON s.id = a.session_id WHERE a.session_id = ? ORDER BY a.idx",
                (session_id,),
            ).fetchall()
        return [_attempt_from_row(r) for r in rows]

    def attempt(self, attempt_id: int) -> AttemptRecord:
        """Return one attempt.

        Raises
        ------
        StoreError
            Unknown attempt.
        """
        with self._reading() as conn:
            row = conn.execute(
                f"SELECT {_ATTEMPT_COLUMNS} FROM attempts a JOIN sessions s "
                "ON s.id = a.session_id WHERE a.id = ?",
                (attempt_id,),
            ).fetchone()
        if row is None:
            raise StoreError(f"no attempt {attempt_id} (see `massage-trainer history`)")
        return _attempt_from_row(row)

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

    def integrity_check(self) -> str:
        """Run ``PRAGMA integrity_check``; ``"ok"`` when the database is sound."""
        with self._reading() as conn:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        return "; ".join(str(r[0]) for r in rows)

    def schema_version(self) -> int:
        """Return the database's schema version (``PRAGMA user_version``)."""
        with self._reading() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _relative(path: Path, home: Path) -> str:
    try:
        return Path(path).resolve().relative_to(home.resolve()).as_posix()
    except ValueError:
        raise StoreError(f"capture {path} is outside the data directory {home}") from None


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
