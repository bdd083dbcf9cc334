"""The database's connections: one writer thread, one reader per thread, migration on open.

Part of :mod:`trainer.store.database`: :class:`~trainer.store.reads.StoreReads` adds
the reads to this base, and :class:`~trainer.store.database.Store` the writes. Writes go
through one thread that owns the only writing connection; reads use one connection per
calling thread and see committed state only.
"""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self, TypeVar

from trainer.exceptions import StoreError
from trainer.store.paths import data_home
from trainer.store.recovery import recover, settle_sessions_of
from trainer.store.schema import SCHEMA_VERSION, create_schema, migrate, upgrade

__all__ = ["DATABASE_FILE", "Database"]

DATABASE_FILE = "massage-trainer.db"

T = TypeVar("T")


class Database:
    """Connections to the session database of one data home (see ``Store``)."""

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
        # A read-only store of an older schema reads an upgraded in-memory snapshot.
        self._snapshot_of: int | None = None
        self.recovered: list[int] = []
        if readonly:
            if self.path.exists():
                version = self._check_version(self._reader())
                if version < SCHEMA_VERSION:
                    self._snapshot_of = version
                    self._forget_reader()
                else:
                    # A killed program's session stops reading "recording" whenever the
                    # store opens, for readers too (best effort; see settle_sessions_of).
                    self.recovered = settle_sessions_of(self.path, self.home)
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
        """Say what went wrong; "unreadable" only for a database that really is damaged."""
        text = str(err)
        lowered = text.lower()
        if isinstance(err, sqlite3.IntegrityError):
            # A constraint refused what was written (e.g. a bad pack): the database is fine.
            why = "the change was refused and nothing was written; the database is fine"
        elif "locked" in lowered or "busy" in lowered:
            why = (
                "another massage-trainer (or another program) is writing to it; "
                "wait for it to finish and try again"
            )
        elif (
            "unable to open" in lowered or "readonly" in lowered or "read-only" in lowered
        ) and not os.access(self.home, os.W_OK):
            why = (
                "the data home is read-only here: history, replay and export still work, "
                "saving does not"
            )
        elif "unable to open" in lowered or "readonly" in lowered or "read-only" in lowered:
            why = "it cannot be opened or written here: check the folder's permissions"
        else:
            why = (
                "the database is unreadable (move it aside to start a new one: captures "
                "and references are kept outside it)"
            )
        return StoreError(f"{self.path}: {text}; {why}")

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
                migrate(conn, self.path, version)
            problem = conn.execute("PRAGMA quick_check").fetchone()[0]
            if problem != "ok":
                raise StoreError(f"{self.path}: database is corrupt ({problem})")
        except sqlite3.Error as err:
            raise self._error(err) from None

    def _reader(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError("the store is closed")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self.readonly and not self.path.exists():
                conn = sqlite3.connect(":memory:", check_same_thread=False)
                create_schema(conn)
            elif self._snapshot_of is not None:
                conn = self._upgraded_snapshot(self._snapshot_of)
            else:
                conn = self._connect_reader()
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    def _connect_reader(self) -> sqlite3.Connection:
        """Open a reading connection; in a read-only data home too (backups, shares, labs).

        A WAL database needs its ``-shm`` file, which a read-only folder cannot get:
        there SQLite cannot even open it. Then, if no ``-wal`` file holds committed
        pages (the database was closed cleanly), it is opened ``immutable`` (nobody can
        be writing a folder that cannot take a ``-wal``); otherwise the database and its
        ``-wal`` are copied to a temporary folder, read into memory from there (SQLite
        applies the WAL), and the copy removed. A writable store never gets here.
        """
        conn = self._connect()
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as err:
            if (
                not isinstance(err, sqlite3.OperationalError)
                or not self.readonly
                or (os.access(self.home, os.W_OK) and self._writable_files())
            ):
                conn.close()
                raise self._error(err) from None
            conn.close()
            conn = self._read_only_home_reader()
        conn.execute("PRAGMA query_only = ON")
        return conn

    def _writable_files(self) -> bool:
        return all(os.access(p, os.W_OK) for p in (self.path, self._wal) if p.exists())

    @property
    def _wal(self) -> Path:
        return self.path.with_name(self.path.name + "-wal")

    def _read_only_home_reader(self) -> sqlite3.Connection:
        try:
            if not self._wal.exists() or self._wal.stat().st_size == 0:
                conn = sqlite3.connect(
                    f"{self.path.as_uri()}?mode=ro&immutable=1",
                    uri=True,
                    check_same_thread=False,
                )
                conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
                conn.execute("PRAGMA foreign_keys = ON")
                return conn
            with tempfile.TemporaryDirectory(prefix="massage-trainer-ro-") as tmp:
                copy = Path(tmp) / self.path.name
                shutil.copyfile(self.path, copy)
                shutil.copyfile(self._wal, copy.with_name(copy.name + "-wal"))
                source = sqlite3.connect(copy)
                try:
                    snapshot = sqlite3.connect(":memory:", check_same_thread=False)
                    source.backup(snapshot)
                finally:
                    source.close()
            snapshot.execute("PRAGMA foreign_keys = ON")
            return snapshot
        except sqlite3.Error as err:
            raise self._error(err) from None
        except OSError as err:
            raise StoreError(f"{self.path}: cannot read it here: {err}") from None

    def _forget_reader(self) -> None:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            with self._readers_lock:
                self._readers.remove(conn)
            conn.close()

    def _upgraded_snapshot(self, version: int) -> sqlite3.Connection:
        """Copy the database into memory and upgrade the copy (the file is untouched)."""
        source = self._connect()
        try:
            snapshot = sqlite3.connect(":memory:", check_same_thread=False)
            source.backup(snapshot)
            upgrade(snapshot, version)
        except sqlite3.Error as err:
            raise self._error(err) from None
        finally:
            source.close()
        snapshot.execute("PRAGMA foreign_keys = ON")
        snapshot.execute("PRAGMA query_only = ON")
        return snapshot

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

    def __enter__(self) -> Self:
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
        """Close sessions whose recording program died; settle half-done imports."""
        conn = self._write_conn
        assert conn is not None
        return recover(conn, self.home)
