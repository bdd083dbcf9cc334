"""The glove's GATT server and advertising, with ``aioble`` (the hardware layer).

Services (``docs/glove-protocol.md``): the glove service (samples notify, config read,
control write) in ``glove-v1`` mode, or the Nordic UART Service (TX notify, RX write) in
``nus-text`` mode; the SIG Battery Service in both. After a disconnect the glove
advertises again at once with the same name and address, which is what the app's
reconnect loop looks for.

One limit of MicroPython's ``bluetooth`` module: a write callback cannot answer with an
ATT error, so a refused control command (what the protocol answers with 0x80) is
acknowledged at the ATT level, changes nothing, and is counted in ``Glove.refused``.
"""

import asyncio
import gc

import aioble
import bluetooth

from glove import advertising, battery
from glove.engine import GLOVE_V1

_GLOVE_SERVICE = bluetooth.UUID(advertising.GLOVE_SERVICE_UUID)
_SAMPLES = bluetooth.UUID("6d617373-0002-4a8e-9c1b-7f3e2a5d0c11")
_CONFIG = bluetooth.UUID("6d617373-0003-4a8e-9c1b-7f3e2a5d0c11")
_CONTROL = bluetooth.UUID("6d617373-0004-4a8e-9c1b-7f3e2a5d0c11")
_NUS_SERVICE = bluetooth.UUID(advertising.NUS_SERVICE_UUID)
_NUS_RX = bluetooth.UUID("6e400002-b5a3-f393-e0a9-e50e24dcca9e")
_NUS_TX = bluetooth.UUID("6e400003-b5a3-f393-e0a9-e50e24dcca9e")
_BATTERY_SERVICE = bluetooth.UUID(0x180F)
_BATTERY_LEVEL = bluetooth.UUID(0x2A19)

_IDLE_MS = 5  # how often the sender looks for a closed batch
_BUSY_MS = 10  # back-off when the controller has no buffer for a notification
_GC_EVERY = 200  # idle polls between garbage collections (short, predictable pauses)


def mac() -> bytes:
    """Return the radio's 6-byte address (turns the radio on)."""
    return bytes(aioble.config("mac")[1])


class Radio:
    """Advertise, serve one central at a time, stream the glove's packets.

    Parameters
    ----------
    glove : glove.engine.Glove
        The firmware state.
    name : str
        Advertised name (scan response) and GAP device name.
    board : glove.board.Board
        For the sample timer and the battery voltage.
    on_timer : callable
        The sample timer's callback.
    request_mtu : int
        ATT MTU to ask for.
    adv_interval_us : int
        Advertising interval.
    battery_poll_s : int
        Seconds between battery readings.
    """

    def __init__(
        self,
        glove,
        name: str,
        board,
        on_timer,
        request_mtu: int = 247,
        adv_interval_us: int = 100000,
        battery_poll_s: int = 30,
    ) -> None:
        self.glove = glove
        self.board = board
        self._on_timer = on_timer
        self._interval = adv_interval_us
        self._poll_s = battery_poll_s
        aioble.config(mtu=request_mtu, gap_name=name)
        self._request_mtu = request_mtu
        if glove.protocol == GLOVE_V1:
            service = aioble.Service(_GLOVE_SERVICE)
            self._data = aioble.Characteristic(service, _SAMPLES, notify=True)
            # Not a BufferedCharacteristic: its buffer resize would empty the value. A local
            # write grows the attribute to any length; the central reads it with read-blob.
            self._config = aioble.Characteristic(
                service, _CONFIG, read=True, initial=glove.config_bytes()
            )
            self._control = aioble.Characteristic(service, _CONTROL, write=True, capture=True)
            uuid = advertising.GLOVE_SERVICE_UUID
        else:
            service = aioble.Service(_NUS_SERVICE)
            self._data = aioble.Characteristic(service, _NUS_TX, notify=True)
            self._config = None
            # RX exists because NUS clients expect it; the app never writes it.
            self._control = aioble.Characteristic(
                service, _NUS_RX, write=True, write_no_response=True
            )
            uuid = advertising.NUS_SERVICE_UUID
        power = aioble.Service(_BATTERY_SERVICE)
        self._battery = aioble.Characteristic(
            power, _BATTERY_LEVEL, read=True, notify=True, initial=battery.level_bytes(0)
        )
        aioble.register_services(service, power)
        self._adv = advertising.advertising_data(uuid)
        self._resp = advertising.scan_response(name)

    async def run(self) -> None:
        """Advertise and serve centrals for ever."""
        self._battery_task = asyncio.create_task(self._battery_loop())
        while True:
            connection = await aioble.advertise(
                self._interval, adv_data=self._adv, resp_data=self._resp, connectable=True
            )
            try:
                await self._serve(connection)
            except Exception as err:  # a failed link must never end the glove's life
                print("link error:", err)
            self._wind_down()

    async def _serve(self, connection) -> None:
        glove = self.glove
        glove.reset_link()  # the timer is stopped between links
        self.board.start_timer(glove.rate_hz, self._on_timer)
        try:
            await connection.exchange_mtu(self._request_mtu)
        except Exception:  # the central may have exchanged already; connection.mtu says
            pass
        glove.set_mtu(connection.mtu or 23)
        if glove.protocol != GLOVE_V1:
            glove.start()  # nus-text has no START: stream while connected
        tasks = [asyncio.create_task(self._send(connection))]
        if self._config is not None:
            tasks.append(asyncio.create_task(self._commands()))
        try:
            await connection.disconnected(timeout_ms=None)
        finally:
            for task in tasks:
                task.cancel()

    def _wind_down(self) -> None:
        self.board.stop_timer()  # first, so that no tick runs while the state is reset
        self.glove.reset_link()  # unsent samples belong to the old link: dropped

    async def _send(self, connection) -> None:
        glove = self.glove
        idle = 0
        while connection.is_connected():
            mtu = connection.mtu
            if mtu and mtu != glove.mtu:  # the central negotiated (again)
                glove.set_mtu(mtu)
            packet = glove.next_packet()
            if packet is None:
                idle += 1
                if idle >= _GC_EVERY:
                    idle = 0
                    gc.collect()
                await asyncio.sleep_ms(_IDLE_MS)
                continue
            try:
                self._data.notify(connection, packet)
            except OSError:  # no controller buffer free: retry the same packet
                await asyncio.sleep_ms(_BUSY_MS)
                continue
            glove.packet_sent()

    async def _commands(self) -> None:
        glove = self.glove
        while True:
            _connection, data = await self._control.written()
            if glove.command(data):
                print("control: refused", bytes(data))
                continue
            if glove.rate_hz != self.board.timer_rate_hz:
                self.board.start_timer(glove.rate_hz, self._on_timer)
                self._config.write(glove.config_bytes())

    async def _battery_loop(self) -> None:
        while True:
            level = battery.percent(self.board.battery_mv())
            self._battery.write(battery.level_bytes(level), send_update=True)
            await asyncio.sleep(self._poll_s)
