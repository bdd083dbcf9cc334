"""Ratings in the store (trainer.store.ratings): schema 4, queries, CSV, packs."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from hand_made_schemas import TABLES_V3  # type: ignore[import-not-found]

from trainer.exceptions import RatingError, StoreError
from trainer.ratings.model import Rating
from trainer.store.database import DATABASE_FILE, SCHEMA_VERSION, Store
from trainer.store.packs import export_pack, import_pack
from trainer.store.ratings import (
    AttemptFilter,
    format_ratings_csv,
    read_ratings_csv,
)
from trainer.store.references import ReferenceLibrary

# Version 3 as schema 3 left it, by hand: the tables of versions 1-3 with one attempt.
_V3_SCHEMA = (
    TABLES_V3
    + """
INSERT INTO users VALUES (1, 'ana', 'student', '2026-02-01T09:00:00+00:00');
INSERT INTO sessions (id, user_id, started_at, ended_at, glove, source, technique,
    reference_name, feedback_mode, capture) VALUES (1, 1, '2026-02-01T09:00:00+00:00',
    '2026-02-01T09:05:00+00:00', 'reference-glove', 'sim:effleurage', 'effleurage',
    'effleurage-starter', 'every', 'sessions/2026/02/old.mtcap');
INSERT INTO attempts (id, session_id, idx, start_s, end_s, overall, deductions) VALUES
    (1, 1, 0, 1.5, 2.3, 87.5, '[]');
