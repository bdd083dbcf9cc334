"""Queries of the session store (trainer.store.database)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from trainer.exceptions import StoreError
from trainer.store.database import (
    Store,
    content_hash,
    parse_since,
)
from trainer.store.references import ReferenceLibrary, encode_reference


def test_attempts_round_trip_with_path_and_deductions(
    tmp_path: Path, make_score: Callable[..., Any], make_session: Callable[..., Any]
) -> None:
    with Store(tmp_path) as store:
        sid = make_session(store)
        ids = [store.add_attempt(sid, i, make_score(2.0 * i, 80.0 + i)) for i in range(3)]
        store.end_session(sid, samples=1200, duration_s=6.0)
        session = store.session(sid)
        assert session.state == "finished" and session.samples == 1200
        assert session.attempts == 3 and session.best_overall == 82.0
        assert session.mean_overall == pytest.approx(81.0)
        back = store.attempt(ids[1])
        assert back.index == 1 and back.session_id == sid
        original = make_score(2.0, 81.0)
        assert back.score == original  # path is compared separately (not in __eq__)
        np.testing.assert_array_equal(back.score.path, original.path)
        assert [a.id for a in store.attempts(sid)] == ids


def test_sessions_filter_by_technique_since_and_user(
    tmp_path: Path, make_session: Callable[..., Any]
) -> None:
    old = datetime(2026, 1, 5, 10, tzinfo=UTC)
    with Store(tmp_path) as store:
        a = make_session(store, "effleurage", started_at=old)
        b = make_session(store, "friction", user="maria")
        assert [s.id for s in store.sessions()] == [a, b]
        assert [s.id for s in store.sessions(technique="friction")] == [b]
        assert [s.id for s in store.sessions(since=old + timedelta(days=1))] == [b]
        assert [s.id for s in store.sessions(user="maria")] == [b]
        assert store.session(b).user == "maria" and store.session(b).role == "student"


def test_soft_delete_hides_and_restore_brings_back(
    tmp_path: Path, make_score: Callable[..., Any], make_session: Callable[..., Any]
) -> None:
    with Store(tmp_path) as store:
        sid = make_session(store)
        store.add_attempt(sid, 0, make_score(0.0))
        store.delete_session(sid)
        assert store.sessions() == []
        assert [s.id for s in store.sessions(deleted=True)] == [sid]
        assert len(store.attempts(sid)) == 1  # nothing is lost by deleting
        store.restore_session(sid)
        assert [s.id for s in store.sessions()] == [sid]
        with pytest.raises(StoreError, match="no session 999"):
            store.delete_session(999)


def test_reference_is_kept_by_content_hash(
    tmp_path: Path, make_session: Callable[..., Any]
) -> None:
    ref = ReferenceLibrary().get("effleurage-starter")
    with Store(tmp_path) as store:
        sid = make_session(store, reference=ref)
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


def test_components_default_to_the_scores_four_and_any_name_round_trips(
    tmp_path: Path, make_score: Callable[..., Any], make_session: Callable[..., Any]
) -> None:
    with Store(tmp_path) as store:
        sid = make_session(store)
        plain = store.add_attempt(sid, 0, make_score(0.0))
        toy = {"shape": 95.0, "toy_rhythm": 61.25, "pressure": None}
        extra = store.add_attempt(sid, 1, make_score(2.0), components=toy)
        assert store.attempt(plain).components == {
            "shape": 95.0,
            "pressure": None,
            "tempo": 90.0,
            "smoothness": 88.5,
        }
        back = store.attempt(extra)
        assert back.components == toy and list(back.components) == list(toy)
        assert back.to_dict()["components"] == toy
        assert [a.components for a in store.attempts(sid)] == [
            store.attempt(plain).components,
            toy,
        ]
        means = store.component_means([sid])[sid]
        assert means["toy_rhythm"] == 61.25 and means["shape"] == 95.0
        assert means["tempo"] == 90.0  # only the attempt that has it
        cases: tuple[tuple[Any, str], ...] = (
            ({"": 1.0}, "1 to 100 characters"),
            ({"x": "high"}, "number"),
        )
        for bad, message in cases:
            with pytest.raises(StoreError, match=message):
                store.add_attempt(sid, 2, make_score(4.0), components=bad)
        assert len(store.attempts(sid)) == 2  # nothing half-written
