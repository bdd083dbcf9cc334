"""A fake bleak client and scanner that play recorded notifications (no adapter needed).

The fake implements exactly the bleak surface :class:`sensors.sources.ble.BleSource`
uses: ``Client(device, disconnected_callback=...)`` with async ``connect``,
``read_gatt_char``, ``write_gatt_char``, ``start_notify``, ``disconnect`` and a
``services`` iterable; ``Scanner.discover(timeout=, return_adv=True)`` and
``Scanner.find_device_by_address(address, timeout=)``.
"""

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
    """Notifications of a synthetic log (the header must say it is synthetic)."""
    return [data for _, data in load_timed_log(profile_name)]


def load_timed_log(profile_name: str) -> list[tuple[float, bytes]]:
    """``(arrival_s, bytes)`` pairs of a synthetic notification log."""
    lines = (FIXTURES / f"notifications-{profile_name}.jsonl").read_text().splitlines()
    header = json.loads(lines[0])
    assert header["synthetic"] is True and header["profile"] == profile_name
    records = [json.loads(line) for line in lines[1:]]
    return [(float(r["t"]), bytes.fromhex(r["hex"])) for r in records]


def config_for(profile_name: str) -> bytes:
    p = load_profile(profile_name)
    sensors = tuple((s.name, str(s.region), *s.position) for s in p.sensors)
    return protocol.encode_config(
        protocol.GloveConfig("Fake glove", "0.1", p.sample_rate_hz, 0.002, "N", sensors, p.name)
    )


def restarted(packet: bytes, seq: int, t0_us: int) -> bytes:
    """Re-encode a glove-v1 packet as a rebooted glove would send it."""
    p = protocol.decode(packet)
    return protocol.encode(protocol.SamplePacket(seq, t0_us, p.dt_us, p.raw, version=p.version))


