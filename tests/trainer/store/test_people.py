"""People in the store (issue 20): names, renames, removal, schema 6, packs per student."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from person_sessions import finished_session  # type: ignore[import-not-found]

from trainer.exceptions import StoreError
from trainer.store.database import DATABASE_FILE, SCHEMA_VERSION, Store
from trainer.store.packs import export_pack, import_pack
from trainer.store.people import MAX_NAME, check_person_name
from trainer.store.references import ReferenceLibrary


@pytest.mark.parametrize(
    ("given", "stored"),
    [("  Ana  ", "Ana"), ("Ana   María\tLópez", "Ana María López"), ("Cafe\u0301", "Café")],
)
def test_names_are_trimmed_and_normalised(given: str, stored: str) -> None:
    assert check_person_name(given) == stored


@pytest.mark.parametrize(
    "bad",
    ["", "   ", "x" * (MAX_NAME + 1), "Ana\nBo", "Ana\x00", "a\u202eevil", "a\u2028b", 7],
)
def test_bad_names_are_refused_in_one_line(bad: object) -> None:
    with pytest.raises(StoreError) as err:
        check_person_name(bad)
    assert "\n" not in str(err.value)


def test_names_are_unique_regardless_of_case(tmp_path) -> None:
    with Store(tmp_path) as store:
        ana = store.add_person("Ana", "student")
        with pytest.raises(StoreError, match="already a person called 'Ana'"):
            store.add_person("ANA")
        store.add_person("Bo", "instructor")
        with pytest.raises(StoreError, match="already"):
            store.rename_person("bo", "ana")
        assert store.ensure_user("aNa") == ana.id  # the same person, not a new one
        assert [(p.name, p.role) for p in store.people()] == [
            ("Ana", "student"),
            ("Bo", "instructor"),
        ]


def test_sessions_of_two_people_are_listed_apart(tmp_path, effleurage_capture) -> None:
    with Store(tmp_path) as store:
        a = [finished_session(store, "Ana", effleurage_capture) for _ in range(2)]
        b = finished_session(store, "Bo", effleurage_capture)
        assert [s.id for s in store.sessions(user="Ana")] == a
        assert [s.id for s in store.sessions(user="bo")] == [b]  # any case
        assert store.sessions(user="Cy") == []
        assert len(store.sessions()) == 3


def test_a_rename_shows_everywhere(tmp_path, effleurage_capture) -> None:
    with Store(tmp_path) as store:
        sid = finished_session(store, "Ana", effleurage_capture)
        store.rename_person("ana", "Ana Lopez")
        assert store.session(sid).user == "Ana Lopez"
        assert [s.id for s in store.sessions(user="Ana Lopez")] == [sid]
        assert store.sessions(user="Ana") == []
        out = tmp_path / "ana.mtpack"
        export_pack(out, store=store, sessions=[sid])
    with zipfile.ZipFile(out) as zf:
        (carried,) = json.loads(zf.read("pack.json"))["sessions"]
    assert carried["user"] == "Ana Lopez" and len(carried["user_uid"]) == 32


def test_removing_a_person_with_sessions_needs_the_flag(tmp_path, effleurage_capture) -> None:
    with Store(tmp_path) as store:
        sid = finished_session(store, "Ana", effleurage_capture)
        hidden = finished_session(store, "Ana", effleurage_capture)
        store.delete_session(hidden)
        capture = store.session(sid).capture
        with pytest.raises(StoreError, match=r"2 session.*1 of them deleted.*--delete-sessions"):
            store.remove_person("Ana")
        assert store.session(sid).user == "Ana" and capture.is_file()  # nothing removed
        store.add_person("Bo")
        assert store.remove_person("bo")[0].name == "Bo"  # no sessions: no flag needed
        removed, left = store.remove_person("ana", delete_sessions=True)
        assert (removed.sessions, left) == (2, 0)
        assert store.people() == [] and store.sessions(deleted=True) == []
        assert not capture.exists()
        with pytest.raises(StoreError, match="no person called 'Ana'"):
            store.remove_person("Ana")


# The schema-5 database of a program from before people: one session as "student".
_V5 = """
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('student', 'instructor')), created_at TEXT NOT NULL);
CREATE TABLE sessions (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
    started_at TEXT NOT NULL, ended_at TEXT, glove TEXT NOT NULL, source TEXT NOT NULL,
    technique TEXT NOT NULL, reference_name TEXT NOT NULL, feedback_mode TEXT NOT NULL,
    capture TEXT NOT NULL, reference_hash TEXT, state TEXT NOT NULL DEFAULT 'finished',
    writer TEXT NOT NULL DEFAULT '', samples INTEGER NOT NULL DEFAULT 0,
    duration_s REAL NOT NULL DEFAULT 0, deleted_at TEXT,
    kind TEXT NOT NULL DEFAULT 'practice', surface TEXT NOT NULL DEFAULT '');
