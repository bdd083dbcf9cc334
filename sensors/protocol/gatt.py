"""GATT identifiers, size limits, the Battery Level characteristic, shared byte checks.

Part of :mod:`sensors.protocol` (import from there); ``docs/glove-protocol.md`` is the
normative description.
"""

from __future__ import annotations

import numpy as np

from sensors.exceptions import ProtocolError

__all__ = [
    "BATTERY_LEVEL_CHAR_UUID",
    "BATTERY_SERVICE_UUID",
    "CONFIG_CHAR_UUID",
    "CONTROL_CHAR_UUID",
    "GLOVE_SERVICE_UUID",
    "MAX_CHANNELS",
    "MAX_CONFIG_BYTES",
    "MAX_NOTIFICATION_BYTES",
    "MAX_SET_RATE_HZ",
    "MAX_TEXT_LINE",
    "MIN_SET_RATE_HZ",
    "NUS_RX_CHAR_UUID",
    "NUS_SERVICE_UUID",
    "NUS_TX_CHAR_UUID",
    "PROTOCOL_VERSION",
    "SAMPLES_CHAR_UUID",
    "decode_battery_level",
]

PROTOCOL_VERSION = 1
# This protocol's 128-bit base: first group ASCII "mass", last three groups drawn at random;
# the service and its characteristics differ only in the second group.
GLOVE_SERVICE_UUID = "6d617373-0001-4a8e-9c1b-7f3e2a5d0c11"
SAMPLES_CHAR_UUID = "6d617373-0002-4a8e-9c1b-7f3e2a5d0c11"
CONFIG_CHAR_UUID = "6d617373-0003-4a8e-9c1b-7f3e2a5d0c11"
CONTROL_CHAR_UUID = "6d617373-0004-4a8e-9c1b-7f3e2a5d0c11"
# Nordic UART Service (Nordic Semiconductor's published UUIDs).
NUS_SERVICE_UUID = "6e400001-b5a3-f393-e0a9-e50e24dcca9e"
NUS_RX_CHAR_UUID = "6e400002-b5a3-f393-e0a9-e50e24dcca9e"  # central → glove (write)
NUS_TX_CHAR_UUID = "6e400003-b5a3-f393-e0a9-e50e24dcca9e"  # glove → central (notify)
# Bluetooth SIG Battery Service 0x180F / Battery Level 0x2A19 on the SIG base UUID.
BATTERY_SERVICE_UUID = "0000180f-0000-1000-8000-00805f9b34fb"
BATTERY_LEVEL_CHAR_UUID = "00002a19-0000-1000-8000-00805f9b34fb"

MAX_NOTIFICATION_BYTES = 244  # ATT MTU 247 (BLE 4.2+ data length extension) minus 3
MAX_CHANNELS = 32
MAX_CONFIG_BYTES = 512  # largest attribute value ATT allows
MAX_TEXT_LINE = 512
# SET_RATE bounds: dt_us is a u16, so rates below 1e6/65535 ≈ 15.3 Hz cannot be sent.
MIN_SET_RATE_HZ = 16
MAX_SET_RATE_HZ = 0xFFFF

U16_MAX = 0xFFFF
U32_WRAP = 1 << 32


def as_bytes(data: object, what: str) -> bytes:
    """Return ``data`` as bytes if it is bytes-like, else raise ProtocolError."""
    if isinstance(data, bytes):
        return data
    if isinstance(data, bytearray):
        return bytes(data)
    if isinstance(data, memoryview):
        try:
            return data.tobytes()
        except (TypeError, ValueError) as err:  # e.g. a released view
            raise ProtocolError(f"{what}: unusable memoryview ({err})") from None
    raise ProtocolError(f"{what} must be bytes, got {type(data).__name__}")


def check_int(value: object, low: int, high: int, name: str) -> int:
    """Return ``value`` as an int within ``low..high``, else raise ValueError (encoders)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer, got {type(value).__name__}")
    if not low <= int(value) <= high:
        raise ValueError(f"{name} must be within {low}..{high}, got {value}")
    return int(value)


def decode_battery_level(data: bytes | bytearray | memoryview) -> int:
    """Parse the standard Battery Level characteristic (0x2A19).

    Parameters
    ----------
    data : bytes, bytearray or memoryview
        The characteristic value: one unsigned byte.

    Returns
    -------
    int
        Battery level in percent, 0–100.

    Raises
    ------
    ProtocolError
        Not exactly one byte, or above 100.
    """
    raw = as_bytes(data, "battery level")
    if len(raw) != 1 or raw[0] > 100:
        raise ProtocolError(f"battery level must be one byte 0..100, got {raw.hex() or 'nothing'}")
    return raw[0]
