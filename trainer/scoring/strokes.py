"""Finding complete strokes in a recording (filtering, rest detection, gaps, clipping)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sensors.profiles import GloveProfile
from trainer.exceptions import ScoringError
from trainer.signal import (
    active_segments,
    filter_offline,
    resample,
    segments_from_gaps,
    total_force,
)

if TYPE_CHECKING:
    from trainer.scoring.model import Reference

__all__ = [
    "CLIP_FRACTION",
    "MIN_ATTEMPT_SHARE",
    "MIN_BURST_SHARE",
    "MIN_REST_S",
    "ON_THRESHOLD_N",
    "SCORING_CUTOFF_HZ",
    "STRIKE_LEAD_SHARE",
    "STRIKE_REST_PERIODS",
    "FoundStroke",
    "clipped_channels",
    "extend_to_rest",
    "find_strokes",
    "prepare",
    "resample_take",
    "segmentation",
]

#: Low-pass cut-off for scoring: keeps tapotement's ≤ 10 strikes/s and an 8 Hz tremor.
SCORING_CUTOFF_HZ = 20.0
#: A sample at or above this fraction of a sensor's saturation limit counts as clipped.
CLIP_FRACTION = 0.999
#: Rest detection thresholds on the total force, newtons (hysteresis).
ON_THRESHOLD_N = 2.0
OFF_THRESHOLD_N = 1.0
#: A stroke ends after this long below the off threshold, seconds.
MIN_REST_S = 0.2
#: A train of strikes ends only after this many of its experts' strike periods at rest: a
#: burst struck slowly has gaps of 0.2-0.3 s between its strikes, and is one burst.
STRIKE_REST_PERIODS = 2.0
#: A train of strikes takes in light strikes before its first over the 2 N start for up
#: to this share of the experts' mean burst (a third begun lightly, and some to spare).
STRIKE_LEAD_SHARE = 0.5
#: The shortest attempt, as a share of the experts' shortest stroke: a sweep's shorter
#: bumps are fidgets, while a train of strikes let go after two or three strikes is still
#: an attempt, let go early (its rhythm, checked when it is scored, tells it from touches).
MIN_ATTEMPT_SHARE = 0.4
MIN_BURST_SHARE = 0.25
#: A stroke is widened down to this fraction of its peak (see :func:`extend_to_rest`).
REST_FRACTION = 0.03


@dataclass(frozen=True, slots=True, eq=False)
class FoundStroke:
    """A complete stroke found in a recording.

    Parameters
    ----------
    start, end : int
        Sample span ``[start, end)`` in the recording.
    values : numpy.ndarray
        Low-passed forces of the stroke ``(end - start, channels)``, newtons.
    clipped_channels : tuple of int
        Sensors that reached their saturation limit (in the raw samples).
    """

    start: int
    end: int
    values: np.ndarray
    clipped_channels: tuple[int, ...]


def _as_values(values: Any) -> np.ndarray:
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0:
        raise ScoringError(f"forces must be a non-empty (n, channels) array, got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ScoringError("forces contain NaN or infinite values")
    return x


def prepare(values: Any, fs_hz: float, gap_starts: Any = ()) -> np.ndarray:
    """Zero-phase low-pass for offline scoring, never across a gap.

    Parameters
    ----------
    values : array_like
        Forces ``(n, channels)``, newtons.
    fs_hz : float
        Sample rate, Hz.
    gap_starts : iterable of int
        Samples preceded by a gap.

    Returns
    -------
    numpy.ndarray
        Filtered forces, same shape, floored at 0 N.
    """
    cutoff = min(SCORING_CUTOFF_HZ, 0.45 * fs_hz)
    filtered = filter_offline(_as_values(values), fs_hz, cutoff, gap_starts=gap_starts)
    # A force sensor cannot pull: what falls below 0 N is the filter ringing after a
    # crisp strike (tapotement), not force.
    return np.clip(filtered, 0.0, None)


def clipped_channels(raw: np.ndarray, profile: GloveProfile) -> tuple[int, ...]:
    """Sensors whose raw force reached :data:`CLIP_FRACTION` of their saturation limit.

    Parameters
    ----------
    raw : numpy.ndarray
        Unfiltered forces ``(n, channels)``, newtons (filtering would hide the flat top).
    profile : GloveProfile
        Glove with saturation limits.

    Returns
    -------
    tuple of int
        Channel indices, ascending.
    """
    hit = (raw >= profile.saturation_n * CLIP_FRACTION).any(axis=0)
    return tuple(int(c) for c in np.flatnonzero(hit))


def find_strokes(
    values: Any,
    fs_hz: float,
    profile: GloveProfile,
    *,
    gap_starts: Any = (),
    min_active_s: float = 0.2,
    min_rest_s: float = MIN_REST_S,
    max_lead_s: float = 0.0,
) -> list[FoundStroke]:
    """Segment a recording into complete strokes (rest detection with hysteresis).

    A stroke starts when the low-passed total force rises above 2 N and ends when it
    stays below 1 N for ``min_rest_s`` (0.2 s). Only *complete* strokes are returned:
    pieces cut by a gap, by the start of the recording or by its end are left out, so
    nothing is ever scored across a gap or as if half a stroke were a whole one.

    Parameters
    ----------
    values : array_like
        Forces ``(n, channels)``, newtons, unfiltered.
    fs_hz : float
        Sample rate, Hz.
    profile : GloveProfile
        For saturation limits (clipping flags).
    gap_starts : iterable of int
        Samples preceded by a gap.
    min_active_s : float
        Shortest stroke, seconds (shorter bumps are fidgets).
    min_rest_s : float
        Shortest rest between two strokes, seconds (a train of strikes bridges its own
        gaps: see :func:`segmentation`).
    max_lead_s : float
        Longest lead-in of light strikes, under the 2 N start, that a stroke takes in
        (:class:`~trainer.signal.ActivityDetector`), seconds; 0 for none.

    Returns
    -------
    list of FoundStroke
        In recording order.

    Raises
    ------
    ScoringError
        Malformed forces or a channel count that differs from the profile's.
    """
    raw = _as_values(values)
    if raw.shape[1] != len(profile.sensors):
        raise ScoringError(
            f"recording has {raw.shape[1]} channels, glove {profile.name!r} has "
            f"{len(profile.sensors)}"
        )
    gaps = sorted({int(g) for g in gap_starts if 0 < int(g) < raw.shape[0]})
    filtered = prepare(raw, fs_hz, gaps)
    total = total_force(filtered)
    segments = active_segments(
        total,
        fs_hz,
        gap_starts=gaps,
        on_threshold_n=ON_THRESHOLD_N,
        off_threshold_n=OFF_THRESHOLD_N,
        min_active_s=min_active_s,
        min_rest_s=min_rest_s,
        max_lead_s=max_lead_s,
    )
    # A piece that begins on the first sample of a gap-free run while already loaded
    # began before the run did: it is the tail of a stroke, not a stroke.
    runs = segments_from_gaps(raw.shape[0], gaps)
    run_starts = {a for a, _ in runs}
    found = []
    previous_end = 0
    for seg in segments:
        if seg.truncated or (seg.start in run_starts and total[seg.start] > OFF_THRESHOLD_N):
            continue
        run = next((a, b) for a, b in runs if a <= seg.start < b)
        start, end = extend_to_rest(total, seg.start, seg.end, max(run[0], previous_end), run[1])
        previous_end = end
        found.append(
            FoundStroke(
                start,
                end,
                filtered[start:end],
                clipped_channels(raw[start:end], profile),
            )
        )
    return found


def extend_to_rest(total: np.ndarray, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """Widen a stroke found by the fixed thresholds to where its force really starts and ends.

    The detector's 2 N / 1 N thresholds cut a light stroke's ramps far more than a heavy
    one's, which would make the same movement look another shape at another force. The
    stroke is widened, within ``[lo, hi)``, while the total force keeps falling away from
    it and stays above :data:`REST_FRACTION` of the stroke's peak.

    Parameters
    ----------
    total : numpy.ndarray
        Low-passed total force of the recording ``(n,)``, newtons.
    start, end : int
        The detected span ``[start, end)``.
    lo, hi : int
        Limits it may not cross (a gap, the previous stroke).

    Returns
    -------
    start, end : int
        The widened span.
    """
    floor = REST_FRACTION * float(total[start:end].max())
    while start > lo and floor < total[start - 1] <= total[start]:
        start -= 1
    last = end - 1
    while last + 1 < hi and floor < total[last + 1] <= total[last]:
        last += 1
    return start, last + 1


def resample_take(
    values: Any, fs_from_hz: float, fs_to_hz: float, gap_starts: Any = ()
) -> tuple[np.ndarray, tuple[int, ...]]:
    """Resample a recording run by run, keeping its gaps (never interpolating across one).

    Parameters
    ----------
    values : array_like
        Forces ``(n, channels)`` at ``fs_from_hz``.
    fs_from_hz, fs_to_hz : float
        Rates, Hz.
    gap_starts : iterable of int
        Samples preceded by a gap (input indexing).

    Returns
    -------
    values : numpy.ndarray
        Resampled forces ``(n', channels)``.
    gap_starts : tuple of int
        Gap positions in the output indexing.
    """
    x = _as_values(values)
    if fs_from_hz == fs_to_hz:
        return x, tuple(sorted({int(g) for g in gap_starts if 0 < int(g) < x.shape[0]}))
    pieces, starts, n = [], [], 0
    for a, b in segments_from_gaps(x.shape[0], gap_starts):
        piece = resample(x[a:b], fs_from_hz, fs_to_hz) if b - a > 1 else x[a:b]
        if n:
            starts.append(n)
        pieces.append(piece)
        n += piece.shape[0]
    return np.concatenate(pieces), tuple(starts)


def segmentation(reference: Reference) -> dict[str, float]:
    """How a recording is cut into attempts at ``reference`` (``find_strokes``' keywords).

    The shortest attempt is 40 % of the experts' shortest stroke (shorter bumps are
    fidgets), a quarter for a train of strikes (two or three strikes let go early are an
    attempt: the benchmark's bursts stopped at 40 % were dropped unscored); a train of
    strikes ends only after :data:`STRIKE_REST_PERIODS` of its
    experts' strike periods at rest, so a burst struck at half their rate is one burst,
    not each strike a piece (a sweep, or a reference without a strike period: 0.2 s).
    A train also begins at its first strike over the 1 N rest level, not at its first
    over the 2 N start, up to :data:`STRIKE_LEAD_SHARE` of the experts' mean burst
    earlier: a student who begins lightly has begun (cut there, the burst would look
    let go early, and its light start would go unseen).

    Parameters
    ----------
    reference : Reference
        What the attempts are scored against.

    Returns
    -------
    dict
        ``min_active_s``, ``min_rest_s`` and ``max_lead_s``, seconds.
    """
    rest, lead, shortest = MIN_REST_S, 0.0, MIN_ATTEMPT_SHARE
    if reference.strike_period_s > 0:
        rest = max(rest, STRIKE_REST_PERIODS * reference.strike_period_s)
        lead = STRIKE_LEAD_SHARE * reference.duration_s[1]
        shortest = MIN_BURST_SHARE
    return {
        "min_active_s": shortest * reference.duration_s[0],
        "min_rest_s": rest,
        "max_lead_s": lead,
    }
