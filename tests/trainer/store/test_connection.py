"""Connections, the writer thread and read-only stores (trainer.store.connection)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from trainer.exceptions import StoreError
from trainer.store.database import (
    DATABASE_FILE,
    SCHEMA_VERSION,
    Store,
)
from trainer.store.references import ReferenceLibrary


def test_new_database_is_wal_with_foreign_keys_and_current_schema(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        assert store.path == tmp_path / DATABASE_FILE
        assert store.schema_version() == SCHEMA_VERSION
        assert store.integrity_check() == "ok"
    conn = sqlite3.connect(tmp_path / DATABASE_FILE)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_corrupt_database_is_a_one_line_error_and_other_data_stays_usable(
    tmp_path: Path,
) -> None:
    (tmp_path / DATABASE_FILE).write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError) as info:
        Store(tmp_path)
    message = str(info.value)
    assert "\n" not in message and "unreadable" in message and DATABASE_FILE in message
    with pytest.raises(StoreError):
        Store(tmp_path, readonly=True)
    # The references (kept outside the database) still load.
    assert ReferenceLibrary().get("friction-starter").technique == "friction"


def test_readers_in_other_threads_see_committed_attempts(
    tmp_path: Path, make_score: Callable[..., Any], make_session: Callable[..., Any]
) -> None:
    with Store(tmp_path) as store:
        sid = make_session(store)
        futures = [store.submit_attempt(sid, i, make_score(float(i))) for i in range(50)]
        seen: list[int] = []

        def read() -> None:
            for _ in range(20):
                seen.append(len(store.attempts(sid)))

        threads = [threading.Thread(target=read) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for f in futures:
            f.result()
        assert all(0 <= n <= 50 for n in seen)
        assert len(store.attempts(sid)) == 50


def test_readonly_store_reads_and_refuses_writes(
    tmp_path: Path, make_session: Callable[..., Any]
) -> None:
    with Store(tmp_path, readonly=True) as empty:  # no database yet: reads as empty
        assert empty.sessions() == []
    assert not (tmp_path / DATABASE_FILE).exists()
    with Store(tmp_path) as store:
        sid = make_session(store)
    with Store(tmp_path, readonly=True) as ro:
        assert [s.id for s in ro.sessions()] == [sid]
        with pytest.raises(StoreError, match="read-only"):
            ro.delete_session(sid)


@pytest.mark.parametrize(
    ("error", "says", "never"),
    [
        (
            sqlite3.IntegrityError("FOREIGN KEY constraint failed"),
            "nothing was written",
            "unreadable",
        ),
        (sqlite3.OperationalError("database is locked"), "try again", "unreadable"),
        (sqlite3.OperationalError("unable to open database file"), "permissions", "unreadable"),
        (
            sqlite3.OperationalError("attempt to write a readonly database"),
            "permissions",
            "unreadable",
        ),
        (sqlite3.DatabaseError("file is not a database"), "unreadable", "try again"),
    ],
)
def test_database_errors_say_what_happened(tmp_path: Path, error, says: str, never: str) -> None:
    # Issue 17, defect 3: every sqlite3 error said "unreadable (move it aside ...)", and a
    # user who followed it set aside a healthy database with all their history.
    with Store(tmp_path) as store:
        text = str(store._error(error))
    assert says in text and never not in text and "\n" not in text
