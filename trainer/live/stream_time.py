"""Scores restated in stream time: the scoring thread's record of when each sample was.

Part of :mod:`trainer.live.engine`. The scorer counts samples since it was set; a
capture counts seconds of stream time, with gaps. :class:`ScoredTimes` remembers the
stream time of each sample given to the scorer (by index since it was set), so a
stroke's span becomes capture time even across gaps. The scoring thread alone uses it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

__all__ = ["ScoredTimes"]


class ScoredTimes:
    """Stream time of the last ``size`` samples given to the scorer.

    Parameters
    ----------
    size : int
        Samples remembered (the engine keeps a minute: far longer than any stroke).
    """

    def __init__(self, size: int) -> None:
        self._t = np.full(max(1, size), np.nan)
        self._n = 0
        self._generation = 0

    def add(self, generation: int, t: np.ndarray) -> None:
        """Record the times of the next samples scored by scorer ``generation``.

        A new generation (a new scorer) counts from 0.
        """
        if generation != self._generation:
            self._generation = generation
            self._n = 0
        n, ring = self._n, self._t.shape[0]
        self._t[(n + np.arange(t.shape[0])) % ring] = t
        self._n = n + t.shape[0]

    def restate(self, score: Any, fs: float) -> Any:
        """Restate a score's span in stream time, the time base of the capture.

        The scorer counts samples since it was set (``start_s * fs``). A span no longer
        (or never) remembered, or a score that is not a dataclass, is returned as it is.
        """
        first = round(float(score.start_s) * fs)
        last = first + max(1, round((float(score.end_s) - float(score.start_s)) * fs)) - 1
        ring = self._t.shape[0]
        if not (self._n - ring <= first <= last < self._n):
            return score
        t0, t1 = self._t[first % ring], self._t[last % ring]
        if not (np.isfinite(t0) and np.isfinite(t1)) or not hasattr(score, "__dataclass_fields__"):
            return score
        return dataclasses.replace(
            score, start_s=round(float(t0), 6), end_s=round(float(t1) + 1.0 / fs, 6)
        )
