from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sensors import protocol as P
from sensors.exceptions import ProtocolError


def _packet(rng: np.random.Generator, count: int = 10, channels: int = 7) -> P.SamplePacket:
    return P.SamplePacket(
        seq=int(rng.integers(0, 65536)),
        t0_us=int(rng.integers(0, 2**32)),
        dt_us=int(rng.integers(1, 65536)),
        raw=rng.integers(0, 65536, size=(count, channels)),
        tared=bool(rng.integers(0, 2)),
    )


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 32).flatmap(
        lambda c: arrays(
            np.int64, st.tuples(st.integers(1, 255), st.just(c)), elements=st.integers(0, 65535)
        )
    ),
    st.integers(0, 65535),
    st.integers(0, 2**32 - 1),
    st.integers(1, 65535),
    st.booleans(),
)
def test_round_trip(raw, seq, t0, dt, tared) -> None:
    packet = P.SamplePacket(seq, t0, dt, raw, tared)
    assert P.decode(P.encode(packet)) == packet


def test_documented_example_bytes() -> None:
    # The worked example of docs/glove-protocol.md: seq 513, t0 1000000 µs, 5 ms, 2 x 3 counts.
    packet = P.SamplePacket(513, 1_000_000, 5000, np.array([[1, 2, 3], [256, 512, 65535]]))
    data = P.encode(packet)
    assert data.hex(" ") == (
        "01 00 01 02 40 42 0f 00 88 13 02 03 01 00 02 00 03 00 00 01 00 02 ff ff"
    )
    assert P.decode(bytes.fromhex(data.hex())) == packet


def test_batch_fits_a_notification() -> None:
    for channels in (1, 5, 7, 16, 32):
        n = P.max_samples_per_packet(channels)
        raw = np.zeros((n, channels), dtype=np.int64)
        assert len(P.encode(P.SamplePacket(0, 0, 1, raw))) <= P.MAX_NOTIFICATION_BYTES
        too_many = np.zeros((n + 1, channels), dtype=np.int64)
        if n < 255:
            assert len(P.encode(P.SamplePacket(0, 0, 1, too_many))) > P.MAX_NOTIFICATION_BYTES


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x01",
        bytes(11),
        b"\x02" + bytes(13),
        b"\x01\x80" + bytes(12),
        bytearray(b"\x01" * 40),
    ],
)
def test_malformed_packets_raise_protocol_error(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        P.decode(data)


def test_non_bytes_input_is_protocol_error() -> None:
    with pytest.raises(ProtocolError):
        P.decode("not bytes")  # type: ignore[arg-type]
    with pytest.raises(ProtocolError):
        P.decode(12)  # type: ignore[arg-type]


DECODERS = (P.decode, P.decode_config, P.decode_command, P.decode_text_line)


def _only_protocol_errors(fn, data: bytes) -> None:
    try:
        fn(data)
    except ProtocolError:
        pass


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_random_bytes(data: bytes) -> None:
    for fn in DECODERS:
        _only_protocol_errors(fn, data)


def test_fuzz_mutated_packets() -> None:
    """30 000 mutations of valid packets, configs and lines: only ProtocolError escapes."""
    rng = np.random.default_rng(1234)
    config = P.encode_config(
        P.GloveConfig(
            "g", "1.0", 200.0, 0.002, "N", (("thumb", "thumb", 0.1, 0.4),), "reference-glove"
        )
    )
    seeds = [
        P.encode(_packet(rng, int(rng.integers(1, 17)), int(rng.integers(1, 8)))) for _ in range(20)
    ]
    seeds += [config, P.encode_command(P.Command.SET_RATE, 200), P.encode_text_line(120, [1, 2, 3])]
    decoded_ok = 0
    for i in range(30_000):
        data = bytearray(seeds[i % len(seeds)])
        op = rng.integers(0, 4)
        if op == 0 and data:
            data[rng.integers(0, len(data))] ^= 1 << int(rng.integers(0, 8))
        elif op == 1:
            data = data[: rng.integers(0, len(data) + 1)]
        elif op == 2:
            data += rng.integers(0, 256, size=int(rng.integers(1, 8)), dtype=np.uint8).tobytes()
        else:
            pos = int(rng.integers(0, len(data) + 1))
            data[pos:pos] = rng.integers(0, 256, size=2, dtype=np.uint8).tobytes()
        for fn in DECODERS:
            try:
                fn(bytes(data))
                decoded_ok += 1
            except ProtocolError:
                pass
    assert decoded_ok > 0  # some mutations (e.g. flipped value bits) stay valid


def test_config_round_trip_and_validation() -> None:
    cfg = P.GloveConfig(
        "Reference glove",
        "1.2.0",
        200.0,
        0.002,
        "N",
        (("palm_heel", "palm_heel", 0.5, 0.1), ("thumb", "thumb", 0.1, 0.45)),
        "reference-glove",
    )
    assert P.decode_config(P.encode_config(cfg)) == cfg
    assert len(P.encode_config(cfg)) <= 512
    for bad in (b"[]", b'{"v": 1}', b'{"v":2,"name":"x"}', "é".encode("latin-1"), b"{" * 5000):
        with pytest.raises(ProtocolError):
            P.decode_config(bad)


def test_commands() -> None:
    for cmd in (P.Command.START, P.Command.STOP, P.Command.TARE):
        assert P.decode_command(P.encode_command(cmd)) == (cmd, None)
    assert P.decode_command(P.encode_command(P.Command.SET_RATE, 100)) == (P.Command.SET_RATE, 100)
    for bad in (b"", b"\x09", b"\x01\x00", b"\x04\x00\x00", b"\x04\x01"):
        with pytest.raises(ProtocolError):
            P.decode_command(bad)


def test_text_lines() -> None:
    sample = P.decode_text_line(P.encode_text_line(1234, [0, 17, 4095]), channels=3)
    assert sample.t_ms == 1234
    np.testing.assert_array_equal(sample.values, [0, 17, 4095])
    for bad in (b"", b"12", b"x,1,2", b"1,a,2", b"1,nan,2", b"1,-3,2", b"1,2,3\xff"):
        with pytest.raises(ProtocolError):
            P.decode_text_line(bad)
    with pytest.raises(ProtocolError):
        P.decode_text_line(b"1,2,3", channels=5)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 30), min_size=1, max_size=40))
