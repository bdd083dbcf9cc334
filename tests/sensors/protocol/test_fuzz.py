"""Fuzzing every decoder of sensors.protocol: only ProtocolError ever escapes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sensors import protocol as P
from sensors.exceptions import ProtocolError
from sensors.profiles import load_profile


def _packet(rng: np.random.Generator, count: int, channels: int) -> P.SamplePacket:
    return P.SamplePacket(
        seq=int(rng.integers(0, 65536)),
        t0_us=int(rng.integers(0, 2**32)),
        dt_us=int(rng.integers(1, 65536)),
        raw=rng.integers(0, 65536, size=(count, channels)),
        tared=bool(rng.integers(0, 2)),
    )


# -- fuzz: only ProtocolError ever escapes ------------------------------------------------

DECODERS: tuple[Callable[..., object], ...] = (  # each takes any bytes-like object
    P.decode,
    P.decode_config,
    P.decode_command,
    P.decode_text_line,
    P.decode_battery_level,
)


def _try_all(data: bytes | bytearray | memoryview) -> int:
    """Run every decoder; return how many accepted. Anything but ProtocolError fails."""
    accepted = 0
    for fn in DECODERS:
        try:
            fn(data)
            accepted += 1
        except ProtocolError:
            pass
    return accepted


@settings(max_examples=600, deadline=None)
@given(st.binary(max_size=600))
def test_fuzz_random_bytes(data: bytes) -> None:
    _try_all(data)
    _try_all(bytearray(data))
    assembler = P.LineAssembler()
    for line in assembler.feed(data):
        try:
            P.decode_text_line(line)
        except ProtocolError:
            pass
    assert assembler.pending <= P.MAX_TEXT_LINE + 1


@settings(max_examples=600, deadline=None)
@given(st.text(max_size=200))
def test_fuzz_random_text_lines(text: str) -> None:
    try:
        sample = P.decode_text_line(text)
    except ProtocolError:
        return
    assert sample.values.size >= 1 and np.all(sample.values >= 0)


@settings(max_examples=400, deadline=None)
@given(
    st.integers(1, 20),
    st.integers(1, 8),
    st.integers(0, 2**31),
    st.sampled_from(["truncate", "flip", "append", "insert", "overwrite"]),
    st.data(),
)
def test_fuzz_mutated_packets_hypothesis(count, channels, seed, how, data) -> None:
    valid = P.encode(_packet(np.random.default_rng(seed), count, channels))
    buf = bytearray(valid)
    if how == "truncate":
        buf = buf[: data.draw(st.integers(0, len(buf) - 1))]
    elif how == "flip":
        i = data.draw(st.integers(0, len(buf) - 1))
        buf[i] ^= 1 << data.draw(st.integers(0, 7))
    elif how == "append":
        buf += data.draw(st.binary(min_size=1, max_size=16))
    elif how == "insert":
        i = data.draw(st.integers(0, len(buf)))
        buf[i:i] = data.draw(st.binary(min_size=1, max_size=4))
    else:
        i = data.draw(st.integers(0, P.HEADER_SIZE - 1))
        buf[i] = data.draw(st.integers(0, 255))
    try:
        packet = P.decode(bytes(buf))
    except ProtocolError:
        return
    # Whatever decodes must be exactly what its bytes say: it re-encodes identically.
    assert P.encode(packet) == bytes(buf)
    # Cutting or extending an intact header's payload can never still match its length.
    assert how not in {"truncate", "append"}


def test_fuzz_30k_mutated_notifications() -> None:
    """30 000 seeded mutations of valid packets, configs, commands, lines and battery bytes."""
    rng = np.random.default_rng(1234)
    config = P.encode_config(P.GloveConfig.from_profile(load_profile("reference-glove")))
    seeds = [
        P.encode(_packet(rng, int(rng.integers(1, 17)), int(rng.integers(1, 8)))) for _ in range(20)
    ]
    seeds += [
        config,
        P.encode_command(P.Command.SET_RATE, 200),
        P.encode_command(P.Command.TARE),
        P.encode_text_line(120, [1, 2, 3.5]),
        bytes([87]),
    ]
    accepted = rejected = 0
    for i in range(30_000):
        data = bytearray(seeds[i % len(seeds)])
        for _ in range(int(rng.integers(1, 4))):  # 1-3 stacked mutations
            op = int(rng.integers(0, 5))
            if op == 0 and data:
                data[int(rng.integers(0, len(data)))] ^= 1 << int(rng.integers(0, 8))
            elif op == 1:
                data = data[: int(rng.integers(0, len(data) + 1))]
            elif op == 2:
                data += rng.integers(0, 256, size=int(rng.integers(1, 8)), dtype=np.uint8).tobytes()
            elif op == 3:
                pos = int(rng.integers(0, len(data) + 1))
                data[pos:pos] = rng.integers(0, 256, size=2, dtype=np.uint8).tobytes()
            elif data:
                data[int(rng.integers(0, len(data)))] = int(rng.integers(0, 256))
        ok = _try_all(memoryview(data) if i % 2 else bytes(data))
        accepted += ok
        rejected += len(DECODERS) - ok
    # Both outcomes happen: the mutations reach past the first length check.
    assert accepted > 1000 and rejected > 100_000


def test_every_accepted_mutation_is_self_consistent() -> None:
    """Mutated packets that still decode re-encode to the very same bytes."""
    rng = np.random.default_rng(99)
    checked = 0
    for _ in range(3000):
        buf = bytearray(P.encode(_packet(rng, int(rng.integers(1, 10)), int(rng.integers(1, 6)))))
        buf[int(rng.integers(0, len(buf)))] ^= 1 << int(rng.integers(0, 8))
        try:
            packet = P.decode(bytes(buf))
        except ProtocolError:
            continue
        assert P.encode(packet) == bytes(buf)
        checked += 1
    assert checked > 1000  # most value-bit flips stay valid
