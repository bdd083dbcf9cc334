"""Replay a recorded capture as a live stream: real time, any speed, or flat out.

The replay source is the standard fixture for everything downstream of the glove: it
yields exactly what a glove would have (blocks of glove-notification size, gaps where
the recording had gaps) on the same :class:`~sensors.sources.base.Source` interface.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sensors.blocks import SampleBlock
from sensors.capture import Capture, read_capture
from sensors.exceptions import CaptureError, SourceError
from sensors.profiles import GloveProfile
from sensors.sources.base import Source, SourceKind, SourceState, SourceStatus

__all__ = ["ReplaySource"]


class ReplaySource(Source):
    """Play a capture file (native ``.mtcap`` or CSV) as a sample source.

    Timing: block ``i`` is released when the glove would have sent it, i.e. when its
    last sample has been taken: ``(t_last - t_first_of_capture) / speed`` seconds after
    :meth:`open`. ``speed=0`` releases every block at once (as fast as the consumer
    reads). Times are re-based so the stream starts at ``t = 0``, as for any source.

    Looping (``loop=True``) plays the capture again and again; each pass is shifted by
    the capture's duration (last - first time + one sample period) so ``t`` keeps
    increasing, and the first block of every repeat has ``gap_before=True`` (the
    signal jumps there, so nothing may filter across it).

    Parameters
    ----------
    path : str or os.PathLike
        The capture to play.
    speed : float
        Playback speed factor: 1 is real time, 2 twice as fast, 0 as fast as possible.
    loop : bool
        Repeat forever instead of finishing at the end.
    block_size : int or None
        Samples per block; ``None`` for a glove-notification-sized batch (at most 10
        samples and 50 ms). A block never spans a gap of the recording.
    profile : GloveProfile, str or None
        For a CSV capture whose sensor columns match no bundled profile: the glove
        it came from (a profile, or a bundled name or TOML path). Ignored for native
        captures, which carry their own.
    clock : callable
        Monotonic clock in seconds (for tests).
    sleep : callable or None
        ``sleep(seconds)`` used to wait for the next block (for tests, together with
        ``clock``). ``None`` waits on an event that :meth:`close` sets, so a blocked
        ``read`` in another thread returns promptly when the source is closed.

    Raises
    ------
    SourceError
        If ``speed`` is negative or not finite, or ``block_size`` is < 1.
    """

    kind = SourceKind.REPLAY

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        speed: float = 1.0,
        loop: bool = False,
        block_size: int | None = None,
        profile: GloveProfile | str | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if not (math.isfinite(speed) and speed >= 0):
            raise SourceError(f"replay speed must be a finite number >= 0, got {speed!r}")
        if block_size is not None and block_size < 1:
            raise SourceError(f"replay block_size must be >= 1, got {block_size}")
        self.path = Path(path)
        self.speed = float(speed)
        self.loop = bool(loop)
        self._block_size = block_size
        self._csv_profile = profile
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._capture: Capture | None = None
        self._spans: list[tuple[int, int, bool]] = []
        self._t: np.ndarray = np.zeros(0)
        self._pass_s = 0.0
        self._anchor = 0.0
        self._opened = False
        self._finished = False
        self._next = 0  # index into _spans
        self._pass = 0  # loop repetition, 0 for the first play
        self._state = SourceState.IDLE
        self._blocks = 0
        self._samples = 0
        self._gaps = 0

    # -- Source interface ----------------------------------------------------------------

    @property
    def profile(self) -> GloveProfile:
        """The glove profile stored in the capture (reads the file if not yet open)."""
        return self._load().profile

    @property
    def capture(self) -> Capture:
        """The capture being played (reads the file if not yet open)."""
        return self._load()

    def status(self) -> SourceStatus:
        """Return the state and counters (thread-safe)."""
        with self._lock:
            message = f"{self.path.name}: pass {self._pass + 1}" if self._opened else ""
            return SourceStatus(
                state=self._state,
                blocks=self._blocks,
                samples=self._samples,
                gaps=self._gaps,
                message=message,
            )

    def open(self) -> None:
        """Read the capture and start the playback clock.

        Raises
        ------
        SourceError
            If the file is missing, corrupt, or not a capture; or the source was
            closed.
        """
        if self._closed.is_set():
            raise SourceError(f"replay of {self.path} is closed")
        if self._opened:
            return
        capture = self._load()
        try:
            self._spans = capture.block_bounds(self._block_size)
        except ValueError as err:
            raise SourceError(str(err)) from None
        self._t = capture.t - capture.t[0] if capture.n_samples else capture.t
        self._pass_s = capture.duration_s
        with self._lock:
            self._opened = True
            self._state = SourceState.STREAMING
        self._anchor = self._clock()

    def read(self, timeout: float | None = None) -> SampleBlock | None:
        """Return the next block once it is due.

        Parameters
        ----------
        timeout : float or None
            Seconds to wait at most for the next block to become due; ``None`` waits
            as long as needed.

        Returns
        -------
        SampleBlock or None
            The next block, or ``None`` if it is not due within ``timeout``.

        Raises
        ------
        SourceError
            If the source was never opened.
        EOFError
            At the end of the capture (without ``loop``), or once closed.
        """
        if not self._opened and not self._closed.is_set():
            raise SourceError(f"replay of {self.path} is not open; call open() first")
        if self._closed.is_set() or self._finished:
            raise EOFError
        if self._next >= len(self._spans):
            if not self.loop or not self._spans:
                self._finish()
                raise EOFError
            self._next = 0
            self._pass += 1
        start, stop, gap = self._spans[self._next]
        offset = self._pass * self._pass_s
        if self.speed > 0:
            due = self._anchor + (float(self._t[stop - 1]) + offset) / self.speed
            wait = due - self._clock()
            if wait > 0:
                if timeout is not None and timeout < wait:
                    self._wait(max(timeout, 0.0))
                    if self._closed.is_set():
                        raise EOFError
                    return None
                self._wait(wait)
                if self._closed.is_set():
                    raise EOFError
        capture = self._load()
        gap_before = gap or (self._pass > 0 and start == 0)
        with self._lock:
            seq = self._blocks
            self._blocks += 1
            self._samples += stop - start
            self._gaps += int(gap_before)
        self._next += 1
        return SampleBlock(
            self._t[start:stop] + offset,
            capture.values[start:stop],
            capture.profile,
            gap_before=gap_before,
            seq=seq,
        )

    def close(self) -> None:
        """Stop playing; a ``read`` blocked in another thread returns. Idempotent."""
        self._closed.set()
        with self._lock:
            if self._state is not SourceState.FINISHED:
                self._state = SourceState.IDLE if not self._opened else SourceState.FINISHED

    # -- helpers -------------------------------------------------------------------------

    def _load(self) -> Capture:
        if self._capture is None:
            try:
                self._capture = read_capture(self.path, profile=self._csv_profile)
            except CaptureError as err:
                raise SourceError(f"cannot replay: {err}") from err
        return self._capture

    def _wait(self, seconds: float) -> None:
        if self._sleep is not None:
            self._sleep(seconds)
        else:
            self._closed.wait(seconds)

    def _finish(self) -> None:
        self._finished = True
        with self._lock:
            self._state = SourceState.FINISHED
