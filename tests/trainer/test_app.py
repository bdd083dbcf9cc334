"""The app's composition and the ``gui``/``demo`` commands (headless; Ctrl+C and SIGTERM in a
subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trainer.app import default_services, load_references, make_coach, settings_path
from trainer.cli import build_parser, main
from trainer.store.database import Store


def _run(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MASSAGE_TRAINER_HOME": str(home)}
    env.pop("QT_QPA_PLATFORM", None)  # --headless must set it by itself
    return subprocess.run(
        [sys.executable, "-m", "trainer", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_demo_headless_writes_a_png_and_a_json_summary(
    tmp_path: Path, _isolated_home, capsys, monkeypatch
) -> None:
    png = tmp_path / "shots" / "demo.png"
    # In this process: the same command and window as `python -m trainer`, without paying
    # Python's, Qt's, SciPy's and numba's start-up once more (the Ctrl+C and SIGTERM tests
    # below start the demo as a process of its own). --headless must select the offscreen
    # platform by itself.
    monkeypatch.delenv("QT_QPA_PLATFORM")
    # At 1x, not the headless 4x: 4 s of frames, so "more than 10" holds when another
    # test worker shares the cores (at 4x a busy machine painted 7 in its 1 s, at 2x one
    # loaded by other processes too painted 5 in its 2 s; idle, 2x paints about 100).
    code = main(
        ["demo", "--headless", "--seconds", "4", "--speed", "1", "--screenshot", str(png),
         "--json"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    assert os.environ["QT_QPA_PLATFORM"] == "offscreen"
    summary = json.loads(out)
    assert summary["technique"] == "effleurage"
    assert summary["reference"] == "effleurage-starter"
    assert summary["glove"] == "reference-glove"
    assert summary["performer"].startswith("simulated effleurage (seed ")  # no student
    assert "student" not in summary["performer"]
    assert summary["seconds"] == pytest.approx(4.0, abs=0.05)
    assert summary["frames"] > 10
    # Effleurage at 40-50 strokes/min: a 4 s run finishes two or three strokes.
    assert 2 <= len(summary["strokes"]) <= 4
    for stroke in summary["strokes"]:
        assert 0 <= stroke["overall"] <= 100
        assert set(stroke) >= {"shape", "pressure", "tempo", "smoothness", "deductions"}
    mean = sum(s["overall"] for s in summary["strokes"]) / len(summary["strokes"])
    assert summary["overall"] == pytest.approx(mean, abs=0.051)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    assert summary["screenshot"] == str(png)
    assert "Traceback" not in err
    assert not (_isolated_home / "settings.ini").exists()  # headless remembers nothing


def test_demo_frames_exits_after_n_frames(capsys) -> None:
    # In this process, as the demo above.
    assert main(["demo", "--headless", "--frames", "5", "--seconds", "60"]) == 0
    out = capsys.readouterr().out
    assert "5 frames" in out or "6 frames" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seconds", "-1"], "--seconds must be a positive number"),
        (["--technique", "shiatsu"], "unknown technique 'shiatsu'"),
        (["--frames", "0"], "--frames must be >= 1"),
    ],
)
def test_demo_rejects_bad_arguments_in_one_line(args, message, capsys) -> None:
    # In this process: each is refused before any window, Qt or simulation starts.
    assert main(["demo", "--headless", *args]) == 1
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and message in err


def test_gui_and_demo_are_registered() -> None:
    parser = build_parser()
    for command in ("gui", "demo"):
        args = parser.parse_args([command])
        assert callable(args.func)


def test_default_services_are_the_real_pieces(_isolated_home) -> None:
    services = default_services()
    assert services.profiles[0] == "reference-glove"
    assert "effleurage" in services.techniques
    assert services.open_store is not None
    store = services.open_store()
    try:
        assert store.path == _isolated_home / "massage-trainer.db"
        assert services.make_recorder is not None
    finally:
        store.close()
    refs = load_references()
    assert {r.name for r in refs} >= {"effleurage-starter", "tapotement-starter"}
    coach = make_coach(refs[0], "every_n", 3)
    assert coach.schedule.mode == "every_n" and coach.schedule.n == 3
    source = services.open_source("sim:friction?seed=2")
    assert source.profile.name == "reference-glove"
    assert settings_path() == _isolated_home / "settings.ini"


def test_a_corrupt_user_reference_is_skipped_not_fatal(_isolated_home) -> None:
    user = _isolated_home / "references"
    user.mkdir(parents=True)
    (user / "broken.mtref").write_bytes(b"not a zip")
    names = {r.name for r in load_references()}
    assert "broken" not in names and "effleurage-starter" in names


READY = "massage-trainer: demo running (Ctrl+C stops it)"


def _recording(home: Path) -> bool:
    """Whether the data home's store holds a session being recorded."""
    if not (home / "sessions.db").exists() and not any(home.glob("*.db")):
        return False
    with Store(home) as store:
        return any(s.state == "recording" for s in store.sessions())


