"""The command line on CSVs as spreadsheets write them (issue 15): info, score, record, build."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sensors.capture import Capture, read_capture
from trainer.cli import main


def _german_excel_csv(cap: Capture, path: Path) -> None:
    """BOM, ``sep=;``, CR LF, a units row, decimal commas, columns in reverse order, time last."""
    names = list(reversed(cap.channel_names))
    order = [cap.channel_names.index(n) for n in names]
    lines = ["sep=;", ";".join([*names, "Time (s)"]), ";".join(["N"] * len(names) + ["s"])]
    for t, row in zip(cap.t.tolist(), cap.values[:, order].tolist(), strict=True):
        lines.append(";".join(repr(x).replace(".", ",") for x in [*row, t]))
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_spreadsheet_csv_through_the_command_line(
    fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    native = fixtures_dir / "effleurage-sim.mtcap"
    cap = read_capture(native)
    sheet = tmp_path / "take.csv"
    _german_excel_csv(cap, sheet)

    code, out, err = _run(capsys, "info", str(sheet), "--json")
    assert code == 0, err
    info = json.loads(out)
    assert info["format"] == "csv" and info["profile"] == "reference-glove"
    assert info["samples"] == cap.n_samples and info["sensors"] == list(cap.channel_names)

    # Scoring the spreadsheet gives exactly what scoring the original recording gives.
    code, from_native, _ = _run(capsys, "score", str(native), "--reference", "effleurage-starter",
                                "--json")  # fmt: skip
    assert code == 0
    code, from_sheet, err = _run(capsys, "score", str(sheet), "--reference", "effleurage-starter",
                                 "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(from_sheet)["strokes"] and from_sheet == from_native

    # Replayed as a glove and recorded, it becomes a native capture of the same samples.
    out_path = tmp_path / "again.mtcap"
    code, _, err = _run(capsys, "record", "--source", f"replay:{sheet}?speed=0", "--out",
                        str(out_path))  # fmt: skip
    assert code == 0, err
    again = read_capture(out_path)
    np.testing.assert_array_equal(again.values, cap.values)
    np.testing.assert_allclose(again.t - again.t[0], cap.t - cap.t[0], atol=1e-9)

    # And an instructor can build a reference from it.
    code, out, err = _run(capsys, "reference", "build", "from-sheet", str(sheet), "--technique",
                          "effleurage")  # fmt: skip
    assert code == 0 and "built 'from-sheet'" in out, err


def test_csv_of_an_unknown_glove_needs_no_hand_written_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "other-glove.csv"
    sheet.write_text('"t_ms","F1","F2",\n' + "".join(f'"{5 * i}","{i}","1",\n' for i in range(50)))
    code, out, err = _run(capsys, "info", str(sheet), "--json")
    assert code == 0, err
    info = json.loads(out)
    assert info["profile"] == "generic-csv" and info["sensors"] == ["F1", "F2"]
    assert info["sample_rate_hz"] == pytest.approx(200.0) and info["samples"] == 50
    # ...and says so, in one line on stderr (the JSON on stdout stays clean).
    assert len(err.strip().splitlines()) == 1 and "generic" in err.lower()
