"""The sampling schedule and the sampler the hardware timer drives.

The timer's callback is a soft interrupt: it runs late by a variable amount (radio,
garbage collection), and the timer need not tick in step with the µs counter. So the
callback does not *define* the sample times; :class:`Schedule` does. Sample ``k`` is due
at ``start + k * dt_us`` on the device clock, each callback takes every sample that is
due, and each sample carries its due time. Late callbacks catch up (the counts are read
a little late, the timestamps stay on the grid); after a stall of ``max_lag`` intervals
the missed slots are skipped, never invented, and the batcher starts a new batch there
because the stream is no longer contiguous. The rate therefore holds exactly over any
number of ticks, whatever the jitter.
"""

from glove.compat import const
from glove.encoding import U16_MAX, interval_us

MAX_LAG = const(4)  # intervals a late callback catches up; beyond this, skip


class Schedule:
    """Due times of samples on the device clock (µs, unbounded integers).

    Parameters
    ----------
    rate_hz : int
        Sample rate.
    max_lag : int
        A callback this many intervals late skips the missed slots instead of reading
        them all at once.
    """

    def __init__(self, rate_hz: int, max_lag: int = MAX_LAG) -> None:
        self.max_lag = max_lag
        self.rate_hz = 0
        self.dt_us = 0
        self.next_us = -1  # -1: stopped
        self.skipped = 0
        self.set_rate(rate_hz)

    def set_rate(self, rate_hz: int) -> None:
        """Change the rate: the sample already due keeps its time, later ones use the new dt."""
        self.dt_us = interval_us(rate_hz)
        self.rate_hz = rate_hz

    def start(self, now_us: int) -> None:
        """Start with a sample due at ``now_us``."""
        self.next_us = now_us

    def stop(self) -> None:
        """Stop: nothing is due until :meth:`start`."""
        self.next_us = -1

    @property
    def running(self) -> bool:
        """Whether samples are being scheduled."""
        return self.next_us >= 0

    def take(self, now_us: int) -> int:
        """Return the due time of the next sample to take at ``now_us``, or -1 if none is due.

        Parameters
        ----------
        now_us : int
            The device clock now, µs.

        Returns
        -------
        int
            A due time ``<= now_us`` on the grid; call again until it returns -1.
        """
        due = self.next_us
        if due < 0 or now_us < due:
            return -1
        dt = self.dt_us
        late = now_us - due
        if late >= self.max_lag * dt:
            missed = late // dt
            self.skipped += missed
            due += missed * dt
        self.next_us = due + dt
        return due


class Sampler:
    """Read the sensors when the schedule says, apply the tare, hand samples to a sink.

    Parameters
    ----------
    channels : int
        Sensors read per sample.
    read : callable
        ``read(values)`` fills the list ``values`` with one raw count per channel.
    sink : object
        Has ``add(stamp_us, dt_us, values, tared)`` (a batcher).
    rate_hz : int
        Initial sample rate.
    raw_max : int
        Largest count a channel can report (4095 for a 12-bit ADC).
    """

    def __init__(self, channels: int, read, sink, rate_hz: int, raw_max: int = 4095) -> None:
        self.channels = channels
        self.schedule = Schedule(rate_hz)
        self.raw_max = min(raw_max, U16_MAX)
        self.values = [0] * channels  # reused every sample: no allocation in the callback
        self.offsets = [0] * channels
        self.samples = 0
        self._read = read
        self._sink = sink
        self._tare_next = False

    def tare(self) -> None:
        """Zero every channel at its next reading; that sample starts a tare-flagged batch."""
        self._tare_next = True

    def tick(self, now_us: int) -> int:
        """Take every sample due at ``now_us`` (the timer callback's work).

        Parameters
        ----------
        now_us : int
            The device clock now, µs.

        Returns
        -------
        int
            Samples taken.
        """
        taken = 0
        values = self.values
        offsets = self.offsets
        top = self.raw_max
        while True:
            stamp = self.schedule.take(now_us)
            if stamp < 0:
                return taken
            self._read(values)
            tared = self._tare_next
            if tared:
                self._tare_next = False
                for i in range(self.channels):
                    offsets[i] = values[i]
            for i in range(self.channels):
                v = values[i] - offsets[i]
                values[i] = 0 if v < 0 else (top if v > top else v)
            self._sink.add(stamp, self.schedule.dt_us, values, tared)
            self.samples += 1
            taken += 1
