"""Schema 5: sessions record their kind (practice or probe) and the surface massaged."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from trainer.exceptions import StoreError
from trainer.store.database import DATABASE_FILE, SCHEMA_VERSION, Store
from trainer.store.progress import check_surface

# A version-4 database as schemas 1-4 left it, written by hand (not by the migrations).
_V4 = """
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
CREATE TABLE ratings (id INTEGER PRIMARY KEY,
    attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
    rater TEXT NOT NULL CHECK (length(rater) BETWEEN 1 AND 100),
    rating REAL NOT NULL CHECK (rating >= 0 AND rating <= 10),
    tags TEXT NOT NULL DEFAULT '[]', note TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL);
CREATE INDEX ratings_by_attempt ON ratings (attempt_id, rater);
CREATE INDEX ratings_by_rater ON ratings (rater, created_at);
INSERT INTO users VALUES (1, 'ana', 'student', '2026-02-01T09:00:00+00:00');
INSERT INTO sessions (id, user_id, started_at, ended_at, glove, source, technique,
    reference_name, feedback_mode, capture) VALUES (1, 1, '2026-02-01T09:00:00+00:00',
    '2026-02-01T09:05:00+00:00', 'reference-glove', 'sim:effleurage', 'effleurage',
    'effleurage-starter', 'every_n:3', 'sessions/2026/02/old.mtcap');
INSERT INTO attempts (id, session_id, idx, start_s, end_s, overall, deductions)
    VALUES (1, 1, 0, 1.5, 2.3, 87.5, '[]');
INSERT INTO attempt_components VALUES (1, 'shape', 90.0);
INSERT INTO ratings VALUES (1, 1, 'bo', 7.5, '[]', '', '2026-02-02T09:00:00+00:00');
PRAGMA user_version = 4;
"""


def test_version_4_database_is_upgraded_every_session_a_practice(tmp_path: Path) -> None:
    assert SCHEMA_VERSION == 5
    conn = sqlite3.connect(tmp_path / DATABASE_FILE)
    conn.executescript(_V4)
    conn.close()
    with Store(tmp_path) as store:
        assert store.schema_version() == 5
        (session,) = store.sessions()
        assert (session.kind, session.surface, session.feedback_mode) == (
            "practice",
            "",
            "every_n:3",
        )
        assert session.to_dict()["kind"] == "practice"
        assert [a.score.overall for a in store.attempts(1)] == [87.5]
        assert [r.rating for r in store.ratings()] == [7.5]
        assert store.integrity_check() == "ok"
    assert (tmp_path / f"{DATABASE_FILE}.v4.bak").is_file()
    conn = sqlite3.connect(tmp_path / DATABASE_FILE)
    with pytest.raises(sqlite3.IntegrityError):  # the database itself refuses other kinds
        conn.execute("UPDATE sessions SET kind = 'exam' WHERE id = 1")
    conn.close()


def test_kind_and_surface_are_recorded_and_filterable(tmp_path: Path, make_session) -> None:
    with Store(tmp_path) as store:
        pad = make_session(store, surface="pad")
        person = make_session(store, surface=" A  Person ", kind="probe")
        unknown = make_session(store)
        assert [s.id for s in store.sessions(surface="pad")] == [pad]
        (probe,) = store.sessions(surface="a person")
        assert (probe.id, probe.kind, probe.surface) == (person, "probe", "a person")
        assert [s.id for s in store.sessions(surface="")] == [unknown]
        assert len(store.sessions()) == 3
        with pytest.raises(StoreError, match="kind"):
            make_session(store, kind="exam")
        with pytest.raises(StoreError, match="at most 40"):
            make_session(store, surface="x" * 41)
        assert len(store.sessions()) == 3  # nothing written for a refused session


@pytest.mark.parametrize(
    ("text", "normal"),
    [("pad", "pad"), ("Mannequin", "mannequin"), ("  massage   table ", "massage table"),
     ("partner's back (prone)", "partner's back (prone)"), ("", "")],
)  # fmt: skip
def test_surfaces_are_tidied(text: str, normal: str) -> None:
    assert check_surface(text) == normal


@pytest.mark.parametrize("text", ["pad; DROP TABLE", "a\nb", "-pad", "x" * 41, "pad!"])
def test_bad_surfaces_are_refused_in_one_line(text: str) -> None:
    with pytest.raises(StoreError) as err:
        check_surface(text)
    assert "\n" not in str(err.value)
