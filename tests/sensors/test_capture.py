from __future__ import annotations

import io
import itertools
import json
import os
import struct
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sensors.capture.writer as writer_mod
from sensors.blocks import SampleBlock
from sensors.capture import (
    CSV_GAP_FACTOR,
    MAGIC,
    Capture,
    CaptureWriter,
    read_capture,
    read_csv,
    trim_block,
    write_csv,
)
from sensors.capture._layout import _MAX_CHUNK_SAMPLES
from sensors.exceptions import CaptureError
from sensors.profiles import DEFAULT_PROFILE, GloveProfile, list_profiles, load_profile


@pytest.fixture(scope="module")
def profile() -> GloveProfile:
    return load_profile(DEFAULT_PROFILE)


def other_profile(profile: GloveProfile) -> GloveProfile:
    for name in list_profiles():
        candidate = load_profile(name)
        if candidate != profile:
            return candidate
    pytest.fail("need a second bundled profile")


def make_blocks(
    profile: GloveProfile,
    n_blocks: int = 12,
    k: int = 10,
    *,
    gaps: frozenset[int] = frozenset(),
    seed: int = 0,
) -> list[SampleBlock]:
    """Blocks at the profile's rate; a block in ``gaps`` follows 7 lost samples."""
    rng = np.random.default_rng(seed)
    dt = 1.0 / profile.sample_rate_hz
    c = len(profile.sensors)
    blocks = []
    i = 0
    for b in range(n_blocks):
        if b in gaps:
            i += 7
        t = (i + np.arange(k)) * dt
        i += k
        values = rng.gamma(2.0, 3.0, size=(k, c))
        blocks.append(SampleBlock(t, values, profile, gap_before=b in gaps, seq=b))
    return blocks


def write(path: Path, profile: GloveProfile, blocks: list[SampleBlock], **kw) -> None:
    with CaptureWriter(path, profile, source="test:blocks", **kw) as writer:
        for block in blocks:
            writer.append(block)


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


def test_byte_layout_matches_the_documentation(tmp_path: Path, profile: GloveProfile) -> None:
    """Decode a file by hand, following docs/capture-format.md, not the module's code."""
    import zlib

    blocks = make_blocks(profile, n_blocks=3, k=4, gaps=frozenset({1}))
    path = tmp_path / "doc.mtcap"
    write(path, profile, blocks, metadata={"synthetic": True})
    data = path.read_bytes()
    assert data[:8] == bytes([0x89, 0x4D, 0x54, 0x43, 0x0D, 0x0A, 0x1A, 0x0A])
    version, reserved, json_len, json_crc = struct.unpack_from("<HHII", data, 8)
    assert (version, reserved) == (1, 0)
    body = data[20 : 20 + json_len]
    assert zlib.crc32(body) == json_crc
    doc = json.loads(body)
    assert doc["format"] == "massage-trainer capture"
    assert GloveProfile.from_dict(doc["profile"]) == profile
    assert doc["source"] == "test:blocks" and doc["metadata"] == {"synthetic": True}
    assert doc["started_at"].endswith("Z")
    pos = 20 + json_len
    c = len(profile.sensors)
    for block in blocks:
        magic, plen, pcrc, hcrc = struct.unpack_from("<4sIII", data, pos)
        assert magic == b"MTCK" and hcrc == zlib.crc32(data[pos : pos + 12])
        payload = data[pos + 16 : pos + 16 + plen]
        assert zlib.crc32(payload) == pcrc
        n, cc, flags = struct.unpack_from("<IHH", payload)
        assert (n, cc, flags) == (4, c, 1 if block.gap_before else 0)
        assert plen == 8 + 8 * n * (1 + c)
        t = struct.unpack_from(f"<{n}d", payload, 8)
        values = struct.unpack_from(f"<{n * c}d", payload, 8 + 8 * n)
        assert list(t) == block.t.tolist()
        assert list(values) == block.values.reshape(-1).tolist()
        pos += 16 + plen
    assert pos == len(data)


def test_rate_and_duration_ignore_gap_steps(tmp_path: Path, profile: GloveProfile) -> None:
    blocks = make_blocks(profile, n_blocks=5, gaps=frozenset({2}))
    write(tmp_path / "a.mtcap", profile, blocks)
    cap = read_capture(tmp_path / "a.mtcap")
    dt = 1.0 / profile.sample_rate_hz
    assert cap.sample_rate_hz == pytest.approx(profile.sample_rate_hz, rel=1e-9)
    # 50 samples plus 7 lost ones: the span covers 57 sample periods
    assert cap.duration_s == pytest.approx(57 * dt)