INSERT INTO attempt_components VALUES (1, 'shape', 90.0), (1, 'tempo', 80.0);
PRAGMA user_version = 3;
"""
)


def test_version_3_database_is_upgraded_and_takes_ratings(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / DATABASE_FILE)
    conn.executescript(_V3_SCHEMA)
    conn.close()
    with Store(tmp_path) as store:
        assert store.schema_version() == SCHEMA_VERSION >= 4
        (attempt,) = store.attempts(1)
        assert attempt.score.overall == 87.5 and attempt.components["tempo"] == 80.0
        assert store.ratings() == []
        assert store.add_ratings([Rating(1, "ben", 8, ("rushed",), "quick")]) == (1, 0)
        (rating,) = store.ratings()
        assert (rating.attempt_id, rating.rater, rating.rating, rating.tags) == (
            1,
            "ben",
            8.0,
            ("rushed",),
        )
        assert store.integrity_check() == "ok"
    assert (tmp_path / f"{DATABASE_FILE}.v3.bak").is_file()
    conn = sqlite3.connect(tmp_path / DATABASE_FILE)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    with pytest.raises(sqlite3.IntegrityError):  # the table itself refuses 11
        conn.execute(
            "INSERT INTO ratings (attempt_id, rater, rating, created_at) VALUES (1, 'x', 11, '')"
        )
    conn.close()


@pytest.fixture
def rated_store(tmp_path: Path, make_session, make_score):
    with Store(tmp_path) as store:
        s1 = make_session(store, user="ana")
        s2 = make_session(store, technique="petrissage", user="ben")
        ids = [store.add_attempt(s1, i, make_score(float(i), 60.0 + 10 * i)) for i in range(3)]
        ids.append(store.add_attempt(s2, 0, make_score(0.0, 50.0)))
        yield store, ids


def test_ratings_are_kept_per_rater_with_re_ratings_and_filters(rated_store) -> None:
    store, ids = rated_store
    first = [Rating(ids[0], "ann", 6, created_at="2026-03-01T10:00:00.000+00:00")]
    assert store.add_ratings(first) == (1, 0)
    assert store.add_ratings(first) == (0, 1)  # the same rating again: skipped
    store.add_ratings(
        [
            Rating(ids[0], "ann", 7, created_at="2026-03-08T10:00:00.000+00:00"),  # re-rating
            Rating(ids[0], "cat", 5, ("too_light",)),
            Rating(ids[3], "cat", 4),
        ]
    )
    assert [r.rating for r in store.ratings(raters=["ann"])] == [6.0, 7.0]
    assert len(store.ratings()) == 4
    efflo = store.ratings(attempts=AttemptFilter(technique="effleurage"))
    assert {r.attempt_id for r in efflo} == {ids[0]}
    assert [r.rater for r in store.ratings(attempts=AttemptFilter(user="ben"))] == ["cat"]
    assert [a.id for a in store.find_attempts(AttemptFilter(technique="effleurage"))] == ids[:3]
    assert store.find_attempts(ids=[ids[3]])[0].components["shape"] == 95.0
    # A rating of an unknown attempt stores nothing, not even the good ones before it.
    with pytest.raises(StoreError, match="no attempt 999"):
        store.add_ratings([Rating(ids[1], "dan", 3), Rating(999, "dan", 3)])
    assert store.ratings(raters=["dan"]) == []
    # Deleting a session hides its attempts' ratings from the filters.
    store.delete_session(store.attempt(ids[3]).session_id)
    assert store.ratings(raters=["cat"], attempts=AttemptFilter()) == [
        r for r in store.ratings(raters=["cat"]) if r.attempt_id == ids[0]
    ]


def test_csv_round_trip_and_errors_name_the_line(rated_store, tmp_path: Path) -> None:
    store, ids = rated_store
    good = tmp_path / "good.csv"
    good.write_text(
        "attempt,rater,rating,tags,note\n"
        f'A{ids[0]},ann,7,too light; rushed,"slow, then rushed"\n'
        f"{ids[1]},ann,8.5,,\n"
        "\n"
        f"a{ids[2]}, ben ,10,,\n"
    )
    rows = read_ratings_csv(good)
    assert [(r.attempt_id, r.rater, r.rating) for r in rows] == [
        (ids[0], "ann", 7.0),
        (ids[1], "ann", 8.5),
        (ids[2], "ben", 10.0),
    ]
    assert rows[0].tags == ("too_light", "rushed") and rows[0].note == "slow, then rushed"
    store.add_ratings(rows)
    exported = tmp_path / "out.csv"
    exported.write_text(format_ratings_csv(store.ratings()))
    again = read_ratings_csv(exported)
    assert store.add_ratings(again) == (0, 3)  # an export re-imported adds nothing
    for body, message in [
        ("attempt,rater\nA1,ann\n", "line 1: missing rating"),
        (f"attempt,rater,rating\nA{ids[0]},ann,7\nA{ids[0]},ann,eleven\n", "line 3: rating"),
        (f"attempt,rater,rating\nA{ids[0]},ann,11\n", "line 2: rating must be .* 0 to 10"),
        (f"attempt,rater,rating,tags\nA{ids[0]},ann,7,sloppy\n", "line 2: unknown fault tag"),
        ("attempt,rater,rating\nS3,ann,7\n", "line 2: attempt must be an id like A7"),
        (f"attempt,rater,rating\nA{ids[0]},,7\n", "line 2: rater name"),
        (f"attempt,rater,rating\nA{ids[0]},ann\n", "line 2: 2 fields, expected 3"),
        ("", "empty file"),
    ]:
        bad = tmp_path / "bad.csv"
        bad.write_text(body)
        with pytest.raises(RatingError, match=message):
            read_ratings_csv(bad)
    bad.write_bytes(b"attempt,rater,rating\n\xff\xfe,x,1\n")
    with pytest.raises(RatingError, match="not UTF-8"):
        read_ratings_csv(bad)


def test_packs_carry_ratings_and_merge_them_into_a_known_session(
    tmp_path: Path, session_in, make_score, effleurage_capture
) -> None:
    source = tmp_path / "a"
    source.mkdir()
    out = tmp_path / "rated.mtpack"
    with Store(source) as store:
        sid = session_in(store, capture_from=effleurage_capture)
        aid = store.add_attempt(sid, 0, make_score(0.0, 70.0))
        store.add_attempt(sid, 1, make_score(2.0, 80.0))
        store.end_session(sid, samples=0, duration_s=0.0)
        store.add_ratings([Rating(aid, "ann", 6, ("rushed",), "hm")])
        export_pack(out, store=store, sessions=[sid], library=ReferenceLibrary(source / "r"))
        with zipfile.ZipFile(out) as zf:
            manifest = json.loads(zf.read("pack.json"))
        first, second = manifest["sessions"][0]["attempts"]
        assert [r["rater"] for r in first["ratings"]] == ["ann"] and "ratings" not in second
        store.add_ratings([Rating(aid, "ben", 9)])
        export_pack(
            tmp_path / "more.mtpack",
            store=store,
            sessions=[sid],
            library=ReferenceLibrary(source / "r"),
        )
    target = tmp_path / "b"
    target.mkdir()
    library = ReferenceLibrary(target / "r")
    with Store(target) as store:
        import_pack(out, store=store, library=library)
        (rating,) = store.ratings()
        assert (rating.rater, rating.rating, rating.tags, rating.note) == (
            "ann",
            6,
            ("rushed",),
            "hm",
        )
        assert store.attempt(rating.attempt_id).index == 0
        summary = import_pack(tmp_path / "more.mtpack", store=store, library=library)
        assert summary["skipped"] == 1  # the session is known: only ben's rating is new
        assert sorted(r.rater for r in store.ratings()) == ["ann", "ben"]


def test_a_pack_with_a_bad_rating_is_refused_whole(
    tmp_path: Path, session_in, make_score, effleurage_capture
) -> None:
    source = tmp_path / "a"
    source.mkdir()
    out = tmp_path / "rated.mtpack"
    with Store(source) as store:
        sid = session_in(store, capture_from=effleurage_capture)
        aid = store.add_attempt(sid, 0, make_score(0.0, 70.0))
        store.end_session(sid, samples=0, duration_s=0.0)
        store.add_ratings([Rating(aid, "ann", 6)])
        export_pack(out, store=store, sessions=[sid], library=ReferenceLibrary(source / "r"))
    with zipfile.ZipFile(out) as zf:
        entries = {i.filename: zf.read(i) for i in zf.infolist()}
    entries["pack.json"] = entries["pack.json"].replace(b'"rating": 6.0', b'"rating": 12')
    bad = tmp_path / "bad.mtpack"
    with zipfile.ZipFile(bad, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    target = tmp_path / "b"
    target.mkdir()
    with Store(target) as store:
        with pytest.raises(StoreError, match="attempt 0: rating must be"):
            import_pack(bad, store=store, library=ReferenceLibrary(target / "r"))
        assert store.sessions() == [] and store.ratings() == []
