"""Rest / active detection with hysteresis, streaming and offline (identical results)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from trainer.signal.filters import segments_from_gaps

__all__ = ["ActivityDetector", "Segment", "active_segments"]


@dataclass(frozen=True, slots=True)
class Segment:
    """An active period in absolute sample indices.

    Parameters
    ----------
    start : int
        First active sample (inclusive).
    end : int
        One past the last active sample (exclusive).
    truncated : bool
        Ended by a gap or the end of the stream rather than by a return to rest.
    """

    start: int
    end: int
    truncated: bool = False

    def __len__(self) -> int:
        return self.end - self.start


class ActivityDetector:
    """Find active periods in a total-force stream, with hysteresis.

    Active begins at the first sample above ``on_threshold_n``; it ends when the force
    stays below ``off_threshold_n`` for ``min_rest_s`` (the segment ends where that
    quiet run began). Segments shorter than ``min_active_s`` are discarded (fidgets,
    bumps). A gap ends the current segment (``truncated=True``).

    Parameters
    ----------
    fs_hz : float
        Sample rate.
    on_threshold_n, off_threshold_n : float
        Hysteresis thresholds, ``off <= on``.
    min_active_s, min_rest_s : float
        Minimum durations.
    """

    def __init__(
        self,
        fs_hz: float,
        *,
        on_threshold_n: float = 2.0,
        off_threshold_n: float = 1.0,
        min_active_s: float = 0.2,
        min_rest_s: float = 0.2,
    ) -> None:
        if off_threshold_n > on_threshold_n:
            raise ValueError("off_threshold_n must not exceed on_threshold_n")
        self.on = on_threshold_n
        self.off = off_threshold_n
        self.min_active = max(1, round(min_active_s * fs_hz))
        self.min_rest = max(1, round(min_rest_s * fs_hz))
        self.reset()

    def reset(self) -> None:
        """Start over at sample index 0, at rest."""
        self.index = 0
        self.active = False
        self._start = 0
        self._quiet_since: int | None = None

    def _close(self, end: int, truncated: bool) -> list[Segment]:
        self.active = False
        self._quiet_since = None
        if end - self._start >= self.min_active:
            return [Segment(self._start, end, truncated)]
        return []

    def push(self, total_force: Any, *, gap_before: bool = False) -> list[Segment]:
        """Feed total force ``(k,)``; return segments completed in this block."""
        x = np.asarray(total_force, dtype=np.float64).ravel()
        done: list[Segment] = []
        if gap_before and self.active:
            end = self._quiet_since if self._quiet_since is not None else self.index
            done += self._close(end, truncated=True)
        for v in x:
            i = self.index
            if not self.active:
                if v > self.on:
                    self.active = True
                    self._start = i
                    self._quiet_since = None
            elif v < self.off:
                if self._quiet_since is None:
                    self._quiet_since = i
                if i - self._quiet_since + 1 >= self.min_rest:
                    done += self._close(self._quiet_since, truncated=False)
            else:
                self._quiet_since = None
            self.index += 1
        return done

    def flush(self) -> list[Segment]:
        """End of stream: close an open segment (``truncated=True``)."""
        if not self.active:
            return []
        end = self._quiet_since if self._quiet_since is not None else self.index
        return self._close(end, truncated=self._quiet_since is None)


def active_segments(
    total_force: Any, fs_hz: float, *, gap_starts: Any = (), **thresholds: float
) -> list[Segment]:
    """Offline :class:`ActivityDetector` over a whole signal (same result as streaming).

    Parameters
    ----------
    total_force : array_like
        ``(n,)`` newtons.
    fs_hz : float
        Sample rate.
    gap_starts : iterable of int
        Samples preceded by a gap.
    **thresholds
        Passed to :class:`ActivityDetector`.
    """
    x = np.asarray(total_force, dtype=np.float64).ravel()
    detector = ActivityDetector(fs_hz, **thresholds)
    segments: list[Segment] = []
    for k, (a, b) in enumerate(segments_from_gaps(x.size, gap_starts)):
        segments += detector.push(x[a:b], gap_before=k > 0)
    return segments + detector.flush()
