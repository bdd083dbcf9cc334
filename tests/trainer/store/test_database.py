from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from trainer.exceptions import StoreError
from trainer.scoring.model import Deduction, StrokeScore
from trainer.store.database import (
    DATABASE_FILE,
    SCHEMA_VERSION,
    Store,
    content_hash,
    parse_since,
)
from trainer.store.references import ReferenceLibrary, encode_reference


def _score(start: float, overall: float = 90.0, path_len: int = 5) -> StrokeScore:
    return StrokeScore(
        start_s=start,
        end_s=start + 1.0,
        overall=overall,
        shape=95.0,
        pressure=None,
        tempo=90.0,
        smoothness=88.5,
        deductions=(Deduction("too_light_end", "too light at the end", 100.0 - overall),),
        flags=("clipped:thumb",),
        technique="effleurage",
        details={"tam": 0.25},
        path=np.column_stack([np.arange(path_len), np.arange(path_len)]),
    )


def _session(store: Store, technique: str = "effleurage", **kw) -> int:
    capture = store.home / "sessions" / f"{technique}-{datetime.now(UTC).timestamp()}.mtcap"
    capture.parent.mkdir(parents=True, exist_ok=True)
    return store.begin_session(
        technique=technique,
        reference=kw.pop("reference", None),
        reference_name=f"{technique}-starter",
        glove="reference-glove",
        source=f"sim:{technique}",
        feedback_mode="every",
        capture=capture,
        **kw,
    )


def test_new_database_is_wal_with_foreign_keys_and_current_schema(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        assert store.path == tmp_path / DATABASE_FILE
        assert store.schema_version() == SCHEMA_VERSION
        assert store.integrity_check() == "ok"
    conn = sqlite3.connect(tmp_path / DATABASE_FILE)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_attempts_round_trip_with_path_and_deductions(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        sid = _session(store)
        ids = [store.add_attempt(sid, i, _score(2.0 * i, 80.0 + i)) for i in range(3)]
        store.end_session(sid, samples=1200, duration_s=6.0)
        session = store.session(sid)
        assert session.state == "finished" and session.samples == 1200
        assert session.attempts == 3 and session.best_overall == 82.0
        assert session.mean_overall == pytest.approx(81.0)
        back = store.attempt(ids[1])
        assert back.index == 1 and back.session_id == sid
        original = _score(2.0, 81.0)
        assert back.score == original  # path is compared separately (not in __eq__)
        np.testing.assert_array_equal(back.score.path, original.path)
        assert [a.id for a in store.attempts(sid)] == ids


def test_sessions_filter_by_technique_since_and_user(tmp_path: Path) -> None:
    old = datetime(2026, 1, 5, 10, tzinfo=UTC)
    with Store(tmp_path) as store:
        a = _session(store, "effleurage", started_at=old)
        b = _session(store, "friction", user="maria")
        assert [s.id for s in store.sessions()] == [a, b]
        assert [s.id for s in store.sessions(technique="friction")] == [b]
        assert [s.id for s in store.sessions(since=old + timedelta(days=1))] == [b]
        assert [s.id for s in store.sessions(user="maria")] == [b]
        assert store.session(b).user == "maria" and store.session(b).role == "student"


def test_soft_delete_hides_and_restore_brings_back(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        sid = _session(store)
        store.add_attempt(sid, 0, _score(0.0))
        store.delete_session(sid)
        assert store.sessions() == []
        assert [s.id for s in store.sessions(deleted=True)] == [sid]
        assert len(store.attempts(sid)) == 1  # nothing is lost by deleting
        store.restore_session(sid)
        assert [s.id for s in store.sessions()] == [sid]
        with pytest.raises(StoreError, match="no session 999"):
            store.delete_session(999)


def test_reference_is_kept_by_content_hash(tmp_path: Path) -> None:
    ref = ReferenceLibrary().get("effleurage-starter")
    with Store(tmp_path) as store:
        sid = _session(store, reference=ref)
        digest = store.session(sid).reference_hash
        assert digest == content_hash(encode_reference(ref))
        assert encode_reference(store.reference(digest)) == encode_reference(ref)
        with pytest.raises(StoreError, match="no stored reference"):
            store.reference("0" * 64)


def test_unknown_ids_and_bad_since_are_one_line_errors(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        with pytest.raises(StoreError, match="no session 4"):
            store.session(4)
        with pytest.raises(StoreError, match="no attempt 9"):
            store.attempt(9)
    with pytest.raises(StoreError, match="not a date"):
        parse_since("yesterday-ish")
    assert parse_since("2026-03-01T00:00:00+00:00") == datetime(2026, 3, 1, tzinfo=UTC)


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


def test_interrupted_recording_is_marked_on_next_open(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        sid = _session(store)
    # Pretend the writer was another, now dead, process on this host.
    conn = sqlite3.connect(tmp_path / DATABASE_FILE)
    conn.execute("UPDATE sessions SET writer = 'no-such-host:1' WHERE id = ?", (sid,))
    conn.commit()
    conn.close()
    with Store(tmp_path) as store:
        assert store.recovered == [sid]
        assert store.session(sid).state == "interrupted"


def test_our_own_running_recording_is_not_marked_interrupted(tmp_path: Path) -> None:
    with Store(tmp_path) as first:
        sid = _session(first)
        with Store(tmp_path) as second:
            assert second.recovered == []
            assert second.session(sid).state == "recording"


def test_readers_in_other_threads_see_committed_attempts(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        sid = _session(store)
        futures = [store.submit_attempt(sid, i, _score(float(i))) for i in range(50)]
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


def test_readonly_store_reads_and_refuses_writes(tmp_path: Path) -> None:
    with Store(tmp_path, readonly=True) as empty:  # no database yet: reads as empty
        assert empty.sessions() == []
    assert not (tmp_path / DATABASE_FILE).exists()
    with Store(tmp_path) as store:
        sid = _session(store)
    with Store(tmp_path, readonly=True) as ro:
        assert [s.id for s in ro.sessions()] == [sid]
        with pytest.raises(StoreError, match="read-only"):
            ro.delete_session(sid)
