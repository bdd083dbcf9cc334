"""Start-up: commands that need no maths do not import SciPy's signal module, numba or Qt.

Listing sessions (``history``) reads no reference and no score, so it imports no NumPy
either; the signal modules import SciPy's signal module only when they filter.

Behaviour, not wall time: each command runs in a fresh interpreter, which then reports
which heavy modules it imported (``benchmarks/bench_startup.py`` measures the time).
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap

import pytest

HEAVY = ("scipy.signal", "numba", "PySide6", "pyqtgraph", "trainer.dtw._kernels")

_RUN = textwrap.dedent(
    """
    import json, sys
    from trainer.cli import main
    try:
        code = main(sys.argv[1:])
    except SystemExit as exit:
        code = exit.code
    watched = ("numpy", "asyncio", *{heavy!r})
    print(json.dumps({{"code": code, "loaded": [m for m in watched if m in sys.modules]}}))
    """
).format(heavy=HEAVY)


def _run(tmp_path, *argv: str) -> tuple[int, list[str]]:
    env = {**os.environ, "MASSAGE_TRAINER_HOME": str(tmp_path / "home")}
    out = subprocess.run(
        [sys.executable, "-c", _RUN, *argv],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    return report["code"], report["loaded"]


def test_version_imports_no_maths_at_all(tmp_path) -> None:
    code, loaded = _run(tmp_path, "--version")
    assert code == 0
    assert loaded == []  # not even NumPy


@pytest.mark.parametrize("argv", [("history",), ("history", "--json"), ("reference", "list")])
def test_listing_commands_import_no_signal_processing_numba_or_qt(tmp_path, argv) -> None:
    code, loaded = _run(tmp_path, *argv)
    assert code == 0
    assert not set(loaded) & set(HEAVY), loaded


def _one_finished_session(tmp_path) -> None:
    from person_sessions import finished_session  # type: ignore[import-not-found]

    from trainer.store.database import Store

    with Store(tmp_path / "home") as store:
        finished_session(store, "student", None)


@pytest.mark.parametrize("sessions", [False, True], ids=["empty", "one-session"])
@pytest.mark.parametrize(
    "argv",
    [
        ("history",),
        ("history", "--json"),
        ("history", "--deleted"),
        ("history", "--since", "2020-01-01"),
    ],
)
def test_listing_sessions_imports_no_numpy(tmp_path, argv, sessions: bool) -> None:
    if sessions:
        _one_finished_session(tmp_path)
    code, loaded = _run(tmp_path, *argv)
    assert code == 0
    assert "numpy" not in loaded, loaded  # nor the reference format, profiles or scoring model


def test_signal_modules_import_scipy_signal_only_to_filter() -> None:
    probe = textwrap.dedent(
        """
        import sys
        import trainer.signal.activity, trainer.signal.calibration
        import trainer.signal.features, trainer.signal.filters, trainer.signal.resample
        before = "scipy.signal" in sys.modules
        from trainer.signal import design_lowpass
        design_lowpass(5.0, 100.0)
        print(before, "scipy.signal" in sys.modules)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "True"]


@pytest.mark.parametrize("package", ["sensors", "trainer.scoring", "trainer.signal", "trainer.dtw"])
def test_lazy_packages_still_export_every_public_name(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        value = getattr(module, name)
        assert value is not None, name
        assert name in dir(module)
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        module.not_a_name  # noqa: B018 - the access is the test


def test_version_is_the_installed_distributions() -> None:
    from importlib.metadata import version

    import trainer

    assert trainer.__version__ == version("massage-trainer")
