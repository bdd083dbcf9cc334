"""Bench helper for calibration: each sensor's raw count, averaged, over USB.

Run from a computer with the glove on USB (this stops the glove's own program until the
next reset)::

    mpremote exec "import glove.bench; glove.bench.counts()"

It prints one line per sensor: name, mean count, lowest and highest count seen. Use the
mean with a known weight on the sensor as one ``[count, newtons]`` point of the profile's
calibration table (``docs/build-a-glove.md``, "Calibrating").
"""


class Summary:
    """Running mean, minimum and maximum of each channel's counts.

    Parameters
    ----------
    channels : int
        Values per sample.
    """

    def __init__(self, channels: int) -> None:
        self.n = 0
        self.sums = [0] * channels
        self.lows = [None] * channels
        self.highs = [None] * channels

    def add(self, values: list) -> None:
        """Add one sample."""
        self.n += 1
        for i, v in enumerate(values):
            self.sums[i] += v
            if self.lows[i] is None or v < self.lows[i]:
                self.lows[i] = v
            if self.highs[i] is None or v > self.highs[i]:
                self.highs[i] = v

    def means(self) -> list:
        """Return each channel's mean count, rounded to the nearest integer."""
        if not self.n:
            raise ValueError("no samples")
        return [(s + self.n // 2) // self.n for s in self.sums]

    def lines(self, names: tuple) -> list:
        """Return one ``name mean (low..high)`` line per channel."""
        means = self.means()
        return [
            names[i]
            + " "
            + str(means[i])
            + " ("
            + str(self.lows[i])
            + ".."
            + str(self.highs[i])
            + ")"
            for i in range(len(names))
        ]


def counts(seconds: int = 3, rate_hz: int = 100) -> list:
    """Print and return each sensor's mean raw count over ``seconds`` (hardware).

    Parameters
    ----------
    seconds : int
        How long to average.
    rate_hz : int
        Readings per second.

    Returns
    -------
    list of int
        Mean count per sensor, in wire order.
    """
    import time

    from glove import settings
    from glove.board import Board

    board = Board(tuple(s[4] for s in settings.SENSORS), adc_bits=settings.ADC_BITS)
    names = tuple(s[0] for s in settings.SENSORS)
    values = [0] * len(names)
    summary = Summary(len(names))
    for _ in range(seconds * rate_hz):
        board.read_counts(values)
        summary.add(values)
        time.sleep_ms(1000 // rate_hz)
    for line in summary.lines(names):
        print(line)
    return summary.means()
