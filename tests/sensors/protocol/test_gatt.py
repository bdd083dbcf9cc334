"""GATT-level pieces of sensors.protocol: the Battery Level characteristic."""

from __future__ import annotations

import pytest

from sensors import protocol as P
from sensors.exceptions import ProtocolError


def test_battery_level() -> None:
    assert P.decode_battery_level(b"\x57") == 87
    assert P.decode_battery_level(bytearray([100])) == 100
    for bad in (b"", b"\x65", b"\x50\x00"):
        with pytest.raises(ProtocolError, match="battery"):
            P.decode_battery_level(bad)
