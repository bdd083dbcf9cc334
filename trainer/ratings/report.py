"""The agreement report: the program against instructors, and instructors among themselves.

:func:`agreement_report` takes the program's scores and the ratings (plain data, no
I/O) and returns every figure ``massage-trainer agreement`` prints; ``docs/ratings.md``
documents each JSON key. The program's overall score (0–100) is compared with ratings
(0–10) as ``overall / 10``. Each rater's latest rating of an attempt counts (earlier
ones are kept for test–retest, reported under ``retest``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from trainer.exceptions import RatingError
from trainer.ratings.agreement import (
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    bland_altman,
    bootstrap_cis,
    cohen_kappa,
    icc,
    icc_many,
    kappa_many,
    pearson,
    pearson_many,
    spearman,
    spearman_many,
)
from trainer.ratings.model import TAGS, Rating

__all__ = ["AgreementReport", "agreement_report", "latest_ratings"]

_CONFIDENCE = 0.95


@dataclass(frozen=True, slots=True)
class AgreementReport:
    """The figures (JSON-ready) and the points behind the plots.

    Parameters
    ----------
    data : dict
        Every figure; keys documented in ``docs/ratings.md``.
    program : numpy.ndarray
        Program scores on the 0–10 scale, one per attempt with a rating.
    raters_mean : numpy.ndarray
        The raters' mean rating of the same attempts.
    """

    data: dict[str, Any]
    program: np.ndarray
    raters_mean: np.ndarray


def latest_ratings(ratings: Sequence[Rating]) -> dict[tuple[int, str], Rating]:
    """Each rater's latest rating of each attempt (by ``created_at``, then row id)."""
    out: dict[tuple[int, str], Rating] = {}
    order = sorted(ratings, key=lambda r: (r.created_at, r.id if r.id is not None else -1))
    for r in order:
        out[(r.attempt_id, r.rater)] = r
    return out


def _num(value: float) -> float | None:
    return round(float(value), 4) if math.isfinite(value) else None


def _ci(ci: tuple[float, float]) -> list[float | None]:
    return [_num(ci[0]), _num(ci[1])]


def _icc_pair(rows: np.ndarray) -> float:
    if rows.shape[0] < 2:
        return math.nan
    return icc(rows[:, :2]).icc_2_1


def _pair_stats(rows: np.ndarray) -> list[float]:
    """Spearman, Pearson, ICC(2,1), bias, LoA low, LoA high of (program, rater) rows."""
    x, y = rows[:, 0], rows[:, 1]
    if rows.shape[0] < 2:
        return [math.nan] * 6
    ba = bland_altman(x, y)
    return [spearman(x, y), pearson(x, y), _icc_pair(rows), ba.bias, ba.loa_low, ba.loa_high]


def _pair_stats_many(stack: np.ndarray) -> list[np.ndarray]:
    """:func:`_pair_stats` of every resample of a ``(B, n, 2)`` stack at once."""
    x, y = stack[..., 0], stack[..., 1]
    d = x - y
    bias, sd = d.mean(axis=-1), d.std(axis=-1, ddof=1)
    single, _average = icc_many(stack)
    return [spearman_many(x, y), pearson_many(x, y), single, bias, bias - 1.96 * sd,
            bias + 1.96 * sd]  # fmt: skip


def _pair_block(rows: np.ndarray, boot: dict[str, int]) -> dict[str, Any]:
    """Return the program-vs-rater figures of an ``(n, 2)`` table, with bootstrap CIs."""
    n = int(rows.shape[0])
    values = _pair_stats(rows)
    cis = bootstrap_cis(_pair_stats_many, rows, confidence=_CONFIDENCE, **boot)
    names = ("spearman", "pearson", "icc_2_1")
    out: dict[str, Any] = {"n": n}
    for i, name in enumerate(names):
        out[name] = _num(values[i])
        out[f"{name}_ci"] = _ci(cis[i])
    sd = float(np.std(rows[:, 0] - rows[:, 1], ddof=1)) if n >= 2 else math.nan
    out["bland_altman"] = {
        "bias": _num(values[3]),
        "bias_ci": _ci(cis[3]),
        "sd": _num(sd),
        "loa_low": _num(values[4]),
        "loa_low_ci": _ci(cis[4]),
        "loa_high": _num(values[5]),
        "loa_high_ci": _ci(cis[5]),
    }
    return out


def _kappa_stats_many(stack: np.ndarray) -> list[np.ndarray]:
    return [kappa_many(stack[..., 0], stack[..., 1])]


