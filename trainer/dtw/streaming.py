"""Incremental DTW on live streams: open-end alignment and SPRING stroke spotting.

Both keep one DP column/row between calls, so each new sample costs
``O(len(template) × channels)`` whatever the stream's length, and pushing a stream in any
block split gives exactly the same results as pushing it at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trainer.dtw import _kernels
from trainer.dtw._validate import SeriesLike, as_series, radius
from trainer.exceptions import SignalError

__all__ = ["Match", "OpenEndAligner", "StreamingMatcher"]


def _block(x: SeriesLike, channels: int) -> np.ndarray:
    arr = as_series(x, "block", allow_empty=True)
    if arr.shape[1] != channels:
        raise SignalError(f"block has {arr.shape[1]} channels, the template {channels}")
    return arr


class OpenEndAligner:
    """Where in the template a live performance is now: incremental open-end DTW.

    The stream runs along the rows of the DTW matrix and the template along the columns.
    Each pushed sample adds one row (symmetric1 steps: diagonal, vertical and horizontal,
    all weight 1, squared-Euclidean local cost); the stream's end is fixed at its newest
    sample while the template's end is open, so the current position is the column with
    the smallest accumulated cost in the newest row. This is dtw-python's
    ``dtw(cost, step_pattern=symmetric1, open_end=True)`` ``jmin`` after every sample, at
    ``O(len(template) × d)`` per sample instead of a full recomputation.

    Parameters
    ----------
    template : array_like
        Reference ``(m,)`` or ``(m, d)``, same units and channels as the stream.
    window : int or None
        Sakoe–Chiba radius in samples: stream sample ``i`` (counted from the last
        :meth:`reset`) may only match template samples ``j`` with ``|i - j| <= window``
        (dtw-python's ``window_type="sakoechiba"``). Because the stream's final length is
        unknown the band is not widened; once the stream is more than ``window`` samples
        longer than the template no alignment is left (:attr:`distance` becomes ``inf``).
        ``None``: no band.

    Raises
    ------
    SignalError
        Invalid template or ``window``.
    """

    def __init__(self, template: SeriesLike, *, window: int | None = None) -> None:
        self._template = as_series(template, "template").copy()
        self._r = radius(window)
        m = self._template.shape[0]
        self._row = np.full(m, np.inf)
        self._scratch = np.empty(m)
        self.reset()

    @property
    def template(self) -> np.ndarray:
        """Copy of the template, ``(m, d)``."""
        return self._template.copy()

    @property
    def samples(self) -> int:
        """Stream samples pushed since the last :meth:`reset`."""
        return self._samples

    def reset(self) -> None:
        """Forget the stream: the next sample starts a new performance at row 0."""
        self._row[:] = np.inf
        self._samples = 0
        self._position = -1
        self._cost = np.inf

    def push(self, values: SeriesLike) -> int:
        """Add stream samples and return the current template position.

        Parameters
        ----------
        values : array_like or object with ``values``
            ``(k,)`` (one channel) or ``(k, d)`` new samples, oldest first; ``k`` may be 0.

        Returns
        -------
        int
            :attr:`position` after the last new sample.

        Raises
        ------
        SignalError
            Invalid samples or a channel count different from the template's.
        """
        x = _block(values, self._template.shape[1])
        if x.shape[0]:
            _kernels.open_end_rows(
                x, self._template, self._row, self._scratch, self._samples, self._r
            )
            self._samples += x.shape[0]
            j = int(np.argmin(self._row))
            self._cost = float(self._row[j])
            self._position = j if np.isfinite(self._cost) else self._template.shape[0] - 1
        return self._position

    @property
    def position(self) -> int:
        """Template index the performer is at, ``-1`` before any sample.

        The argmin of the newest row (lowest index on ties); ``m - 1`` once the band has
        run out.
        """
        return self._position

    @property
    def cost(self) -> float:
        """Open-end accumulated squared cost so far (``inf`` before any sample)."""
        return self._cost

    @property
    def distance(self) -> float:
        """Open-end DTW distance so far: ``sqrt`` of :attr:`cost`, same unit as the input."""
        return float(np.sqrt(self._cost))

    @property
    def row(self) -> np.ndarray:
        """Copy of the newest DP row ``(m,)``: accumulated squared cost per template index."""
        return self._row.copy()


@dataclass(frozen=True, slots=True)
class Match:
    """A stretch of the stream that matches the template.

    Parameters
    ----------
    start : int
        Absolute stream index of the match's first sample (inclusive).
    end : int
        Absolute stream index one past its last sample (exclusive), so the match is
        ``stream[start:end]`` and ``end - start`` samples long.
    distance : float
        DTW distance between the template and ``stream[start:end]`` (``sqrt`` of the
        accumulated squared-Euclidean cost, same unit as the stream).
    """

    start: int
    end: int
    distance: float

    def __len__(self) -> int:
        return self.end - self.start


class StreamingMatcher:
    """Spot template occurrences in an unbounded stream with SPRING.

    SPRING (Sakurai, Faloutsos & Yamamuro 2007, "Stream monitoring under the time warping
    distance", ICDE) runs subsequence DTW with a free start ("star padding") over the
    stream, carrying for every template index the best cost and the start of its path.
    Among overlapping subsequences with distance ``<= threshold`` it reports the best one,
    as soon as no subsequence that overlaps it can still beat it; the match's cells are
    then cleared so later matches never overlap it. Cost per sample:
    ``O(len(template) × d)`` time, ``O(len(template))`` memory.

    Parameters
    ----------
    template : array_like
        ``(m,)`` or ``(m, d)``, same units and channels as the stream (normalise both the
        same way for shape-only matching).
    threshold : float or None
        Largest DTW distance reported, same unit as :func:`~trainer.dtw.dtw_distance`;
        rejects non-strokes. ``None`` means no rejection: every group of overlapping
        candidates yields its best member, so even rest or noise produces matches. Use
        ``None`` for "where is the best match in this recording" (with :meth:`flush`) and
        a threshold for live spotting.
    window : int or None
        Reserved: SPRING's subsequence DTW has no fixed diagonal to band around, so only
        ``None`` is accepted.

    Raises
    ------
    SignalError
        Invalid template, a negative or NaN ``threshold``, or ``window`` not ``None``.

    Notes
    -----
    Stream indices count the samples pushed since the last :meth:`reset`, across pushes.
    A block with ``gap_before=True`` (a :class:`~sensors.blocks.SampleBlock` after lost
    samples) ends every path: the pending candidate is reported (nothing after the gap can
    overlap it) and the next match starts after the gap. As in the paper, cells cleared
    after a report lose their alternative paths, and a pending candidate is replaced by a
    better one that appears while it is still undecided, even if the two do not overlap.
    """

    def __init__(
        self,
        template: SeriesLike,
        *,
        threshold: float | None = None,
        window: int | None = None,
    ) -> None:
        if window is not None:
            raise SignalError("StreamingMatcher has no band: window must be None")
        self._template = as_series(template, "template").copy()
        if threshold is None:
            self._eps = np.inf
        else:
            value = float(threshold)
            if not value >= 0.0:
                raise SignalError(f"threshold must be >= 0, got {threshold!r}")
            self._eps = value * value
        self._threshold = threshold
        m = self._template.shape[0]
        self._d = np.empty(m + 1)
        self._s = np.empty(m + 1, dtype=np.int64)
        self._scratch_d = np.empty(m + 1)
        self._scratch_s = np.empty(m + 1, dtype=np.int64)
        self._state = np.empty(3)
        self.reset()

    @property
    def template(self) -> np.ndarray:
        """Copy of the template, ``(m, d)``."""
        return self._template.copy()

    @property
    def threshold(self) -> float | None:
        """Largest reported DTW distance (``None``: no rejection)."""
        return self._threshold

    @property
    def samples(self) -> int:
        """Stream samples pushed since the last :meth:`reset` (the next sample's index)."""
        return self._samples

    def reset(self) -> None:
        """Forget the stream and any pending candidate; indices restart at 0."""
        self._clear_paths()
        self._state[:] = (np.inf, 0.0, 0.0)
        self._samples = 0

    def _clear_paths(self) -> None:
        self._d[:] = np.inf
        self._d[0] = 0.0
        self._s[:] = 0

    def push(self, block: SeriesLike) -> list[Match]:
        """Feed samples; return the matches that became final, oldest first.

        Parameters
        ----------
        block : array_like or object with ``values``
            ``(k,)`` (one channel) or ``(k, d)`` new samples, or a
            :class:`~sensors.blocks.SampleBlock` (its ``gap_before`` is honoured);
            ``k`` may be 0.

        Returns
        -------
        list of Match
            Possibly empty.

        Raises
        ------
        SignalError
            Invalid samples or a channel count different from the template's.
        """
        x = _block(block, self._template.shape[1])
        found: list[Match] = []
        if getattr(block, "gap_before", False) and self._samples > 0:
            found += self.flush()
            self._clear_paths()
        if x.shape[0] == 0:
            return found
        out = np.empty((x.shape[0], 3))
        written = _kernels.spring_steps(
            x,
            self._template,
            self._d,
            self._s,
            self._scratch_d,
            self._scratch_s,
            self._state,
            self._samples,
            self._eps,
            out,
        )
        self._samples += x.shape[0]
        found += [Match(int(s), int(e) + 1, float(np.sqrt(c))) for s, e, c in out[:written]]
        return found

    def flush(self) -> list[Match]:
        """Report the pending candidate now (at the end of a stream or before a pause).

        Cells whose paths overlap it are cleared, so pushing more samples afterwards never
        reports an overlapping match.

        Returns
        -------
        list of Match
            The pending candidate, or nothing.
        """
        d_min, t_s, t_e = self._state
        if not np.isfinite(d_min):
            return []
        self._d[1:][self._s[1:] <= t_e] = np.inf
        self._state[:] = (np.inf, 0.0, 0.0)
        return [Match(int(t_s), int(t_e) + 1, float(np.sqrt(d_min)))]
