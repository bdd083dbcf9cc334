"""The session database's schema: its migrations, one per version.

Part of :mod:`trainer.store.database`. The schema version is ``PRAGMA user_version``;
opening an older database upgrades it in one transaction after copying it aside
(``massage-trainer.db.v<N>.bak``).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "create_schema", "migrate", "statements", "upgrade"]

# Each entry upgrades the schema from version i to i + 1. Never edit a released step:
# add a new one (and a test that upgrades a hand-made database of the previous version).
MIGRATIONS: tuple[str, ...] = (
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
    # 2 -> 3: per-component scores as rows, so a new score component needs no schema
    # change; every attempt's four fixed scores are copied (NULL ones too: "not scored").
    # The fixed columns stay for old rows (dropping them means rebuilding the table) but
    # are no longer written nor read: attempt_components is the source of truth.
    """
    CREATE TABLE attempt_components (
        attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
        component TEXT NOT NULL,
        score REAL,
        PRIMARY KEY (attempt_id, component)
    );
    INSERT INTO attempt_components (attempt_id, component, score)
        SELECT id, 'shape', shape FROM attempts ORDER BY id;
    INSERT INTO attempt_components (attempt_id, component, score)
        SELECT id, 'pressure', pressure FROM attempts ORDER BY id;
    INSERT INTO attempt_components (attempt_id, component, score)
        SELECT id, 'tempo', tempo FROM attempts ORDER BY id;
    INSERT INTO attempt_components (attempt_id, component, score)
        SELECT id, 'smoothness', smoothness FROM attempts ORDER BY id;
    """,
    # 3 -> 4: instructors' blind ratings of attempts (issue 14). Several raters per
    # attempt; a re-rating is a new row (test-retest), so no UNIQUE (attempt, rater).
    """
    CREATE TABLE ratings (
        id INTEGER PRIMARY KEY,
        attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
        rater TEXT NOT NULL CHECK (length(rater) BETWEEN 1 AND 100),
        rating REAL NOT NULL CHECK (rating >= 0 AND rating <= 10),
        tags TEXT NOT NULL DEFAULT '[]',
        note TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE INDEX ratings_by_attempt ON ratings (attempt_id, rater);
    CREATE INDEX ratings_by_rater ON ratings (rater, created_at);
    """,
    # 4 -> 5: no-feedback probes and what was massaged (issue 19). Every older session
    # was practice; its surface is unknown ('').
    """
    ALTER TABLE sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'practice'
        CHECK (kind IN ('practice', 'probe'));
    ALTER TABLE sessions ADD COLUMN surface TEXT NOT NULL DEFAULT ''
        CHECK (length(surface) <= 40);
    CREATE INDEX sessions_by_kind ON sessions (technique, kind, started_at);
    """,
    # 5 -> 6: people (issue 20). Each person gets a random identity that packs carry, so
    # an import tells "the same student again" from "another student of the same name".
    # Every existing person (the old default "student" included) stays as they are.
    """
    ALTER TABLE users ADD COLUMN uid TEXT;
    UPDATE users SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL;
    CREATE UNIQUE INDEX users_by_uid ON users (uid);
    CREATE INDEX sessions_by_user ON sessions (user_id, started_at);
    """,
    # 6 -> 7: what each stroke showed the student (issue 19), so dependence on feedback
    # can be measured. Its own table, keyed like attempts by (session, stroke index): the
    # GUI decides it beside the attempt, and a stroke asked about later (F) is updated.
    # Older strokes have no row ("not recorded"). Kept apart from issue 20's step 5 -> 6.
    """
    CREATE TABLE attempt_feedback (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL CHECK (idx >= 0),
        cues INTEGER NOT NULL CHECK (cues IN (0, 1)),
        card INTEGER NOT NULL CHECK (card IN (0, 1)),
        requested INTEGER NOT NULL DEFAULT 0 CHECK (requested IN (0, 1)),
        reason TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 40),
        mode TEXT NOT NULL DEFAULT '' CHECK (length(mode) <= 40),
        PRIMARY KEY (session_id, idx)
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def statements(script: str) -> list[str]:
    """Split a migration script into its statements."""
    return [s.strip() for s in script.split(";") if s.strip()]


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the current schema in an empty database (e.g. an in-memory one)."""
    for statement in (s for m in MIGRATIONS for s in statements(m)):
        conn.execute(statement)


def migrate(conn: sqlite3.Connection, path: Path, version: int) -> None:
    """Upgrade the database at ``path`` (open as ``conn``) from ``version`` to the current.

    A database holding data (``version`` > 0) is first copied to
    ``<name>.v<version>.bak``; every step runs in one transaction.
    """
    has_data = version > 0
    if has_data:
        backup = path.with_name(f"{path.name}.v{version}.bak")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copy2(path, backup)
    upgrade(conn, version)


def upgrade(conn: sqlite3.Connection, version: int) -> None:
    """Run the migrations from ``version`` to the current one in one transaction."""
    # executescript commits first; run each step's statements inside one transaction.
    isolation = conn.isolation_level
    conn.isolation_level = None
    try:
        conn.execute("BEGIN IMMEDIATE")
        # Another program may have upgraded it between our look and the lock (two
        # programs opening a new data home at once): go on from what it holds now.
        version = max(version, int(conn.execute("PRAGMA user_version").fetchone()[0]))
        for step in range(version, SCHEMA_VERSION):
            for statement in statements(MIGRATIONS[step]):
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.isolation_level = isolation
