from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sensors import protocol as P
from sensors.exceptions import ProtocolError
from sensors.profiles import Region, load_profile

DOC = Path(__file__).parents[2] / "docs" / "glove-protocol.md"
REGIONS = [r.value for r in Region]


def doc_example(name: str) -> str:
    """The first fenced block after ``<!-- example: NAME -->`` in docs/glove-protocol.md."""
    text = DOC.read_text(encoding="utf-8")
    marker = text.index(f"<!-- example: {name} -->")
    match = re.compile(r"```[a-z]*\n(.*?)```", re.S).search(text, marker)
    assert match is not None, f"no code block after example {name!r}"
    return match.group(1).strip()


def _packet(rng: np.random.Generator, count: int, channels: int) -> P.SamplePacket:
    return P.SamplePacket(
        seq=int(rng.integers(0, 65536)),
        t0_us=int(rng.integers(0, 2**32)),
        dt_us=int(rng.integers(1, 65536)),
        raw=rng.integers(0, 65536, size=(count, channels)),
        tared=bool(rng.integers(0, 2)),
    )


def _config_doc() -> dict:
    return {
        "v": 1,
        "name": "g",
        "fw": "1.0",
        "rate_hz": 200.0,
        "scale": 0.002,
        "units": "N",
        "profile": "reference-glove",
        "sensors": [["thumb", "thumb", 0.1, 0.45], ["index", "index", 0.3, 0.9]],
    }


def _json(doc: object) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


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


def test_documented_example_decodes_to_what_the_doc_says() -> None:
    # docs/glove-protocol.md §1.1: seq 513, t0 1 000 000 µs, dt 5000 µs, 2 x 3 counts.
    data = bytes.fromhex(doc_example("samples"))
    expected = P.SamplePacket(513, 1_000_000, 5000, np.array([[1, 2, 3], [256, 512, 65535]]))
    assert P.decode(data) == expected
    assert P.encode(expected) == data


def test_documented_wrap_example() -> None:
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


# -- fuzz: only ProtocolError ever escapes ------------------------------------------------

DECODERS: tuple[Callable[[bytes], object], ...] = (
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


# -- config characteristic ----------------------------------------------------------------

# Any text but lone surrogates (not encodable as UTF-8); short enough for 512 bytes.
_NAMES = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=5)
_UNIT = st.floats(0, 1, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(_NAMES, min_size=1, max_size=3, unique=True),
    st.lists(st.tuples(st.sampled_from(REGIONS), _UNIT, _UNIT), min_size=3, max_size=3),
    st.floats(0.5, 5000, allow_nan=False),
    st.floats(1e-6, 1e3, allow_nan=False),
    _NAMES,
    st.text(max_size=10),
)
def test_config_round_trip(names, places, rate, scale, name, fw) -> None:
    sensors = tuple((n, r, x, y) for n, (r, x, y) in zip(names, places, strict=False))
    cfg = P.GloveConfig(name, fw, rate, scale, "N", sensors, "reference-glove")
    data = P.encode_config(cfg)
    assert len(data) <= P.MAX_CONFIG_BYTES
    assert P.decode_config(data) == cfg
    assert P.decode_config(bytearray(data)) == cfg


def test_documented_config_example() -> None:
    text = doc_example("config")
    cfg = P.decode_config(text.encode())
    profile = load_profile("reference-glove")
    assert cfg.name == "Reference glove" and cfg.firmware == "1.2.0"
    assert cfg.channel_names == profile.channel_names
    assert cfg.matches(profile) and cfg.mismatches(profile) == []
    built = P.GloveConfig.from_profile(profile, name="Reference glove", firmware="1.2.0")
    assert built == cfg
    assert P.encode_config(built) == text.encode()


def test_config_mismatches_name_each_disagreement() -> None:
    ref = load_profile("reference-glove")
    diy = load_profile("diy-fsr5")
    cfg = P.GloveConfig.from_profile(ref)
    assert not cfg.matches(diy)
    problems = cfg.mismatches(diy)
    assert any("nus-text" in p for p in problems)
    assert any("glove reports sensors" in p for p in problems)
    assert any("200 Hz" in p for p in problems)
    swapped = P.GloveConfig(
        cfg.name, "", 200.0, 0.002, "N", (cfg.sensors[1], cfg.sensors[0], *cfg.sensors[2:])
    )
    assert any("sensors" in p for p in swapped.mismatches(ref))
    relabelled = P.GloveConfig(
        cfg.name, "", 200.0, 0.002, "N", (("palm_heel", "thumb", 0.5, 0.1), *cfg.sensors[1:])
    )
    assert [p for p in relabelled.mismatches(ref) if "regions" in p]
    slower = P.GloveConfig(cfg.name, "", 201.0, 0.002, "N", cfg.sensors)
    assert slower.matches(ref)  # within 1 %
    assert not P.GloveConfig(cfg.name, "", 100.0, 0.002, "N", cfg.sensors).matches(ref)


