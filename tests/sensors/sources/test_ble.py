from __future__ import annotations

import asyncio
import threading
import time

import numpy as np
import pytest
from bleak.exc import BleakBluetoothNotAvailableError, BleakBluetoothNotAvailableReason
from fake_ble import FakeGlove, config_for, load_log, load_timed_log

from sensors import protocol
from sensors.blocks import SampleBlock
from sensors.exceptions import AdapterError, DeviceNotFoundError, ProfileError, SourceError
from sensors.profiles import load_profile
from sensors.sources import SourceState, open_source
from sensors.sources.ble import BleSource, scan

REF = "reference-glove"
S = SourceState


def _source(glove: FakeGlove, target: str | None = None, **kw) -> BleSource:
    kw.setdefault("backoff_s", (0.01, 0.02))
    kw.setdefault("max_attempts", 5)
    return BleSource(
        target or glove.address,
        client_class=glove.client_class(),
        scanner_class=glove.scanner_class(),
        connect_timeout_s=2.0,
        scan_timeout_s=0.1,
        **kw,
    )


def _read(src: BleSource, timeout: float) -> SampleBlock:
    block = src.read(timeout=timeout)
    assert block is not None, f"no block within {timeout} s"
    return block


def _drain(src: BleSource) -> list[SampleBlock]:
    blocks: list[SampleBlock] = []
    with src:
        while True:
            try:
                block = src.read(timeout=5.0)
            except EOFError:
                return blocks
            assert block is not None, "stream stalled"
            blocks.append(block)


def _device_times(packets: list[bytes]) -> np.ndarray:
    """Sample times the glove stamped on these packets (log starts at t0 = 0)."""
    out = []
    for p in packets:
        d = protocol.decode(p)
        out.append((d.t0_us + np.arange(d.raw.shape[0]) * d.dt_us) / 1e6)
    return np.concatenate(out)


def _runs(history: list[SourceState]) -> list[SourceState]:
    return [s for i, s in enumerate(history) if i == 0 or history[i - 1] is not s]


def test_streams_a_recorded_log_exactly() -> None:
    packets = load_log(REF)
    glove = FakeGlove(packets, config=config_for(REF))
    src = _source(glove)
    blocks = _drain(src)
    np.testing.assert_allclose(np.concatenate([b.t for b in blocks]), _device_times(packets))
    assert not any(b.gap_before for b in blocks)
    expected = load_profile(REF).to_newtons(
        np.concatenate([protocol.decode(p).raw for p in packets])
    )
    np.testing.assert_array_equal(np.concatenate([b.values for b in blocks]), expected)
    status = src.status()
    assert status.battery_pct == 77 and status.dropped_packets == 0
    assert status.samples == len(expected) and status.blocks == len(blocks)
    assert glove.commands == [protocol.encode_command(protocol.Command.START)]
    assert src.profile.name == REF  # taken from the glove's config


def test_drops_and_reconnects_mark_gaps_exactly_and_never_duplicate() -> None:
    packets = load_log(REF)
    drops = [5, 12, 20, 31]
    glove = FakeGlove(
        packets,
        config=config_for(REF),
        drop_after=set(drops),
        lost_on_drop=2,
        fail_connects_after_drop=1,
    )
    src = _source(glove)
    blocks = _drain(src)
    t = np.concatenate([b.t for b in blocks])
    assert np.all(np.diff(t) > 0)  # nothing duplicated or reordered across the run
    delivered = [p for i, p in enumerate(packets) if not any(d < i <= d + 2 for d in drops)]
    # Every delivered sample keeps the glove's own timestamp: the holes keep their length.
    np.testing.assert_allclose(t, _device_times(delivered))
    # The gap flags sit exactly on the first block after each lost stretch.
    gap_starts = [b.t[0] for b in blocks if b.gap_before]
    expected_starts = [_device_times([packets[d + 3]])[0] for d in drops]
    np.testing.assert_allclose(gap_starts, expected_starts)
    status = src.status()
    assert status.reconnects == len(drops) and status.gaps == len(drops)
    # A new client object per attempt: 5 links, 1 failure after each drop, 5 at the end.
    assert (glove.connects, glove.clients_made) == (len(drops) + 1, len(drops) + 1 + 4 + 5)
    runs = _runs(src.state_history)
    assert runs[:3] == [S.SCANNING, S.CONNECTING, S.STREAMING]
    assert runs[2:11] == [S.STREAMING, S.RECONNECTING] * 4 + [S.STREAMING]
    assert runs[-1] is S.LOST  # the log ends and the glove never comes back
    assert status.state is S.LOST and "gave up" in status.message


