"""The live engine: source -> tare -> ring buffer, then live coach -> recorder.

Qt-free (importing it never imports PySide6 or pyqtgraph): the GUI, the ``record``
command, the soak test and the benchmarks all drive the same :class:`Acquisition`.

Two threads, a pipeline. The acquisition thread reads the source, tares, and appends
each block to the :class:`RingBuffer` at once; then it hands the block to the scoring
thread, which feeds the live coach, fills in the block's scorer track
(:meth:`RingBuffer.set_aux`), publishes the live state and stroke scores, and drives the
recorder, block by block in arrival order. A finished stroke's score takes tens of
milliseconds; in one thread it held back the samples that came with and after it (issue
16). The coach and the recorder see exactly the blocks, in the order, they saw before.

Threading contract: only the acquisition thread appends to the :class:`RingBuffer` and
only the scoring thread fills in its track, each under its lock; readers (the GUI's
frame timer) take copies with :meth:`RingBuffer.snapshot` and drain
:meth:`Acquisition.events` on their own schedule, and are never called from these
threads. Nothing a reader calls here blocks on the source, the disk or a numba
compilation.

The seams and what the engine reports are in :mod:`trainer.live.interface` (re-exported
here); the tare window and the drift watch in :mod:`trainer.live.rest`; the stream time
of scored samples in :mod:`trainer.live.stream_time`.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from sensors.capture import trim_block
from sensors.exceptions import SensorError
from sensors.sources.base import SourceStatus
from trainer.exceptions import TrainerError
from trainer.live.buffer import RingBuffer
from trainer.live.interface import (
    AcquisitionEvent,
    EventKind,
    LiveScorer,
    LiveState,
    SessionRecorder,
)
from trainer.live.rest import RestWatch
from trainer.live.stream_time import ScoredTimes

if TYPE_CHECKING:
    from sensors.blocks import SampleBlock
    from sensors.sources.base import Source

__all__ = [
    "TRACK_COLUMNS",
    "Acquisition",
    "AcquisitionEvent",
    "EventKind",
    "LiveScorer",
    "LiveState",
    "SessionRecorder",
]

#: Columns of the scorer track kept beside the forces: the reference's total-force band
#: (low, high) and the template's total force at the aligned position, newtons; NaN
#: outside strokes.
TRACK_COLUMNS = ("band_lo", "band_hi", "template_total")


class _Slice(NamedTuple):
    values: np.ndarray
    gap_before: bool


#: What a recorder change asks: the new recorder (``None``: stop), technique, reference.
_RecorderChange = tuple[SessionRecorder | None, str, str]


class _Job(NamedTuple):
    """A block for the scoring thread, with what was set when it arrived."""

    block: SampleBlock  # as recorded: the tared forces
    first: int  # the number of its first sample in the ring buffer
    scorer: LiveScorer | None
    generation: int  # of the scorer (see set_scorer)
    change: _RecorderChange | None  # a recorder change to apply before it


#: Glove time the scoring thread may fall behind before the acquisition thread waits for
#: it, seconds. Live, a stroke's score (tens of ms) never reaches it; a replay read faster
#: than real time stays this close to its scores, as it did in one thread (a probe stops
#: the source soon after its last stroke).
_BACKLOG_S = 0.25


# -- the acquisition thread ------------------------------------------------------------


class Acquisition:
    """Read a source in a background thread into a ring buffer, an event queue, a scorer.

    The samples reach the ring buffer before the scorer sees them: a second thread
    scores, fills in the scorer track, and records (see the module's docstring).

    Parameters
    ----------
    source : Source
        An unopened source; the thread opens it (a BLE connect may take seconds) and
        closes it when it stops.
    window_s : float
        Seconds of samples the ring buffer keeps (at the profile's rate).
    event_capacity : int
        Bound of the event queue; when the GUI falls behind, the oldest events go.
    tare_window_s : float
        Rest window used by :meth:`request_tare`, seconds.
    clock : callable
        Monotonic clock, seconds (arrival stamps).
    score_step : int
        Samples per position of the scorer track: each run of ``score_step`` samples
        shows the position reached at its last sample (1: one position per sample). The
        scorer gets each block in one call whatever the step.
    duration_s : float or None
        Stop after this much stream time from the first sample: samples at or after
        ``first + duration_s`` are dropped, then a ``FINISHED`` event ends the thread
        (``None``: run until the source ends or :meth:`stop`).
    """

    def __init__(
        self,
        source: Source,
        *,
        window_s: float = 15.0,
        event_capacity: int = 512,
        tare_window_s: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        score_step: int = 1,
        duration_s: float | None = None,
    ) -> None:
        self.source = source
        self.profile = source.profile
        fs = float(self.profile.sample_rate_hz)
        channels = len(self.profile.sensors)
        self.buffer = RingBuffer(max(1, round(window_s * fs)), channels, len(TRACK_COLUMNS))
        self._clock = clock
        self._events: queue.Queue[AcquisitionEvent] = queue.Queue(maxsize=event_capacity)
        self.dropped_events = 0
        self._stop = threading.Event()
        self._done = threading.Event()  # set once the thread has closed everything
        self._thread: threading.Thread | None = None
        # The scoring thread and its blocks (a None ends it, once the rest are done).
        self._worker: threading.Thread | None = None
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._worker_error: BaseException | None = None
        # Samples handed to the scoring thread and not done yet, bounded (see _BACKLOG_S).
        self._backlog = 0
        self._backlog_max = max(1, round(_BACKLOG_S * fs))
        self._backlog_done = threading.Condition()
        self._settled = False  # the scoring thread has done every block and ended
        self._emit_lock = threading.Lock()  # both threads emit
        self._lock = threading.Lock()  # guards the fields below (set by the GUI)
        self._scorer: LiveScorer | None = None
        self._generation = 0  # counts set_scorer calls: a job's scorer is still current
        self._recorder: SessionRecorder | None = None  # the scoring thread's
        self._recorder_change: _RecorderChange | None = None
        self._finished = False  # the thread has ended: recorder changes apply at once
        self._live = LiveState()
        self._tare_requested = False
        self._offsets: np.ndarray | None = None
        # The tare window and the drift watch each tare arms; acquisition thread only.
        self._rest = RestWatch(self.profile, tare_window_s)
        self._score_step = max(1, int(score_step))
        # Stream time of each sample scored, so a stroke's span, counted in samples by
        # the scorer, becomes capture time even across gaps. The scoring thread's.
        self._scored_times = ScoredTimes(round(60.0 * fs))
        self.error: BaseException | None = None
        self.duration_s = duration_s
        self._t_first: float | None = None
        #: Why the thread ended: "source" (no more samples), "duration" (``duration_s``
        #: reached), "stopped" (:meth:`stop`), "error" (see :attr:`error`); "" while running.
        self.ended = ""
        self._last_status: SourceStatus | None = None
        self._t_last = float("nan")
        #: Called (no arguments) from the acquisition thread each time a block has reached
        #: the ring buffer, so a reader can draw it at once rather than at its next poll
        #: (the GUI's frame timer). Set before :meth:`start`; it must be quick.
        self.on_write: Callable[[], None] | None = None

    # -- control (any thread) --

    def start(self) -> None:
        """Start the threads (the source is opened in the acquisition thread). Idempotent."""
        if self._thread is not None:
            return
        self._worker = threading.Thread(target=self._work, name="live-scoring", daemon=True)
        self._worker.start()
        self._thread = threading.Thread(target=self._run, name="acquisition", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        """Ask the thread to stop and wait for it (the source is closed). Idempotent.

        Blocks the scoring thread has not begun are recorded but not scored (a stopped
        session's scores end where it was stopped, and no sample read is lost).
        """
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the thread has ended (blocks scored, source closed, recorder finished).

        Parameters
        ----------
        timeout : float or None
            Longest wait, seconds (``None``: as long as it takes).

        Returns
        -------
        bool
            True if the thread has ended, False on timeout (or if never started).
        """
        if self._thread is None:
            return False
        return self._done.wait(timeout)

    @property
    def running(self) -> bool:
        """The thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def status(self) -> SourceStatus:
        """Return the source's status (thread-safe, never blocks on the link)."""
        return self.source.status()

    def events(self, limit: int = 1000) -> list[AcquisitionEvent]:
        """Drain up to ``limit`` pending events, oldest first."""
        out: list[AcquisitionEvent] = []
        while len(out) < limit:
            try:
                out.append(self._events.get_nowait())
            except queue.Empty:
                break
        return out

    def live(self) -> LiveState:
        """Return the newest scorer state."""
        with self._lock:
            return self._live

    def set_scorer(self, scorer: LiveScorer | None) -> None:
        """Follow a reference from the next block on (``None`` stops scoring).

        Blocks that arrived before are still scored with the scorer they arrived under,
        but their results are dropped (no live state, ``STROKE`` event or recorded score).
        """
        with self._lock:
            self._scorer = scorer
            self._generation += 1
            self._live = LiveState()

    def set_recorder(
        self, recorder: SessionRecorder | None, *, technique: str = "", reference: str = ""
    ) -> None:
        """Record every following block and score into ``recorder`` (``None`` stops).

        The recorder is started, and the previous one finished, in the acquisition
        thread before the next block, so its disk writes never run on the caller's thread.
        """
        with self._lock:
            self._recorder_change = (recorder, technique, reference)
            finished = self._finished
        if finished:  # no thread left to do it (the source ended): switch here
            self._switch_recorder(self._take_recorder_change())

    def request_tare(self) -> None:
        """Zero every sensor on the last ``tare_window_s`` (the hand must be at rest).

        The result arrives as a ``TARE`` or ``TARE_FAILED`` event.
        """
        with self._lock:
            self._tare_requested = True

    @property
    def tare_offsets(self) -> np.ndarray | None:
        """Current tare offsets, newtons ``(channels,)``, or ``None``."""
        with self._lock:
            return None if self._offsets is None else self._offsets.copy()

    # -- the thread --

    def _emit(
        self, kind: EventKind, message: str = "", payload: Any = None, t: float | None = None
    ) -> None:
        """Queue an event at stream time ``t`` (default: the newest sample read)."""
        stamp = self._t_last if t is None else t
        event = AcquisitionEvent(kind, self.source.status(), stamp, message, payload)
        with self._emit_lock:
            while True:
                try:
                    self._events.put_nowait(event)
                    return
                except queue.Full:
                    try:
                        self._events.get_nowait()  # the GUI fell behind: drop the oldest
                        self.dropped_events += 1
                    except queue.Empty:
                        pass

    def _check_status(self) -> None:
        status = self.source.status()
        last = self._last_status
        if last is None or status.state is not last.state:
            self._emit(EventKind.STATUS, status.message or status.state.value)
        self._last_status = status

    def _run(self) -> None:
        try:
            self._check_status()
            self.source.open()
            self._check_status()
            while not self._stop.is_set():
                try:
                    block = self.source.read(timeout=0.05)
                except EOFError:
                    self._end("source", "the source has no more samples")
                    return
                if block is not None:
                    kept = self._within_duration(block)
                    if kept is not None:
                        self._handle(kept)
                    if kept is not block:
                        self._end("duration", f"{self.duration_s:g} s of samples taken")
                        return
                self._raise_scoring_error()
                self._check_status()
            self._settle()
            self.ended = "stopped"
        except (SensorError, TrainerError, OSError) as err:
            self.ended = "error"
            self.error = err
            self._emit(EventKind.ERROR, str(err) or type(err).__name__)
        except Exception as err:  # a bug: keep it for tests, show it, stop cleanly
            self.ended = "error"
            self.error = err
            self._emit(EventKind.ERROR, f"internal error: {type(err).__name__}: {err}")
        finally:
            try:
                # The scoring thread ends: after a source error it still does what it
                # was handed; after stop() it records what it had not begun, unscored.
                self._settle(raise_error=False)
                self.source.close()
            finally:
                with self._lock:
                    self._finished = True
                try:
                    self._switch_recorder(self._take_recorder_change(), closing=True)
                finally:
                    self._done.set()

    def _end(self, why: str, message: str) -> None:
        # Every stroke of the source's samples is reported before FINISHED.
        self._settle()
        self.ended = why
        self._check_status()
        self._emit(EventKind.FINISHED, message)

    # -- the scoring thread --

    def _work(self) -> None:
        """Score and record the blocks handed over, in order, until told to end."""
        while True:
            job = self._jobs.get()
            if job is None:
                return
            # After a failure the rest is only drained, so nobody waits; after stop() the
            # rest is recorded but not scored (the session ends where its scores are, and
            # no sample read from the glove is lost).
            if self._worker_error is None:
                try:
                    self._process(job, score=not self._stop.is_set())
                except BaseException as err:  # reported by the acquisition thread
                    self._worker_error = err
            with self._backlog_done:
                self._backlog -= len(job.block)
                self._backlog_done.notify_all()

    def _process(self, job: _Job, *, score: bool = True) -> None:
        if job.change is not None:
            self._switch_recorder(job.change)
        if score and job.scorer is not None:
            self._score(job)
        with self._lock:
            recorder = self._recorder
        if recorder is not None:
            self._guard_recorder(recorder.add_block, job.block)

    def _raise_scoring_error(self) -> None:
        """Stop the acquisition on the scoring thread's failure, as if it were its own."""
        err = self._worker_error
        if err is not None:
            raise err

    def _settle(self, *, raise_error: bool = True) -> None:
        """Wait until the scoring thread has done every block handed over, and end it."""
        worker = self._worker
        if not self._settled and worker is not None:
            self._jobs.put(None)
            worker.join()
            self._settled = True
        if raise_error:
            self._raise_scoring_error()

    def _within_duration(self, block: SampleBlock) -> SampleBlock | None:
        """Return the part of ``block`` before ``first sample + duration_s`` (all if unset)."""
        if self.duration_s is None or len(block) == 0:
            return block
        if self._t_first is None:
            self._t_first = float(block.t[0])
        return trim_block(block, self._t_first + self.duration_s)

    def _take_recorder_change(self) -> _RecorderChange | None:
        with self._lock:
            change, self._recorder_change = self._recorder_change, None
        return change

    def _switch_recorder(self, change: _RecorderChange | None, *, closing: bool = False) -> None:
        """Apply a recorder change (the scoring thread's, or any once both have ended)."""
        with self._lock:
            if change is None and not closing:
                return
            old = self._recorder
            new = None if change is None or closing else change[0]
            self._recorder = new
        if old is not None:
            self._guard_recorder(old.finish)
        if new is not None and change is not None:
            if not self._guard_recorder(new.start, change[1], change[2], self.profile):
                with self._lock:
                    if self._recorder is new:
                        self._recorder = None

    def _guard_recorder(self, call: Callable[..., Any], *args: Any) -> bool:
        """Run a recorder call; a failure stops recording, never the acquisition."""
        try:
            call(*args)
        except (TrainerError, SensorError, OSError) as err:
            with self._lock:
                self._recorder = None
            self._emit(EventKind.RECORDING_FAILED, str(err) or type(err).__name__)
            return False
        return True

    def _maybe_tare(self) -> None:
        from trainer.signal import Tare

        with self._lock:
            if not self._tare_requested:
                return
            self._tare_requested = False
        rest = self._rest
        if rest.count < rest.window:
            self._emit(EventKind.TARE_FAILED, "not enough samples yet: wait a moment and tare")
            return
        try:
            tare = Tare.from_rest(rest.recent)
        except TrainerError as err:
            self._emit(EventKind.TARE_FAILED, str(err))
            return
        with self._lock:
            self._offsets = tare.offsets_n
        rest.arm(rest.recent - tare.offsets_n)  # DRIFT events from here on
        self._emit(EventKind.TARE, "sensors zeroed", tare.offsets_n.copy())

    def _watch_drift(self, tared: np.ndarray, gap_before: bool) -> None:
        """Feed the rest-level watch (untared-minus-offset forces, so a sag shows too)."""
        for warning in self._rest.drifts(tared, gap_before):
            name = self.profile.sensors[warning.channel].name
            self._emit(
                EventKind.DRIFT,
                f"{name} rest level drifted {warning.offset_n:+.2f} N since the tare: re-tare",
                warning,
            )

    def _handle(self, block: SampleBlock) -> None:
        arrival = self._clock()
        if len(block) == 0:
            return
        change = self._take_recorder_change()
        self._rest.remember(block.values)
        self._maybe_tare()
        with self._lock:
            offsets = self._offsets
            scorer = self._scorer
            generation = self._generation
        values = block.values if offsets is None else np.clip(block.values - offsets, 0.0, None)
        if offsets is not None:
            self._watch_drift(block.values - offsets, block.gap_before)
        if block.gap_before:
            self._t_last = float(block.t[0])
            self._emit(EventKind.GAP, "samples lost before this point")
        # The samples go to the screen now; their scorer track follows from the scoring
        # thread (NaN until then), so no stroke's score ever holds them back.
        first = self.buffer.written  # this thread is the only one appending
        self.buffer.write(block.t, values, gap_before=block.gap_before, arrival_s=arrival)
        self._t_last = float(block.t[-1])
        if self.on_write is not None:
            self.on_write()
        # The session keeps what was scored: the tared forces.
        recorded = block if offsets is None else dataclasses.replace(block, values=values)
        # The next read waits while the scoring thread is _BACKLOG_S behind (only in a
        # replay faster than real time), as it did when one thread did everything.
        k = len(block)
        with self._backlog_done:
            while (
                self._backlog
                and self._backlog + k > self._backlog_max
                and not self._stop.is_set()
                and self._worker_error is None
            ):
                self._backlog_done.wait(0.05)
            self._backlog += k
        self._jobs.put(_Job(recorded, first, scorer, generation, change))

    def _score(self, job: _Job) -> None:
        """Feed a block to its scorer; fill in its track; publish its state and strokes."""
        scorer, block = job.scorer, job.block
        assert scorer is not None
        values = block.values
        ref = scorer.reference
        total = np.asarray(ref.total)
        k = values.shape[0]
        track = np.full((k, len(TRACK_COLUMNS)), np.nan)
        self._scored_times.add(job.generation, block.t)
        # One call for the whole block: the scorer reports the position after every
        # sample, as if fed one sample at a time (and far faster).
        update = scorer.push(_Slice(values, block.gap_before))
        finished = list(update.finished)
        # Each score_step samples share the position reached at the last of them.
        step = self._score_step
        last = np.minimum(np.arange(k) // step * step + step, k) - 1
        pos = np.asarray(update.positions, dtype=np.int64)[last]
        # At the template's last index the stroke is done: no band while resting.
        inside = (pos >= 0) & (pos < total.shape[0] - 1)
        at = pos[inside]
        track[inside] = np.column_stack(
            [np.asarray(ref.band_lo)[at], np.asarray(ref.band_hi)[at], total[at]]
        )
        self.buffer.set_aux(job.first, track)
        t_last = float(block.t[-1])
        with self._lock:
            if self._generation != job.generation:  # swapped meanwhile: drop this result
                return
            strokes = self._live.strokes + len(finished)
            self._live = LiveState(
                t=t_last,
                active=bool(update.active),
                position=int(update.position),
                progress=float(update.progress),
                band_ahead=(np.asarray(update.band_ahead[0]), np.asarray(update.band_ahead[1])),
                cues=tuple(update.last_cues),
                strokes=strokes,
            )
            recorder = self._recorder
        for score in finished:
            score = self._scored_times.restate(score, float(ref.fs_hz))
            self._emit(EventKind.STROKE, f"stroke scored {score.overall:.0f}", score, t=t_last)
            if recorder is not None:
                self._guard_recorder(recorder.add_score, score)
