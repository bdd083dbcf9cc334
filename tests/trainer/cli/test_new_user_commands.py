"""Issue 15, "Commands": the command line as a new user finds it.

Each test names the rough edge it covers; each failed on the code before the fix.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_process import run_main  # type: ignore[import-not-found]

from sensors.capture import read_capture
from trainer.cli import main
from trainer.store.database import Store

FIXTURES = Path(__file__).parents[2] / "fixtures"
EFFLEURAGE = FIXTURES / "effleurage-sim.mtcap"


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("massage-trainer: error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture(scope="module")
def petrissage_home(tmp_path_factory) -> tuple[Path, dict, Path]:
    """A home where `demo --headless --reference petrissage-starter` practised for 6 s.

    At 20x: the same strokes as at the default pace, with fewer frames painted. In this
    process, as `python -m trainer` runs it (`tests/trainer/test_app.py` runs the demo as a
    process of its own).
    """
    home = tmp_path_factory.mktemp("petrissage-home")
    shot = home.parent / "petrissage-shot.jpg"
    out = run_main(
        "demo", "--headless", "--seconds", "6", "--speed", "20", "--json",
        "--reference", "petrissage-starter", "--screenshot", str(shot), home=home,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert len(summary["strokes"]) >= 2, summary
    return home, summary, shot


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


# -- demo --reference -------------------------------------------------------------------


def test_demo_reference_decides_the_technique(petrissage_home) -> None:
    _, summary, _ = petrissage_home
    # Before: "effleurage against effleurage-starter" (the reference was ignored).
    assert summary["technique"] == "petrissage"
    assert summary["reference"] == "petrissage-starter"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--reference", "nonexistent"], "unknown reference 'nonexistent'"),
        (
            ["--technique", "petrissage", "--reference", "effleurage-starter"],
            "--technique petrissage does not match reference 'effleurage-starter', which is "
            "effleurage",
        ),
    ],
)
def test_demo_unknown_or_mismatched_reference_is_one_line(argv, message, capsys) -> None:
    assert main(["demo", "--headless", *argv]) == 1
    assert message in _one_line(capsys.readouterr().err)


def test_demo_screenshot_format_follows_the_extension(petrissage_home, capsys) -> None:
    _, summary, shot = petrissage_home
    assert summary["screenshot"] == str(shot)
    assert shot.read_bytes()[:3] == b"\xff\xd8\xff"  # JPEG, not PNG bytes
    assert not list(shot.parent.glob(f".{shot.name}*"))  # no temporary PNG left behind
    assert main(["demo", "--headless", "--screenshot", "out.gif"]) == 1
    assert "use .png, .jpg or .jpeg" in _one_line(capsys.readouterr().err)


def test_demo_help_explains_every_option() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "trainer", "demo", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = " ".join(out.split())
    assert "--screenshot FILE save a picture" in flat
    assert "--technique T technique the simulated glove performs" in flat
    assert "--seed N simulator seed" in flat


# -- replay --headless ------------------------------------------------------------------


@pytest.mark.timeout(150)
def test_replay_headless_plays_once_and_exits(petrissage_home) -> None:
    home, summary, _ = petrissage_home
    # Before: no output, and it never returned (killed after 90 s).
    out = run_main("replay", "A2", "--headless", "--speed", "20", home=home)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0].startswith("replaying attempt A2 (petrissage against petrissage-starter)")
    assert [line.split()[0] for line in lines[1:-1]] == ["A2"]
    assert lines[-1] == "end of replay: 1 stroke(s)"
    out = run_main("replay", "S1", "--headless", "--speed", "50", home=home)
    assert out.returncode == 0, out.stderr
    strokes = [line for line in out.stdout.splitlines() if line.startswith("A")]
    assert len(strokes) == len(summary["strokes"])


@pytest.mark.timeout(90)
def test_replay_headless_takes_the_time_the_speed_says(tmp_path, session_in) -> None:
    with Store(tmp_path / "h") as store:
        sid = session_in(store, "effleurage", capture_from=EFFLEURAGE, end=True)
    duration = read_capture(EFFLEURAGE).duration_s
    started = time.monotonic()
    # Before the fix this never returned: the timeout mark above fails it if it hangs.
    out = run_main(
        "replay", f"S{sid}", "--headless", "--speed", str(duration / 3), home=tmp_path / "h"
    )  # fmt: skip
    took = time.monotonic() - started
    assert out.returncode == 0, out.stderr
    assert took >= 3.0  # 3 s of playback: the speed is honoured, not skipped
    assert out.stdout.strip().endswith("no strokes were scored")


# -- ids --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "default", "expected"),
    [
        ("3", "session", ("session", 3)),
        ("S3", "session", ("session", 3)),
        ("s3", "attempt", ("session", 3)),
        ("session:3", "session", ("session", 3)),
        ("A7", "session", ("attempt", 7)),
        ("7", "attempt", ("attempt", 7)),
        (" attempt:7 ", "session", ("attempt", 7)),
        ("S", "session", None),
        ("x3", "session", None),
        ("3.5", "session", None),
    ],
)
def test_one_id_parser(text, default, expected) -> None:
    from trainer.cli.arguments import parse_id

    assert parse_id(text, default) == expected


def test_ids_are_accepted_wherever_ids_are_taken(tmp_path, monkeypatch, capsys, session_in) -> None:
    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(tmp_path))
    with Store(tmp_path) as store:
        sid = session_in(store, "friction", capture_from=EFFLEURAGE, end=True)
    # Before: "argument --delete: invalid int value: 'S1'".
    assert main(["history", "--delete", f"S{sid}"]) == 0
    assert f"deleted session {sid}" in capsys.readouterr().out
    assert main(["history", "--restore", f"s{sid}"]) == 0
    assert f"restored session {sid}" in capsys.readouterr().out
    pack = tmp_path / "p.mtpack"
    assert main(["pack", "export", str(pack), "--session", f"S{sid}"]) == 0
    assert "1 session(s)" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["history", "--delete", "A3"])
    assert exc.value.code == 2
    assert "'A3' is an attempt, not a session" in capsys.readouterr().err


def test_export_an_attempt_exports_its_span(petrissage_home, tmp_path, monkeypatch) -> None:
    home = petrissage_home[0]
    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(home))
    out = tmp_path / "a2.csv"
    # Before: "A2: no such capture file".
    assert main(["export", "A2", "--csv", str(out)]) == 0
    with Store(home, readonly=True) as store:
        attempt = store.attempt(2)
        whole = read_capture(store.session(attempt.session_id).capture)
    part = read_capture(out)
    start, end = attempt.score.start_s, attempt.score.end_s
    inside = (whole.t >= start - 0.5 / whole.sample_rate_hz) & (
        whole.t < end - 0.5 / whole.sample_rate_hz
    )
    assert part.n_samples == int(inside.sum()) > 0
    assert part.t[0] == pytest.approx(whole.t[inside][0], abs=1e-6)
    assert part.values == pytest.approx(whole.values[inside], abs=1e-6)


# -- history ----------------------------------------------------------------------------


def test_history_says_when_a_filter_matches_nothing(tmp_path, monkeypatch, capsys, session_in):
    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(tmp_path))
    with Store(tmp_path) as store:
        session_in(store, "effleurage", end=True)
        session_in(store, "friction", end=True)
        store.ensure_user("Anna")  # a person with no sessions yet
    for argv in (["--since", "2999-01-01"], ["--user", "anna"], ["--technique", "petrissage"]):
        assert main(["history", *argv]) == 0
        out = capsys.readouterr().out.strip()
        # Before: "no sessions yet: practise with `massage-trainer demo`".
        assert out.startswith(f"no sessions match {' '.join(argv)} (2 in all;"), out
        assert "techniques with sessions: effleurage, friction" in out
    # Issue 20: a name nobody has is a typo, refused like `users`, `replay` and `demo` do
    # (before: exit 0 and "no sessions match --user anika").
    for argv in (["history", "--user", "anika"], ["history", "--json", "--user", "anika"]):
        assert main(argv) == 1
        captured = capsys.readouterr()
        assert "no person called 'anika'" in _one_line(captured.err)
        assert "Anna" in captured.err and captured.out == ""
    assert main(["history", "--technique", "tapotment"]) == 1
    assert "did you mean 'tapotement'?" in _one_line(capsys.readouterr().err)
    assert main(["history"]) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    # Before: the State column was blank for finished sessions.
    assert [row.split()[-1] for row in rows] == ["finished", "finished"]


def test_history_restore_of_a_visible_session_says_so(tmp_path, monkeypatch, capsys, session_in):
    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(tmp_path))
    with Store(tmp_path) as store:
        sid = session_in(store, "effleurage", end=True)
    assert main(["history", "--restore", str(sid)]) == 0
    # Before: "restored session 1".
    assert capsys.readouterr().out.strip() == (
        f"session {sid} is not deleted: it is already visible"
    )


_RECORDER = textwrap.dedent(
    """
    import shutil, sys, time
    from pathlib import Path
    from trainer.store.database import Store

    home = Path(sys.argv[1])
    store = Store(home)
    capture = home / "sessions" / "killed.mtcap"
    capture.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sys.argv[2], capture)
    sid = store.begin_session(
        technique="effleurage", reference=None, reference_name="effleurage-starter",
        glove="reference-glove", source="sim:effleurage", feedback_mode="every",
        capture=capture,
    )
    print(sid, flush=True)
    time.sleep(120)
    """
)


def test_a_killed_practice_is_settled_when_history_opens_the_store(
    tmp_path, monkeypatch, capsys
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(home))
    proc = subprocess.Popen(
        [sys.executable, "-c", _RECORDER, str(home), str(EFFLEURAGE)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        sid = int(proc.stdout.readline())
        # Its program still runs: a reader must leave it recording.
        assert main(["history", "--json"]) == 0
        (row,) = json.loads(capsys.readouterr().out)["sessions"]
        assert row["state"] == "recording"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()
    capture = home / "sessions" / "killed.mtcap"
    before = capture.read_bytes()
    # Before: "recording" until a later GUI or replay start opened the store for writing.
    assert main(["history"]) == 0
    (line,) = capsys.readouterr().out.splitlines()[1:]
    assert line.split()[0] == str(sid) and line.split()[-1] == "interrupted"
    with Store(home, readonly=True) as store:
        session = store.session(sid)
    assert session.state == "interrupted"
    assert session.samples == read_capture(EFFLEURAGE).n_samples  # filled in from the capture
    assert capture.read_bytes() == before  # the recording itself is untouched


# -- pack import twice ------------------------------------------------------------------


def test_importing_a_pack_twice_says_nothing_new(petrissage_home, tmp_path) -> None:
    home, _, _ = petrissage_home
    pack = tmp_path / "class.mtpack"
    assert run_main("pack", "export", str(pack), "--session", "1", home=home).returncode == 0
    other = tmp_path / "student"
    first = run_main("pack", "import", str(pack), home=other)
    assert first.returncode == 0, first.stderr
    # The bundled starter it was scored against is in every library already.
    assert "0 new reference(s), 1 already present; 1 new session(s), 0 already present" in (
        first.stdout
    )
    second = run_main("pack", "import", str(pack), home=other)
    assert second.returncode == 0, second.stderr
    # Before: "imported 1 reference(s) and 0 session(s)".
    assert second.stdout.strip() == (
        f"imported {pack}: 0 new reference(s), 1 already present; "
        "0 new session(s), 1 already present"
    )


# -- file modes -------------------------------------------------------------------------


def test_exported_files_honour_the_umask(
    tmp_path, monkeypatch, capsys, session_in, umask_022
) -> None:
    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(tmp_path / "home"))
    with Store(tmp_path / "home") as store:
        sid = session_in(store, "effleurage", capture_from=EFFLEURAGE, end=True)
    ref, pack, csv = tmp_path / "r.mtref", tmp_path / "p.mtpack", tmp_path / "s.csv"
    assert main(["reference", "export", "friction-starter", str(ref)]) == 0
    assert main(["pack", "export", str(pack), "--reference", "friction-starter"]) == 0
    assert main(["export", f"S{sid}", "--csv", str(csv)]) == 0
    for path in (ref, pack, csv):
        # Before: 0600 for the reference and the pack.
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
    os.umask(0o077)
    assert main(["reference", "export", "friction-starter", str(ref), "--overwrite"]) == 0
    assert stat.S_IMODE(ref.stat().st_mode) == 0o600


# -- formats by extension, record's summary ---------------------------------------------


def test_record_to_csv_writes_csv(tmp_path, capsys) -> None:
    out = tmp_path / "x.csv"
    spec = "sim:effleurage?seed=2&speed=0"
    assert main(["record", "--source", spec, "--seconds", "3", "--out", str(out)]) == 0
    summary = capsys.readouterr().out.strip()
    # Before: a binary capture in x.csv, and "... (3 s recorded)" after "recorded 3.00 s".
    assert out.read_text().startswith("time_s,")
    capture = read_capture(out)
    assert capture.file_format == "csv" and capture.duration_s == pytest.approx(3.0, abs=0.05)
    assert summary.count("recorded") == 1 and summary.endswith("(--seconds 3 reached)")
    assert not list(tmp_path.glob("x.csv.*"))  # the crash-safe recording was converted
    assert main(["record", "--source", spec, "--seconds", "1", "--out", str(tmp_path / "x.bin")])
    assert "record to .mtcap or .csv" in _one_line(capsys.readouterr().err)
    assert not (tmp_path / "x.bin").exists()


# -- subcommand typos -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "suggestion"),
    [(["histroy"], "did you mean 'history'?"), (["reference", "shwo"], "did you mean 'show'?")],
)
def test_a_subcommand_typo_suggests_the_nearest(argv, suggestion, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert suggestion in capsys.readouterr().err


# -- a home that is a file --------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["history"],
        ["demo", "--headless"],
        ["reference", "list"],
        ["replay", "S1", "--json"],
        ["pack", "import", "x.mtpack"],
        # The simulated glove unpaced: the second of samples without a second's wait.
        ["record", "--source", "sim:effleurage?speed=0", "--seconds", "1", "--out", "OUT"],
    ],
)
def test_a_home_that_is_a_file_is_one_line(argv, tmp_path, monkeypatch, capsys) -> None:
    home = tmp_path / "home"
    home.write_text("not a folder")
    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(home))
    argv = [str(tmp_path / "r.mtcap") if a == "OUT" else a for a in argv]
    code = main(argv)
    err = capsys.readouterr().err
    if argv[0] == "record":
        # Recording needs no data home: it must still work, or fail in one line.
        assert code == 0 or _one_line(err)
        return
    # Before: "[Errno 17] File exists" (history), a demo without a reference (exit 0).
    assert code == 1
    assert _one_line(err) == (
        f"massage-trainer: error: $MASSAGE_TRAINER_HOME {home} is a file, not a folder: "
        "point it at a folder"
    )
