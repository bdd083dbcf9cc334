"""Session databases as earlier schema versions left them, written by hand.

Upgrade tests start from these, not from the migrations themselves: a migration that
changed a released step would otherwise pass its own test. Each test adds its rows.
"""

#: The tables of schema versions 1-3.
TABLES_V3 = """
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('student', 'instructor')), created_at TEXT NOT NULL);
CREATE TABLE reference_blobs (hash TEXT PRIMARY KEY, name TEXT NOT NULL,
    technique TEXT NOT NULL, created_at TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE sessions (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
    started_at TEXT NOT NULL, ended_at TEXT, glove TEXT NOT NULL, source TEXT NOT NULL,
    technique TEXT NOT NULL, reference_name TEXT NOT NULL, feedback_mode TEXT NOT NULL,
    capture TEXT NOT NULL, reference_hash TEXT REFERENCES reference_blobs(hash),
    state TEXT NOT NULL DEFAULT 'finished'
        CHECK (state IN ('recording', 'finished', 'interrupted')),
    writer TEXT NOT NULL DEFAULT '', samples INTEGER NOT NULL DEFAULT 0,
    duration_s REAL NOT NULL DEFAULT 0, deleted_at TEXT);
CREATE TABLE attempts (id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL, start_s REAL NOT NULL, end_s REAL NOT NULL, overall REAL NOT NULL,
    shape REAL, pressure REAL, tempo REAL, smoothness REAL, deductions TEXT NOT NULL,
    flags TEXT NOT NULL DEFAULT '[]', details TEXT NOT NULL DEFAULT '{}', path BLOB,
    UNIQUE (session_id, idx));
CREATE INDEX sessions_by_start ON sessions (started_at);
CREATE INDEX sessions_by_technique ON sessions (technique, started_at);
CREATE TABLE attempt_components (
    attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
    component TEXT NOT NULL, score REAL, PRIMARY KEY (attempt_id, component));
"""

#: Schema 4 added instructors' ratings.
TABLES_V4 = (
    TABLES_V3
    + """CREATE TABLE ratings (id INTEGER PRIMARY KEY,
    attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
    rater TEXT NOT NULL CHECK (length(rater) BETWEEN 1 AND 100),
    rating REAL NOT NULL CHECK (rating >= 0 AND rating <= 10),
    tags TEXT NOT NULL DEFAULT '[]', note TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL);
CREATE INDEX ratings_by_attempt ON ratings (attempt_id, rater);
CREATE INDEX ratings_by_rater ON ratings (rater, created_at);
"""
)
