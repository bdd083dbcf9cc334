"""Advertising and scan-response payloads (``docs/glove-protocol.md`` §1, "Advertising").

The 128-bit service UUID goes in the advertising data (the app's scanner filters on it),
the complete local name in the scan response (the app also finds a glove by name, and
finds it again by name or address after a drop, so the name must not change between
boots).
"""

from glove.compat import const

AD_FLAGS = const(0x01)
AD_UUID128_COMPLETE = const(0x07)
AD_NAME_COMPLETE = const(0x09)
FLAGS_GENERAL_NO_BREDR = const(0x06)  # LE general discoverable, BR/EDR not supported
MAX_AD_BYTES = const(31)

GLOVE_SERVICE_UUID = "6d617373-0001-4a8e-9c1b-7f3e2a5d0c11"
NUS_SERVICE_UUID = "6e400001-b5a3-f393-e0a9-e50e24dcca9e"


def uuid128_le(uuid: str) -> bytes:
    """Return the 16 bytes of a 128-bit UUID in the little-endian order advertising uses.

    Parameters
    ----------
    uuid : str
        ``xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx``.

    Returns
    -------
    bytes
        16 bytes, least significant first.
    """
    digits = uuid.replace("-", "")
    if len(digits) != 32:
        raise ValueError("not a 128-bit UUID: " + uuid)
    return bytes(reversed(bytes(int(digits[i : i + 2], 16) for i in range(0, 32, 2))))


def ad_field(ad_type: int, payload: bytes) -> bytes:
    """One AD structure: length, type, payload."""
    return bytes((len(payload) + 1, ad_type)) + payload


def advertising_data(service_uuid: str) -> bytes:
    """Build the advertising data: flags and the 128-bit service UUID (21 bytes).

    Parameters
    ----------
    service_uuid : str
        The glove service (``glove-v1``) or the Nordic UART Service (``nus-text``).

    Returns
    -------
    bytes
        The advertising payload.
    """
    return ad_field(AD_FLAGS, bytes((FLAGS_GENERAL_NO_BREDR,))) + ad_field(
        AD_UUID128_COMPLETE, uuid128_le(service_uuid)
    )


def scan_response(name: str) -> bytes:
    """Build the scan response: the complete local name.

    Parameters
    ----------
    name : str
        ASCII glove name, at most 29 characters (31 bytes less the AD header).

    Returns
    -------
    bytes
        The scan-response payload.
    """
    raw = name.encode()
    if not raw or len(raw) > MAX_AD_BYTES - 2:
        raise ValueError("advertised name must be 1..29 bytes")
    return ad_field(AD_NAME_COMPLETE, raw)


def default_name(mac: bytes, prefix: str = "DIY-Glove") -> str:
    """Name the glove uniquely in a classroom and stably across boots: prefix + 2 MAC bytes.

    Parameters
    ----------
    mac : bytes
        The radio's 6-byte address.
    prefix : str
        Text before the suffix.

    Returns
    -------
    str
        e.g. ``"DIY-Glove-3FA2"`` (no spaces: easy to type in ``ble:NAME``).
    """
    return prefix + "-" + f"{mac[-2]:02X}{mac[-1]:02X}"