def test_config_from_a_non_linear_profile_needs_a_scale() -> None:
    diy = load_profile("diy-fsr5")
    with pytest.raises(ValueError, match="value_scale"):
        P.GloveConfig.from_profile(diy)
    assert P.GloveConfig.from_profile(diy, value_scale=0.0025).value_scale == 0.0025


def _mutate(**changes: object) -> bytes:
    doc = _config_doc()
    for key, value in changes.items():
        if value is ...:
            del doc[key]
        else:
            doc[key] = value
    return _json(doc)


_small = {"v": 1, "name": "g", "fw": "", "rate_hz": 1, "scale": 1, "units": "N"}
_small["sensors"] = [["a", "thumb", 0, 0]]
assert len(_json({**_small, "rate_hz": 10**310})) < 512

BAD_CONFIGS = {
    "not an object": b"[]",
    "not UTF-8": "é".encode("latin-1"),
    "not JSON": b'{"v":1,',
    "deep nesting": b"[" * 250 + b"]" * 250,
    "too long": _mutate(name="x" * 600),
    "missing v": _mutate(v=...),
    "missing name": _mutate(name=...),
    "missing fw": _mutate(fw=...),
    "missing rate": _mutate(rate_hz=...),
    "missing scale": _mutate(scale=...),
    "missing units": _mutate(units=...),
    "missing sensors": _mutate(sensors=...),
    "version 2": _mutate(v=2),
    "version as text": _mutate(v="1"),
    "version bool": _mutate(v=True),
    "rate zero": _mutate(rate_hz=0),
    "rate negative": _mutate(rate_hz=-200),
    "rate text": _mutate(rate_hz="200"),
    # 310-digit integers: valid JSON, beyond float range (the document stays under 512 bytes).
    "rate huge int": _json({**_small, "rate_hz": 10**310}),
    "scale zero": _mutate(scale=0.0),
    "units kPa": _mutate(units="kPa"),
    "empty name": _mutate(name=""),
    "no sensors": _mutate(sensors=[]),
    "33 sensors": _mutate(sensors=[[f"s{i}", "palm", 0.5, 0.5] for i in range(33)]),
    "sensor not list": _mutate(sensors=["thumb"]),
    "sensor short": _mutate(sensors=[["thumb", "thumb", 0.1]]),
    "unknown region": _mutate(sensors=[["thumb", "elbow", 0.1, 0.4]]),
    "region not text": _mutate(sensors=[["thumb", 3, 0.1, 0.4]]),
    "x above 1": _mutate(sensors=[["thumb", "thumb", 1.5, 0.4]]),
    "y negative": _mutate(sensors=[["thumb", "thumb", 0.1, -0.1]]),
    "x huge int": _json({**_small, "sensors": [["a", "thumb", 10**310, 0]]}),
    "x bool": _mutate(sensors=[["thumb", "thumb", True, 0.4]]),
    "duplicate names": _mutate(sensors=[["a", "thumb", 0.1, 0.4], ["a", "index", 0.3, 0.9]]),
    "profile not text": _mutate(profile=7),
    "NaN": _mutate().replace(b'"rate_hz":200.0', b'"rate_hz":NaN'),
    "Infinity in unknown key": _mutate().replace(b"{", b'{"extra":Infinity,', 1),
    "duplicate key": _mutate().replace(b"{", b'{"v":1,', 1),
}


@pytest.mark.parametrize("data", BAD_CONFIGS.values(), ids=BAD_CONFIGS.keys())
def test_bad_configs_raise_protocol_error(data: bytes) -> None:
    with pytest.raises(ProtocolError, match="config"):
        P.decode_config(data)


def test_config_ignores_unknown_keys_and_encoder_refuses_invalid() -> None:
    cfg = P.decode_config(_mutate(battery_mv=3700))
    assert cfg.channel_names == ("thumb", "index")
    too_big = P.GloveConfig(
        "g", "1", 200.0, 1.0, "N", tuple((f"sensor-{i:02d}", "palm", 0.5, 0.5) for i in range(32))
    )
    with pytest.raises(ValueError, match="too long"):
        P.encode_config(too_big)
    with pytest.raises(ValueError):
        P.encode_config(P.GloveConfig("g", "1", float("nan"), 1.0, "N", (("a", "palm", 0, 0),)))
    with pytest.raises(ValueError):
        P.encode_config(P.GloveConfig("g", "1", 100.0, 1.0, "N", (("a", "wrist", 0, 0),)))


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