def test_reboot_during_a_drop_continues_after_the_host_measured_silence() -> None:
    packets = load_log(REF)
    glove = FakeGlove(
        packets,
        config=config_for(REF),
        drop_after={9},
        lost_on_drop=0,
        reboot_on_drop=True,
        reconnect_delay_s=0.3,
    )
    blocks = _drain(_source(glove))
    t = np.concatenate([b.t for b in blocks])
    assert np.all(np.diff(t) > 0)
    gap = next(i for i, b in enumerate(blocks) if b.gap_before)
    assert sum(b.gap_before for b in blocks) == 1
    # The rebooted glove stamps 0 again; the stream places it after the real pause.
    silence = blocks[gap].t[0] - blocks[gap - 1].t[0]
    assert 0.3 <= silence <= 1.5
    assert len(t) == len(_device_times(packets))


def test_a_link_that_keeps_dying_at_once_is_retried_with_backoff_not_hot() -> None:
    packets = load_log(REF)[:8]
    glove = FakeGlove(packets, config=config_for(REF), drop_after=set(range(6)), lost_on_drop=0)
    start = time.monotonic()
    blocks = _drain(_source(glove, backoff_s=(0.05,)))
    assert time.monotonic() - start >= 6 * 0.05
    assert sum(len(b) for b in blocks) == len(_device_times(packets))
    assert sum(b.gap_before for b in blocks) == 6


@pytest.mark.parametrize("away_s", [0.7, 4.0])
def test_a_glove_that_comes_back_streams_again_within_2_s(away_s: float) -> None:
    # Default backoff: whenever in the retry schedule the glove returns, it is back in 2 s.
    glove = FakeGlove(
        load_log(REF),
        config=config_for(REF),
        drop_after={10},
        lost_on_drop=0,
        fail_connects_after_drop=10**9,  # away until the test brings it back
        interval_s=0.002,
    )
    src = BleSource(
        glove.address,
        client_class=glove.client_class(),
        scanner_class=glove.scanner_class(),
        connect_timeout_s=2.0,
        scan_timeout_s=0.1,
    )
    with src:
        while src.status().state is not S.RECONNECTING:
            src.read(timeout=0.05)
        time.sleep(away_s)
        for _ in range(3):  # the loop thread may be decrementing it: make it stick
            glove.fail_connects = 0
            time.sleep(0.005)
        back = time.monotonic() - 0.01
        while not _read(src, 3.0).gap_before:
            pass
        recovered = time.monotonic() - back
    assert recovered <= 2.0, f"streaming again {recovered:.2f} s after the glove came back"


def test_lost_notifications_without_a_drop_are_counted_and_marked() -> None:
    packets = load_log(REF)
    glove = FakeGlove(packets, config=config_for(REF), skip={3, 4, 9})
    src = _source(glove)
    blocks = _drain(src)
    assert src.status().dropped_packets == 3
    assert [i for i, b in enumerate(blocks) if b.gap_before] == [3, 7]  # 3-4 together, 9
    kept = [p for i, p in enumerate(packets) if i not in {3, 4, 9}]
    np.testing.assert_allclose(np.concatenate([b.t for b in blocks]), _device_times(kept))


