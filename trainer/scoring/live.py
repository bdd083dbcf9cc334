"""Live feedback: where the student is in the reference, the band ahead, calm cues.

Consumes :class:`~sensors.blocks.SampleBlock`-like input (``values``, ``gap_before``)
block by block; pure state, no clocks: time is the samples' own.
"""

from __future__ import annotations

import enum
import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from trainer.dtw import OpenEndAligner
from trainer.exceptions import NotAStrokeError, ScoringError
from trainer.scoring.model import Reference, StrokeScore
from trainer.scoring.safety import caution_force_n
from trainer.scoring.scoring import score_stroke
from trainer.scoring.strokes import (
    OFF_THRESHOLD_N,
    ON_THRESHOLD_N,
    SCORING_CUTOFF_HZ,
    clipped_channels,
    segmentation,
)
from trainer.signal import ActivityDetector, Segment, StreamingFilter, design_lowpass

__all__ = ["FEEDBACK_MODES", "Cue", "CueGate", "FeedbackSchedule", "LiveCoach", "LiveUpdate"]

FEEDBACK_MODES = ("every", "every_n", "off")
_SLOPE_WEIGHT = 0.75  # slope channel against level channel in the live alignment


class Cue(enum.Enum):
    """Short instructions shown while a stroke is under way."""

    PRESS_HARDER = "press harder"
    PRESS_LIGHTER = "lighter"
    SPEED_UP = "speed up"
    SLOW_DOWN = "slow down"
    EASE_OFF = "ease off: near pain threshold"


_JUDGED = (Cue.PRESS_HARDER, Cue.PRESS_LIGHTER, Cue.SLOW_DOWN, Cue.SPEED_UP)
_LEVEL_ORDER = (*_JUDGED, Cue.EASE_OFF)  # the order of a sample's levels (see _follow_stroke)


@dataclass(frozen=True, slots=True)
class FeedbackSchedule:
    """Faded feedback: cues on every stroke, every Nth stroke, or never (a test).

    Students who always see feedback lean on it; fading it lets them practise finding
    the stroke themselves. The safety cue is never faded.

    Parameters
    ----------
    mode : {"every", "every_n", "off"}
        Schedule.
    n : int
        For ``every_n``: cues on strokes 1, n+1, 2n+1, ... (>= 1).

    Raises
    ------
    ScoringError
        Unknown mode or ``n < 1``.
    """

    mode: str = "every"
    n: int = 3

    def __post_init__(self) -> None:
        if self.mode not in FEEDBACK_MODES:
            raise ScoringError(
                f"unknown feedback mode {self.mode!r} (known: {', '.join(FEEDBACK_MODES)})"
            )
        if int(self.n) != self.n or self.n < 1:
            raise ScoringError(f"feedback every n strokes needs n >= 1, got {self.n!r}")

    def shows(self, stroke_index: int) -> bool:
        """Whether cues are shown during stroke ``stroke_index`` (0-based)."""
        if self.mode == "off":
            return False
        if self.mode == "every_n":
            return stroke_index % self.n == 0
        return True


