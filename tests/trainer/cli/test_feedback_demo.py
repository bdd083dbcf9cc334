"""``demo --headless --feedback/--probe/--surface``: the Qt-free practice, recorded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from trainer.cli import main

# Qt cannot be imported in these runs: the options run on the Qt-free engine. Each
# command line (argv[1] is a JSON list of them) runs in turn in the one blocked process,
# which prints a JSON list of their exit codes and outputs.
_NO_QT = """
import contextlib, importlib.abc, io, json, sys

class BlockQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("PySide6", "pyqtgraph", "shiboken6"):
            raise ImportError(f"{name} is blocked in this test")
        return None

sys.meta_path.insert(0, BlockQt())
from trainer.cli import main
runs = []
for argv in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    runs.append({"code": code, "out": out.getvalue(), "err": err.getvalue()})
print(json.dumps(runs))
"""


def _run(*commands: list[str], home: Path) -> list[dict[str, Any]]:
    """Run each command line in turn in one fresh process that cannot import Qt."""
    env = {**os.environ, "MASSAGE_TRAINER_HOME": str(home)}
    env.pop("QT_QPA_PLATFORM", None)
    done = subprocess.run(
        [sys.executable, "-c", _NO_QT, json.dumps(commands)],
        capture_output=True, text=True, env=env, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    runs: list[dict[str, Any]] = json.loads(done.stdout)
    return runs


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, dict, dict]:
    """A bandwidth practice by a novice on a mannequin, then a 3-stroke probe.

    At 20x: the pace changes neither the strokes nor their scores, only the waiting.
    """
    home = tmp_path_factory.mktemp("feedback-home")
    practice, probe = _run(
        ["demo", "--headless", "--json", "--seconds", "12", "--speed", "20", "--student",
         "novice", "--seed", "3", "--feedback", "bandwidth", "--surface", "Mannequin"],
        ["demo", "--headless", "--json", "--probe", "3", "--speed", "20"],
        home=home,
    )  # fmt: skip
    assert practice["code"] == 0, practice["err"]
    assert probe["code"] == 0, probe["err"]
    return home, json.loads(practice["out"]), json.loads(probe["out"])


def test_bandwidth_demo_shows_feedback_exactly_on_strokes_outside_the_band(runs) -> None:
    _, practice, _ = runs
    assert (practice["kind"], practice["feedback"], practice["surface"]) == (
        "practice",
        "bandwidth:85:5",
        "mannequin",
    )
    strokes = practice["strokes"]
    assert len(strokes) >= 3
    for s in strokes:
        outside = s["overall"] < 85 or any(
            d["points"] >= 5 and d["code"] != "minor" for d in s["deductions"]
        )
        assert s["feedback"]["shown"] is outside
        assert s["feedback"]["card"] is outside and s["feedback"]["cues"] is outside
    hidden = [s["feedback"]["index"] for s in strokes if not s["feedback"]["card"]]
    assert practice["end_of_set"]["revealed"] == hidden


def test_probe_demo_hides_everything_and_history_marks_it(runs, capsys, monkeypatch) -> None:
    home, practice, probe = runs
    assert probe["kind"] == "probe" and probe["feedback"] == "summary"
    assert len(probe["strokes"]) == 3  # the probe ends at its strokes
    assert not any(s["feedback"]["shown"] for s in probe["strokes"])
    assert probe["end_of_set"]["revealed"] == [0, 1, 2]
    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(home))
    assert main(["history"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].endswith("finished  on mannequin") and "probe" not in lines[1]
    assert lines[2].endswith("finished  probe")
    assert main(["history", "--json"]) == 0
    sessions = json.loads(capsys.readouterr().out)["sessions"]
    assert [(s["kind"], s["surface"], s["feedback_mode"]) for s in sessions] == [
        ("practice", "mannequin", "bandwidth:85:5"),
        ("probe", "", "summary"),
    ]
    assert sessions[1]["strokes"] == 3
    assert main(["progress", "--json", "--surface", "mannequin"]) == 0
    (t,) = json.loads(capsys.readouterr().out)["techniques"]
    assert t["probe"]["n"] == 0 and t["with_feedback"]["n"] == len(practice["strokes"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--feedback", "every"], "add --headless"),
        (["--headless", "--feedback", "sometimes"], "unknown feedback mode"),
        (["--headless", "--probe", "--feedback", "every"], "leave out --feedback"),
        (["--headless", "--surface", "pad;x"], "surface"),
        (["--headless", "--probe", "0"], "at least 1 stroke"),
    ],
)
def test_bad_demo_options_are_one_line(args, message, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(tmp_path))
    assert main(["demo", *args]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_probe_that_cannot_be_saved_says_so_and_fails(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(tmp_path))
    (tmp_path / "sessions").write_text("a file where the captures' folder should be")
    assert main(["demo", "--headless", "--probe", "1", "--json"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["session_id"] is None
    assert captured.err.startswith("massage-trainer: error: the practice was not saved: ")
    assert captured.err.count("\n") == 1


def test_demo_says_who_the_glove_played_and_the_coaching_names_it(runs) -> None:
    # The simulated student's tendencies are in the JSON, so the deductions can be
    # checked against what was done wrong: a novice's faults are named on its strokes.
    _, practice, probe = runs
    performer = practice["performer"]
    assert performer.startswith("simulated effleurage (seed 3), novice student: ")
    tendencies = {t.split()[0] for t in performer.split("student: ", 1)[1].split(", ")}
    assert len(tendencies) >= 2
    named = {d["code"] for s in practice["strokes"] for d in s["deductions"]}
    assert tendencies & named, (tendencies, named)
    assert "student" not in probe["performer"]  # the probe played no student
