"""The device clock: MicroPython's wrapping µs ticks extended to an unbounded count.

``time.ticks_us()`` wraps at a port-specific period (2**30 µs, ≈ 17.9 min, on 32-bit
ports), but ``t0_us`` must be a u32 that wraps at 2**32 and ``t_ms`` a millisecond
counter that wraps at 2**32 ms. So the firmware keeps its own count of µs since boot,
advanced by ``ticks_diff`` on every read, and wraps it only when encoding. It must be
read at least once per half tick period; the sample timer reads it 16-400 times a second.
Read it from one context only (the timer callback): an unlocked update from two contexts
could lose an interval.
"""


class DeviceClock:
    """Unbounded µs since construction, from a wrapping tick counter.

    Parameters
    ----------
    ticks_us : callable
        Returns the current tick count (wrapping).
    ticks_diff : callable
        ``ticks_diff(end, start)``: signed difference on the wrapping circle.
    """

    def __init__(self, ticks_us, ticks_diff) -> None:
        self._ticks = ticks_us
        self._diff = ticks_diff
        self._last = ticks_us()
        self.us = 0

    def now(self) -> int:
        """Advance to the current tick and return µs since construction."""
        t = self._ticks()
        self.us += self._diff(t, self._last)
        self._last = t
        return self.us
