"""Issue 15, "References and techniques" (command line): a library you can manage.

``reference delete`` / ``unhide`` / ``rename`` / ``import --name``, re-importing the same
file, a ``reference show`` a person can read, and ``reference build`` refusing takes of
another technique.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sensors.capture import read_capture, write_csv
from trainer.cli import main
from trainer.store.database import Store
from trainer.store.references import ReferenceLibrary

FIXTURES = Path(__file__).parents[2] / "fixtures"
EFFLEURAGE = FIXTURES / "effleurage-sim.mtcap"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _one_line(code: int, err: str) -> str:
    assert code == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("massage-trainer: error: "), err
    return lines[0]


def _build(capsys, name: str = "mine") -> None:
    code, _, err = _run(
        capsys, "reference", "build", name, str(EFFLEURAGE), "--technique", "effleurage"
    )
    assert code == 0, err


def _names(capsys) -> dict[str, str]:
    code, out, _ = _run(capsys, "reference", "list", "--json")
    assert code == 0
    return {r["name"]: r["origin"] for r in json.loads(out)}


# -- delete, unhide ---------------------------------------------------------------------


def test_delete_asks_and_without_a_terminal_needs_yes(capsys, _isolated_home) -> None:
    _build(capsys)
    # No terminal under pytest: refused in one line, nothing removed.
    code, _, err = _run(capsys, "reference", "delete", "mine")
    assert "not asked without a terminal, add --yes" in _one_line(code, err)
    assert "mine" in _names(capsys)
    code, out, _ = _run(capsys, "reference", "delete", "mine", "--yes")
    assert code == 0 and out.startswith("deleted 'mine'")
    assert "mine" not in _names(capsys)
    assert not (_isolated_home / "references" / "mine.mtref").exists()
    code, _, err = _run(capsys, "reference", "delete", "mine", "--yes")
    assert "unknown reference 'mine'" in _one_line(code, err)


def test_delete_asks_on_a_terminal(capsys, monkeypatch) -> None:
    _build(capsys)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    code, out, _ = _run(capsys, "reference", "delete", "mine")
    assert code == 1 and "nothing changed" in out and "mine" in _names(capsys)
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    assert _run(capsys, "reference", "delete", "mine")[0] == 0
    assert "mine" not in _names(capsys)


def test_a_bundled_starter_is_hidden_not_deleted(capsys) -> None:
    code, out, _ = _run(capsys, "reference", "delete", "friction-starter", "--yes")
    assert code == 0 and "hid the bundled starter 'friction-starter'" in out
    assert "friction-starter" not in _names(capsys)
    code, out, _ = _run(capsys, "reference", "list")
    assert code == 0 and out.strip().splitlines()[-1].startswith(
        "hidden starters: friction-starter ("
    )
    code, _, err = _run(capsys, "reference", "show", "friction-starter")
    assert "unknown reference" in _one_line(code, err)
    code, out, _ = _run(capsys, "reference", "unhide", "friction-starter")
    assert code == 0 and _names(capsys)["friction-starter"] == "bundled"
    code, _, err = _run(capsys, "reference", "unhide", "friction-starter")
    assert "not a hidden starter" in _one_line(code, err)


def test_a_session_of_a_removed_reference_still_replays(capsys, session_in) -> None:
    _build(capsys)
    ref = ReferenceLibrary().get("mine")
    with Store() as store:
        sid = session_in(
            store, "effleurage", reference=ref, reference_name="mine",
            capture_from=EFFLEURAGE, end=True,
        )  # fmt: skip
    assert _run(capsys, "reference", "delete", "mine", "--yes")[0] == 0
    code, out, err = _run(capsys, "replay", f"S{sid}", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["reference"] == "mine" and data["reference_note"] == "the copy used in the session"


# -- rename, import --name, identical re-import -----------------------------------------


def test_rename_a_reference(capsys, _isolated_home) -> None:
    _build(capsys)
    _build(capsys, "other")
    code, out, _ = _run(capsys, "reference", "rename", "mine", "anna-effleurage")
    assert code == 0 and out.startswith("renamed 'mine' to 'anna-effleurage'")
    names = _names(capsys)
    assert "mine" not in names and names["anna-effleurage"] == "user"
    shown = json.loads(_run(capsys, "reference", "show", "anna-effleurage", "--json")[1])
    assert shown["name"] == "anna-effleurage"  # the name inside the file too
    for argv, message in [
        (["other", "anna-effleurage"], "already exists"),
        (["nope", "x"], "unknown reference 'nope'"),
        (["friction-starter", "x"], "is a bundled starter and cannot be renamed"),
        (["other", "../x"], "invalid reference name"),
    ]:
        code, _, err = _run(capsys, "reference", "rename", *argv)
        assert message in _one_line(code, err)
    assert sorted(p.name for p in (_isolated_home / "references").iterdir()) == [
        "anna-effleurage.mtref",
        "other.mtref",
    ]


def test_import_under_another_name_and_again(capsys, tmp_path) -> None:
    exported = tmp_path / "f.mtref"
    assert _run(capsys, "reference", "export", "friction-starter", str(exported))[0] == 0
    # The same file as the bundled starter: already there, exit 0 (before: "already exists").
    code, out, _ = _run(capsys, "reference", "import", str(exported))
    assert code == 0
    assert out.strip() == (
        "'friction-starter' is already in your library (same content): nothing to do"
    )
    code, out, _ = _run(capsys, "reference", "import", str(exported), "--name", "my-friction")
    assert code == 0 and "imported 'my-friction' (friction)" in out
    shown = json.loads(_run(capsys, "reference", "show", "my-friction", "--json")[1])
    assert shown["name"] == "my-friction" and shown["origin"] == "user"
    code, out, _ = _run(capsys, "reference", "import", str(exported), "--name", "my-friction")
    assert code == 0 and "already in your library (same content)" in out
    # Another content under a taken name is still refused.
    _build(capsys)
    code, _, err = _run(capsys, "reference", "import", str(exported), "--name", "mine")
    assert "already exists" in _one_line(code, err)
    code, _, err = _run(capsys, "reference", "import", str(exported), "--name", "a/b")
    assert "invalid reference name" in _one_line(code, err)


# -- show -------------------------------------------------------------------------------


def test_show_labels_its_numbers_and_tabulates_region_shares(capsys) -> None:
    ref = ReferenceLibrary().get("effleurage-starter")
    code, out, _ = _run(capsys, "reference", "show", "effleurage-starter")
    assert code == 0
    # Before: "duration_s: [0.74, 0.841, 0.945]" and a Python dict of region shares.
    assert "{" not in out and "[" not in out
    lo, typical, hi = ref.duration_s
    assert f"min {lo:.2f} s / typical {typical:.2f} s / max {hi:.2f} s" in out
    assert f"{ref.peak_force_n[0]:.2f} ± {ref.peak_force_n[1]:.2f} N (mean ± sd" in out
    rows = {
        m.group(1): (float(m.group(2)), float(m.group(3)))
        for m in re.finditer(r"^  (\w+)\s+([\d.]+)%\s+([\d.]+)%$", out, re.MULTILINE)
    }
    assert list(rows) == list(ref.regions)
    for region, mean, sd in zip(ref.regions, ref.share_mean, ref.share_sd, strict=True):
        assert rows[region] == pytest.approx((100 * mean, 100 * sd), abs=0.051)


# -- build: mixed takes -----------------------------------------------------------------


def test_build_refuses_takes_labelled_with_another_technique(capsys, tmp_path) -> None:
    takes = [str(FIXTURES / f"{t}-sim.mtcap") for t in ("petrissage", "tapotement", "effleurage")]
    code, _, err = _run(
        capsys, "reference", "build", "wrong-mix", *takes, "--technique", "effleurage"
    )
    line = _one_line(code, err)
    # Before: built silently ("duration 0.46-1.37 s").
    assert f"{takes[0]} is petrissage (capture metadata)" in line
    assert f"{takes[1]} is tapotement (capture metadata)" in line
    assert takes[2] not in line and "--allow-mixed" in line
    assert "wrong-mix" not in _names(capsys)
    code, out, err = _run(
        capsys, "reference", "build", "wrong-mix", *takes, "--technique", "effleurage",
        "--allow-mixed",
    )  # fmt: skip
    assert code == 0 and "built 'wrong-mix'" in out
    assert "warning: building effleurage with --allow-mixed although" in err


def test_build_recognises_unlabelled_takes_of_another_technique(capsys, tmp_path) -> None:
    import dataclasses

    takes: list[str] = []
    for technique in ("effleurage", "petrissage", "effleurage"):
        cap = read_capture(FIXTURES / f"{technique}-sim.mtcap")
        if takes and technique == "effleurage":
            # Another take, not the first one again (the same take twice is refused).
            cap = dataclasses.replace(cap, t=cap.t[200:], values=cap.values[200:])
        path = tmp_path / f"{technique}-{len(takes)}.csv"  # CSV: no label travels with it
        write_csv(cap, path)
        takes.append(str(path))
    code, _, err = _run(capsys, "reference", "build", "mix", *takes, "--technique", "effleurage")
    line = _one_line(code, err)
    assert f"{takes[1]} looks like petrissage (recognised)" in line
    assert takes[0] not in line and takes[2] not in line
    # A new technique: the takes must agree with each other.
    code, _, err = _run(capsys, "reference", "build", "mix", *takes, "--technique", "shiatsu")
    line = _one_line(code, err)
    assert f"{takes[1]} looks like petrissage (recognised)" in line and takes[0] not in line
    code, _, err = _run(
        capsys, "reference", "build", "mix", takes[0], takes[2], "--technique", "shiatsu"
    )
    assert code == 0, err
    # One name rule: a built technique is a technique everywhere; the simulator says it
    # performs only its own (and `demo --reference` takes the reference's technique).
    code, _, err = _run(capsys, "demo", "--headless", "--reference", "mix")
    assert "'shiatsu' has references but no simulation" in _one_line(code, err)


def test_build_warns_about_few_takes_and_one_performer(capsys) -> None:
    code, out, err = _run(
        capsys, "reference", "build", "one", str(EFFLEURAGE), "--technique", "effleurage",
        "--author", "Anna K.",
    )  # fmt: skip
    assert code == 0 and "built 'one'" in out
    warnings = err.strip().splitlines()
    assert warnings == [
        "massage-trainer: warning: built from 1 take(s): 3 to 5 give a steadier band",
        "massage-trainer: warning: one performer (Anna K.): students will learn one person's "
        "stroke; takes by more instructors make a fairer reference",
    ]
