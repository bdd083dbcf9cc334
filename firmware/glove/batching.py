"""Samples -> notifications: a packet ring and one batcher per protocol.

The timer callback (producer) adds samples; the radio task (consumer) sends what is
ready. Between them sits :class:`PacketRing`, a single-producer single-consumer ring of
preallocated buffers: each side writes only its own index, so a soft interrupt that
lands between two bytecodes of the other side cannot corrupt it.

``glove-v1``: a batch closes when it is full (as many samples as the negotiated MTU
holds, ``docs/glove-protocol.md`` §1.2), when the next sample would be held 100 ms or
more, or when the stream is not contiguous (new interval, skipped samples, tare). Its
sequence number is taken when it closes, so a batch the ring has no room for still uses
one and the app sees the loss as a gap.

``nus-text``: whole lines are packed into each notification; a line longer than the
payload (small MTU) is split, which the protocol allows.
"""

from glove.compat import const
from glove.encoding import (
    HEADER_SIZE,
    U16_MAX,
    pack_counts,
    pack_header,
    samples_per_packet,
    text_line,
)

MAX_PAYLOAD = const(244)  # ATT MTU 247 - 3: the largest notification we build
MAX_HOLD_US = const(100000)  # never hold a sample longer than 100 ms (protocol §1.2)


class PacketRing:
    """A ring of preallocated notification buffers (one producer, one consumer).

    Parameters
    ----------
    slots : int
        Buffers in the ring; one is always the one being filled, so ``slots - 1`` can
        wait to be sent.
    size : int
        Bytes per buffer.
    """

    def __init__(self, slots: int = 8, size: int = MAX_PAYLOAD) -> None:
        if slots < 2:
            raise ValueError("a ring needs at least 2 slots")
        self.size = size
        self._bufs = [bytearray(size) for _ in range(slots)]
        self._lens = [0] * slots
        self._head = 0  # next to send (consumer's)
        self._tail = 0  # being filled (producer's)
        self.dropped = 0  # closed packets lost because the ring was full

    def slot(self) -> bytearray:
        """Return the buffer the producer fills next."""
        return self._bufs[self._tail]

    def commit(self, length: int) -> bool:
        """Hand the filled buffer to the consumer (producer side).

        Parameters
        ----------
        length : int
            Bytes used in the buffer.

        Returns
        -------
        bool
            False when the ring is full: the packet is dropped and its buffer reused.
        """
        nxt = (self._tail + 1) % len(self._bufs)
        if nxt == self._head:
            self.dropped += 1
            return False
        self._lens[self._tail] = length
        self._tail = nxt
        return True

    def peek(self) -> memoryview | None:
        """Return the oldest packet not yet sent (consumer side), or None."""
        head = self._head
        if head == self._tail:
            return None
        return memoryview(self._bufs[head])[: self._lens[head]]

    def pop(self) -> None:
        """Release the packet :meth:`peek` returned, once it is sent (consumer side)."""
        if self._head != self._tail:
            self._head = (self._head + 1) % len(self._bufs)

    def clear(self) -> None:
        """Drop every waiting packet (consumer side; after a disconnect)."""
        self._head = self._tail

    def __len__(self) -> int:
        return (self._tail - self._head) % len(self._bufs)


