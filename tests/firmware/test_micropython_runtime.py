"""The firmware's pure modules give the same bytes under MicroPython as under CPython.

``mpy_drive.py`` drives them (batches at two MTUs and rates across both wraps, tare,
SET_RATE, a refused command, nus-text at the default MTU, advertising, battery, schedule)
and prints every byte. Under CPython its output is decoded here with the app's
``sensors.protocol``. To compare with MicroPython itself, run the driver under a MicroPython unix
binary by hand (``MICROPYPATH=firmware micropython tests/firmware/mpy_drive.py``): the suite
does not, since CI has no such binary and a test skipped there forever proves nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from fw_fakes import FIRMWARE  # type: ignore[import-not-found]

from sensors import protocol

DRIVER = FIRMWARE.parent / "tests" / "firmware" / "mpy_drive.py"


def _run(command: list[str], env_key: str) -> list[tuple[str, str]]:
    env = {**os.environ, env_key: str(FIRMWARE)}
    result = subprocess.run(
        [*command, str(DRIVER)], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return [tuple(line.split(" ", 1)) for line in result.stdout.splitlines()]  # type: ignore[misc]


@pytest.fixture(scope="module")
def cpython_output() -> list[tuple[str, str]]:
    return _run([sys.executable], "PYTHONPATH")


def test_driver_output_decodes_with_the_apps_protocol(cpython_output: list) -> None:
    v1 = [protocol.decode(bytes.fromhex(h)) for tag, h in cpython_output if tag == "glove-v1"]
    seqs = [p.seq for p in v1]
    assert seqs[:8] == [65530, 65531, 65532, 65533, 65534, 65535, 0, 1]  # first run wraps
    assert sum(p.tared for p in v1) == 1  # the TARE of the second run
    assert {p.dt_us for p in v1} == {10_000, 5000, 2500}  # 100 Hz; 200 Hz, then SET_RATE 400
    configs = [protocol.decode_config(bytes.fromhex(h)) for t, h in cpython_output if t == "config"]
    assert [c.sample_rate_hz for c in configs] == [100.0, 400.0, 100.0]
    statuses = [int(h) for t, h in cpython_output if t == "status"]
    assert statuses == [0, 0, 0x80]  # TARE, SET_RATE 400, unknown opcode 0x09
    assembler = protocol.LineAssembler()
    text = bytes.fromhex("".join(h for t, h in cpython_output if t == "nus-text"))
    lines = assembler.feed(text)
    stamps = [protocol.decode_text_line(line, channels=5).t_ms for line in lines]
    # 101 samples in 1 s; the last line still waits in the unsent notification
    assert len(lines) == 100 and stamps[0] == 4294967000 and min(stamps) == 4  # wrapped
    clock = protocol.DeviceClock(wrap=2**32, ticks_per_s=1e3)
    assert np.allclose(np.diff([clock.to_seconds(t) for t in stamps]), 0.01)
    battery = bytes.fromhex(dict(cpython_output)["battery"])
    assert [protocol.decode_battery_level(battery[i : i + 1]) for i in range(5)] == [
        0,
        0,
        46,
        100,
        100,
    ]
