"""The glove without its hardware: sampling, batching, control and config in one object.

Two contexts use a :class:`Glove`. The sample timer's callback calls :meth:`Glove.tick`
with the device clock; everything that changes the stream (start, stop, a new rate, a
tare, a new MTU) happens there. The radio task calls :meth:`Glove.command`,
:meth:`Glove.start`/:meth:`Glove.stop`, :meth:`Glove.set_mtu` and takes packets with
:meth:`Glove.next_packet`/:meth:`Glove.packet_sent`; those only record a wish that the
next tick applies, so the two contexts never update the same field (the callback is a
soft interrupt and may run between any two bytecodes of the radio task).
"""

from glove import batching, control
from glove.config import check_sensors, config_json
from glove.encoding import ATT_OVERHEAD, DEFAULT_MTU, interval_us, samples_per_packet
from glove.sampling import Sampler

GLOVE_V1 = "glove-v1"
NUS_TEXT = "nus-text"


class Glove:
    """A DIY glove's firmware state, independent of ``machine`` and ``bluetooth``.

    Parameters
    ----------
    sensors : sequence of (name, region, x_milli, y_milli, gpio)
        The channels in wire order (see :mod:`glove.settings`).
    read : callable
        ``read(values)`` fills ``values`` with one raw count per channel.
    protocol : {"glove-v1", "nus-text"}
        Wire protocol.
    rate_hz : int
        Initial sample rate.
    name, firmware, profile, scale_text : str
        What the config characteristic reports (``glove-v1``).
    min_rate_hz, max_rate_hz : int
        Rates SET_RATE accepts.
    raw_max : int
        Full-scale count of the ADC.
    ring_slots : int
        Notifications that can wait for the radio.
    max_hold_us : int
        Longest a sample waits in an unfinished notification.
    """

    def __init__(
        self,
        sensors: tuple,
        read,
        protocol: str = GLOVE_V1,
        rate_hz: int = 100,
        name: str = "DIY-Glove",
        firmware: str = "",
        profile: str = "",
        scale_text: str = "1",
        min_rate_hz: int = 16,
        max_rate_hz: int = 400,
        raw_max: int = 4095,
        ring_slots: int = 8,
        max_hold_us: int = batching.MAX_HOLD_US,
    ) -> None:
        check_sensors(sensors)
        if protocol not in (GLOVE_V1, NUS_TEXT):
            raise ValueError("protocol must be glove-v1 or nus-text")
        if not 16 <= min_rate_hz <= rate_hz <= max_rate_hz <= 65535:
            raise ValueError("need 16 <= min_rate_hz <= rate_hz <= max_rate_hz <= 65535")
        self.sensors = sensors
        self.protocol = protocol
        self.name = name
        self.firmware = firmware
        self.profile = profile
        self.scale_text = scale_text
        self.min_rate_hz = min_rate_hz
        self.max_rate_hz = max_rate_hz
        self.ring = batching.PacketRing(ring_slots, batching.MAX_PAYLOAD)
        channels = len(sensors)
        batcher_class = batching.BinaryBatcher if protocol == GLOVE_V1 else batching.TextBatcher
        self.batcher = batcher_class(channels, self.ring, DEFAULT_MTU - ATT_OVERHEAD, max_hold_us)
        self.sampler = Sampler(channels, read, self.batcher, rate_hz, raw_max)
        self.streaming = False
        self.refused = 0  # control writes refused (the radio cannot send ATT errors)
        # Wishes from the radio task, applied by tick() (see the module docstring).
        self._want_streaming = False
        self._want_rate = rate_hz
        self._want_payload = DEFAULT_MTU - ATT_OVERHEAD
        self._payload = self._want_payload  # applied by tick()
        self._tares_wanted = 0
        self._tares_done = 0
        self.mtu = DEFAULT_MTU
        config_json(name, firmware, interval_us(rate_hz), scale_text, profile, sensors)

    # -- radio side ------------------------------------------------------------------

    @property
    def rate_hz(self) -> int:
        """The sample rate in force (or about to be, at the next tick)."""
        return self._want_rate

    def config_bytes(self) -> bytes:
        """Return the config characteristic's value for the current rate."""
        return config_json(
            self.name,
            self.firmware,
            interval_us(self._want_rate),
            self.scale_text,
            self.profile,
            self.sensors,
        )

    def set_mtu(self, mtu: int) -> bool:
        """Record the negotiated ATT MTU (batches are sized to it from the next tick).

        Parameters
        ----------
        mtu : int
            The ATT MTU.

        Returns
        -------
        bool
            Whether at least one sample fits a notification (``glove-v1`` needs
            ``15 + 2 * channels``; text lines may always be split).
        """
        self.mtu = mtu
        self._want_payload = mtu - ATT_OVERHEAD
        if self.protocol == NUS_TEXT:
            return self._want_payload > 0
        return samples_per_packet(min(self._want_payload, self.ring.size), len(self.sensors)) > 0

    def start(self) -> None:
        """Start streaming at the next tick (START, or a ``nus-text`` connection)."""
        self._want_streaming = True

    def stop(self) -> None:
        """Stop streaming at the next tick; the unfinished batch is sent first."""
        self._want_streaming = False

    def tare(self) -> None:
        """Zero the sensors at the next sample."""
        self._tares_wanted += 1

    def command(self, data: bytes) -> int:
        """Apply a write to the control characteristic.

        Parameters
        ----------
        data : bytes-like
            The written value.

        Returns
        -------
        int
            ``control.OK``, or ``control.APP_ERROR`` (0x80) for a refused command, which
            changes nothing.
        """
        op, arg = control.parse(data, self.min_rate_hz, self.max_rate_hz)
        if op == control.START:
            self.start()
        elif op == control.STOP:
            self.stop()
        elif op == control.TARE:
            self.tare()
        elif op == control.SET_RATE:
            self._want_rate = arg
        else:
            self.refused += 1
            return control.APP_ERROR
        return control.OK

    def next_packet(self) -> memoryview | None:
        """Return the oldest notification waiting to be sent, or None."""
        return self.ring.peek()

    def packet_sent(self) -> None:
        """Release the packet :meth:`next_packet` returned."""
        self.ring.pop()

    def reset_link(self) -> None:
        """Between links: stop, drop unsent samples and packets, forget the MTU.

        Call it only while the sample timer is stopped (the one place the radio side
        changes the stream itself). The sequence number and the device clock keep
        running, as the protocol asks across reconnects.
        """
        self._want_streaming = False
        self.streaming = False  # first: a callback still queued now finds nothing to do
        self.sampler.schedule.stop()
        self.batcher.discard()
        self.ring.clear()
        self.set_mtu(DEFAULT_MTU)

    # -- timer side ------------------------------------------------------------------

    def tick(self, now_us: int) -> int:
        """Do the timer callback's work: apply the radio's wishes, take the due samples.

        Parameters
        ----------
        now_us : int
            Device clock, µs (:class:`glove.clock.DeviceClock`).

        Returns
        -------
        int
            Samples taken.
        """
        batcher = self.batcher
        schedule = self.sampler.schedule
        payload = self._want_payload
        if payload != self._payload:
            self._payload = payload
            batcher.set_payload(payload)
        if self._want_streaming != self.streaming:
            if self.streaming:
                batcher.close()  # never hold a sample after STOP
                schedule.stop()
                self.streaming = False
            elif batcher.capacity > 0:  # glove-v1 waits for an MTU that fits a sample
                schedule.start(now_us)
                self.streaming = True
        rate = self._want_rate
        if rate != schedule.rate_hz:
            schedule.set_rate(rate)  # the batcher starts a new batch at the new dt_us
        tares = self._tares_wanted
        if tares != self._tares_done:
            self._tares_done = tares
            self.sampler.tare()
        if not self.streaming or batcher.capacity < 1:
            return 0
        return self.sampler.tick(now_us)
