"""The simulator's technique models: how long, how hard and where each technique loads.

Part of :mod:`sensors.strokes`, whose module table gives each figure's source (or says
it is a choice of this simulator); :func:`sensors.strokes.simulate_take` performs them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sensors.exceptions import SourceError

__all__ = ["MODELS", "TECHNIQUES", "TechniqueModel", "technique_model"]

TECHNIQUES = ("effleurage", "petrissage", "friction", "tapotement")


@dataclass(frozen=True, slots=True)
class TechniqueModel:
    """Parameters of one technique (see :mod:`sensors.strokes` for their sources).

    Parameters
    ----------
    stroke_s : float
        Loaded duration of one stroke, seconds.
    rest_s : float
        Light/unloaded time between strokes, seconds.
    peak_n : float
        Peak total force of a stroke, newtons (``None`` → from ``peak_kpa``).
    peak_kpa : float or None
        Peak pressure on the loaded sensors instead of a force (friction).
    shares : dict
        Load share per region during the stroke (normalised over the regions a glove has).
    strike_hz : float or None
        Percussion rate inside a stroke (tapotement).
    """

    stroke_s: float
    rest_s: float
    peak_n: float
    shares: dict[str, float]
    peak_kpa: float | None = None
    strike_hz: float | None = None


MODELS: dict[str, TechniqueModel] = {
    "effleurage": TechniqueModel(
        stroke_s=0.9,
        rest_s=0.45,
        peak_n=20.0,
        shares={
            "palm_heel": 0.35,
            "palm": 0.40,
            "thumb": 0.07,
            "index": 0.05,
            "middle": 0.05,
            "ring": 0.04,
            "little": 0.04,
        },
    ),
    "petrissage": TechniqueModel(
        stroke_s=0.6,
        rest_s=0.4,
        peak_n=14.0,
        shares={
            "palm_heel": 0.10,
            "palm": 0.15,
            "thumb": 0.30,
            "index": 0.15,
            "middle": 0.15,
            "ring": 0.10,
            "little": 0.05,
        },
    ),
    "friction": TechniqueModel(
        stroke_s=0.6,
        rest_s=0.3,
        peak_n=0.0,
        peak_kpa=227.0,
        shares={"thumb": 0.6, "index": 0.25, "middle": 0.15},
    ),
    "tapotement": TechniqueModel(
        stroke_s=1.5,
        rest_s=0.8,
        peak_n=8.0,
        strike_hz=6.0,
        shares={"palm_heel": 0.05, "index": 0.15, "middle": 0.2, "ring": 0.25, "little": 0.35},
    ),
}


def technique_model(technique: str) -> TechniqueModel:
    """Return the model of ``technique`` (one of :data:`TECHNIQUES`).

    Raises
    ------
    SourceError
        A technique the simulator cannot perform (the message lists those it can).
    """
    try:
        return MODELS[technique]
    except KeyError:
        raise SourceError(
            f"unknown technique {technique!r} (known: {', '.join(TECHNIQUES)})"
        ) from None