def test_blocks_reproduce_gaps(tmp_path: Path, profile: GloveProfile) -> None:
    blocks = make_blocks(profile, n_blocks=6, k=10, gaps=frozenset({2, 5}))
    write(tmp_path / "a.mtcap", profile, blocks)
    cap = read_capture(tmp_path / "a.mtcap")
    out = list(cap.blocks(block_size=4))
    assert all(len(b) <= 4 for b in out)
    assert [b.seq for b in out] == list(range(len(out)))
    np.testing.assert_array_equal(np.concatenate([b.t for b in out]), cap.t)
    np.testing.assert_array_equal(np.concatenate([b.values for b in out]), cap.values)
    starts = np.cumsum([0] + [len(b) for b in out[:-1]])
    flagged = [int(s) for s, b in zip(starts, out, strict=True) if b.gap_before]
    assert flagged == cap.gap_starts.tolist() == [20, 50]
    default = list(cap.blocks())
    assert max(len(b) for b in default) <= 10
    assert max(b.t[-1] - b.t[0] for b in default) < 0.05 + 1e-9


def test_big_block_is_split_into_chunks(tmp_path: Path, profile: GloveProfile) -> None:
    n = _MAX_CHUNK_SAMPLES * 2 + 5
    t = np.arange(n) / profile.sample_rate_hz
    block = SampleBlock(t, np.ones((n, len(profile.sensors))), profile, gap_before=True)
    with CaptureWriter(tmp_path / "a.mtcap", profile, source="x") as writer:
        writer.append(block)
        assert writer.n_chunks == 3
        assert writer.n_samples == n
    cap = read_capture(tmp_path / "a.mtcap")
    np.testing.assert_array_equal(cap.t, t)
    assert cap.gap_starts.tolist() == [0]  # only the block's first chunk carries the gap


def test_empty_capture(tmp_path: Path, profile: GloveProfile) -> None:
    write(tmp_path / "e.mtcap", profile, [])
    cap = read_capture(tmp_path / "e.mtcap")
    assert cap.n_samples == 0
    assert cap.values.shape == (0, len(profile.sensors))
    assert cap.duration_s == 0.0
    assert cap.sample_rate_hz == profile.sample_rate_hz
    assert list(cap.blocks()) == []


# --------------------------------------------------------------------------------------
# Writer rules
# --------------------------------------------------------------------------------------


def test_writer_never_overwrites_without_permission(tmp_path: Path, profile: GloveProfile) -> None:
    path = tmp_path / "a.mtcap"
    write(path, profile, make_blocks(profile, n_blocks=2))
    before = path.read_bytes()
    with pytest.raises(CaptureError, match="exists"):
        CaptureWriter(path, profile, source="x")
    assert path.read_bytes() == before
    write(path, profile, make_blocks(profile, n_blocks=1), overwrite=True)
    assert read_capture(path).n_samples == 10


def test_writer_rejects_bad_blocks(tmp_path: Path, profile: GloveProfile) -> None:
    blocks = make_blocks(profile, n_blocks=3)
    with CaptureWriter(tmp_path / "a.mtcap", profile, source="x") as writer:
        writer.append(blocks[1])
        with pytest.raises(CaptureError, match="not after"):
            writer.append(blocks[0])
        with pytest.raises(CaptureError, match="not after"):
            writer.append(blocks[1])
        other = other_profile(profile)
        foreign = SampleBlock(blocks[2].t, np.zeros((10, len(other.sensors))), other)
        with pytest.raises(CaptureError, match="glove"):
            writer.append(foreign)
        bad = np.array(blocks[2].values)
        bad[3, 0] = np.nan
        with pytest.raises(CaptureError, match="non-finite"):
            writer.append(SampleBlock(blocks[2].t, bad, profile))
        writer.append(blocks[2])
    with pytest.raises(CaptureError, match="closed"):
        writer.append(blocks[2])
    assert read_capture(tmp_path / "a.mtcap").n_samples == 20
    with pytest.raises(CaptureError, match="JSON"):
        CaptureWriter(tmp_path / "b.mtcap", profile, source="x", metadata={"x": object()})


