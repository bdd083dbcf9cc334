"""``ratings`` and ``agreement`` end to end, on attempts made by ``demo --headless``."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from cli_process import run_main  # type: ignore[import-not-found]

from trainer.cli import main
from trainer.ratings.calibration import overall_scores
from trainer.ratings.model import program_tags
from trainer.store.database import Store
from trainer.store.references import ReferenceLibrary

# A minute of simulated practice (the demo) and re-scoring every attempt: on a loaded
# two-core machine this outlasts the default 120 s.
pytestmark = pytest.mark.timeout(600)
#: Simulation speed of the demo that makes the attempts. The simulated glove and the
#: scoring do not depend on the pace (the same strokes and scores at 4x and at 20x).
DEMO_SPEED = "20"

NAMES = ("shape", "pressure", "tempo", "smoothness")
#: How the synthetic instructors weigh the components (the reference: .3 .3 .2 .2).
INSTRUCTORS = np.array([0.1, 0.6, 0.1, 0.2])


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory) -> Path:
    """A data home where `demo --headless` practised long enough for 20+ attempts.

    Run in this process, as `python -m trainer` runs it (the start-up paid once per worker).
    ``--feedback every`` (the window's own schedule) runs it on the Qt-free engine: the same
    27 strokes and scores as the window's demo, without painting a minute of frames (the
    window's demo has tests of its own: test_app.py, test_adversarial_demo.py).
    """
    home = tmp_path_factory.mktemp("ratings-demo")
    out = run_main(
        "demo", "--headless", "--seconds", "60", "--speed", DEMO_SPEED, "--student", "novice",
        "--feedback", "every", "--json", home=home,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert len(json.loads(out.stdout)["strokes"]) >= 20
    return home


def _write_ratings(home: Path, path: Path) -> int:
    """Two raters rate every attempt: the instructors' weighting of its components + noise."""
    rng = np.random.default_rng(3)
    with Store(home, readonly=True) as store:
        attempts = store.find_attempts()
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["attempt", "rater", "rating", "tags", "note"])
        for a in attempts:
            s = np.array([[np.nan if a.components[n] is None else a.components[n] for n in NAMES]])
            truth = overall_scores(s, INSTRUCTORS)[0] / 10
            named = program_tags((d.code, d.points) for d in a.score.deductions)
            for n, (rater, bias) in enumerate((("ana", 0.0), ("ben", -0.4))):
                rating = float(np.clip(truth + bias + rng.normal(0, 0.3), 0, 10))
                tags = "; ".join(t.replace("_", " ") for t in sorted(named)) if n == 0 else ""
                w.writerow([f"A{a.id}" if n == 0 else str(a.id), rater, round(rating, 1), tags,
                            "ok"])  # fmt: skip
    return len(attempts)


