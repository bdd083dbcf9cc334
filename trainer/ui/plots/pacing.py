"""Frame timing: the frames-per-second readout and the frame timer's pacer."""

from __future__ import annotations

import collections
import time
from collections.abc import Callable

import numpy as np

__all__ = ["FrameCounter", "FramePacer"]


class FrameCounter:
    """Frames per second over a sliding window (the debug readout).

    Parameters
    ----------
    window_s : float
        Averaging window, seconds.
    clock : callable
        Monotonic clock, seconds.
    """

    def __init__(self, window_s: float = 1.0, clock: Callable[[], float] = time.monotonic):
        self.window_s = window_s
        self._clock = clock
        self._times: list[float] = []

    def tick(self) -> None:
        """Count one frame now."""
        now = self._clock()
        self._times.append(now)
        cut = now - self.window_s
        while self._times and self._times[0] < cut:
            self._times.pop(0)

    @property
    def fps(self) -> float:
        """Frames per second over the window (0 before two frames)."""
        if len(self._times) < 2:
            return 0.0
        span = self._times[-1] - self._times[0]
        return (len(self._times) - 1) / span if span > 0 else 0.0


class FramePacer:
    """The frame timer's interval: fast while frames are cheap, slower when they are not.

    Each frame reports what it cost (the timer's work plus the paint it caused, wall
    time). The median of the last ``window`` frames above ``slow_above`` of the fast
    interval switches to ``slow_ms``, below ``fast_below`` of it back to ``fast_ms``;
    between the two the interval stays, so a cost near one threshold does not flip it
    every frame. The median, not the mean: one frame that scores a stroke, or waits for
    a core on a busy machine, says nothing of the next ones. A fast interval with frames
    that cannot keep up would only add to every sample's wait (the GUI thread shares
    the machine with the acquisition thread).

    Parameters
    ----------
    fast_ms, slow_ms : int
        The two intervals, milliseconds (60 and 30 frames a second).
    slow_above, fast_below : float
        Shares of ``fast_ms`` the frames' median cost is compared with.
    window : int
        Frames the median is taken over.

    Raises
    ------
    ValueError
        If the intervals, shares or window make no sense.
    """

    def __init__(
        self,
        fast_ms: int = 16,
        slow_ms: int = 33,
        *,
        slow_above: float = 0.75,
        fast_below: float = 0.45,
        window: int = 30,
    ) -> None:
        if not (0 < fast_ms <= slow_ms and 0 < fast_below < slow_above and window >= 1):
            raise ValueError(
                "need 0 < fast_ms <= slow_ms, 0 < fast_below < slow_above, window >= 1"
            )
        self.fast_ms = int(fast_ms)
        self.slow_ms = int(slow_ms)
        self._slow_above = slow_above * fast_ms / 1e3
        self._fast_below = fast_below * fast_ms / 1e3
        self._window = int(window)
        self._costs: collections.deque[float] = collections.deque(maxlen=self._window)
        #: The interval to use now, milliseconds.
        self.interval_ms = self.fast_ms

    @property
    def cost_s(self) -> float:
        """Median cost of the last frames, seconds (NaN before the first)."""
        return float(np.median(self._costs)) if self._costs else float("nan")

    def add(self, cost_s: float) -> int:
        """Count a frame that cost ``cost_s`` seconds; return the interval to use next (ms)."""
        self._costs.append(float(cost_s))
        if len(self._costs) < self._window:
            return self.interval_ms  # too few frames to judge
        cost = self.cost_s
        if cost > self._slow_above:
            self.interval_ms = self.slow_ms
        elif cost < self._fast_below:
            self.interval_ms = self.fast_ms
        return self.interval_ms