@pytest.mark.parametrize(
    ("sig", "code", "said"), [("SIGINT", 130, "interrupted"), ("SIGTERM", 143, "terminated")]
)
def test_ctrl_c_or_sigterm_quits_the_running_app_in_one_line(
    _isolated_home, sig: str, code: int, said: str
) -> None:
    # Issue 17, defect 7: SIGTERM (logout, shutdown) left the session "recording".
    import signal
    import threading

    env = {**os.environ, "MASSAGE_TRAINER_HOME": str(_isolated_home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "trainer", "demo", "--headless", "--seconds", "600"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: list[str] = []
    ready = threading.Event()

    def read_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if line.strip() == READY:
                ready.set()
        ready.set()  # stderr closed: the app ended without saying it was running

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        # The app says when its event loop runs (the Ctrl+C handler is in place then);
        # the deadline is only for a hung start-up on a very busy machine.
        assert ready.wait(timeout=90), "the demo never said it was running"
        assert proc.poll() is None, "".join(lines)
        # ... and once its session is recording (readiness, not a sleep).
        deadline = time.monotonic() + 60
        while not _recording(_isolated_home) and time.monotonic() < deadline:
            assert proc.poll() is None, "".join(lines)
            time.sleep(0.05)
        assert _recording(_isolated_home), "no session started"
        proc.send_signal(getattr(signal, sig))
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(timeout=10)  # the pipe ends with the process
        assert proc.stderr is not None
        proc.stderr.close()
    err = "".join(lines)
    assert proc.returncode == code
    assert err.strip().splitlines()[-1] == f"massage-trainer: {said}"
    assert "Traceback" not in err
    # The session was closed, not left recording.
    with Store(_isolated_home) as store:
        (session,) = store.sessions()
        assert session.state != "recording"


def test_gui_headless_draws_a_view_of_the_size_asked(
    tmp_path: Path, _isolated_home, capsys, monkeypatch
) -> None:
    from PySide6.QtGui import QImage

    png = tmp_path / "connect.png"
    # In this process; --headless must select the offscreen platform by itself.
    monkeypatch.delenv("QT_QPA_PLATFORM")
    code = main(
        ["gui", "--headless", "--view", "connect", "--size", "1024x600", "--screenshot", str(png)]
    )
    assert code == 0, capsys.readouterr().err
    assert os.environ["QT_QPA_PLATFORM"] == "offscreen"
    assert capsys.readouterr().out.strip() == str(png)
    image = QImage(str(png))
    assert (image.width(), image.height()) == (1024, 600)
    # Without a picture to write, or to a format it does not write: one line, exit 1.
    for args in (("--view", "history"), ("--screenshot", str(tmp_path / "x.jpg"))):
        out = _run("gui", "--headless", *args, home=_isolated_home)
        assert out.returncode == 1 and len(out.stderr.strip().splitlines()) == 1, out.stderr
