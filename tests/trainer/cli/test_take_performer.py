"""A take recorded with ``record --user`` names its performer (issues 20 and 17).

Before: ``reference build`` read a take's performer only from the take's own author
field, so takes recorded on the command line with ``--user`` built a reference whose
performers were "not recorded", and the takes shelf listed them without an author.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from trainer.cli import main
from trainer.store.references import ReferenceLibrary
from trainer.store.takes import TakeShelf


def _record(out: Path, seed: int, user: str) -> Path:
    spec = f"sim:effleurage?seed={seed}&speed=0"
    assert (
        main(["record", "--source", spec, "--seconds", "6", "--out", str(out), "--user", user]) == 0
    )
    return out


@pytest.fixture
def takes(tmp_path, monkeypatch) -> list[Path]:
    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(tmp_path / "home"))
    return [
        _record(tmp_path / "ana.mtcap", 1, "Ana Lopez"),
        _record(tmp_path / "bo.mtcap", 2, "Bo"),
    ]


def test_reference_build_names_the_performers_record_user_stored(tmp_path, takes, capsys) -> None:
    capsys.readouterr()
    assert main(["reference", "build", "ours", *map(str, takes), "--technique", "effleurage"]) == 0
    ref = ReferenceLibrary(tmp_path / "home" / "references").get("ours")
    assert ref.performers == ("Ana Lopez", "Bo")
    assert ref.author == ""  # the reference's own author field is left as given
    assert "one performer" not in capsys.readouterr().err


def test_a_take_s_own_author_wins_over_record_user(tmp_path, takes, capsys) -> None:
    shelf = TakeShelf(tmp_path / "home")
    unnamed = shelf.add_file(takes[0], "effleurage")
    named = shelf.add_file(takes[1], "effleurage", author="Cy")
    assert (unnamed.author, named.author) == ("Ana Lopez", "Cy")
    ref = shelf.build([unnamed.path.name, named.path.name], name="shelf", technique="effleurage")
    assert ref.performers == ("Ana Lopez", "Cy")
