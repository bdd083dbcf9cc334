"""Put the glove together from :mod:`glove.settings` and run it (called by ``main.py``)."""

import asyncio

from glove import radio, settings
from glove.advertising import default_name
from glove.board import Board
from glove.clock import DeviceClock
from glove.compat import ticks_diff, ticks_us
from glove.engine import NUS_TEXT, Glove


def build() -> tuple:
    """Create the board, the glove state and the radio from the settings.

    Returns
    -------
    tuple of (Board, Glove, Radio)
        Ready to run.
    """
    board = Board(
        tuple(s[4] for s in settings.SENSORS),
        settings.BATTERY_GPIO,
        settings.BATTERY_DIVIDER,
        settings.MODE_GPIO,
        settings.TIMER_ID,
        settings.ADC_BITS,
    )
    protocol = NUS_TEXT if board.text_mode_jumper() else settings.PROTOCOL
    name = settings.NAME or default_name(radio.mac())
    glove = Glove(
        settings.SENSORS,
        board.read_counts,
        protocol=protocol,
        rate_hz=settings.RATE_HZ,
        name=name,
        firmware=settings.FIRMWARE,
        profile=settings.PROFILE,
        scale_text=settings.SCALE_TEXT,
        min_rate_hz=settings.MIN_RATE_HZ,
        max_rate_hz=settings.MAX_RATE_HZ,
        raw_max=(1 << settings.ADC_BITS) - 1,
    )
    clock = DeviceClock(ticks_us, ticks_diff)

    def on_timer(_timer) -> None:
        glove.tick(clock.now())  # the only reader of the clock (see glove.clock)

    link = radio.Radio(
        glove,
        name,
        board,
        on_timer,
        settings.REQUEST_MTU,
        settings.ADV_INTERVAL_US,
        settings.BATTERY_POLL_S,
    )
    print("glove:", name, protocol, settings.RATE_HZ, "Hz,", len(settings.SENSORS), "sensors")
    return board, glove, link


def main() -> None:
    """Build the glove and serve centrals until reset."""
    _board, _glove, link = build()
    asyncio.run(link.run())
