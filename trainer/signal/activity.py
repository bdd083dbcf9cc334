"""Rest / active detection with hysteresis, streaming and offline (identical results).

A stroke starts when the total force rises above an *on* threshold and ends when it
has stayed below a lower *off* threshold for a while; fidgets shorter than a minimum
are dropped. The offline function runs the streaming detector over the whole signal,
so the two agree for any block split by construction (and the tests check it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from trainer.exceptions import SignalError
from trainer.signal.filters import segments_from_gaps

__all__ = ["ActivityDetector", "Segment", "active_segments", "thresholds_from_rest"]

# 1.4826 × MAD estimates the standard deviation of Gaussian noise.
_MAD_TO_SIGMA = 1.4826


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
        Ended by a gap or by the end of the stream while the force was still up,
        rather than by a return to rest.
    """

    start: int
    end: int
    truncated: bool = False

    def __len__(self) -> int:
        return self.end - self.start


def thresholds_from_rest(
    total_at_rest: Any,
    *,
    on_sigma: float = 8.0,
    off_sigma: float = 4.0,
    min_on_n: float = 1.0,
    min_off_n: float = 0.5,
) -> tuple[float, float]:
    """Hysteresis thresholds from a stretch of rest, relative to its noise floor.

    The rest level is the median and the noise ``sigma = 1.4826 * MAD`` (robust to a
    few bumps). ``on = level + max(min_on_n, on_sigma * sigma)`` and
    ``off = level + max(min_off_n, off_sigma * sigma)``; the minimums keep a very
    quiet glove from triggering on a brush.

    Parameters
    ----------
    total_at_rest : array_like
        Total force ``(n,)`` in newtons recorded at rest, ``n >= 2``.
    on_sigma, off_sigma : float
        Threshold heights in noise standard deviations.
    min_on_n, min_off_n : float
        Smallest heights above the rest level, newtons.

    Returns
    -------
    tuple of float
        ``(on_threshold_n, off_threshold_n)`` in newtons, ``off <= on``.

    Raises
    ------
    SignalError
        Too few or non-finite samples, or ``off_sigma > on_sigma`` / ``min_off_n >
        min_on_n``.
    """
    x = np.asarray(total_at_rest, dtype=np.float64).ravel()
    if x.size < 2 or not np.all(np.isfinite(x)):
        raise SignalError("need at least 2 finite rest samples to estimate the noise floor")
    if off_sigma > on_sigma or min_off_n > min_on_n:
        raise SignalError("the off threshold must not be set above the on threshold")
    level = float(np.median(x))
    sigma = _MAD_TO_SIGMA * float(np.median(np.abs(x - level)))
    return level + max(min_on_n, on_sigma * sigma), level + max(min_off_n, off_sigma * sigma)


