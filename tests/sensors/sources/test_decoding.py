from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensors import protocol
from sensors.profiles import load_profile
from sensors.sources._decoding import PacketDecoder

REF = load_profile("reference-glove")
DIY = load_profile("diy-fsr5")
DT_US = 5000  # reference glove: 200 Hz
K = protocol.max_samples_per_packet(len(REF.sensors))


def _packets(n: int, *, seq0: int = 0, t0_us: int = 0, seed: int = 0) -> list[bytes]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        raw = rng.integers(0, 5000, size=(K, len(REF.sensors)))
        packet = protocol.SamplePacket(
            (seq0 + i) & 0xFFFF, (t0_us + i * K * DT_US) & 0xFFFFFFFF, DT_US, raw
        )
        out.append(protocol.encode(packet))
    return out


def _feed_all(decoder: PacketDecoder, packets: list[bytes], arrival0: float = 0.0) -> list:
    blocks = []
    for i, p in enumerate(packets):
        blocks += decoder.feed(p, arrival0 + i * K * DT_US / 1e6)
    return blocks


def test_binary_packets_decode_to_calibrated_blocks_on_device_time() -> None:
    packets = _packets(5)
    blocks = _feed_all(PacketDecoder(REF), packets)
    assert [b.seq for b in blocks] == list(range(5))
    t = np.concatenate([b.t for b in blocks])
    np.testing.assert_allclose(t, np.arange(5 * K) * DT_US / 1e6)
    raw = np.concatenate([protocol.decode(p).raw for p in packets])
    np.testing.assert_array_equal(np.concatenate([b.values for b in blocks]), REF.to_newtons(raw))
    assert not any(b.gap_before for b in blocks)


def test_sequence_gap_marks_the_next_block_and_keeps_device_time() -> None:
    packets = _packets(8)
    d = PacketDecoder(REF)
    blocks = _feed_all(d, [p for i, p in enumerate(packets) if i not in {3, 4}])
    assert [b.gap_before for b in blocks] == [False, False, False, True, False, False]
    assert d.dropped_packets == 2 and d.gaps == 1
    # The block after the gap starts where packet 5 was taken: the hole keeps its length.
    assert blocks[3].t[0] == pytest.approx(5 * K * DT_US / 1e6)


def test_duplicates_and_late_packets_are_discarded() -> None:
    p = _packets(4)
    d = PacketDecoder(REF)
    blocks = _feed_all(d, [p[0], p[1], p[1], p[3], p[2]])
    assert len(blocks) == 3 and d.stale_packets == 2 and d.dropped_packets == 1
    t = np.concatenate([b.t for b in blocks])
    assert np.all(np.diff(t) > 0)


def test_malformed_and_wrong_channel_count_are_counted_not_raised() -> None:
    d = PacketDecoder(REF)
    other = protocol.encode(protocol.SamplePacket(0, 0, DT_US, np.zeros((3, 5), dtype=int)))
    assert d.feed(b"\x00\x01garbage") == [] and d.feed(other) == [] and d.feed(b"") == []
    assert d.bad_packets == 3
    assert len(d.feed(_packets(1)[0])) == 1


def test_counters_wrap_without_gaps() -> None:
    # seq wraps 65535 -> 0 and t0_us wraps 2**32 µs inside this run.
    packets = _packets(6, seq0=65533, t0_us=2**32 - 2 * K * DT_US)
    blocks = _feed_all(PacketDecoder(REF), packets)
    t = np.concatenate([b.t for b in blocks])
    np.testing.assert_allclose(t, np.arange(6 * K) * DT_US / 1e6)
    assert not any(b.gap_before for b in blocks)


def test_reconnect_with_a_running_clock_keeps_the_true_silence() -> None:
    packets = _packets(10)
    d = PacketDecoder(REF)
    blocks = _feed_all(d, packets[:4])
    d.reset_link()
    # Packets 4-6 went out while disconnected; the host saw ~the same silence.
    after = d.feed(packets[7], 7 * K * DT_US / 1e6 + 0.03)
    assert after[0].gap_before and d.gaps == 1
    assert after[0].t[0] == pytest.approx(7 * K * DT_US / 1e6)
    assert blocks[-1].t[-1] < after[0].t[0]


def test_reconnect_after_a_glove_reboot_uses_host_time() -> None:
    first = _packets(4, seq0=100, t0_us=7_000_000)
    d = PacketDecoder(REF)
    before = _feed_all(d, first, arrival0=50.0)
    d.reset_link()
    silence = 2.0
    last_arrival = 50.0 + 3 * K * DT_US / 1e6
    rebooted = _packets(2, seq0=0, t0_us=0, seed=1)  # counters restarted at 0
    after = _feed_all(d, rebooted, arrival0=last_arrival + silence)
    assert after[0].gap_before and not after[1].gap_before
    # Placed after the measured silence, relative to the last packet's first sample.
    assert after[0].t[0] == pytest.approx(before[-1].t[0] + silence)
    assert after[1].t[0] == pytest.approx(after[0].t[0] + K * DT_US / 1e6)


