"""``reference build`` refuses the same take given twice (issue 17, "also seen").

It used to accept the same take three times over, so one recording weighed triple in the
template and its band looked tighter than the takes justify.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from sensors.capture import read_capture
from trainer.cli import main
from trainer.exceptions import ScoringError
from trainer.store.references import ReferenceLibrary
from trainer.store.takes import check_distinct

FIXTURES = Path(__file__).parents[2] / "fixtures"
EFFLEURAGE = FIXTURES / "effleurage-sim.mtcap"


def test_the_same_take_three_times_is_refused_in_one_line(capsys, tmp_path: Path) -> None:
    copy = tmp_path / "renamed.mtcap"
    shutil.copyfile(EFFLEURAGE, copy)  # same content under another name
    takes = [str(EFFLEURAGE), str(copy), str(EFFLEURAGE)]
    code = main(["reference", "build", "thrice", *takes, "--technique", "effleurage"])
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1 and "Traceback" not in err
    assert f"{copy} repeats {EFFLEURAGE}" in lines[0]
    assert f"{EFFLEURAGE} repeats {EFFLEURAGE}" in lines[0]
    assert "thrice" not in ReferenceLibrary().names()


def test_distinct_takes_still_build() -> None:
    cap = read_capture(EFFLEURAGE)
    later = dataclasses.replace(cap, t=cap.t[200:], values=cap.values[200:])
    check_distinct([(cap, None), (later, None)])
    # The same take with another trim is another part of it: allowed.
    check_distinct([(cap, None), (cap, (1.0, 11.0))])
    nameless = dataclasses.replace(cap, path=None)
    with pytest.raises(ScoringError, match="take 2 repeats take 1"):
        check_distinct([(nameless, None), (nameless, None)])