class ActivityDetector:
    """Find active periods in a total-force stream, with hysteresis.

    Active begins at the first sample above ``on_threshold_n``. It ends when the
    force stays below ``off_threshold_n`` for ``min_rest_s``; the segment ends where
    that quiet run began. Dips that do not last that long are bridged. With
    ``max_lead_s``, the same rule runs backwards: the segment begins where the force
    last rose above ``off_threshold_n`` after a quiet run of ``min_rest_s`` (at most
    ``max_lead_s`` before the rise above ``on``), so a burst of strikes begun lightly,
    under ``on``, is one segment from its first strike. Segments
    shorter than ``min_active_s`` are discarded (fidgets, bumps). A gap ends the
    current segment (``truncated=True``). Sample indices are absolute: counted over
    every sample pushed since construction or :meth:`reset`, gaps included.

    Parameters
    ----------
    fs_hz : float
        Sample rate in Hz.
    on_threshold_n, off_threshold_n : float
        Hysteresis thresholds on the total force in newtons, ``off <= on`` (see
        :func:`thresholds_from_rest` to derive them from the noise floor).
    min_active_s, min_rest_s : float
        Shortest stroke kept and shortest quiet run that ends one, seconds (each at
        least one sample).
    max_lead_s : float
        Longest lead-in before the rise above ``on`` that a segment takes in, seconds
        (0: none, the segment begins at the rise).

    Raises
    ------
    SignalError
        On a bad rate, ``off > on`` or negative durations.
    """

    def __init__(
        self,
        fs_hz: float,
        *,
        on_threshold_n: float = 2.0,
        off_threshold_n: float = 1.0,
        min_active_s: float = 0.2,
        min_rest_s: float = 0.2,
        max_lead_s: float = 0.0,
    ) -> None:
        if not math.isfinite(fs_hz) or fs_hz <= 0:
            raise SignalError(f"fs_hz must be a finite rate > 0 Hz, got {fs_hz!r}")
        if not (math.isfinite(on_threshold_n) and math.isfinite(off_threshold_n)):
            raise SignalError("thresholds must be finite")
        if off_threshold_n > on_threshold_n:
            raise SignalError("off_threshold_n must not exceed on_threshold_n")
        if min_active_s < 0 or min_rest_s < 0 or not max_lead_s >= 0:
            raise SignalError("durations must be >= 0 s")
        self.fs_hz = float(fs_hz)
        self.on = float(on_threshold_n)
        self.off = float(off_threshold_n)
        self.min_active = max(1, round(min_active_s * fs_hz))
        self.min_rest = max(1, round(min_rest_s * fs_hz))
        self.max_lead = round(max_lead_s * fs_hz) if math.isfinite(max_lead_s) else 2**62
        self.reset()

    @classmethod
    def from_rest(
        cls,
        total_at_rest: Any,
        fs_hz: float,
        *,
        min_active_s: float = 0.2,
        min_rest_s: float = 0.2,
        **noise: float,
    ) -> ActivityDetector:
        """Build a detector whose thresholds come from :func:`thresholds_from_rest`.

        Parameters
        ----------
        total_at_rest : array_like
            Total force ``(n,)`` in newtons recorded at rest.
        fs_hz : float
            Sample rate in Hz.
        min_active_s, min_rest_s : float
            As for the constructor.
        **noise
            Passed to :func:`thresholds_from_rest`.

        Returns
        -------
        ActivityDetector
            A fresh detector.
        """
        on, off = thresholds_from_rest(total_at_rest, **noise)
        return cls(
            fs_hz,
            on_threshold_n=on,
            off_threshold_n=off,
            min_active_s=min_active_s,
            min_rest_s=min_rest_s,
        )

    def reset(self) -> None:
        """Start over at sample index 0, at rest."""
        self.index = 0
        self.active = False
        self._start = 0
        self._quiet_since: int | None = None
        # At rest: where the current run above ``off`` began (quiet runs shorter than
        # ``min_rest`` bridged), and where its current quiet run began.
        self._lead: int | None = None
        self._lead_quiet: int | None = None

    def _close(self, end: int, truncated: bool) -> list[Segment]:
        self.active = False
        self._quiet_since = None
        self._lead = self._lead_quiet = None
        if end - self._start >= self.min_active:
            return [Segment(self._start, end, truncated)]
        return []

    def classify(
        self, total_force: Any, *, gap_before: bool = False
    ) -> tuple[list[Segment], np.ndarray]:
        """Feed total force and also get the per-sample state.

        Parameters
        ----------
        total_force : array_like
            Total force ``(k,)`` in newtons, ``k >= 0``.
        gap_before : bool
            Samples were lost before this block: end any open segment.

        Returns
        -------
        segments : list of Segment
            Segments completed in this block.
        active : numpy.ndarray
            ``(k,)`` bool, the detector's state after each sample. Causal: the quiet
            run that finally ends a segment is still marked active, and a bump later
            dropped as too short is marked active while it lasts. ``~active`` is a
            safe rest mask (e.g. for :class:`~trainer.signal.DriftMonitor`).

        Raises
        ------
        SignalError
            On non-finite or multi-dimensional input.
        """
        x = np.asarray(total_force, dtype=np.float64)
        if x.ndim > 1:
            raise SignalError(f"total force must be (k,), got shape {x.shape}")
        x = x.ravel()
        if not np.all(np.isfinite(x)):
            raise SignalError("total force must be finite")
        done: list[Segment] = []
        mask = np.empty(x.size, dtype=bool)
        if gap_before and self.active:
            end = self._quiet_since if self._quiet_since is not None else self.index
            done += self._close(end, truncated=True)
        if gap_before:  # a lead-in does not reach across a gap
            self._lead = self._lead_quiet = None
        on, off, min_rest, max_lead = self.on, self.off, self.min_rest, self.max_lead
        for j, v in enumerate(x.tolist()):
            i = self.index + j
            if not self.active:
                if v > on:
                    self.active = True
                    lead = self._lead
                    self._start = i if lead is None or i - lead > max_lead else lead
                    self._quiet_since = None
                elif max_lead and v >= off:
                    if self._lead is None:
                        self._lead = i
                    self._lead_quiet = None
                elif self._lead is not None:
                    if self._lead_quiet is None:
                        self._lead_quiet = i
                    if i - self._lead_quiet + 1 >= min_rest:
                        self._lead = self._lead_quiet = None
            elif v < off:
                if self._quiet_since is None:
                    self._quiet_since = i
                if i - self._quiet_since + 1 >= min_rest:
                    done += self._close(self._quiet_since, truncated=False)
            else:
                self._quiet_since = None
            mask[j] = self.active
        self.index += x.size
        return done, mask

    def push(self, total_force: Any, *, gap_before: bool = False) -> list[Segment]:
        """Feed total force ``(k,)`` in newtons; return the segments completed in this block.

        Parameters
        ----------
        total_force : array_like
            Total force ``(k,)`` in newtons, ``k >= 0``.
        gap_before : bool
            Samples were lost before this block: end any open segment.

        Returns
        -------
        list of Segment
            Completed segments, in order.
        """
        return self.classify(total_force, gap_before=gap_before)[0]

    def flush(self) -> list[Segment]:
        """End of stream: close an open segment.

        Returns
        -------
        list of Segment
            The open segment if long enough; ``truncated`` unless it was already in
            its final quiet run.
        """
        if not self.active:
            return []
        end = self._quiet_since if self._quiet_since is not None else self.index
        return self._close(end, truncated=self._quiet_since is None)


