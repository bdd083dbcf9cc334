"""The sample schedule: the rate holds whatever the timer callback's jitter."""

from __future__ import annotations

import itertools
import random

import pytest
from fw_fakes import FakeTicks, drive, make_glove  # type: ignore[import-not-found]

from sensors import protocol


def _jittered_timer(rate_hz: int, seconds: float, ppm: float, jitter_frac: float, seed: int):
    """Callback times of a timer at ``rate_hz`` off by ``ppm``, each late by a random amount."""
    rng = random.Random(seed)
    period = 1e6 / rate_hz * (1 + ppm * 1e-6)
    k = 0
    while k * period <= seconds * 1e6:
        yield int(k * period + rng.uniform(0, jitter_frac) * 1e6 / rate_hz)
        k += 1


@pytest.mark.parametrize("ppm", [-200.0, 0.0, 300.0])
@pytest.mark.parametrize("rate_hz", [100, 200, 300])
def test_rate_holds_over_many_jittered_ticks(rate_hz: int, ppm: float) -> None:
    from glove.sampling import Schedule

    schedule = Schedule(rate_hz)
    dt = schedule.dt_us
    schedule.start(0)
    stamps = []
    last_now = 0
    for now in _jittered_timer(rate_hz, 120.0, ppm, 0.9, seed=rate_hz):
        now = max(now, last_now)  # callbacks are late, never reordered
        last_now = now
        while (stamp := schedule.take(now)) >= 0:
            assert 0 <= now - stamp < schedule.max_lag * dt  # read close to its due time
            stamps.append(stamp)
    # exactly the grid: no drift, no duplicates, nothing skipped
    assert stamps == [k * dt for k in range(len(stamps))]
    assert schedule.skipped == 0
    assert len(stamps) == last_now // dt + 1  # every slot up to the last callback
    # 120 s of samples at the configured rate (dt rounds to whole µs: 300 Hz -> 3333 µs)
    assert abs(len(stamps) - 120 * 1e6 / dt) <= 2


def test_a_stall_skips_slots_instead_of_bursting() -> None:
    from glove.sampling import Schedule

    schedule = Schedule(100)
    schedule.start(0)
    got = [schedule.take(t) for t in (0, 10_000, 20_000)]
    assert got == [0, 10_000, 20_000]
    # the callback stalls 250 ms (a long garbage collection): slots are skipped, not read
    burst = []
    while (stamp := schedule.take(270_000)) >= 0:
        burst.append(stamp)
    assert burst == [270_000] and schedule.skipped == 24
    # a short delay (2 periods) is caught up on the grid
    assert [schedule.take(300_000) for _ in range(4)] == [280_000, 290_000, 300_000, -1]


def test_a_stall_starts_a_new_batch_the_app_decodes_without_gap_confusion() -> None:
    glove, _source = make_glove(rate_hz=100)
    glove.start()
    packets, now = drive(glove, start_us=0, seconds=0.15, step_us=10_000)
    glove.tick(now + 300_000)  # stall
    more, _ = drive(glove, start_us=now + 310_000, seconds=0.3, step_us=10_000)
    decoded = [protocol.decode(p) for p in packets + more]
    stamps = [p.t0_us + i * p.dt_us for p in decoded for i in range(p.count)]
    assert all(b - a in (10_000, 300_000) for a, b in itertools.pairwise(stamps))
    assert stamps.count(now + 300_000) == 1  # the stall's slot once, no invented samples


def test_device_clock_runs_across_tick_wraps() -> None:
    from glove.clock import DeviceClock

    ticks = FakeTicks(start=(1 << 30) - 5000)  # MicroPython's ticks wrap at 2**30
    clock = DeviceClock(ticks.ticks_us, ticks.ticks_diff)
    readings = []
    for _ in range(5000):  # 5000 x 7 ms = 35 s, then across several wraps with big steps
        ticks.advance(7000)
        readings.append(clock.now())
    for _ in range(10):
        ticks.advance((1 << 29) - 1)  # the longest step ticks_diff can still see
        readings.append(clock.now())
    assert readings[:5000] == [7000 * (k + 1) for k in range(5000)]
    assert readings[-1] == 5000 * 7000 + 10 * ((1 << 29) - 1)
    assert readings[-1] > 1 << 32  # t0_us wraps at 2**32 later than the ticks did
