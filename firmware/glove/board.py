"""The hardware of the glove: FSR dividers on ADC1, the sample timer, battery, jumper.

The only module besides :mod:`glove.radio` that imports ``machine``.
"""

from machine import ADC, Pin, Timer


class Board:
    """ADC channels, battery sense and the sample timer of an ESP32-S3 glove.

    Parameters
    ----------
    gpios : sequence of int
        ADC1 pins of the sensors, in wire order.
    battery_gpio : int or None
        ADC1 pin of the battery divider's midpoint.
    battery_divider : int
        Ratio of that divider (2 for two equal resistors).
    mode_gpio : int or None
        Pin of the "text mode" jumper (to GND), or None.
    timer_id : int
        Hardware timer for sampling.
    adc_bits : int
        Counts reported per channel (12: 0-4095).
    """

    def __init__(
        self,
        gpios: tuple,
        battery_gpio: int | None = None,
        battery_divider: int = 2,
        mode_gpio: int | None = None,
        timer_id: int = 0,
        adc_bits: int = 12,
    ) -> None:
        self._adcs = [self._adc(g) for g in gpios]
        self._shift = 16 - adc_bits  # read_u16() scales every port's ADC to 16 bits
        self._battery = None if battery_gpio is None else self._adc(battery_gpio)
        self._divider = battery_divider
        self._mode = None if mode_gpio is None else Pin(mode_gpio, Pin.IN, Pin.PULL_UP)
        self._timer = Timer(timer_id)
        self.timer_rate_hz = 0

    @staticmethod
    def _adc(gpio: int) -> ADC:
        adc = ADC(Pin(gpio))
        adc.atten(ADC.ATTN_11DB)  # the widest input range: the divider swings 0-3.3 V
        return adc

    def read_counts(self, values: list) -> None:
        """Fill ``values`` with one raw count per sensor (the sampler's ``read``)."""
        shift = self._shift
        adcs = self._adcs
        for i in range(len(adcs)):
            values[i] = adcs[i].read_u16() >> shift

    def battery_mv(self) -> int:
        """Battery voltage in mV (0 without a sense divider)."""
        if self._battery is None:
            return 0
        return self._battery.read_uv() * self._divider // 1000

    def text_mode_jumper(self) -> bool:
        """Whether the "nus-text" jumper is fitted (its pin pulled to GND)."""
        return self._mode is not None and self._mode.value() == 0

    def start_timer(self, rate_hz: int, callback) -> None:
        """(Re)start the periodic sample timer at ``rate_hz``; the schedule does the rest.

        ``init`` on a running timer re-initialises it. Its callback is a soft interrupt
        (scheduled, may allocate), which the sampler expects.
        """
        try:
            self._timer.init(mode=Timer.PERIODIC, freq=rate_hz, callback=callback)
        except (TypeError, ValueError):  # no freq= here: whole ms, rounded down (faster)
            self._timer.init(mode=Timer.PERIODIC, period=max(1, 1000 // rate_hz), callback=callback)
        self.timer_rate_hz = rate_hz

    def stop_timer(self) -> None:
        """Stop the sample timer (if it runs)."""
        if self.timer_rate_hz:
            self._timer.deinit()
        self.timer_rate_hz = 0
