r"""Bytes on the wire: ``glove-v1`` batch headers and counts, ``nus-text`` lines, numbers.

Layouts follow ``docs/glove-protocol.md``: a 12-byte little-endian header
(version, flags, seq, t0_us, dt_us, count, channels) followed by u16 counts, sample-major;
text lines ``t_ms,v1,...,vN\n``. Nothing here allocates per value except the text line.
"""

import struct

from glove.compat import const

VERSION = const(1)
HEADER_SIZE = const(12)
FLAG_TARE = const(0x01)
MAX_COUNT = const(255)
MAX_CHANNELS = const(32)
U16_MAX = const(0xFFFF)
U32_MASK = 0xFFFFFFFF  # not const(): above MicroPython's small-int range
ATT_OVERHEAD = const(3)  # a notification carries ATT MTU - 3 bytes
DEFAULT_MTU = const(23)  # before any MTU exchange
HEADER_FORMAT = "<BBHIHBB"


def samples_per_packet(payload: int, channels: int) -> int:
    """Count the samples of ``channels`` values that fit one notification.

    Parameters
    ----------
    payload : int
        Notification payload in bytes (ATT MTU - 3).
    channels : int
        Values per sample, 1-32.

    Returns
    -------
    int
        ``min(255, (payload - 12) // (2 * channels))``; 0 if not even one fits.
    """
    if channels < 1 or channels > MAX_CHANNELS:
        raise ValueError("channels must be 1..32")
    count = (payload - HEADER_SIZE) // (2 * channels)
    if count < 0:
        return 0
    return min(MAX_COUNT, count)


def pack_header(
    buf: bytearray, seq: int, t0_us: int, dt_us: int, count: int, channels: int, tared: bool
) -> None:
    """Write a batch header at the start of ``buf``.

    Parameters
    ----------
    buf : bytearray
        The notification buffer (at least 12 bytes).
    seq : int
        Notification counter; wrapped to 16 bits here.
    t0_us : int
        Device time of the first sample in µs, any size; wrapped to 32 bits here.
    dt_us : int
        Sample interval in µs, 1-65535.
    count, channels : int
        Samples in the batch (1-255) and values per sample (1-32).
    tared : bool
        Set flag bit 0: a tare was applied just before this batch.
    """
    if dt_us < 1 or dt_us > U16_MAX or count < 1 or count > MAX_COUNT:
        raise ValueError("dt_us or count out of range")
    struct.pack_into(
        HEADER_FORMAT,
        buf,
        0,
        VERSION,
        FLAG_TARE if tared else 0,
        seq & U16_MAX,
        t0_us & U32_MASK,
        dt_us,
        count,
        channels,
    )


def pack_counts(buf: bytearray, offset: int, values: list) -> int:
    """Write one sample's counts as little-endian u16 at ``offset``.

    Parameters
    ----------
    buf : bytearray
        The notification buffer.
    offset : int
        Where the sample starts.
    values : list of int
        Counts, each already within 0-65535.

    Returns
    -------
    int
        The offset just past the sample.
    """
    for value in values:
        struct.pack_into("<H", buf, offset, value)
        offset += 2
    return offset


def text_line(t_ms: int, values: list) -> bytes:
    r"""Format one ``nus-text`` sample line, ``t_ms,v1,...,vN\n``.

    Parameters
    ----------
    t_ms : int
        Device time in ms; wrapped to 32 bits here (``millis()`` semantics).
    values : list of int
        Counts, non-negative integers.

    Returns
    -------
    bytes
        The ASCII line, newline included.
    """
    parts = [str(t_ms & U32_MASK)]
    for value in values:
        parts.append(str(value))
    return (",".join(parts) + "\n").encode()


def interval_us(rate_hz: int) -> int:
    """Sample interval in whole µs for ``rate_hz`` (rounded to the nearest µs).

    Parameters
    ----------
    rate_hz : int
        Sample rate, > 15 Hz so the interval fits a u16.

    Returns
    -------
    int
        ``round(1e6 / rate_hz)``.
    """
    if rate_hz < 16:
        raise ValueError("rate below 16 Hz does not fit a u16 dt_us")
    return (1000000 + rate_hz // 2) // rate_hz


def milli_text(milli: int) -> str:
    """Format an integer number of thousandths as a JSON number (``520`` -> ``"0.520"``).

    Integers keep the config exact on a port whose floats are single precision.

    Parameters
    ----------
    milli : int
        Thousandths, >= 0.

    Returns
    -------
    str
        ``"<units>.<3 digits>"``.
    """
    if milli < 0:
        raise ValueError("milli_text takes non-negative values")
    return f"{milli // 1000}.{milli % 1000:03d}"


def rate_text(dt_us: int) -> str:
    """Format the rate an interval really gives as a JSON number with 3 decimals.

    Parameters
    ----------
    dt_us : int
        Sample interval in µs.

    Returns
    -------
    str
        ``1e6 / dt_us`` Hz rounded to mHz, e.g. ``"200.000"`` or ``"300.030"``.
    """
    return milli_text((1000000000 + dt_us // 2) // dt_us)
