"""The ``glove-v1`` control characteristic: one opcode byte, then its argument.

``docs/glove-protocol.md`` §1.5: START ``01``, STOP ``02``, TARE ``03``, SET_RATE
``04`` + u16 Hz. Anything else (unknown opcode, wrong length, a rate this glove cannot
sample at) is refused with ATT error 0x80 and changes nothing.
"""

from glove.compat import const

START = const(0x01)
STOP = const(0x02)
TARE = const(0x03)
SET_RATE = const(0x04)

OK = const(0)
APP_ERROR = const(0x80)  # ATT "application error": the reply to a refused command


def parse(data: bytes, min_rate_hz: int, max_rate_hz: int) -> tuple:
    """Decode a control write.

    Parameters
    ----------
    data : bytes-like
        The written value.
    min_rate_hz, max_rate_hz : int
        The rates this glove can sample at (SET_RATE outside them is refused).

    Returns
    -------
    tuple of (int, int)
        ``(opcode, argument)``: the rate in Hz for SET_RATE, 0 otherwise; or
        ``(APP_ERROR, 0)`` for anything to refuse.
    """
    n = len(data)
    if n == 0:
        return APP_ERROR, 0
    op = data[0]
    if op in (START, STOP, TARE):
        return (op, 0) if n == 1 else (APP_ERROR, 0)
    if op == SET_RATE and n == 3:
        rate = data[1] | (data[2] << 8)
        if min_rate_hz <= rate <= max_rate_hz:
            return op, rate
    return APP_ERROR, 0