def test_battery_level() -> None:
    assert P.decode_battery_level(b"\x57") == 87
    assert P.decode_battery_level(bytearray([100])) == 100
    for bad in (b"", b"\x65", b"\x50\x00"):
        with pytest.raises(ProtocolError, match="battery"):
            P.decode_battery_level(bad)


# -- NUS text lines -----------------------------------------------------------------------


def test_documented_text_example() -> None:
    diy = load_profile("diy-fsr5")
    samples = [
        P.decode_text_line(line, channels=len(diy.sensors))
        for line in doc_example("text").splitlines()
    ]
    assert [s.t_ms for s in samples] == [120, 130, 140]
    np.testing.assert_array_equal(samples[0].values, [0, 14, 803, 1211, 97])


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 2**64 - 1),
    st.lists(
        st.one_of(st.integers(0, 10**9), st.decimals(0, 10**6, places=3).map(float)),
        min_size=1,
        max_size=32,
    ),
)
def test_text_line_round_trip(t_ms: int, values: list[float]) -> None:
    line = P.encode_text_line(t_ms, values)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    sample = P.decode_text_line(line, channels=len(values))
    assert sample.t_ms == t_ms
    np.testing.assert_allclose(sample.values, values, rtol=1e-6, atol=5e-7)
    assert P.decode_text_line(line.decode()).t_ms == t_ms  # str accepted too


def test_text_line_tolerates_spaces_and_crlf() -> None:
    sample = P.decode_text_line(b" 10, 1 ,2.5\r\n", channels=2)
    assert sample.t_ms == 10
    np.testing.assert_array_equal(sample.values, [1.0, 2.5])


@pytest.mark.parametrize(
    "line",
    [
        b"",
        b"\r\n",
        b"12",
        b"12,",
        b"x,1,2",
        b"1,a,2",
        b"1,nan,2",
        b"1,inf,2",
        b"1,-3,2",
        b"1,+3,2",
        b"1,1e3",
        b"1,1_0",
        b"1,2,,3",
        b"1,2,3,",
        b"-1,2",
        b"1.5,2",
        b"1,2,3\xff",
        "1,\u00b2",
        "\u00b2,1",
        "\u0661,1",
        str(2**64) + ",1",
        "1," + ",".join(["1"] * 33),
        "1," + "1" * 600,
        b"1,2\x003",
    ],
)
def test_bad_text_lines(line: bytes | str) -> None:
    with pytest.raises(ProtocolError):
        P.decode_text_line(line)


def test_text_line_channel_count_and_encoder_checks() -> None:
    with pytest.raises(ProtocolError, match="expected 5"):
        P.decode_text_line(b"1,2,3", channels=5)
    for args in ((-1, [1]), (1, [-1.0]), (1, [float("nan")]), (1, []), (1, [0] * 33)):
        with pytest.raises(ValueError):
            P.encode_text_line(*args)  # type: ignore[arg-type]


@settings(max_examples=120, deadline=None)
@given(st.lists(st.integers(1, 60), min_size=1, max_size=40), st.booleans())
def test_line_assembler_any_chunking(cuts: list[int], crlf: bool) -> None:
    lines = [P.encode_text_line(10 * i, [i, i + 1]) for i in range(50)]
    if crlf:
        lines = [line.replace(b"\n", b"\r\n") for line in lines]
    stream = b"".join(lines)
    assembler = P.LineAssembler()
    out: list[bytes] = []
    pos = 0
    for cut in cuts * 20:
        out += assembler.feed(stream[pos : pos + cut])
        pos += cut
    out += assembler.feed(stream[pos:])
    assert [P.decode_text_line(x).t_ms for x in out] == [10 * i for i in range(50)]
    assert assembler.pending == 0 and assembler.overlong == 0


def test_line_assembler_rejects_overlong_lines_and_recovers() -> None:
    assembler = P.LineAssembler()
    out = assembler.feed(b"9" * 2000)
    assert out == [] and assembler.pending <= P.MAX_TEXT_LINE + 1
    out = assembler.feed(b"9999\n5,1\n")
    assert assembler.overlong == 1 and len(out) == 2
    with pytest.raises(ProtocolError, match="longer than"):
        P.decode_text_line(out[0])
    assert P.decode_text_line(out[1]).t_ms == 5


