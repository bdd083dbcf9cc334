"""References, stroke scoring, technique recognition and live feedback (pure maths).

Formulas are documented in ``docs/scoring.md``.
"""

from __future__ import annotations

from trainer.scoring.live import Cue, CueGate, FeedbackSchedule, LiveCoach, LiveUpdate
from trainer.scoring.model import COMPONENTS, DEFAULT_WEIGHTS, Deduction, Reference, StrokeScore
from trainer.scoring.scoring import (
    CAUTION_KPA,
    PHASES,
    FoundStroke,
    build_reference,
    find_strokes,
    prepare,
    recognise,
    score_stroke,
    score_strokes,
    shape_distance,
)

__all__ = [
    "CAUTION_KPA",
    "COMPONENTS",
    "DEFAULT_WEIGHTS",
    "PHASES",
    "Cue",
    "CueGate",
    "Deduction",
    "FeedbackSchedule",
    "FoundStroke",
    "LiveCoach",
    "LiveUpdate",
    "Reference",
    "StrokeScore",
    "build_reference",
    "find_strokes",
    "prepare",
    "recognise",
    "score_stroke",
    "score_strokes",
    "shape_distance",
]
