from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from fake_clock import FakeClock  # type: ignore[import-not-found]

from sensors.blocks import SampleBlock
from sensors.capture import CaptureWriter, read_capture, write_csv
from sensors.exceptions import SensorError, SourceError
from sensors.profiles import DEFAULT_PROFILE, GloveProfile, is_generic_profile, load_profile
from sensors.sources import SourceKind, SourceState, open_source
from sensors.sources.replay import ReplaySource


@pytest.fixture(scope="module")
def profile() -> GloveProfile:
    return load_profile(DEFAULT_PROFILE)


def record(path: Path, profile: GloveProfile, n: int, *, t0: float = 0.0, gap_at=()) -> None:
    """n samples at the profile rate starting at t0; 5 samples lost before each gap_at."""
    dt = 1.0 / profile.sample_rate_hz
    rng = np.random.default_rng(1)
    with CaptureWriter(path, profile, source="test") as writer:
        i, seq = 0, 0
        bounds = [0, *gap_at, n]
        for lo, hi in itertools.pairwise(bounds):
            gap = lo in gap_at
            i += 5 if gap else 0
            t = t0 + (i + np.arange(hi - lo)) * dt
            i += hi - lo
            v = rng.uniform(0, 10, size=(hi - lo, len(profile.sensors)))
            writer.append(SampleBlock(t, v, profile, gap_before=gap, seq=seq))
            seq += 1


@pytest.fixture
def capture_path(tmp_path: Path, profile: GloveProfile) -> Path:
    path = tmp_path / "c.mtcap"
    record(path, profile, 95, t0=3.0, gap_at=(40,))
    return path


def drain(source: ReplaySource) -> list[SampleBlock]:
    return list(source)


def test_as_fast_as_possible_reproduces_the_capture(capture_path: Path) -> None:
    cap = read_capture(capture_path)
    clock = FakeClock()
    src = ReplaySource(capture_path, speed=0, clock=clock, sleep=clock.sleep)
    assert src.kind is SourceKind.REPLAY
    assert src.status().state is SourceState.IDLE
    with src:
        blocks = drain(src)
        with pytest.raises(EOFError):
            src.read(timeout=0)
        status = src.status()
    assert clock.sleeps == []  # speed 0 never waits
    t = np.concatenate([b.t for b in blocks])
    np.testing.assert_allclose(t, cap.t - cap.t[0], rtol=0, atol=1e-12)  # re-based to 0
    np.testing.assert_array_equal(np.concatenate([b.values for b in blocks]), cap.values)
    assert [b.seq for b in blocks] == list(range(len(blocks)))
    assert all(b.profile == cap.profile for b in blocks)
    # blocks are glove-notification sized, and never span the gap
    assert all(len(b) <= 10 and b.t[-1] - b.t[0] < 0.05 for b in blocks)
    starts = np.cumsum([0] + [len(b) for b in blocks[:-1]])
    assert [int(s) for s, b in zip(starts, blocks, strict=True) if b.gap_before] == [40]
    assert status.state is SourceState.FINISHED
    assert (status.blocks, status.samples, status.gaps) == (len(blocks), 95, 1)


@pytest.mark.parametrize("speed", [1.0, 2.5, 0.5])
def test_blocks_are_released_on_the_recording_clock(capture_path: Path, speed: float) -> None:
    clock = FakeClock()
    with ReplaySource(capture_path, speed=speed, clock=clock, sleep=clock.sleep) as src:
        start = clock.now
        for block in src:
            # a block is released when its last sample has been "measured"
            assert clock.now - start == pytest.approx(block.t[-1] / speed, abs=1e-9)


def test_read_honours_timeout(capture_path: Path, profile: GloveProfile) -> None:
    dt = 1.0 / profile.sample_rate_hz
    clock = FakeClock()
    with ReplaySource(capture_path, speed=1, block_size=5, clock=clock, sleep=clock.sleep) as src:
        first = src.read(timeout=None)
        assert first is not None and len(first) == 5
        assert clock.now - 100.0 == pytest.approx(4 * dt)
        # the next block is due at 9 * dt, later than the timeout allows
        assert src.read(timeout=dt) is None
        assert clock.now - 100.0 == pytest.approx(5 * dt)
        assert src.read(timeout=0) is None
        assert clock.now - 100.0 == pytest.approx(5 * dt)
        block = src.read(timeout=1.0)
        assert block is not None and block.seq == 1
        assert clock.now - 100.0 == pytest.approx(9 * dt)


def test_loop_continues_time_and_marks_each_repeat(capture_path: Path) -> None:
    cap = read_capture(capture_path)
    src = open_source(f"replay:{capture_path}?speed=0&loop=1")
    assert isinstance(src, ReplaySource) and src.loop
    blocks: list[SampleBlock] = []
    with src:
        while sum(len(b) for b in blocks) < 95 * 2 + 30:
            block = src.read(timeout=0)
            assert block is not None
            blocks.append(block)
        assert src.status().state is SourceState.STREAMING
    t = np.concatenate([b.t for b in blocks])
    assert np.all(np.diff(t) > 0)
    starts = np.cumsum([0] + [len(b) for b in blocks[:-1]])
    gaps = [int(s) for s, b in zip(starts, blocks, strict=True) if b.gap_before]
    assert gaps == [40, 95, 135, 190]
    values = np.concatenate([b.values for b in blocks])
    np.testing.assert_array_equal(values[95:190], cap.values)
    # each repeat is shifted by the capture's duration
    np.testing.assert_allclose(t[95:190] - t[:95], cap.duration_s, rtol=0, atol=1e-9)


