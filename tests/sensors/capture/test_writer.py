"""Writing native captures: the byte layout, chunking, writer rules (sensors.capture.writer)."""

from __future__ import annotations

import itertools
import json
import os
import struct
from pathlib import Path

import numpy as np
import pytest
from capture_helpers import make_blocks, other_profile, write  # type: ignore[import-not-found]

import sensors.capture.writer as writer_mod
from sensors.blocks import SampleBlock
from sensors.capture import CaptureWriter, read_capture
from sensors.capture._layout import _MAX_CHUNK_SAMPLES
from sensors.exceptions import CaptureError
from sensors.profiles import GloveProfile


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


def test_a_failed_start_leaves_no_empty_capture(
    tmp_path: Path, profile: GloveProfile, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 17, defect 13: `record` on a full disk left a 0-byte capture, so the retry
    # needed --overwrite.
    import errno

    from sensors.capture import CaptureWriter

    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writer_mod.os, "write", full)
    path = tmp_path / "take.mtcap"
    with pytest.raises(OSError, match="No space left"):
        CaptureWriter(path, profile, source="sim:effleurage")
    assert not path.exists()
    monkeypatch.undo()
    with CaptureWriter(path, profile, source="sim:effleurage"):  # the retry just works
        pass
    assert path.stat().st_size > 0