def test_import_agreement_calibrate_end_to_end(demo_home, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(demo_home))
    sheet = tmp_path / "round1.csv"
    n = _write_ratings(demo_home, sheet)
    assert main(["ratings", "import", str(sheet)]) == 0
    assert capsys.readouterr().out.startswith(f"imported {2 * n} ratings")
    assert main(["ratings", "import", str(sheet)]) == 0  # the same sheet again: nothing new
    assert f"imported 0 ratings from {sheet} ({2 * n} already stored)" in capsys.readouterr().out

    plot = tmp_path / "agreement.png"
    assert main(["agreement", "--json", "--plot", str(plot), "--resamples", "500"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["n_attempts"], data["n_raters"]) == (n, 2)
    pvm = data["program_vs_mean"]
    for key in ("spearman", "pearson", "icc_2_1"):
        assert -1 <= pvm[key] <= 1 and len(pvm[f"{key}_ci"]) == 2
    ba = pvm["bland_altman"]
    assert {"bias", "bias_ci", "loa_low", "loa_low_ci", "loa_high", "loa_high_ci"} <= set(ba)
    assert [r["rater"] for r in data["per_rater"]] == ["ana", "ben"]
    assert all({"rater", "n", "spearman", "icc_2_1"} <= set(r) for r in data["per_rater"])
    assert data["raters"]["icc_2_1"] is not None and data["raters"]["icc_2_k"] is not None
    assert all({"tag", "n", "kappa"} <= set(t) for t in data["tags"])
    # ana ticks exactly the faults the program named: perfect agreement where defined.
    assert all(t["kappa"] in (1.0, None) for t in data["tags"] if t["rater"] == "ana")
    assert plot.stat().st_size > 10_000 and plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    assert main(["agreement", "--rater", "ana"]) == 0
    text = capsys.readouterr().out
    assert "1 rater (ana)" in text and "ICC(2,1)" in text

    with Store(demo_home, readonly=True) as store:
        first = store.find_attempts()[0]
        old_hash = first.reference_hash
    old_weights = store_reference_weights(demo_home, old_hash)
    assert main(["ratings", "calibrate", "effleurage-starter", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["improved"] and result["saved"]
    assert set(result["scale_factors"]) == {"tam_p90", "smoothness_sd"}  # re-scored too
    assert result["held_out_after"]["icc_2_1"] > result["held_out_before"]["icc_2_1"]
    new = ReferenceLibrary(demo_home / "references").get("effleurage-starter")
    assert new.weights["pressure"] > old_weights["pressure"]  # towards the instructors
    assert "calibrated" in new.notes
    # Attempts keep the version they were scored with; replay still shows it.
    assert store_reference_weights(demo_home, old_hash) == old_weights
    assert main(["replay", f"A{first.id}", "--json"]) == 0
    replay = json.loads(capsys.readouterr().out)
    assert replay["attempts"][replay["focus"]]["reference_hash"] == old_hash
    with Store(demo_home, readonly=True) as store:
        assert store.reference(result["version"]).weights == new.weights  # kept by hash

    out = tmp_path / "all.csv"
    assert main(["ratings", "export", str(out)]) == 0
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2 * n and rows[0]["attempt"].startswith("A")
    assert main(["ratings", "export", str(out)]) == 1
    assert "file exists" in capsys.readouterr().err


def store_reference_weights(home: Path, digest: str | None) -> dict[str, float]:
    with Store(home, readonly=True) as store:
        return dict(store.reference(str(digest)).weights)


def test_bad_rows_and_too_few_ratings_are_one_line(demo_home, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(demo_home))
    with Store(demo_home, readonly=True) as store:
        before = len(store.ratings())
        ids = [a.id for a in store.find_attempts()]
    bad = tmp_path / "bad.csv"
    bad.write_text(f"attempt,rater,rating\nA{ids[0]},cat,7\nA{ids[1]},cat,twelve\n")
    assert main(["ratings", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{bad}, line 3: rating must be" in err
    bad.write_text(f"attempt,rater,rating\nA{ids[0]},cat,7\nA99999,cat,7\n")
    assert main(["ratings", "import", str(bad)]) == 1
    assert f"{bad}, line 3: no attempt A99999" in capsys.readouterr().err
    with Store(demo_home, readonly=True) as store:
        assert len(store.ratings()) == before  # nothing imported from either file
    few = tmp_path / "few.csv"
    few.write_text("attempt,rater,rating\n" + "".join(f"{i},dan,5\n" for i in ids[:5]))
    assert main(["ratings", "import", str(few)]) == 0
    capsys.readouterr()
    # `reference calibrate` is the same action as `ratings calibrate`.
    for command in ("ratings", "reference"):
        assert main([command, "calibrate", "effleurage-starter", "--rater", "dan"]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert "needs ratings of at least 20 attempts of this reference; it has 5" in err
    assert main(["agreement", "--technique", "friction"]) == 1
    assert "no ratings of these attempts" in capsys.readouterr().err
