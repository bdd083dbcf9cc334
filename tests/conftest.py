"""Shared test set-up: isolated user data, offscreen Qt, a fixtures path."""

from __future__ import annotations

import gc
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# CI runs the fuzz tests on a fixed sequence (a landing must not hinge on what a random run
# happens to find); a developer's runs explore anew each time and keep what fails in
# .hypothesis/ to try first next time.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
# Bytecode caches are written (into the gitignored __pycache__ folders) even where
# PYTHONDONTWRITEBYTECODE is set: without them each test worker rewrites the assertions of
# every test module again at collection (about 10 s a worker), and every `python -m
# trainer` a test starts compiles the package from source again (most of a second each).
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
# Helper modules shared across the test folders (person_sessions) are imported by bare name.
sys.path.insert(0, str(Path(__file__).parent))


#: Room a run may need in memory (pytest keeps the last three runs' folders).
_SHM_FREE_BYTES = 4 * 1024**3


def _temporary_files_in_memory(shm: Path = Path("/dev/shm")) -> None:
    """Put the tests' temporary folders (tmp_path, data homes) in memory where Linux has it.

    The store commits with ``synchronous=FULL`` and captures, packs and settings are
    ``fsync``-ed: on this machine's disk each sync waits milliseconds, thousands of times a
    run (the store and pack modules took twice as long as in memory). In memory a sync
    returns at once; what a killed process leaves behind is the same (the page cache
    outlives the process, which is what the SIGKILL tests check). A TMPDIR the caller set is
    kept; a /dev/shm that cannot run programs (noexec) or has under 4 GiB free is not used.
    """
    if "TMPDIR" in os.environ or not shm.is_dir() or not os.access(shm, os.W_OK | os.X_OK):
        return
    stat = os.statvfs(shm)
    if stat.f_flag & getattr(os, "ST_NOEXEC", 0):
        return
    if stat.f_bavail * stat.f_frsize < _SHM_FREE_BYTES:  # a container's small /dev/shm
        return
    os.environ["TMPDIR"] = str(shm)  # children (python -m trainer) too
    tempfile.tempdir = None  # looked up again on next use


_temporary_files_in_memory()

FIXTURES = Path(__file__).parent / "fixtures"
DATA = Path(__file__).parent / "data"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="run long variants (soak etc.)")
    parser.addoption("--glove-address", default=None, help="run hardware tests on this glove")


#: The modules that take longest (a run's ``--durations``, summed by module), longest
#: first. xdist hands out whole modules (``--dist loadfile``) in collection order
#: (``--no-loadscope-reorder``), so these start first and the run ends on short modules: a
#: long module handed out last kept one worker busy for half a minute while the other
#: had nothing left. A module missing here only starts later; keep the longest listed.
LONGEST_FIRST = (
    "tests/trainer/ui/test_screens.py",
    "tests/benchmarks/test_validity.py",
    "tests/trainer/test_app.py",
    "tests/trainer/scoring/test_scoring.py",
    "tests/trainer/ui/test_practice_view.py",
    "tests/trainer/ui/test_instructor_view.py",
    "tests/trainer/scoring/test_live.py",
    "tests/trainer/scoring/test_findings.py",
    "tests/trainer/cli/test_ratings_cmds.py",
    "tests/trainer/ui/test_plots.py",
    "tests/trainer/store/test_hostile_store_documents.py",
    "tests/sensors/capture/test_csv_dialects.py",
    "tests/trainer/ui/test_snapshots.py",
    "tests/trainer/ui/test_connect_view.py",
    "tests/sensors/protocol/test_fuzz.py",
    "tests/trainer/ui/test_history_view.py",
    "tests/trainer/ui/test_people_ui.py",
    "tests/trainer/ui/test_main_window.py",
    "tests/trainer/live/test_coach_blocks.py",
    "tests/trainer/cli/test_adversarial_demo.py",
    "tests/trainer/ui/test_calibration_dialog.py",
    "tests/trainer/test_disconnect_storm.py",
    "tests/trainer/cli/test_feedback_demo.py",
    "tests/trainer/cli/test_adversarial_readonly.py",
    "tests/trainer/store/test_sessions.py",
    "tests/trainer/live/test_soak.py",
    "tests/trainer/store/test_pack_kill.py",
)


def _longest_first(items: list[pytest.Item]) -> None:
    """Order modules: those of LONGEST_FIRST in its order, then the rest by test count.

    The count is xdist's own measure without ``--no-loadscope-reorder``. Tests keep their
    order within a module.
    """
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::", 1)[0], []).append(item)
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    order = sorted(modules, key=lambda m: (rank.get(m, len(rank)), -len(modules[m])))
    items[:] = [item for module in order for item in modules[module]]


