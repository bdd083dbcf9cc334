"""The app a student can install: a PyInstaller bundle that runs with no Python (issue 18).

Slow (the build alone takes minutes): it runs with ``--run-slow``, and needs PyInstaller
(``pip install ".[bundle]"``). ``tools/build_bundle.py`` builds the bundle into a temporary
folder; the bundled program then runs the headless demo twice with a bare environment (no
Python on PATH, no PYTHON* or virtual-environment variables, a fresh home) from two
different working directories. The second run must load every DTW kernel from numba's
on-disk cache: numba's own cache log (``NUMBA_DEBUG_CACHE``) says what was saved and
loaded, and the cache files must be left untouched. Wall times are printed, not judged.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = ROOT / "tools" / "build_bundle.py"
PROGRAM = "massage-trainer" + (".exe" if sys.platform == "win32" else "")
# numba's cache log: "[cache] data saved to '<path>'", "[cache] index loaded from '<path>'".
CACHE_LINE = re.compile(r"^\[cache\] (index|data) (saved to|loaded from) '(.+)'$")


def _path_without_python() -> str:
    """``PATH`` minus every folder that holds a Python interpreter."""
    kept = [
        folder
        for folder in os.environ.get("PATH", "").split(os.pathsep)
        if folder and not any(shutil.which(name, path=folder) for name in ("python", "python3"))
    ]
    path = os.pathsep.join(kept)
    assert shutil.which("python", path=path) is None
    assert shutil.which("python3", path=path) is None
    return path


def _bare_env(user: Path) -> dict[str, str]:
    """An environment as on a student's machine: no Python, a fresh user, no screen."""
    env = {
        "PATH": _path_without_python(),
        "HOME": str(user),
        "XDG_CACHE_HOME": str(user / "cache"),  # Linux: where platformdirs puts the cache
        "XDG_DATA_HOME": str(user / "data"),
        "LOCALAPPDATA": str(user / "AppData" / "Local"),  # Windows
        "MASSAGE_TRAINER_HOME": str(user / "massage-trainer"),
        "QT_QPA_PLATFORM": "offscreen",
        "LANG": "C.UTF-8",
        "NUMBA_DEBUG_CACHE": "1",
    }
    for key in ("SYSTEMROOT", "TMPDIR", "TEMP", "TMP"):  # what Windows and tempfile need
        if key in os.environ:
            env[key] = os.environ[key]
    return env


def _demo(program: Path, env: dict[str, str], cwd: Path) -> tuple[dict[str, Any], list, float]:
    """Run the bundled headless demo: its JSON summary, numba's cache log, wall seconds."""
    cwd.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    done = subprocess.run(
        [str(program), "demo", "--headless", "--seconds", "5", "--json"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,  # a hang fails the test instead of stalling it
    )
    wall = time.perf_counter() - start
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    lines = done.stdout.splitlines()
    cache = [m.groups() for m in map(CACHE_LINE.match, lines) if m]
    summary = json.loads("\n".join(line for line in lines if not CACHE_LINE.match(line)))
    return summary, cache, wall


def _check_summary(summary: dict[str, Any]) -> None:
    assert summary["technique"] == "effleurage"
    assert summary["reference"] == "effleurage-starter"  # bundled package data was found
    assert summary["scoring"] is True
    assert summary["seconds"] == pytest.approx(5.0, abs=0.1)
    assert summary["frames"] > 0
    assert len(summary["strokes"]) >= 1
    assert 0.0 <= summary["session"]["overall"] <= 100.0


def _files(folder: Path) -> dict[Path, tuple[int, int]]:
    """numba cache files under ``folder``: path -> (size, mtime in ns)."""
    return {
        p: (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.suffix in {".nbi", ".nbc"}
    }


@pytest.mark.slow
def test_the_bundle_runs_without_python_and_compiles_kernels_once(tmp_path: Path) -> None:
    pytest.importorskip("PyInstaller", reason='needs PyInstaller: pip install ".[bundle]"')
    build = [sys.executable, str(BUILD_SCRIPT), "--dist", str(tmp_path / "dist")]
    built = subprocess.run(
        [*build, "--work", str(tmp_path / "build")],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-6000:]
    bundle = tmp_path / "dist" / "massage-trainer"
    program = bundle / PROGRAM
    assert program.is_file()
    size_line = next(line for line in built.stdout.splitlines() if line.startswith("size:"))

    user = tmp_path / "user"
    env = _bare_env(user)
    shown = subprocess.run(
        [str(program), "--version"], env=env, capture_output=True, text=True, timeout=120
    )
    # The distribution's metadata travelled with the bundle.
    assert shown.stdout.strip() == f"massage-trainer {version('massage-trainer')}", shown
    assert list(bundle.rglob("massage_trainer-*.dist-info")), "not the installed metadata"

    first, cache_1, wall_1 = _demo(program, env, tmp_path / "cwd-1")
    _check_summary(first)
    saved = {path for kind, verb, path in cache_1 if kind == "data" and verb == "saved to"}
    assert saved, f"run 1 compiled no kernel into the cache: {cache_1}"
    files = _files(user)
    assert {Path(p) for p in saved} <= set(files)
    # In the user's cache directory (platformdirs), never in the bundle's own folder.
    assert all("massage-trainer" in p.parts and "numba" in p.parts for p in files), files
    assert not _files(bundle)

    # Another working directory: numba's fallback cache would be keyed by it.
    second, cache_2, wall_2 = _demo(program, env, tmp_path / "cwd-2")
    _check_summary(second)
    assert [verb for _, verb, _ in cache_2 if verb == "saved to"] == [], cache_2
    loaded = {path for kind, verb, path in cache_2 if kind == "data" and verb == "loaded from"}
    assert saved <= loaded, (saved, loaded)
    assert _files(user) == files  # nothing compiled and written again
    # The same strokes and scores from cached machine code as from freshly compiled.
    assert [(s["start_s"], s["end_s"], s["overall"]) for s in second["strokes"]] == [
        (s["start_s"], s["end_s"], s["overall"]) for s in first["strokes"]
    ]
    print(f"\nbundle {size_line}; demo run 1 {wall_1:.1f} s, run 2 {wall_2:.1f} s (wall)")
