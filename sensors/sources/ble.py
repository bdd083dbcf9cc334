"""BLE glove source (bleak), with a reconnecting supervisor.

bleak is imported lazily, here only. One long-lived asyncio loop runs in its own daemon
thread. A supervisor task resolves the glove (scanning by name, or by address to get a
``BLEDevice``), connects (a *new* client object on every attempt, as bleak requires;
through :func:`bleak_retry_connector.establish_connection` for the real client), reads
the config and battery, subscribes to samples, and on a drop reconnects with backoff.

The notification callback only enqueues ``(bytes, arrival time)``; a decode task in the
same loop feeds them through the shared
:class:`~sensors.sources._decoding.PacketDecoder` (sequence gaps → gap markers, never
interpolation) and hands blocks to :meth:`BleSource.read` through a thread-safe queue.
A reconnect is a marker in the same notification queue, so the decoder sees it exactly
between the old link's last notification and the new link's first.

Scanning (:func:`scan`, :class:`GloveAdvertisement`) lives in
:mod:`sensors.sources._ble_scan` and is re-exported here.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import queue
import re
import threading
import time
from collections.abc import Callable, Sequence
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
from sensors.sources._ble_scan import GloveAdvertisement, adapter_error, kind_of, scan
from sensors.sources._decoding import PacketDecoder
from sensors.sources.base import Source, SourceKind, SourceState, SourceStatus

__all__ = ["BleSource", "GloveAdvertisement", "scan"]

_ADDRESS = re.compile(r"^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f-]{36}$")
_NUS_DEFAULT_PROFILE = "diy-fsr5"
_RETRY_CONNECTOR_ATTEMPTS = 2  # establish_connection's own retries inside one of ours
_SHORT_LINK_S = 2.0  # a link that drops sooner than this gets backoff_s[0] before retrying
_END = object()  # end of stream (both queues)
_RELINK = object()  # notification-queue marker: a new link starts here


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
        Injected bleak-compatible classes (tests); default bleak's. The real client
        connects through ``bleak_retry_connector.establish_connection``; others connect
        directly.
    connect_timeout_s : float
        Limit for one connection attempt, seconds.
    backoff_s : sequence of float
        Waits between failed attempts, seconds; the last one repeats. The first
        reconnect after a drop is immediate. The default caps the wait at 1.5 s, so a
        glove that comes back is streaming again within 2 s (the classroom case: it
        went out of range, or its wearer walked off and back).
    max_attempts : int or None
        Consecutive failed attempts after which the link is declared lost (``None``:
        retry for ever). The default, 40, gives up after one to four minutes away
        (each attempt also scans for up to ``scan_timeout_s``).
    scan_timeout_s : float
        How long to scan when resolving a name or an address.
    queue_blocks : int
        Bound of the hand-over queue. If the consumer falls that far behind, newer
        blocks are discarded and the next delivered block is marked ``gap_before``.
    battery_poll_s : float
        How often the battery level is re-read while streaming, seconds.
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
        backoff_s: Sequence[float] = (0.25, 0.5, 1.0, 1.5),
        max_attempts: int | None = 40,
        scan_timeout_s: float = 5.0,
        queue_blocks: int = 10_000,
        battery_poll_s: float = 60.0,
    ) -> None:
        if not address_or_name.strip():
            raise SourceError("BLE source needs a glove address or name")
        self.target = address_or_name.strip()
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
        self._battery_poll_s = battery_poll_s
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=queue_blocks)
        self._lock = threading.Lock()
        self._state = SourceState.IDLE
        self._message = ""
        self._battery: int | None = None
        self._reconnects = 0
        self._blocks = self._samples = 0
        self._overflow_blocks = 0
        self._overflow_gaps = 0
        self._overflowed = False
        self._decoder: PacketDecoder | None = None
        self._device: Any = None  # resolved device, reused for reconnects
        self._device_kind: str | None = None
        self._streamed = False
        self._stream_started = 0.0  # loop time the current/last link started streaming
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop: asyncio.Event | None = None
        self._raw: asyncio.Queue[Any] | None = None
        self._first_outcome = threading.Event()
        self._first_error: BaseException | None = None
        self._closing = False
        self._finished = False
        #: Every state entered, in order (consecutive repeats collapsed); diagnostics.
        self.state_history: list[SourceState] = []

    # -- Source API ---------------------------------------------------------------------

    @property
    def profile(self) -> GloveProfile:
        """The glove profile (settled by the first connection)."""
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
                (d.gaps if d else 0) + self._overflow_gaps,
                self._reconnects,
                self._battery,
                self._message,
            )

    def open(self) -> None:
        """Start the loop thread and wait for the first connection's outcome.

        Returns once the glove streams, or when the first attempts are still failing
        after the connection and scan timeouts (the supervisor keeps trying).

        Raises
        ------
        AdapterError
            No usable Bluetooth adapter.
        DeviceNotFoundError
            No glove matched the address or name.
        ProfileError
            The glove's config does not match the profile.
        SourceError
            The source was closed, or every attempt allowed failed.
        """
        if self._thread is not None:
            return
        if self._closing:
            raise SourceError("BLE source already closed")
        self._stop = asyncio.Event()  # binds to the loop on first use (Python >= 3.10)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run_loop, name="ble-glove", daemon=True)
        self._thread.start()
        self._first_outcome.wait(
            self._connect_timeout_s * _RETRY_CONNECTOR_ATTEMPTS + self._scan_timeout_s + 5.0
        )
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
        if self._finished:
            raise EOFError("BLE glove stream ended")
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if item is _END:
            self._finished = True
            raise EOFError("BLE glove stream ended")
        return item

    def close(self) -> None:
        """Disconnect and stop the loop thread (promptly, even mid-connect). Idempotent."""
        self._closing = True
        loop, thread, stop = self._loop, self._thread, self._stop
        if loop is None or thread is None or stop is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop may have finished already
            loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=5.0)
        self._thread = None

    # -- loop thread --------------------------------------------------------------------

    def _set_state(self, state: SourceState, message: str = "") -> None:
        with self._lock:
            self._state = state
            self._message = message
            if not self.state_history or self.state_history[-1] is not state:
                self.state_history.append(state)

    def _set_message(self, message: str) -> None:
        with self._lock:
            self._message = message

    def _run_loop(self) -> None:
        assert self._loop is not None
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._supervise())
        except BaseException as err:  # never leave open() waiting on a dead thread
            self._set_state(SourceState.LOST, f"internal error: {err}")
            self._first_result(SourceError(f"BLE source failed: {err}"))
        finally:
            self._loop.close()
            self._put_end()

    def _put_end(self) -> None:
        # The sentinel must arrive; if the queue is full of unread blocks, wait for the
        # consumer, unless it has closed the source (then unread blocks are moot).
        while True:
            try:
                self._queue.put(_END, timeout=0.2)
                return
            except queue.Full:
                if self._closing:
                    with contextlib.suppress(queue.Empty):
                        self._queue.get_nowait()

    def _first_result(self, error: BaseException | None) -> None:
        if not self._first_outcome.is_set():
            self._first_error = error
            self._first_outcome.set()

    def _deliver(self, block: SampleBlock) -> None:
        """Hand a block to the reader; never blocks the loop."""
        if self._overflowed and not block.gap_before:
            block = dataclasses.replace(block, gap_before=True)
            overflow_gap = True
        else:
            overflow_gap = False
        try:
            self._queue.put_nowait(block)
        except queue.Full:
            with self._lock:
                self._overflowed = True
                self._overflow_blocks += 1
                self._message = f"reader too slow: {self._overflow_blocks} blocks discarded"
            return
        with self._lock:
            self._overflowed = False
            self._overflow_gaps += overflow_gap
            self._blocks += 1
            self._samples += len(block)

    async def _decode_loop(self, raw: asyncio.Queue[Any]) -> None:
        while True:
            item = await raw.get()
            if item is _END:
                return
            decoder = self._decoder
            if decoder is None:
                continue
            if item is _RELINK:
                decoder.reset_link()
                continue
            data, arrival = item
            try:
                blocks = decoder.feed(data, arrival)
            except Exception as err:  # a decoder bug must not silently end the stream
                self._set_message(f"notification skipped: {type(err).__name__}: {err}")
                continue
            for block in blocks:
                self._deliver(block)

    async def _supervise(self) -> None:
        assert self._stop is not None
        self._raw = asyncio.Queue()
        decode_task = asyncio.create_task(self._decode_loop(self._raw))
        try:
            await self._connect_forever(self._stop)
        finally:
            self._raw.put_nowait(_END)  # decode what arrived, then finish
            await decode_task

    async def _connect_forever(self, stop: asyncio.Event) -> None:
        failures = 0
        while not stop.is_set():
            streamed_before = self._streamed
            session = asyncio.create_task(self._session())
            stopper = asyncio.create_task(stop.wait())
            await asyncio.wait({session, stopper}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            if not session.done():  # close(): abandon the attempt, disconnect in finally
                session.cancel()
                await asyncio.gather(session, return_exceptions=True)
                break
            err = session.exception()
            if err is None or (self._streamed and not streamed_before):
                # It streamed, then the link dropped: reconnect at once, unless the link
                # keeps dying as soon as it is up (then pace the retries).
                failures = 0
                if asyncio.get_running_loop().time() - self._stream_started < _SHORT_LINK_S:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), self._backoff_s[0])
                continue
            fatal: SourceError | ProfileError | None = (
                err
                if isinstance(err, AdapterError | DeviceNotFoundError | ProfileError)
                else adapter_error(err)
            )
            if fatal is not None and not self._streamed:
                # Nothing will change by retrying before the first stream: tell open().
                self._set_state(SourceState.LOST, str(fatal))
                self._first_result(fatal)
                return
            failures += 1
            self._device = None  # resolve afresh next time (the glove may have moved)
            detail = str(fatal or err) or type(err).__name__
            if self._max_attempts is not None and failures >= self._max_attempts:
                message = f"gave up on {self.target!r} after {failures} attempts: {detail}"
                self._set_state(SourceState.LOST, message)
                self._first_result(SourceError(f"could not connect: {message}"))
                return
            wait = self._backoff_s[min(failures - 1, len(self._backoff_s) - 1)]
            self._set_state(
                SourceState.RECONNECTING if self._streamed else SourceState.CONNECTING,
                f"{detail}; retrying in {wait:g} s",
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)
        self._set_state(SourceState.FINISHED, "closed")
        self._first_result(SourceError("BLE source closed while connecting"))

    def _scanner(self) -> Any:
        if self._scanner_class is not None:
            return self._scanner_class
        from bleak import BleakScanner

        return BleakScanner

    async def _resolve(self) -> tuple[Any, str | None]:
        """Return ``(device, kind-if-advertised)``; cached between reconnects."""
        if self._device is not None:
            return self._device, self._device_kind
        scanner = self._scanner()
        if not self._streamed:
            self._set_state(SourceState.SCANNING, f"looking for {self.target!r}")
        else:
            self._set_message(f"looking for {self.target!r}")
        try:
            if _ADDRESS.fullmatch(self.target):
                finder = getattr(scanner, "find_device_by_address", None)
                device = (
                    self.target
                    if finder is None
                    else await finder(self.target, timeout=self._scan_timeout_s)
                )
                if device is None:
                    raise DeviceNotFoundError(f"no glove at address {self.target} answered")
                self._device, self._device_kind = device, None
                return device, None
            found = await scanner.discover(timeout=self._scan_timeout_s, return_adv=True)
        except DeviceNotFoundError:
            raise
        except Exception as err:
            mapped = adapter_error(err)
            raise (mapped or SourceError(f"scan failed: {err}")) from err
        matches = [
            (device, adv)
            for device, adv in found.values()
            if self.target in {adv.local_name, device.name}
        ]
        if not matches:
            raise DeviceNotFoundError(f"no glove named {self.target!r} found")
        device, adv = max(matches, key=lambda m: m[1].rssi if m[1].rssi is not None else -999)
        self._device, self._device_kind = device, kind_of(adv.service_uuids or [])
        return self._device, self._device_kind

    async def _connect(self, device: Any, on_disconnect: Callable[[Any], None]) -> Any:
        """Connect a new client object; the real bleak client goes through the retrier."""
        client_class = self._client_class
        real = client_class is None
        if not real:
            from bleak import BleakClient

            real = isinstance(client_class, type) and issubclass(client_class, BleakClient)
        if real:
            from bleak_retry_connector import BleakClientWithServiceCache, establish_connection

            if isinstance(device, str):  # a platform that resolved nothing: ask bleak
                found = await self._scanner().find_device_by_address(
                    device, timeout=self._scan_timeout_s
                )
                if found is None:
                    raise DeviceNotFoundError(f"no glove at address {device} answered")
                device = found
            return await asyncio.wait_for(
                establish_connection(
                    client_class or BleakClientWithServiceCache,
                    device,
                    self.target,
                    disconnected_callback=on_disconnect,
                    max_attempts=_RETRY_CONNECTOR_ATTEMPTS,
                ),
                self._connect_timeout_s * _RETRY_CONNECTOR_ATTEMPTS,
            )
        client = client_class(device, disconnected_callback=on_disconnect)
        await asyncio.wait_for(client.connect(), self._connect_timeout_s)
        return client

    def _settle_profile(self, kind: str, config: protocol.GloveConfig | None) -> None:
        if not self._streamed and self._explicit_profile is None:
            # The first connection decides the profile; later ones must match it.
            if config is not None and config.profile in list_profiles():
                self._profile = load_profile(config.profile)
            elif kind == "nus-text":
                self._profile = load_profile(_NUS_DEFAULT_PROFILE)
        problems = [] if config is None else config.mismatches(self._profile)
        if problems:
            raise ProfileError("; ".join(problems))
        if kind != self._profile.protocol:
            raise ProfileError(
                f"glove speaks {kind} but profile {self._profile.name!r} is "
                f"{self._profile.protocol}"
            )

    async def _read_battery(self, client: Any) -> None:
        with contextlib.suppress(Exception):  # the Battery Service is optional
            data = await asyncio.wait_for(
                client.read_gatt_char(protocol.BATTERY_LEVEL_CHAR_UUID), 2.0
            )
            try:
                level: int | None = protocol.decode_battery_level(data)
            except ProtocolError:
                level = None  # out of range or empty: unknown rather than wrong
            with self._lock:
                self._battery = level

    async def _session(self) -> None:
        """One connection: connect, configure, stream until the link drops."""
        assert self._raw is not None
        device, kind = await self._resolve()
        dropped = asyncio.Event()
        loop = asyncio.get_running_loop()
        raw = self._raw

        def on_disconnect(_client: Any) -> None:
            loop.call_soon_threadsafe(dropped.set)

        def on_notify(_sender: Any, data: bytearray) -> None:
            # Only enqueue: decoding happens in the decode task (thread-safe either way).
            loop.call_soon_threadsafe(raw.put_nowait, (bytes(data), time.monotonic()))

        self._set_state(
            SourceState.RECONNECTING if self._streamed else SourceState.CONNECTING,
            f"connecting to {self.target}",
        )
        client = None
        try:
            client = await self._connect(device, on_disconnect)
            services = [s.uuid for s in (getattr(client, "services", None) or [])]
            kind = (
                kind
                or kind_of(services)
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
            await self._read_battery(client)
            if self._decoder is None:
                self._decoder = PacketDecoder(self._profile)
            else:
                raw.put_nowait(_RELINK)  # before any notification of this link
            char = protocol.NUS_TX_CHAR_UUID if kind == "nus-text" else protocol.SAMPLES_CHAR_UUID
            await client.start_notify(char, on_notify)
            if kind == "glove-v1":
                await client.write_gatt_char(
                    protocol.CONTROL_CHAR_UUID,
                    protocol.encode_command(protocol.Command.START),
                    response=True,
                )
            if self._streamed:
                with self._lock:
                    self._reconnects += 1
            self._streamed = True
            self._stream_started = loop.time()
            self._set_state(SourceState.STREAMING, f"streaming from {self.target}")
            self._first_result(None)
            while not dropped.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(dropped.wait(), self._battery_poll_s)
                if not dropped.is_set():
                    await self._read_battery(client)
            self._set_message("link dropped")
        finally:
            if client is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(client.disconnect(), 2.0)
