"""``massage-trainer progress``: dependence and retention from hand-made sessions."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from trainer.cli import main
from trainer.scoring.model import StrokeScore
from trainer.store.database import Store


def _score(overall: float) -> StrokeScore:
    return StrokeScore(
        start_s=0.0, end_s=1.0, overall=overall, shape=None, pressure=None, tempo=None,
        smoothness=None, deductions=(), technique="effleurage",
    )  # fmt: skip


# (user, kind, feedback mode, surface, start (UTC), minutes long, overall scores)
_SESSIONS = [
    ("ana", "practice", "every", "mannequin", "2026-03-01T10:00", 20, [80, 90]),
    ("ana", "probe", "summary", "mannequin", "2026-03-01T10:25", 2, [70, 74]),  # fresh
    ("ana", "probe", "summary", "mannequin", "2026-03-03T10:00", 2, [66, 62]),  # ~2 days on
    ("ana", "practice", "bandwidth:85:5", "mannequin", "2026-03-03T10:10", 20, [85, 95, 90]),
    ("ana", "practice", "off", "mannequin", "2026-03-03T10:31", 9, [50]),  # no feedback
    ("ana", "probe", "summary", "mannequin", "2026-03-03T10:45", 2, [80, 76]),  # fresh
    ("ana", "probe", "summary", "mannequin", "2026-03-12T10:45", 2, [71, 69]),  # 9 days on
    ("ana", "practice", "every_n:3", "person", "2026-03-20T10:00", 20, [60]),
    ("bo", "practice", "every", "mannequin", "2026-03-01T11:00", 20, [40]),
]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(tmp_path))
    rows = []
    for n, (user, kind, mode, surface, start, minutes, scores) in enumerate(_SESSIONS):
        began = datetime.fromisoformat(start + "+00:00")
        meta = {
            "user": user,
            "started_at": began.isoformat(),
            "ended_at": (began + timedelta(minutes=minutes)).isoformat(),
            "glove": "reference-glove",
            "source": "sim:effleurage",
            "technique": "effleurage",
            "reference": "effleurage-starter",
            "feedback_mode": mode,
            "kind": kind,
            "surface": surface,
            "duration_s": 60.0 * minutes,
        }
        attempts = [(i, _score(float(v))) for i, v in enumerate(scores)]
        rows.append((meta, tmp_path / "sessions" / f"{n}.mtcap", attempts))
    with Store(tmp_path) as store:
        assert len([i for i in store.import_sessions(rows) if i]) == len(_SESSIONS)
    return tmp_path


def _progress(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["progress", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_dependence_and_retention_match_a_hand_computation(home, capsys) -> None:
    out = _progress(capsys, "--user", "ana", "--surface", "Mannequin")
    assert out["filters"] == {"technique": None, "user": "ana", "surface": "mannequin"}
    (t,) = out["techniques"]
    assert (t["technique"], t["user"], t["surfaces"]) == ("effleurage", "ana", ["mannequin"])
    # With feedback: every + bandwidth practice (the "off" practice counts in neither).
    feedback = [80, 90, 85, 95, 90]
    probes = [70, 74, 66, 62, 80, 76, 71, 69]
    assert t["with_feedback"] == {"mean": 88.0, "n": 5, "sd": 5.7, "sessions": 2}
    assert t["probe"] == {"mean": 71.0, "n": 8, "sd": 5.68, "sessions": 4}
    var_f = sum((v - 88.0) ** 2 for v in feedback) / 4  # 32.5
    var_p = sum((v - 71.0) ** 2 for v in probes) / 7  # 226 / 7
    se = math.sqrt(var_f / 5 + var_p / 8)  # 3.2459
    assert t["dependence"]["difference"] == 17.0
    assert t["dependence"]["se"] == pytest.approx(round(se, 2))
    assert t["dependence"]["ci95"] == pytest.approx(
        [round(17 - 1.959964 * se, 2), round(17 + 1.959964 * se, 2)]
    )
    day, week, weeks8 = t["retention"]
    assert [r["gap_days"] for r in t["retention"]] == [1, 7, 56]
    # The latest first-probe-after-a-gap is S7 (9 days after the "off" practice); it is
    # compared with S6, the fresh probe taken 5 minutes after that practice.
    for r in (day, week):
        assert (r["before"]["session"], r["after"]["session"]) == (6, 7)
        assert (r["before"]["mean"], r["after"]["mean"], r["change"]) == (78.0, 70.0, -8.0)
    assert week["after"]["gap_days"] == pytest.approx(9.0 + 5 / 1440, abs=0.01)
    assert weeks8 == {"gap_days": 56, "before": None, "after": None, "change": None}
    # 1 day and 1 week are covered since the last practice (ended 03-03 10:40): 8 weeks next.
    assert t["last_practice"] == "2026-03-03T10:40:00+00:00"
    assert t["next_retest"] == {
        "date": "2026-04-28T10:40:00+00:00",
        "gap_days": 56,
        "overdue": True,
    }


def test_the_first_gap_alone_gives_the_one_day_retention(home, capsys) -> None:
    # Without the later probes, S3 (2 days after S1) against S2 (right after S1).
    with Store(home) as store:
        for sid in (4, 5, 6, 7, 8):
            store.delete_session(sid)
    (t,) = _progress(capsys, "--user", "ana")["techniques"]
    day, week, _ = t["retention"]
    assert (day["before"]["mean"], day["after"]["mean"], day["change"]) == (72.0, 64.0, -8.0)
    assert day["after"]["session"] == 3 and week["after"] is None
    assert t["next_retest"]["gap_days"] == 7  # a day has been covered, a week not yet


def test_surface_and_user_filters(home, capsys) -> None:
    (t,) = _progress(capsys, "--user", "ana")["techniques"]  # the person session joins
    assert t["surfaces"] == ["mannequin", "person"]
    assert t["with_feedback"]["n"] == 6 and t["with_feedback"]["mean"] == pytest.approx(83.33)
    assert t["next_retest"]["date"] == "2026-03-21T10:20:00+00:00"  # a day after it
    everyone = _progress(capsys)["techniques"]
    assert [(x["user"], x["with_feedback"]["n"]) for x in everyone] == [("ana", 6), ("bo", 1)]
    assert everyone[1]["dependence"] is None and everyone[1]["probe"]["n"] == 0
    assert _progress(capsys, "--surface", "pad")["techniques"] == []


def test_text_output_and_one_line_errors(home, capsys) -> None:
    assert main(["progress", "--user", "ana", "--surface", "mannequin"]) == 0
    text = capsys.readouterr().out
    assert "dependence" in text and "+17.0 points" in text
    assert "retention 8 weeks" in text and "78.0 (S6) -> 70.0" in text
    assert main(["progress", "--user", "nobody"]) == 0
    assert "no sessions match --user nobody (9 in all)" in capsys.readouterr().out
    assert main(["progress", "--surface", "pad\nx"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("massage-trainer: error: surface") and err.count("\n") == 1
    assert main(["progress", "--technique", "Bad_Name!"]) == 1
    assert capsys.readouterr().err.count("\n") == 1
