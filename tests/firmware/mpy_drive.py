"""Drive the firmware's pure modules and print every byte they produce, one line each.

Runs unchanged under MicroPython (the unix port) and CPython; the firmware tests run it
under both and compare the output byte for byte (``test_micropython_runtime.py``). Usage::

    MICROPYPATH=firmware micropython tests/firmware/mpy_drive.py
    PYTHONPATH=firmware python tests/firmware/mpy_drive.py
"""

from glove import advertising, battery, settings
from glove.engine import Glove
from glove.sampling import Schedule


def hexline(tag, data):
    """Print ``tag`` and ``data`` as hex."""
    print(tag, "".join(f"{b:02x}" for b in data))


class Counts:
    """Deterministic 12-bit counts: a different value per sample and channel."""

    def __init__(self):
        self.k = 0

    def read(self, values):
        """Fill ``values`` (the sampler's read callback)."""
        for i in range(len(values)):
            values[i] = (self.k * 37 + i * 401 + (self.k * self.k) % 97) % 4096
        self.k += 1


def run(protocol, mtu, rate_hz, seconds, start_us, seq=0, commands=()):
    """Drive one glove; ``commands`` are (time_us, bytes) control writes."""
    glove = Glove(
        settings.SENSORS,
        Counts().read,
        protocol=protocol,
        rate_hz=rate_hz,
        name="DIY-Glove-3FA2",
        firmware=settings.FIRMWARE,
        profile=settings.PROFILE,
        scale_text=settings.SCALE_TEXT,
    )
    glove.batcher.seq = seq if protocol == "glove-v1" else 0
    glove.set_mtu(mtu)
    glove.start()
    pending = list(commands)
    now = start_us
    end = start_us + seconds * 1000000
    while now <= end:
        while pending and pending[0][0] <= now:
            status = glove.command(pending.pop(0)[1])
            print("status", status)
        glove.tick(now)
        packet = glove.next_packet()
        while packet is not None:
            hexline(protocol, packet)
            glove.packet_sent()
            packet = glove.next_packet()
        now += glove.sampler.schedule.dt_us
    hexline("config", glove.config_bytes())


run("glove-v1", 247, 100, 1, 4294000000, seq=65530)
run(
    "glove-v1",
    64,
    200,
    1,
    0,
    commands=((300000, b"\x03"), (600000, b"\x04\x90\x01"), (700000, b"\x09")),
)
run("nus-text", 23, 100, 1, 4294967000 * 1000)
hexline("adv", advertising.advertising_data(advertising.GLOVE_SERVICE_UUID))
hexline("resp", advertising.scan_response(advertising.default_name(b"\x24\x6f\x28\x01\x3f\xa2")))
hexline("battery", bytes([battery.percent(mv) for mv in (3000, 3300, 3712, 4200, 4300)]))
schedule = Schedule(300)
schedule.start(0)
taken = []
for now in (0, 3333, 9000, 9999, 50000):
    stamp = schedule.take(now)
    while stamp >= 0:
        taken.append(stamp)
        stamp = schedule.take(now)
print("schedule", taken, schedule.skipped)
