"""Live feedback: where the student is in the reference, the band ahead, calm cues.

Consumes :class:`~sensors.blocks.SampleBlock`-like input (``values``, ``gap_before``)
block by block; pure state, no clocks: time is the samples' own.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import numpy as np

from trainer.dtw import OpenEndAligner
from trainer.scoring.model import Reference, StrokeScore
from trainer.scoring.scoring import score_stroke
from trainer.signal import ActivityDetector, StreamingFilter, design_lowpass

__all__ = ["Cue", "CueGate", "FeedbackSchedule", "LiveCoach", "LiveUpdate"]


class Cue(enum.Enum):
    """Short instructions shown while a stroke is under way."""

    PRESS_HARDER = "press harder"
    PRESS_LIGHTER = "lighter"
    SPEED_UP = "speed up"
    SLOW_DOWN = "slow down"
    EASE_OFF = "ease off: near pain threshold"


@dataclass(frozen=True, slots=True)
class FeedbackSchedule:
    """Faded feedback: cues on every stroke, every Nth stroke, or never (a test).

    Parameters
    ----------
    mode : {"every", "every_n", "off"}
        Schedule.
    n : int
        For ``every_n``: cues on strokes 1, n+1, 2n+1, ...
    """

    mode: str = "every"
    n: int = 3

    def shows(self, stroke_index: int) -> bool:
        """Whether cues are shown during stroke ``stroke_index`` (0-based)."""
        if self.mode == "off":
            return False
        if self.mode == "every_n":
            return stroke_index % max(1, self.n) == 0
        return True


class CueGate:
    """Hysteresis for one cue, so cues do not flicker.

    The cue turns on after ``hold`` consecutive samples with its condition, and off after
    ``hold`` consecutive samples without it.
    """

    def __init__(self, hold: int) -> None:
        self.hold = max(1, hold)
        self.on = False
        self._run = 0

    def update(self, condition: bool) -> bool:
        """Feed one sample's condition; return whether the cue is shown."""
        if condition != self.on:
            self._run += 1
            if self._run >= self.hold:
                self.on = condition
                self._run = 0
        else:
            self._run = 0
        return self.on


@dataclass(frozen=True, slots=True)
class LiveUpdate:
    """What the practice view shows after a block.

    Parameters
    ----------
    active : bool
        A stroke is under way.
    position : int
        Template index the student is at (-1 when not in a stroke).
    progress : float
        ``position / (L - 1)``, 0–1 (NaN when not in a stroke).
    band_ahead : tuple of numpy.ndarray
        ``(lo, hi)`` total-force band from the position over the next ``ahead_s``.
    cues : tuple of Cue
        Cues to show now (empty when the schedule hides them).
    finished : tuple of StrokeScore
        Strokes completed in this block, scored.
    """

    active: bool
    position: int
    progress: float
    band_ahead: tuple[np.ndarray, np.ndarray]
    cues: tuple[Cue, ...]
    finished: tuple[StrokeScore, ...]


class LiveCoach:
    """Follow a live stream against one reference: position, band ahead, cues, scores.

    Parameters
    ----------
    reference : Reference
        The stroke to follow (its sample rate must equal the stream's).
    schedule : FeedbackSchedule
        Faded-feedback setting.
    ahead_s : float
        How much of the band ahead to return.
    hold_s : float
        Cue hysteresis time.
    """

    def __init__(
        self,
        reference: Reference,
        *,
        schedule: FeedbackSchedule | None = None,
        ahead_s: float = 0.5,
        hold_s: float = 0.25,
    ) -> None:
        self.reference = reference
        self.schedule = schedule or FeedbackSchedule()
        fs = reference.fs_hz
        channels = reference.template.shape[1]
        self._filter = StreamingFilter(design_lowpass(min(20.0, 0.45 * fs), fs), channels)
        self._detector = ActivityDetector(fs, min_active_s=0.4 * reference.duration_s[0])
        self._aligner = OpenEndAligner(reference.template)
        self._ahead = max(1, round(ahead_s * fs))
        hold = round(hold_s * fs)
        self._gates = {cue: CueGate(hold) for cue in Cue}
        self._buffer: list[np.ndarray] = []
        self._buffer_start = 0
        self._strokes = 0
        self._samples = 0
        self._in_stroke = False
        self._caution = reference.profile.contact_area_m2 * 0.8 * 262.0e3  # N at 80 % of 262 kPa

    def push(self, block: Any) -> LiveUpdate:
        """Feed one block (``values`` ``(k, channels)`` newtons, ``gap_before``)."""
        values = np.asarray(getattr(block, "values", block), dtype=np.float64)
        gap = bool(getattr(block, "gap_before", False))
        fs = self.reference.fs_hz
        filtered = self._filter.step(values, gap_before=gap)
        total = filtered.sum(axis=1)
        if gap:
            self._end_stroke()
        finished: list[StrokeScore] = []
        cues_now: set[Cue] = set()
        for k in range(values.shape[0]):
            index = self._samples + k
            segments = self._detector.push(total[k : k + 1], gap_before=gap and k == 0)
            for seg in segments:
                stroke = np.array(self._buffer[: seg.end - self._buffer_start])
                if not seg.truncated and stroke.shape[0] >= 3:
                    finished.append(
                        score_stroke(stroke, fs, self.reference, start_s=seg.start / fs)
                    )
                self._end_stroke()
            if not self._detector.active:
                continue
            if not self._in_stroke:
                self._in_stroke = True
                self._aligner.reset()
                self._buffer, self._buffer_start = [], index
            self._buffer.append(filtered[k])
            pos = self._aligner.push(filtered[k : k + 1])
            expected_s = pos / fs
            elapsed_s = (index - self._buffer_start) / fs
            conditions = {
                Cue.PRESS_HARDER: total[k] < self.reference.band_lo[pos],
                Cue.PRESS_LIGHTER: total[k] > self.reference.band_hi[pos],
                Cue.SLOW_DOWN: elapsed_s > 0.3 and expected_s > 1.3 * elapsed_s,
                Cue.SPEED_UP: elapsed_s > 0.3 and expected_s < 0.75 * elapsed_s,
                Cue.EASE_OFF: bool(np.any(filtered[k] >= self._caution)),
            }
            for cue, condition in conditions.items():
                if self._gates[cue].update(bool(condition)):
                    cues_now.add(cue)
        self._samples += values.shape[0]
        active = self._in_stroke
        pos = self._aligner.position if active else -1
        ahead = slice(max(pos, 0), max(pos, 0) + self._ahead) if active else slice(0, 0)
        shown = self.schedule.shows(self._strokes)
        # The safety cue is never faded out.
        cues = tuple(c for c in Cue if c in cues_now and (shown or c is Cue.EASE_OFF))
        return LiveUpdate(
            active=active,
            position=pos,
            progress=pos / max(self.reference.length - 1, 1) if active else float("nan"),
            band_ahead=(self.reference.band_lo[ahead], self.reference.band_hi[ahead]),
            cues=cues,
            finished=tuple(finished),
        )

    def _end_stroke(self) -> None:
        if self._in_stroke:
            self._strokes += 1
        self._in_stroke = False
        self._buffer = []
        for gate in self._gates.values():
            gate.on = False