def pytest_collection_finish(session: pytest.Session) -> None:
    """Set aside, for the collector, everything alive once the tests are collected.

    Collection imports NumPy, SciPy, numba, Qt and every test module: some 200 000
    tracked objects that live as long as the worker, which every full collection walked
    again (a run of the scoring, CLI and sensor tests spent 3.4 s in 9 of them; 1.8 s
    with these frozen). Garbage is collected first, so nothing unreachable is kept.
    """
    gc.collect()
    gc.freeze()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _longest_first(items)
    if config.getoption("--run-slow"):
        for item in items:  # an hour's soak is meant to take an hour: no per-test timeout
            if "slow" in item.keywords and item.get_closest_marker("timeout") is None:
                item.add_marker(pytest.mark.timeout(0))
        return
    skip = pytest.mark.skip(reason="long variant: pass --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def qapp():
    """pytest-qt's application is the app's own: themed, with garbage collected on the GUI thread.

    A test worker runs many files; a Qt object left as cyclic garbage by one test must not
    be collected later by some other test's worker thread (Qt then deadlocks).
    """
    from trainer.ui.runner import application

    return application()


@pytest.fixture(autouse=True)
def _gui_thread_garbage():
    """Collect, between tests, the garbage the GUI thread's timer would have collected."""
    yield
    runner = sys.modules.get("trainer.ui.runner")
    if runner is not None:
        runner.collect_garbage()


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Every test gets its own MASSAGE_TRAINER_HOME: no test touches real user data."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(home))
    return home


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


def _practise(store: Any, spec: Any, timeout: float = 30.0) -> tuple[Any, list]:
    """Run source -> acquisition -> coach + recorder to the end of the source.

    ``spec`` is a source spec, or a source already built (a fake BLE glove).
    """
    from sensors.sources import open_source
    from trainer.app import make_coach, make_recorder
    from trainer.live import Acquisition, EventKind
    from trainer.store.references import ReferenceLibrary

    # The store's own home: module-scoped callers run before MASSAGE_TRAINER_HOME is set.
    ref = ReferenceLibrary(store.home / "references").get("effleurage-starter")
    acq = Acquisition(open_source(spec) if isinstance(spec, str) else spec)
    recorder = make_recorder(store, ref, "every", spec if isinstance(spec, str) else "ble:fake")
    acq.set_scorer(make_coach(ref))
    acq.set_recorder(recorder, technique=ref.technique, reference=ref.name)
    acq.start()
    events: list[Any] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events += acq.events()
        if any(e.kind is EventKind.FINISHED for e in events):
            break
        time.sleep(0.02)
    acq.stop()
    assert acq.error is None, acq.error
    return recorder, events


@pytest.fixture(scope="session")
def practise() -> Callable[..., tuple[Any, list]]:
    """``practise(store, spec)``: a whole practice session recorded into ``store``."""
    return _practise


@pytest.fixture(scope="session")
def _practised_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A data home with one session practised on the effleurage capture, and its id.

    Never opened again: :func:`practised_home` hands out copies of it.
    """
    from trainer.store.database import Store

    home = tmp_path_factory.mktemp("practised-template")
    with Store(home) as store:
        recorder, _ = _practise(store, f"replay:{FIXTURES / 'effleurage-sim.mtcap'}?speed=0")
    return home, int(recorder.session_id)


@pytest.fixture(scope="session")
def practised_home(
    _practised_template: tuple[Path, int], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], tuple[Path, int]]:
    """``practised_home(name)``: a new data home holding one practised session, and its id.

    The session is what ``practise(store, "replay:<effleurage capture>?speed=0")`` records
    into a new store; it is recorded once per test worker, and each call gets a copy of
    that closed store (its database and capture; paths in it are relative to the home).
    """
    template, session_id = _practised_template

    def make(name: str) -> tuple[Path, int]:
        home = tmp_path_factory.mktemp(name)
        shutil.copytree(template, home, dirs_exist_ok=True)
        return home, session_id

    return make


def _session_in(
    store: Any,
    technique: str = "effleurage",
    *,
    reference: Any = None,
    reference_name: str | None = None,
    capture_from: Path | None = None,
    source: str = "sim",
    feedback_mode: str = "off",
    end: bool = False,
) -> int:
    """Begin a session in ``store`` (capture: a copy of ``capture_from``, else empty)."""
    capture = store.home / "sessions" / f"{technique}-{time.monotonic_ns()}.mtcap"
    capture.parent.mkdir(parents=True, exist_ok=True)
    capture.write_bytes(capture_from.read_bytes() if capture_from is not None else b"")
    sid: int = store.begin_session(
        technique=technique,
        reference=reference,
        reference_name=reference_name or f"{technique}-starter",
        glove="reference-glove",
        source=source if source != "sim" else f"sim:{technique}",
        feedback_mode=feedback_mode,
        capture=capture,
    )
    if end:
        store.end_session(sid, samples=0, duration_s=0.0)
    return sid


@pytest.fixture(scope="session")
def session_in() -> Callable[..., int]:
    """``session_in(store, technique, ...)``: begin a session with a minimal capture."""
    return _session_in


@pytest.fixture(scope="session")
def effleurage_capture() -> Path:
    """A recorded effleurage capture (reference glove)."""
    return FIXTURES / "effleurage-sim.mtcap"
