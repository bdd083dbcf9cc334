"""``massage-trainer calibrate``: end to end on a recorded bench session with known curves."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "signal"))

from load_bench import DIY_CURVES, BenchStep, bench_stream, write_bench_capture  # type: ignore[import-not-found]

from sensors.profiles import load_profile
from trainer.cli import calibrate_cmds, main
from trainer.signal.loadcal import STANDARD_GRAVITY

LOADS_KG = (0.1, 0.2, 0.5, 1.0)


@pytest.fixture(scope="module")
def diy():
    return load_profile("diy-fsr5")


@pytest.fixture(scope="module")
def bench(tmp_path_factory, diy) -> Path:
    """A recorded calibration of every diy-fsr5 sensor, each through its own curve."""
    steps = [BenchStep(ch, kg) for ch in range(len(diy.sensors)) for kg in LOADS_KG]
    t, counts = bench_stream(diy, DIY_CURVES, steps, seed=11)
    return write_bench_capture(tmp_path_factory.mktemp("bench") / "bench.mtcap", diy, t, counts)


def _source(path: Path) -> str:
    return f"replay:{path}?speed=0"


def _calibrate(bench: Path, out: Path, *extra: str) -> int:
    """Run ``calibrate`` on the bench capture with the diy-fsr5 profile, writing ``out``."""
    return main(
        ["calibrate", "--source", _source(bench), "--profile", "diy-fsr5", "--out", str(out),
         *extra]
    )  # fmt: skip


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("massage-trainer: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def _script(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "schedule.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_script_mode_writes_a_profile_that_converts_raw_counts_within_2_percent(
    tmp_path, capsys, diy, bench
) -> None:
    lines = ["# sensor  load", *(f"{s.name} {kg:g} kg" for s in diy.sensors for kg in LOADS_KG)]
    out = tmp_path / "my-glove.toml"
    code = _calibrate(bench, out, "--script", str(_script(tmp_path, lines)))
    stdout = capsys.readouterr().out
    assert code == 0
    assert "settled: 0.5 kg on palm heel:" in stdout and "leave-1-out" in stdout
    assert f"wrote {out}" in stdout
    written = load_profile(out)  # the project's own loader
    assert written.channel_names == diy.channel_names
    for i, sensor in enumerate(written.sensors):
        assert sensor.calibration.kind == "table"
        assert sensor.saturation_n == pytest.approx(1.0 * STANDARD_GRAVITY)
        forces = np.linspace(0.0, 1.0 * STANDARD_GRAVITY, 4001)
        raw = DIY_CURVES[i](forces)
        error = np.abs(sensor.calibration.to_newtons(raw) - forces).max()
        assert error < 0.02 * STANDARD_GRAVITY, f"{sensor.name}: {error:.3f} N"
    # Through the profile (what every source uses): counts -> newtons, per channel.
    raw = np.column_stack([c(np.array([4.0])) for c in DIY_CURVES])
    np.testing.assert_allclose(written.to_newtons(raw), 4.0, atol=0.02 * 9.80665)


def test_no_prompt_calibrates_only_the_named_sensors(tmp_path, capsys, diy, bench) -> None:
    out = tmp_path / "new.toml"
    # The bench loads palm heel first (21 s): palm's first weight comes after the default
    # 20 s timeout, so the step is given longer.
    options = ["--no-prompt", "--sensor", "palm", "--loads-kg", "0.1,0.2,0.5,1", "--timeout", "40"]
    code = _calibrate(bench, out, *options, "--json")
    captured = capsys.readouterr()
    assert code == 0, captured.err
    report = json.loads(captured.out)  # progress goes to stderr with --json
    assert "settled: 1 kg on palm" in captured.err
    assert [s["sensor"] for s in report["sensors"]] == ["palm"]
    written = load_profile(out)
    assert written.sensors[1].calibration.kind == "table"
    for i in (0, 2, 3, 4):
        assert written.sensors[i] == diy.sensors[i]


def test_interactive_mode_prompts_for_each_weight(tmp_path, capsys, monkeypatch, bench) -> None:
    monkeypatch.setattr(calibrate_cmds, "_stdin_is_interactive", lambda: True)
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n" * 5))
    out = tmp_path / "new.toml"
    code = _calibrate(bench, out, "--sensor", "palm_heel")
    stdout = capsys.readouterr().out
    assert code == 0, stdout
    assert "place 1 kg on palm heel" in stdout and "press Enter" in stdout
    assert load_profile(out).sensors[0].calibration.kind == "table"


def test_without_a_terminal_or_a_script_it_says_so_and_does_not_hang(
    tmp_path, capsys, monkeypatch, bench
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    out = tmp_path / "new.toml"
    code = _calibrate(bench, out)
    assert code == 1
    assert "needs a terminal" in _one_line_error(capsys)
    assert not out.exists()


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--no-prompt", "--sensor", "pinky"], "unknown sensor 'pinky'"),
        (["--no-prompt", "--loads-kg", "0.5,5"], "beyond its saturation"),
        (["--no-prompt", "--timeout", "0"], "--timeout"),
    ],
)
def test_bad_options_are_one_line_errors(tmp_path, capsys, bench, extra, expected) -> None:
    out = tmp_path / "new.toml"
    code = _calibrate(bench, out, *extra)
    assert code == 1
    assert expected in _one_line_error(capsys)
    assert not out.exists()


def test_an_existing_out_file_needs_force(tmp_path, capsys, bench) -> None:
    out = tmp_path / "new.toml"
    out.write_text("keep me", encoding="utf-8")
    assert _calibrate(bench, out, "--no-prompt", "--sensor", "palm_heel") == 1
    assert "use --force" in _one_line_error(capsys)
    assert out.read_text(encoding="utf-8") == "keep me"
    assert _calibrate(bench, out, "--no-prompt", "--sensor", "palm_heel", "--force") == 0
    assert load_profile(out).sensors[0].calibration.kind == "table"


def test_readings_that_do_not_increase_with_the_load_are_refused(tmp_path, capsys, bench) -> None:
    # The bench put 0.1 kg then 0.2 kg on palm heel; the script claims the opposite.
    script = _script(tmp_path, ["palm_heel 0.2", "palm_heel 0.1"])
    out = tmp_path / "new.toml"
    code = _calibrate(bench, out, "--script", str(script))
    assert code == 1
    assert "readings must increase with the load" in _one_line_error(capsys)
    assert not out.exists()


def test_script_errors_name_the_line(tmp_path, capsys, bench) -> None:
    script = _script(tmp_path, ["palm_heel 0.1", "", "thumbb 0.2"])
    code = _calibrate(bench, tmp_path / "new.toml", "--script", str(script))
    assert code == 1
    assert f"{script}:3: unknown sensor 'thumbb'" in _one_line_error(capsys)


def test_a_source_that_ends_early_or_is_simulated_is_a_one_line_error(
    tmp_path, capsys, bench
) -> None:
    out = tmp_path / "new.toml"
    base = ["calibrate", "--profile", "diy-fsr5", "--out", str(out), "--no-prompt"]
    # Middle is loaded last, four times: a fifth load is never found.
    loads = ["--sensor", "middle", "--loads-kg", "0.1,0.2,0.5,0.7,1", "--timeout", "120"]
    code = main([*base, "--source", _source(bench), *loads])
    assert code == 1
    assert "the source ended before every weight was measured" in _one_line_error(capsys)
    assert main([*base, "--source", "sim:effleurage"]) == 1
    assert "the simulated glove performs strokes" in _one_line_error(capsys)
    assert not out.exists()


def test_bad_loads_are_a_usage_error(tmp_path, capsys, bench) -> None:
    with pytest.raises(SystemExit) as exit_info:
        _calibrate(bench, tmp_path / "x.toml", "--loads-kg", "0.5,abc")
    assert exit_info.value.code == 2
    assert "expected masses in kg" in capsys.readouterr().err


def test_interactive_refusal_can_be_retried_or_stopped(
    tmp_path, capsys, monkeypatch, bench
) -> None:
    # Palm is loaded only after palm heel (21 s in): with a 5 s timeout its first weight is
    # refused ("no load seen") until it arrives; Enter retries, q stops.
    monkeypatch.setattr(calibrate_cmds, "_stdin_is_interactive", lambda: True)
    out = tmp_path / "new.toml"
    args = ["--sensor", "palm", "--timeout", "5"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n\nq\n"))
    assert _calibrate(bench, out, *args) == 1
    captured = capsys.readouterr()
    assert "refused: " in captured.out and "no load seen on palm" in captured.out
    assert "calibration stopped: nothing written" in captured.err
    assert not out.exists()
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n" * 30))
    assert _calibrate(bench, out, *args) == 0
    captured = capsys.readouterr()
    assert "refused: " in captured.out and "settled: 1 kg on palm" in captured.out
    assert load_profile(out).sensors[1].calibration.kind == "table"