def active_segments(
    total_force: Any, fs_hz: float, *, gap_starts: Any = (), **thresholds: float
) -> list[Segment]:
    """Active segments of a whole signal: the streaming detector run offline.

    Gives exactly what :class:`ActivityDetector` gives when fed the same samples in any
    block split (with ``gap_before`` at the gaps) and then flushed. (A gap after the
    last sample has no offline equivalent: streaming, it would mark an open segment
    ``truncated`` even when already in its final quiet run.)

    Parameters
    ----------
    total_force : array_like
        Total force ``(n,)`` in newtons.
    fs_hz : float
        Sample rate in Hz.
    gap_starts : array_like of int or of bool
        Gap positions, as for :func:`~trainer.signal.segments_from_gaps`.
    **thresholds
        ``on_threshold_n``, ``off_threshold_n``, ``min_active_s``, ``min_rest_s``,
        passed to :class:`ActivityDetector`.

    Returns
    -------
    list of Segment
        In order, non-overlapping, absolute indices into ``total_force``.
    """
    x = np.asarray(total_force, dtype=np.float64).ravel()
    detector = ActivityDetector(fs_hz, **thresholds)
    segments: list[Segment] = []
    for k, (a, b) in enumerate(segments_from_gaps(x.size, gap_starts)):
        segments += detector.push(x[a:b], gap_before=k > 0)
    return segments + detector.flush()
