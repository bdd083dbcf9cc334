"""A read-only data home can be read (issue 17, defect 4).

Backups, read-only shares and locked-down lab machines: ``history``, ``export``,
``replay --json`` and ``pack export`` all failed with "unable to open database file"
(SQLite cannot create a WAL database's ``-shm`` there). Tests run as root, where chmod
stops nothing, so the home is made really read-only: a read-only bind mount inside a
private mount namespace (``unshare --mount``), which vanishes with the command. Where
that is not allowed the tests are skipped (they then prove nothing).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from trainer.store.database import DATABASE_FILE

# Runs inside the namespace: for each (read-only home, output folder) in turn, each command
# against that home in this one process (the command line's own main, its output captured),
# results as JSON. One process for both homes: its start-up (Python, NumPy, SciPy) is paid
# once; the homes are separate files, and each command opens its home anew.
_DRIVER = """
import contextlib, io, json, os, sys
from trainer.cli import main
report = []
for home, out in json.loads(sys.argv[1]):
    os.environ["MASSAGE_TRAINER_HOME"] = home
    results = []
    for args in json.loads(sys.argv[2]):
        args = [a.replace("{out}", out) for a in args]
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(args)
        results.append([code, stdout.getvalue(), stderr.getvalue()])
    probe = os.path.join(home, "probe")
    try:
        open(probe, "w").close()
        writable = True
    except OSError:
        writable = False
    report.append({"results": results, "home_writable": writable})
print(json.dumps(report))
"""

COMMANDS = [
    ["history", "--json"],
    ["history", "--deleted", "--json"],
    ["replay", "A1", "--json"],
    ["export", "S1", "--csv", "{out}/s1.csv"],
    ["pack", "export", "{out}/s1.mtpack", "--session", "1"],
    ["history", "--delete", "1"],
]


def _read_only_runs(homes: list[tuple[Path, Path]]) -> list[dict]:
    """Run COMMANDS on each (home, output folder), each home seen through a read-only mount.

    One private mount namespace and one process for all the homes (start-up paid once).
    """
    argv = [sys.executable, _DRIVER]
    pairs = []
    for home, out in homes:
        mount = home.parent / f"{home.name}-ro"  # the read-only view of the home
        mount.mkdir()
        argv += [str(home), str(mount)]
        pairs.append((str(mount), str(out)))
    script = (
        'py="$1" code="$2"; shift 2; while [ "$#" -gt 0 ]; do '
        'mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" || exit; shift 2; done; '
        'exec "$py" -c "$code" "$PAIRS" "$COMMANDS"'
    )
    done = subprocess.run(
        ["unshare", "--mount", "sh", "-c", script, "sh", *argv],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "PAIRS": json.dumps(pairs), "COMMANDS": json.dumps(COMMANDS)},
    )  # fmt: skip
    if done.returncode != 0 and done.stderr.startswith(("mount:", "unshare:")):
        pytest.skip(f"cannot make a read-only bind mount here: {done.stderr.strip()[:200]}")
    assert done.returncode == 0, done.stderr
    report: list[dict] = json.loads(done.stdout)
    assert len(report) == len(homes)
    assert not any(r["home_writable"] for r in report)  # the homes really were read-only
    return report


@pytest.fixture(scope="module")
def recorded_home(practised_home) -> Path:
    if shutil.which("unshare") is None:
        pytest.skip("no unshare(1)")
    home, _ = practised_home("ro-source")
    return home


def _closed_copy(recorded_home: Path, home: Path) -> None:
    """A copy of a cleanly closed home: no -wal left."""
    shutil.copytree(recorded_home, home)
    assert not (home / f"{DATABASE_FILE}-wal").exists()


def _copy_with_wal(recorded_home: Path, home: Path) -> None:
    """A copy made while a program had the database open: the last change (every session
    deleted) is only in the -wal, and there is no -shm."""
    conn = sqlite3.connect(recorded_home / DATABASE_FILE)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("UPDATE sessions SET deleted_at = '2026-01-01T00:00:00.000+00:00'")
    conn.commit()
    try:
        shutil.copytree(recorded_home, home)
    finally:
        conn.execute("UPDATE sessions SET deleted_at = NULL")
        conn.commit()
        conn.close()
    (home / f"{DATABASE_FILE}-shm").unlink()
    assert (home / f"{DATABASE_FILE}-wal").stat().st_size > 0


#: The read-only homes, each made from the recorded home by its function.
HOMES = {"closed": _closed_copy, "wal": _copy_with_wal}


@pytest.fixture(scope="module")
def read_only_runs(
    recorded_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[dict, Path, Path]]:
    """``{kind: (commands' results, output folder, home)}``, every home in one run."""
    homes = []
    for kind, make in HOMES.items():
        folder = tmp_path_factory.mktemp(f"ro-{kind}")
        home, out = folder / "home", folder / "out"
        make(recorded_home, home)
        out.mkdir()
        homes.append((home, out))
    report = _read_only_runs(homes)
    return {
        kind: (result, out, home)
        for kind, result, (home, out) in zip(HOMES, report, homes, strict=True)
    }


def _check(result: dict, out: Path, *, deleted: bool) -> None:
    (hist, hist_deleted, replay, export, pack, delete) = result["results"]
    for rc, _, stderr in (hist, hist_deleted, replay, export, pack):
        assert rc == 0, stderr
    listed = json.loads(hist_deleted[1] if deleted else hist[1])
    assert [s["id"] for s in listed["sessions"]] == [1]
    replayed = json.loads(replay[1])
    assert replayed["session"]["id"] == 1 and replayed["attempts"][replayed["focus"]]["id"] == 1
    assert (out / "s1.csv").stat().st_size > 1000
    assert (out / "s1.mtpack").stat().st_size > 1000
    rc, _, stderr = delete
    lines = stderr.strip().splitlines()
    assert rc == 1 and len(lines) == 1 and "read-only" in lines[0], stderr
    assert "unreadable" not in stderr and "Traceback" not in stderr


def test_a_cleanly_closed_read_only_home_reads(read_only_runs) -> None:
    result, out, _ = read_only_runs["closed"]
    _check(result, out, deleted=False)


def test_a_read_only_home_with_a_wal_and_no_shm_reads_the_wal(read_only_runs) -> None:
    result, out, home = read_only_runs["wal"]
    _check(result, out, deleted=True)
    assert os.listdir(home).count(DATABASE_FILE) == 1
