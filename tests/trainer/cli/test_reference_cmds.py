from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from trainer.cli import main

FIXTURES = Path(__file__).parents[2] / "fixtures"
EFFLEURAGE = str(FIXTURES / "effleurage-sim.mtcap")
COMPONENTS = ("overall", "shape", "pressure", "tempo", "smoothness")


def _run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_list_and_show(capsys):
    code, out, _ = _run(capsys, "reference", "list", "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert code == 0
    for technique in ("effleurage", "petrissage", "friction", "tapotement"):
        row = rows[f"{technique}-starter"]
        assert row["technique"] == technique and row["origin"] == "bundled" and row["synthetic"]
    code, out, _ = _run(capsys, "reference", "list")
    assert code == 0 and "tapotement-starter" in out and "synthetic" in out
    code, out, _ = _run(capsys, "reference", "show", "friction-starter")
    assert code == 0 and "technique:" in out and "Chaves et al. 2020" in out
    code, out, _ = _run(capsys, "reference", "show", "friction-starter", "--json")
    assert json.loads(out)["glove"] == "reference-glove"


def test_the_table_read_from_metadata_shows_what_the_json_shows(capsys, _isolated_home):
    from zipped_files import rewrite  # type: ignore[import-not-found]

    from reference_strokes import bundled_reference_files

    starter = next(r for r in bundled_reference_files() if r.name == "friction-starter.mtref")
    folder = _isolated_home / "references"
    folder.mkdir(parents=True, exist_ok=True)

    def rename(meta):
        meta["name"], meta["technique"], meta["profile"]["name"] = "mine", "skin rolling", " g "

    def nan(arrays):
        arrays["template"][0, 0] = np.nan

    (folder / "mine.mtref").write_bytes(rewrite(starter.read_bytes(), meta=rename))
    (folder / "bad-meta.mtref").write_bytes(rewrite(starter.read_bytes(), meta=lambda m: m.clear()))
    (folder / "bad-arrays.mtref").write_bytes(
        rewrite(starter.read_bytes(), meta=lambda m: m.update(name="bad-arrays"), arrays=nan)
    )
    rows = {r["name"]: r for r in json.loads(_run(capsys, "reference", "list", "--json")[1])}
    code, out, _ = _run(capsys, "reference", "list")
    assert code == 0
    table = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert table.keys() == rows.keys()
    assert "not a valid reference file" in rows["bad-meta"]["error"]
    assert "INVALID: user reference 'bad-meta': not a valid reference file" in table["bad-meta"]
    for name, row in rows.items():
        if name == "bad-meta":
            continue
        if name == "bad-arrays":  # the table reads no array: the error shows on use
            assert "template has non-finite values" in row["error"]
            row = {**rows["friction-starter"], "origin": "user"}
        glove = "g" if name == "mine" else row["glove"]  # a profile's name is stripped
        note = " synthetic" if row["synthetic"] else ""
        fields = f"{row['technique']:12s} {glove:16s} {row['strokes']:7d}  {row['origin']:8s}"
        assert table[name] == f"{name:28s} {fields}{note}", table[name]
    code, _, err = _run(capsys, "reference", "show", "bad-arrays")
    assert code == 1 and "template has non-finite values" in err


def test_build_then_score_with_it(capsys):
    takes = [EFFLEURAGE, str(FIXTURES / "effleurage-diy-fsr5-sim.mtcap")]
    code, _, err = _run(capsys, "reference", "build", "mine", *takes, "--technique", "effleurage")
    assert code == 1 and "differs from the first take" in err  # two different gloves
    code, out, _ = _run(
        capsys, "reference", "build", "mine", EFFLEURAGE, "--technique", "effleurage",
        "--author", "A. Expert",
    )  # fmt: skip
    assert code == 0 and "built 'mine'" in out
    shown = json.loads(_run(capsys, "reference", "show", "mine", "--json")[1])
    assert shown["author"] == "A. Expert" and shown["origin"] == "user"
    assert shown["performers"] == ["A. Expert"]  # the takes name no performer of their own
    assert shown["synthetic"]  # the capture says it came from the simulator
    code, _, err = _run(capsys, "reference", "build", "mine", EFFLEURAGE, "--technique", "x")
    assert code == 1 and "already exists" in err
    assert _run(capsys, "reference", "build", "mine", EFFLEURAGE, "--technique", "effleurage",
                "--overwrite")[0] == 0  # fmt: skip
    assert json.loads(_run(capsys, "reference", "show", "mine", "--json")[1])["author"] == ""
    code, out, _ = _run(capsys, "score", EFFLEURAGE, "--reference", "mine", "--json")
    report = json.loads(out)
    assert code == 0 and report["reference"] == "mine" and report["technique"] == "effleurage"
    assert report["overall"] > 85  # the same take it was built from


def test_build_from_csv_takes_needs_their_glove(capsys):
    csv = str(FIXTURES / "effleurage-diy-fsr5-sim.csv")
    code, out, _ = _run(
        capsys, "reference", "build", "diy", csv, "--technique", "effleurage",
        "--profile", "diy-fsr5",
    )  # fmt: skip
    assert code == 0, out
    code, out, _ = _run(capsys, "score", csv, "--reference", "diy", "--profile", "diy-fsr5")
    assert code == 0 and "overall:" in out
    code, _, err = _run(capsys, "score", csv, "--reference", "effleurage-starter",
                        "--profile", "diy-fsr5")  # fmt: skip
    assert code == 1 and "same glove" in err


def test_score_json_schema_and_determinism(capsys):
    capture = str(FIXTURES / "tapotement-sim.mtcap")
    code, first, _ = _run(capsys, "score", capture, "--reference", "tapotement-starter", "--json")
    assert code == 0
    code, second, _ = _run(capsys, "score", capture, "--reference", "tapotement-starter", "--json")
    assert first == second  # byte-identical
    report = json.loads(first)
    assert set(report) == {
        "reference",
        "technique",
        "strokes",
        "overall",
        "not_strokes",
        "not_scored",
    }
    assert report["strokes"] and 80 < report["overall"] <= 100
    for stroke in report["strokes"]:
        assert set(stroke) >= {"start_s", "end_s", *COMPONENTS, "deductions"}
        assert stroke["start_s"] < stroke["end_s"]
        assert all(0 <= stroke[c] <= 100 for c in COMPONENTS if stroke[c] is not None)
        lost = sum(d["points"] for d in stroke["deductions"])
        assert stroke["overall"] == pytest.approx(100 - lost, abs=1e-9)
        assert all(set(d) == {"code", "message", "points"} for d in stroke["deductions"])


def test_score_skips_pieces_that_are_no_stroke(capsys, tmp_path):
    # Issue 13 (finding 9): a touch between strokes is not scored, and does not abort.
    from sensors.capture import read_capture, write_csv

    cap = read_capture(FIXTURES / "effleurage-sim.mtcap")
    fs = cap.profile.sample_rate_hz
    tail = np.zeros((int(4 * fs), cap.values.shape[1]))
    press = np.minimum(1.0, 4 * np.hanning(int(1.5 * fs)))
    tail[int(fs) : int(fs) + press.size, 2] = 2.6 * press  # a light thumb press, 1.5 s
    values = np.vstack([cap.values, tail])
    t = cap.t[0] + np.arange(values.shape[0]) / fs
    path = tmp_path / "touch.csv"
    write_csv(dataclasses.replace(cap, t=t, values=values, gap_starts=np.zeros(0, int)), path)
    code, out, _ = _run(capsys, "score", str(path), "--reference", "effleurage-starter", "--json")
    report = json.loads(out)
    assert code == 0 and report["not_strokes"] >= 1 and report["strokes"]
    code, out, _ = _run(capsys, "score", str(path), "--reference", "effleurage-starter")
    assert code == 0 and "not scored" in out


def test_score_recognises_techniques(capsys):
    for technique in ("petrissage", "friction"):
        capture = str(FIXTURES / f"{technique}-sim.mtcap")
        code, out, _ = _run(
            capsys, "score", capture, "--reference", "effleurage-starter", "--json", "--recognise"
        )
        report = json.loads(out)
        # Another technique is scored when it could be an attempt, and otherwise left out
        # as no attempt (friction: thrice the force, on the fingertips); either way it is
        # recognised, and the text says which reference would score it.
        pieces = report["strokes"] + report["not_scored"]
        assert code == 0 and pieces
        assert report["not_strokes"] == len(report["not_scored"])
        assert all(p["recognised"] == technique for p in pieces)
        assert all("not a effleurage stroke" in p["why"] for p in report["not_scored"])
        if technique == "friction":
            assert report["not_scored"] and not report["strokes"]
            code, text, _ = _run(
                capsys, "score", capture, "--reference", "effleurage-starter", "--recognise"
            )
            assert "recognised as friction: score them against a friction reference" in text
    code, out, _ = _run(capsys, "score", EFFLEURAGE, "--reference", "effleurage-starter",
                        "--recognise")  # fmt: skip
    assert code == 0 and "recognised" in out and "effleurage" in out


def test_score_table(capsys):
    code, out, _ = _run(capsys, "score", EFFLEURAGE, "--reference", "effleurage-starter")
    assert code == 0
    assert "reference: effleurage-starter (effleurage)" in out and "overall:" in out
    assert "shape" in out and "press" in out


def test_export_import_round_trip(tmp_path, capsys):
    out = tmp_path / "f.mtref"
    assert _run(capsys, "reference", "export", "friction-starter", str(out))[0] == 0
    code, _, err = _run(capsys, "reference", "export", "friction-starter", str(out))
    assert code == 1 and "already exists" in err
    code, out_text, _ = _run(capsys, "reference", "import", str(out))
    assert code == 0 and "already in your library (same content)" in out_text  # issue 15
    built = tmp_path / "mine.mtref"
    build = ("reference", "build", "mine", EFFLEURAGE, "--technique", "effleurage")
    assert _run(capsys, *build)[0] == 0
    assert _run(capsys, "reference", "export", "mine", str(built))[0] == 0
    code, _, err = _run(capsys, "reference", "import", str(built), "--name", "friction-starter")
    assert code == 1 and "already exists" in err  # names are unique: other content refused
    assert _run(
        capsys, "reference", "import", str(built), "--name", "friction-starter", "--overwrite"
    )[0] == 0  # fmt: skip
    rows = json.loads(_run(capsys, "reference", "list", "--json")[1])
    assert {r["name"]: r["origin"] for r in rows}["friction-starter"] == "user"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["score", "nope.mtcap", "--reference", "effleurage-starter"], "no such capture"),
        (["score", "FIX/effleurage-sim.mtcap", "--reference", "no-such-ref"], "known:"),
        (
            ["score", "FIX/effleurage-diy-fsr5-sim.mtcap", "--reference", "effleurage-starter"],
            "same glove",
        ),
        (["reference", "import", "FIX/README.md"], "not a valid reference file"),
        (["reference", "show", "nope"], "unknown reference"),
        (["reference", "build", "x", "FIX/missing.mtcap", "--technique", "e"], "no such"),
        (["reference", "build", "x", "FIX/README.md", "--technique", "e"], ""),
        (["reference", "build", "../x", "FIX/effleurage-sim.mtcap", "--technique", "e"], "name"),
    ],
)
def test_bad_input_is_one_line(capsys, argv, expected):
    argv = [a.replace("FIX", str(FIXTURES)) for a in argv]
    code, _, err = _run(capsys, *argv)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("massage-trainer: error:") and expected in err


def test_no_traceback_from_a_real_process():
    proc = subprocess.run(
        [sys.executable, "-m", "trainer", "reference", "import", str(FIXTURES / "README.md")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_score_on_a_csv_with_absurd_time_steps_is_one_line(capsys, tmp_path):
    # Issue 17, defect 10: 1e-300 s time steps reached scipy as a LinAlgError traceback.
    n = 400
    t = np.arange(n) * 1e-300
    v = 5.0 * np.abs(np.sin(np.arange(n) / 40.0))
    path = tmp_path / "tiny.csv"
    rows = ["time_s,palm_heel,palm,thumb,index,middle,ring,little"]
    rows += [",".join([repr(float(t[i]))] + [repr(float(v[i]))] * 7) for i in range(n)]
    path.write_text("\n".join(rows) + "\n")
    code, _, err = _run(capsys, "score", str(path), "--reference", "effleurage-starter")
    assert code == 1 and "implausible" in err and len(err.strip().splitlines()) == 1
