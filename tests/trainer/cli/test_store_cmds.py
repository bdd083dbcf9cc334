from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from cli_process import run_main  # type: ignore[import-not-found]

from sensors.capture import read_capture
from trainer.cli import main
from trainer.store.database import DATABASE_FILE, Store

FIXTURE = Path(__file__).parents[2] / "fixtures" / "effleurage-sim.mtcap"


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory) -> Path:
    """A data home where `demo --headless` practised for 6 s (a real recorded session).

    At 20x: the same strokes as at the default pace, with fewer frames painted. In this
    process (the window, engine and store as `python -m trainer` runs them): the commands
    below read what it left on disk. `tests/trainer/test_app.py` runs the demo as a
    process of its own.
    """
    home = tmp_path_factory.mktemp("demo-home")
    out = run_main("demo", "--headless", "--seconds", "6", "--speed", "20", "--json", home=home)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["session_id"] == 1 and len(summary["strokes"]) >= 3
    return home


def test_history_json_lists_the_demo_session_and_its_attempts(demo_home) -> None:
    out = run_main("history", "--json", home=demo_home)
    assert out.returncode == 0, out.stderr
    (session,) = json.loads(out.stdout)["sessions"]
    assert session["technique"] == "effleurage" and session["state"] == "finished"
    assert session["reference"] == "effleurage-starter"
    assert session["strokes"] == len(session["attempts"]) >= 3
    for attempt in session["attempts"]:
        assert 0 <= attempt["overall"] <= 100
        assert sum(d["points"] for d in attempt["deductions"]) == pytest.approx(
            100 - attempt["overall"], abs=0.051
        )


def test_history_text_filters_and_attempts(demo_home, capsys, monkeypatch) -> None:
    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(demo_home))
    assert main(["history", "--attempts"]) == 0
    text = capsys.readouterr().out
    assert "effleurage-starter" in text and "A1 " in text
    assert main(["history", "--technique", "friction"]) == 0
    assert "no sessions" in capsys.readouterr().out
    assert main(["history", "--since", "2999-01-01"]) == 0
    assert "no sessions" in capsys.readouterr().out
    assert main(["history", "--since", "last tuesday"]) == 1
    assert capsys.readouterr().err.strip() == (
        "massage-trainer: error: not a date: 'last tuesday' (use YYYY-MM-DD)"
    )


def test_replay_json_gives_the_attempt_the_reference_and_the_path(demo_home) -> None:
    out = run_main("replay", "A2", "--json", home=demo_home)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["reference"] == "effleurage-starter" and data["focus"] == 1
    attempt = data["attempts"][1]
    path = attempt["path"]
    assert path[0] == [0, 0] and path[-1][0] == attempt["samples"][1] - attempt["samples"][0] - 1
    assert all(b[0] >= a[0] and b[1] >= a[1] for a, b in itertools.pairwise(path))


def test_replay_headless_screenshot_of_a_demo_attempt(demo_home, tmp_path) -> None:
    png = tmp_path / "shots" / "replay.png"
    out = run_main("replay", "A2", "--headless", "--screenshot", str(png), home=demo_home)
    assert out.returncode == 0, out.stderr
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    assert "Traceback" not in out.stderr


def test_replay_without_a_screen_says_how_in_one_line(demo_home, monkeypatch) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    out = run_main("replay", "S1", home=demo_home)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "massage-trainer: error: no screen found (DISPLAY/WAYLAND_DISPLAY unset): "
        "add --headless --screenshot PNG, or use --json"
    ]


def test_export_session_as_csv(demo_home, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(demo_home))
    out = tmp_path / "session.csv"
    assert main(["export", "S1", "--csv", str(out)]) == 0
    with Store(demo_home, readonly=True) as store:
        original = read_capture(store.session(1).capture)
    exported = read_capture(out)
    assert exported.n_samples == original.n_samples
    assert exported.values == pytest.approx(original.values, abs=1e-6)


def test_delete_is_undoable_from_history(tmp_path, monkeypatch, capsys, session_in) -> None:
    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(tmp_path))
    with Store(tmp_path) as store:
        sid = session_in(store, "friction")
    assert main(["history", "--delete", str(sid)]) == 0
    assert f"history --restore {sid}" in capsys.readouterr().out
    assert main(["history", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sessions"] == []
    assert main(["history", "--deleted", "--json"]) == 0
    assert [s["id"] for s in json.loads(capsys.readouterr().out)["sessions"]] == [sid]
    assert main(["history", "--restore", str(sid)]) == 0
    capsys.readouterr()
    assert main(["history", "--restore", "77"]) == 1
    assert capsys.readouterr().err.strip().startswith("massage-trainer: error: no session 77")


def test_pack_export_and_import_between_homes(demo_home, tmp_path) -> None:
    pack = tmp_path / "class.mtpack"
    out = run_main("pack", "export", str(pack), "--session", "1", home=demo_home)
    assert out.returncode == 0, out.stderr
    assert "exported 1 reference(s) and 1 session(s)" in out.stdout
    other = tmp_path / "student-home"
    out = run_main("pack", "import", str(pack), home=other)
    assert out.returncode == 0, out.stderr
    out = run_main("history", "--json", home=other)
    (session,) = json.loads(out.stdout)["sessions"]
    assert session["strokes"] >= 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["replay", "A999", "--json"], "no attempt 999"),
        (["replay", "banana", "--json"], "not a session or attempt: 'banana'"),
        (["export", "S42", "--csv", "-"], "no session 42"),
        (["pack", "import", "nowhere.mtpack"], "no such file"),
        (["pack", "export", "x.mtpack"], "nothing to export"),
        (["pack", "export", "x.mtpack", "--reference", "nope"], "unknown reference 'nope'"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(args, message, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert main(args) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message in err, err


def test_corrupt_database_is_one_line_and_captures_still_work(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(tmp_path))
    (tmp_path / DATABASE_FILE).write_bytes(b"\x00garbage" * 512)
    assert main(["history"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "unreadable" in err
    # Other data is still usable: captures and references.
    assert main(["info", str(FIXTURE)]) == 0
    assert main(["reference", "list"]) == 0


def test_json_output_is_strict_even_for_a_non_finite_stored_value(
    tmp_path, monkeypatch, capsys, session_in, effleurage_capture
) -> None:
    # Issue 17, defect 9: a NaN reached the store (from a pack, before imports were
    # validated) and `history --json` / `replay --json` printed "NaN": invalid JSON.
    from trainer.scoring.model import StrokeScore

    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(tmp_path))
    with Store(tmp_path) as store:
        sid = session_in(store, "effleurage", capture_from=effleurage_capture, end=True)
        score = StrokeScore(
            start_s=0.0, end_s=1.0, overall=90.0, shape=90.0, pressure=90.0, tempo=90.0,
            smoothness=90.0, details={"jerk": float("nan")},
        )  # fmt: skip
        attempt = store.add_attempt(sid, 0, score)

    def strict(text: str):
        return json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in JSON output"))

    assert main(["history", "--json"]) == 0
    strict(capsys.readouterr().out)
    assert main(["replay", f"A{attempt}", "--json"]) == 0
    (shown,) = strict(capsys.readouterr().out)["attempts"]
    assert shown["details"]["jerk"] is None
