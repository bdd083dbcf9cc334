"""The ``glove-v1`` config characteristic: compact JSON describing the glove.

Built by hand from integers and validated strings, so the bytes are the same on
MicroPython (single-precision floats, a smaller ``json``) and CPython. Keys and rules:
``docs/glove-protocol.md`` §1.4.
"""

from glove.compat import const
from glove.encoding import MAX_CHANNELS, milli_text, rate_text

MAX_CONFIG_BYTES = const(512)
MAX_NAME = const(64)
REGIONS = ("palm_heel", "palm", "thumb", "index", "middle", "ring", "little")


def _text(value: str, what: str, empty_ok: bool = False) -> str:
    if (not value and not empty_ok) or len(value) > MAX_NAME:
        raise ValueError(what + ": 1..64 characters")
    for ch in value:
        if ch in '"\\' or ord(ch) < 0x20 or ord(ch) > 0x7E:
            raise ValueError(what + ": printable ASCII without quotes or backslashes")
    return '"' + value + '"'


def check_sensors(sensors: tuple) -> None:
    """Validate the glove's sensor table.

    Parameters
    ----------
    sensors : sequence of (name, region, x_milli, y_milli, gpio)
        One entry per channel in wire order; ``x_milli``/``y_milli`` are the hand-map
        position in thousandths (0-1000).

    Raises
    ------
    ValueError
        No sensors or more than 32, a duplicate or bad name, an unknown region, a
        position outside 0-1000.
    """
    if not 1 <= len(sensors) <= MAX_CHANNELS:
        raise ValueError("1..32 sensors")
    names = []
    for name, region, x, y, _gpio in sensors:
        _text(name, "sensor name")
        if name in names:
            raise ValueError("duplicate sensor name " + name)
        names.append(name)
        if region not in REGIONS:
            raise ValueError("unknown region " + region)
        if not (0 <= x <= 1000 and 0 <= y <= 1000):
            raise ValueError("position of " + name + " outside 0..1000")


def config_json(
    name: str,
    firmware: str,
    dt_us: int,
    scale_text: str,
    profile: str,
    sensors: tuple,
) -> bytes:
    """Build the config characteristic's value.

    Parameters
    ----------
    name : str
        Glove name, 1-64 printable ASCII characters.
    firmware : str
        Firmware version.
    dt_us : int
        Current sample interval; ``rate_hz`` is ``1e6 / dt_us`` to the mHz.
    scale_text : str
        Newtons per count as a JSON number (informative; the profile's calibration wins).
    profile : str
        Name of the glove profile the app should use ("" if none).
    sensors : sequence of (name, region, x_milli, y_milli, gpio)
        See :func:`check_sensors`.

    Returns
    -------
    bytes
        Compact UTF-8 JSON of at most 512 bytes.

    Raises
    ------
    ValueError
        An invalid field, or a document over 512 bytes.
    """
    check_sensors(sensors)
    scale = float(scale_text)  # must be a plain positive number
    if not 0 < scale <= 1e6 or not scale_text.replace(".", "", 1).isdigit():
        raise ValueError("scale must be a positive decimal")
    parts = []
    for s_name, region, x, y, _gpio in sensors:
        parts.append(
            "["
            + _text(s_name, "sensor name")
            + ',"'
            + region
            + '",'
            + milli_text(x)
            + ","
            + milli_text(y)
            + "]"
        )
    doc = (
        '{"v":1,"name":'
        + _text(name, "name")
        + ',"fw":'
        + _text(firmware, "fw", True)
        + ',"rate_hz":'
        + rate_text(dt_us)
        + ',"scale":'
        + scale_text
        + ',"units":"N","profile":'
        + _text(profile, "profile", True)
        + ',"sensors":['
        + ",".join(parts)
        + "]}"
    )
    data = doc.encode()
    if len(data) > MAX_CONFIG_BYTES:
        raise ValueError("config over 512 bytes: shorten the sensor names")
    return data
