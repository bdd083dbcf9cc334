from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from bleak.exc import BleakBluetoothNotAvailableError, BleakBluetoothNotAvailableReason

from sensors import protocol
from sensors.sources import ble
from trainer.cli import main


class FakeScanner:
    """Two gloves and a kettle, as bleak's ``discover(return_adv=True)`` reports them."""

    @staticmethod
    async def discover(timeout: float = 5.0, return_adv: bool = False) -> dict:
        def entry(address: str, name: str, uuids: list[str], rssi: int) -> tuple:
            device = SimpleNamespace(address=address, name=name)
            return device, SimpleNamespace(local_name=name, service_uuids=uuids, rssi=rssi)

        return {
            "A": entry("AA:AA:AA:AA:AA:AA", "Ref glove", [protocol.GLOVE_SERVICE_UUID], -70),
            "B": entry("BB:BB:BB:BB:BB:BB", "DIY glove", [protocol.NUS_SERVICE_UUID], -40),
            "C": entry("CC:CC:CC:CC:CC:CC", "kettle", [], -30),
        }


class NoAdapterScanner:
    @staticmethod
    async def discover(timeout: float = 5.0, return_adv: bool = False) -> dict:
        reason = BleakBluetoothNotAvailableReason.NO_BLUETOOTH
        raise BleakBluetoothNotAvailableError("no Bluetooth radio", reason)


def _with_scanner(monkeypatch: pytest.MonkeyPatch, scanner: type) -> list[float]:
    seen: list[float] = []
    real_scan = ble.scan

    def scan(timeout_s: float = 5.0) -> list[ble.GloveAdvertisement]:
        seen.append(timeout_s)
        return real_scan(timeout_s, scanner_class=scanner)

    monkeypatch.setattr(ble, "scan", scan)
    return seen


def test_scan_lists_gloves_strongest_first(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen = _with_scanner(monkeypatch, FakeScanner)
    assert main(["scan", "--timeout", "0.2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert seen == [0.2]
    assert len(lines) == 2  # the kettle is not a glove
    assert lines[0].startswith("BB:BB:BB:BB:BB:BB") and "nus-text" in lines[0]
    assert lines[1].startswith("AA:AA:AA:AA:AA:AA") and "glove-v1" in lines[1]


def test_scan_json(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _with_scanner(monkeypatch, FakeScanner)
    assert main(["scan", "--json", "--timeout", "0.1"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [(g["name"], g["kind"], g["rssi"]) for g in found] == [
        ("DIY glove", "nus-text", -40),
        ("Ref glove", "glove-v1", -70),
    ]


def test_no_adapter_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _with_scanner(monkeypatch, NoAdapterScanner)
    assert main(["scan", "--timeout", "0.1"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.splitlines()
    assert len(err) == 1 and err[0].startswith("massage-trainer: error: Bluetooth is not available")


def test_bad_timeout_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["scan", "--timeout", "-1"])
    assert info.value.code == 2
    assert "positive number of seconds" in capsys.readouterr().err


def _bluez_reachable() -> bool:
    return "DBUS_SYSTEM_BUS_ADDRESS" in os.environ or Path("/run/dbus/system_bus_socket").exists()


def test_real_scan_without_adapter_is_one_line_and_non_zero() -> None:
    # CI and this container have no BlueZ: the real command must say so in one line. On a
    # machine with Bluetooth it may list gloves instead, but must never show a traceback.
    out = subprocess.run(
        [sys.executable, "-m", "trainer", "scan", "--timeout", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in out.stderr
    if out.returncode == 0 and _bluez_reachable():
        return
    assert out.returncode == 1 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("massage-trainer: error:")
