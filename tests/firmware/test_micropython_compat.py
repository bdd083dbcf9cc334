"""Every firmware file compiles with mpy-cross and imports only what MicroPython has."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fw_fakes import FIRMWARE  # type: ignore[import-not-found]

SOURCES = sorted(FIRMWARE.rglob("*.py"))
# Modules a MicroPython ESP32 build provides (plus aioble, installed with mip) and our own.
ALLOWED_IMPORTS = {"micropython", "time", "struct", "asyncio", "gc", "machine", "bluetooth"}
ALLOWED_IMPORTS |= {"aioble", "glove"}


def _mpy_cross(source: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mpy_cross", "-o", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_firmware_tree_is_what_we_think() -> None:
    names = {p.relative_to(FIRMWARE).as_posix() for p in SOURCES}
    assert {"main.py", "glove/engine.py", "glove/radio.py", "glove/board.py"} <= names


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.relative_to(FIRMWARE).as_posix())
def test_compiles_with_mpy_cross(source: Path, tmp_path: Path) -> None:
    copy = tmp_path / source.name
    shutil.copyfile(source, copy)  # compile a copy: nothing is written next to the sources
    out = tmp_path / (source.stem + ".mpy")
    result = _mpy_cross(copy, out)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:1] == b"M"  # an .mpy file's magic byte


def test_mpy_cross_rejects_what_micropython_cannot_compile(tmp_path: Path) -> None:
    # the check is not vacuous: CPython-only syntax fails here
    bad = tmp_path / "bad.py"
    bad.write_text("def f(x):\n    match x:\n        case 1:\n            return 2\n")
    result = _mpy_cross(bad, tmp_path / "bad.mpy")
    assert result.returncode != 0 and "SyntaxError" in result.stderr


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.relative_to(FIRMWARE).as_posix())
def test_imports_only_micropython_modules(source: Path) -> None:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots = {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            roots = {(node.module or "").split(".")[0]}
        else:
            continue
        # glove.compat falls back to CPython's time module; everything else must exist
        assert roots <= ALLOWED_IMPORTS, f"{source.name}: imports {roots - ALLOWED_IMPORTS}"
