"""End-to-end throughput: a 1 kHz x 16-channel glove through decode -> filter -> coach.

The glove is synthetic but goes through the real path: simulated forces are turned into
``glove-v1`` notifications (16 channels x 7 samples per 244-byte packet), decoded by the
same ``PacketDecoder`` the BLE source uses, and fed block by block to the live coach
(causal low-pass with carried state, rest/active detector, open-end DTW position, cues,
and the full score of every finished stroke against a 1 kHz reference built from three
simulated takes of the same glove). Reported: CPU seconds per second of glove data (and
its inverse, how many times faster than real time), per stage, and that nothing was dropped.
Then the same packets run through the live engine the GUI and ``record`` use
(``trainer.live.Acquisition``: its acquisition thread decodes, keeps the tare window and
fills the ring buffer; its scoring thread feeds the coach a block at a time, fills in
the scorer track and the event queue). The CPU is both threads'.

Run: python benchmarks/bench_pipeline.py [--seconds 120]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from sensors.profiles import Region, parse_profile
from sensors.protocol import SamplePacket, encode, max_samples_per_packet
from sensors.sources._decoding import PacketDecoder
from sensors.sources.base import Source, SourceKind, SourceState, SourceStatus
from sensors.strokes import simulate_take
from trainer.live import Acquisition, EventKind
from trainer.scoring import LiveCoach, build_reference
from trainer.signal import StreamingFilter, design_lowpass

FS = 1000.0
CHANNELS = 16
SCALE = 0.002  # N per count, as the reference glove


def _profile():
    regions = list(Region)
    lines = [
        'name = "bench-16x1k"',
        'description = "benchmark glove: 16 zones at 1 kHz"',
        'protocol = "glove-v1"',
        f"sample_rate_hz = {FS}",
        "raw_max = 65535",
    ]
    for i in range(CHANNELS):
        region = regions[i % len(regions)].value
        lines += [
            "[[sensors]]",
            f'name = "s{i:02d}_{region}"',
            f'region = "{region}"',
            f"position = [{(i % 4) / 4 + 0.1:.2f}, {(i // 4) / 4 + 0.1:.2f}]",
            "contact_area_mm2 = 126.7",
            "saturation_n = 90.0",
            f'calibration = {{ kind = "linear", scale = {SCALE}, offset = 0.0 }}',
        ]
    return parse_profile("\n".join(lines), "bench profile")


def _packets(values: np.ndarray) -> list[bytes]:
    per = max_samples_per_packet(CHANNELS)
    raw = np.clip(np.round(values / SCALE), 0, 65535).astype(np.uint16)
    dt_us = round(1e6 / FS)
    out = []
    for seq, start in enumerate(range(0, raw.shape[0], per)):
        chunk = raw[start : start + per]
        packet = SamplePacket(seq % 65536, (start * dt_us) % 2**32, dt_us, chunk)
        out.append(encode(packet))
    return out


class _PacketSource(Source):
    """The benchmark's notifications, decoded on read, as fast as the engine reads."""

    kind = SourceKind.SIM

    def __init__(self, profile, packets: list[bytes]) -> None:
        self._profile = profile
        self._packets = list(reversed(packets))
        self._decoder = PacketDecoder(profile)
        self._pending: list = []
        self._state = SourceState.IDLE

    @property
    def profile(self):
        return self._profile

    def status(self) -> SourceStatus:
        return SourceStatus(self._state)

    def open(self) -> None:
        self._state = SourceState.STREAMING

    def read(self, timeout: float | None = None):
        while not self._pending:
            if not self._packets:
                self._state = SourceState.FINISHED
                raise EOFError
            self._pending = self._decoder.feed(self._packets.pop())
        return self._pending.pop(0)

    def close(self) -> None:
        self._state = SourceState.FINISHED


def _through_engine(profile, packets: list[bytes], reference) -> tuple[float, int, int]:
    """Run the packets through trainer.live; return (CPU s, samples buffered, strokes)."""
    acq = Acquisition(_PacketSource(profile, packets), window_s=15.0)
    acq.set_scorer(LiveCoach(reference))
    cpu0 = time.process_time()  # the main thread only waits: this is the engine's threads
    acq.start()
    acq.wait()
    cpu = time.process_time() - cpu0
    if acq.error is not None:
        raise acq.error
    strokes = sum(e.kind is EventKind.STROKE for e in acq.events(limit=100_000))
    return cpu, acq.buffer.written, strokes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="glove seconds to push")
    args = parser.parse_args()
    profile = _profile()
    print(f"glove: {CHANNELS} channels at {FS:g} Hz, {max_samples_per_packet(CHANNELS)} per packet")
    t = time.perf_counter()
    takes = [
        (simulate_take("effleurage", seconds=20, profile=profile, seed=s).values, ())
        for s in (1, 2, 3)
    ]
    reference = build_reference(
        takes, name="bench", technique="effleurage", profile=profile, fs_hz=FS, synthetic=True
    )
    print(f"reference built from 3 x 20 s takes in {time.perf_counter() - t:.1f} s "
          f"(template {reference.length} samples)")  # fmt: skip
    values = simulate_take("effleurage", seconds=args.seconds, profile=profile, seed=9).values
    packets = _packets(values)

    # Warm the kernels (numba compile/cache load) outside the measurement.
    warm = LiveCoach(reference)
    warm.push(values[: int(5 * FS)])

    decoder = PacketDecoder(profile)
    coach = LiveCoach(reference)
    side_filter = StreamingFilter(design_lowpass(20.0, FS), CHANNELS)  # the plots' filter
    stages = {"decode": 0.0, "filter": 0.0, "coach": 0.0}
    samples = strokes = 0
    cpu0 = time.process_time()
    for data in packets:
        c = time.process_time()
        blocks = decoder.feed(data)
        stages["decode"] += time.process_time() - c
        for block in blocks:
            c = time.process_time()
            side_filter.step(block.values, gap_before=block.gap_before)
            stages["filter"] += time.process_time() - c
            c = time.process_time()
            update = coach.push(block)
            stages["coach"] += time.process_time() - c
            samples += len(block)
            strokes += len(update.finished)
    cpu = time.process_time() - cpu0
    glove_s = samples / FS
    print(f"pushed {len(packets)} packets, {samples} samples ({glove_s:.0f} s of glove data)")
    print(f"dropped packets: {decoder.dropped_packets}, gaps: {decoder.gaps}, "
          f"samples lost: {values.shape[0] - samples}")  # fmt: skip
    print(f"strokes scored: {strokes}")
    print(f"CPU per glove second: {cpu / glove_s * 1e3:.1f} ms "
          f"({glove_s / cpu:.1f}x faster than real time, one core)")  # fmt: skip
    for name, secs in stages.items():
        print(f"  {name:7s} {secs / glove_s * 1e3:7.2f} ms per glove second")

    cpu, buffered, engine_strokes = _through_engine(profile, packets, reference)
    print(f"live engine (trainer.live.Acquisition, one scorer call per block): "
          f"{buffered} samples, {engine_strokes} strokes, {cpu / glove_s * 1e3:.1f} ms "
          f"per glove second ({glove_s / cpu:.1f}x faster than real time)")  # fmt: skip


if __name__ == "__main__":
    main()
