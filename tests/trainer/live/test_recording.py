"""Recording through the live engine (trainer/live/recording.py); `record` == the GUI engine."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from sensors.blocks import SampleBlock
from sensors.capture import read_capture
from sensors.exceptions import CaptureError
from sensors.profiles import DEFAULT_PROFILE, GloveProfile, load_profile
from sensors.sources import open_source
from sensors.sources.base import Source, SourceKind, SourceState, SourceStatus
from trainer.cli import main
from trainer.live import Acquisition, EventKind, RecordResult, record_to_file
from trainer.store.database import Store
from trainer.store.sessions import SessionRecording


@pytest.fixture(scope="module")
def profile() -> GloveProfile:
    return load_profile(DEFAULT_PROFILE)


def make_blocks(
    profile: GloveProfile, n_blocks: int, k: int = 10, *, gaps: frozenset[int] = frozenset()
) -> list[SampleBlock]:
    """Blocks at the profile's rate; a block in ``gaps`` follows 7 lost samples."""
    rng = np.random.default_rng(0)
    dt = 1.0 / profile.sample_rate_hz
    blocks, i = [], 0
    for b in range(n_blocks):
        i += 7 if b in gaps else 0
        t = (i + np.arange(k)) * dt
        i += k
        values = rng.gamma(2.0, 3.0, size=(k, len(profile.sensors)))
        blocks.append(SampleBlock(t, values, profile, gap_before=b in gaps, seq=b))
    return blocks


class ListSource(Source):
    """Prepared blocks, then the end; or, with ``hold``, no more blocks until released.

    ``drained`` is set once every block has been read: a handshake for tests that
    stop a recording at a known point.
    """

    kind = SourceKind.SIM

    def __init__(
        self,
        blocks: list[SampleBlock],
        profile: GloveProfile,
        *,
        hold: threading.Event | None = None,
    ) -> None:
        self._items = list(blocks)
        self._profile = profile
        self._hold = hold
        self.drained = threading.Event()

    @property
    def profile(self) -> GloveProfile:
        return self._profile

    def status(self) -> SourceStatus:
        return SourceStatus(SourceState.STREAMING)

    def open(self) -> None:
        pass

    def read(self, timeout: float | None = None) -> SampleBlock | None:
        if self._items:
            return self._items.pop(0)
        self.drained.set()
        if self._hold is not None and not self._hold.wait(timeout):
            return None
        raise EOFError

    def close(self) -> None:
        pass


def test_record_until_the_source_ends(tmp_path: Path, profile: GloveProfile) -> None:
    blocks = make_blocks(profile, 6, gaps=frozenset({4}))
    progress: list[RecordResult] = []
    released = threading.Event()

    def on_progress(so_far: RecordResult) -> None:
        progress.append(so_far)
        released.set()  # the source ends only once progress was reported

    result = record_to_file(
        ListSource(blocks, profile, hold=released),
        tmp_path / "r.mtcap",
        spec="fake:",
        metadata={"synthetic": True},
        on_progress=on_progress,
        progress_interval_s=0.0,
        poll_s=0.01,
    )
    assert (result.samples, result.gaps, result.ended) == (60, 1, "source")
    assert result.seconds == pytest.approx(blocks[-1].t[-1] - blocks[0].t[0])
    assert progress and progress[-1].samples <= 60
    cap = read_capture(result.path)
    np.testing.assert_array_equal(cap.t, np.concatenate([b.t for b in blocks]))
    np.testing.assert_array_equal(cap.values, np.concatenate([b.values for b in blocks]))
    assert cap.gap_starts.tolist() == [40]
    assert cap.source == "fake:" and cap.metadata["synthetic"] is True


def test_record_seconds_stop_and_refusals(tmp_path: Path, profile: GloveProfile) -> None:
    dt = 1.0 / profile.sample_rate_hz
    blocks = make_blocks(profile, 10)  # 100 samples
    result = record_to_file(
        ListSource(blocks, profile), tmp_path / "s.mtcap", spec="fake:", seconds=33.5 * dt
    )
    assert (result.samples, result.ended) == (34, "seconds")
    assert read_capture(tmp_path / "s.mtcap").n_samples == 34

    # Stopped once the first 3 blocks are through (the source then holds forever).
    source = ListSource(blocks[:3], profile, hold=threading.Event())
    result = record_to_file(
        source, tmp_path / "p.mtcap", spec="fake:", should_stop=source.drained.is_set
    )
    assert (result.samples, result.ended) == (30, "stopped")

    # nothing arrives: no file is created
    result = record_to_file(ListSource([], profile), tmp_path / "n.mtcap", spec="fake:")
    assert result.samples == 0 and not (tmp_path / "n.mtcap").exists()

    # an existing file is refused before anything is written
    with pytest.raises(CaptureError, match="exists"):
        record_to_file(ListSource(blocks, profile), tmp_path / "s.mtcap", spec="fake:")
    assert read_capture(tmp_path / "s.mtcap").n_samples == 34


def test_a_write_error_ends_the_recording_with_it(tmp_path: Path, profile: GloveProfile) -> None:
    blocks = make_blocks(profile, 4)
    backwards = SampleBlock(blocks[0].t, blocks[0].values, profile, seq=9)  # time goes back
    source = ListSource([*blocks, backwards], profile, hold=threading.Event())
    with pytest.raises(CaptureError):
        record_to_file(source, tmp_path / "w.mtcap", spec="fake:", poll_s=0.01)
    assert read_capture(tmp_path / "w.mtcap").n_samples == 40  # what came before stays


# -- one engine: `record` and the GUI record the same samples ---------------------------------


SPEC = "sim:effleurage?seed=3&speed=0&seconds=4"


def test_record_and_the_gui_engine_record_the_same_samples(tmp_path: Path) -> None:
    # The GUI's way: an Acquisition with the store's session recorder (no Qt involved).
    store = Store(tmp_path / "home")
    try:
        recorder = SessionRecording(store, reference=None, source=SPEC, feedback_mode="every")
        acq = Acquisition(open_source(SPEC))
        acq.set_recorder(recorder, technique="effleurage", reference="")
        acq.start()
        assert acq.wait(60.0)
        assert acq.error is None, acq.error
        assert [e.kind for e in acq.events()][-1] is EventKind.FINISHED
    finally:
        store.close()
    assert recorder.capture is not None
    gui = read_capture(recorder.capture)

    # The command line's way.
    out = tmp_path / "record.mtcap"
    assert main(["record", "--source", SPEC, "--out", str(out)]) == 0
    cli = read_capture(out)

    assert cli.n_samples == gui.n_samples == 800  # 4 s at 200 Hz
    np.testing.assert_array_equal(cli.t, gui.t)
    np.testing.assert_array_equal(cli.values, gui.values)
    np.testing.assert_array_equal(cli.gap_starts, gui.gap_starts)
    assert cli.profile == gui.profile