def test_reconnect_without_arrival_times_abuts_after_the_last_sample() -> None:
    d = PacketDecoder(REF)
    for p in _packets(2):
        d.feed(p)
    d.reset_link()
    after = d.feed(_packets(1, t0_us=123)[0])
    assert after[0].gap_before
    assert after[0].t[0] == pytest.approx((2 * K - 1) * DT_US / 1e6 + 1 / 200)


def test_reset_link_before_any_data_is_not_a_gap() -> None:
    d = PacketDecoder(REF)
    d.reset_link()
    assert not d.feed(_packets(1)[0])[0].gap_before


def _text(t_ms: list[int], seed: int = 0) -> tuple[bytes, np.ndarray]:
    rng = np.random.default_rng(seed)
    raw = rng.integers(0, 1000, size=(len(t_ms), len(DIY.sensors)))
    lines = [protocol.encode_text_line(t, row) for t, row in zip(t_ms, raw, strict=True)]
    return b"".join(lines), raw


def test_text_lines_split_anywhere_give_the_same_samples() -> None:
    data, raw = _text(list(range(0, 500, 10)))
    d = PacketDecoder(DIY)
    blocks = []
    for start in range(0, len(data), 7):  # chunks that split lines and numbers
        blocks += d.feed(data[start : start + 7])
    t = np.concatenate([b.t for b in blocks])
    np.testing.assert_allclose(t, np.arange(50) * 0.01)
    np.testing.assert_array_equal(np.concatenate([b.values for b in blocks]), DIY.to_newtons(raw))
    assert all(len(b) <= 10 for b in blocks)


def test_text_malformed_line_is_skipped_and_time_jump_is_a_gap() -> None:
    good, _ = _text([0, 10, 20])
    later, _ = _text([30, 80, 90], seed=1)  # 30 -> 80 ms is 5 periods at 100 Hz
    d = PacketDecoder(DIY)
    blocks = d.feed(good + b"40,1,2,x,4,5\n1,2\n" + later)
    assert d.bad_packets == 2
    t = np.concatenate([b.t for b in blocks])
    np.testing.assert_allclose(t, [0, 0.01, 0.02, 0.03, 0.08, 0.09])
    assert [b.gap_before for b in blocks] == [False, True]
    assert len(blocks[0]) == 4


def test_an_overlong_text_line_counts_once_as_bad() -> None:
    before, _ = _text([0, 10])
    after, _ = _text([20, 30], seed=1)
    overlong = b"25," + b"1," * protocol.MAX_TEXT_LINE + b"1\n"
    d = PacketDecoder(DIY)
    # Split across notifications, as a real link delivers it.
    chunks = [before, overlong[:200], overlong[200:700], overlong[700:], after]
    blocks = [b for c in chunks for b in d.feed(c)]
    assert d.bad_packets == 1
    np.testing.assert_allclose(np.concatenate([b.t for b in blocks]), [0, 0.01, 0.02, 0.03])
    # One cut off by a reconnect is not a line at all: nothing more is counted.
    d.feed(b"40," + b"1," * protocol.MAX_TEXT_LINE)
    d.reset_link()
    assert d.bad_packets == 1


def test_text_repeats_are_dropped_and_a_restarted_clock_continues() -> None:
    d = PacketDecoder(DIY)
    a, _ = _text([1000, 1010, 1020])
    b, _ = _text([1010, 1030])  # a repeated line, then the next one
    c, _ = _text([0, 10])  # the glove restarted its millis() on a live link
    blocks = d.feed(a) + d.feed(b) + d.feed(c)
    t = np.concatenate([x.t for x in blocks])
    assert d.stale_packets == 1
    np.testing.assert_allclose(t, [0, 0.01, 0.02, 0.03, 0.04, 0.05])
    assert [x.gap_before for x in blocks] == [False, False, True]


def test_text_millis_wrap() -> None:
    data, _ = _text([2**32 - 20, 2**32 - 10, 0, 10])
    t = np.concatenate([b.t for b in PacketDecoder(DIY).feed(data)])
    np.testing.assert_allclose(t, [0, 0.01, 0.02, 0.03])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.binary(max_size=260), max_size=20), st.booleans())
def test_arbitrary_bytes_never_raise_and_time_stays_monotone(
    chunks: list[bytes], text: bool
) -> None:
    d = PacketDecoder(DIY if text else REF)
    good = _text(list(range(0, 200, 10)))[0] if text else b"".join(_packets(1))
    last = -np.inf
    for i, chunk in enumerate([*chunks, good]):
        if i == 3:
            d.reset_link()
        for block in d.feed(chunk, float(i)):
            assert block.t[0] > last and np.all(np.diff(block.t) > 0)
            last = block.t[-1]
