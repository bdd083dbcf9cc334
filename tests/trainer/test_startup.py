"""Start-up: commands that need no maths do not import SciPy's signal module, numba or Qt.

Listing sessions (``history``) reads no reference and no score, and listing references
(``reference list``) reads their metadata only, so neither imports NumPy either; the
signal modules import SciPy's signal module only when they filter. A command line
naming a command builds only the parsers of the module that defines it.

Behaviour, not wall time: each command runs in a fresh interpreter, which then reports
which heavy modules it imported (``benchmarks/bench_startup.py`` measures the time).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reference_strokes import bundled_reference_files
from trainer.cli import _COMMAND_MODULES, _COMMANDS, build_parser

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


def _user_library(home: Path) -> None:
    """A user copy of a starter, a file that is no reference, and a hidden starter."""
    folder = home / "references"
    folder.mkdir(parents=True)
    starter = next(r for r in bundled_reference_files() if r.name == "friction-starter.mtref")
    (folder / "friction-starter.mtref").write_bytes(starter.read_bytes())  # shadows it
    (folder / "broken.mtref").write_bytes(b"not a zip archive")
    (folder / "hidden.json").write_text('["tapotement-starter"]', encoding="utf-8")


@pytest.mark.parametrize("library", ["starters", "user-files"])
def test_listing_references_imports_no_numpy(tmp_path, library: str) -> None:
    if library == "user-files":
        _user_library(tmp_path / "home")
    code, loaded = _run(tmp_path, "reference", "list")
    assert code == 0
    assert "numpy" not in loaded, loaded  # metadata only: no array, profile or score model


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_the_command_table_is_what_the_modules_register() -> None:
    assert list(_commands(build_parser())) == list(_COMMANDS)  # --help's order too
    for module in _COMMAND_MODULES:
        subparsers = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(module).register(subparsers)
        assert list(subparsers.choices) == [c for c, m in _COMMANDS.items() if m == module]


@pytest.mark.parametrize(
    "argv",
    [
        ["reference", "list", "--json"],
        ["history", "--since", "2020-01-01"],
        ["score", "x.mtcap", "--reference", "r"],
        ["ratings", "export", "out.json"],
        ["demo", "--headless", "--seconds", "1"],
    ],
)
def test_one_commands_parser_parses_as_the_whole_one(argv: list[str]) -> None:
    whole = build_parser().parse_args(argv)
    assert vars(build_parser(argv[0]).parse_args(argv)) == vars(whole)
    assert _commands(build_parser(argv[0])).keys() == {
        c for c, m in _COMMANDS.items() if m == _COMMANDS[argv[0]]
    }


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
