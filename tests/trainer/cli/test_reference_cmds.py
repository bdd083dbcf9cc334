from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from trainer.cli import main

FIXTURES = Path(__file__).parents[2] / "fixtures"


def test_list_show_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reference", "list", "--json"]) == 0
    names = {r["name"] for r in json.loads(capsys.readouterr().out)}
    assert {"effleurage-starter", "tapotement-starter"} <= names
    assert main(["reference", "show", "friction-starter"]) == 0
    assert "friction" in capsys.readouterr().out


def test_build_from_captures_then_score(tmp_path, capsys) -> None:
    takes = [str(FIXTURES / "effleurage-sim.mtcap"), str(FIXTURES / "petrissage-sim.mtcap")]
    assert (
        main(["reference", "build", "mine", *takes[:1], takes[0], "--technique", "effleurage"]) == 0
    )
    assert main(["reference", "list"]) == 0
    assert "mine" in capsys.readouterr().out
    assert main(["score", takes[0], "--reference", "mine", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["reference"] == "mine" and report["strokes"]
    stroke = report["strokes"][0]
    assert set(stroke) >= {
        "start_s",
        "end_s",
        "overall",
        "shape",
        "pressure",
        "tempo",
        "smoothness",
        "deductions",
    }
    assert 0 <= report["overall"] <= 100


def test_score_json_is_byte_identical(capsys) -> None:
    capture = str(FIXTURES / "tapotement-sim.mtcap")
    assert main(["score", capture, "--reference", "tapotement-starter", "--json"]) == 0
    first = capsys.readouterr().out
    assert main(["score", capture, "--reference", "tapotement-starter", "--json"]) == 0
    assert capsys.readouterr().out == first
    assert json.loads(first)["overall"] > 80  # simulated tapotement against its starter


def test_score_csv_and_table(capsys) -> None:
    assert (
        main(["score", str(FIXTURES / "effleurage-sim.mtcap"), "--reference", "effleurage-starter"])
        == 0
    )
    out = capsys.readouterr().out
    assert "overall:" in out and "reference: effleurage-starter" in out


def test_export_import_round_trip(tmp_path, capsys) -> None:
    out = tmp_path / "f.mtref"
    assert main(["reference", "export", "friction-starter", str(out)]) == 0
    assert main(["reference", "import", str(out)]) == 0
    assert main(["reference", "import", str(out)]) == 1  # already there: refused, one line
    assert "already exists" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["score", "nope.mtcap", "--reference", "effleurage-starter"],
        ["score", "FIX/effleurage-sim.mtcap", "--reference", "no-such-ref"],
        ["score", "FIX/effleurage-diy-fsr5-sim.mtcap", "--reference", "effleurage-starter"],
        ["reference", "import", "FIX/README.md"],
        ["reference", "build", "x", "FIX/missing.mtcap", "--technique", "effleurage"],
        ["reference", "build", "x", "FIX/README.md", "--technique", "effleurage"],
    ],
)
def test_bad_input_is_one_line_no_traceback(argv) -> None:
    argv = [a.replace("FIX", str(FIXTURES)) for a in argv]
    proc = subprocess.run(
        [sys.executable, "-m", "trainer", *argv], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
