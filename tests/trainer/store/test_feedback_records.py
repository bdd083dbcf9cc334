"""Schema 7: what each stroke showed the student, kept beside its score.

So dependence on feedback can be measured from the store: which strokes had feedback,
which the student asked about, under which mode.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sensors.profiles import load_profile
from trainer.exceptions import StoreError
from trainer.live.feedback import FeedbackPolicy, StrokeFeedback
from trainer.store.database import DATABASE_FILE, SCHEMA_VERSION, Store
from trainer.store.progress import FeedbackRecord, load_session_scores, progress
from trainer.store.schema import MIGRATIONS, statements
from trainer.store.sessions import SessionRecording


def test_a_version_6_database_keeps_every_session_its_strokes_unrecorded(
    tmp_path: Path,
) -> None:
    assert SCHEMA_VERSION == 7
    conn = sqlite3.connect(tmp_path / DATABASE_FILE)
    for statement in (s for m in MIGRATIONS[:6] for s in statements(m)):
        conn.execute(statement)
    conn.executescript(
        """
        INSERT INTO users (id, name, role, created_at)
            VALUES (1, 'ana', 'student', '2026-02-01T09:00:00+00:00');
        INSERT INTO sessions (id, user_id, started_at, ended_at, glove, source, technique,
            reference_name, feedback_mode, capture, kind) VALUES (1, 1,
            '2026-02-01T09:00:00+00:00', '2026-02-01T09:05:00+00:00', 'reference-glove',
            'sim:effleurage', 'effleurage', 'effleurage-starter', 'every_n:3',
            'sessions/2026/02/old.mtcap', 'probe');
        INSERT INTO attempts (id, session_id, idx, start_s, end_s, overall, deductions)
            VALUES (1, 1, 0, 1.5, 2.3, 87.5, '[]'), (2, 1, 1, 3.0, 4.0, 70.0, '[]');
        PRAGMA user_version = 6;
        """
    )
    conn.close()
    with Store(tmp_path) as store:
        assert store.schema_version() == 7
        (session,) = store.sessions()
        assert (session.kind, session.feedback_mode, session.attempts) == ("probe", "every_n:3", 2)
        assert store.stroke_feedback([1]) == {1: [(87.5, None), (70.0, None)]}
        assert store.integrity_check() == "ok"
    assert (tmp_path / f"{DATABASE_FILE}.v6.bak").is_file()
    conn = sqlite3.connect(tmp_path / DATABASE_FILE)
    with pytest.raises(sqlite3.IntegrityError):  # the database itself checks the flags
        conn.execute(
            "INSERT INTO attempt_feedback (session_id, idx, cues, card) VALUES (1, 0, 2, 0)"
        )
    conn.close()


def _fb(index: int, *, card: bool, requested: bool = False, mode: str = "off") -> StrokeFeedback:
    reason = "requested" if requested else ("schedule" if card else "off")
    return StrokeFeedback(index, card, card, reason, requested=requested, mode=mode)


def test_a_recording_keeps_what_each_stroke_showed(tmp_path: Path, make_score) -> None:
    with Store(tmp_path) as store:
        recording = SessionRecording(
            store, reference=None, source="sim:effleurage", feedback_mode="off"
        )
        recording.start("effleurage", "effleurage-starter", load_profile("reference-glove"))
        sid = recording.session_id
        assert sid is not None
        # A stroke's record may come before its attempt (the GUI sees the stroke first).
        recording.add_feedback(_fb(0, card=False))
        recording.add_score(make_score(1.0, overall=70.0))
        recording.add_score(make_score(3.0, overall=80.0))
        recording.add_feedback(_fb(1, card=False))
        recording.add_feedback(_fb(1, card=True, requested=True))  # F: replaces it
        recording.add_score(make_score(5.0, overall=90.0))  # no record: shown as unknown
        recording.finish()
        rows = store.stroke_feedback([sid])[sid]
        assert [overall for overall, _ in rows] == [70.0, 80.0, 90.0]
        assert rows[0][1] == FeedbackRecord(False, False, False, "off", "off")
        assert rows[1][1] == FeedbackRecord(True, True, True, "requested", "off")
        assert rows[2][1] is None
        with pytest.raises(StoreError, match="at most 40"):
            store.submit_feedback(sid, 0, FeedbackRecord(True, True, mode="x" * 41))
        # Removing a session removes its records with it.
        conn = sqlite3.connect(tmp_path / DATABASE_FILE)
        conn.execute("PRAGMA foreign_keys = ON")
        with conn:
            conn.execute("DELETE FROM attempts WHERE session_id = ?", (sid,))
            conn.execute("DELETE FROM sessions WHERE id = ?", (sid,))
        assert conn.execute("SELECT COUNT(*) FROM attempt_feedback").fetchone()[0] == 0
        conn.close()


def test_progress_counts_feedback_use_and_each_strokes_own_mode(
    tmp_path: Path, make_session, make_score
) -> None:
    with Store(tmp_path) as store:
        practice = make_session(store)  # recorded as "every"
        for i, overall in enumerate((80.0, 90.0, 40.0)):
            store.add_attempt(practice, i, make_score(float(i), overall=overall))
        records = [
            FeedbackRecord(True, True, reason="schedule", mode="every_n:2"),
            FeedbackRecord(False, True, True, "requested", "every_n:2"),  # asked for (F)
            # The student switched to "off" for the last stroke: in neither mean.
            FeedbackRecord(False, False, reason="off", mode="off"),
        ]
        for i, record in enumerate(records):
            store.submit_feedback(practice, i, record).result()
        store.end_session(practice, samples=0, duration_s=60.0)
        probe = make_session(store, kind="probe")
        store.add_attempt(probe, 0, make_score(0.0, overall=70.0))
        store.add_attempt(probe, 1, make_score(1.0, overall=74.0))
        store.end_session(probe, samples=0, duration_s=10.0)
        scores = load_session_scores(store)
    assert [s.kind for s in scores] == ["practice", "probe"]
    assert scores[0].feedback == tuple(records) and scores[1].feedback == (None, None)
    (p,) = progress(scores, now=datetime.now(UTC) + timedelta(hours=1))
    assert (p.with_feedback.mean, p.with_feedback.n) == (85.0, 2)
    assert p.dependence is not None
    assert (p.probe.mean, p.dependence.difference) == (72.0, 13.0)
    assert (p.feedback_use.strokes, p.feedback_use.shown, p.feedback_use.requested) == (3, 2, 1)
    out = p.to_dict()
    assert out["feedback_use"] == {"strokes": 3, "shown": 2, "requested": 1, "share": 0.67}
    assert out["last_probe"] == scores[1].started_at.isoformat()


def test_the_headless_practice_records_what_it_showed(tmp_path: Path) -> None:
    from sensors.sources import open_source
    from trainer.app import make_coach
    from trainer.live.practice import run_practice
    from trainer.store.references import ReferenceLibrary

    ref = ReferenceLibrary(tmp_path / "references").get("effleurage-starter")
    with Store(tmp_path) as store:
        spec = "sim:effleurage?seed=3&speed=0"
        recorder = SessionRecording(store, reference=ref, source=spec, feedback_mode="every_n:2")
        result = run_practice(
            open_source(spec), make_coach(ref), FeedbackPolicy("every_n:2"), recorder=recorder,
            technique="effleurage", reference=ref.name, seconds=8.0, timeout_s=120.0,
        )  # fmt: skip
        sid = recorder.session_id
        assert sid is not None
        records = [record for _, record in store.stroke_feedback([sid])[sid]]
    assert len(result.strokes) >= 3 and not result.messages
    assert None not in records  # every stroke has its record
    shown = [r.card for r in records if r is not None]
    assert shown == [s.card for s in result.strokes]
    assert shown[:3] == [True, False, True]
    assert {r.mode for r in records if r is not None} == {"every_n:2"}