def agreement_report(
    program: Mapping[int, float],
    named: Mapping[int, frozenset[str]],
    ratings: Sequence[Rating],
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> AgreementReport:
    """Agreement of the program's scores with the ratings, and among raters.

    Parameters
    ----------
    program : mapping
        ``{attempt id: overall score 0–100}``; ratings of other attempts are ignored.
    named : mapping
        ``{attempt id: fault tags the program named}`` (see
        :func:`~trainer.ratings.model.program_tags`).
    ratings : sequence of Rating
        The ratings (every rater's; re-ratings included).
    n_resamples, seed : int
        Bootstrap resamples over attempts, and the fixed seed.

    Returns
    -------
    AgreementReport

    Raises
    ------
    RatingError
        No rated attempt among ``program``.
    """
    latest = {k: r for k, r in latest_ratings(ratings).items() if k[0] in program}
    if not latest:
        raise RatingError("no ratings of these attempts (see `massage-trainer ratings import`)")
    boot = {"n_resamples": n_resamples, "seed": seed}
    raters = sorted({rater for _, rater in latest})
    attempts = sorted({aid for aid, _ in latest})
    by_attempt: dict[int, dict[str, float]] = {a: {} for a in attempts}
    for (aid, rater), r in latest.items():
        by_attempt[aid][rater] = r.rating
    prog = np.array([program[a] / 10.0 for a in attempts])
    mean = np.array([np.mean(list(by_attempt[a].values())) for a in attempts])
    data: dict[str, Any] = {
        "n_attempts": len(attempts),
        "n_raters": len(raters),
        "n_ratings": len(latest),
        "rater_names": raters,
        "confidence": _CONFIDENCE,
        "bootstrap": {"resamples": n_resamples, "seed": seed, "unit": "attempt"},
        "program_vs_mean": _pair_block(np.column_stack([prog, mean]), boot),
    }
    per_rater = []
    for rater in raters:
        mine = [a for a in attempts if rater in by_attempt[a]]
        rows = np.array([[program[a] / 10.0, by_attempt[a][rater]] for a in mine])
        per_rater.append({"rater": rater, **_pair_block(rows, boot)})
    data["per_rater"] = per_rater
    data["raters"] = _raters_block(attempts, raters, by_attempt, boot)
    data["tags"] = _tags_block(attempts, raters, named, latest, boot)
    data["retest"] = _retest_block(ratings, program)
    return AgreementReport(data, prog, mean)


def _raters_block(
    attempts: list[int],
    raters: list[str],
    by_attempt: dict[int, dict[str, float]],
    boot: dict[str, int],
) -> dict[str, Any]:
    """ICC(2,1) and ICC(2,k) over the attempts every rater rated (complete table)."""
    complete = [a for a in attempts if len(by_attempt[a]) == len(raters)]
    out: dict[str, Any] = {"n": len(complete), "k": len(raters)}
    if len(raters) < 2 or len(complete) < 2:
        for key in ("icc_2_1", "icc_2_k"):
            out[key], out[f"{key}_ci"] = None, [None, None]
        return out
    table = np.array([[by_attempt[a][r] for r in raters] for a in complete])
    result = icc(table)

    def both(stack: np.ndarray) -> list[np.ndarray]:
        return list(icc_many(stack))

    cis = bootstrap_cis(both, table, confidence=_CONFIDENCE, **boot)
    out["icc_2_1"], out["icc_2_1_ci"] = _num(result.icc_2_1), _ci(cis[0])
    out["icc_2_k"], out["icc_2_k_ci"] = _num(result.icc_2_k), _ci(cis[1])
    return out


def _tags_block(
    attempts: list[int],
    raters: list[str],
    named: Mapping[int, frozenset[str]],
    latest: dict[tuple[int, str], Rating],
    boot: dict[str, int],
) -> list[dict[str, Any]]:
    """Cohen's κ per fault tag and rater: program named it vs the rater tagged it."""
    out = []
    for tag in TAGS:
        for rater in raters:
            mine = [a for a in attempts if (a, rater) in latest]
            rows = np.array(
                [[tag in named.get(a, frozenset()), tag in latest[(a, rater)].tags] for a in mine],
                dtype=bool,
            ).reshape(-1, 2)
            if not rows[:, 0].any() and not rows[:, 1].any():
                continue  # neither side ever named it: nothing to agree on
            (ci,) = bootstrap_cis(_kappa_stats_many, rows, confidence=_CONFIDENCE, **boot)
            out.append(
                {
                    "tag": tag,
                    "rater": rater,
                    "n": int(rows.shape[0]),
                    "program_named": int(rows[:, 0].sum()),
                    "rater_named": int(rows[:, 1].sum()),
                    "kappa": _num(cohen_kappa(list(rows[:, 0]), list(rows[:, 1]))),
                    "kappa_ci": _ci(ci),
                }
            )
    return out


def _retest_block(ratings: Sequence[Rating], program: Mapping[int, float]) -> list[dict[str, Any]]:
    """Per rater: ICC(2,1) of their first and latest rating of attempts rated twice or more."""
    history: dict[tuple[int, str], list[Rating]] = {}
    for r in sorted(ratings, key=lambda r: (r.created_at, r.id if r.id is not None else -1)):
        if r.attempt_id in program:
            history.setdefault((r.attempt_id, r.rater), []).append(r)
    out = []
    for rater in sorted({k[1] for k, v in history.items() if len(v) > 1}):
        pairs = [
            (v[0].rating, v[-1].rating) for k, v in history.items() if k[1] == rater and len(v) > 1
        ]
        value = icc(np.array(pairs)).icc_2_1 if len(pairs) >= 2 else math.nan
        out.append({"rater": rater, "n": len(pairs), "icc_2_1": _num(value)})
    return out


def check_enough(report: AgreementReport, minimum: int = 3) -> None:
    """Raise :class:`RatingError` when fewer than ``minimum`` attempts are rated."""
    n = report.data["n_attempts"]
    if n < minimum:
        raise RatingError(f"agreement needs ratings of at least {minimum} attempts; found {n}")
