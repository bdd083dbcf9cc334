"""Crash recovery: sessions whose recording program died, imports a kill left half done.

Part of :mod:`trainer.store.database`; runs on the writer connection when a store opens.
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from trainer.store.records import relative_to_home

__all__ = ["IMPORTING_SUFFIX", "recover", "settle_imports", "writer_alive", "writer_id"]

_log = logging.getLogger("trainer.store.database")

#: Suffix of a capture being imported from a pack (renamed once its rows are committed).
IMPORTING_SUFFIX = ".importing"


def writer_id() -> str:
    """Identify this program as a session's writer (``host:pid``)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def writer_alive(writer: str) -> bool:
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


def recover(conn: sqlite3.Connection, home: Path) -> list[int]:
    """Close sessions whose recording program died: state, end time, sample count."""
    from sensors.capture import read_capture
    from sensors.exceptions import CaptureError

    rows = conn.execute(
        "SELECT id, writer, capture, started_at FROM sessions WHERE state = 'recording'"
    ).fetchall()
    recovered = []
    for sid, writer, capture, started in rows:
        if writer_alive(writer):
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
    settle_imports(conn, home)
    return recovered


def settle_imports(conn: sqlite3.Connection, home: Path) -> None:
    """Finish or undo pack imports that a killed program left half done.

    An import writes each capture as ``<name>.importing`` and renames it once its
    rows are committed: a row whose capture is still ``.importing`` gets it renamed
    now; an ``.importing`` file without a row is a copy of what is still in the pack,
    and is removed.
    """
    folder = home / "sessions"
    if not folder.is_dir():
        return
    for partial in folder.rglob(f"*{IMPORTING_SUFFIX}"):
        final = partial.with_name(partial.name.removesuffix(IMPORTING_SUFFIX))
        row = conn.execute(
            "SELECT 1 FROM sessions WHERE capture = ?", (relative_to_home(final, home),)
        ).fetchone()
        try:
            if row is not None and not final.exists():
                partial.replace(final)
            else:
                partial.unlink()
        except OSError as err:
            _log.warning("could not settle %s: %s", partial, err)
