"""Advertising payloads the app's scanner recognises, and the battery level."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

import pytest

from sensors import protocol
from sensors.sources.ble import scan


def _ad_structures(payload: bytes) -> dict[int, bytes]:
    """Parse AD structures (length, type, data), checking the lengths add up."""
    out: dict[int, bytes] = {}
    i = 0
    while i < len(payload):
        length = payload[i]
        assert length >= 1 and i + 1 + length <= len(payload)
        out[payload[i + 1]] = payload[i + 2 : i + 1 + length]
        i += 1 + length
    assert i == len(payload)
    return out


def _uuids128(data: bytes) -> list[str]:
    return [str(uuid.UUID(bytes=data[k : k + 16][::-1])) for k in range(0, len(data), 16)]


class _Scanner:
    """A bleak-like scanner that reports one device advertising the given payloads."""

    adv = b""
    resp = b""

    @classmethod
    async def discover(cls, timeout: float, return_adv: bool) -> dict[str, Any]:
        ads = {**_ad_structures(cls.adv), **_ad_structures(cls.resp)}
        adv = SimpleNamespace(
            service_uuids=_uuids128(ads.get(0x07, b"")),
            local_name=ads.get(0x09, b"").decode() or None,
            rssi=-50,
        )
        device = SimpleNamespace(address="24:6F:28:01:3F:A2", name=None)
        return {device.address: (device, adv)}


@pytest.mark.parametrize(
    ("service", "kind"),
    [(protocol.GLOVE_SERVICE_UUID, "glove-v1"), (protocol.NUS_SERVICE_UUID, "nus-text")],
)
def test_the_apps_scanner_finds_the_glove(service: str, kind: str) -> None:
    from glove import advertising

    adv = advertising.advertising_data(service)
    resp = advertising.scan_response(advertising.default_name(b"\x24\x6f\x28\x01\x3f\xa2"))
    assert len(adv) <= 31 and len(resp) <= 31
    fields = _ad_structures(adv)
    assert fields[0x01] == b"\x06"  # LE general discoverable, no BR/EDR
    assert _uuids128(fields[0x07]) == [service]  # 128-bit UUID in the advertising data
    assert _ad_structures(resp) == {0x09: b"DIY-Glove-3FA2"}  # name in the scan response
    _Scanner.adv, _Scanner.resp = adv, resp
    (found,) = scan(0.1, scanner_class=_Scanner)
    assert (found.kind, found.name) == (kind, "DIY-Glove-3FA2")


def test_firmware_uuids_are_the_protocols() -> None:
    from glove import advertising

    assert advertising.GLOVE_SERVICE_UUID == protocol.GLOVE_SERVICE_UUID
    assert advertising.NUS_SERVICE_UUID == protocol.NUS_SERVICE_UUID


def test_names_too_long_for_a_scan_response_are_refused() -> None:
    from glove import advertising

    assert len(advertising.scan_response("x" * 29)) == 31
    with pytest.raises(ValueError):
        advertising.scan_response("x" * 30)
    with pytest.raises(ValueError):
        advertising.scan_response("")


@pytest.mark.parametrize(
    ("mv", "level"),
    [(0, 0), (3300, 0), (3301, 0), (3750, 50), (3840, 60), (4200, 100), (4350, 100)],
)
def test_battery_level_decodes_in_the_app(mv: int, level: int) -> None:
    from glove import battery

    assert protocol.decode_battery_level(battery.level_bytes(battery.percent(mv))) == level


def test_battery_level_bytes_are_clamped_to_the_characteristics_range() -> None:
    from glove import battery

    assert battery.level_bytes(150) == b"\x64" and battery.level_bytes(-3) == b"\x00"
    levels = [battery.percent(mv) for mv in range(3000, 4500, 7)]
    assert levels == sorted(levels)  # monotone in the voltage
