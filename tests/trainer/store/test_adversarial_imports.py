"""Two programs on one data home during a pack import (issue 17, defect 1).

Opening a store settles what a *killed* import left behind; it used to remove every
``*.mtcap.importing`` file without a row, including the in-flight files of an import
still running in another program, which then committed rows whose captures were gone.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from trainer.exceptions import StoreError
from trainer.store.database import Store
from trainer.store.packs import export_pack, import_pack
from trainer.store.recovery import IMPORTING_SUFFIX, OWNER_SUFFIX, ImportClaim
from trainer.store.references import ReferenceLibrary

SESSIONS = 2

# The child stops inside the import, after its partial captures are written and before
# its rows are committed, says so, and goes on only when told (a readiness handshake).
_CHILD = """
import sys
from pathlib import Path
from trainer.store.database import Store
from trainer.store.packs import import_pack
from trainer.store.references import ReferenceLibrary

original = Store.import_sessions

def paused(self, *args, **kwargs):
    print("written", flush=True)
    sys.stdin.readline()
    return original(self, *args, **kwargs)

Store.import_sessions = paused
home = Path(sys.argv[2])
with Store(home) as store:
    result = import_pack(Path(sys.argv[1]), store=store,
                         library=ReferenceLibrary(home / "references"))
print("done", len(result["sessions"]), flush=True)
"""


@pytest.fixture(scope="module")
def two_session_pack(tmp_path_factory, practise, effleurage_capture) -> Path:
    home = tmp_path_factory.mktemp("race-source")
    out = home / "two.mtpack"
    with Store(home) as store:
        ids = [
            practise(store, f"replay:{effleurage_capture}?speed=0")[0].session_id
            for _ in range(SESSIONS)
        ]
        export_pack(out, store=store, sessions=ids, library=ReferenceLibrary(home / "refs"))
    return out


def test_a_second_program_leaves_a_running_imports_captures_alone(
    two_session_pack: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(two_session_pack), str(home)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert child.stdout is not None and child.stdin is not None
        line = child.stdout.readline().strip()
        assert line == "written", child.stderr.read() if child.stderr else line
        partials = sorted((home / "sessions").rglob(f"*{IMPORTING_SUFFIX}"))
        assert len(partials) == SESSIONS
        # A second program opens the data home while the import is in flight.
        with Store(home) as other:
            assert other.sessions() == []
        assert sorted((home / "sessions").rglob(f"*{IMPORTING_SUFFIX}")) == partials
        child.stdin.write("go\n")
        child.stdin.flush()
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate(timeout=10)
    assert child.returncode == 0, err
    assert out.split() == ["done", str(SESSIONS)]
    with Store(home) as store:
        sessions = store.sessions()
        assert len(sessions) == SESSIONS
        assert all(s.capture.is_file() for s in sessions)
        assert store.integrity_check() == "ok"
    assert not list(home.rglob(f"*{IMPORTING_SUFFIX}"))
    assert not list(home.rglob(f"*{OWNER_SUFFIX}"))  # the import removed its record


def test_what_a_dead_import_left_is_still_settled(tmp_path: Path) -> None:
    folder = tmp_path / "sessions" / "2026" / "01"
    folder.mkdir(parents=True)
    stray = folder / f"20260101T000000Z-effleurage.mtcap{IMPORTING_SUFFIX}"
    stray.write_bytes(b"copy of what is still in the pack")
    # A program that has exited: its pid no longer runs.
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    import socket

    record = tmp_path / "sessions" / f"dead{OWNER_SUFFIX}"
    record.write_text(
        f"{socket.gethostname()}:{done.stdout.strip()}\nsessions/2026/01/{stray.name}\n"
    )
    with Store(tmp_path):
        pass
    assert not stray.exists() and not record.exists()


def test_a_live_claim_keeps_its_files_until_released(tmp_path: Path) -> None:
    folder = tmp_path / "sessions" / "2026" / "01"
    folder.mkdir(parents=True)
    claim = ImportClaim(tmp_path)
    partial = claim.claim(folder / f"x.mtcap{IMPORTING_SUFFIX}")
    partial.write_bytes(b"in flight")
    with Store(tmp_path):
        pass
    assert partial.exists() and claim.path.exists()
    claim.release()
    with Store(tmp_path):
        pass
    assert not partial.exists()


def test_rows_are_never_committed_for_captures_that_are_gone(
    two_session_pack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = Store.import_sessions

    def vanish_then_import(self, *args, **kwargs):
        # Another (older) program removes an in-flight capture just before the commit.
        next((self.home / "sessions").rglob(f"*{IMPORTING_SUFFIX}")).unlink()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Store, "import_sessions", vanish_then_import)
    with Store(tmp_path) as store:
        with pytest.raises(StoreError, match="vanished") as info:
            import_pack(
                two_session_pack, store=store, library=ReferenceLibrary(tmp_path / "references")
            )
        assert "\n" not in str(info.value)
        assert store.sessions() == []
    assert not list(tmp_path.rglob("*.mtcap*"))
    assert not list(tmp_path.rglob(f"*{OWNER_SUFFIX}"))
