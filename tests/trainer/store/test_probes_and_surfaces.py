"""Schema 5: sessions record their kind (practice or probe) and the surface massaged."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hand_made_schemas import TABLES_V4  # type: ignore[import-not-found]

from trainer.exceptions import StoreError
from trainer.store.database import DATABASE_FILE, SCHEMA_VERSION, Store
from trainer.store.progress import check_surface

# A version-4 database as schemas 1-4 left it, written by hand (not by the migrations).
_V4 = (
    TABLES_V4
    + """
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
)


def test_version_4_database_is_upgraded_every_session_a_practice(tmp_path: Path) -> None:
    assert SCHEMA_VERSION >= 5
    conn = sqlite3.connect(tmp_path / DATABASE_FILE)
    conn.executescript(_V4)
    conn.close()
    with Store(tmp_path) as store:
        assert store.schema_version() == SCHEMA_VERSION
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
