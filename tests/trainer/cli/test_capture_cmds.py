from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from sensors.capture import read_capture, read_csv
from sensors.exceptions import CaptureError
from trainer.cli import main

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def effleurage(fixtures_dir: Path, tmp_path: Path) -> Path:
    """A copy of the synthetic effleurage fixture (tests may damage it)."""
    src = fixtures_dir / "effleurage-sim.mtcap"
    dst = tmp_path / src.name
    shutil.copyfile(src, dst)
    return dst


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trainer", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert lines[0].startswith("massage-trainer: error: ")
    return lines[0]


# --------------------------------------------------------------------------------------
# info / export
# --------------------------------------------------------------------------------------


def test_info_text_and_json(effleurage: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cap = read_capture(effleurage)
    assert main(["info", str(effleurage)]) == 0
    text = capsys.readouterr().out
    assert f"samples:        {cap.n_samples}" in text
    assert "duration_s:" in text and "sample_rate_hz:" in text
    assert ", ".join(cap.channel_names) in text
    assert main(["info", str(effleurage), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["samples"] == cap.n_samples
    assert info["sensors"] == list(cap.channel_names)
    assert info["duration_s"] == pytest.approx(cap.t[-1] - cap.t[0] + 1 / info["sample_rate_hz"])
    assert info["sample_rate_hz"] == pytest.approx(cap.profile.sample_rate_hz, rel=1e-6)
    assert info["profile"] == cap.profile.name
    assert info["source"].startswith("sim:effleurage")
    assert info["metadata"]["synthetic"] is True
    assert info["truncated"] is False and info["gaps"] == cap.gap_starts.size


def test_info_reports_a_crash_damaged_tail(
    effleurage: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = effleurage.read_bytes()
    effleurage.write_bytes(data[:-100])
    assert main(["info", str(effleurage), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["truncated"] is True and info["dropped_tail_bytes"] > 0
    assert info["samples"] < read_capture_samples(data, effleurage.parent)
    assert main(["info", str(effleurage)]) == 0
    assert "truncated:      yes" in capsys.readouterr().out


def read_capture_samples(data: bytes, where: Path) -> int:
    full = where / "full.mtcap"
    full.write_bytes(data)
    return read_capture(full).n_samples


def test_export_csv_to_file_and_stdout(
    effleurage: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cap = read_capture(effleurage)
    out = tmp_path / "e.csv"
    assert main(["export", str(effleurage), "--csv", str(out)]) == 0
    back = read_csv(out)
    np.testing.assert_array_equal(back.t, cap.t)
    np.testing.assert_array_equal(back.values, cap.values)
    assert out.read_text().splitlines()[0] == "time_s," + ",".join(cap.channel_names)
    capsys.readouterr()
    assert main(["export", str(effleurage), "--csv", "-"]) == 0
    streamed = read_csv(io.StringIO(capsys.readouterr().out))
    np.testing.assert_array_equal(streamed.values, cap.values)
    # an existing file is not replaced without --overwrite
    assert main(["export", str(effleurage), "--csv", str(out)]) == 1
    assert "exists" in capsys.readouterr().err
    assert main(["export", str(effleurage), "--csv", str(out), "--overwrite"]) == 0
    assert main(["export", str(effleurage), "--csv", str(effleurage), "--overwrite"]) == 1
    assert "over itself" in capsys.readouterr().err
    assert read_capture(effleurage).n_samples == cap.n_samples


def test_info_reads_csv(effleurage: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "e.csv"
    assert main(["export", str(effleurage), "--csv", str(out)]) == 0
    capsys.readouterr()
    assert main(["info", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["format"] == "csv"
    assert info["samples"] == read_capture(effleurage).n_samples


def test_info_on_csv_of_another_glove_takes_a_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = tmp_path / "two.toml"
    toml.write_text(
        'name = "two"\nprotocol = "nus-text"\nsample_rate_hz = 50.0\n'
        + "".join(
            f'[[sensors]]\nname = "{n}"\nregion = "palm"\nposition = [0.5, 0.5]\n'
            "contact_area_mm2 = 100.0\nsaturation_n = 10.0\n"
            for n in ("left", "right")
        )
    )
    csv = tmp_path / "two.csv"
    csv.write_text("time_s,left,right\n" + "".join(f"{i / 50!r},{i},1\n" for i in range(50)))
    # Without --profile: a generic profile from the header, said so.
    assert main(["info", str(csv), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["profile"] == "generic-csv"
    assert main(["info", str(csv), "--profile", str(toml), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["profile"] == "two" and info["samples"] == 50
    assert info["sample_rate_hz"] == pytest.approx(50.0)
    assert info["duration_s"] == pytest.approx(1.0)


# --------------------------------------------------------------------------------------
# record
# --------------------------------------------------------------------------------------


def test_record_from_replay_copies_the_capture(
    effleurage: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cap = read_capture(effleurage)
    out = tmp_path / "copy.mtcap"
    spec = f"replay:{effleurage}?speed=0"
    assert main(["record", "--source", spec, "--out", str(out)]) == 0
    summary = capsys.readouterr().out.strip().splitlines()
    assert len(summary) == 1 and summary[0].startswith("recorded ")
    copy = read_capture(out)
    np.testing.assert_array_equal(copy.values, cap.values)
    np.testing.assert_allclose(copy.t, cap.t - cap.t[0], rtol=0, atol=1e-12)
    assert copy.gap_starts.tolist() == cap.gap_starts.tolist()
    assert copy.source == spec and copy.profile == cap.profile
    assert copy.started_at is not None and copy.started_at.endswith("Z")


def test_record_seconds_stops_on_signal_time(effleurage: Path, tmp_path: Path) -> None:
    cap = read_capture(effleurage)
    out = tmp_path / "short.mtcap"
    spec = f"replay:{effleurage}?speed=0"
    assert main(["record", "--source", spec, "--out", str(out), "--seconds", "1.5"]) == 0
    short = read_capture(out)
    assert short.n_samples == int(np.sum(cap.t - cap.t[0] < 1.5))
    assert short.duration_s == pytest.approx(1.5, abs=1.0 / cap.sample_rate_hz + 1e-9)


def test_record_simulated_glove_fast(tmp_path: Path, capsys) -> None:
    out = tmp_path / "sim.mtcap"
    spec = "sim:tapotement?seed=3&speed=0"
    assert main(["record", "--source", spec, "--seconds", "2", "--out", str(out)]) == 0
    cap = read_capture(out)
    assert cap.duration_s == pytest.approx(2.0, abs=0.02)
    assert cap.n_samples == pytest.approx(2.0 * cap.profile.sample_rate_hz, abs=1)
    assert cap.source == spec


def test_record_never_overwrites_without_flag(
    effleurage: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "taken.mtcap"
    out.write_bytes(b"precious")
    spec = f"replay:{effleurage}?speed=0"
    assert main(["record", "--source", spec, "--out", str(out)]) == 1
    assert "exists" in capsys.readouterr().err
    assert out.read_bytes() == b"precious"
    assert main(["record", "--source", spec, "--out", str(out), "--overwrite"]) == 0
    assert read_capture(out).n_samples == read_capture(effleurage).n_samples


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nonsense:x", "unknown source"),
        ("replay:/definitely/not/here.mtcap", "no such"),
        ("sim:effleurage?bogus=1", "unknown option"),
    ],
)
def test_record_bad_source_is_one_line(
    spec: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.mtcap"
    assert main(["record", "--source", spec, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert message in one_error_line(err)
    assert not out.exists()


def test_bad_input_in_a_subprocess_is_one_line(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.mtcap"
    garbage.write_bytes(os.urandom(300))
    missing = tmp_path / "missing.mtcap"
    for args in (
        ["info", str(missing)],
        ["info", str(garbage)],
        ["export", str(garbage), "--csv", "-"],
    ):
        proc = run_cli(*args)
        assert proc.returncode != 0
        line = one_error_line(proc.stderr)
        assert str(missing if "missing" in args[1] else garbage) in line
        assert proc.stdout == ""


def _wait_for_samples(
    path: Path, proc: subprocess.Popen[str], deadline_s: float, at_least_s: float = 0.0
) -> float:
    """Return the monotonic time at which ``path`` first held a sample (``at_least_s`` s).

    Polls the file as the recorder writes it; ``deadline_s`` only bounds a recorder that
    never gets there, however busy the machine.
    """
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        if path.exists():
            try:
                capture = read_capture(path)
                if capture.n_samples > 0 and capture.duration_s >= at_least_s:
                    return time.monotonic()
            except CaptureError:  # header not fully written yet
                pass
        time.sleep(0.01)
    proc.kill()
    pytest.fail(f"record never wrote {at_least_s:g} s of samples")


def test_kill_9_during_record_loses_at_most_one_second(tmp_path: Path, capsys) -> None:
    out = tmp_path / "crash.mtcap"
    launched = time.monotonic()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "trainer",
            "record",
            "--source",
            "sim:effleurage?seed=1",
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        first = _wait_for_samples(out, proc, deadline_s=60)
        # Some later flushes on disk too: the kill lands mid-recording, not at its start.
        _wait_for_samples(out, proc, deadline_s=60, at_least_s=2.0)
        killed = time.monotonic()
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    elapsed = killed - first
    assert main(["info", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["duration_s"] >= elapsed - 1.0, (info, elapsed)
    # Paced in real time, not faster: no more glove time than wall time since launch
    # (a busy machine only makes the recording shorter).
    assert info["duration_s"] <= killed - launched, (info, killed - launched)
    csv = tmp_path / "crash.csv"
    assert main(["export", str(out), "--csv", str(csv)]) == 0
    assert len(csv.read_text().splitlines()) == info["samples"] + 1


def test_sigterm_closes_the_recording_cleanly(effleurage: Path, tmp_path: Path) -> None:
    out = tmp_path / "term.mtcap"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "trainer",
            "record",
            "--source",
            f"replay:{effleurage}?loop=1",
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        _wait_for_samples(out, proc, deadline_s=60, at_least_s=0.3)
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    assert "SIGTERM" in stdout and "Traceback" not in stderr
    cap = read_capture(out)
    assert cap.n_samples > 0 and not cap.truncated


def test_export_to_a_closed_pipe_is_quiet(fixtures_dir: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "trainer",
            "export",
            str(fixtures_dir / "effleurage-sim.mtcap"),
            "--csv",
            "-",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().startswith("time_s,")
    proc.stdout.close()  # like `| head -1`
    stderr = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=30) == 0
    assert stderr == ""


def test_info_prints_an_absurd_rate_briefly(capsys, tmp_path) -> None:
    # Issue 17 ("also seen"): a 1e300 Hz rate was printed with 300 digits.
    from trainer.cli import main

    rows = ["time_s,palm_heel,palm,thumb,index,middle,ring,little"]
    rows += [",".join([repr(i * 1e-300)] + ["1.0"] * 7) for i in range(50)]
    path = tmp_path / "tiny.csv"
    path.write_text("\n".join(rows) + "\n")
    assert main(["info", str(path)]) == 0
    (line,) = [x for x in capsys.readouterr().out.splitlines() if x.startswith("sample_rate_hz")]
    assert len(line) < 40 and "e+300" in line
