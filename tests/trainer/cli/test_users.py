"""``users``, and ``--user`` on history, record, replay, pack and demo (issue 20)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from person_sessions import finished_session  # type: ignore[import-not-found]

from sensors.capture import read_capture
from trainer.cli import main
from trainer.store.database import Store


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(tmp_path))
    return tmp_path


def _err_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("massage-trainer: error: ") and err.count("\n") == 1, err
    return err


def test_history_user_lists_each_persons_sessions_apart(home, capsys, effleurage_capture):
    with Store(home) as store:
        ana = [finished_session(store, "Ana", effleurage_capture) for _ in range(2)]
        bo = finished_session(store, "Bo", effleurage_capture, "friction")
    assert main(["history", "--user", "ana", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["sessions"]
    assert [(s["id"], s["user"]) for s in listed] == [(ana[0], "Ana"), (ana[1], "Ana")]
    assert main(["history", "--user", "Bo"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert "person" in rows[0] and len(rows) == 2
    assert rows[1].split()[0] == str(bo) and " Bo " in rows[1]


def test_users_add_list_rename_and_remove(home, capsys, effleurage_capture, monkeypatch):
    assert main(["users", "add", "  Ana  "]) == 0
    assert main(["users", "add", "Mr Ruiz", "--role", "instructor"]) == 0
    assert main(["users", "add", "ANA"]) == 1
    assert "already a person called 'Ana'" in _err_line(capsys)
    assert main(["users", "add", "bad\tname\x1b"]) == 1
    assert "control characters" in _err_line(capsys)
    with Store(home) as store:
        sid = finished_session(store, "Ana", effleurage_capture)

    # A rename shows everywhere: the list, history, its JSON, the store.
    assert main(["users", "rename", "ana", "Ana Lopez"]) == 0
    assert main(["users", "list", "--json"]) == 0
    people = json.loads(capsys.readouterr().out.split("\n", 1)[1])["people"]
    assert [(p["name"], p["role"], p["sessions"]) for p in people] == [
        ("Ana Lopez", "student", 1),
        ("Mr Ruiz", "instructor", 0),
    ]
    assert main(["history", "--user", "Ana Lopez", "--json"]) == 0
    assert [s["user"] for s in json.loads(capsys.readouterr().out)["sessions"]] == ["Ana Lopez"]
    with Store(home, readonly=True) as store:
        assert store.session(sid).user == "Ana Lopez"

    # Removing someone with sessions is refused without the flag; nothing goes.
    assert main(["users", "remove", "Ana Lopez"]) == 1
    err = _err_line(capsys)
    assert "1 session(s)" in err and "--delete-sessions" in err
    # With the flag, a confirmation is needed: nothing typed (no stdin) keeps everything.
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["users", "remove", "Ana Lopez", "--delete-sessions"]) == 1
    asked, error = capsys.readouterr().err.rstrip("\n").rsplit("\n", 1)
    assert "Type the name (Ana Lopez) to confirm:" in asked
    assert error == "massage-trainer: error: not confirmed: Ana Lopez and their sessions are kept"
    monkeypatch.setattr("sys.stdin", io.StringIO("someone else\n"))
    assert main(["users", "remove", "Ana Lopez", "--delete-sessions"]) == 1
    capsys.readouterr()
    with Store(home, readonly=True) as store:
        capture = store.session(sid).capture
        assert capture.is_file() and len(store.sessions()) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO("ana lopez\n"))
    assert main(["users", "remove", "Ana Lopez", "--delete-sessions"]) == 0
    assert "removed Ana Lopez and 1 session(s)" in capsys.readouterr().out
    assert not capture.exists()
    assert main(["users", "remove", "mr ruiz", "--yes"]) == 0  # no sessions: no question
    assert main(["users", "list"]) == 0
    assert capsys.readouterr().out.startswith("removed Mr Ruiz\nnobody yet")
    assert main(["users", "remove", "Ana Lopez"]) == 1
    assert "no person called 'Ana Lopez'" in _err_line(capsys)


def test_remove_with_yes_asks_nothing(home, capsys, effleurage_capture, monkeypatch):
    with Store(home) as store:
        finished_session(store, "Ana", effleurage_capture)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # nobody to ask
    assert main(["users", "remove", "Ana", "--delete-sessions", "--yes"]) == 0
    with Store(home, readonly=True) as store:
        assert store.people() == [] and store.sessions() == []


def test_record_stores_the_performer_in_the_capture(home, capsys, tmp_path):
    out = tmp_path / "ana.mtcap"
    argv = ["record", "--source", "sim:effleurage?seed=1&speed=0", "--seconds", "0.5"]
    assert main([*argv, "--out", str(out), "--user", " Ana  Lopez "]) == 0
    assert read_capture(out).metadata["user"] == "Ana Lopez"
    capsys.readouterr()
    assert main([*argv, "--out", str(tmp_path / "x.mtcap"), "--user", "a\nb"]) == 1
    assert "control characters" in _err_line(capsys)
    assert not (tmp_path / "x.mtcap").exists()  # refused before anything was written


def test_replay_and_pack_export_follow_user(
    home, capsys, effleurage_capture, tmp_path, monkeypatch
):
    with Store(home) as store:
        ana = finished_session(store, "Ana", effleurage_capture)
        bo = finished_session(store, "Bo", effleurage_capture)
    assert main(["replay", str(ana), "--user", "bo", "--json"]) == 1
    assert "is Ana's, not Bo's" in _err_line(capsys)
    assert main(["replay", "--user", "bo", "--json"]) == 0  # their latest session
    assert json.loads(capsys.readouterr().out)["session"]["id"] == bo
    assert main(["replay", "--user", "Cy", "--json"]) == 1
    assert "no person called 'Cy'" in _err_line(capsys)

    pack = tmp_path / "ana.mtpack"
    assert main(["pack", "export", str(pack), "--user", "ana"]) == 0
    assert "1 session(s)" in capsys.readouterr().out
    assert main(["pack", "export", str(tmp_path / "x.mtpack"), "--user", "ana", "--session",
                 str(bo)]) == 1  # fmt: skip
    assert "is Bo's, not Ana's" in _err_line(capsys)

    # On another laptop that has its own Ana: kept apart by default, and said so.
    other = tmp_path / "instructor"
    with Store(other) as store:
        finished_session(store, "Ana", effleurage_capture, "friction")
    assert main(["pack", "import", str(pack)]) == 0  # same home: already there
    assert "0 new session(s), 1 already present" in capsys.readouterr().out

    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(other))
    assert main(["pack", "import", str(pack)]) == 0
    captured = capsys.readouterr()
    assert "sessions of: Ana (2)" in captured.out
    assert "kept apart as 'Ana (2)'" in captured.err and "--same-name merge" in captured.err
    with Store(other, readonly=True) as store:
        assert [(p.name, p.sessions) for p in store.people()] == [("Ana", 1), ("Ana (2)", 1)]


def test_demo_with_an_unknown_person_says_so_before_opening(home, capsys):
    assert main(["demo", "--headless", "--user", "Nobody"]) == 1
    err = _err_line(capsys)
    assert "no person called 'Nobody'" in err and "users add" in err