CREATE TABLE attempts (id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL
    REFERENCES sessions(id) ON DELETE CASCADE, idx INTEGER NOT NULL, start_s REAL NOT NULL,
    end_s REAL NOT NULL, overall REAL NOT NULL, shape REAL, pressure REAL, tempo REAL,
    smoothness REAL, deductions TEXT NOT NULL, flags TEXT NOT NULL DEFAULT '[]',
    details TEXT NOT NULL DEFAULT '{}', path BLOB, UNIQUE (session_id, idx));
CREATE TABLE attempt_components (attempt_id INTEGER NOT NULL REFERENCES attempts(id)
    ON DELETE CASCADE, component TEXT NOT NULL, score REAL, PRIMARY KEY (attempt_id, component));
CREATE TABLE reference_blobs (hash TEXT PRIMARY KEY, name TEXT NOT NULL,
    technique TEXT NOT NULL, created_at TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE ratings (id INTEGER PRIMARY KEY, attempt_id INTEGER NOT NULL
    REFERENCES attempts(id) ON DELETE CASCADE, rater TEXT NOT NULL, rating REAL NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]', note TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL);
INSERT INTO users VALUES (1, 'student', 'student', '2026-02-01T09:00:00+00:00');
INSERT INTO sessions (id, user_id, started_at, glove, source, technique, reference_name,
    feedback_mode, capture) VALUES (1, 1, '2026-02-01T09:05:00+00:00', 'reference-glove',
    'sim:effleurage', 'effleurage', 'effleurage-starter', 'every', 'sessions/old.mtcap');
PRAGMA user_version = 5;
"""


def test_schema_5_keeps_every_session_and_its_student(tmp_path) -> None:
    conn = sqlite3.connect(tmp_path / DATABASE_FILE)
    conn.executescript(_V5)
    conn.close()
    with Store(tmp_path) as store:
        assert store.schema_version() == SCHEMA_VERSION >= 6
        (person,) = store.people()
        assert (person.name, person.role, person.sessions) == ("student", "student", 1)
        assert person.uid is not None and len(person.uid) == 32
        assert [s.id for s in store.sessions(user="student")] == [1]
        # New practice as the default person is filed with the old sessions.
        assert store.ensure_user() == person.id
    assert (tmp_path / f"{DATABASE_FILE}.v5.bak").is_file()


# -- packs --------------------------------------------------------------------------------


def _pack_of(home: Path, user: str, capture: Path, out: Path) -> tuple[Path, int]:
    with Store(home) as store:
        sid = finished_session(store, user, capture)
        export_pack(out, store=store, sessions=[sid], library=ReferenceLibrary(home / "refs"))
    return out, sid


def test_a_students_pack_imports_under_that_student(tmp_path, effleurage_capture) -> None:
    pack, _ = _pack_of(tmp_path / "ana-laptop", "Ana", effleurage_capture, tmp_path / "a.mtpack")
    instructor = tmp_path / "instructor"
    library = ReferenceLibrary(instructor / "refs")
    with Store(instructor) as store:
        store.add_person("Mr Ruiz", "instructor")
        summary = import_pack(pack, store=store, library=library)
        assert summary["people"] == ["Ana"] and summary["placed"] == {}
        (sid,) = summary["sessions"]
        assert store.session(sid).user == "Ana"
        assert [s.id for s in store.sessions(user="Ana")] == [sid]
        assert store.sessions(user="Mr Ruiz") == []
        # Exported from here and imported here again: the same sessions, none added.
        mine = tmp_path / "mine.mtpack"
        export_pack(mine, store=store, sessions=[sid], library=library)
        assert import_pack(mine, store=store, library=library)["skipped"] == 1
        # Imported again (even after a rename here): nothing new, nobody new.
        store.rename_person("Ana", "Ana L")
        again = import_pack(pack, store=store, library=library)
        assert again["sessions"] == [] and again["skipped"] == 1
        assert [p.name for p in store.people()] == ["Ana L", "Mr Ruiz"]


def test_the_same_name_from_two_packs_is_kept_apart_unless_merged(
    tmp_path, effleurage_capture
) -> None:
    one, _ = _pack_of(tmp_path / "laptop1", "Ana", effleurage_capture, tmp_path / "1.mtpack")
    two, _ = _pack_of(tmp_path / "laptop2", "ana", effleurage_capture, tmp_path / "2.mtpack")
    home = tmp_path / "instructor"
    library = ReferenceLibrary(home / "refs")
    with Store(home) as store:
        import_pack(one, store=store, library=library)
        apart = import_pack(two, store=store, library=library)  # the safe default
        assert apart["placed"] == {"ana": "ana (2)"}
        assert [(p.name, p.sessions) for p in store.people()] == [("Ana", 1), ("ana (2)", 1)]
        # A later pack from the second Ana finds her, under her name here.
        later, _ = _pack_of(tmp_path / "laptop2", "ana", effleurage_capture, tmp_path / "3.mtpack")
        import_pack(later, store=store, library=library)
        assert [(p.name, p.sessions) for p in store.people()] == [("Ana", 1), ("ana (2)", 2)]
    merged_home = tmp_path / "merging"
    library = ReferenceLibrary(merged_home / "refs")
    with Store(merged_home) as store:
        import_pack(one, store=store, library=library)
        merged = import_pack(two, store=store, library=library, same_name="merge")
        assert merged["placed"] == {"ana": "Ana"}
        assert [(p.name, p.sessions) for p in store.people()] == [("Ana", 2)]
        with pytest.raises(StoreError, match="same-name"):
            import_pack(two, store=store, library=library, same_name="maybe")


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("user", "Ana\u0007", "control characters"),
        ("user", "", "empty"),
        ("user_uid", "../../etc", "32 hex digits"),
    ],
)
def test_a_pack_with_a_bad_person_is_refused_whole(
    tmp_path, effleurage_capture, field, value, why
) -> None:
    pack, _ = _pack_of(tmp_path / "src", "Ana", effleurage_capture, tmp_path / "a.mtpack")
    with zipfile.ZipFile(pack) as zf:
        entries = {i.filename: zf.read(i) for i in zf.infolist()}
    manifest = json.loads(entries["pack.json"])
    manifest["sessions"][0][field] = value
    entries["pack.json"] = json.dumps(manifest).encode()
    bad = tmp_path / "bad.mtpack"
    with zipfile.ZipFile(bad, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    with Store(tmp_path / "dst") as store:
        with pytest.raises(StoreError, match=why) as err:
            import_pack(bad, store=store, library=ReferenceLibrary(tmp_path / "dst" / "refs"))
        assert "\n" not in str(err.value)
        assert store.people() == [] and store.sessions() == []
    assert not list((tmp_path / "dst").glob("sessions/**/*.mtcap"))


def test_a_person_whose_session_is_recording_is_not_removed(tmp_path) -> None:
    with Store(tmp_path) as store:
        capture = tmp_path / "sessions" / "live.mtcap"
        capture.parent.mkdir(parents=True)
        capture.write_bytes(b"")
        sid = store.begin_session(
            technique="effleurage",
            reference=None,
            reference_name="effleurage-starter",
            glove="reference-glove",
            source="sim:effleurage",
            feedback_mode="every",
            capture=capture,
            user="Ana",
        )
        with pytest.raises(StoreError, match=f"session {sid} is being recorded"):
            store.remove_person("Ana", delete_sessions=True)
        assert capture.exists() and store.session(sid).user == "Ana"
