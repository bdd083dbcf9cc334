"""Helpers and fakes of the firmware tests (imported by bare name: conftest puts this
folder and firmware/ on sys.path).

Pure helpers drive a ``glove.engine.Glove`` as the timer and the radio would; the fakes
stand in for MicroPython's ``machine``, ``bluetooth``, ``aioble`` and ``micropython``
(installed by the ``fake_hardware`` fixture of conftest.py), and ``FakeTicks`` for
``time.ticks_us``/``ticks_diff``.
"""

from __future__ import annotations

import asyncio
import random
import sys
import types
from pathlib import Path
from typing import Any, ClassVar

import pytest

FIRMWARE = Path(__file__).resolve().parents[2] / "firmware"
DIY_V1_PROFILE = FIRMWARE.parent / "sensors" / "profiles" / "diy-fsr5-v1.toml"

U32 = 1 << 32


# -- pure helpers -----------------------------------------------------------------------


class CountSource:
    """A fake ADC front end: random 12-bit counts, remembering every row it produced."""

    def __init__(self, channels: int, seed: int = 0, high: int = 4095) -> None:
        self.channels = channels
        self.rng = random.Random(seed)
        self.high = high
        self.rows: list[list[int]] = []

    def read(self, values: list[int]) -> None:
        row = [self.rng.randint(0, self.high) for _ in range(self.channels)]
        self.rows.append(row)
        values[:] = row


class FakeTicks:
    """MicroPython's ``time.ticks_us``/``ticks_diff``: a µs counter wrapping at 2**30."""

    def __init__(self, start: int = 0, period: int = 1 << 30) -> None:
        self.period = period
        self.t = start % period

    def ticks_us(self) -> int:
        return self.t

    def ticks_diff(self, end: int, start: int) -> int:
        half = self.period // 2
        return ((end - start + half) % self.period) - half

    def advance(self, us: int) -> None:
        self.t = (self.t + us) % self.period


def make_glove(
    protocol: str = "glove-v1",
    rate_hz: int = 100,
    mtu: int = 247,
    seed: int = 0,
    sensors: Any = None,
) -> tuple[Any, CountSource]:
    """A Glove built from the shipped settings, fed by a CountSource, MTU set."""
    from glove import settings
    from glove.engine import Glove

    sensors = settings.SENSORS if sensors is None else sensors
    source = CountSource(len(sensors), seed)
    glove = Glove(
        sensors,
        source.read,
        protocol=protocol,
        rate_hz=rate_hz,
        name="DIY-Glove-3FA2",
        firmware=settings.FIRMWARE,
        profile=settings.PROFILE,
        scale_text=settings.SCALE_TEXT,
        min_rate_hz=settings.MIN_RATE_HZ,
        max_rate_hz=settings.MAX_RATE_HZ,
    )
    glove.set_mtu(mtu)
    return glove, source


def drain(glove: Any) -> list[bytes]:
    """Take every packet the glove has ready, as the radio task would."""
    out = []
    while (packet := glove.next_packet()) is not None:
        out.append(bytes(packet))
        glove.packet_sent()
    return out


def drive(
    glove: Any,
    start_us: int,
    seconds: float,
    step_us: int,
    jitter_us: int = 0,
    seed: int = 1,
) -> tuple[list[bytes], int]:
    """Call ``glove.tick`` as a timer would, draining after each tick.

    Returns the packets and the device time of the last tick.
    """
    rng = random.Random(seed)
    packets: list[bytes] = []
    nominal = start_us
    now = start_us
    end = start_us + int(seconds * 1e6)
    while nominal <= end:
        now = max(now, nominal + (rng.randint(0, jitter_us) if jitter_us else 0))
        glove.tick(now)
        packets.extend(drain(glove))
        nominal += step_us
    return packets, now


# -- fake MicroPython hardware modules ----------------------------------------------------


class _FakeADC:
    ATTN_11DB = 3
    counts: ClassVar[dict[int, int]] = {}  # gpio -> 12-bit count the next read returns

    def __init__(self, pin: Any) -> None:
        self.gpio = pin.id
        self.attenuation: int | None = None

    def atten(self, value: int) -> None:
        self.attenuation = value

    def read_u16(self) -> int:
        raw = _FakeADC.counts.get(self.gpio, 0)
        return (raw << 4) | (raw >> 8)  # how the ESP32 port scales 12 bits to 16

    def read_uv(self) -> int:
        return _FakeADC.counts.get(self.gpio, 0) * 1000


class _FakePin:
    IN = 1
    PULL_UP = 2
    levels: ClassVar[dict[int, int]] = {}

    def __init__(self, gpio: int, mode: int = 0, pull: int = 0) -> None:
        self.id = gpio

    def value(self) -> int:
        return _FakePin.levels.get(self.id, 1)


class _FakeTimer:
    PERIODIC = 1
    instances: ClassVar[list[_FakeTimer]] = []

    def __init__(self, timer_id: int) -> None:
        self.callback: Any = None
        self.freq = 0
        _FakeTimer.instances.append(self)

    def init(self, mode: int, freq: int, callback: Any) -> None:
        self.freq, self.callback = freq, callback

    def deinit(self) -> None:
        self.freq, self.callback = 0, None


class _FakeUUID:
    def __init__(self, value: int | str) -> None:
        self.value = value if isinstance(value, int) else value.lower()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _FakeUUID) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)


class _FakeService:
    def __init__(self, uuid: _FakeUUID) -> None:
        self.uuid = uuid
        self.characteristics: list[_FakeCharacteristic] = []


