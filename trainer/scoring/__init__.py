"""References, stroke scoring, technique recognition and live feedback (pure maths).

* :mod:`~trainer.scoring.model` — :class:`Reference`, :class:`StrokeScore`, :class:`Deduction`;
* :mod:`~trainer.scoring.strokes` — finding complete strokes (gaps, clipping);
* :mod:`~trainer.scoring.build` — a reference from an instructor's takes;
* :mod:`~trainer.scoring.scoring` — shape, pressure, tempo, smoothness, deductions;
* :mod:`~trainer.scoring.safety` — over-pressure against published pain thresholds;
* :mod:`~trainer.scoring.recognition` — which technique a stroke is, or none;
* :mod:`~trainer.scoring.live` — position, band ahead and calm cues while practising.

Formulas are documented in ``docs/scoring.md``. Reading and writing reference files is
:mod:`trainer.store.references`' job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trainer._lazy import attach

if TYPE_CHECKING:
    from trainer.scoring.build import band, build_reference
    from trainer.scoring.components import (
        ScoreComponent,
        component_names,
        components,
        register_component,
        unregister_component,
    )
    from trainer.scoring.live import (
        FEEDBACK_MODES,
        Cue,
        CueGate,
        FeedbackSchedule,
        LiveCoach,
        LiveUpdate,
    )
    from trainer.scoring.model import (
        COMPONENTS,
        DEFAULT_WEIGHTS,
        Deduction,
        Reference,
        StrokeScore,
        check_weights,
        region_names,
    )
    from trainer.scoring.recognition import REJECT_FACTOR, Recogniser, Recognition, recognise
    from trainer.scoring.safety import CAUTION_KPA, PAIN_THRESHOLDS_KPA, caution_force_n
    from trainer.scoring.scoring import (
        MINOR_POINTS,
        PHASES,
        check_compatible,
        score_stroke,
        score_strokes,
        shape_distance,
    )
    from trainer.scoring.strokes import (
        FoundStroke,
        find_strokes,
        prepare,
        resample_take,
        segmentation,
    )

# Imported on first use (see trainer._lazy): importing the package stays cheap.
__getattr__, __dir__ = attach(
    __name__,
    {
        "trainer.scoring.build": ("band", "build_reference"),
        "trainer.scoring.live": (
            "FEEDBACK_MODES",
            "Cue",
            "CueGate",
            "FeedbackSchedule",
            "LiveCoach",
            "LiveUpdate",
        ),
        "trainer.scoring.model": (
            "COMPONENTS",
            "DEFAULT_WEIGHTS",
            "Deduction",
            "Reference",
            "StrokeScore",
            "check_weights",
            "region_names",
        ),
        "trainer.scoring.recognition": ("REJECT_FACTOR", "Recogniser", "Recognition", "recognise"),
        "trainer.scoring.safety": ("CAUTION_KPA", "PAIN_THRESHOLDS_KPA", "caution_force_n"),
        "trainer.scoring.scoring": (
            "MINOR_POINTS",
            "PHASES",
            "check_compatible",
            "score_stroke",
            "score_strokes",
            "shape_distance",
        ),
        "trainer.scoring.components": (
            "ScoreComponent",
            "component_names",
            "components",
            "register_component",
            "unregister_component",
        ),
        "trainer.scoring.strokes": (
            "FoundStroke",
            "find_strokes",
            "prepare",
            "resample_take",
            "segmentation",
        ),
    },
)

__all__ = [
    "CAUTION_KPA",
    "COMPONENTS",
    "DEFAULT_WEIGHTS",
    "FEEDBACK_MODES",
    "MINOR_POINTS",
    "PAIN_THRESHOLDS_KPA",
    "PHASES",
    "REJECT_FACTOR",
    "Cue",
    "CueGate",
    "Deduction",
    "FeedbackSchedule",
    "FoundStroke",
    "LiveCoach",
    "LiveUpdate",
    "Recogniser",
    "Recognition",
    "Reference",
    "ScoreComponent",
    "StrokeScore",
    "band",
    "build_reference",
    "caution_force_n",
    "check_compatible",
    "check_weights",
    "component_names",
    "components",
    "find_strokes",
    "prepare",
    "recognise",
    "region_names",
    "register_component",
    "resample_take",
    "score_stroke",
    "score_strokes",
    "segmentation",
    "shape_distance",
    "unregister_component",
]
