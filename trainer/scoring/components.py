"""Score components, defined once: name, label, scorer, default weight, deductions.

Every place that lists components -- the overall score, a reference's weights, the JSON
of a stroke, the session store and the score card -- reads this registry, so adding a
component is one :func:`register_component` call (``docs/architecture.md`` has the
recipe; ``tests/trainer/scoring/test_components.py`` does it with a toy component).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trainer.exceptions import ScoringError
from trainer.scoring.model import COMPONENT_NAME

if TYPE_CHECKING:
    from trainer.scoring.measures import ComponentResult, StrokeContext

__all__ = [
    "ScoreComponent",
    "component",
    "component_names",
    "components",
    "default_weights",
    "register_component",
    "unregister_component",
]

_NAME = COMPONENT_NAME


@dataclass(frozen=True, slots=True)
class ScoreComponent:
    """One score component.

    Parameters
    ----------
    name : str
        Stable identifier (``shape``); lowercase letters, digits, ``_``.
    label : str
        What a student reads on the score card (``Shape``).
    scorer : callable
        ``scorer(context: StrokeContext) -> ComponentResult``; pure.
    default_weight : float
        Weight in the overall score when a reference does not set one (>= 0).
    deductions : tuple of str
        Codes (or code prefixes ending in ``_``) of the deductions it can give.
    description : str
        One line: what it judges.
    """

    name: str
    label: str
    scorer: Callable[[StrokeContext], ComponentResult]
    default_weight: float
    deductions: tuple[str, ...]
    description: str = ""


def _builtin(function: str) -> Callable[[StrokeContext], ComponentResult]:
    """Wrap a built-in scorer of :mod:`trainer.scoring.measures`, imported on first use.

    Reading a reference checks its weights against this registry; importing the maths
    (DTW kernels, SciPy's filters) only then would slow ``reference list`` for nothing.
    """

    def scorer(ctx: StrokeContext) -> ComponentResult:
        measures = importlib.import_module("trainer.scoring.measures")
        result: ComponentResult = getattr(measures, function)(ctx)
        return result

    scorer.__name__ = scorer.__qualname__ = function
    return scorer


_BUILTIN = (
    ScoreComponent(
        "shape",
        "Shape",
        _builtin("shape_component"),
        0.3,
        ("shape", "stopped_early"),
        "the force profile over time, and whether the whole stroke was done",
    ),
    ScoreComponent(
        "pressure",
        "Pressure",
        _builtin("pressure_component"),
        0.3,
        ("too_light_", "too_heavy_", "load_", "pressure"),
        "force against the reference's band, and how the load is spread over the hand",
    ),
    ScoreComponent(
        "tempo",
        "Tempo",
        _builtin("tempo_component"),
        0.2,
        ("rushed", "dragged", "rushed_", "dragged_", "tempo"),
        "the stroke's duration, and an even pace within it",
    ),
    ScoreComponent(
        "smoothness",
        "Smoothness",
        _builtin("smoothness_component"),
        0.2,
        ("jerky", "smoothness"),
        "tremor and sudden changes of force (log dimensionless jerk)",
    ),
)
_lock = threading.Lock()
_registry: dict[str, ScoreComponent] = {c.name: c for c in _BUILTIN}


def register_component(new: ScoreComponent) -> None:
    """Add a score component (after the built-in ones, in registration order).

    Parameters
    ----------
    new : ScoreComponent
        The component; its name must be new and well formed, its weight >= 0.

    Raises
    ------
    ScoringError
        Bad or taken name, negative weight.
    """
    if not _NAME.fullmatch(new.name):
        raise ScoringError(f"component name {new.name!r} must be lowercase letters/digits/_")
    if not new.default_weight >= 0:
        raise ScoringError(f"component {new.name!r}: default weight must be >= 0")
    with _lock:
        if new.name in _registry:
            raise ScoringError(f"score component {new.name!r} is already registered")
        _registry[new.name] = new


def unregister_component(name: str) -> None:
    """Remove a component added by :func:`register_component` (built-ins stay).

    Raises
    ------
    ScoringError
        Unknown or built-in component.
    """
    with _lock:
        if name not in _registry or any(c.name == name for c in _BUILTIN):
            raise ScoringError(f"cannot unregister score component {name!r}")
        del _registry[name]


def components() -> tuple[ScoreComponent, ...]:
    """Every registered component, built-ins first."""
    with _lock:
        return tuple(_registry.values())


def component_names() -> tuple[str, ...]:
    """Names of every registered component, in order."""
    return tuple(c.name for c in components())


def component(name: str) -> ScoreComponent:
    """Return the component called ``name``.

    Raises
    ------
    ScoringError
        No such component.
    """
    with _lock:
        found = _registry.get(name)
    if found is None:
        raise ScoringError(f"unknown score component {name!r}")
    return found


def default_weights() -> dict[str, float]:
    """Default weight of every registered component."""
    return {c.name: c.default_weight for c in components()}
