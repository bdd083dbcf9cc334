"""Reading native captures: round trip, crash recovery, corruption (sensors.capture.reader)."""

from __future__ import annotations

import struct
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from capture_helpers import make_blocks, write  # type: ignore[import-not-found]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sensors.capture.writer as writer_mod
from sensors.blocks import SampleBlock
from sensors.capture import MAGIC, CaptureWriter, read_capture
from sensors.exceptions import CaptureError
from sensors.profiles import DEFAULT_PROFILE, GloveProfile, load_profile


def expected_arrays(blocks: list[SampleBlock]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    t = np.concatenate([b.t for b in blocks])
    v = np.concatenate([b.values for b in blocks])
    starts = np.cumsum([0] + [len(b) for b in blocks[:-1]])
    gap_idx = [int(s) for s, b in zip(starts, blocks, strict=True) if b.gap_before]
    return t, v, gap_idx


# --------------------------------------------------------------------------------------
# Round trip
# --------------------------------------------------------------------------------------


def test_round_trip_with_gaps_and_metadata(tmp_path: Path, profile: GloveProfile) -> None:
    blocks = make_blocks(profile, gaps=frozenset({3, 7}))
    path = tmp_path / "a.mtcap"
    started = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    write(
        path, profile, blocks, metadata={"synthetic": True, "note": "ünïcode"}, started_at=started
    )

    cap = read_capture(path)
    t, v, gap_idx = expected_arrays(blocks)
    np.testing.assert_array_equal(cap.t, t)
    np.testing.assert_array_equal(cap.values, v)
    assert cap.gap_starts.tolist() == gap_idx
    assert cap.profile == profile
    assert cap.source == "test:blocks"
    assert cap.started_at == "2024-05-06T07:08:09Z"
    assert dict(cap.metadata) == {"synthetic": True, "note": "ünïcode"}
    assert cap.file_format == "mtcap"
    assert not cap.truncated and cap.dropped_tail_bytes == 0
    assert cap.channel_names == profile.channel_names
    # the arrays handed out are read-only, like SampleBlock's
    assert not cap.t.flags.writeable and not cap.values.flags.writeable


# --------------------------------------------------------------------------------------
# Crash recovery and corruption
# --------------------------------------------------------------------------------------


def chunk_offsets(path: Path, profile: GloveProfile, blocks: list[SampleBlock]) -> list[int]:
    """File sizes after the header and after each block (one chunk per block)."""
    sizes = []
    with CaptureWriter(path, profile, source="x") as writer:
        sizes.append(path.stat().st_size)
        for block in blocks:
            writer.append(block)
            sizes.append(path.stat().st_size)
    return sizes


def test_tail_truncation_at_every_byte_recovers_complete_chunks(
    tmp_path: Path, profile: GloveProfile
) -> None:
    blocks = make_blocks(profile, n_blocks=5, gaps=frozenset({2}))
    src = tmp_path / "full.mtcap"
    sizes = chunk_offsets(src, profile, blocks)
    data = src.read_bytes()
    t, v, gap_idx = expected_arrays(blocks[:-1])
    cut_path = tmp_path / "cut.mtcap"
    for cut in range(sizes[-2], sizes[-1]):
        cut_path.write_bytes(data[:cut])
        cap = read_capture(cut_path)
        np.testing.assert_array_equal(cap.t, t)
        np.testing.assert_array_equal(cap.values, v)
        assert cap.gap_starts.tolist() == gap_idx
        assert cap.truncated is (cut > sizes[-2])
        assert cap.dropped_tail_bytes == cut - sizes[-2]
    # cutting anywhere in an earlier chunk keeps exactly the chunks before it
    for i in range(1, len(sizes) - 1):
        cut_path.write_bytes(data[: sizes[i] + 5])
        cap = read_capture(cut_path)
        assert cap.n_samples == 10 * i and cap.truncated


def test_damaged_last_chunk_and_trailing_zeros_are_recovered(
    tmp_path: Path, profile: GloveProfile
) -> None:
    blocks = make_blocks(profile, n_blocks=4)
    src = tmp_path / "full.mtcap"
    sizes = chunk_offsets(src, profile, blocks)
    data = bytearray(src.read_bytes())
    damaged = bytearray(data)
    damaged[-3] ^= 0xFF  # payload CRC of the last chunk fails
    (tmp_path / "d.mtcap").write_bytes(damaged)
    cap = read_capture(tmp_path / "d.mtcap")
    assert cap.n_samples == 30 and cap.truncated and "CRC" in cap.tail_error
    # a power cut can leave zero-filled blocks after the last complete chunk
    (tmp_path / "z.mtcap").write_bytes(bytes(data) + bytes(4096))
    cap = read_capture(tmp_path / "z.mtcap")
    assert cap.n_samples == 40 and cap.truncated and cap.dropped_tail_bytes == 4096
    # a torn chunk header followed by nothing valid
    torn = bytes(data[: sizes[3]]) + b"MTCK" + bytes(40)
    (tmp_path / "t.mtcap").write_bytes(torn)
    assert read_capture(tmp_path / "t.mtcap").n_samples == 30


@pytest.mark.parametrize(
    ("where", "what"),
    [("payload", "CRC"), ("head", "chunk header"), ("length", "chunk header")],
)
def test_corruption_inside_the_file_is_an_error(
    tmp_path: Path, profile: GloveProfile, where: str, what: str
) -> None:
    blocks = make_blocks(profile, n_blocks=4)
    src = tmp_path / "full.mtcap"
    sizes = chunk_offsets(src, profile, blocks)
    data = bytearray(src.read_bytes())
    offset = {"payload": sizes[1] + 40, "head": sizes[1] + 1, "length": sizes[1] + 6}[where]
    data[offset] ^= 0x10
    bad = tmp_path / "bad.mtcap"
    bad.write_bytes(data)
    with pytest.raises(CaptureError, match=what) as err:
        read_capture(bad)
    message = str(err.value)
    assert str(bad) in message and "\n" not in message


def _patched_header(data: bytes, **fields: int) -> bytes:
    magic, version, reserved, json_len, json_crc = struct.unpack_from("<8sHHII", data)
    version = fields.get("version", version)
    reserved = fields.get("reserved", reserved)
    return struct.pack("<8sHHII", magic, version, reserved, json_len, json_crc) + data[20:]


def test_header_errors(tmp_path: Path, profile: GloveProfile) -> None:
    src = tmp_path / "ok.mtcap"
    write(src, profile, make_blocks(profile, n_blocks=2))
    data = src.read_bytes()
    json_len = struct.unpack_from("<I", data, 12)[0]
    cases = {
        "crlf": (data[:4] + b"\n" + data[6:], "bad magic"),  # CRLF -> LF in a text transfer
        "magic": (b"\x89MTX" + data[4:], "not a capture"),
        "version": (_patched_header(data, version=2), "version 2"),
        "version0": (_patched_header(data, version=0), "version 0"),
        "reserved": (_patched_header(data, reserved=1), "reserved"),
        "json": (data[:30] + bytes([data[30] ^ 1]) + data[31:], "CRC"),
        "short": (data[:10], "truncated capture header"),
        "short_json": (data[: 20 + json_len // 2], "truncated capture header"),
        "empty": (b"", "empty"),
        "garbage": (b"\x00\x01garbage" * 10, "not a capture"),
        "text": (b"hello,world\n1,2\n", "not a capture"),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / f"{name}.mtcap"
        path.write_bytes(content)
        with pytest.raises(CaptureError, match=message):
            read_capture(path)
    with pytest.raises(CaptureError, match="no such"):
        read_capture(tmp_path / "missing.mtcap")
    with pytest.raises(CaptureError, match="directory"):
        read_capture(tmp_path)


def test_crc_valid_but_inconsistent_chunk_is_an_error(
    tmp_path: Path, profile: GloveProfile
) -> None:
    """Hand-built chunks that pass the CRCs but break the rules."""
    src = tmp_path / "ok.mtcap"
    sizes = chunk_offsets(src, profile, [])
    header = src.read_bytes()[: sizes[0]]
    c = len(profile.sensors)
    ok = writer_mod._encode_chunk(np.array([0.0, 0.01]), np.zeros((2, c)), gap_before=False)
    cases = {
        "channels": writer_mod._encode_chunk(
            np.array([1.0]), np.zeros((1, c + 1)), gap_before=False
        ),
        "order": writer_mod._encode_chunk(np.array([1.0, 0.5]), np.zeros((2, c)), gap_before=False),
        "overlap": writer_mod._encode_chunk(np.array([0.005]), np.zeros((1, c)), gap_before=False),
        "nan": writer_mod._encode_chunk(
            np.array([1.0, np.inf]), np.zeros((2, c)), gap_before=False
        ),
    }
    for name, chunk in cases.items():
        path = tmp_path / f"{name}.mtcap"
        path.write_bytes(header + ok + chunk)
        with pytest.raises(CaptureError):
            read_capture(path)


def _mutate(data: bytes, ops: list[tuple[str, int, int]]) -> bytes:
    buf = bytearray(data)
    for op, pos, val in ops:
        if not buf:
            break
        pos %= len(buf)
        if op == "flip":
            buf[pos] ^= 1 << (val % 8)
        elif op == "set":
            buf[pos] = val % 256
        elif op == "cut":
            del buf[pos:]
        elif op == "insert":
            buf[pos:pos] = bytes([val % 256]) * (1 + val % 13)
        else:
            del buf[pos : pos + 1 + val % 40]
    return bytes(buf)


@pytest.fixture(scope="module")
def seed_file(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    prof = load_profile(DEFAULT_PROFILE)
    path = tmp_path_factory.mktemp("fuzz") / "seed.mtcap"
    write(path, prof, make_blocks(prof, n_blocks=6, k=3, gaps=frozenset({2})))
    return path.read_bytes()


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ops=st.lists(
        st.tuples(
            st.sampled_from(["flip", "set", "cut", "insert", "delete"]),
            st.integers(0, 1 << 16),
            st.integers(0, 255),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_fuzz_mutated_files_only_raise_capture_error(seed_file: bytes, ops) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.mtcap"
        path.write_bytes(_mutate(seed_file, ops))
        try:
            cap = read_capture(path)
        except CaptureError as err:
            assert "\n" not in str(err)
        else:
            assert cap.values.shape == (cap.n_samples, len(cap.profile.sensors))
            assert np.all(np.diff(cap.t) > 0)


@settings(max_examples=150, deadline=None)
@given(tail=st.binary(max_size=400))
def test_fuzz_random_bytes_after_magic(tail: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.mtcap"
        path.write_bytes(MAGIC + tail)
        with pytest.raises(CaptureError):
            read_capture(path)
