"""Shared test set-up: isolated user data, offscreen Qt, a fixtures path."""

from __future__ import annotations

import os
import sys
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

FIXTURES = Path(__file__).parent / "fixtures"
DATA = Path(__file__).parent / "data"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="run long variants (soak etc.)")
    parser.addoption("--glove-address", default=None, help="run hardware tests on this glove")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
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
