"""Stream bookkeeping shared by both profiles: lost notifications and device time.

Part of :mod:`sensors.protocol` (import from there).
"""

from __future__ import annotations

import numpy as np

from sensors.exceptions import ProtocolError
from sensors.protocol.gatt import U16_MAX, U32_WRAP

__all__ = ["DeviceClock", "SequenceTracker"]


class SequenceTracker:
    """Count notifications lost between consecutive u16 sequence numbers.

    :meth:`update` returns the number of packets lost since the last accepted one
    (0 for the next in order, across the 65535 → 0 wrap too). A duplicate, or a packet
    up to half the sequence space behind the last accepted one (reordered, late),
    returns ``-1``: discard it.

    A glove that restarts its counter without a reconnect would otherwise have every
    packet look stale; after ``resync_after`` consecutive stale packets the tracker
    accepts the current one as the new reference and returns how many it discarded
    (``resync_after - 1`` ≥ 1), so the consumer marks a gap.

    Parameters
    ----------
    resync_after : int
        Consecutive stale packets that trigger a resynchronisation (≥ 2).
    """

    def __init__(self, resync_after: int = 16) -> None:
        if resync_after < 2:
            raise ValueError("resync_after must be >= 2")
        self._resync_after = resync_after
        self._last: int | None = None
        self._stale_run = 0

    @property
    def last(self) -> int | None:
        """The last accepted sequence number, or None before the first."""
        return self._last

    def reset(self) -> None:
        """Forget the previous sequence number (after a reconnect)."""
        self._last = None
        self._stale_run = 0

    def update(self, seq: int) -> int:
        """Register ``seq``.

        Parameters
        ----------
        seq : int
            The packet's sequence number, 0–65535.

        Returns
        -------
        int
            Packets lost before this one (≥ 0), or -1 for a stale packet to discard.

        Raises
        ------
        ProtocolError
            If ``seq`` is not within 0–65535.
        """
        if isinstance(seq, bool) or not isinstance(seq, int | np.integer):
            raise ProtocolError(f"sequence number must be an integer, got {seq!r}")
        seq = int(seq)
        if not 0 <= seq <= U16_MAX:
            raise ProtocolError(f"sequence number out of range: {seq}")
        if self._last is None:
            self._last = seq
            return 0
        delta = (seq - self._last) & U16_MAX
        if delta == 0 or delta > 0x8000:
            self._stale_run += 1
            if self._stale_run < self._resync_after:
                return -1
            self._last = seq
            self._stale_run = 0
            return self._resync_after - 1
        self._last = seq
        self._stale_run = 0
        return delta - 1


class DeviceClock:
    """Unwrap a wrapping device counter onto seconds since the stream's first reading.

    Each reading is placed at the unwrapped time nearest the previous reading, so a
    forward wrap (``2**32 - 5`` → ``3``) advances time and a slightly older, reordered
    reading steps back a little instead of jumping a whole wrap ahead. A step of more
    than half the wrap backwards counts as a wrap forwards; readings must therefore
    arrive at least every half wrap (≈ 35.8 min for µs, ≈ 24.9 days for ms).

    Parameters
    ----------
    wrap : int
        Counter modulus (``2**32`` for ``t0_us`` and Arduino ``millis()``).
    ticks_per_s : float
        Counter rate (1e6 for µs, 1e3 for the text profile's ms).
    """

    def __init__(self, wrap: int = U32_WRAP, ticks_per_s: float = 1e6) -> None:
        if wrap < 2 or not ticks_per_s > 0:
            raise ValueError("wrap must be >= 2 and ticks_per_s > 0")
        self._wrap = int(wrap)
        self._ticks_per_s = float(ticks_per_s)
        self._last: int | None = None
        self._unwrapped = 0  # ticks since the first reading

    def reset(self) -> None:
        """Start a new timeline (the next reading becomes 0 s)."""
        self._last = None
        self._unwrapped = 0

    def to_seconds(self, ticks: int) -> float:
        """Map a raw counter reading to seconds on the unwrapped timeline.

        Parameters
        ----------
        ticks : int
            Counter value (taken modulo ``wrap``).

        Returns
        -------
        float
            Seconds since the first reading after construction or :meth:`reset`.
        """
        ticks = int(ticks) % self._wrap
        if self._last is not None:
            step = (ticks - self._last) % self._wrap
            if step > self._wrap // 2:
                step -= self._wrap  # a reordered (older) reading, not a wrap
            self._unwrapped += step
        self._last = ticks
        return self._unwrapped / self._ticks_per_s
