from __future__ import annotations

import subprocess
import sys

import pytest

from trainer import __version__
from trainer.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) != 0
    assert "usage: massage-trainer" in capsys.readouterr().out


def test_python_dash_m_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "trainer", "--help"], capture_output=True, text=True, check=True
    )
    assert "massage-trainer" in out.stdout


def test_data_home_env_override(tmp_path, monkeypatch) -> None:
    from trainer.store.paths import data_home

    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(tmp_path / "x"))
    assert data_home() == tmp_path / "x"
    assert (tmp_path / "x").is_dir()


def test_demo_without_a_screen_is_one_line_not_an_abort() -> None:
    import os

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}
    }
    out = subprocess.run(
        [sys.executable, "-m", "trainer", "demo", "--seconds", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "massage-trainer: error: no screen found (DISPLAY/WAYLAND_DISPLAY unset): "
        "use `massage-trainer demo --headless`"
    ]


def test_a_terminal_that_cannot_encode_a_dash_gets_no_traceback(tmp_path, session_in) -> None:
    # Issue 17, defect 11: `history` printed "–" for a session without strokes, and a
    # non-UTF-8 stdout (LC_ALL=C, PYTHONIOENCODING=ascii) turned it into a traceback.
    import os

    from trainer.store.database import Store

    home = tmp_path / "home"
    with Store(home) as store:
        session_in(store, "effleurage", end=True)
    env = {**os.environ, "MASSAGE_TRAINER_HOME": str(home), "PYTHONIOENCODING": "ascii"}
    out = subprocess.run(
        [sys.executable, "-m", "trainer", "history"], capture_output=True, text=True, env=env
    )
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    assert "effleurage" in out.stdout