def test_duplicates_and_reordering_are_discarded_not_repeated() -> None:
    packets = load_log(REF)
    glove = FakeGlove(packets, config=config_for(REF), duplicate={2, 7}, swap={10})
    src = _source(glove)
    blocks = _drain(src)
    t = np.concatenate([b.t for b in blocks])
    assert np.all(np.diff(t) > 0)
    # The swapped pair: 11 arrives first (10 counted lost), 10 then arrives late.
    kept = [p for i, p in enumerate(packets) if i != 10]
    np.testing.assert_allclose(t, _device_times(kept))
    assert src.status().dropped_packets == 1


def test_nus_text_glove_by_name_with_paced_arrivals() -> None:
    timed = load_timed_log("diy-fsr5")[:12]
    glove = FakeGlove(
        [d for _, d in timed],
        kind="nus-text",
        battery=None,
        name="DIY glove",
        times=[t / 20 for t, _ in timed],  # the recorded pacing, 20x faster
        paced=True,
    )
    src = _source(glove, target="DIY glove")
    blocks = _drain(src)
    assert src.profile.name == "diy-fsr5"
    t = np.concatenate([b.t for b in blocks])
    assert np.all(np.diff(t) > 0) and not any(b.gap_before for b in blocks)
    lines = b"".join(d for _, d in timed).count(b"\n")
    assert len(t) == lines
    np.testing.assert_allclose(np.diff(t), 0.01)
    assert src.status().battery_pct is None


def test_config_mismatch_is_refused() -> None:
    glove = FakeGlove(load_log(REF), config=config_for("diy-fsr5"))
    with pytest.raises(ProfileError, match="glove reports sensors"):
        _source(glove, profile=REF).open()


def test_config_with_other_regions_or_rate_is_refused() -> None:
    p = load_profile(REF)
    sensors = tuple((s.name, "thumb", *s.position) for s in p.sensors)  # every region wrong
    config = protocol.encode_config(
        protocol.GloveConfig("Fake", "0.1", p.sample_rate_hz * 2, 0.002, "N", sensors, p.name)
    )
    with pytest.raises(ProfileError, match=r"regions.*; glove samples at"):
        _source(FakeGlove(load_log(REF), config=config), profile=REF).open()


def test_an_out_of_range_battery_level_reads_as_unknown() -> None:
    glove = FakeGlove(load_log(REF), config=config_for(REF), battery=250)
    src = _source(glove)
    _drain(src)
    assert src.status().battery_pct is None


def test_unknown_name_address_and_missing_adapter() -> None:
    glove = FakeGlove(load_log(REF), config=config_for(REF))
    with pytest.raises(DeviceNotFoundError, match="no glove named 'nobody'"):
        _source(glove, target="nobody").open()
    with pytest.raises(DeviceNotFoundError, match="no glove at address"):
        _source(glove, target="00:00:00:00:00:01").open()
    off = BleakBluetoothNotAvailableError("off", BleakBluetoothNotAvailableReason.POWERED_OFF)
    src = BleSource("My glove", scanner_class=glove.scanner_class(error=off))
    with pytest.raises(AdapterError, match="not available") as info:
        src.open()
    assert info.value.__cause__ is off
    assert src.status().state is S.LOST
    with pytest.raises(AdapterError, match="BlueZ"):
        scan(0.1, scanner_class=glove.scanner_class(error=FileNotFoundError(2, "no dbus")))


def test_gives_up_after_max_attempts() -> None:
    glove = FakeGlove(load_log(REF), config=config_for(REF), fail_connects=100)
    src = _source(glove, max_attempts=3)
    with pytest.raises(SourceError, match="after 3 attempts"):
        src.open()
    assert glove.clients_made == 3
    assert _runs(src.state_history)[-1] is S.LOST


