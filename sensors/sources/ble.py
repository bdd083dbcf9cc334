"""BLE glove source (bleak), with a reconnecting supervisor.

bleak is imported lazily, here only. One long-lived asyncio loop runs in its own daemon
thread; a supervisor task scans/resolves the glove, connects (a *new* client object on
every attempt, as bleak requires), reads the config and battery, subscribes to samples,
and on a drop reconnects with backoff. Notifications are decoded by the shared
:class:`~sensors.sources._decoding.PacketDecoder` (sequence gaps → gap markers, never
interpolation) and handed to :meth:`BleSource.read` through a thread-safe queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sensors import protocol
from sensors.blocks import SampleBlock
from sensors.exceptions import (
    AdapterError,
    DeviceNotFoundError,
    ProfileError,
    ProtocolError,
    SourceError,
)
from sensors.profiles import DEFAULT_PROFILE, GloveProfile, list_profiles, load_profile
from sensors.sources._decoding import PacketDecoder
from sensors.sources.base import Source, SourceKind, SourceState, SourceStatus

__all__ = ["BleSource", "GloveAdvertisement", "scan"]

_ADDRESS = re.compile(r"^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f-]{36}$")
_NUS_DEFAULT_PROFILE = "diy-fsr5"
_END = object()  # queue sentinel: the supervisor has given up


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


def _adapter_error(err: BaseException) -> AdapterError | None:
    """Map the many ways "no usable Bluetooth" surfaces to one AdapterError."""
    from bleak.exc import BleakBluetoothNotAvailableError, BleakDBusError

    if isinstance(err, BleakBluetoothNotAvailableError):
        return AdapterError(f"Bluetooth is not available: {err}")
    if isinstance(err, FileNotFoundError | ConnectionRefusedError | PermissionError):
        return AdapterError(
            "no Bluetooth adapter reachable (is BlueZ running and is there an adapter?)"
        )
    if (isinstance(err, BleakDBusError) and "NotReady" in str(err)) or "No powered" in str(err):
        return AdapterError(f"Bluetooth adapter not ready or powered off: {err}")
    return None


def _kind_of(service_uuids: Sequence[str]) -> str | None:
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
        kind = _kind_of(adv.service_uuids or [])
        if kind is not None:
            name = adv.local_name or device.name or ""
            gloves.append(GloveAdvertisement(device.address, name, adv.rssi, kind))
    return sorted(gloves, key=lambda g: (-(g.rssi or -999), g.address))


def scan(timeout_s: float = 5.0, *, scanner_class: Any = None) -> list[GloveAdvertisement]:
    """List nearby gloves (either protocol), strongest signal first.

    Parameters
    ----------
    timeout_s : float
        How long to listen.
    scanner_class : type or None
        Injected scanner (tests); default :class:`bleak.BleakScanner`.

    Raises
    ------
    AdapterError
        No usable Bluetooth adapter.
    """
    if scanner_class is None:
        from bleak import BleakScanner as scanner_class
    try:
        return asyncio.run(_discover(scanner_class, timeout_s))
    except Exception as err:
        mapped = _adapter_error(err)
        if mapped is not None:
            raise mapped from err
        raise SourceError(f"scan failed: {err}") from err


class BleSource(Source):
    """A BLE glove, by address or advertised name.

    Parameters
    ----------
    address_or_name : str
        MAC address (or macOS UUID), or the advertised name.
    profile : str, GloveProfile or None
        Glove profile; by default taken from the glove's config (``glove-v1``) or
        ``diy-fsr5`` for NUS text gloves.
    client_class, scanner_class : type or None
        Injected bleak-compatible classes (tests); default bleak's.
    connect_timeout_s : float
        Limit for one connection attempt.
    backoff_s : sequence of float
        Waits between reconnection attempts (the last one repeats).
    max_attempts : int or None
        Consecutive failed attempts after which the link is declared lost (None: never).
    scan_timeout_s : float
        How long to scan when resolving a name.
    queue_blocks : int
        Bound of the hand-over queue (oldest blocks are never dropped silently: when
        full, the decoder thread waits).
    """

    kind = SourceKind.BLE

    def __init__(
        self,
        address_or_name: str,
        *,
        profile: str | GloveProfile | None = None,
        client_class: Any = None,
        scanner_class: Any = None,
        connect_timeout_s: float = 10.0,
        backoff_s: Sequence[float] = (0.5, 1.0, 2.0, 4.0, 8.0),
        max_attempts: int | None = 20,
        scan_timeout_s: float = 5.0,
        queue_blocks: int = 10_000,
    ) -> None:
        self.target = address_or_name
        self._explicit_profile = (
            profile
            if isinstance(profile, GloveProfile) or profile is None
            else load_profile(profile)
        )
        self._profile: GloveProfile = self._explicit_profile or load_profile(DEFAULT_PROFILE)
        self._client_class = client_class
        self._scanner_class = scanner_class
        self._connect_timeout_s = connect_timeout_s
        self._backoff_s = tuple(backoff_s) or (1.0,)
        self._max_attempts = max_attempts
        self._scan_timeout_s = scan_timeout_s
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=queue_blocks)
        self._lock = threading.Lock()
        self._state = SourceState.IDLE
        self._message = ""
        self._battery: int | None = None
        self._reconnects = 0
        self._blocks = self._samples = 0
        self._decoder: PacketDecoder | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop: asyncio.Event | None = None
        self._first_outcome = threading.Event()
        self._first_error: BaseException | None = None
        self._finished = False
        self.state_history: list[SourceState] = []

    # -- Source API ---------------------------------------------------------------------

    @property
    def profile(self) -> GloveProfile:
        """The glove profile (settled after the first connection)."""
        return self._profile

    def status(self) -> SourceStatus:
        """Return state and counters (thread-safe)."""
        with self._lock:
            d = self._decoder
            return SourceStatus(
                self._state,
                self._blocks,
                self._samples,
                d.dropped_packets if d else 0,
                d.gaps if d else 0,
                self._reconnects,
                self._battery,
                self._message,
            )

    def open(self) -> None:
        """Start the loop thread and wait for the first connection attempt's outcome.

        Raises
        ------
        AdapterError
            No usable Bluetooth adapter.
        DeviceNotFoundError
            No glove matched the address or name.
        SourceError
            The glove's config does not match the profile, or the first attempt failed.
        """
        if self._thread is not None:
            return
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run_loop, name="ble-glove", daemon=True)
        self._thread.start()
        self._first_outcome.wait(self._connect_timeout_s + self._scan_timeout_s + 5.0)
        if self._first_error is not None:
            self.close()
            raise self._first_error

    def read(self, timeout: float | None = None) -> SampleBlock | None:
        """Return the next block, ``None`` on timeout.

        Raises
        ------
        EOFError
            Once the link is lost for good (or the source closed) and all blocks are read.
        """
        if self._finished and self._queue.empty():
            raise EOFError("BLE glove link lost")
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if item is _END:
            self._finished = True
            raise EOFError("BLE glove link lost")
        return item

    def close(self) -> None:
        """Disconnect and stop the loop thread. Idempotent."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if self._stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._stop.set)
        thread.join(timeout=5.0)
        self._thread = None

    # -- loop thread --------------------------------------------------------------------

    def _set_state(self, state: SourceState, message: str = "") -> None:
        with self._lock:
            self._state = state
            self._message = message
            self.state_history.append(state)

    def _run_loop(self) -> None:
        assert self._loop is not None
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._supervise())
        finally:
            self._loop.close()
            self._finished_put()

    def _finished_put(self) -> None:
        # The sentinel must always arrive; the queue may be full of unread blocks.
        while True:
            try:
                self._queue.put(_END, timeout=0.5)
                return
            except queue.Full:
                continue

    def _first_result(self, error: BaseException | None) -> None:
        if not self._first_outcome.is_set():
            self._first_error = error
            self._first_outcome.set()

    async def _supervise(self) -> None:
        self._stop = asyncio.Event()
        failures = 0
        connected_once = False
        while not self._stop.is_set():
            self._set_state(SourceState.RECONNECTING if connected_once else SourceState.CONNECTING)
            try:
                await self._session()
                connected_once = True
                failures = 0
            except (AdapterError, DeviceNotFoundError, ProfileError) as err:
                if not connected_once:
                    self._set_state(SourceState.LOST, str(err))
                    self._first_result(err)
                    return
                failures += 1
                self._message = str(err)
            except Exception as err:  # bleak/OS errors mid-connection: retry
                mapped = _adapter_error(err)
                if mapped is not None and not connected_once:
                    self._set_state(SourceState.LOST, str(mapped))
                    self._first_result(mapped)
                    return
                failures += 1
                self._message = f"{type(err).__name__}: {err}"
            if self._stop.is_set():
                break
            if self._max_attempts is not None and failures >= self._max_attempts:
                self._set_state(SourceState.LOST, f"gave up after {failures} attempts")
                self._first_result(SourceError(f"could not connect to {self.target!r}"))
                return
            if failures:
                wait = self._backoff_s[min(failures - 1, len(self._backoff_s) - 1)]
                self._set_state(SourceState.RECONNECTING, f"retrying in {wait:g} s")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), wait)
        self._set_state(SourceState.FINISHED)
        self._first_result(None)

    async def _resolve(self) -> tuple[Any, str | None]:
        """Return (device-or-address, kind-if-known)."""
        if _ADDRESS.match(self.target):
            return self.target, None
        scanner = self._scanner_class
        if scanner is None:
            from bleak import BleakScanner as scanner
        self._set_state(SourceState.SCANNING, f"looking for {self.target!r}")
        try:
            found = await scanner.discover(timeout=self._scan_timeout_s, return_adv=True)
        except Exception as err:
            mapped = _adapter_error(err)
            raise (mapped or SourceError(f"scan failed: {err}")) from err
        for device, adv in found.values():
            if self.target in {adv.local_name, device.name}:
                return device, _kind_of(adv.service_uuids or [])
        raise DeviceNotFoundError(f"no glove named {self.target!r} found")

    def _settle_profile(self, kind: str | None, config: protocol.GloveConfig | None) -> None:
        if self._explicit_profile is None:
            if config is not None and config.profile in list_profiles():
                self._profile = load_profile(config.profile)
            elif kind == "nus-text":
                self._profile = load_profile(_NUS_DEFAULT_PROFILE)
        if config is not None and config.channel_names != self._profile.channel_names:
            raise ProfileError(
                f"glove reports sensors {list(config.channel_names)} but profile "
                f"{self._profile.name!r} expects {list(self._profile.channel_names)}"
            )

    async def _session(self) -> None:
        """One connection: connect, configure, stream until the link drops or stop."""
        assert self._stop is not None
        device, kind = await self._resolve()
        client_class = self._client_class
        if client_class is None:
            from bleak import BleakClient as client_class
        dropped = asyncio.Event()
        loop = asyncio.get_running_loop()

        def on_disconnect(_client: Any) -> None:
            loop.call_soon_threadsafe(dropped.set)

        self._set_state(self._state, f"connecting to {self.target}")
        client = client_class(device, disconnected_callback=on_disconnect)
        await asyncio.wait_for(client.connect(), self._connect_timeout_s)
        try:
            services = {s.uuid.lower() for s in getattr(client, "services", [])}
            kind = (
                kind
                or _kind_of(list(services))
                or ("nus-text" if self._profile.protocol == "nus-text" else "glove-v1")
            )
            config = None
            if kind == "glove-v1":
                try:
                    config = protocol.decode_config(
                        await client.read_gatt_char(protocol.CONFIG_CHAR_UUID)
                    )
                except ProtocolError as err:
                    raise ProfileError(f"glove config unreadable: {err}") from err
            self._settle_profile(kind, config)
            with contextlib.suppress(Exception):  # battery is optional
                level = await client.read_gatt_char(protocol.BATTERY_LEVEL_CHAR_UUID)
                self._battery = int(level[0]) if level else None
            if self._decoder is None or self._decoder.profile != self._profile:
                self._decoder = PacketDecoder(self._profile)
            else:
                self._decoder.reset_link()
                with self._lock:
                    self._reconnects += 1
            decoder = self._decoder

            def on_notify(_sender: Any, data: bytearray) -> None:
                for block in decoder.feed(bytes(data), time.monotonic()):
                    self._queue.put(block)
                    with self._lock:
                        self._blocks += 1
                        self._samples += len(block)

            char = protocol.NUS_TX_CHAR_UUID if kind == "nus-text" else protocol.SAMPLES_CHAR_UUID
            await client.start_notify(char, on_notify)
            if kind == "glove-v1":
                await client.write_gatt_char(
                    protocol.CONTROL_CHAR_UUID,
                    protocol.encode_command(protocol.Command.START),
                    response=True,
                )
            self._set_state(SourceState.STREAMING, f"streaming from {self.target}")
            self._first_result(None)
            stop_task = asyncio.ensure_future(self._stop.wait())
            drop_task = asyncio.ensure_future(dropped.wait())
            await asyncio.wait({stop_task, drop_task}, return_when=asyncio.FIRST_COMPLETED)
            stop_task.cancel()
            drop_task.cancel()
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.disconnect(), 2.0)
