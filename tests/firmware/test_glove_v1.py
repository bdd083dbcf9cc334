"""glove-v1 batches: what the firmware sends is what sensors.protocol decodes.

Every test decodes the firmware's bytes with the app's own decoder and compares the
counts with the rows the fake ADC produced, and the newtons with the diy-fsr5 profile's
calibration of those rows.
"""

from __future__ import annotations

import numpy as np
import pytest
from fw_fakes import DIY_V1_PROFILE, U32, drive, make_glove  # type: ignore[import-not-found]

from sensors import protocol
from sensors.profiles import load_profile
from sensors.sources._decoding import PacketDecoder


def _decode_all(packets: list[bytes]) -> list[protocol.SamplePacket]:
    return [protocol.decode(p) for p in packets]


def _grid_rows(decoded: list[protocol.SamplePacket]) -> np.ndarray:
    return np.concatenate([p.raw for p in decoded])


@pytest.mark.parametrize("channels", [5, 7])
@pytest.mark.parametrize("mtu", [29, 40, 64, 100, 185, 247, 512])
def test_batches_fill_the_negotiated_mtu(mtu: int, channels: int) -> None:
    from glove import settings

    sensors = (*settings.SENSORS, ("ring", "ring", 660, 900, 7), ("little", "little", 820, 780, 8))
    glove, source = make_glove(rate_hz=200, mtu=mtu, sensors=sensors[:channels])
    glove.start()
    packets, _ = drive(glove, start_us=1_000_000, seconds=2.0, step_us=5000)
    decoded = _decode_all(packets)
    payload = min(mtu - 3, protocol.MAX_NOTIFICATION_BYTES)
    capacity = protocol.max_samples_per_packet(channels, payload)
    held = 100_000 // 5000  # 100 ms at 200 Hz: the hold limit closes a batch at 20 samples
    assert all(len(p) <= mtu - 3 for p in packets)
    # every batch sent is full or hold-limited (the one being filled is not sent yet)
    assert decoded and {p.count for p in decoded} == {min(capacity, held)}
    assert all(p.channels == channels and p.dt_us == 5000 and not p.tared for p in decoded)
    # counts are the ADC rows, in order, none lost or repeated
    rows = _grid_rows(decoded)
    assert rows.tolist() == source.rows[: len(rows)]
    assert len(source.rows) - len(rows) == glove.batcher.pending
    # sequence numbers +1 per notification; t0 on the 5 ms grid, contiguous
    assert [p.seq for p in decoded] == list(range(len(decoded)))
    starts = np.cumsum([0] + [p.count for p in decoded[:-1]])
    assert [p.t0_us for p in decoded] == [(1_000_000 + 5000 * int(s)) % U32 for s in starts]


def test_mtu_247_gives_the_protocol_page_batch_sizes() -> None:
    # docs/glove-protocol.md §1.2: 23 samples of 5 channels, 16 of 7 (at 400 Hz the
    # 100 ms hold limit is 40 samples, so the MTU is what limits here)
    for channels, expected in ((5, 23), (7, 16)):
        from glove import settings

        extra = (("ring", "ring", 660, 900, 7), ("little", "little", 820, 780, 8))
        glove, _ = make_glove(rate_hz=400, sensors=(settings.SENSORS + extra)[:channels])
        glove.start()
        packets, _ = drive(glove, start_us=0, seconds=0.5, step_us=2500)
        assert {protocol.decode(p).count for p in packets} == {expected}
        assert len(packets[0]) == 12 + 2 * expected * channels


def test_default_mtu_fits_no_five_channel_sample_so_the_glove_waits() -> None:
    glove, source = make_glove(mtu=23)  # 15 + 2 * 5 = 25 > 23
    assert not glove.set_mtu(23)
    glove.start()
    packets, _ = drive(glove, start_us=0, seconds=0.3, step_us=10_000)
    assert packets == [] and source.rows == [] and not glove.streaming
    assert glove.set_mtu(185)  # the central negotiates: streaming begins
    packets, _ = drive(glove, start_us=400_000, seconds=0.3, step_us=10_000)
    assert packets and glove.streaming


def test_no_sample_is_held_longer_than_100_ms() -> None:
    glove, _ = make_glove(rate_hz=100, mtu=247)  # 23 would fit; 100 ms holds 10
    glove.start()
    packets, _ = drive(glove, start_us=0, seconds=1.0, step_us=10_000)
    decoded = _decode_all(packets)
    assert {p.count for p in decoded} == {10}  # the OGLO-style 10 per notification
    for p in decoded:  # the batch left when its last sample was taken
        assert (p.count - 1) * p.dt_us < 100_000


def test_sequence_and_device_time_wrap() -> None:
    glove, source = make_glove(rate_hz=200, mtu=247)
    glove.batcher.seq = 65533
    glove.start()
    start = U32 - 150_000  # device time crosses 2**32 µs 150 ms in
    packets, _ = drive(glove, start_us=start, seconds=0.6, step_us=5000)
    decoded = _decode_all(packets)
    assert [p.seq for p in decoded][:5] == [65533, 65534, 65535, 0, 1]
    assert any(p.t0_us < 1_000_000 for p in decoded) and decoded[0].t0_us > 4_000_000_000
    tracker = protocol.SequenceTracker()
    assert [tracker.update(p.seq) for p in decoded] == [0] * len(decoded)  # nothing lost
    clock = protocol.DeviceClock(wrap=U32, ticks_per_s=1e6)
    times = np.concatenate(
        [clock.to_seconds(p.t0_us) + np.arange(p.count) * p.dt_us / 1e6 for p in decoded]
    )
    assert np.allclose(np.diff(times), 0.005)  # unwrapped: evenly spaced across the wrap
    assert _grid_rows(decoded).tolist() == source.rows[: sum(p.count for p in decoded)]


def test_the_apps_decode_path_gives_the_profiles_newtons() -> None:
    profile = load_profile(DIY_V1_PROFILE)
    glove, source = make_glove(rate_hz=100, mtu=247, seed=7)
    glove.start()
    packets, _ = drive(glove, start_us=123_456, seconds=3.0, step_us=10_000)
    decoder = PacketDecoder(profile)
    blocks = [b for p in packets for b in decoder.feed(p)]
    values = np.concatenate([b.values for b in blocks])
    t = np.concatenate([b.t for b in blocks])
    rows = np.array(source.rows[: len(values)])
    expected = profile.to_newtons(rows)
    assert values.shape == (len(source.rows) - glove.batcher.pending, 5) == (300, 5)
    assert np.allclose(values, expected)
    assert np.allclose(np.diff(t), 0.01)
    assert decoder.dropped_packets == decoder.bad_packets == decoder.gaps == 0


def test_a_full_ring_costs_a_sequence_number_so_the_app_sees_the_gap() -> None:
    profile = load_profile(DIY_V1_PROFILE)
    glove, _ = make_glove(rate_hz=100, mtu=247)
    glove.start()
    # nobody sends for 2 s: the 8-slot ring holds 7 batches, the rest are dropped
    for k in range(200):
        glove.tick(k * 10_000)
    held = []
    while (p := glove.next_packet()) is not None:
        held.append(bytes(p))
        glove.packet_sent()
    assert len(held) == 7 and glove.ring.dropped > 0
    packets, _ = drive(glove, start_us=2_000_000, seconds=0.3, step_us=10_000)
    decoder = PacketDecoder(profile)
    for p in held + packets:
        decoder.feed(p)
    assert decoder.dropped_packets == glove.ring.dropped
    assert decoder.gaps == 1