class BinaryBatcher:
    """Build ``glove-v1`` sample batches in the ring's buffers.

    Parameters
    ----------
    channels : int
        Values per sample.
    ring : PacketRing
        Where closed batches go.
    payload : int
        Notification payload in bytes (ATT MTU - 3); see :meth:`set_payload`.
    max_hold_us : int
        Close a batch before its first sample would wait this long.
    """

    def __init__(
        self, channels: int, ring: PacketRing, payload: int = 20, max_hold_us: int = MAX_HOLD_US
    ) -> None:
        self.channels = channels
        self.ring = ring
        self.max_hold_us = max_hold_us
        self.seq = 0  # of the next batch to close
        self.capacity = 0
        self._count = 0
        self._t0 = 0
        self._dt = 0
        self._tared = False
        self._buf = ring.slot()
        self.set_payload(payload)

    def set_payload(self, payload: int) -> int:
        """Size batches for a notification payload (ATT MTU - 3).

        Parameters
        ----------
        payload : int
            Bytes per notification; capped at the ring's buffer size.

        Returns
        -------
        int
            Samples per batch; 0 when not even one sample fits (no streaming then).
        """
        self.capacity = samples_per_packet(min(payload, self.ring.size), self.channels)
        if self._count and self._count >= self.capacity:
            self.close()
        return self.capacity

    @property
    def pending(self) -> int:
        """Samples in the batch being filled."""
        return self._count

    def add(self, stamp_us: int, dt_us: int, values: list, tared: bool = False) -> None:
        """Append one sample.

        Parameters
        ----------
        stamp_us : int
            Device time the sample was due, µs (unbounded; wrapped when encoded).
        dt_us : int
            The current sample interval, µs.
        values : list of int
            One count per channel, 0-65535.
        tared : bool
            A tare was applied just before this sample: it starts a flagged batch.
        """
        if self.capacity < 1:
            raise ValueError("no sample fits the current MTU")
        if self._count and (
            tared or dt_us != self._dt or stamp_us != self._t0 + self._count * dt_us
        ):
            self.close()
        if not self._count:
            self._buf = self.ring.slot()
            self._t0 = stamp_us
            self._dt = dt_us
            self._tared = tared
        pack_counts(self._buf, HEADER_SIZE + 2 * self._count * self.channels, values)
        self._count += 1
        if self._count >= self.capacity or stamp_us - self._t0 + dt_us >= self.max_hold_us:
            self.close()

    def close(self) -> None:
        """Close the batch being filled (if any) and queue it for sending."""
        count = self._count
        if not count:
            return
        pack_header(self._buf, self.seq, self._t0, self._dt, count, self.channels, self._tared)
        self.ring.commit(HEADER_SIZE + 2 * count * self.channels)
        self.seq = (self.seq + 1) & U16_MAX
        self._count = 0

    def discard(self) -> None:
        """Drop the batch being filled (its link is gone); no sequence number is used."""
        self._count = 0


class TextBatcher:
    """Pack ``nus-text`` lines into the ring's buffers.

    Parameters
    ----------
    channels : int
        Values per line.
    ring : PacketRing
        Where full notifications go.
    payload : int
        Notification payload in bytes (ATT MTU - 3).
    max_hold_us : int
        Send a notification before its first line would wait this long.
    """

    def __init__(
        self, channels: int, ring: PacketRing, payload: int = 20, max_hold_us: int = MAX_HOLD_US
    ) -> None:
        self.channels = channels
        self.ring = ring
        self.max_hold_us = max_hold_us
        self.capacity = 0
        self._payload = 0
        self._len = 0
        self._t0 = 0
        self._buf = ring.slot()
        self.set_payload(payload)

    def set_payload(self, payload: int) -> int:
        """Size notifications for a payload (ATT MTU - 3); returns the payload used."""
        self._payload = min(payload, self.ring.size)
        if self._len and self._len >= self._payload:
            self.close()
        self.capacity = self._payload
        return self._payload

    @property
    def pending(self) -> int:
        """Bytes in the notification being filled."""
        return self._len

    def _put(self, piece: bytes) -> None:
        if not self._len:
            self._buf = self.ring.slot()
        self._buf[self._len : self._len + len(piece)] = piece
        self._len += len(piece)

    def add(self, stamp_us: int, dt_us: int, values: list, tared: bool = False) -> None:
        """Append one sample as a line (``t_ms`` = the sample's due time in ms).

        Parameters
        ----------
        stamp_us : int
            Device time the sample was due, µs.
        dt_us : int
            The current sample interval, µs.
        values : list of int
            One count per channel.
        tared : bool
            Ignored: text lines carry no tare flag.
        """
        line = text_line(stamp_us // 1000, values)
        payload = self._payload
        if self._len and self._len + len(line) > payload:
            self.close()
        if not self._len:
            self._t0 = stamp_us
        while self._len + len(line) > payload:  # only with an MTU smaller than a line
            room = payload - self._len
            self._put(line[:room])
            line = line[room:]
            self.close()
        self._put(line)
        held = stamp_us - self._t0 + dt_us >= self.max_hold_us
        if held or payload - self._len < len(line):
            self.close()

    def close(self) -> None:
        """Queue the notification being filled (if any)."""
        if self._len:
            self.ring.commit(self._len)
            self._len = 0

    def discard(self) -> None:
        """Drop the notification being filled (its link is gone)."""
        self._len = 0
