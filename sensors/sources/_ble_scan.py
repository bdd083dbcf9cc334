"""Finding BLE gloves: the scan, what an advertisement says, and "no usable Bluetooth".

Split from :mod:`sensors.sources.ble`, which re-exports :func:`scan` and
:class:`GloveAdvertisement` (import them from there) and uses the helpers here to
resolve and classify a glove before connecting. bleak is imported lazily, as there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sensors import protocol
from sensors.exceptions import AdapterError, SourceError

__all__ = ["GloveAdvertisement", "adapter_error", "kind_of", "scan"]


@dataclass(frozen=True, slots=True)
class GloveAdvertisement:
    """A glove seen while scanning.

    Parameters
    ----------
    address : str
        Platform address (MAC on Linux/Windows, UUID on macOS).
    name : str
        Advertised name ("" if none).
    rssi : int or None
        Signal strength, dBm.
    kind : {"glove-v1", "nus-text"}
        Which protocol it advertises.
    """

    address: str
    name: str
    rssi: int | None
    kind: str


def adapter_error(err: BaseException) -> AdapterError | None:
    """Map the many ways "no usable Bluetooth" surfaces to one AdapterError."""
    from bleak.exc import BleakBluetoothNotAvailableError, BleakDBusError

    if isinstance(err, BleakBluetoothNotAvailableError):
        return AdapterError(f"Bluetooth is not available: {err}")
    if isinstance(err, FileNotFoundError | ConnectionRefusedError | PermissionError):
        # dbus socket absent (no BlueZ), refused, or not allowed to use it
        return AdapterError(
            "no Bluetooth adapter reachable (is BlueZ running and is there an adapter?)"
        )
    text = str(err)
    if isinstance(err, BleakDBusError) and ("NotReady" in text or "NotPermitted" in text):
        return AdapterError(f"Bluetooth adapter not ready or not permitted: {err}")
    if "No powered" in text or ("adapter" in text.lower() and "not found" in text.lower()):
        return AdapterError(f"no usable Bluetooth adapter: {err}")
    return None


def kind_of(service_uuids: Sequence[str]) -> str | None:
    """Return the protocol that advertised service UUIDs name (None: not a glove)."""
    uuids = {u.lower() for u in service_uuids}
    if protocol.GLOVE_SERVICE_UUID in uuids:
        return "glove-v1"
    if protocol.NUS_SERVICE_UUID in uuids:
        return "nus-text"
    return None


async def _discover(scanner_class: Any, timeout_s: float) -> list[GloveAdvertisement]:
    found = await scanner_class.discover(timeout=timeout_s, return_adv=True)
    gloves = []
    for device, adv in found.values():
        kind = kind_of(adv.service_uuids or [])
        if kind is not None:
            name = adv.local_name or device.name or ""
            gloves.append(GloveAdvertisement(device.address, name, adv.rssi, kind))
    return sorted(gloves, key=lambda g: (-(g.rssi if g.rssi is not None else -999), g.address))


def scan(timeout_s: float = 5.0, *, scanner_class: Any = None) -> list[GloveAdvertisement]:
    """List nearby gloves (either protocol), strongest signal first.

    Parameters
    ----------
    timeout_s : float
        How long to listen, seconds.
    scanner_class : type or None
        Injected scanner (tests); default :class:`bleak.BleakScanner`.

    Returns
    -------
    list of GloveAdvertisement
        Devices advertising the glove service or the Nordic UART Service.

    Raises
    ------
    AdapterError
        No usable Bluetooth adapter (absent, BlueZ not running, no permission).
    SourceError
        Any other scanning failure.
    """
    if scanner_class is None:
        from bleak import BleakScanner as scanner_class
    try:
        return asyncio.run(_discover(scanner_class, timeout_s))
    except Exception as err:
        mapped = adapter_error(err)
        if mapped is not None:
            raise mapped from err
        raise SourceError(f"scan failed: {err}") from err