class _FakeCharacteristic:
    def __init__(
        self,
        service: _FakeService,
        uuid: _FakeUUID,
        read: bool = False,
        write: bool = False,
        write_no_response: bool = False,
        notify: bool = False,
        indicate: bool = False,
        initial: bytes | None = None,
        capture: bool = False,
        max_len: int = 20,
    ) -> None:
        service.characteristics.append(self)
        self.uuid = uuid
        self.flags = {
            name for name, on in (("read", read), ("write", write), ("notify", notify)) if on
        }
        self.capture = capture
        self.max_len = max_len
        self.value = initial or b""
        self.updates: list[bytes] = []
        self.notified: list[bytes] = []
        self.writes: asyncio.Queue[tuple[Any, bytes]] | None = None

    def write(self, data: bytes, send_update: bool = False) -> None:
        self.value = bytes(data)
        if send_update:
            self.updates.append(bytes(data))

    def notify(self, connection: Any, data: Any) -> None:
        if connection.busy:
            connection.busy -= 1
            raise OSError(12, "ENOMEM")  # the controller had no buffer free
        self.notified.append(bytes(data))

    async def written(self) -> tuple[Any, bytes]:
        if self.writes is None:
            self.writes = asyncio.Queue()
        return await self.writes.get()

    def central_writes(self, data: bytes) -> None:
        if self.writes is None:
            self.writes = asyncio.Queue()
        self.writes.put_nowait((None, data))


class FakeConnection:
    """An aioble DeviceConnection the test controls."""

    def __init__(self, mtu: int = 247) -> None:
        self.mtu: int | None = None
        self.granted = mtu
        self.busy = 0
        self._gone = asyncio.Event()

    async def exchange_mtu(self, mtu: int) -> int:
        self.mtu = min(mtu, self.granted)
        return self.mtu

    def is_connected(self) -> bool:
        return not self._gone.is_set()

    async def disconnected(self, timeout_ms: int | None = None) -> None:
        await self._gone.wait()

    def drop(self) -> None:
        self._gone.set()


def _fake_aioble() -> types.ModuleType:
    mod = types.ModuleType("aioble")
    mod.registered = []  # type: ignore[attr-defined]
    mod.advertised = []  # type: ignore[attr-defined]
    mod.pending = None  # type: ignore[attr-defined]  # an asyncio.Queue of connections, per test
    mod.settings = {}  # type: ignore[attr-defined]

    def config(*args: Any, **kwargs: Any) -> Any:
        mod.settings.update(kwargs)
        if args == ("mac",):
            return (0, b"\x24\x6f\x28\x01\x3f\xa2")
        return None

    def register_services(*services: Any) -> None:
        mod.registered.extend(services)

    async def advertise(
        interval_us: int, adv_data: bytes, resp_data: bytes, connectable: bool
    ) -> Any:
        mod.advertised.append((interval_us, bytes(adv_data), bytes(resp_data)))
        return await mod.pending.get()

    mod.config = config  # type: ignore[attr-defined]
    mod.register_services = register_services  # type: ignore[attr-defined]
    mod.advertise = advertise  # type: ignore[attr-defined]
    mod.Service = _FakeService  # type: ignore[attr-defined]
    mod.Characteristic = _FakeCharacteristic  # type: ignore[attr-defined]
    mod.BufferedCharacteristic = _FakeCharacteristic  # type: ignore[attr-defined]
    return mod


_HARDWARE_MODULES = ("machine", "bluetooth", "aioble", "micropython")
_GLOVE_HARDWARE = ("glove.board", "glove.radio", "glove.app")


def install(monkeypatch: pytest.MonkeyPatch) -> types.SimpleNamespace:
    """Install fake ``machine``/``bluetooth``/``aioble``/``micropython`` modules."""
    machine = types.ModuleType("machine")
    machine.ADC = _FakeADC  # type: ignore[attr-defined]
    machine.Pin = _FakePin  # type: ignore[attr-defined]
    machine.Timer = _FakeTimer  # type: ignore[attr-defined]
    bluetooth = types.ModuleType("bluetooth")
    bluetooth.UUID = _FakeUUID  # type: ignore[attr-defined]
    micropython = types.ModuleType("micropython")
    micropython.const = lambda value: value  # type: ignore[attr-defined]
    aioble = _fake_aioble()
    for name, module in zip(
        _HARDWARE_MODULES, (machine, bluetooth, aioble, micropython), strict=True
    ):
        monkeypatch.setitem(sys.modules, name, module)
    _forget_hardware_modules()
    _FakeADC.counts = {}
    _FakePin.levels = {}
    _FakeTimer.instances = []
    # MicroPython's asyncio has sleep_ms; CPython's does not.
    monkeypatch.setattr(asyncio, "sleep_ms", lambda ms: asyncio.sleep(0), raising=False)
    return types.SimpleNamespace(
        adc=_FakeADC, pin=_FakePin, timers=_FakeTimer.instances, aioble=aioble, UUID=_FakeUUID
    )


def uninstall() -> None:
    """Forget the glove modules that were imported against the fakes."""
    _forget_hardware_modules()


def _forget_hardware_modules() -> None:
    package = sys.modules.get("glove")
    for name in _GLOVE_HARDWARE:
        sys.modules.pop(name, None)
        if package is not None and hasattr(package, name.rpartition(".")[2]):
            delattr(package, name.rpartition(".")[2])  # `from glove import radio` reads this
