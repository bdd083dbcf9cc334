"""What the live engine drives and what it reports.

The two seams :class:`~trainer.live.engine.Acquisition` drives (a :class:`LiveScorer`
and a :class:`SessionRecorder`), the events it queues (:class:`AcquisitionEvent`, of an
:class:`EventKind`) and the newest scorer state it publishes (:class:`LiveState`).
Re-exported by :mod:`trainer.live.engine` and :mod:`trainer.live`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from sensors.sources.base import SourceStatus

if TYPE_CHECKING:
    from sensors.blocks import SampleBlock

__all__ = ["AcquisitionEvent", "EventKind", "LiveScorer", "LiveState", "SessionRecorder"]


# -- seams the acquisition thread drives ---------------------------------------------


class LiveScorer(Protocol):
    """What the acquisition thread needs from a live scorer (``trainer.scoring.LiveCoach``).

    ``push`` takes an object with ``values`` ``(k, channels)`` newtons and
    ``gap_before`` and returns an update with ``active``, ``position``, ``progress``,
    ``band_ahead`` ``(lo, hi)`` (after the block's last sample), ``finished`` (stroke
    scores), ``positions`` ``(k,)`` (the position after each sample, -1 outside strokes)
    and ``last_cues`` (the cues at the block's last sample), as ``LiveUpdate`` has them.
    ``reference`` must offer ``band_lo``, ``band_hi`` ``(L,)``, ``total`` ``(L,)`` and
    ``fs_hz``.
    """

    reference: Any

    def push(self, block: Any) -> Any:
        """Feed samples, return the live update."""
        ...


class SessionRecorder(Protocol):
    """Where a practice session is recorded (the store, issue 6).

    Called from the engine's threads only, one call at a time and in block order (the
    scoring thread's; ``finish`` at the end may come from the acquisition thread once the
    scoring thread has ended), never from a reader's: implementations may write to disk.
    """

    def start(self, technique: str, reference: str, profile: Any) -> None:
        """Begin a session."""
        ...

    def add_block(self, block: SampleBlock) -> None:
        """Record samples of the session, as they arrive."""
        ...

    def add_score(self, score: Any) -> None:
        """Record a stroke's score."""
        ...

    def finish(self) -> None:
        """End the session (flush, close)."""
        ...


# -- events and live state -------------------------------------------------------------


class EventKind(enum.Enum):
    """What an :class:`AcquisitionEvent` reports."""

    STATUS = "status"  # the source's state changed
    GAP = "gap"  # samples were lost before a block
    STROKE = "stroke"  # the scorer finished a stroke (payload: its score)
    TARE = "tare"  # tare applied (payload: offsets, newtons); re-arms the drift watch
    TARE_FAILED = "tare_failed"
    DRIFT = "drift"  # a sensor's rest level wandered since the tare (payload: DriftWarning)
    ERROR = "error"  # the source or the scorer failed; acquisition stopped
    RECORDING_FAILED = "recording_failed"  # the recorder failed; acquisition goes on
    FINISHED = "finished"  # the source has no more blocks


@dataclass(frozen=True, slots=True)
class AcquisitionEvent:
    """One thing that happened in the acquisition thread.

    Parameters
    ----------
    kind : EventKind
        What happened.
    status : SourceStatus
        The source's status at the time.
    t : float
        Stream time of the newest sample when it happened, seconds (NaN before any).
    message : str
        Human-readable detail.
    payload : object
        Kind-specific data (a stroke score, tare offsets).
    """

    kind: EventKind
    status: SourceStatus
    t: float = float("nan")
    message: str = ""
    payload: Any = None


@dataclass(frozen=True, slots=True)
class LiveState:
    """The newest scorer update and when it was made (latest-value, not queued).

    Parameters
    ----------
    t : float
        Stream time of the last sample the update covers, seconds.
    active : bool
        A stroke is under way.
    position : int
        Template index the student is at (-1 outside strokes).
    progress : float
        Position in the reference, 0–1 (NaN outside strokes).
    band_ahead : tuple of numpy.ndarray
        ``(lo, hi)`` total-force band from the aligned position on, newtons.
    cues : tuple
        Cues to show now (``trainer.scoring.Cue`` members).
    strokes : int
        Strokes scored since the scorer was set.
    """

    t: float = float("nan")
    active: bool = False
    position: int = -1
    progress: float = float("nan")
    band_ahead: tuple[np.ndarray, np.ndarray] = field(
        default_factory=lambda: (np.empty(0), np.empty(0))
    )
    cues: tuple[Any, ...] = ()
    strokes: int = 0
