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

# Runs inside the namespace: each command against the read-only home, in turn in this one
# process (the command line's own main, its output captured), results as JSON.
_DRIVER = """
import contextlib, io, json, os, sys
home, out = sys.argv[1], sys.argv[2]
os.environ["MASSAGE_TRAINER_HOME"] = home
from trainer.cli import main
results = []
for args in json.loads(sys.argv[3]):
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
print(json.dumps({"results": results, "home_writable": writable}))
"""

COMMANDS = [
    ["history", "--json"],
    ["history", "--deleted", "--json"],
    ["replay", "A1", "--json"],
    ["export", "S1", "--csv", "{out}/s1.csv"],
    ["pack", "export", "{out}/s1.mtpack", "--session", "1"],
    ["history", "--delete", "1"],
]


def _read_only_run(home: Path, out: Path) -> dict:
    mount = home.parent / f"{home.name}-ro"  # the read-only view of the home
    mount.mkdir()
    script = (
        'mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" && exec "$3" -c "$4" "$2" '
        '"$5" "$6"'
    )
    done = subprocess.run(
        ["unshare", "--mount", "sh", "-c", script, "sh", str(home), str(mount), sys.executable,
         _DRIVER, str(out), json.dumps(COMMANDS)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if done.returncode != 0 and done.stderr.startswith(("mount:", "unshare:")):
        pytest.skip(f"cannot make a read-only bind mount here: {done.stderr.strip()[:200]}")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["home_writable"] is False  # the home really was read-only
    return result


@pytest.fixture(scope="module")
def recorded_home(practised_home) -> Path:
    if shutil.which("unshare") is None:
        pytest.skip("no unshare(1)")
    home, _ = practised_home("ro-source")
    return home


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


def test_a_cleanly_closed_read_only_home_reads(recorded_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(recorded_home, home)
    assert not (home / f"{DATABASE_FILE}-wal").exists()
    out = tmp_path / "out"
    out.mkdir()
    _check(_read_only_run(home, out), out, deleted=False)


def test_a_read_only_home_with_a_wal_and_no_shm_reads_the_wal(
    recorded_home: Path, tmp_path: Path
) -> None:
    # Copied while a program had the database open: the last change is only in the -wal.
    home = tmp_path / "home"
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
    out = tmp_path / "out"
    out.mkdir()
    _check(_read_only_run(home, out), out, deleted=True)
    assert os.listdir(home).count(DATABASE_FILE) == 1
