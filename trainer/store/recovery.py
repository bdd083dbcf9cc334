"""Crash recovery: sessions whose recording program died, imports a kill left half done.

Part of :mod:`trainer.store.database`; runs on the writer connection when a store opens.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from trainer.store.records import relative_to_home

__all__ = [
    "IMPORTING_SUFFIX",
    "OWNER_SUFFIX",
    "ImportClaim",
    "recover",
    "settle_imports",
    "settle_sessions",
    "settle_sessions_of",
    "writer_alive",
    "writer_id",
]

_log = logging.getLogger("trainer.store.database")

#: Suffix of a capture being imported from a pack (renamed once its rows are committed).
IMPORTING_SUFFIX = ".importing"
#: Suffix of an import's owner record in ``<home>/sessions``: its first line is the
#: importing program (``host:pid``), then one line per ``.importing`` file it writes.
OWNER_SUFFIX = ".import-owner"


def writer_id() -> str:
    """Identify this program as a session's writer (``host:pid``)."""
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"


def writer_alive(writer: str) -> bool:
    """Whether the program that was recording a session still runs (on this host)."""
    import socket

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


def recover(conn: sqlite3.Connection, home: Path) -> list[int]:
    """Close sessions whose recording program died; settle half-done imports.

    Returns
    -------
    list of int
        The sessions marked ``interrupted``.
    """
    recovered = settle_sessions(conn, home)
    settle_imports(conn, home)
    return recovered


def settle_sessions(conn: sqlite3.Connection, home: Path) -> list[int]:
    """Close sessions whose recording program died: state, end time, sample count.

    Only sessions whose writer (``host:pid``) no longer runs are touched; their capture
    and attempts stay as they are (nothing recorded is lost), the row just stops saying
    ``recording``.
    """
    from sensors.capture import read_capture
    from sensors.exceptions import CaptureError

    rows = conn.execute(
        "SELECT id, writer, capture, started_at FROM sessions WHERE state = 'recording'"
    ).fetchall()
    recovered = []
    for sid, writer, capture, started in rows:
        if writer_alive(str(writer or "")):
            continue  # a running program (maybe this one) is still recording it
        samples, duration = 0, 0.0
        try:
            cap = read_capture(home / capture)
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
    return recovered


def settle_sessions_of(database: Path, home: Path) -> list[int]:
    """Settle a database's dead ``recording`` sessions from a reader (best effort).

    A read-only store (``history``, ``replay``) would otherwise list a session whose
    program was killed as ``recording`` until a writer opened the store. This looks
    first with a plain read; only when such a session exists does it open a short-lived
    writing connection. A database that cannot be written here (read-only folder,
    another writer holding the lock) is left for the next writer: nothing is lost.

    Parameters
    ----------
    database : pathlib.Path
        The database file (current schema).
    home : pathlib.Path
        The data home its captures are relative to.

    Returns
    -------
    list of int
        The sessions marked ``interrupted`` (empty if none, or if it could not write).
    """
    try:
        conn = sqlite3.connect(f"{database.as_uri()}?mode=rw", uri=True, timeout=2.0)
    except sqlite3.Error:
        return []
    try:
        rows = conn.execute("SELECT writer FROM sessions WHERE state = 'recording'").fetchall()
        if all(writer_alive(str(w)) for (w,) in rows):
            return []  # the common case: nothing to settle, nothing written
        conn.execute("PRAGMA busy_timeout = 2000")
        return settle_sessions(conn, home)
    except sqlite3.Error as err:
        _log.info("left interrupted sessions of %s for the next writer: %s", database, err)
        return []
    finally:
        conn.close()


def _live_claims(folder: Path) -> tuple[set[str], list[Path]]:
    """Files claimed by imports still running (relative to the home), dead owners' records."""
    claimed: set[str] = set()
    dead: list[Path] = []
    for record in folder.glob(f"*{OWNER_SUFFIX}"):
        try:
            lines = record.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue  # unreadable now (being written, permissions): leave it alone
        if lines and writer_alive(lines[0]):
            claimed.update(line for line in lines[1:] if line)
        else:
            dead.append(record)
    return claimed, dead


def settle_imports(conn: sqlite3.Connection, home: Path) -> None:
    """Finish or undo pack imports that a killed program left half done.

    An import writes each capture as ``<name>.importing`` and renames it once its
    rows are committed: a row whose capture is still ``.importing`` gets it renamed
    now; an ``.importing`` file without a row is a copy of what is still in the pack,
    and is removed. Files of an import that is still running (its owner record names a
    live ``host:pid``, see :class:`ImportClaim`) are left alone: another program opening
    the store must not take a running import's captures away.
    """
    folder = home / "sessions"
    if not folder.is_dir():
        return
    # Partial files first, owner records second: an import lists a file in its record
    # before creating it, so every file seen here is in a record read afterwards.
    partials = list(folder.rglob(f"*{IMPORTING_SUFFIX}"))
    claimed, dead = _live_claims(folder)
    for partial in partials:
        if relative_to_home(partial, home) in claimed:
            continue
        final = partial.with_name(partial.name.removesuffix(IMPORTING_SUFFIX))
        row = conn.execute(
            "SELECT 1 FROM sessions WHERE capture = ?", (relative_to_home(final, home),)
        ).fetchone()
        try:
            if row is not None and not final.exists():
                partial.replace(final)
            else:
                partial.unlink(missing_ok=True)
        except OSError as err:
            _log.warning("could not settle %s: %s", partial, err)
    for record in dead:
        record.unlink(missing_ok=True)


class ImportClaim:
    """An import's owner record: its ``.importing`` files are not settled while it runs.

    The record (``<home>/sessions/<token>.import-owner``) names this program
    (``host:pid``, checked like a recording session's writer) and, one per line, every
    partial file the import writes, each listed *before* it is created. A program
    opening the store meanwhile leaves those files alone; once this program is gone
    (killed), the next store settles them and removes the record.

    Parameters
    ----------
    home : pathlib.Path
        The data home.
    """

    def __init__(self, home: Path) -> None:
        self.home = home
        folder = home / "sessions"
        folder.mkdir(parents=True, exist_ok=True)
        import secrets

        self.path = folder / f"{secrets.token_hex(8)}{OWNER_SUFFIX}"
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o666)
        self._file = os.fdopen(fd, "w", encoding="utf-8")
        self._write(writer_id())

    def _write(self, line: str) -> None:
        self._file.write(line + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def claim(self, partial: Path) -> Path:
        """Record ``partial`` as this import's (call before creating it); return it."""
        self._write(relative_to_home(partial, self.home))
        return partial

    def release(self) -> None:
        """Remove the record (the import committed, or undid its files). Idempotent."""
        if not self._file.closed:
            self._file.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> ImportClaim:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
