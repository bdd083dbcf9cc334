"""The one decode path from notification bytes to :class:`~sensors.blocks.SampleBlock`.

Both the BLE source and the simulated glove feed raw notification bytes through a
:class:`PacketDecoder`, so the simulator exercises exactly the code a real glove does.
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
    packets discarded), ``bad_packets`` (malformed, skipped), ``gaps`` (gap markers).
    """

    def __init__(self, profile: GloveProfile) -> None:
        self.profile = profile
        self._channels = len(profile.sensors)
        self._text = profile.protocol == "nus-text"
        self._tracker = protocol.SequenceTracker()
        self._clock = protocol.DeviceClock(wrap=2**32, ticks_per_s=1e3 if self._text else 1e6)
        self._lines = protocol.LineAssembler()
        self._offset_s = 0.0  # timeline offset so time stays monotone across reconnects
        self._last_t: float | None = None
        self._gap_pending = False
        self._seq = 0
        self.dropped_packets = 0
        self.stale_packets = 0
        self.bad_packets = 0
        self.gaps = 0

    def reset_link(self) -> None:
        """Call after a reconnect: the next block starts a new segment, marked as a gap."""
        self._tracker.reset()
        self._clock.reset()
        self._lines = protocol.LineAssembler()
        if self._last_t is not None:
            self._offset_s = self._last_t + 1.0 / self.profile.sample_rate_hz
            self._gap_pending = True

    def feed(self, data: bytes, arrival_s: float = 0.0) -> list[SampleBlock]:
        """Decode one notification.

        Parameters
        ----------
        data : bytes
            Notification value.
        arrival_s : float
            Host arrival time (kept for diagnostics; timestamps come from the device).

        Returns
        -------
        list of SampleBlock
            Zero or more blocks (malformed or stale packets yield none).
        """
        if self._text:
            return self._feed_text(data)
        try:
            packet = protocol.decode(data)
        except ProtocolError:
            self.bad_packets += 1
            return []
        if packet.raw.shape[1] != self._channels:
            self.bad_packets += 1
            return []
        lost = self._tracker.update(packet.seq)
        if lost < 0:
            self.stale_packets += 1
            return []
        if lost > 0:
            self.dropped_packets += lost
            self._gap_pending = True
        t0 = self._clock.to_seconds(packet.t0_us)
        t = self._offset_s + t0 + np.arange(packet.raw.shape[0]) * (packet.dt_us / 1e6)
        return self._emit(t, self.profile.to_newtons(packet.raw))

    def _feed_text(self, data: bytes) -> list[SampleBlock]:
        times: list[float] = []
        rows: list[np.ndarray] = []
        blocks: list[SampleBlock] = []
        for line in self._lines.feed(data):
            try:
                sample = protocol.decode_text_line(line, self._channels)
            except ProtocolError:
                self.bad_packets += 1
                continue
            t = self._offset_s + self._clock.to_seconds(sample.t_ms)
            previous = times[-1] if times else self._last_t
            if previous is not None and t <= previous:
                self.stale_packets += 1
                continue
            if (
                previous is not None
                and t - previous > _TEXT_GAP_PERIODS / self.profile.sample_rate_hz
            ):
                if times:
                    blocks += self._emit(np.array(times), self.profile.to_newtons(np.array(rows)))
                    times, rows = [], []
                self._gap_pending = True
            times.append(t)
            rows.append(sample.values)
            if len(times) >= _TEXT_BATCH:
                blocks += self._emit(np.array(times), self.profile.to_newtons(np.array(rows)))
                times, rows = [], []
        if times:
            blocks += self._emit(np.array(times), self.profile.to_newtons(np.array(rows)))
        return blocks

    def _emit(self, t: np.ndarray, values: np.ndarray) -> list[SampleBlock]:
        if self._last_t is not None and t[0] <= self._last_t:
            # A device clock that jumped backwards without a reconnect: never emit
            # non-monotone time; restart the timeline after the last sample, as a gap.
            t = t - t[0] + self._last_t + 1.0 / self.profile.sample_rate_hz
            self._gap_pending = True
        block = SampleBlock(t, values, self.profile, gap_before=self._gap_pending, seq=self._seq)
        if self._gap_pending:
            self.gaps += 1
        self._gap_pending = False
        self._seq += 1
        self._last_t = float(t[-1])
        return [block]
