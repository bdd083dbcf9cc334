"""glove-v1 samples notifications and control commands (sensors.protocol.glove_v1)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sensors import protocol as P
from sensors.exceptions import ProtocolError

# -- samples: round trip and the documented bytes -----------------------------------------


@settings(max_examples=100, deadline=None)
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
    data = P.encode(packet)
    assert len(data) == 12 + 2 * raw.size
    for form in (data, bytearray(data), memoryview(data)):
        decoded = P.decode(form)
        assert decoded == packet
        assert decoded.raw.dtype == np.int64 and decoded.raw.shape == raw.shape


def test_documented_example_decodes_to_what_the_doc_says(doc_example: Callable[[str], str]) -> None:
    # docs/glove-protocol.md §1.1: seq 513, t0 1 000 000 µs, dt 5000 µs, 2 x 3 counts.
    data = bytes.fromhex(doc_example("samples"))
    expected = P.SamplePacket(513, 1_000_000, 5000, np.array([[1, 2, 3], [256, 512, 65535]]))
    assert P.decode(data) == expected
    assert P.encode(expected) == data


def test_documented_wrap_example(doc_example: Callable[[str], str]) -> None:
    data = bytes.fromhex(doc_example("samples-wrap"))
    packet = P.decode(data)
    assert (packet.seq, packet.t0_us, packet.dt_us, packet.tared) == (65535, 4294967000, 5000, True)
    np.testing.assert_array_equal(packet.raw, [[0, 4500], [45000, 65535]])
    assert P.encode(packet) == data
    # The next notification: seq wraps to 0 with nothing lost, time keeps going forwards.
    tracker, clock = P.SequenceTracker(), P.DeviceClock()
    assert tracker.update(packet.seq) == 0 and clock.to_seconds(packet.t0_us) == 0.0
    next_t0 = (packet.t0_us + 2 * packet.dt_us) % 2**32
    assert next_t0 < packet.t0_us
    assert tracker.update(0) == 0
    assert clock.to_seconds(next_t0) == pytest.approx(0.010)


@pytest.mark.parametrize(("channels", "fits"), [(1, 116), (5, 23), (7, 16), (16, 7), (32, 3)])
def test_batch_fits_a_notification(channels: int, fits: int) -> None:
    # (244 - 12) // (2 * channels), as docs/glove-protocol.md §1.2 tabulates.
    assert P.max_samples_per_packet(channels) == fits
    raw = np.zeros((fits, channels), dtype=np.int64)
    assert len(P.encode(P.SamplePacket(0, 0, 1, raw))) <= P.MAX_NOTIFICATION_BYTES
    bigger = np.zeros((fits + 1, channels), dtype=np.int64)
    assert len(P.encode(P.SamplePacket(0, 0, 1, bigger))) > P.MAX_NOTIFICATION_BYTES


def test_batch_size_limits() -> None:
    assert P.max_samples_per_packet(1, payload=10_000) == 255  # count is one byte
    assert P.max_samples_per_packet(7, payload=26) == 1  # MTU 29 = 15 + 2 * 7
    for bad in ((0, 244), (33, 244), (7, 25)):
        with pytest.raises(ValueError):
            P.max_samples_per_packet(*bad)


@pytest.mark.parametrize(
    "packet",
    [
        P.SamplePacket(0, 0, 1, np.zeros((0, 3), dtype=np.int64)),
        P.SamplePacket(0, 0, 1, np.zeros((256, 1), dtype=np.int64)),
        P.SamplePacket(0, 0, 1, np.zeros((1, 33), dtype=np.int64)),
        P.SamplePacket(0, 0, 1, np.zeros(3, dtype=np.int64)),
        P.SamplePacket(0, 0, 1, np.array([[65536]])),
        P.SamplePacket(0, 0, 1, np.array([[-1]])),
        P.SamplePacket(0, 0, 1, np.array([[1.5]])),
        P.SamplePacket(65536, 0, 1, np.ones((1, 1), dtype=np.int64)),
        P.SamplePacket(0, 2**32, 1, np.ones((1, 1), dtype=np.int64)),
        P.SamplePacket(0, 0, 0, np.ones((1, 1), dtype=np.int64)),
        P.SamplePacket(0, 0, 65536, np.ones((1, 1), dtype=np.int64)),
    ],
)
def test_encode_rejects_out_of_range_fields(packet: P.SamplePacket) -> None:
    with pytest.raises(ValueError):
        P.encode(packet)


def _valid_header(count: int = 2, channels: int = 3) -> bytearray:
    return bytearray(P.encode(P.SamplePacket(7, 100, 5000, np.ones((count, channels), int))))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "too short"),
        (bytes(11), "too short"),
        (b"\x02" + bytes(_valid_header())[1:], "version 2"),
        (b"\x00" + bytes(_valid_header())[1:], "version 0"),
        (bytes(_valid_header()[:1]) + b"\x02" + bytes(_valid_header()[2:]), "reserved flag"),
        (bytes(_valid_header()[:10]) + b"\x00\x03", "bad batch shape"),
        (bytes(_valid_header()[:10]) + b"\x02\x00", "bad batch shape"),
        (bytes(_valid_header()[:10]) + b"\x01\x21" + bytes(66), "bad batch shape"),
        (bytes(_valid_header()[:8]) + b"\x00\x00" + bytes(_valid_header()[10:]), "dt_us is 0"),
        (bytes(_valid_header())[:-1], "does not match"),
        (bytes(_valid_header()) + b"\x00", "does not match"),
        (bytearray(b"\x01" * 40), "does not match"),
    ],
)
def test_malformed_packets_raise_protocol_error(data: bytes, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        P.decode(data)


@pytest.mark.parametrize("value", ["not bytes", 12, [1] * 20, None, 3.5, object()])
def test_non_bytes_input_is_protocol_error(value: object) -> None:
    for fn in (P.decode, P.decode_config, P.decode_command, P.decode_battery_level):
        with pytest.raises(ProtocolError, match="must be bytes"):
            fn(value)  # type: ignore[arg-type]


def test_released_memoryview_is_protocol_error() -> None:
    view = memoryview(P.encode(P.SamplePacket(0, 0, 1, np.ones((1, 1), int))))
    view.release()
    with pytest.raises(ProtocolError):
        P.decode(view)


# -- control and battery ------------------------------------------------------------------


def test_commands_round_trip_with_documented_bytes() -> None:
    assert P.encode_command(P.Command.START) == b"\x01"
    assert P.encode_command(P.Command.STOP) == b"\x02"
    assert P.encode_command(P.Command.TARE) == b"\x03"
    assert P.encode_command(P.Command.SET_RATE, 200) == bytes.fromhex("04 c8 00")
    for cmd in (P.Command.START, P.Command.STOP, P.Command.TARE):
        assert P.decode_command(P.encode_command(cmd)) == (cmd, None)
    for rate in (P.MIN_SET_RATE_HZ, 100, 200, 1000, P.MAX_SET_RATE_HZ):
        assert P.decode_command(P.encode_command(P.Command.SET_RATE, rate)) == (
            P.Command.SET_RATE,
            rate,
        )
    assert P.decode_command(memoryview(b"\x03")) == (P.Command.TARE, None)


@pytest.mark.parametrize(
    "data", [b"", b"\x00", b"\x05", b"\xff", b"\x01\x00", b"\x03\x03", b"\x04\xc8", b"\x04\x0f\x00"]
)
def test_bad_commands(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        P.decode_command(data)


@pytest.mark.parametrize(
    ("command", "value"),
    [
        (P.Command.SET_RATE, None),
        (P.Command.SET_RATE, 15),
        (P.Command.SET_RATE, 65536),
        (P.Command.SET_RATE, 200.0),
        (P.Command.START, 1),
    ],
)
def test_encode_command_rejects_bad_arguments(command: P.Command, value: object) -> None:
    with pytest.raises(ValueError):
        P.encode_command(command, value)  # type: ignore[arg-type]
