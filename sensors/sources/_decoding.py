"""The one decode path from notification bytes to :class:`~sensors.blocks.SampleBlock`.

Both the BLE source and the simulated glove feed raw notification bytes through a
:class:`PacketDecoder`, so the simulator exercises exactly the code a real glove does.

Time: sample times come from the device clock (``t0_us`` or the text lines' ``t_ms``),
unwrapped, in seconds since the stream's first sample. After a reconnect
(:meth:`PacketDecoder.reset_link`) the protocol lets the glove restart its counters
(docs/glove-protocol.md, "Loss and order"), so the first packet of the new link is
checked against host arrival times: if the device clock advanced by about as much as the
host's, the device timeline continues (the lost stretch keeps its true length);
otherwise (the glove rebooted) the new segment is placed after the host-measured
silence. Either way time never goes backwards and the block is marked ``gap_before``.
"""

from __future__ import annotations

import numpy as np

from sensors import protocol
from sensors.blocks import SampleBlock
from sensors.exceptions import ProtocolError
from sensors.profiles import GloveProfile

__all__ = ["PacketDecoder"]

# nus-text: a time step above this many sample periods is a gap (docs/glove-protocol.md §2).
_TEXT_GAP_PERIODS = 3.0
_TEXT_BATCH = 10  # lines per block when a notification carries many
# nus-text: a line this far behind the previous one means the glove's clock restarted
# (a repeated or slightly late line is discarded instead).
_TEXT_RESTART_S = 1.0
_U32_WRAP = 2**32
# Reconnect: device and host elapsed times may differ by radio latency and buffering;
# beyond this the device clock is taken to have restarted.
_RELINK_SLACK_S = 0.5
_RELINK_SLACK_REL = 0.1


