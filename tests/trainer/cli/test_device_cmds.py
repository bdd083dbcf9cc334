from __future__ import annotations

import json
import subprocess
import sys

import pytest

from trainer.cli import main


def test_scan_lists_gloves(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sensors.sources import ble

    monkeypatch.setattr(
        ble, "scan", lambda timeout: [ble.GloveAdvertisement("AA:BB", "Glove", -40, "glove-v1")]
    )
    assert main(["scan", "--json", "--timeout", "0.1"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["name"] == "Glove"


def test_scan_without_adapter_is_one_line_and_non_zero() -> None:
    # This machine (and CI) has no Bluetooth adapter / BlueZ: the real command must say so.
    out = subprocess.run(
        [sys.executable, "-m", "trainer", "scan", "--timeout", "0.5"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("massage-trainer: error:")
    assert "Traceback" not in out.stderr
