"""The live engine, Qt-free: source -> tare -> live coach -> recorder in one thread.

:class:`Acquisition` reads a source in its own thread into a :class:`RingBuffer`
(pulled by readers as :class:`Snapshot` copies), a bounded event queue and the newest
:class:`LiveState`; it drives a :class:`LiveScorer` and a :class:`SessionRecorder`.
The GUI, the ``record`` command (:func:`record_to_file`, with a
:class:`CaptureFileRecorder`), the soak test and the benchmarks all use it.
Importing this package never imports PySide6 or pyqtgraph.
"""

from __future__ import annotations

from trainer.live.buffer import RingBuffer, Snapshot, with_gap_breaks
from trainer.live.engine import (
    TRACK_COLUMNS,
    Acquisition,
    AcquisitionEvent,
    EventKind,
    LiveScorer,
    LiveState,
    SessionRecorder,
)
from trainer.live.feedback import FeedbackMode, FeedbackPolicy, StrokeFeedback
from trainer.live.recording import CaptureFileRecorder, RecordResult, record_to_file

__all__ = [
    "TRACK_COLUMNS",
    "Acquisition",
    "AcquisitionEvent",
    "CaptureFileRecorder",
    "EventKind",
    "FeedbackMode",
    "FeedbackPolicy",
    "LiveScorer",
    "LiveState",
    "RecordResult",
    "RingBuffer",
    "SessionRecorder",
    "Snapshot",
    "StrokeFeedback",
    "record_to_file",
    "with_gap_breaks",
]
