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
from trainer.store.schema import upgrade


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


# Version 2 as schema 2 left it: version 1 plus the 1 -> 2 additions, by hand.
_V2_ADDITIONS = """
CREATE TABLE reference_blobs (hash TEXT PRIMARY KEY, name TEXT NOT NULL,
    technique TEXT NOT NULL, created_at TEXT NOT NULL, data BLOB NOT NULL);
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
INSERT INTO attempts (id, session_id, idx, start_s, end_s, overall, shape, pressure, tempo,
    smoothness, deductions, flags, details) VALUES
    (2, 1, 1, 3.0, 4.1, 71.0, 60.5, NULL, 75.0, 80.25, '[]', '["clipped:thumb"]', '{}'),
    (3, 1, 2, 5.0, 6.0, 100.0, 100.0, 100.0, 100.0, 100.0, '[]', '[]', '{"tam": 0.5}');
PRAGMA user_version = 2;
"""
_V2_SCORES = {  # attempt id: (shape, pressure, tempo, smoothness) as written above
    1: (90.0, 85.0, 88.0, 86.0),
    2: (60.5, None, 75.0, 80.25),
    3: (100.0, 100.0, 100.0, 100.0),
}


def _v2_database(home: Path) -> None:
    conn = sqlite3.connect(home / DATABASE_FILE)
    conn.executescript(_V1_SCHEMA.replace("PRAGMA user_version = 1;", "") + _V2_ADDITIONS)
    conn.close()


def test_version_2_database_keeps_every_attempts_four_scores(tmp_path: Path) -> None:
    _v2_database(tmp_path)
    names = ("shape", "pressure", "tempo", "smoothness")
    with Store(tmp_path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        attempts = store.attempts(1)
        assert [a.id for a in attempts] == [1, 2, 3]
        for attempt in attempts:
            expected = dict(zip(names, _V2_SCORES[attempt.id], strict=True))
            assert attempt.components == expected  # None stays "not scored"
            assert list(attempt.components) == list(names)
            assert {n: getattr(attempt.score, n) for n in names} == expected
            assert attempt.to_dict()["pressure"] == expected["pressure"]
        means = store.component_means([1])[1]
        assert means["pressure"] == pytest.approx((85.0 + 100.0) / 2)  # NULL left out
        assert means["shape"] == pytest.approx((90.0 + 60.5 + 100.0) / 3)
        assert store.integrity_check() == "ok"
    assert (tmp_path / f"{DATABASE_FILE}.v2.bak").is_file()
    conn = sqlite3.connect(tmp_path / DATABASE_FILE)
    rows = conn.execute("SELECT COUNT(*) FROM attempt_components").fetchone()[0]
    assert rows == 4 * len(_V2_SCORES)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()


def test_readonly_store_reads_an_older_database_without_changing_it(tmp_path: Path) -> None:
    _v2_database(tmp_path)
    with Store(tmp_path, readonly=True) as store:
        (session,) = store.sessions()
        assert [a.components["tempo"] for a in store.attempts(session.id)] == [88.0, 75.0, 100.0]
        assert store.schema_version() == SCHEMA_VERSION  # the snapshot it reads
    conn = sqlite3.connect(tmp_path / DATABASE_FILE)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.close()
    assert not (tmp_path / f"{DATABASE_FILE}.v2.bak").exists()


def test_two_programs_creating_a_new_database_at_once_both_succeed(tmp_path: Path) -> None:
    # Both read version 0 before either took the write lock; the second then finds the
    # schema the first created (it used to run the first step again: "table users
    # already exists", reported as an unreadable database).
    with Store(tmp_path):
        pass
    conn = sqlite3.connect(tmp_path / DATABASE_FILE)
    try:
        upgrade(conn, 0)  # what the slower program does with the version it read
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()
    with Store(tmp_path) as store:
        assert store.schema_version() == SCHEMA_VERSION