def test_close_is_prompt_even_while_connecting() -> None:
    glove = FakeGlove(load_log(REF), config=config_for(REF), hang_connect=True)
    # The connect hangs for good and would time out only after an hour: open() can end
    # within the test's deadlines only if close() cuts the connect short.
    src = BleSource(
        glove.address,
        client_class=glove.client_class(),
        scanner_class=glove.scanner_class(),
        connect_timeout_s=3600.0,
        scan_timeout_s=0.1,
        backoff_s=(0.01, 0.02),
        max_attempts=5,
    )
    errors: list[BaseException] = []

    def opener() -> None:  # the user cancels while open() is still connecting
        try:
            src.open()
        except SourceError as err:
            errors.append(err)

    thread = threading.Thread(target=opener)
    thread.start()
    deadline = time.monotonic() + 60
    while glove.clients_made == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert glove.clients_made > 0, "open() never started connecting"
    src.close()
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert len(errors) == 1 and "closed while connecting" in str(errors[0])
    assert src.status().state is S.FINISHED
    with pytest.raises(EOFError):
        src.read(timeout=1.0)


def test_a_slow_reader_never_stalls_the_loop_and_loses_nothing_silently() -> None:
    packets = load_log(REF)
    glove = FakeGlove(packets, config=config_for(REF))
    src = _source(glove, queue_blocks=5)
    with src:
        deadline = time.monotonic() + 5
        while src.status().state is not S.LOST and time.monotonic() < deadline:
            time.sleep(0.01)  # the reader sleeps; the glove keeps sending
        blocks = []
        with pytest.raises(EOFError):
            while True:
                blocks.append(src.read(timeout=2.0))
    assert len(blocks) == 5 and None not in blocks
    assert src._overflow_blocks == len(packets) - 5


def test_the_block_after_an_overflow_is_marked_as_a_gap() -> None:
    profile = load_profile(REF)
    src = BleSource("glove", profile=profile, queue_blocks=2)
    blocks = [
        SampleBlock(np.array([i / 200]), np.zeros((1, len(profile.sensors))), profile, seq=i)
        for i in range(5)
    ]
    for block in blocks[:4]:
        src._deliver(block)  # the last two find the queue full
    assert [_read(src, 0).seq, _read(src, 0).seq] == [0, 1]
    src._deliver(blocks[4])
    after = _read(src, 0)
    assert after.seq == 4 and after.gap_before
    status = src.status()
    assert (status.blocks, status.gaps) == (3, 1)


def test_scan_lists_only_gloves() -> None:
    glove = FakeGlove([], name="Glove A")
    found = scan(0.1, scanner_class=glove.scanner_class())
    assert [(g.name, g.kind, g.address) for g in found] == [("Glove A", "glove-v1", glove.address)]


def test_asyncio_consumer() -> None:
    glove = FakeGlove(load_log(REF), config=config_for(REF), interval_s=0.001)
    src = _source(glove)

    async def consume() -> int:
        n = 0
        async for block in src.aiter_blocks():
            n += len(block)
        return n

    with src:
        n = asyncio.run(consume())
    assert n == len(_device_times(load_log(REF)))


def test_open_source_spec_builds_a_ble_source() -> None:
    src = open_source("ble:My glove?profile=diy-fsr5")
    assert isinstance(src, BleSource) and src.profile.name == "diy-fsr5"
    assert src.status().state is S.IDLE
    src.close()  # never opened: a no-op


def test_the_real_client_connects_through_bleak_retry_connector(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import bleak_retry_connector

    packets = load_log(REF)
    glove = FakeGlove(packets, config=config_for(REF))
    calls: list[tuple] = []

    async def fake_establish(client_class, device, name, disconnected_callback=None, **kw):
        calls.append((client_class, device.address, name, kw))
        client = glove.client_class()(device, disconnected_callback=disconnected_callback)
        await client.connect()
        return client

    monkeypatch.setattr(bleak_retry_connector, "establish_connection", fake_establish)
    src = BleSource(
        glove.address,
        scanner_class=glove.scanner_class(),  # the device lookup still needs no adapter
        backoff_s=(0.01,),
        max_attempts=2,
        scan_timeout_s=0.1,
    )
    blocks = _drain(src)
    assert sum(len(b) for b in blocks) == len(_device_times(packets))
    client_class, address, name, kw = calls[0]
    assert client_class is bleak_retry_connector.BleakClientWithServiceCache
    assert (address, name) == (glove.address, glove.address)
    assert kw["max_attempts"] >= 1
