"""SIGKILL at random moments of a pack import (real subprocesses).

Whatever the moment, the database stays sound (``PRAGMA integrity_check``), a session
is either wholly there (row, every attempt, its capture) or not at all, no capture is
left without its row, the library's references are whole files, and importing the same
pack again completes the job exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from trainer.store.database import Store
from trainer.store.packs import export_pack, import_pack
from trainer.store.references import ReferenceLibrary

SESSIONS = 3
KILLS = 6

# The child imports everything first, says so, then imports the pack when told.
_CHILD = """
import sys
from pathlib import Path
from trainer.store.database import Store
from trainer.store.packs import import_pack
from trainer.store.references import ReferenceLibrary
home = Path(sys.argv[2])
print("ready", flush=True)
sys.stdin.readline()
with Store(home) as store:
    import_pack(Path(sys.argv[1]), store=store, library=ReferenceLibrary(home / "references"))
print("done", flush=True)
"""


@pytest.fixture(scope="module")
def big_pack(tmp_path_factory, practise, effleurage_capture) -> Path:
    home = tmp_path_factory.mktemp("kill-source")
    out = home / "three.mtpack"
    with Store(home) as store:
        ids = [
            practise(store, f"replay:{effleurage_capture}?speed=0")[0].session_id
            for _ in range(SESSIONS)
        ]
        export_pack(
            out,
            store=store,
            references=["friction-starter"],
            sessions=ids,
            library=ReferenceLibrary(home / "references"),
        )
    return out


def _child(pack: Path, home: Path) -> subprocess.Popen[str]:
    """Start a child that imports ``pack`` into ``home`` once told; return it when ready."""
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(pack), str(home)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    return child


def _go(child: subprocess.Popen[str]) -> None:
    assert child.stdin is not None
    child.stdin.write("go\n")
    child.stdin.flush()


def _import_seconds(pack: Path, home: Path) -> float:
    """How long a child takes from "go" to a finished import (what the kills must span).

    Measured in a child as the killed ones run, not in this process: the child first
    loads what the import needs (modules this process has loaded long ago), and timed
    here the window was so short that every kill landed before the import began.
    """
    child = _child(pack, home)
    try:
        t = time.perf_counter()
        _go(child)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "done"
        return time.perf_counter() - t
    finally:
        child.communicate(timeout=30)


def test_sigkill_during_pack_import_leaves_all_or_nothing(big_pack, tmp_path) -> None:
    window = _import_seconds(big_pack, tmp_path / "timing")
    rng = np.random.default_rng(7)
    outcomes = []
    for k in range(KILLS):
        home = tmp_path / f"home{k}"
        child = _child(big_pack, home)
        try:
            _go(child)
            # Spread the kills over the import (its opening of the store included).
            time.sleep(float(rng.uniform(0.0, 1.3 * window)))
            child.send_signal(signal.SIGKILL)
        finally:
            if child.poll() is None:
                child.kill()
            child.communicate(timeout=10)

        with Store(home) as store:
            assert store.integrity_check() == "ok"
            sessions = store.sessions()
            assert len(sessions) in (0, SESSIONS)  # one transaction: all or nothing
            for s in sessions:
                assert len(store.attempts(s.id)) == s.attempts > 0
                assert s.capture.is_file()
            # No capture without its row, and none left half imported.
            on_disk = sorted((home / "sessions").rglob("*.mtcap*")) if sessions else []
            assert on_disk == sorted(s.capture for s in sessions)
            leftovers = list(home.rglob("*.importing"))
            assert leftovers == []
            outcomes.append(len(sessions))
            library = ReferenceLibrary(home / "references")
            for name in library.names():
                library.get(name)  # every reference file present is whole
            # Importing again finishes the job, once.
            result = import_pack(big_pack, store=store, library=library)
            assert len(result["sessions"]) + result["skipped"] == SESSIONS
            assert len(store.sessions()) == SESSIONS
            assert store.integrity_check() == "ok"
    print("sessions present after each kill:", outcomes)
