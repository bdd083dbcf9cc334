"""Build massage-trainer as a one-folder bundle that runs without Python installed.

Usage::

    pip install ".[bundle]"
    python tools/build_bundle.py [--dist DIR] [--work DIR] [--clean]

PyInstaller freezes the app as ``tools/massage-trainer.spec`` describes (Qt and its plugins,
the offscreen platform among them, numba and llvmlite, SciPy, the package data) into
``DIR/massage-trainer/`` (default ``dist/massage-trainer/``); the program inside is
``massage-trainer`` (``massage-trainer.exe`` on Windows). The script then runs the bundled
``--version`` once and prints the bundle's size. It builds for the platform it runs on:
see docs/install.md for Windows and macOS.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "tools" / "massage-trainer.spec"
NAME = "massage-trainer"

__all__ = ["build", "bundle_executable", "bundle_size", "main"]


def bundle_executable(bundle: Path) -> Path:
    """Path of the program inside a bundle folder.

    Parameters
    ----------
    bundle : Path
        The bundle folder (``.../massage-trainer``).

    Returns
    -------
    Path
        ``massage-trainer``, with ``.exe`` on Windows.
    """
    return bundle / (NAME + (".exe" if sys.platform == "win32" else ""))


def bundle_size(bundle: Path) -> tuple[int, int]:
    """Bytes and files in a bundle folder, as ``du`` counts them (links not followed).

    Parameters
    ----------
    bundle : Path
        The bundle folder.

    Returns
    -------
    tuple of int
        ``(bytes, files)``.
    """
    total = files = 0
    for folder, _dirs, names in os.walk(bundle):
        for name in names:
            total += os.lstat(os.path.join(folder, name)).st_size
            files += 1
    return total, files


def build(dist: Path, work: Path, *, clean: bool = False, log_level: str = "WARN") -> Path:
    """Run PyInstaller on the spec and return the bundle folder.

    Parameters
    ----------
    dist : Path
        Where the bundle folder goes (``dist / "massage-trainer"``); replaced if present.
    work : Path
        PyInstaller's work files (analysis, archives); kept to speed up the next build.
    clean : bool
        Empty PyInstaller's caches first.
    log_level : str
        PyInstaller's ``--log-level``.

    Returns
    -------
    Path
        The bundle folder.

    Raises
    ------
    SystemExit
        When PyInstaller is missing or fails.
    """
    if importlib.util.find_spec("PyInstaller") is None:
        raise SystemExit('build_bundle: PyInstaller is not installed: pip install ".[bundle]"')
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        "--log-level",
        log_level,
        *(["--clean"] if clean else []),
        str(SPEC),
    ]
    # Not from the source tree (the spec finds it by its own path): `python -m` puts the
    # working directory first on sys.path, and a leftover massage_trainer.egg-info there
    # would be shipped as the installed distribution's metadata.
    work.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(command, cwd=work, check=False)
    if done.returncode != 0:
        raise SystemExit(f"build_bundle: PyInstaller failed (exit {done.returncode})")
    return dist / NAME


def main(argv: list[str] | None = None) -> int:
    """Build the bundle, check that it starts, print where it is and its size.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dist",
        type=Path,
        default=ROOT / "dist",
        help="folder the bundle folder goes into (default: dist/)",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=ROOT / "build",
        help="PyInstaller's work folder (default: build/)",
    )
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's caches first")
    parser.add_argument("--log-level", default="WARN", help="PyInstaller's log level")
    args = parser.parse_args(argv)

    bundle = build(
        args.dist.resolve(), args.work.resolve(), clean=args.clean, log_level=args.log_level
    )
    program = bundle_executable(bundle)
    # The cheapest start that still loads the frozen interpreter, the CLI and the
    # distribution's metadata: a bundle that cannot do this is broken.
    version = subprocess.run(
        [str(program), "--version"], capture_output=True, text=True, check=False
    )
    if version.returncode != 0:
        print(version.stdout + version.stderr, file=sys.stderr)
        raise SystemExit(f"build_bundle: {program} --version failed (exit {version.returncode})")
    size, files = bundle_size(bundle)
    print(f"bundle: {bundle}")
    print(f"program: {program} ({version.stdout.strip()})")
    print(f"size: {size / 2**20:.0f} MiB in {files} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
