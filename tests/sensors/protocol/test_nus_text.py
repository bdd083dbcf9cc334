"""nus-text lines and their reassembly (sensors.protocol.nus_text)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensors import protocol as P
from sensors.exceptions import ProtocolError
from sensors.profiles import load_profile

# -- NUS text lines -----------------------------------------------------------------------


def test_documented_text_example(doc_example: Callable[[str], str]) -> None:
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
            P.encode_text_line(*args)


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
