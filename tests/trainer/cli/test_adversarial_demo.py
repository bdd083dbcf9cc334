"""Headless practice that cannot save says so (issue 17, defect 8).

A full disk used to give exit 0, nothing on stderr, and a JSON summary naming a session
and a stroke count the store did not hold; a damaged database gave ``session_id: null``
with no message. Faults are injected (tests run as root, where chmod does not stop
writes): the database refusing writes as a full disk does, and a damaged database file.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

import trainer.store.database as database
from trainer.cli import main
from trainer.exceptions import StoreError
from trainer.store.database import DATABASE_FILE, Store
from trainer.store.paths import data_home

# At 20x: the same strokes as at the headless default pace (4x), fewer frames painted.
DEMO = ["demo", "--headless", "--seconds", "8", "--speed", "20", "--json"]


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if not line.startswith("massage-trainer: demo")]
    assert len(lines) == 1 and lines[0].startswith("massage-trainer: error: "), err
    assert "Traceback" not in err
    return lines[0]


def test_a_disk_that_fills_mid_session_is_reported_and_the_summary_is_honest(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    insert = database._insert_attempt
    calls = {"n": 0}

    def full_after_two(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 2:  # what SQLite says when a write hits ENOSPC
            raise sqlite3.OperationalError("database or disk is full")
        return insert(*args, **kwargs)

    def end_fails(self, *args, **kwargs):
        raise StoreError(f"{self.path}: database or disk is full")

    monkeypatch.setattr(database, "_insert_attempt", full_after_two)
    monkeypatch.setattr(Store, "end_session", end_fails)
    assert main(DEMO) == 1
    out, err = capsys.readouterr()
    summary = json.loads(out)
    line = _one_error_line(err)
    assert len(summary["strokes"]) > 2, summary  # scored live, but not all stored
    saved = summary["saved"]
    with Store(data_home(), readonly=True) as store:
        assert len(store.attempts(saved["session_id"])) == saved["attempts"] == 2
        assert store.session(saved["session_id"]).state == saved["state"] == "recording"
    assert f"holds 2 of {len(summary['strokes'])} strokes" in line


def test_a_damaged_database_means_nothing_saved_exit_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    home = data_home()
    home.mkdir(parents=True, exist_ok=True)
    (home / DATABASE_FILE).write_bytes(b"not a database at all" * 200)
    assert main(DEMO) == 1
    out, err = capsys.readouterr()
    summary = json.loads(out)
    assert summary["session_id"] is None and summary["saved"]["session_id"] is None
    line = _one_error_line(err)
    assert "not saved" in line and "unreadable" in line


def test_a_demo_that_saved_everything_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(DEMO) == 0
    out, err = capsys.readouterr()
    summary = json.loads(out)
    assert "error" not in err
    assert summary["saved"] == {
        "session_id": summary["session_id"],
        "attempts": len(summary["strokes"]),
        "state": "finished",
    }
