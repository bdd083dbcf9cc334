"""Metrics of the validity benchmark (no sklearn: scipy.stats and rank formulas).

Deduction bookkeeping (documented in ``docs``-style here, used by the runner):

* a deduction **names a fault** when it costs **≥ 1 point** and is not ``minor`` (pooled
  crumbs naming nothing) or ``over_pressure`` (a safety line, right whenever the caution
  threshold is reached, whatever the injected error);
* **TP**: a naming deduction on a flawed stroke whose code is in the error kind's
  ``expected`` codes (:func:`benchmarks.validity.generators.expected_codes`);
* **FP**: a naming deduction that is neither expected nor ``tolerated`` — on a clean stroke
  every naming deduction is a FP;
* **FN**: a flawed stroke of level ≥ 2 (moderate or worse) with no expected deduction.
  Level-1 (mild, near the expert's own spread) errors count for precision only.

``precision = TP / (TP + FP)`` counts deductions; ``recall`` counts strokes:
strokes of level ≥ 2 with at least one expected deduction over all scored strokes of level
≥ 2. Strokes the product did not score are left out of both (reported as "not scored").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = [
    "IGNORED_CODES",
    "NAMING_POINTS",
    "auc",
    "contradictions",
    "matches",
    "naming",
    "spearman",
]

NAMING_POINTS = 1.0
IGNORED_CODES = frozenset({"minor", "over_pressure"})
_PHASES = ("start", "middle", "end")


def auc(clean: Sequence[float], flawed: Sequence[float]) -> float:
    """P(a clean stroke scores above a flawed one), ties count half (Mann–Whitney U)."""
    if len(clean) == 0 or len(flawed) == 0:
        return math.nan
    from scipy import stats  # here: importing scipy.stats costs every test worker ~1 s

    u = stats.mannwhitneyu(clean, flawed, alternative="two-sided").statistic
    return float(u) / (len(clean) * len(flawed))


def spearman(levels: Sequence[float], values: Sequence[float]) -> float:
    """Spearman ρ (nan when fewer than 3 points or a constant input)."""
    x, y = np.asarray(levels, float), np.asarray(values, float)
    if x.size < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return math.nan
    from scipy import stats

    return float(stats.spearmanr(x, y).statistic)


def matches(code: str, patterns: Iterable[str]) -> bool:
    """``code`` is one of ``patterns`` (a trailing ``*`` matches any suffix)."""
    for p in patterns:
        if (p.endswith("*") and code.startswith(p[:-1])) or code == p:
            return True
    return False


def naming(deductions: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    """Deductions that name a fault, largest first (as the product sorts them)."""
    return [(c, p) for c, p in deductions if p >= NAMING_POINTS and c not in IGNORED_CODES]


def contradictions(deductions: Sequence[tuple[str, float]]) -> list[str]:
    """Contradictory pairs on one stroke: too light and too heavy in the same third,
    rushed and dragged in the same third, or the global rushed and dragged together."""
    codes = {c for c, p in deductions if p > 0}
    out = []
    for ph in _PHASES:
        for a, b in (("too_light", "too_heavy"), ("rushed", "dragged")):
            if f"{a}_{ph}" in codes and f"{b}_{ph}" in codes:
                out.append(f"{a}_{ph}+{b}_{ph}")
    if "rushed" in codes and "dragged" in codes:
        out.append("rushed+dragged")
    return out