def test_replays_csv_and_default_speed_comes_from_spec(tmp_path: Path, profile) -> None:
    native = tmp_path / "c.mtcap"
    record(native, profile, 30)
    csv = tmp_path / "c.csv"
    write_csv(read_capture(native), csv)
    src = open_source(f"replay:{csv}")
    assert isinstance(src, ReplaySource) and src.speed == 1.0 and not src.loop
    fast = ReplaySource(csv, speed=0)
    with fast:
        values = np.concatenate([b.values for b in fast])
    np.testing.assert_array_equal(values, read_capture(native).values)


def test_errors(tmp_path: Path, capture_path: Path) -> None:
    with pytest.raises(SourceError, match="no such"):
        ReplaySource(tmp_path / "missing.mtcap").open()
    garbage = tmp_path / "g.mtcap"
    garbage.write_bytes(b"\x00garbage")
    with pytest.raises(SourceError, match="not a capture"):
        ReplaySource(garbage).open()
    with pytest.raises(SourceError, match="speed"):
        ReplaySource(capture_path, speed=-1)
    with pytest.raises(SourceError, match="speed"):
        ReplaySource(capture_path, speed=float("nan"))
    with pytest.raises(SourceError, match="block_size"):
        ReplaySource(capture_path, block_size=0)
    with pytest.raises(SourceError):
        open_source(f"replay:{capture_path}?speed=fast")
    src = ReplaySource(capture_path, speed=0)
    with pytest.raises(SourceError, match="not open"):
        src.read()
    src.open()
    src.close()
    src.close()
    with pytest.raises(EOFError):
        src.read(timeout=0)


def test_empty_capture_ends_at_once_even_when_looping(tmp_path: Path, profile) -> None:
    path = tmp_path / "e.mtcap"
    CaptureWriter(path, profile, source="x").close()
    with ReplaySource(path, speed=1, loop=True) as src:
        with pytest.raises(EOFError):
            src.read(timeout=0)


def test_real_clock_paces_playback(tmp_path: Path, profile) -> None:
    path = tmp_path / "c.mtcap"
    record(path, profile, 30)  # 0.3 s at 100 Hz
    last = 29 / profile.sample_rate_hz
    start = time.monotonic()
    with ReplaySource(path, speed=1) as src:
        n = sum(len(b) for b in src)
    elapsed = time.monotonic() - start
    assert n == 30
    assert elapsed >= last * 0.95  # never early; no upper bound (loaded CI machines)


def test_close_wakes_a_blocked_reader(capture_path: Path) -> None:
    src = ReplaySource(capture_path, speed=1e-4)  # next block due in minutes
    src.open()
    outcome: list[object] = []

    def reader() -> None:
        try:
            outcome.append(src.read(timeout=None))
        except EOFError as err:
            outcome.append(err)

    thread = threading.Thread(target=reader)
    thread.start()
    time.sleep(0.05)
    src.close()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], EOFError)


async def _collect(src: ReplaySource) -> list[SampleBlock]:
    return [block async for block in src.aiter_blocks(poll_s=0.01)]


def test_async_consumer(capture_path: Path) -> None:
    import asyncio

    with ReplaySource(capture_path, speed=0) as src:
        blocks = asyncio.run(_collect(src))
    assert sum(len(b) for b in blocks) == 95


def test_csv_with_custom_columns_takes_a_profile(tmp_path: Path) -> None:
    toml = tmp_path / "two.toml"
    toml.write_text(
        'name = "two"\nprotocol = "nus-text"\nsample_rate_hz = 50.0\n'
        + "".join(
            f'[[sensors]]\nname = "{n}"\nregion = "palm"\nposition = [0.5, 0.5]\n'
            "contact_area_mm2 = 100.0\nsaturation_n = 10.0\n"
            for n in ("left", "right")
        )
    )
    csv = tmp_path / "two.csv"
    csv.write_text("time_s,left,right\n" + "".join(f"{i / 50!r},{i},1\n" for i in range(25)))
    # Without a profile: a generic one made from its header (no regions known).
    with ReplaySource(csv, speed=0) as src:
        assert len(list(src)) > 0
    assert is_generic_profile(src.profile) and src.profile.channel_names == ("left", "right")
    with ReplaySource(csv, speed=0, profile=str(toml)) as src:
        blocks = list(src)
    assert src.profile.name == "two"
    assert np.concatenate([b.values[:, 0] for b in blocks]).tolist() == list(range(25))


def test_replay_spec_names_the_profile_of_a_csv(fixtures_dir: Path) -> None:
    csv = fixtures_dir / "effleurage-diy-fsr5-sim.csv"
    with open_source(f"replay:{csv}?speed=0&profile=diy-fsr5") as src:
        values = np.concatenate([b.values for b in src])
    assert src.profile.name == "diy-fsr5"
    np.testing.assert_allclose(values, read_capture(csv, profile="diy-fsr5").values)
    with pytest.raises(SensorError, match="no-such-glove"):
        open_source(f"replay:{csv}?profile=no-such-glove").open()
