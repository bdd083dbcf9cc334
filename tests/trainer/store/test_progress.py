"""Progress maths (trainer.store.progress): gaps, retention pairs, re-test dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trainer.store.progress import SessionScores, progress

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def _s(sid: int, kind: str, day: float, scores: list[float], mode: str = "every",
       user: str = "ana", technique: str = "friction") -> SessionScores:  # fmt: skip
    start = T0 + timedelta(days=day)
    return SessionScores(
        sid, user, technique, kind, mode if kind == "practice" else "summary",
        start, start + timedelta(minutes=10), tuple(scores),
    )  # fmt: skip


def test_first_probe_after_a_gap_counts_not_later_ones_after_the_same_practice() -> None:
    sessions = [
        _s(1, "practice", 0, [90]),
        _s(2, "probe", 0.01, [80]),  # fresh: 4 minutes after the practice
        _s(3, "probe", 8, [70]),  # the first probe after a week's gap
        _s(4, "probe", 9, [60]),  # a later one, same gap: not "first"
    ]
    (p,) = progress(sessions, now=T0 + timedelta(days=10))
    day, week, weeks8 = p.retention
    for r in (day, week):
        assert r.before is not None and r.after is not None
        assert (r.before.session, r.after.session, r.change) == (2, 3, -10.0)
    assert weeks8.after is None
    assert p.next_retest == T0 + timedelta(minutes=10, days=56)
    assert p.next_retest_gap_days == 56 and not p.overdue


def test_a_probe_before_any_practice_is_no_before_and_has_no_gap() -> None:
    sessions = [
        _s(1, "probe", 0, [50]),  # a baseline, before any practice
        _s(2, "practice", 1, [90]),
        _s(3, "probe", 3, [75]),
    ]
    (p,) = progress(sessions, now=T0)
    day = p.retention[0]
    assert day.after is not None
    assert day.after.session == 3 and day.after.gap_days == pytest.approx(2.0 - 10 / 1440)
    assert day.before is None and day.change is None  # no probe while training was fresh
    assert p.dependence is not None and p.dependence.difference == pytest.approx(90 - 62.5)
    assert p.dependence.se is None  # one practice stroke: no spread
    assert p.next_retest_gap_days == 7


def test_unscored_probes_and_feedback_free_practice_are_left_out_of_the_means() -> None:
    sessions = [
        _s(1, "practice", 0, [80], mode="summary"),
        _s(2, "practice", 0.1, [60], mode="off"),
        _s(3, "probe", 0.2, []),
        _s(4, "practice", 0.3, [70], mode="random:0.5"),
    ]
    (p,) = progress(sessions, now=T0)
    assert (p.with_feedback.mean, p.with_feedback.n, p.with_feedback.sessions) == (70.0, 1, 1)
    assert p.probe.n == 0 and p.dependence is None
    assert all(r.after is None for r in p.retention)
    assert p.last_practice == T0 + timedelta(days=0.3, minutes=10)


def test_no_practice_means_no_retest_and_groups_sort_by_technique_then_user() -> None:
    sessions = [
        _s(1, "probe", 0, [50], user="bo", technique="petrissage"),
        _s(2, "practice", 0, [50], user="bo", technique="effleurage"),
        _s(3, "practice", 0, [50], user="al", technique="petrissage"),
    ]
    out = progress(sessions, now=T0)
    assert [(p.technique, p.user) for p in out] == [
        ("effleurage", "bo"),
        ("petrissage", "al"),
        ("petrissage", "bo"),
    ]
    assert out[2].next_retest is None and out[2].last_practice is None
    assert out[0].overdue is False and out[0].next_retest_gap_days == 1
    assert progress(sessions, now=T0 + timedelta(days=2))[0].overdue
