"""Schema versions and migrations (trainer.store.schema)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from trainer.exceptions import StoreError
from trainer.store.database import (
    DATABASE_FILE,
    SCHEMA_VERSION,
    Store,
)


def test_database_from_a_newer_program_is_refused(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / DATABASE_FILE)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this program"):
        Store(tmp_path)


# A version-1 database as the first release wrote it, by hand (not by the migration code).
_V1_SCHEMA = """
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('student', 'instructor')), created_at TEXT NOT NULL);
CREATE TABLE sessions (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
    started_at TEXT NOT NULL, ended_at TEXT, glove TEXT NOT NULL, source TEXT NOT NULL,
    technique TEXT NOT NULL, reference_name TEXT NOT NULL, feedback_mode TEXT NOT NULL,
    capture TEXT NOT NULL);
CREATE TABLE attempts (id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL, start_s REAL NOT NULL, end_s REAL NOT NULL, overall REAL NOT NULL,
    shape REAL, pressure REAL, tempo REAL, smoothness REAL, deductions TEXT NOT NULL,
    UNIQUE (session_id, idx));
INSERT INTO users VALUES (1, 'ana', 'instructor', '2026-02-01T09:00:00+00:00');
INSERT INTO sessions VALUES (1, 1, '2026-02-01T09:00:00+00:00', '2026-02-01T09:05:00+00:00',
    'reference-glove', 'sim:effleurage', 'effleurage', 'effleurage-starter', 'every',
    'sessions/2026/02/old.mtcap');
INSERT INTO attempts VALUES (1, 1, 0, 1.5, 2.3, 87.5, 90.0, 85.0, 88.0, 86.0,
    '[{"code": "rushed", "message": "rushed: 80% of the reference duration", "points": 12.5}]');
PRAGMA user_version = 1;
"""


def test_version_1_database_is_upgraded_with_its_data_and_a_backup(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / DATABASE_FILE)
    conn.executescript(_V1_SCHEMA)
    conn.close()
    with Store(tmp_path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        (session,) = store.sessions()
        assert (session.user, session.role, session.technique) == (
            "ana",
            "instructor",
            "effleurage",
        )
        assert session.state == "finished" and not session.deleted
        assert session.reference_hash is None  # unknown for old sessions
        (attempt,) = store.attempts(session.id)
        assert attempt.score.overall == 87.5 and attempt.score.path is None
        assert attempt.score.deductions[0].code == "rushed"
        assert attempt.score.flags == () and attempt.score.details == {}
        # New features work on the upgraded database.
        store.delete_session(session.id)
        assert store.sessions() == []
        assert store.integrity_check() == "ok"
    backup = tmp_path / f"{DATABASE_FILE}.v1.bak"
    old = sqlite3.connect(backup)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    old.close()
