"""A technique an instructor builds a reference for is a technique everywhere (issue 12/15).

The toy technique "skin rolling" (built by ``reference build --allow-mixed`` from a
simulated effleurage take: the label is what matters) shows up in the registry, ``reference
list``, ``reference techniques``, the history filter and ``score``; the simulated glove
refuses it in one line; a name breaking the rule is refused by ``reference build``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trainer.cli import main
from trainer.store.database import Store
from trainer.store.techniques import technique_names

FIXTURES = Path(__file__).parents[2] / "fixtures"
EFFLEURAGE = str(FIXTURES / "effleurage-sim.mtcap")
SIMULATED = ("effleurage", "petrissage", "friction", "tapotement")


def _run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _one_line_error(code: int, err: str) -> str:
    assert code == 1 and err.count("\n") == 1 and err.startswith("massage-trainer: error: ")
    return err


def _build_toy(capsys, technique: str = "Skin  Rolling") -> None:
    code, out, err = _run(
        capsys, "reference", "build", "toy", EFFLEURAGE, "--technique", technique, "--allow-mixed"
    )
    assert code == 0, err
    assert "built 'toy' (skin rolling)" in out  # normalised by the one name rule


def test_a_built_technique_is_in_every_list(capsys, _isolated_home, session_in) -> None:
    assert technique_names() == list(SIMULATED)
    _build_toy(capsys)
    assert technique_names() == [*SIMULATED, "skin rolling"]

    code, out, _ = _run(capsys, "reference", "list")
    assert code == 0 and any(
        line.split()[:3] == ["toy", "skin", "rolling"] for line in out.splitlines()
    )
    code, out, _ = _run(capsys, "reference", "list", "--json")
    assert {r["name"]: r["technique"] for r in json.loads(out)}["toy"] == "skin rolling"

    code, out, _ = _run(capsys, "reference", "techniques", "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert code == 0 and list(rows) == [*SIMULATED, "skin rolling"]
    assert rows["skin rolling"] == {
        "name": "skin rolling",
        "references": ["toy"],
        "simulated": False,
        "sources": ["reference"],
    }
    assert rows["effleurage"]["sources"] == ["reference", "simulator"]
    code, out, _ = _run(capsys, "reference", "techniques")
    assert code == 0 and "skin rolling" in out and "toy" in out

    # score: the reference carries its technique (also with --recognise).
    code, out, _ = _run(capsys, "score", EFFLEURAGE, "--reference", "toy", "--json", "--recognise")
    report = json.loads(out)
    assert code == 0 and report["technique"] == "skin rolling" and report["strokes"]

    # history: the filter accepts it, and finds its sessions.
    _session(session_in, "skin rolling")
    code, out, err = _run(capsys, "history", "--technique", "Skin Rolling", "--json")
    assert code == 0, err
    (session,) = json.loads(out)["sessions"]
    assert session["technique"] == "skin rolling"
    code, out, _ = _run(capsys, "history", "--technique", "effleurage", "--json")
    assert code == 0 and json.loads(out)["sessions"] == []


def test_the_simulated_glove_refuses_a_technique_it_cannot_perform(capsys, tmp_path) -> None:
    _build_toy(capsys)
    expected = (
        "the simulated glove performs effleurage, petrissage, friction, tapotement; "
        "'skin rolling' has references but no simulation"
    )
    code, _, err = _run(capsys, "demo", "--headless", "--technique", "skin rolling")
    assert expected in _one_line_error(code, err)
    code, _, err = _run(
        capsys, "record", "--source", "sim:skin rolling?speed=0", "--out", str(tmp_path / "x.mtcap")
    )
    assert expected in _one_line_error(code, err)
    code, _, err = _run(
        capsys, "record", "--source", "sim:shiatsu", "--out", str(tmp_path / "x.mtcap")
    )
    assert "unknown technique 'shiatsu' (known: " in _one_line_error(code, err)
    assert "skin rolling" in err


def test_record_normalises_a_simulated_technique(capsys, tmp_path) -> None:
    out = tmp_path / "p.mtcap"
    code, _, err = _run(
        capsys, "record", "--source", "sim:Petrissage?speed=0&seconds=2", "--out", str(out)
    )
    assert code == 0, err
    code, text, _ = _run(capsys, "info", str(out), "--json")
    assert code == 0 and "sim:Petrissage" in text  # the spec as typed is kept


@pytest.mark.parametrize("bad", ["shiatsu!", "skin_rolling", "x" * 41, " "])
def test_reference_build_refuses_a_bad_technique_name_in_one_line(capsys, bad) -> None:
    code, _, err = _run(capsys, "reference", "build", "bad", EFFLEURAGE, "--technique", bad)
    assert "invalid technique name" in _one_line_error(code, err)
    assert "lowercase letters, digits, spaces or hyphens" in err
    assert "bad" not in _run(capsys, "reference", "list")[1]


def _session(session_in, technique: str) -> None:
    """A finished session of ``technique`` whose reference has left the library."""
    with Store() as store:
        session_in(store, technique, reference_name="gone", source="ble:fake", end=True)


def test_history_refuses_an_unknown_technique_with_a_suggestion(capsys, session_in) -> None:
    code, _, err = _run(capsys, "history", "--technique", "tapotment")
    assert "did you mean 'tapotement'?" in _one_line_error(code, err)
    code, _, err = _run(capsys, "history", "--technique", "shiatsu")
    assert "unknown technique 'shiatsu' (known: effleurage" in _one_line_error(code, err)
    # Sessions of a technique whose references have left the library stay findable.
    _session(session_in, "shiatsu")
    code, out, _ = _run(capsys, "history", "--technique", "shiatsu", "--json")
    assert code == 0 and len(json.loads(out)["sessions"]) == 1
    code, _, err = _run(capsys, "history", "--technique", "no_such!")
    assert "invalid technique name" in _one_line_error(code, err)
