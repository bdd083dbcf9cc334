"""Recording a source into one capture file through the live engine (the ``record`` command).

:class:`CaptureFileRecorder` is a ``SessionRecorder`` that writes every block the
engine hands it into a new capture file; :func:`record_to_file` runs an
:class:`~trainer.live.engine.Acquisition` with it until the source ends, the requested
length is reached or the caller says stop. There is no second acquisition loop: what
``record`` writes is exactly what the GUI's engine would record from the same source.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sensors.capture import CaptureWriter
from trainer.live.engine import Acquisition

if TYPE_CHECKING:
    from sensors.blocks import SampleBlock
    from sensors.profiles import GloveProfile
    from sensors.sources.base import Source

__all__ = ["CaptureFileRecorder", "RecordResult", "record_to_file"]

#: ``Acquisition.ended`` -> ``RecordResult.ended``.
_ENDED = {"duration": "seconds", "stopped": "stopped", "source": "source", "error": "source"}


@dataclass(frozen=True, slots=True)
class RecordResult:
    """What :func:`record_to_file` recorded.

    Parameters
    ----------
    path : pathlib.Path
        The capture file (not created when ``samples`` is 0).
    samples : int
        Samples written.
    seconds : float
        Signal time covered: last - first sample time (0 if fewer than 2 samples).
    gaps : int
        Gap markers written.
    ended : str
        Why recording stopped: ``"seconds"`` (the requested length was reached),
        ``"source"`` (the source finished) or ``"stopped"`` (``should_stop`` said so).
    """

    path: Path
    samples: int
    seconds: float
    gaps: int
    ended: str


class CaptureFileRecorder:
    """Write every block the engine records into one new capture file.

    The file is created at the first non-empty block (with that block's glove
    profile), so a source that yields nothing leaves no file. Blocks are written
    through to the OS as they arrive and synced every ``sync_interval_s`` (see
    :class:`~sensors.capture.CaptureWriter` for what a crash can lose). Called from
    the acquisition thread only, except :meth:`so_far`, which any thread may call.

    Parameters
    ----------
    path : str or os.PathLike
        Capture to create.
    source : str
        The source spec, stored in the header.
    metadata : Mapping or None
        Free-form metadata for the header.
    overwrite : bool
        Replace an existing file.
    started_at : datetime or None
        Wall-clock start for the header; default: when the engine starts the recorder.
    sync_interval_s : float
        Longest time written samples may stay un-synced.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        source: str,
        metadata: Mapping[str, Any] | None = None,
        overwrite: bool = False,
        started_at: datetime | None = None,
        sync_interval_s: float = 0.5,
    ) -> None:
        self.path = Path(path)
        self.source = source
        self.metadata = metadata
        self.overwrite = overwrite
        self.started_at = started_at
        self.sync_interval_s = sync_interval_s
        #: The first error a write raised (recording stopped there), else ``None``.
        self.error: BaseException | None = None
        self._writer: CaptureWriter | None = None
        self._lock = threading.Lock()  # the counters below are read by other threads
        self._samples = 0
        self._gaps = 0
        self._t_first = 0.0
        self._t_last = 0.0

    def so_far(self) -> tuple[int, float, int]:
        """Return ``(samples, seconds, gaps)`` written so far (any thread)."""
        with self._lock:
            seconds = self._t_last - self._t_first if self._samples else 0.0
            return self._samples, seconds, self._gaps

    def start(self, technique: str, reference: str, profile: GloveProfile) -> None:
        """Begin: fix the start time (the file waits for the first block)."""
        if self.started_at is None:
            self.started_at = datetime.now(UTC)

    def add_block(self, block: SampleBlock) -> None:
        """Append a block (creating the file at the first one).

        Raises
        ------
        CaptureError
            If the file exists and ``overwrite`` is false, or the stream breaks the
            capture rules; recording stops and :attr:`error` keeps it.
        OSError
            If the file cannot be written (likewise kept in :attr:`error`).
        """
        if len(block) == 0 or self.error is not None:
            return
        try:
            if self._writer is None:
                self._writer = CaptureWriter(
                    self.path,
                    block.profile,
                    source=self.source,
                    metadata=self.metadata,
                    sync_interval_s=self.sync_interval_s,
                    overwrite=self.overwrite,
                    started_at=self.started_at or datetime.now(UTC),
                )
            self._writer.append(block)
        except BaseException as err:
            self.error = err
            self.finish()
            raise
        with self._lock:
            if not self._samples:
                self._t_first = float(block.t[0])
            self._samples += len(block)
            self._gaps += int(block.gap_before)
            self._t_last = float(block.t[-1])

    def add_score(self, score: Any) -> None:
        """Scores are not part of a capture file: ignored."""

    def finish(self) -> None:
        """Sync and close the file. Idempotent."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()


def record_to_file(
    source: Source,
    path: str | os.PathLike[str],
    *,
    spec: str,
    seconds: float | None = None,
    metadata: Mapping[str, Any] | None = None,
    overwrite: bool = False,
    started_at: datetime | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_progress: Callable[[RecordResult], None] | None = None,
    progress_interval_s: float = 1.0,
    poll_s: float = 0.1,
    sync_interval_s: float = 0.5,
) -> RecordResult:
    """Record a source into a new capture with the live engine, until told to stop.

    The engine's thread opens the source, hands every block to a
    :class:`CaptureFileRecorder` and closes both however this returns or raises
    (a second Ctrl-C included). The calling thread only waits, polls ``should_stop``
    and reports progress, so signal handlers run promptly.

    Parameters
    ----------
    source : Source
        An unopened source (the engine opens and closes it).
    path : str or os.PathLike
        Capture to create.
    spec : str
        The source spec, stored in the header.
    seconds : float or None
        Stop once this much signal time (from the first sample) is recorded;
        samples at or after ``first + seconds`` are not written.
    metadata : Mapping or None
        Free-form metadata for the header.
    overwrite : bool
        Replace an existing file.
    started_at : datetime or None
        Wall-clock start for the header; default: now.
    should_stop : callable or None
        Polled every ``poll_s``; True stops recording.
    on_progress : callable or None
        Called with the running totals at most every ``progress_interval_s``.
    progress_interval_s : float
        Seconds between progress calls.
    poll_s : float
        Seconds between ``should_stop`` polls.
    sync_interval_s : float
        Passed to :class:`~sensors.capture.CaptureWriter`.

    Returns
    -------
    RecordResult
        What was recorded and why it stopped.

    Raises
    ------
    CaptureError
        If the file exists and ``overwrite`` is false, or the stream breaks the
        capture rules.
    SourceError
        If the source fails.
    OSError
        If the file cannot be written.
    """
    target = Path(path)
    recorder = CaptureFileRecorder(
        target,
        source=spec,
        metadata=metadata,
        overwrite=overwrite,
        started_at=started_at or datetime.now(UTC),
        sync_interval_s=sync_interval_s,
    )
    engine = Acquisition(source, duration_s=seconds)
    engine.set_recorder(recorder)
    stopped = False

    def result() -> RecordResult:
        samples, covered, gaps = recorder.so_far()
        ended = "stopped" if stopped else _ENDED.get(engine.ended, "source")
        return RecordResult(target, samples, covered, gaps, ended)

    last_progress = time.monotonic()
    engine.start()
    try:
        while not engine.wait(poll_s):
            engine.events()  # nobody shows them: keep the queue empty
            if recorder.error is not None:
                break
            if should_stop is not None and should_stop():
                stopped = True
                break
            now = time.monotonic()
            if on_progress is not None and now - last_progress >= progress_interval_s:
                last_progress = now
                on_progress(result())
    finally:
        engine.stop(timeout=30.0)  # the thread closes the source and the file
    if recorder.error is not None:
        raise recorder.error
    if engine.error is not None:
        raise engine.error
    return result()
