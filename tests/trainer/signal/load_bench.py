"""A calibration bench for tests: a glove whose counts follow known non-linear curves.

Each sensor maps force to counts through its own curve (an FSR voltage divider or a power
law, different per sensor, with a rest offset); a schedule of placed loads becomes a
stream of counts: rest, then for each placement a first-order rise with a little creep,
a hold, a release and rest again, with ADC noise, rounded and clipped like an ADC.
:class:`LoadBenchSource` yields it as a :class:`~sensors.sources.base.Source` whose
profile is the glove's counts profile (values are counts), and :func:`write_bench_capture`
writes it as a native capture for ``replay:`` sources.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sensors.blocks import SampleBlock
from sensors.profiles import GloveProfile
from sensors.sources.base import Source, SourceKind, SourceState, SourceStatus
from trainer.signal.loadcal import STANDARD_GRAVITY, counts_profile

Curve = Callable[[np.ndarray], np.ndarray]


def fsr_divider(*, k: float, exponent: float, r_m: float, full: float, offset: float) -> Curve:
    """Counts of an FSR divider: R = k / F**exponent (kΩ), counts = offset + full·R_M/(R_M + R)."""

    def curve(force: np.ndarray) -> np.ndarray:
        f = np.asarray(force, dtype=np.float64)
        with np.errstate(divide="ignore"):
            r = np.where(f > 0, k / np.maximum(f, 1e-300) ** exponent, np.inf)
        return offset + full * r_m / (r_m + r)

    return curve


def power_law(*, scale: float, exponent: float, offset: float) -> Curve:
    """Counts = offset + scale · F**exponent."""

    def curve(force: np.ndarray) -> np.ndarray:
        return offset + scale * np.asarray(force, dtype=np.float64) ** exponent

    return curve


#: Different curves for the five sensors of ``diy-fsr5`` (12-bit ADC).
DIY_CURVES: tuple[Curve, ...] = (
    fsr_divider(k=30.0, exponent=0.9, r_m=10.0, full=3700.0, offset=6.0),
    fsr_divider(k=60.0, exponent=1.1, r_m=4.7, full=3900.0, offset=3.0),
    power_law(scale=330.0, exponent=0.72, offset=40.0),
    fsr_divider(k=20.0, exponent=0.8, r_m=22.0, full=3600.0, offset=12.0),
    power_law(scale=120.0, exponent=1.25, offset=25.0),
)


@dataclass(frozen=True)
class BenchStep:
    """One placement on the bench: ``load_kg`` on channel ``channel``."""

    channel: int
    load_kg: float


def bench_stream(
    profile: GloveProfile,
    curves: Sequence[Curve],
    steps: Sequence[BenchStep],
    *,
    seed: int = 0,
    noise_counts: float = 2.0,
    rest_s: float = 2.0,
    hold_s: float = 3.5,
    gap_s: float = 1.5,
    tau_s: float = 0.12,
    creep: float = 0.003,
) -> tuple[np.ndarray, np.ndarray]:
    """Times and counts ``(n, channels)`` of a bench session (see the module docstring)."""
    fs = float(profile.sample_rate_hz)
    channels = len(profile.sensors)
    pieces: list[np.ndarray] = [np.zeros((round(rest_s * fs), channels))]
    for step in steps:
        force = step.load_kg * STANDARD_GRAVITY
        t = np.arange(round(hold_s * fs)) / fs
        # First-order rise with a small creep towards a slightly higher level: it settles
        # within the creep, as a real FSR under a weight does.
        level = force * (1 - np.exp(-t / tau_s)) * (1 + creep * (1 - np.exp(-t / 0.3)))
        load = np.zeros((t.size, channels))
        load[:, step.channel] = level
        fall = np.linspace(level[-1], 0.0, round(0.2 * fs))
        down = np.zeros((fall.size, channels))
        down[:, step.channel] = fall
        pieces += [load, down, np.zeros((round(gap_s * fs), channels))]
    forces = np.concatenate(pieces)
    counts = np.column_stack([curves[i](forces[:, i]) for i in range(channels)])
    rng = np.random.default_rng(seed)
    counts = counts + rng.normal(0.0, noise_counts, counts.shape)
    counts = np.clip(np.rint(counts), 0, profile.raw_max)
    return np.arange(counts.shape[0]) / fs, counts


class LoadBenchSource(Source):
    """The bench stream as a source (as fast as it is read), values in counts."""

    kind = SourceKind.REPLAY

    def __init__(
        self, profile: GloveProfile, t: np.ndarray, counts: np.ndarray, *, block: int = 10
    ) -> None:
        self._profile = counts_profile(profile)
        self._t, self._counts, self._block = t, counts, block
        self._pos = 0
        self._lock = threading.Lock()
        self._state = SourceState.IDLE

    @property
    def profile(self) -> GloveProfile:
        return self._profile

    def status(self) -> SourceStatus:
        with self._lock:
            return SourceStatus(self._state, samples=self._pos)

    def open(self) -> None:
        with self._lock:
            self._state = SourceState.STREAMING

    def read(self, timeout: float | None = None) -> SampleBlock | None:
        with self._lock:
            if self._pos >= self._t.size:
                self._state = SourceState.FINISHED
                raise EOFError("bench finished")
            sl = slice(self._pos, self._pos + self._block)
            self._pos = min(self._t.size, self._pos + self._block)
            return SampleBlock(self._t[sl], self._counts[sl], self._profile, seq=self._pos)

    def close(self) -> None:
        with self._lock:
            if self._state is not SourceState.FINISHED:
                self._state = SourceState.IDLE


def write_bench_capture(
    path: Path, profile: GloveProfile, t: np.ndarray, counts: np.ndarray
) -> Path:
    """Write the bench stream as a native capture (its profile: the counts profile)."""
    from sensors.capture import CaptureWriter

    cp = counts_profile(profile)
    with CaptureWriter(path, cp, source="test:load-bench", metadata={"synthetic": True}) as w:
        for start in range(0, t.size, 50):
            w.append(SampleBlock(t[start : start + 50], counts[start : start + 50], cp))
    return path
