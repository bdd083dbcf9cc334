"""Calibration with known weights (trainer/signal/loadcal.py): detection, fit, recovery."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from load_bench import (  # type: ignore[import-not-found]
    DIY_CURVES,
    BenchStep,
    LoadBenchSource,
    bench_stream,
    fsr_divider,
    power_law,
)

from sensors.profiles import load_profile, parse_profile, profile_to_toml
from trainer.exceptions import SignalError
from trainer.signal.loadcal import (
    STANDARD_GRAVITY,
    CalibrationFit,
    LoadCalibration,
    MonotoneCurve,
    Placement,
    SettleCriteria,
    StepStatus,
    block_counts,
    counts_profile,
    fit_sensor,
    placements_for,
)

LOADS_KG = (0.1, 0.2, 0.5, 1.0)


@pytest.fixture(scope="module")
def diy():
    return load_profile("diy-fsr5")


def _steps(profile, placements):
    return [BenchStep(profile.channel_names.index(p.sensor), p.load_kg) for p in placements]


def _run(session: LoadCalibration, source) -> list:
    """Drive a session unattended (arm each step at once); return every non-idle update."""
    updates = []
    source.open()
    session.arm()
    for block in source:
        update = session.feed(
            block_counts(block.values, block.profile), gap_before=block.gap_before
        )
        if update.status in (StepStatus.ACCEPTED, StepStatus.REJECTED):
            updates.append(update)
            if update.status is StepStatus.REJECTED or session.done:
                break
            session.arm()
    return updates


def _recovery_error(fit, curve) -> tuple[float, float]:
    """Largest |fitted - true| over a dense force grid, as a fraction of the range, and N."""
    forces = np.linspace(0.0, fit.max_newtons, 5001)
    error = np.abs(fit.to_newtons(curve(forces)) - forces)
    return float(error.max() / fit.max_newtons), float(error.max())


# -- recovery of known curves ------------------------------------------------------------


def test_fitted_tables_recover_each_sensors_curve_within_2_percent(diy) -> None:
    placements = placements_for(diy.channel_names, LOADS_KG)
    t, counts = bench_stream(diy, DIY_CURVES, _steps(diy, placements), seed=3)
    session = LoadCalibration(diy, placements)
    updates = _run(session, LoadBenchSource(diy, t, counts))
    assert session.done and len(updates) == 1 + len(placements)
    fit = session.fit()
    for i, name in enumerate(diy.channel_names):
        relative, _ = _recovery_error(fit[name], DIY_CURVES[i])
        assert relative < 0.02, f"{name}: {relative:.2%} of the range"
    # The curves differ per sensor, and so do the fitted tables.
    at = np.array([1500.0])
    assert len({round(float(fit[n].to_newtons(at)[0]), 3) for n in diy.channel_names}) == 5


def test_power_law_with_heavy_loads_is_recovered_on_a_16_bit_glove() -> None:
    ref = load_profile("reference-glove")
    curves = [
        power_law(scale=2000.0, exponent=0.6, offset=200.0),
        power_law(scale=300.0, exponent=1.2, offset=30.0),
    ] + [power_law(scale=700.0, exponent=0.9, offset=10.0)] * 5
    placements = placements_for(["palm_heel", "palm"], (0.5, 1, 2, 5))
    t, counts = bench_stream(ref, curves, _steps(ref, placements), noise_counts=8.0)
    session = LoadCalibration(ref, placements)
    _run(session, LoadBenchSource(ref, t, counts))
    fit = session.fit()
    assert [f.sensor for f in fit.sensors] == ["palm_heel", "palm"]
    for name, curve in zip(("palm_heel", "palm"), curves[:2], strict=True):
        relative, _ = _recovery_error(fit[name], curve)
        assert relative < 0.02
    new = fit.apply(ref)
    # Uncalibrated sensors keep their calibration; calibrated ones clip at 5 kg.
    assert new.sensors[2].calibration == ref.sensors[2].calibration
    assert new.sensors[0].saturation_n == pytest.approx(5 * STANDARD_GRAVITY)


def test_the_curve_is_monotone_through_the_origin_and_clipped_at_the_heaviest_load() -> None:
    curve = fsr_divider(k=30.0, exponent=0.9, r_m=10.0, full=3700.0, offset=6.0)
    forces = np.array(LOADS_KG) * STANDARD_GRAVITY
    fit = fit_sensor("palm", 6.0, curve(forces), forces.tolist())
    raw = np.linspace(0.0, 4095.0, 8191)
    newtons = fit.to_newtons(raw)
    assert np.all(np.diff(newtons) >= 0)
    assert fit.to_newtons(np.array([0.0, 6.0])).tolist() == [0.0, 0.0]
    assert newtons[-1] == pytest.approx(forces[-1])  # beyond the last load: clipped
    assert fit.max_residual_n < 1e-4  # the table passes through the measured points
    # Leave-one-out errors exist for the interior loads only, and are honest (non-zero).
    loo = [p.loo_error_n for p in fit.points]
    assert np.isnan(loo[-1]) and all(abs(v) > 1e-4 for v in loo[:-1])
    assert fit.max_loo_error_n == pytest.approx(max(abs(v) for v in loo[:-1]))


def test_a_pure_power_law_is_recovered_exactly_by_the_log_log_fit() -> None:
    forces = np.array([4.9, 9.8, 19.6, 49.0])
    counts = 50.0 + 300.0 * forces**0.7
    curve = MonotoneCurve(50.0, counts, forces)
    dense = np.linspace(0.01, 49.0, 500)
    np.testing.assert_allclose(curve(50.0 + 300.0 * dense**0.7), dense, rtol=1e-9)


def test_fit_refuses_readings_that_do_not_increase_with_the_load() -> None:
    with pytest.raises(SignalError, match="must increase with the load"):
        fit_sensor("palm", 5.0, [900.0, 880.0, 1500.0], [1.0, 2.0, 5.0])
    with pytest.raises(SignalError, match="not above the rest level"):
        fit_sensor("palm", 500.0, [400.0, 880.0], [1.0, 2.0])


def test_a_repeated_load_is_averaged() -> None:
    fit = fit_sensor("palm", 0.0, [100.0, 110.0, 300.0], [1.0, 1.0, 3.0])
    assert [p.counts for p in fit.points] == [105.0, 300.0]


def test_the_written_table_round_trips_through_a_profile_toml(diy) -> None:
    forces = np.array(LOADS_KG) * STANDARD_GRAVITY
    fit = fit_sensor("thumb", 40.0, DIY_CURVES[2](forces), forces.tolist())
    new = CalibrationFit((fit,)).apply(diy)
    back = parse_profile(profile_to_toml(new))
    raw = np.linspace(0, 4095, 300)
    np.testing.assert_array_equal(back.sensors[2].calibration.to_newtons(raw), fit.to_newtons(raw))


# -- steady-state detection ----------------------------------------------------------------


def test_a_reading_still_moving_is_refused_with_a_reason(diy) -> None:
    fs = diy.sample_rate_hz
    session = LoadCalibration(diy, [Placement("palm", 0.5)], criteria=SettleCriteria(timeout_s=5.0))
    rest = np.full((200, 5), 20.0)
    session.arm()
    assert session.feed(rest).status is StepStatus.ACCEPTED  # the tare
    session.arm()
    # A load that keeps creeping up by 100 counts per second never settles.
    t = np.arange(int(6 * fs)) / fs
    moving = np.full((t.size, 5), 20.0)
    moving[:, 1] = 1000.0 + 100.0 * t
    update = session.feed(moving)
    assert update.status is StepStatus.REJECTED
    assert "never settled" in update.message and "still moving" in update.message
    assert "\n" not in update.message
    assert not session.done and session.step_index == 1  # arm() retries the same step


def test_nothing_on_the_sensor_is_refused_and_the_weight_being_placed_is_not_taken(diy) -> None:
    fs = int(diy.sample_rate_hz)
    session = LoadCalibration(
        diy, [Placement("index", 0.2)], criteria=SettleCriteria(timeout_s=4.0)
    )
    session.arm()
    session.feed(np.full((150, 5), 10.0))
    session.arm()
    update = session.feed(np.full((5 * fs, 5), 12.0))  # still at rest
    assert update.status is StepStatus.REJECTED and "no load seen on index" in update.message
    # Retry: the weight arrives after a second of rest; the reading is its settled level.
    session.arm()
    trace = np.full((4 * fs, 5), 10.0)
    trace[fs:, 3] = 1500.0
    trace[fs : fs + 20, 3] = np.linspace(10.0, 1500.0, 20)
    update = session.feed(trace)
    assert update.status is StepStatus.ACCEPTED
    assert update.reading is not None and update.reading.counts[0] == pytest.approx(1500.0)


def test_a_heavier_load_reading_lower_is_refused(diy) -> None:
    session = LoadCalibration(diy, [Placement("palm", 0.2), Placement("palm", 0.5)])
    for level in (10.0, 1200.0):
        session.arm()
        block = np.full((300, 5), 10.0)
        block[:, 1] = level
        assert session.feed(block).status is StepStatus.ACCEPTED
    session.arm()
    block = np.full((300, 5), 10.0)
    block[:, 1] = 800.0
    update = session.feed(block)
    assert update.status is StepStatus.REJECTED
    assert "must increase with the load" in update.message


def test_a_reading_at_full_scale_is_refused_as_beyond_the_sensor(diy) -> None:
    session = LoadCalibration(diy, [Placement("palm", 1.0)])
    session.arm()
    session.feed(np.full((300, 5), 10.0))
    session.arm()
    block = np.full((300, 5), 10.0)
    block[:, 1] = 4095.0
    update = session.feed(block)
    assert update.status is StepStatus.REJECTED and "full scale" in update.message


def test_bad_schedules_are_refused_in_one_line(diy) -> None:
    with pytest.raises(SignalError, match="unknown sensor 'pinky'"):
        LoadCalibration(diy, [Placement("pinky", 1.0)])
    with pytest.raises(SignalError, match="beyond its saturation"):
        LoadCalibration(diy, [Placement("palm", 2.0)])  # 19.6 N > 10 N
    with pytest.raises(SignalError, match="listed twice"):
        LoadCalibration(diy, [Placement("palm", 0.5), Placement("palm", 0.5)])
    with pytest.raises(SignalError, match="mass > 0"):
        LoadCalibration(diy, [Placement("palm", -1.0)])
    with pytest.raises(SignalError, match="nothing to calibrate"):
        LoadCalibration(diy, [])


def test_detection_does_not_depend_on_block_size(diy) -> None:
    placements = placements_for(["palm", "thumb"], LOADS_KG)
    t, counts = bench_stream(diy, DIY_CURVES, _steps(diy, placements), seed=5)
    tares, readings = [], []
    for block in (7, 16, 100):
        session = LoadCalibration(diy, placements)
        _run(session, LoadBenchSource(diy, t, counts, block=block))
        assert session.tare is not None
        tares.append(session.tare.counts)
        readings.append([float(r.counts[0]) for r in session.readings])
    # Every sample is checked, so the tare (armed at the first sample) is taken over the
    # same window whatever the blocks.
    np.testing.assert_allclose(tares[0], tares[1], rtol=1e-12)
    np.testing.assert_allclose(tares[0], tares[2], rtol=1e-12)
    # Samples after an acceptance inside a block are dropped, so a later step may start a
    # few samples apart: its reading agrees closely, not bit for bit.
    np.testing.assert_allclose(readings[0], readings[1], atol=1.0)
    np.testing.assert_allclose(readings[0], readings[2], atol=1.0)


def test_counts_profile_and_block_counts_give_back_raw_counts(diy) -> None:
    cp = counts_profile(diy)
    assert cp.channel_names == diy.channel_names and cp.sample_rate_hz == diy.sample_rate_hz
    raw = np.array([[0.0, 100.0, 1000.0, 3000.0, 3600.0]])
    np.testing.assert_array_equal(block_counts(raw, cp), raw)
    # A block calibrated with the diy table inverts back to counts below its flat top.
    np.testing.assert_allclose(block_counts(diy.to_newtons(raw), diy), raw, atol=1e-6)
