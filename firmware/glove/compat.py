"""What MicroPython and CPython spell differently: ``const`` and the µs tick counter.

On the glove these come from ``micropython`` and ``time``; under CPython (the tests, or a
desk check) the fallbacks below behave the same, including the wrap of the tick counter.
"""

try:
    from micropython import const
except ImportError:  # CPython

    def const(value: int) -> int:
        """Return ``value`` (MicroPython folds ``const()`` at compile time)."""
        return value


try:
    from time import ticks_add, ticks_diff, ticks_us
except ImportError:  # CPython: emulate MicroPython's wrapping ticks
    import time as _time

    TICKS_PERIOD = 1 << 30  # MicroPython's small-int tick period on 32-bit ports
    _HALF = TICKS_PERIOD // 2

    def ticks_us() -> int:
        """Return a µs counter that wraps at ``TICKS_PERIOD`` like MicroPython's."""
        return (_time.monotonic_ns() // 1000) % TICKS_PERIOD

    def ticks_add(ticks: int, delta: int) -> int:
        """Return ``ticks + delta`` on the wrapping tick circle."""
        return (ticks + delta) % TICKS_PERIOD

    def ticks_diff(end: int, start: int) -> int:
        """Return the signed difference ``end - start`` on the wrapping tick circle."""
        return ((end - start + _HALF) % TICKS_PERIOD) - _HALF


__all__ = ["const", "ticks_add", "ticks_diff", "ticks_us"]
