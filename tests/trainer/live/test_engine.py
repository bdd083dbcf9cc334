"""The live engine (trainer/live/engine.py): the acquisition thread and its seams."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
from fakes import ExplodingSource, ScriptedSource

from sensors.sources import open_source
from sensors.sources.base import SourceState
from trainer.live import TRACK_COLUMNS, Acquisition, EventKind


def _wait(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


# -- no Qt -------------------------------------------------------------------------------

_BLOCK_QT = textwrap.dedent(
    """
    import importlib.abc, sys

    class BlockQt(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("PySide6", "pyqtgraph", "shiboken6"):
                raise ImportError(f"{name} is blocked in this test")
            return None

    sys.meta_path.insert(0, BlockQt())
    """
)


def test_the_engine_runs_with_qt_blocked() -> None:
    """Importing trainer.live and running a session never needs PySide6 or pyqtgraph."""
    code = _BLOCK_QT + textwrap.dedent(
        """
        import trainer.live, trainer.ui.services, trainer.app
        from sensors.sources import open_source
        from trainer.live import Acquisition, EventKind

        acq = Acquisition(open_source("sim:effleurage?seed=2&speed=0&seconds=1"))
        acq.set_scorer(trainer.app.make_coach(
            next(r for r in trainer.app.load_references() if r.name == "effleurage-starter")
        ))
        acq.start()
        assert acq.wait(60), "the engine did not finish"
        kinds = [e.kind for e in acq.events()]
        assert acq.error is None, acq.error
        assert kinds[-1] is EventKind.FINISHED, kinds
        assert acq.buffer.written == 200, acq.buffer.written
        loaded = sorted(m for m in sys.modules if m.startswith(("PySide6", "pyqtgraph")))
        print("ok", loaded)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok []"


# -- the acquisition thread ------------------------------------------------------------


def test_acquisition_reads_a_simulated_glove_to_the_end() -> None:
    source = open_source("sim:effleurage?seed=2&speed=0&seconds=2")
    acq = Acquisition(source, window_s=5.0)
    acq.start()
    assert acq.wait(10.0)
    events = acq.events()
    kinds = [e.kind for e in events]
    assert kinds[-1] is EventKind.FINISHED
    states = [e.status.state for e in events if e.kind is EventKind.STATUS]
    assert SourceState.STREAMING in states
    snap = acq.buffer.snapshot()
    assert len(snap) == 400  # 2 s at 200 Hz
    assert np.all(np.diff(snap.t) > 0)
    assert snap.values.max() > 1.0
    assert acq.error is None
    assert acq.status().state is SourceState.FINISHED  # the thread closed it


def test_acquisition_scores_strokes_and_writes_the_band_track(effleurage_ref) -> None:
    from trainer.app import make_coach

    source = open_source("sim:effleurage?seed=1&speed=0&seconds=6")
    acq = Acquisition(source, window_s=10.0)
    acq.set_scorer(make_coach(effleurage_ref))
    acq.start()
    assert acq.wait(30.0)
    strokes = [e.payload for e in acq.events() if e.kind is EventKind.STROKE]
    assert len(strokes) >= 3
    assert all(0 <= s.overall <= 100 for s in strokes)
    aux = acq.buffer.snapshot().aux
    assert aux.shape[1] == len(TRACK_COLUMNS)
    inside = np.isfinite(aux).all(axis=1)
    assert 0.2 < inside.mean() < 0.9  # band only during strokes
    assert np.all(aux[inside, 0] <= aux[inside, 1])  # lo <= hi
    assert acq.live().strokes == len(strokes)


def test_event_queue_is_bounded_and_drops_the_oldest() -> None:
    source = ScriptedSource(block=2)
    acq = Acquisition(source, event_capacity=4)
    source.set_state(SourceState.STREAMING)
    acq.start()
    try:
        for _ in range(12):
            source.next_gap()
            time.sleep(0.02)
        _wait(lambda: acq.dropped_events > 0)
        events = acq.events()
        assert 1 <= len(events) <= 4
        assert events[-1].kind is EventKind.GAP
    finally:
        acq.stop()


def test_tare_zeroes_a_resting_offset_and_refuses_a_moving_hand() -> None:
    offsets = np.array([0.8, 0.3, 0.0, 0.1, 0.2, 0.0, 0.5])
    source = ScriptedSource(level_n=offsets, noise_n=0.01)
    acq = Acquisition(source)
    source.set_state(SourceState.STREAMING)
    acq.start()
    try:
        _wait(lambda: acq.buffer.written > 200)
        acq.request_tare()
        _wait(lambda: any(e.kind is EventKind.TARE for e in acq.events()))
        tared = acq.tare_offsets
        assert tared is not None
        np.testing.assert_allclose(tared, offsets, atol=0.02)
        written = acq.buffer.written
        _wait(lambda: acq.buffer.written > written + 50)
        assert acq.buffer.snapshot(40).values.max() < 0.06
    finally:
        acq.stop()

    moving = ScriptedSource()  # a 0.7 Hz, ±4 N swing
    acq = Acquisition(moving)
    moving.set_state(SourceState.STREAMING)
    acq.start()
    try:
        _wait(lambda: acq.buffer.written > 200)
        acq.request_tare()
        _wait(lambda: any(e.kind is EventKind.TARE_FAILED for e in acq.events()))
        assert acq.tare_offsets is None
    finally:
        acq.stop()


def test_a_failing_source_reports_an_error_and_is_closed() -> None:
    source = ExplodingSource()
    source.set_state(SourceState.STREAMING)
    acq = Acquisition(source)
    acq.start()
    assert acq.wait(10.0)
    errors = [e for e in acq.events() if e.kind is EventKind.ERROR]
    assert errors and "adapter vanished" in errors[0].message
    assert acq.error is not None
    assert source.closed.is_set()


def test_recorder_seam_is_driven_from_the_engine_threads() -> None:
    calls: list[tuple[str, str]] = []

    class Recorder:
        def start(self, technique, reference, profile) -> None:
            calls.append(("start", threading.current_thread().name))

        def add_block(self, block) -> None:
            calls.append(("block", threading.current_thread().name))

        def add_score(self, score) -> None:
            calls.append(("score", threading.current_thread().name))

        def finish(self) -> None:
            calls.append(("finish", threading.current_thread().name))

    source = open_source("sim:effleurage?seed=2&speed=0&seconds=1")
    acq = Acquisition(source)
    acq.set_recorder(Recorder(), technique="effleurage", reference="x")
    acq.start()
    assert acq.wait(10.0)
    names = [c[0] for c in calls]
    assert names[0] == "start" and names[-1] == "finish" and "block" in names
    # Blocks and scores from the scoring thread, never the caller's; the end may come
    # from the acquisition thread once the scoring thread is done.
    assert {c[1] for c in calls if c[0] != "finish"} == {"live-scoring"}
    assert {c[1] for c in calls} <= {"live-scoring", "acquisition"}


# -- a stroke's score never holds back the samples -----------------------------------------


@dataclass(frozen=True)
class _Score:
    start_s: float
    end_s: float
    overall: float


class _SlowScorer:
    """A scorer whose third block ends a stroke it scores only once the test releases it."""

    def __init__(self, fs: float) -> None:
        self.reference = SimpleNamespace(
            band_lo=np.full(10, 1.0), band_hi=np.full(10, 3.0), total=np.full(10, 2.0), fs_hz=fs
        )
        self.calls = 0
        self.scoring = threading.Event()  # the third block is being scored
        self.release = threading.Event()  # the test lets its score finish

    def push(self, block) -> SimpleNamespace:
        self.calls += 1
        k = len(block.values)
        finished: tuple[_Score, ...] = ()
        if self.calls == 3:
            self.scoring.set()
            self.release.wait()
            finished = (_Score(0.0, 0.1, 80.0),)
        return SimpleNamespace(
            active=True,
            position=3,
            progress=0.3,
            band_ahead=(np.full(2, 1.0), np.full(2, 3.0)),
            finished=finished,
            positions=np.full(k, 3),
            last_cues=(),
        )


def test_samples_reach_the_ring_buffer_while_a_finished_stroke_is_scored() -> None:
    """The block that ends a stroke, and those after it, are on screen before its score."""
    source = ScriptedSource(block=10)
    scorer = _SlowScorer(float(source.profile.sample_rate_hz))
    acq = Acquisition(source)
    acq.set_scorer(scorer)
    source.set_state(SourceState.STREAMING)
    acq.start()
    try:
        assert scorer.scoring.wait(30.0), "the scorer never got a third block"
        # The stroke's block is in the ring buffer before its score is known...
        assert acq.buffer.written >= 30
        # ... and the blocks that arrive while it is scored go in too, with no track yet.
        _wait(lambda: acq.buffer.written >= 60)
        snap = acq.buffer.snapshot()
        np.testing.assert_array_equal(snap.aux[:20], np.tile([1.0, 3.0, 2.0], (20, 1)))
        assert np.isnan(snap.aux[20:]).all()
        assert not any(e.kind is EventKind.STROKE for e in acq.events())
        assert acq.live().strokes == 0
        scorer.release.set()
        seen: list = []

        def scored() -> bool:
            seen.extend(acq.events())
            return any(e.kind is EventKind.STROKE for e in seen)

        _wait(scored)
        # Once scored: the block's track is filled in, the live state counts the stroke.
        np.testing.assert_array_equal(
            acq.buffer.snapshot().aux[20:30], np.tile([1.0, 3.0, 2.0], (10, 1))
        )
        assert acq.live().strokes >= 1
        stroke = next(e for e in seen if e.kind is EventKind.STROKE)
        assert stroke.payload.overall == 80.0
        assert stroke.t == 0.145  # the newest sample of the block that ended it (t = i / 200)
    finally:
        scorer.release.set()
        acq.stop()


def test_blocks_read_before_a_stop_are_recorded_though_not_scored() -> None:
    """Stopping while a stroke is scored loses no sample the glove sent."""
    recorded: list[int] = []

    class Recorder:
        def start(self, technique, reference, profile) -> None:
            pass

        def add_block(self, block) -> None:
            recorded.append(len(block))

        def add_score(self, score) -> None:
            pass

        def finish(self) -> None:
            pass

    source = ScriptedSource(block=10)
    scorer = _SlowScorer(float(source.profile.sample_rate_hz))
    acq = Acquisition(source)
    acq.set_scorer(scorer)
    acq.set_recorder(Recorder(), technique="effleurage", reference="x")
    source.set_state(SourceState.STREAMING)
    acq.start()
    stopper = threading.Thread(target=acq.stop, kwargs={"timeout": 30.0})
    try:
        assert scorer.scoring.wait(30.0), "the scorer never got a third block"
        _wait(lambda: acq.buffer.written >= 60)  # blocks 4.. wait behind the scoring
        stopper.start()
        _wait(lambda: acq._stop.is_set())
    finally:
        scorer.release.set()
        acq.stop(timeout=30.0)
    stopper.join(30.0)
    assert acq.wait(30.0)
    assert sum(recorded) == acq.buffer.written
    assert scorer.calls == 3  # the blocks after the stop were not scored


def test_a_scorer_failure_in_the_scoring_thread_stops_the_acquisition() -> None:
    from trainer.exceptions import ScoringError

    class Failing(_SlowScorer):
        def push(self, block) -> SimpleNamespace:
            raise ScoringError("glove does not match the reference")

    source = ScriptedSource(block=10)
    acq = Acquisition(source)
    acq.set_scorer(Failing(200.0))
    source.set_state(SourceState.STREAMING)
    acq.start()
    assert acq.wait(30.0)
    errors = [e for e in acq.events() if e.kind is EventKind.ERROR]
    assert errors and errors[0].message == "glove does not match the reference"
    assert acq.ended == "error" and isinstance(acq.error, ScoringError)
    assert source.closed.is_set()


def test_blocks_in_flight_when_the_scorer_is_swapped_report_nothing() -> None:
    """Scores of a block that arrived under the old scorer are dropped (as set_scorer says)."""
    source = ScriptedSource(block=10)
    scorer = _SlowScorer(200.0)
    acq = Acquisition(source)
    acq.set_scorer(scorer)
    source.set_state(SourceState.STREAMING)
    acq.start()
    try:
        assert scorer.scoring.wait(30.0)
        acq.set_scorer(None)  # while the old scorer is scoring its stroke
    finally:
        scorer.release.set()
        acq.stop()
    assert acq.wait(30.0)  # every block handed over has been through the scoring thread
    assert not any(e.kind is EventKind.STROKE for e in acq.events())
    assert acq.live().strokes == 0