class PacketDecoder:
    """Turn notifications into calibrated sample blocks, marking losses as gaps.

    Parameters
    ----------
    profile : GloveProfile
        The glove; its ``protocol`` selects binary (``glove-v1``) or text decoding.

    Notes
    -----
    Counters (readable from any thread, written only by the decoding thread):
    ``dropped_packets`` (sequence gaps), ``stale_packets`` (duplicates or reordered
    packets discarded), ``bad_packets`` (malformed notifications or text lines, skipped),
    ``gaps`` (gap markers emitted).
    """

    def __init__(self, profile: GloveProfile) -> None:
        self.profile = profile
        self._channels = len(profile.sensors)
        self._period_s = 1.0 / float(profile.sample_rate_hz)
        self._text = profile.protocol == "nus-text"
        self._ticks_per_s = 1e3 if self._text else 1e6
        self._tracker = protocol.SequenceTracker()
        self._clock = protocol.DeviceClock(wrap=_U32_WRAP, ticks_per_s=self._ticks_per_s)
        self._lines = protocol.LineAssembler()
        self._offset_s = 0.0  # timeline offset of the current link segment
        self._last_t: float | None = None  # last emitted sample time
        # The last accepted timestamp reading: raw ticks, its timeline time, host arrival.
        self._last_ticks: int | None = None
        self._last_tick_t = 0.0
        self._last_arrival: float | None = None
        self._relink = False
        self._gap_pending = False
        self._seq = 0
        self.dropped_packets = 0
        self.stale_packets = 0
        self._bad = 0
        self.gaps = 0

    @property
    def bad_packets(self) -> int:
        """Malformed notifications (glove-v1) or text lines (nus-text) skipped.

        An overlong text line is one of them: the assembler cuts it and the line decoder
        refuses it, and it is counted there, once.
        """
        return self._bad

    def reset_link(self) -> None:
        """Call after a reconnect: the next block starts a new segment, marked as a gap."""
        self._tracker.reset()
        self._lines = protocol.LineAssembler()  # a partial line died with the old link
        if self._last_t is not None:
            self._relink = True
            self._gap_pending = True

    def feed(self, data: bytes, arrival_s: float | None = None) -> list[SampleBlock]:
        """Decode one notification.

        Parameters
        ----------
        data : bytes
            Notification value.
        arrival_s : float or None
            Host arrival time in seconds on any monotonic clock; used only to place the
            first packet after a reconnect when the glove's clock restarted.

        Returns
        -------
        list of SampleBlock
            Zero or more blocks (malformed or stale packets yield none). Never raises
            for bad input.
        """
        if self._text:
            return self._feed_text(data, arrival_s)
        try:
            packet = protocol.decode(data)
        except ProtocolError:
            self._bad += 1
            return []
        if packet.raw.shape[1] != self._channels:
            self._bad += 1
            return []
        lost = self._tracker.update(packet.seq)
        if lost < 0:
            self.stale_packets += 1
            return []
        if lost > 0:
            self.dropped_packets += lost
            self._gap_pending = True
        t0 = self._timeline(packet.t0_us, arrival_s)
        t = t0 + np.arange(packet.raw.shape[0]) * (packet.dt_us / 1e6)
        return self._emit(t, self.profile.to_newtons(packet.raw))

    def _timeline(self, ticks: int, arrival_s: float | None) -> float:
        """Map a device timestamp to stream time, re-anchoring after a reconnect."""
        if self._relink:
            self._relink = False
            self._offset_s = self._relink_offset(ticks, arrival_s)
            self._clock.reset()  # the new link's first reading sits at _offset_s
        t = self._offset_s + self._clock.to_seconds(ticks)
        self._last_ticks, self._last_tick_t, self._last_arrival = ticks, t, arrival_s
        return t

    def _relink_offset(self, ticks: int, arrival_s: float | None) -> float:
        assert self._last_t is not None
        floor = self._last_t + self._period_s
        if self._last_ticks is None or arrival_s is None or self._last_arrival is None:
            return floor  # nothing to measure the silence with: abut, marked as a gap
        device_dt = ((ticks - self._last_ticks) % _U32_WRAP) / self._ticks_per_s
        host_dt = max(0.0, arrival_s - self._last_arrival)
        if abs(device_dt - host_dt) <= _RELINK_SLACK_S + _RELINK_SLACK_REL * host_dt:
            return max(self._last_tick_t + device_dt, floor)  # the glove's clock ran on
        return max(self._last_tick_t + host_dt, floor)  # the glove restarted its clock

    def _feed_text(self, data: bytes, arrival_s: float | None) -> list[SampleBlock]:
        times: list[float] = []
        rows: list[np.ndarray] = []
        blocks: list[SampleBlock] = []

        def flush() -> None:
            nonlocal times, rows
            if times:
                blocks.extend(self._emit(np.array(times), self.profile.to_newtons(np.array(rows))))
                times, rows = [], []

        for line in self._lines.feed(data):
            try:
                sample = protocol.decode_text_line(line, self._channels)
            except ProtocolError:
                self._bad += 1
                continue
            previous = times[-1] if times else self._last_t
            relinking = self._relink
            t = self._timeline(sample.t_ms, arrival_s)
            if previous is not None and t <= previous:
                if previous - t <= _TEXT_RESTART_S:
                    self.stale_packets += 1  # a repeated or out-of-order line
                    continue
                # The clock went far back on a live link (glove reset behind a UART
                # bridge): a new segment right after the last sample, as a gap.
                shift = previous + self._period_s - t
                t += shift
                self._offset_s += shift
                self._last_tick_t += shift
                flush()
                self._gap_pending = True
            elif (
                not relinking
                and previous is not None
                and t - previous > _TEXT_GAP_PERIODS * self._period_s
            ):
                flush()
                self._gap_pending = True
            times.append(t)
            rows.append(sample.values)
            if len(times) >= _TEXT_BATCH:
                flush()
        flush()
        return blocks

    def _emit(self, t: np.ndarray, values: np.ndarray) -> list[SampleBlock]:
        if self._last_t is not None and t[0] <= self._last_t:
            # A device clock that jumped backwards without a reconnect: never emit
            # non-monotone time; restart the segment after the last sample, as a gap.
            shift = self._last_t + self._period_s - t[0]
            t = t + shift
            self._offset_s += shift
            self._last_tick_t += shift
            self._gap_pending = True
        block = SampleBlock(t, values, self.profile, gap_before=self._gap_pending, seq=self._seq)
        if self._gap_pending:
            self.gaps += 1
        self._gap_pending = False
        self._seq += 1
        self._last_t = float(t[-1])
        return [block]
