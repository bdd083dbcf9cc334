"""The hardware layer (glove.board, glove.radio, glove.app) against fake machine/aioble.

These check the wiring MicroPython would run: ADC1 pins and 12-bit counts, the GATT table
the app looks for, and one whole connection (advertise, MTU, START, timer ticks,
notifications, SET_RATE, disconnect, advertise again), decoded by the app's decoder.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from fw_fakes import DIY_V1_PROFILE, FakeConnection, FakeTicks  # type: ignore[import-not-found]

from sensors import protocol
from sensors.profiles import load_profile
from sensors.sources._decoding import PacketDecoder


def _chars(service: Any) -> dict[str, Any]:
    return {
        (c.uuid.value if isinstance(c.uuid.value, str) else f"{c.uuid.value:04x}"): c
        for c in service.characteristics
    }


def test_board_reads_12_bit_counts_battery_and_jumper(fake_hardware: SimpleNamespace) -> None:
    from glove.board import Board

    fake_hardware.adc.counts = {1: 0, 2: 1, 4: 2048, 5: 4095, 6: 777, 9: 2100}
    board = Board((1, 2, 4, 5, 6), battery_gpio=9, battery_divider=2, mode_gpio=14)
    values = [None] * 5
    board.read_counts(values)
    assert values == [0, 1, 2048, 4095, 777]
    assert all(adc.attenuation == fake_hardware.adc.ATTN_11DB for adc in board._adcs)
    assert board.battery_mv() == 4200
    assert not board.text_mode_jumper()
    fake_hardware.pin.levels = {14: 0}
    assert board.text_mode_jumper()


def test_gatt_table_and_advertising_in_glove_v1_mode(fake_hardware: SimpleNamespace) -> None:
    from glove import app

    _board, glove, _link = app.build()
    glove_service, battery_service = fake_hardware.aioble.registered
    assert glove_service.uuid.value == protocol.GLOVE_SERVICE_UUID
    chars = _chars(glove_service)
    assert chars[protocol.SAMPLES_CHAR_UUID].flags == {"notify"}
    assert chars[protocol.CONFIG_CHAR_UUID].flags == {"read"}
    assert chars[protocol.CONTROL_CHAR_UUID].flags == {"write"}
    assert chars[protocol.CONTROL_CHAR_UUID].capture
    assert battery_service.uuid.value == 0x180F
    assert _chars(battery_service)["2a19"].flags == {"read", "notify"}
    config = protocol.decode_config(chars[protocol.CONFIG_CHAR_UUID].value)
    assert config.name == "DIY-Glove-3FA2" and config.matches(load_profile(DIY_V1_PROFILE))
    assert fake_hardware.aioble.settings == {"mtu": 247, "gap_name": "DIY-Glove-3FA2"}
    assert glove.protocol == "glove-v1"


def test_jumper_selects_the_nus_text_fallback(fake_hardware: SimpleNamespace) -> None:
    from glove import app, settings

    fake_hardware.pin.levels = {settings.MODE_GPIO: 0}
    _board, glove, link = app.build()
    nus, _battery = fake_hardware.aioble.registered
    assert glove.protocol == "nus-text"
    assert nus.uuid.value == protocol.NUS_SERVICE_UUID
    chars = _chars(nus)
    assert chars[protocol.NUS_TX_CHAR_UUID].flags == {"notify"}
    assert "write" in chars[protocol.NUS_RX_CHAR_UUID].flags
    assert link._adv.endswith(bytes(reversed(bytes.fromhex(nus.uuid.value.replace("-", "")))))


async def _settle(n: int = 5) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


def test_one_connection_end_to_end(
    fake_hardware: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from glove import app, settings

    ticks = FakeTicks(start=(1 << 30) - 1_000_000)  # the tick counter wraps during the test
    monkeypatch.setattr(app, "ticks_us", ticks.ticks_us)
    monkeypatch.setattr(app, "ticks_diff", ticks.ticks_diff)
    gpios = [s[4] for s in settings.SENSORS]
    fake_hardware.adc.counts[settings.BATTERY_GPIO] = 1875  # 3750 mV after the divider
    _board, glove, link = app.build()
    glove_service, battery_service = fake_hardware.aioble.registered
    chars = _chars(glove_service)
    samples = chars[protocol.SAMPLES_CHAR_UUID]
    control = chars[protocol.CONTROL_CHAR_UUID]
    rows: list[list[int]] = []

    async def scenario() -> None:
        fake_hardware.aioble.pending = asyncio.Queue()
        runner = asyncio.create_task(link.run())
        await _settle()
        assert _chars(battery_service)["2a19"].value == b"\x32"  # 50 %
        connection = FakeConnection(mtu=247)
        fake_hardware.aioble.pending.put_nowait(connection)
        await _settle()
        (timer,) = fake_hardware.timers
        assert timer.freq == 100 and timer.callback is not None and connection.mtu == 247
        control.central_writes(protocol.encode_command(protocol.Command.START))
        await _settle()

        def tick(step_us: int, k: int) -> None:
            row = [(k * 37 + 400 * i) % 4096 for i in range(len(gpios))]
            fake_hardware.adc.counts.update(zip(gpios, row, strict=True))
            ticks.advance(step_us)
            taken = glove.sampler.samples
            timer.callback(timer)
            rows.extend([row] * (glove.sampler.samples - taken))  # a tick may take none

        for k in range(150):
            if k == 60:
                connection.busy = 2  # two notifications refused: retried, not lost
            tick(10_000, k)
            await _settle(3)
        control.central_writes(protocol.encode_command(protocol.Command.SET_RATE, 200))
        await _settle()
        assert timer.freq == 200
        assert protocol.decode_config(chars[protocol.CONFIG_CHAR_UUID].value).sample_rate_hz == 200
        for k in range(150, 300):
            tick(5000, k)
            await _settle(3)
        connection.drop()
        await _settle(10)
        assert timer.callback is None and not glove.streaming  # stopped until the next link
        assert len(fake_hardware.aioble.advertised) == 2  # advertising again at once
        assert fake_hardware.aioble.advertised[0] == fake_hardware.aioble.advertised[1]
        runner.cancel()
        link._battery_task.cancel()
        await asyncio.gather(runner, link._battery_task, return_exceptions=True)

    asyncio.run(scenario())
    decoded = [protocol.decode(p) for p in samples.notified]
    assert {p.dt_us for p in decoded} == {10_000, 5000}
    raw = np.concatenate([p.raw for p in decoded])
    assert raw.tolist() == rows[: len(raw)] and len(rows) - len(raw) < 20
    assert [p.seq for p in decoded] == list(range(len(decoded)))
    profile = load_profile(DIY_V1_PROFILE)
    decoder = PacketDecoder(profile)
    blocks = [b for p in samples.notified for b in decoder.feed(p)]
    t = np.concatenate([b.t for b in blocks])
    assert np.all(np.diff(t) > 0) and decoder.gaps == decoder.dropped_packets == 0
    assert np.allclose(np.concatenate([b.values for b in blocks]), profile.to_newtons(raw))


def test_bench_counts_average_each_sensor(
    fake_hardware: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    import time

    from glove import bench, settings

    slept: list[int] = []
    monkeypatch.setattr(time, "sleep_ms", slept.append, raising=False)
    fake_hardware.adc.counts.update({s[4]: 100 * (k + 1) for k, s in enumerate(settings.SENSORS)})
    means = bench.counts(seconds=1, rate_hz=50)
    assert means == [100, 200, 300, 400, 500] and slept == [20] * 50
    assert capsys.readouterr().out.splitlines()[0] == "palm_heel 100 (100..100)"


def test_bench_summary_mean_low_high() -> None:
    from glove.bench import Summary

    summary = Summary(2)
    for row in ([10, 0], [11, 4095], [13, 7]):
        summary.add(row)
    assert summary.means() == [11, 1367]
    assert summary.lines(("a", "b")) == ["a 11 (10..13)", "b 1367 (0..4095)"]
    with pytest.raises(ValueError):
        Summary(1).means()


def test_nus_text_connection_streams_without_start_at_a_small_mtu(
    fake_hardware: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from glove import app, settings

    ticks = FakeTicks()
    monkeypatch.setattr(app, "ticks_us", ticks.ticks_us)
    monkeypatch.setattr(app, "ticks_diff", ticks.ticks_diff)
    fake_hardware.pin.levels = {settings.MODE_GPIO: 0}  # the text-mode jumper
    gpios = [s[4] for s in settings.SENSORS]
    _board, glove, link = app.build()
    nus, _battery = fake_hardware.aioble.registered
    tx = _chars(nus)[protocol.NUS_TX_CHAR_UUID]
    rows: list[list[int]] = []

    async def scenario() -> None:
        fake_hardware.aioble.pending = asyncio.Queue()
        runner = asyncio.create_task(link.run())
        connection = FakeConnection(mtu=23)  # no larger MTU granted: lines are split
        fake_hardware.aioble.pending.put_nowait(connection)
        await _settle()
        (timer,) = fake_hardware.timers
        for k in range(200):  # nobody writes anything: a NUS glove streams when connected
            row = [(k * 53 + 700 * i) % 4096 for i in range(len(gpios))]
            fake_hardware.adc.counts.update(zip(gpios, row, strict=True))
            ticks.advance(10_000)
            taken = glove.sampler.samples
            timer.callback(timer)
            rows.extend([row] * (glove.sampler.samples - taken))
            await _settle(3)
        connection.drop()
        await _settle(10)
        runner.cancel()
        link._battery_task.cancel()
        await asyncio.gather(runner, link._battery_task, return_exceptions=True)

    asyncio.run(scenario())
    assert tx.notified and all(len(n) <= 20 for n in tx.notified)
    profile = load_profile("diy-fsr5")  # the app's default for a NUS glove
    decoder = PacketDecoder(profile)
    blocks = [b for n in tx.notified for b in decoder.feed(n)]
    values = np.concatenate([b.values for b in blocks])
    assert len(values) >= 190 and decoder.bad_packets == 0
    assert np.allclose(values, profile.to_newtons(np.array(rows[: len(values)])))
