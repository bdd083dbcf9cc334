"""Technique recognition: which reference a stroke is, or none of them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from trainer.exceptions import ScoringError
from trainer.scoring.alignment import align_stroke
from trainer.scoring.measures import (
    MIN_SHAPE_SCALE,
    SHAPE_SCALE,
    SHARE_MIN_TOL,
    load_distance,
    stroke_context,
)
from trainer.scoring.model import Reference
from trainer.signal import resample

__all__ = ["REJECT_FACTOR", "Recogniser", "Recognition", "recognise"]

#: A stroke further than this (combined distance, see :class:`Recogniser`) from every
#: reference is "none of them".
REJECT_FACTOR = 3.0


@dataclass(frozen=True, slots=True)
class Recognition:
    """Result of recognising one stroke.

    Parameters
    ----------
    technique : str or None
        Technique of the nearest reference, or ``None`` when the stroke is none of them.
    reference : str or None
        Name of that reference.
    relative : dict
        Combined distance to each reference whose distance was computed (references
        pruned by the lower bound are absent).
    pruned : int
        References skipped thanks to the lower bound.
    """

    technique: str | None
    reference: str | None
    relative: dict[str, float] = field(default_factory=dict)
    pruned: int = 0


class Recogniser:
    """Nearest reference by the scorer's own measures, with pruning and rejection.

    For each reference a stroke's distance combines, each in units of what experts
    vary by: the level-corrected shape distance over the shape scale (as the shape
    score measures it), the log duration ratio over ln 1.5, the log peak-force ratio
    over ln 2 and the load-share distance over the pressure score's load tolerance
    (``max(0.08, Σ sd)``). The nearest wins unless it is more
    than ``reject_factor`` away. The duration, force and load terms cost nothing to
    compute and bound the whole distance from below, so references are visited in
    order of that bound, and one whose bound already exceeds the best so far is not
    aligned at all.

    Parameters
    ----------
    references : sequence of Reference
        Candidates; they must share one glove (same sensors).
    reject_factor : float
        Rejection threshold (combined distance).

    Raises
    ------
    ScoringError
        No references, or references from gloves with different sensors.
    """

    def __init__(self, references: Sequence[Reference], *, reject_factor: float = REJECT_FACTOR):
        if not references:
            raise ScoringError("technique recognition needs at least one reference")
        names = {r.profile.channel_names for r in references}
        if len(names) != 1:
            raise ScoringError("references for recognition must come from the same glove")
        self.references = tuple(references)
        self.reject_factor = float(reject_factor)
        self._channels = references[0].template.shape[1]

    def classify(self, stroke: Any, fs_hz: float) -> Recognition:
        """Recognise one stroke.

        Parameters
        ----------
        stroke : array_like
            Low-passed forces ``(n, channels)``, newtons.
        fs_hz : float
            Its sample rate, Hz.

        Returns
        -------
        Recognition
            The technique (or ``None``) and the combined distances computed.

        Raises
        ------
        ScoringError
            A stroke whose channels do not match the references'.
        """
        x = np.asarray(stroke, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self._channels or x.shape[0] < 3:
            raise ScoringError(f"stroke has shape {x.shape}, references expect (n, channels)")
        x = np.clip(x, 0.0, None)
        duration = x.shape[0] / fs_hz
        queries: dict[float, np.ndarray] = {}
        bounds = []
        for k, ref in enumerate(self.references):
            if ref.fs_hz not in queries:
                queries[ref.fs_hz] = x if fs_hz == ref.fs_hz else resample(x, fs_hz, ref.fs_hz)
            bounds.append((_cheap_terms(queries[ref.fs_hz], duration, ref), k))
        bounds.sort()
        relative: dict[str, float] = {}
        best: tuple[float, int] | None = None
        pruned = 0
        for bound, k in bounds:
            if best is not None and bound > best[0]:
                pruned += 1
                continue
            ref = self.references[k]
            q = queries[ref.fs_hz]
            if q.sum(axis=1).max() <= 0:
                rel = math.inf
            else:
                ctx = stroke_context(q, duration, ref, align_stroke(q, ref))
                scale = SHAPE_SCALE * max(ref.shape_d90, MIN_SHAPE_SCALE)
                rel = math.hypot(ctx.form_distance / scale, bound)
            relative[ref.name] = rel
            if best is None or (rel, ref.name) < (best[0], self.references[best[1]].name):
                best = (rel, k)
        assert best is not None
        if best[0] > self.reject_factor:
            return Recognition(None, None, relative, pruned)
        ref = self.references[best[1]]
        return Recognition(ref.technique, ref.name, relative, pruned)


def _cheap_terms(x: np.ndarray, duration_s: float, ref: Reference) -> float:
    """Duration, force and load-share distance (no alignment needed), combined."""
    peak = float(x.sum(axis=1).max())
    z_duration = abs(math.log(duration_s / ref.duration_s[1])) / math.log(1.5)
    z_force = abs(math.log(max(peak, 1e-6) / max(ref.peak_force_n[0], 1e-6))) / math.log(2.0)
    # Load in units of the tolerance the pressure score gives it (experts' spread).
    tolerance = max(SHARE_MIN_TOL, float(ref.share_sd.sum()))
    z_load = load_distance(x, ref, ref.length) / tolerance
    return math.sqrt(z_duration**2 + z_force**2 + z_load**2)


def recognise(
    stroke: Any,
    fs_hz: float,
    references: Sequence[Reference],
    *,
    reject_factor: float = REJECT_FACTOR,
) -> tuple[str | None, dict[str, float]]:
    """Which technique a stroke is, or ``None`` if it matches no reference well enough.

    One-off convenience around :class:`Recogniser` (build one for many strokes).

    Parameters
    ----------
    stroke : array_like
        Low-passed forces ``(n, channels)``, newtons.
    fs_hz : float
        Its sample rate, Hz.
    references : sequence of Reference
        Candidates, from one glove.
    reject_factor : float
        Rejection threshold in units of each reference's spread.

    Returns
    -------
    technique : str or None
        Best technique, or ``None`` (rejected).
    relative : dict
        Relative distance to each reference that was aligned, by reference name.
    """
    result = Recogniser(references, reject_factor=reject_factor).classify(stroke, fs_hz)
    return result.technique, result.relative