def test_line_assembler_any_chunking(cuts: list[int]) -> None:
    stream = b"".join(P.encode_text_line(10 * i, [i, i + 1]) for i in range(50))
    assembler = P.LineAssembler()
    lines: list[bytes] = []
    pos = 0
    for cut in cuts * 20:
        lines += assembler.feed(stream[pos : pos + cut])
        pos += cut
    lines += assembler.feed(stream[pos:])
    assert [P.decode_text_line(x).t_ms for x in lines] == [10 * i for i in range(50)]


def test_line_assembler_drops_overlong_lines_and_recovers() -> None:
    assembler = P.LineAssembler()
    out = assembler.feed(b"9" * 2000) + assembler.feed(b"9999\n5,1\n")
    assert out == [b"5,1"]
    assert assembler.overlong == 1


def test_sequence_tracker_wraps() -> None:
    tracker = P.SequenceTracker()
    assert tracker.update(65534) == 0
    assert tracker.update(65535) == 0
    assert tracker.update(1) == 1  # 0 lost across the wrap
    assert tracker.update(1) == -1  # duplicate
    assert tracker.update(0) == -1  # stale
    assert tracker.update(5) == 3


def test_device_clock_unwraps_u32_microseconds() -> None:
    clock = P.DeviceClock()
    start = 2**32 - 1_000_000
    assert clock.to_seconds(start) == 0.0
    assert clock.to_seconds(2**32 - 1) == pytest.approx(0.999999)
    assert clock.to_seconds(500_000) == pytest.approx(1.5)  # wrapped
    assert clock.to_seconds(2**31 + 500_000) == pytest.approx(1.5 + 2**31 / 1e6)
    assert clock.to_seconds(100) == pytest.approx((2 * 2**32 + 100 - start) / 1e6)  # second wrap