def test_line_assembler_memory_is_bounded_and_junk_is_skipped() -> None:
    assembler = P.LineAssembler()
    rng = np.random.default_rng(3)
    junk = rng.integers(0, 256, size=100_000, dtype=np.uint8).tobytes().replace(b"\n", b"x")
    for start in range(0, len(junk), 244):
        assert assembler.feed(junk[start : start + 244]) == []
        assert assembler.pending <= P.MAX_TEXT_LINE + 1
    out = assembler.feed(b"\n1,2\n3,4")
    assert out[-1] == b"1,2" and assembler.pending == 3
    assert assembler.feed(b"\n") == [b"3,4"]
    with pytest.raises(ProtocolError):
        assembler.feed("text")  # type: ignore[arg-type]


def test_line_assembler_line_of_exactly_max_length() -> None:
    assembler = P.LineAssembler()
    line = b"1," + b"2" * (P.MAX_TEXT_LINE - 2)
    assert assembler.feed(line + b"\n") == [line]
    assert assembler.overlong == 0
    assembler.feed(line + b"3\n")
    assert assembler.overlong == 1


# -- sequence numbers and device time -----------------------------------------------------


def test_sequence_tracker_wraps_and_discards_stale() -> None:
    tracker = P.SequenceTracker()
    assert tracker.update(65534) == 0
    assert tracker.update(65535) == 0
    assert tracker.update(1) == 1  # 0 lost across the wrap
    assert tracker.update(1) == -1  # duplicate
    assert tracker.update(0) == -1  # reordered, late
    assert tracker.update(5) == 3
    assert tracker.last == 5
    tracker.reset()
    assert tracker.update(40_000) == 0 and tracker.last == 40_000
    for bad in (-1, 65536):
        with pytest.raises(ProtocolError):
            tracker.update(bad)


def test_sequence_tracker_resyncs_after_a_counter_restart() -> None:
    tracker = P.SequenceTracker(resync_after=16)
    for seq in range(1000, 1010):
        tracker.update(seq)
    results = [tracker.update(seq) for seq in range(0, 16)]  # glove restarted at 0
    assert results[:15] == [-1] * 15
    assert results[15] == 15  # accepted, reporting the 15 it discarded: a gap
    assert tracker.update(16) == 0


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 65535), st.lists(st.integers(0, 300), min_size=1, max_size=300))
def test_sequence_tracker_counts_every_drop(start: int, drops: list[int]) -> None:
    tracker = P.SequenceTracker()
    seq = start
    assert tracker.update(seq) == 0
    for lost in drops:
        seq = (seq + lost + 1) % 65536
        assert tracker.update(seq) == lost


def test_device_clock_unwraps_u32_microseconds() -> None:
    clock = P.DeviceClock()
    start = 2**32 - 1_000_000
    assert clock.to_seconds(start) == 0.0
    assert clock.to_seconds(2**32 - 1) == pytest.approx(0.999999)
    assert clock.to_seconds(500_000) == pytest.approx(1.5)  # wrapped
    assert clock.to_seconds(2**31 + 500_000) == pytest.approx(1.5 + 2**31 / 1e6)
    assert clock.to_seconds(100) == pytest.approx((2 * 2**32 + 100 - start) / 1e6)  # second wrap
    clock.reset()
    assert clock.to_seconds(12345) == 0.0


def test_device_clock_reordered_reading_across_the_wrap() -> None:
    clock = P.DeviceClock()
    assert clock.to_seconds(2**32 - 10_000) == 0.0
    assert clock.to_seconds(10_000) == pytest.approx(0.02)  # after the wrap
    assert clock.to_seconds(2**32 - 5_000) == pytest.approx(0.005)  # late packet: earlier
    assert clock.to_seconds(15_000) == pytest.approx(0.025)  # and back on track


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.lists(st.integers(0, 2**31 - 1), min_size=1, max_size=200),
)
def test_device_clock_matches_the_true_elapsed_time(start: int, steps: list[int]) -> None:
    clock = P.DeviceClock()
    clock.to_seconds(start)
    elapsed = 0
    for step in steps:
        elapsed += step
        assert clock.to_seconds((start + elapsed) % 2**32) == elapsed / 1e6


def test_device_clock_in_milliseconds() -> None:
    clock = P.DeviceClock(wrap=2**32, ticks_per_s=1e3)
    assert clock.to_seconds(2**32 - 10) == 0.0
    assert clock.to_seconds(10) == pytest.approx(0.020)
