"""A fake bleak client and scanner that play recorded notifications (no adapter needed)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bleak.exc import BleakError

from sensors import protocol
from sensors.profiles import load_profile

FIXTURES = Path(__file__).parents[2] / "fixtures"


def load_log(profile_name: str) -> list[bytes]:
    lines = (FIXTURES / f"notifications-{profile_name}.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["synthetic"] is True
    return [bytes.fromhex(json.loads(line)["hex"]) for line in lines[1:]]


def config_for(profile_name: str) -> bytes:
    p = load_profile(profile_name)
    sensors = tuple((s.name, str(s.region), *s.position) for s in p.sensors)
    return protocol.encode_config(
        protocol.GloveConfig("Fake glove", "0.1", p.sample_rate_hz, 0.002, "N", sensors, p.name)
    )


@dataclass
class FakeGlove:
    """Shared state of one fake glove across the client objects made for each attempt.

    ``drop_after``: packet indices after which the link drops; ``lost_on_drop``
    notifications are sent by the glove while disconnected (lost). ``skip``: packets lost
    over the air without a drop. ``fail_connects``: how many connection attempts fail
    (each time the link is down). ``duplicate``/``swap``: packet indices sent twice /
    swapped with the next one.
    """

    packets: list[bytes]
    kind: str = "glove-v1"
    config: bytes | None = None
    battery: int | None = 77
    drop_after: set[int] = field(default_factory=set)
    lost_on_drop: int = 2
    fail_connects: int = 0
    fail_connects_after_drop: int = 0
    skip: set[int] = field(default_factory=set)
    duplicate: set[int] = field(default_factory=set)
    swap: set[int] = field(default_factory=set)
    interval_s: float = 0.0
    pos: int = 0
    connects: int = 0
    commands: list[bytes] = field(default_factory=list)
    name: str = "Fake glove"
    address: str = "AA:BB:CC:DD:EE:FF"

    def client_class(self) -> type:
        glove = self

        class FakeClient:
            def __init__(self, device: Any, disconnected_callback: Any = None) -> None:
                self._cb = disconnected_callback
                self._task: asyncio.Task[None] | None = None
                self.is_connected = False
                uuid = (
                    protocol.GLOVE_SERVICE_UUID
                    if glove.kind == "glove-v1"
                    else protocol.NUS_SERVICE_UUID
                )
                self.services = [SimpleNamespace(uuid=uuid)]

            async def connect(self) -> None:
                if glove.fail_connects > 0:
                    glove.fail_connects -= 1
                    raise BleakError("fake: connection failed")
                glove.connects += 1
                self.is_connected = True

            async def read_gatt_char(self, uuid: str) -> bytearray:
                if uuid == protocol.CONFIG_CHAR_UUID and glove.config is not None:
                    return bytearray(glove.config)
                if uuid == protocol.BATTERY_LEVEL_CHAR_UUID and glove.battery is not None:
                    return bytearray([glove.battery])
                raise BleakError(f"fake: no characteristic {uuid}")

            async def write_gatt_char(self, uuid: str, data: bytes, response: bool = False) -> None:
                glove.commands.append(bytes(data))

            async def start_notify(self, uuid: str, callback: Any) -> None:
                self._task = asyncio.ensure_future(self._play(callback))

            async def _play(self, callback: Any) -> None:
                while glove.pos < len(glove.packets):
                    i = glove.pos
                    glove.pos += 1
                    if i in glove.swap and i + 1 < len(glove.packets):
                        callback(None, bytearray(glove.packets[i + 1]))
                        callback(None, bytearray(glove.packets[i]))
                        glove.pos += 1
                    elif i not in glove.skip:
                        callback(None, bytearray(glove.packets[i]))
                        if i in glove.duplicate:
                            callback(None, bytearray(glove.packets[i]))
                    await asyncio.sleep(glove.interval_s)
                    if i in glove.drop_after:
                        glove.pos += glove.lost_on_drop  # sent while the link was down
                        glove.fail_connects += glove.fail_connects_after_drop
                        self.is_connected = False
                        if self._cb:
                            self._cb(self)
                        return
                # end of the log: the glove goes silent and away
                glove.fail_connects = 10**9
                self.is_connected = False
                if self._cb:
                    self._cb(self)

            async def disconnect(self) -> None:
                if self._task:
                    self._task.cancel()
                self.is_connected = False

        return FakeClient

    def scanner_class(self, *, error: BaseException | None = None) -> type:
        glove = self

        class FakeScanner:
            @staticmethod
            async def discover(timeout: float = 5.0, return_adv: bool = False) -> Any:
                if error is not None:
                    raise error
                uuid = (
                    protocol.GLOVE_SERVICE_UUID
                    if glove.kind == "glove-v1"
                    else protocol.NUS_SERVICE_UUID
                )
                device = SimpleNamespace(address=glove.address, name=glove.name)
                adv = SimpleNamespace(local_name=glove.name, service_uuids=[uuid], rssi=-50)
                other = SimpleNamespace(address="11:22:33:44:55:66", name="kettle")
                other_adv = SimpleNamespace(local_name="kettle", service_uuids=[], rssi=-40)
                return {glove.address: (device, adv), other.address: (other, other_adv)}

        return FakeScanner