def test_appended_data_is_readable_before_close(tmp_path: Path, profile: GloveProfile) -> None:
    """What a kill -9 would leave: every appended block is already in the file."""
    path = tmp_path / "a.mtcap"
    writer = CaptureWriter(path, profile, source="x", sync_interval_s=1000)
    blocks = make_blocks(profile, n_blocks=4)
    for i, block in enumerate(blocks, start=1):
        writer.append(block)
        assert read_capture(path).n_samples == 10 * i
    writer.close()
    writer.close()  # idempotent


def test_sync_interval_is_respected(
    tmp_path: Path, profile: GloveProfile, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [0.0]
    syncs: list[float] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        syncs.append(now[0])
        real_fsync(fd)

    monkeypatch.setattr(writer_mod.os, "fsync", counting_fsync)
    writer = CaptureWriter(tmp_path / "a.mtcap", profile, source="x", clock=lambda: now[0])
    syncs.clear()  # the header sync
    blocks = make_blocks(profile, n_blocks=31)
    for block in blocks[:30]:  # one block every 0.1 s for 3 s
        now[0] += 0.1
        writer.append(block)
        # the oldest un-synced data is never more than one interval + one block old
        last = syncs[-1] if syncs else 0.0
        assert now[0] - last <= 0.5 + 0.1 + 1e-9
    assert all(b - a >= 0.5 - 1e-9 for a, b in itertools.pairwise(syncs))
    assert 5 <= len(syncs) <= 6
    # a quiet source: poll() syncs pending data once the interval has passed, once
    writer.sync()
    n = len(syncs)
    now[0] += 0.1
    writer.append(blocks[30])
    assert len(syncs) == n
    now[0] += 0.2
    assert writer.poll() is False
    now[0] += 0.3
    assert writer.poll() is True
    assert writer.poll() is False
    assert len(syncs) == n + 1
    writer.close()


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


# --------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------


def test_csv_round_trip_is_exact(tmp_path: Path, profile: GloveProfile) -> None:
    blocks = make_blocks(profile, n_blocks=8, gaps=frozenset({3}))
    write(tmp_path / "a.mtcap", profile, blocks)
    cap = read_capture(tmp_path / "a.mtcap")
    buf = io.StringIO()
    write_csv(cap, buf)
    text = buf.getvalue()
    assert text.splitlines()[0] == ",".join(("time_s", *profile.channel_names))
    assert len(text.splitlines()) == cap.n_samples + 1
    back = read_csv(io.StringIO(text))
    np.testing.assert_array_equal(back.t, cap.t)
    np.testing.assert_array_equal(back.values, cap.values)
    assert back.profile == profile  # recognised by its sensor names
    assert back.gap_starts.tolist() == cap.gap_starts.tolist() == [30]
    assert back.file_format == "csv"
    # through a file, recognised by content even with an unhelpful suffix
    out = tmp_path / "export.dat"
    write_csv(cap, out)
    again = read_capture(out)
    np.testing.assert_array_equal(again.values, cap.values)
    with pytest.raises(CaptureError, match="exists"):
        write_csv(cap, out)
    write_csv(cap, out, overwrite=True)


def test_csv_gap_inference_threshold(profile: GloveProfile) -> None:
    names = ",".join(profile.channel_names)
    zeros = ",".join("0" for _ in profile.channel_names)
    dt = 0.01
    # steps: dt, dt, just under the threshold, dt, just over it, dt
    times = [0.0, dt, 2 * dt]
    times.append(times[-1] + dt * (CSV_GAP_FACTOR - 0.01))
    times.append(times[-1] + dt)
    times.append(times[-1] + dt * (CSV_GAP_FACTOR + 0.01))
    times.append(times[-1] + dt)
    text = f"time_s,{names}\n" + "".join(f"{t!r},{zeros}\n" for t in times)
    cap = read_csv(io.StringIO(text))
    assert cap.gap_starts.tolist() == [5]


def test_csv_with_explicit_profile(profile: GloveProfile) -> None:
    names = ",".join(profile.channel_names)
    ones = ",".join("1.5" for _ in profile.channel_names)
    text = f"\ufefftime_s,{names}\r\n0,{ones}\r\n0.01,{ones}\r\n\r\n"
    cap = read_csv(io.StringIO(text), profile=DEFAULT_PROFILE)
    assert cap.n_samples == 2 and np.all(cap.values == 1.5)
    other = other_profile(profile)
    with pytest.raises(CaptureError, match="do not match"):
        read_csv(io.StringIO(text), profile=other)


AB_PROFILE = """
name = "ab"
protocol = "nus-text"
sample_rate_hz = 100.0
[[sensors]]
name = "a"
region = "palm"
position = [0.5, 0.5]
contact_area_mm2 = 100.0
saturation_n = 10.0
[[sensors]]
name = "b"
region = "thumb"
position = [0.1, 0.5]
contact_area_mm2 = 100.0
saturation_n = 10.0
"""


@pytest.fixture
def ab_profile(tmp_path: Path) -> Path:
    path = tmp_path / "ab.toml"
    path.write_text(AB_PROFILE)
    return path


def test_csv_with_unknown_columns_needs_a_profile(tmp_path: Path, ab_profile: Path) -> None:
    path = tmp_path / "ab.csv"
    path.write_text("time_s,a,b\n0,1,2\n0.01,3,4\n")
    with pytest.raises(CaptureError, match="match no bundled glove profile"):
        read_csv(path)
    with pytest.raises(CaptureError, match="match no bundled glove profile"):
        read_capture(path)
    cap = read_csv(path, profile=str(ab_profile))
    assert cap.profile.name == "ab" and cap.values.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert read_capture(path, profile=load_profile(ab_profile)).n_samples == 2
    with pytest.raises(CaptureError, match="unknown glove profile"):
        read_csv(path, profile="no-such-glove")


@pytest.mark.parametrize(
    ("body", "line", "what"),
    [
        ("time,a\n", 1, "time_s"),
        ("", 1, "time_s"),
        ("time_s\n0\n", 1, "sensor name"),
        ("time_s,a,,b\n", 1, "sensor name"),
        ("time_s,a,a\n", 1, "repeats"),
        ("time_s,a,b\n0,1,2\n0.01,1\n", 3, "columns"),
        ("time_s,a,b\n0,1,2,3\n", 2, "columns"),
        ("time_s,a,b\n0,1,x\n", 2, "not a number"),
        ("time_s,a,b\n0,1,2\n0.01,nan,2\n", 3, "non-finite"),
        ("time_s,a,b\n0,1,2\n0.02,1,2\n0.01,1,2\n", 4, "not after"),
        ("time_s,a,b\n0,1,2\n0,1,2\n", 3, "not after"),
    ],
)
def test_malformed_csv_names_the_line(
    body: str, line: int, what: str, tmp_path: Path, ab_profile: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(body)
    with pytest.raises(CaptureError, match=what) as err:
        read_csv(path, profile=str(ab_profile))
    assert f"{path}:{line}:" in str(err.value)


def test_read_csv_missing_and_non_utf8(tmp_path: Path) -> None:
    with pytest.raises(CaptureError, match="no such"):
        read_csv(tmp_path / "nope.csv")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"time_s,a\n0,\xff\n")
    with pytest.raises(CaptureError, match="UTF-8"):
        read_csv(bad)
    with pytest.raises(CaptureError, match="UTF-8"):
        read_capture(bad)


def test_capture_validates_its_arrays(profile: GloveProfile) -> None:
    c = len(profile.sensors)
    with pytest.raises(CaptureError, match="shape"):
        Capture(None, profile, np.arange(3.0), np.zeros((3, c + 1)))
    with pytest.raises(CaptureError, match="increasing"):
        Capture(None, profile, np.array([0.0, 0.0]), np.zeros((2, c)))
    with pytest.raises(CaptureError, match="gap"):
        Capture(None, profile, np.arange(3.0), np.zeros((3, c)), gap_starts=np.array([3]))
    cap = Capture(None, profile, np.arange(3.0), np.zeros((3, c)), metadata={"a": 1})
    with pytest.raises(TypeError):
        cap.metadata["a"] = 2  # type: ignore[index]
    assert json.dumps(dict(cap.metadata)) == '{"a": 1}'


# --------------------------------------------------------------------------------------
# trim_block (recording itself is tested with the live engine: tests/trainer/live)
# --------------------------------------------------------------------------------------


def test_trim_block(profile: GloveProfile) -> None:
    block = make_blocks(profile, n_blocks=1)[0]
    assert trim_block(block, 1e9) is block
    assert trim_block(block, block.t[0]) is None
    half = trim_block(block, block.t[5])
    assert half is not None and len(half) == 5 and half.gap_before == block.gap_before