class CueGate:
    """Hysteresis for one cue, so cues do not flicker.

    The gate watches a *level* (how far the condition is from being met). It turns on
    once the level has stayed at or above ``enter`` for ``hold`` consecutive samples,
    and off once it has stayed at or below ``exit`` for ``hold`` samples and the cue has
    been shown for at least ``min_on`` samples. Levels between ``exit`` and ``enter``
    keep the current state.

    Parameters
    ----------
    enter, exit : float
        Thresholds, ``exit <= enter``.
    hold : int
        Consecutive samples needed to switch, >= 1.
    min_on : int
        Shortest time a cue stays shown, samples.
    """

    def __init__(self, enter: float, exit: float, hold: int, min_on: int = 0) -> None:
        if exit > enter:
            raise ScoringError("cue exit threshold must not exceed its enter threshold")
        self.enter = float(enter)
        self.exit = float(exit)
        self.hold = max(1, int(hold))
        self.min_on = max(0, int(min_on))
        self.reset()

    def reset(self) -> None:
        """Switch off and forget the run (a new stroke starts)."""
        self.on = False
        self._run = 0
        self._shown = 0

    def update(self, level: float) -> bool:
        """Feed one sample's level; return whether the cue is shown."""
        if not self.on:
            self._run = self._run + 1 if level >= self.enter else 0
            if self._run >= self.hold:
                self.on, self._run, self._shown = True, 0, 0
            return self.on
        self._shown += 1
        self._run = self._run + 1 if level <= self.exit else 0
        if self._run >= self.hold and self._shown >= self.min_on:
            self.on, self._run = False, 0
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
        ``(lo, hi)`` total-force band, newtons, from the position over the next
        ``ahead_s`` (empty arrays when not in a stroke).
    cues : tuple of Cue
        Cues to show now (empty when the schedule hides them, except the safety cue):
        every cue shown at some sample of the block.
    finished : tuple of StrokeScore
        Complete strokes that ended in this block, scored.
    positions : numpy.ndarray
        ``(k,)`` int: :attr:`position` after each sample of the block (-1 where not in a
        stroke), as pushing the block one sample at a time would report it.
    last_cues : tuple of Cue
        Cues shown at the block's last sample (what a caller pushing one sample at a
        time would show now); :attr:`cues` gathers the whole block's.
    """

    active: bool
    position: int
    progress: float
    band_ahead: tuple[np.ndarray, np.ndarray]
    cues: tuple[Cue, ...]
    finished: tuple[StrokeScore, ...]
    positions: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    last_cues: tuple[Cue, ...] = ()


class LiveCoach:
    """Follow a live stream against one reference: position, band ahead, cues, scores.

    A causal low-pass (state carried across blocks, restarted at gaps) feeds the same
    rest detector as offline scoring; during a stroke an open-end DTW gives the template
    position. Cue levels (thresholds in ``docs/scoring.md``):

    * press harder / lighter: distance below / above the band at the position, as a
      fraction of the band's level (enter 5 %, exit 5 % back inside);
    * slow down / speed up: log ratio of the template time reached to the time elapsed
      (enter at 1.5× ahead or behind, exit at 1.2×; judged from 25 % of the expert's
      mean duration, at least 0.15 s, into the stroke; half the hold time);
    * ease off: highest sensor force over its caution force (262 kPa × contact area;
      enter at 1, exit at 0.9), quick to show and never faded.

    The first complete stroke teaches the coach the student's force level (the gain of
    the alignment): until then only the safety cue is given. Strokes that start right
    after a gap (or at the first sample) are followed but not scored, as offline; so are
    pieces that are no attempt at the reference (:class:`NotAStrokeError`), counted in
    :attr:`not_strokes`.

    Parameters
    ----------
    reference : Reference
        The stroke to follow (its sample rate must equal the stream's).
    schedule : FeedbackSchedule or None
        Faded-feedback setting (default: every stroke).
    ahead_s : float
        How much of the band ahead to return, seconds.
    hold_s : float
        Cue hysteresis hold time, seconds.
    min_show_s : float
        Shortest time a cue stays on screen, seconds.
    """

    def __init__(
        self,
        reference: Reference,
        *,
        schedule: FeedbackSchedule | None = None,
        ahead_s: float = 0.5,
        hold_s: float = 0.25,
        min_show_s: float = 0.5,
    ) -> None:
        self.reference = reference
        self.schedule = schedule or FeedbackSchedule()
        fs = reference.fs_hz
        channels = reference.template.shape[1]
        self._filter = StreamingFilter(
            design_lowpass(min(SCORING_CUTOFF_HZ, 0.45 * fs), fs), channels
        )
        self._detector = ActivityDetector(
            fs,
            on_threshold_n=ON_THRESHOLD_N,
            off_threshold_n=OFF_THRESHOLD_N,
            **segmentation(reference),  # as offline scoring cuts attempts
        )
        # The aligner follows the total force and its slope (as derivative DTW, Keogh &
        # Pazzani 2001), scaled to the template's peak and duration, the student's force
        # times a gain that brings their recent peaks to the expert's. Without the gain
        # and the slope, a plateau lighter than the expert's sticks to the template's
        # rising edge at the same level. Pressure cues still use the true force.
        total = reference.total
        self._peak = max(float(total.max()), 1e-6)
        self._slope = _SLOPE_WEIGHT * reference.length / math.pi
        self._aligner = OpenEndAligner(self._features(total, float(total[0])))
        self._gain = 1.0
        self._peaks: list[float] = []
        self._last_total = 0.0
        self._ahead = max(1, round(ahead_s * fs))
        hold, min_on = max(1, round(hold_s * fs)), round(min_show_s * fs)
        quick = max(1, round(0.05 * fs))
        tempo_in, tempo_out = math.log(1.5), math.log(1.2)
        self._gates = {
            Cue.PRESS_HARDER: CueGate(0.05, -0.05, hold, min_on),
            Cue.PRESS_LIGHTER: CueGate(0.05, -0.05, hold, min_on),
            # Half the hold: a rushed stroke is short, the cue must come within it.
            Cue.SLOW_DOWN: CueGate(tempo_in, tempo_out, max(1, hold // 2), min_on),
            Cue.SPEED_UP: CueGate(tempo_in, tempo_out, max(1, hold // 2), min_on),
            Cue.EASE_OFF: CueGate(1.0, 0.9, quick, min_on),
        }
        self._level = np.maximum(0.5 * (reference.band_lo + reference.band_hi), 1.0)
        self._caution = caution_force_n(reference.profile)
        # Pace is judged once the alignment has settled a little.
        self._tempo_after = round(max(0.15, 0.25 * reference.duration_s[1]) * fs)
        # The current stroke's active stretches, filtered and raw (2-D pieces, in order).
        self._buffer: list[np.ndarray] = []
        self._raw: list[np.ndarray] = []
        self._stroke_start = 0
        # The last samples at rest (filtered, raw), as many as a train's lead-in may take
        # (the detector's ``max_lead``): a stroke that began with light strikes under the
        # start threshold is scored from its first, as offline.
        self._recent: tuple[np.ndarray, np.ndarray] = (
            np.empty((0, channels)),
            np.empty((0, channels)),
        )
        self._lead = self._recent
        self._strokes = 0
        #: Pieces ended that were no attempt at the reference (touches, rest, another
        #: technique): not scored.
        self.not_strokes = 0
        self._samples = 0
        self._run_start = 0
        self._in_stroke = False
        self._partial = False

    @property
    def strokes(self) -> int:
        """Strokes ended so far; during a stroke, its 0-based index (the schedule's count).

        Pieces that were no stroke (touches, rest) are not counted.
        """
        return self._strokes

    def push(self, block: Any) -> LiveUpdate:
        """Feed one block.

        Parameters
        ----------
        block : SampleBlock or array_like
            ``values`` ``(k, channels)`` newtons and ``gap_before`` (a bare array has no
            gap).

        Returns
        -------
        LiveUpdate
            Position, band ahead, cues and strokes finished in this block.

        Raises
        ------
        ScoringError
            A block from a glove with other sensors or another rate than the reference's.
        SignalError
            A block of the wrong shape or with non-finite values.
        """
        profile = getattr(block, "profile", None)
        ref = self.reference
        if profile is not None and (
            profile.channel_names != ref.profile.channel_names
            or abs(float(profile.sample_rate_hz) - ref.fs_hz) > 1e-6
        ):
            raise ScoringError(
                f"glove {profile.name!r} ({profile.sample_rate_hz:g} Hz) does not match "
                f"reference {ref.name!r} (glove {ref.profile.name!r}, {ref.fs_hz:g} Hz)"
            )
        values = np.asarray(getattr(block, "values", block), dtype=np.float64)
        gap = bool(getattr(block, "gap_before", False))
        filtered = self._filter.step(values, gap_before=gap)
        total = filtered.sum(axis=1)
        if gap:
            self._end_stroke()
            self._run_start = self._samples
            self._last_total = float(total[0]) if total.size else 0.0
        n = values.shape[0]
        positions = np.full(n, -1, dtype=np.int64)
        finished: list[StrokeScore] = []
        cues_now: set[Cue] = set()
        last_cues: tuple[Cue, ...] = ()
        if n:
            last_cues = self._follow(values, filtered, total, gap, positions, finished, cues_now)
        self._samples += n
        active = self._in_stroke
        pos = self._aligner.position if active else -1
        ahead = slice(max(pos, 0), max(pos, 0) + self._ahead) if active else slice(0, 0)
        return LiveUpdate(
            active=active,
            position=pos,
            progress=pos / max(self.reference.length - 1, 1) if active else float("nan"),
            band_ahead=(self.reference.band_lo[ahead], self.reference.band_hi[ahead]),
            cues=tuple(c for c in Cue if c in cues_now),
            finished=tuple(finished),
            positions=positions,
            last_cues=last_cues,
        )

    def _follow(
        self,
        values: np.ndarray,
        filtered: np.ndarray,
        total: np.ndarray,
        gap: bool,
        positions: np.ndarray,
        finished: list[StrokeScore],
        cues_now: set[Cue],
    ) -> tuple[Cue, ...]:
        """Run a non-empty block through the detector, the aligner and the cue gates.

        Gives exactly what feeding the block one sample at a time gives, at a fraction of
        the cost: the detector classifies the whole block at once (its state after each
        sample and the segments it closed), and the block is walked in pieces in which
        nothing changes state, each a stretch at rest or a stroke's active stretch. A
        segment closes at the first sample of a piece: a gap before the block's first
        sample, a return to rest at the sample that completes the quiet run
        (``min_rest`` samples from the segment's end). Fills ``positions``, ``finished``
        and ``cues_now``; returns the cues shown at the block's last sample.
        """
        first, n = self._samples, total.shape[0]
        segments, active = self._detector.classify(total, gap_before=gap)
        closes: dict[int, list[Segment]] = {}
        for seg in segments:
            at = 0 if seg.truncated else seg.end + self._detector.min_rest - 1 - first
            closes.setdefault(at, []).append(seg)
        changes = (np.flatnonzero(active[1:] != active[:-1]) + 1).tolist()
        bounds = sorted({0, n, *changes, *closes})
        totals = total.tolist()
        last: tuple[Cue, ...] = ()
        for a, b in itertools.pairwise(bounds):
            for seg in closes.get(a, ()):
                scored = None
                if not seg.truncated and not self._partial:
                    scored = self._score(seg.start, seg.end)
                    if scored is not None:
                        finished.append(scored)
                # A touch or a rest is not a stroke for the feedback schedule either.
                self._end_stroke(counted=scored is not None or seg.truncated or self._partial)
            if active[a]:
                previous = (totals[a - 1] if a else self._last_total) * self._gain
                last = self._follow_stroke(
                    first + a,
                    (values[a:b], filtered[a:b], total[a:b]),
                    previous,
                    positions[a:b],
                    cues_now,
                )
            else:
                if self._in_stroke and a not in closes:
                    # The detector let an active run go without a segment: too short to
                    # be a stroke (a tap, a fidget). Leave it here, uncounted, or the rest
                    # shows a position and the next stroke is scored with the tap on it.
                    self._end_stroke(counted=False)
                positions[a:b] = self._aligner.position if self._in_stroke else -1
                last = ()
                self._keep_recent(filtered[a:b], values[a:b])
        self._last_total = totals[-1]
        return last

    def _follow_stroke(
        self,
        index: int,
        stretch: tuple[np.ndarray, np.ndarray, np.ndarray],
        previous: float,
        positions: np.ndarray,
        cues_now: set[Cue],
    ) -> tuple[Cue, ...]:
        """Follow samples ``index ...`` of a stroke (the detector active throughout).

        ``stretch`` is their raw and filtered forces and filtered total, ``previous`` the
        total before them times the gain. The aligner takes one row at a time (each
        sample's position is needed); the features and the cue levels are computed for
        the whole stretch, as they were for each sample. Fills ``positions`` and adds
        every cue shown to ``cues_now``; returns the cues shown at the last sample.
        """
        values, filtered, total = stretch
        if not self._in_stroke:
            self._begin_stroke(index, float(total[0]))
        shown = self.schedule.shows(self._strokes)
        self._buffer.append(filtered)
        self._raw.append(values)
        features = self._features(total * self._gain, previous)
        push = self._aligner.push
        for j in range(features.shape[0]):
            positions[j] = push(features[j : j + 1])
        ref = self.reference
        pos = positions
        # Nothing but safety is judged before the student's force level is known (the
        # alignment needs it), once the template's end is reached, or in the quiet tail
        # of a stroke; 0 is neutral for every gate (between exit and enter).
        judged = ((pos < ref.length - 1) & (total > OFF_THRESHOLD_N) & bool(self._peaks)).tolist()
        level = self._level[pos]
        harder = ((ref.band_lo[pos] - total) / level).tolist()
        lighter = ((total - ref.band_hi[pos]) / level).tolist()
        safety = np.max(filtered / self._caution, axis=1).tolist()
        cues = _LEVEL_ORDER
        gates = [self._gates[cue] for cue in cues]
        show = [shown or cue is Cue.EASE_OFF for cue in cues]
        # Pace: template samples reached per sample elapsed, once alignment has settled.
        elapsed = index - self._stroke_start + 1
        tempo_after = self._tempo_after
        now: list[Cue] = []
        for j, p in enumerate(pos.tolist()):
            if judged[j]:
                pace = math.log((p + 1) / (elapsed + j)) if elapsed + j > tempo_after else 0.0
                levels = (harder[j], lighter[j], pace, -pace, safety[j])
            else:
                levels = (0.0, 0.0, 0.0, 0.0, safety[j])
            now = [
                cue
                for cue, gate, level, visible in zip(cues, gates, levels, show, strict=True)
                if gate.update(level) and visible
            ]
            cues_now.update(now)
        return tuple(c for c in Cue if c in now)

    def _features(self, total: np.ndarray, previous: float) -> np.ndarray:
        x = total / self._peak
        slope = np.diff(x, prepend=previous / self._peak) * self._slope
        return np.column_stack([x, slope])

    def _keep_recent(self, filtered: np.ndarray, values: np.ndarray) -> None:
        """Keep the last samples at rest that a lead-in may reach back over."""
        keep = min(self._detector.max_lead, 1 << 20)
        if keep:
            f, r = self._recent
            self._recent = (
                np.concatenate([f, filtered])[-keep:],
                np.concatenate([r, values])[-keep:],
            )

    def _begin_stroke(self, index: int, total: float) -> None:
        self._in_stroke = True
        self._lead, self._recent = self._recent, (self._recent[0][:0], self._recent[1][:0])
        # Loaded on the first sample after a gap: the stroke began before we saw it.
        self._partial = index == self._run_start and total > OFF_THRESHOLD_N
        self._stroke_start = index
        self._aligner.reset()
        self._buffer = []
        self._raw = []

    def _score(self, start: int, end: int) -> StrokeScore | None:
        # The detector ends a stroke where the quiet run began: drop the quiet tail.
        fs = self.reference.fs_hz
        # The stroke's active stretches, in order (one piece per block it spans).
        # A lead-in of light strikes (the detector's start before the rise) comes first.
        lead = min(max(self._stroke_start - start, 0), self._lead[0].shape[0])
        lead_f, lead_r = (x[x.shape[0] - lead :] for x in self._lead)
        stroke = np.concatenate([lead_f, *self._buffer])[: end - self._stroke_start + lead]
        raw = np.concatenate([lead_r, *self._raw])[: end - self._stroke_start + lead]
        raw_max = np.max(raw, axis=0)
        clipped = clipped_channels(raw_max[None, :], self.reference.profile)
        try:
            scored = score_stroke(
                stroke, fs, self.reference, start_s=start / fs, clipped_channels=clipped
            )
        except NotAStrokeError:
            # A touch, a rest or another technique: no score, and the session goes on
            # (nor does it teach the coach the student's force level).
            self.not_strokes += 1
            return None
        self._peaks = [*self._peaks[-2:], float(stroke.sum(axis=1).max())]
        self._gain = float(
            np.clip(self.reference.peak_force_n[0] / max(np.median(self._peaks), 1e-6), 1 / 3, 3)
        )
        return scored

    def _end_stroke(self, *, counted: bool = True) -> None:
        if self._in_stroke and counted:
            self._strokes += 1
        self._in_stroke = False
        self._partial = False
        self._buffer = []
        self._raw = []
        for gate in self._gates.values():
            gate.reset()
