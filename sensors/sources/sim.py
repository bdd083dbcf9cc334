"""The simulated glove: synthetic strokes sent through the real protocol path."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence

from sensors import protocol
from sensors.blocks import SampleBlock
from sensors.exceptions import SourceError
from sensors.profiles import DEFAULT_PROFILE, GloveProfile, load_profile
from sensors.sources._decoding import PacketDecoder
from sensors.sources.base import Source, SourceKind, SourceState, SourceStatus
from sensors.strokes import TECHNIQUES, Student, make_student, simulate_take

__all__ = ["SimSource"]

_CHUNK_S = 20.0  # synthesise this much glove time at once (endless sources refill)


class SimSource(Source):
    """A synthetic glove performing one technique, deterministic for a seed.

    Samples are synthesised (:func:`sensors.strokes.simulate_take`), converted to raw
    counts, *encoded* as real notifications of the profile's protocol and decoded by the
    same :class:`~sensors.sources._decoding.PacketDecoder` the BLE source uses.

    Parameters
    ----------
    technique : str
        One of :data:`sensors.strokes.TECHNIQUES`.
    seed : int
        Seed: the same seed gives identical blocks.
    speed : float
        1.0 paces samples in real time; 2.0 twice as fast; 0 as fast as possible.
    duration_s : float or None
        Glove time after which the source finishes; ``None`` streams forever.
    profile : str, GloveProfile or None
        The glove to imitate (default :data:`~sensors.profiles.DEFAULT_PROFILE`).
    student : str or None
        Perform as a simulated student (:data:`~sensors.strokes.STUDENT_LEVELS`) with
        error tendencies drawn from ``seed`` (see :mod:`sensors.strokes`); ``None``
        (or ``"expert"``) gives the plain strokes.
    faults : sequence of str or None
        Tendencies to perform instead of drawn ones (``too_light``, ``rushed_end``,
        ``load_thumb``...; see :data:`~sensors.strokes.FAULTS`).
    improve : bool
        The student's tendencies fade over the session.
    clock, sleep : callable
        Monotonic clock (seconds) and sleep used for pacing; injectable for tests.

    Raises
    ------
    SourceError
        For an unknown technique, a negative speed, an unknown student level or fault.
    """

    kind = SourceKind.SIM

    def __init__(
        self,
        technique: str = "effleurage",
        *,
        seed: int = 0,
        speed: float = 1.0,
        duration_s: float | None = None,
        profile: str | GloveProfile | None = None,
        student: str | None = None,
        faults: Sequence[str] | None = None,
        improve: bool = False,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if technique not in TECHNIQUES:
            raise SourceError(
                f"unknown technique {technique!r} for the simulated glove: it performs "
                f"{', '.join(TECHNIQUES)} (a technique with references only cannot be simulated)"
            )
        if speed < 0:
            raise SourceError("speed must be >= 0")
        self.technique = technique
        self.seed = seed
        self.speed = speed
        self.duration_s = duration_s
        self._clock = clock
        self._sleep = sleep
        self._profile = (
            profile
            if isinstance(profile, GloveProfile)
            else load_profile(profile or DEFAULT_PROFILE)
        )
        self.student: Student | None = (
            None
            if student is None and not faults
            else make_student(
                student,
                seed=seed,
                technique=technique,
                profile=self._profile,
                faults=faults,
                improve=improve,
            )
        )
        self._strokes_done = 0
        self._lock = threading.Lock()
        self._state = SourceState.IDLE
        self._pending: deque[SampleBlock] = deque()
        self._packets: deque[bytes] = deque()
        self._chunk = 0
        self._emitted_s = 0.0
        self._blocks = self._samples = 0
        self._t_start: float | None = None
        self._decoder = PacketDecoder(self._profile)
        self._seq = 0
        self._next_sample = 0

    @property
    def profile(self) -> GloveProfile:
        """The glove profile imitated."""
        return self._profile

    @property
    def description(self) -> str:
        """What the glove performs: ``simulated effleurage (seed 1), novice student: …``."""
        text = f"simulated {self.technique} (seed {self.seed})"
        return text if self.student is None else f"{text}, {self.student.describe()}"

    def metadata(self) -> dict[str, object]:
        """JSON-ready description for a capture header's metadata."""
        meta: dict[str, object] = {"synthetic": True, "technique": self.technique}
        meta["seed"] = self.seed
        if self.student is not None:
            meta["student"] = self.student.to_dict()
        return meta

    def status(self) -> SourceStatus:
        """Return the current state and counters."""
        with self._lock:
            return SourceStatus(
                self._state,
                self._blocks,
                self._samples,
                self._decoder.dropped_packets,
                self._decoder.gaps,
                0,
                100,
                self.description,
            )

    def open(self) -> None:
        """Start the simulated stream."""
        with self._lock:
            self._state = SourceState.STREAMING
            self._t_start = self._clock()

    def close(self) -> None:
        """Stop the stream."""
        with self._lock:
            if self._state is not SourceState.IDLE:
                self._state = SourceState.FINISHED

    def _synthesise_chunk(self) -> None:
        take = simulate_take(
            self.technique,
            seconds=_CHUNK_S,
            profile=self._profile,
            seed=self.seed * 100_003 + self._chunk,
            lead_in_s=0.5 if self._chunk == 0 else 0.0,
            student=self.student,
            first_stroke=self._strokes_done,
        )
        self._chunk += 1
        self._strokes_done += len(take.strokes)
        raw = self._profile.to_raw(take.values)
        fs = self._profile.sample_rate_hz
        if self._profile.protocol == "nus-text":
            lines = b"".join(
                protocol.encode_text_line(round((self._next_sample + i) * 1000 / fs), row)
                for i, row in enumerate(raw)
            )
            # Chunk the byte stream like a UART bridge does, splitting lines anywhere.
            for start in range(0, len(lines), protocol.MAX_NOTIFICATION_BYTES):
                self._packets.append(lines[start : start + protocol.MAX_NOTIFICATION_BYTES])
        else:
            batch = protocol.max_samples_per_packet(raw.shape[1])
            dt_us = round(1e6 / fs)
            for start in range(0, raw.shape[0], batch):
                packet = protocol.SamplePacket(
                    seq=self._seq & 0xFFFF,
                    t0_us=((self._next_sample + start) * dt_us) & 0xFFFFFFFF,
                    dt_us=dt_us,
                    raw=raw[start : start + batch],
                )
                self._packets.append(protocol.encode(packet))
                self._seq += 1
        self._next_sample += raw.shape[0]

    def _produce(self) -> None:
        """Decode packets until at least one block is pending."""
        while not self._pending:
            if not self._packets:
                self._synthesise_chunk()
            self._pending.extend(self._decoder.feed(self._packets.popleft()))

    def read(self, timeout: float | None = None) -> SampleBlock | None:
        """Return the next block, paced by ``speed``.

        Raises
        ------
        EOFError
            When ``duration_s`` of glove time has been delivered or the source is closed.
        """
        with self._lock:
            if self._state is SourceState.IDLE:
                raise SourceError("source not opened: call open() first")
            if self._state is SourceState.FINISHED:
                raise EOFError("simulated glove stopped")
            if self.duration_s is not None and self._emitted_s >= self.duration_s:
                self._state = SourceState.FINISHED
                raise EOFError("simulated glove finished")
            self._produce()
            block = self._pending[0]
            if self.duration_s is not None and block.t[-1] >= self.duration_s:
                keep = block.t < self.duration_s
                if not keep.any():
                    self._pending.popleft()
                    self._emitted_s = float(self.duration_s)
                    self._state = SourceState.FINISHED
                    raise EOFError("simulated glove finished")
                block = SampleBlock(
                    block.t[keep],
                    block.values[keep],
                    block.profile,
                    block.gap_before,
                    block.seq,
                )
            due = None
            if self.speed > 0 and self._t_start is not None:
                # A block is "sent" when its last sample has been taken.
                due = self._t_start + float(block.t[-1]) / self.speed
        if due is not None:
            wait = due - self._clock()
            if wait > 0:
                if timeout is not None and wait > timeout:
                    self._sleep(timeout)
                    return None
                self._sleep(wait)
        with self._lock:
            self._pending.popleft()
            self._blocks += 1
            self._samples += len(block)
            self._emitted_s = float(block.t[-1]) + 1.0 / self._profile.sample_rate_hz
            if self.duration_s is not None and self._emitted_s >= self.duration_s:
                self._emitted_s = max(self._emitted_s, float(self.duration_s))
        return block
