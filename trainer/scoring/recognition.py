"""Technique recognition: which reference a stroke is, or none of them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from trainer.dtw import dtw_path, lb_keogh
from trainer.exceptions import ScoringError
from trainer.scoring.model import Reference
from trainer.scoring.scoring import normalised
from trainer.signal import resample

__all__ = ["REJECT_FACTOR", "Recogniser", "Recognition", "recognise"]

#: A stroke further than this many times a reference's own spread (``shape_d90``) from
#: every reference is "none of them".
REJECT_FACTOR = 2.5


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
        Shape distance over ``shape_d90`` for each reference whose distance was computed
        (references pruned by the lower bound are absent).
    pruned : int
        References skipped thanks to the lower bound.
    """

    technique: str | None
    reference: str | None
    relative: dict[str, float] = field(default_factory=dict)
    pruned: int = 0


class Recogniser:
    """Nearest reference by normalised shape distance, with pruning and rejection.

    For each reference the stroke's shape distance (per-step RMS DTW of peak-normalised
    signals, as for the shape score) is divided by the reference's own expert spread
    ``shape_d90``. The nearest wins unless it is more than ``reject_factor`` spreads
    away. References are visited in order of a lower bound (LB_Keogh of the whole
    template's envelope, divided by the longest possible path ``n + m - 1``), and one
    whose bound already exceeds the best so far is not aligned at all.

    Parameters
    ----------
    references : sequence of Reference
        Candidates; they must share one glove (same sensors).
    reject_factor : float
        Rejection threshold in units of each reference's spread.

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
        self._templates = [normalised(np.asarray(r.template)) for r in self.references]

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
            The technique (or ``None``) and the relative distances computed.

        Raises
        ------
        ScoringError
            A stroke whose channels do not match the references'.
        """
        x = np.asarray(stroke, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self._templates[0].shape[1]:
            raise ScoringError(f"stroke has shape {x.shape}, references expect (n, channels)")
        queries: dict[float, np.ndarray] = {}
        bounds = []
        for k, (ref, tpl) in enumerate(zip(self.references, self._templates, strict=True)):
            if ref.fs_hz not in queries:
                xs = x if fs_hz == ref.fs_hz else resample(x, fs_hz, ref.fs_hz)
                queries[ref.fs_hz] = normalised(xs)
            q = queries[ref.fs_hz]
            lb = lb_keogh(q, tpl) / math.sqrt(q.shape[0] + tpl.shape[0] - 1)
            bounds.append((lb / ref.shape_d90, k))
        bounds.sort()
        relative: dict[str, float] = {}
        best: tuple[float, int] | None = None
        pruned = 0
        for bound, k in bounds:
            if best is not None and bound > best[0]:
                pruned += 1
                continue
            ref, tpl = self.references[k], self._templates[k]
            q = queries[ref.fs_hz]
            dist, path = dtw_path(q, tpl)
            rel = math.sqrt(dist**2 / len(path)) / ref.shape_d90
            relative[ref.name] = rel
            if best is None or (rel, ref.name) < (best[0], self.references[best[1]].name):
                best = (rel, k)
        assert best is not None
        if best[0] > self.reject_factor:
            return Recognition(None, None, relative, pruned)
        ref = self.references[best[1]]
        return Recognition(ref.technique, ref.name, relative, pruned)


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