@dataclass
class FakeGlove:
    """Shared state of one fake glove across the client objects made for each attempt.

    ``drop_after``: packet indices after which the link drops; ``lost_on_drop``
    notifications are sent by the glove while disconnected (lost). ``skip``: packets lost
    over the air without a drop. ``fail_connects``: how many connection attempts fail;
    ``fail_connects_after_drop`` more fail after each drop. ``duplicate``/``swap``:
    packet indices sent twice / swapped with the next one. ``reboot_on_drop``: after a
    drop the glove restarts its sequence number and clock at 0 (glove-v1 only).
    ``reconnect_delay_s``: a successful reconnection takes this long. ``hang_connect``:
    ``connect()`` never returns. ``paced``: notifications arrive at the log's recorded
    arrival times (``times``) instead of back to back (``interval_s`` apart).
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
    reboot_on_drop: bool = False
    reconnect_delay_s: float = 0.0
    hang_connect: bool = False
    interval_s: float = 0.0
    times: list[float] | None = None
    paced: bool = False
    pos: int = 0
    connects: int = 0
    clients_made: int = 0
    disconnects: int = 0
    commands: list[bytes] = field(default_factory=list)
    sent: list[int] = field(default_factory=list)  # packet indices actually notified
    name: str = "Fake glove"
    address: str = "AA:BB:CC:DD:EE:FF"
    _reboot_base: int | None = None

    def _wire(self, i: int) -> bytes:
        """Packet ``i`` as the glove sends it now (re-numbered after a reboot)."""
        if self._reboot_base is None:
            return self.packets[i]
        first = protocol.decode(self.packets[self._reboot_base])
        p = protocol.decode(self.packets[i])
        return restarted(self.packets[i], i - self._reboot_base, p.t0_us - first.t0_us)

    def client_class(self) -> type:
        glove = self

        class FakeClient:
            def __init__(self, device: Any, disconnected_callback: Any = None) -> None:
                glove.clients_made += 1
                self._cb = disconnected_callback
                self._task: asyncio.Task[None] | None = None
                self.is_connected = False
                self._dead = False
                uuid = (
                    protocol.GLOVE_SERVICE_UUID
                    if glove.kind == "glove-v1"
                    else protocol.NUS_SERVICE_UUID
                )
                self.services = [SimpleNamespace(uuid=uuid)]

            def _check(self) -> None:
                if self._dead or not self.is_connected:
                    raise BleakError("fake: not connected")

            async def connect(self) -> None:
                if glove.hang_connect:
                    await asyncio.Event().wait()
                if glove.fail_connects > 0:
                    glove.fail_connects -= 1
                    raise BleakError("fake: connection failed")
                if glove.connects and glove.reconnect_delay_s:
                    await asyncio.sleep(glove.reconnect_delay_s)
                glove.connects += 1
                self.is_connected = True

            async def read_gatt_char(self, uuid: str) -> bytearray:
                self._check()
                if uuid == protocol.CONFIG_CHAR_UUID and glove.config is not None:
                    return bytearray(glove.config)
                if uuid == protocol.BATTERY_LEVEL_CHAR_UUID and glove.battery is not None:
                    return bytearray([glove.battery])
                raise BleakError(f"fake: no characteristic {uuid}")

            async def write_gatt_char(self, uuid: str, data: bytes, response: bool = False) -> None:
                self._check()
                glove.commands.append(bytes(data))

            async def start_notify(self, uuid: str, callback: Any) -> None:
                self._check()
                expected = (
                    protocol.SAMPLES_CHAR_UUID
                    if glove.kind == "glove-v1"
                    else protocol.NUS_TX_CHAR_UUID
                )
                if uuid != expected:
                    raise BleakError(f"fake: cannot notify on {uuid}")
                self._task = asyncio.ensure_future(self._play(callback))

            async def _pause(self, i: int) -> None:
                if glove.paced and glove.times is not None and i + 1 < len(glove.times):
                    await asyncio.sleep(max(0.0, glove.times[i + 1] - glove.times[i]))
                else:
                    await asyncio.sleep(glove.interval_s)

            def _send(self, callback: Any, i: int) -> None:
                glove.sent.append(i)
                callback(None, bytearray(glove._wire(i)))

            async def _play(self, callback: Any) -> None:
                while glove.pos < len(glove.packets):
                    i = glove.pos
                    glove.pos += 1
                    if i in glove.swap and i + 1 < len(glove.packets):
                        self._send(callback, i + 1)
                        self._send(callback, i)
                        glove.pos += 1
                    elif i not in glove.skip:
                        self._send(callback, i)
                        if i in glove.duplicate:
                            self._send(callback, i)
                    await self._pause(i)
                    if i in glove.drop_after:
                        glove.pos += glove.lost_on_drop  # sent while the link was down
                        glove.fail_connects += glove.fail_connects_after_drop
                        if glove.reboot_on_drop:
                            glove._reboot_base = glove.pos
                        self._die()
                        return
                # end of the log: the glove goes silent and away
                glove.fail_connects = 10**9
                self._die()

            def _die(self) -> None:
                self.is_connected = False
                self._dead = True
                if self._cb:
                    self._cb(self)

            async def disconnect(self) -> None:
                glove.disconnects += 1
                if self._task:
                    self._task.cancel()
                self.is_connected = False

        return FakeClient

    def scanner_class(self, *, error: BaseException | None = None) -> type:
        glove = self

        def advert() -> tuple[Any, Any]:
            glove_v1 = glove.kind == "glove-v1"
            uuid = protocol.GLOVE_SERVICE_UUID if glove_v1 else protocol.NUS_SERVICE_UUID
            device = SimpleNamespace(address=glove.address, name=glove.name)
            return device, SimpleNamespace(local_name=glove.name, service_uuids=[uuid], rssi=-50)

        class FakeScanner:
            @staticmethod
            async def discover(timeout: float = 5.0, return_adv: bool = False) -> Any:
                if error is not None:
                    raise error
                device, adv = advert()
                other = SimpleNamespace(address="11:22:33:44:55:66", name="kettle")
                other_adv = SimpleNamespace(local_name="kettle", service_uuids=[], rssi=-40)
                return {glove.address: (device, adv), other.address: (other, other_adv)}

            @staticmethod
            async def find_device_by_address(address: str, timeout: float = 10.0) -> Any:
                if error is not None:
                    raise error
                return advert()[0] if address.upper() == glove.address.upper() else None

        return FakeScanner
