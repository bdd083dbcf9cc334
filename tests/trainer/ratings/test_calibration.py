"""Calibrating weights to ratings (trainer.ratings.calibration), and the report."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest

from trainer.exceptions import RatingError
from trainer.ratings.calibration import (
    MIN_ATTEMPTS,
    ScaleEffect,
    calibrate_weights,
    overall_scores,
)
from trainer.ratings.model import Rating, parse_tags, program_tags
from trainer.ratings.report import agreement_report

NAMES = ("shape", "pressure", "tempo", "smoothness")
REFERENCE = np.array([0.3, 0.3, 0.2, 0.2])


def _measured(figures: Mapping[str, float | None]) -> dict[str, float]:
    """The held-out figures, every one of them measured (none is ``None``)."""
    assert None not in figures.values(), figures
    return {k: float(v) for k, v in figures.items() if v is not None}


def _attempts(n: int, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.uniform(35.0, 100.0, size=(n, len(NAMES)))


def test_overall_matches_the_scorers_weighted_geometric_mean() -> None:
    s = np.array([[90.0, 60.0, 80.0, np.nan]])  # smoothness not scored: re-weighted
    w = REFERENCE
    expected = 100 * np.exp((0.3 * np.log(0.9) + 0.3 * np.log(0.6) + 0.2 * np.log(0.8)) / 0.8)
    assert overall_scores(s, w)[0] == pytest.approx(expected)
    assert overall_scores(np.array([[0.0, 100, 100, 100]]), w)[0] == pytest.approx(
        100 * 0.01**0.3  # the floor of 1
    )


def test_calibration_improves_held_out_agreement_for_ratings_from_other_weights() -> None:
    n = 120
    s = _attempts(n)
    overall = np.round(overall_scores(s, REFERENCE), 1)  # what the program said
    truth = np.array([0.75, 0.05, 0.05, 0.15])  # how the instructors weigh it
    rng = np.random.default_rng(11)
    ratings = np.clip(overall_scores(s, truth) / 10 + rng.normal(0, 0.3, n), 0, 10)
    result = calibrate_weights(
        NAMES,
        s,
        overall,
        np.tile(REFERENCE, (n, 1)),
        ratings,
        dict(zip(NAMES, REFERENCE, strict=True)),
    )
    assert result.improved
    before, after = _measured(result.held_out_before), _measured(result.held_out_after)
    assert after["icc_2_1"] > before["icc_2_1"] + 0.05
    assert after["mae"] < before["mae"]
    assert after["spearman"] > before["spearman"]
    weights = np.array([result.after[k] for k in NAMES])
    assert weights.min() >= 0 and weights.sum() == pytest.approx(REFERENCE.sum())
    assert weights[0] > REFERENCE[0]  # moved towards the instructors' emphasis on shape
    assert result.to_dict()["n_attempts"] == n


def test_ratings_from_the_references_own_weights_leave_it_nearly_unchanged() -> None:
    n = 60
    s = _attempts(n, seed=9)
    overall = overall_scores(s, REFERENCE)
    result = calibrate_weights(
        NAMES,
        s,
        overall,
        np.tile(REFERENCE, (n, 1)),
        overall / 10,
        dict(zip(NAMES, REFERENCE, strict=True)),
    )
    assert np.allclose([result.after[k] for k in NAMES], REFERENCE, atol=0.02)


def test_a_score_scale_is_fitted_when_the_raters_are_more_tolerant() -> None:
    # Smoothness is curve(deviation, scale): multiplying the scale by f turns a score s
    # into 100 (s/100)^(1/f^2). The instructors judge with twice the reference's scale.
    n = 100
    s = _attempts(n, seed=21)
    s[:, 3] = np.random.default_rng(4).uniform(20, 100, n)  # smoothness varies widely
    factors = np.array([0.5, 0.7, 1.0, 1.4, 2.0])

    def rescaled(f: float) -> np.ndarray:
        return 100 * (s[:, 3] / 100) ** (1 / f**2)

    deltas = np.column_stack([rescaled(f) - s[:, 3] for f in factors])
    truth = s.copy()
    truth[:, 3] = rescaled(2.0)
    rng = np.random.default_rng(8)
    ratings = np.clip(overall_scores(truth, REFERENCE) / 10 + rng.normal(0, 0.2, n), 0, 10)
    overall = overall_scores(s, REFERENCE)
    effect = ScaleEffect("smoothness_sd", "smoothness", factors, deltas)
    args = (
        NAMES,
        s,
        overall,
        np.tile(REFERENCE, (n, 1)),
        ratings,
        dict(zip(NAMES, REFERENCE, strict=True)),
    )
    with_scale = calibrate_weights(*args, scales=[effect])
    weights_only = calibrate_weights(*args)
    assert with_scale.scales == {"smoothness_sd": 2.0}
    scaled, unscaled = _measured(with_scale.held_out_after), _measured(weights_only.held_out_after)
    assert scaled["mae"] < unscaled["mae"]
    assert scaled["icc_2_1"] > _measured(with_scale.held_out_before)["icc_2_1"]
    assert with_scale.to_dict()["scale_factors"] == {"smoothness_sd": 2.0}
    # Ratings that agree with the reference's scale leave it alone (the penalty).
    same = calibrate_weights(*args[:4], overall / 10, args[5], scales=[effect])
    assert same.scales == {"smoothness_sd": 1.0}


def test_too_few_ratings_say_how_many_are_needed() -> None:
    s = _attempts(5)
    with pytest.raises(RatingError, match=f"at least {MIN_ATTEMPTS} attempts.*it has 5"):
        calibrate_weights(
            NAMES, s, overall_scores(s, REFERENCE), np.tile(REFERENCE, (5, 1)),
            np.full(5, 7.0), dict(zip(NAMES, REFERENCE, strict=True)),
        )  # fmt: skip


def test_tags_vocabulary_and_program_named_faults() -> None:
    assert parse_tags("Too light; rushed ;") == ("too_light", "rushed")
    with pytest.raises(RatingError, match="unknown fault tag 'sloppy'"):
        parse_tags("sloppy")
    named = program_tags([("too_light_end", 3.0), ("load_thumb", 1.0), ("jerky", 0.9)])
    assert named == {"too_light", "uneven_load"}  # under a point names nothing


def test_report_figures_and_keys() -> None:
    rng = np.random.default_rng(2)
    n = 40
    program = {i: float(v) for i, v in enumerate(rng.uniform(30, 95, n), start=1)}
    named = {i: frozenset({"rushed"}) if program[i] < 60 else frozenset() for i in program}
    ratings = []
    for i, p in program.items():
        for rater, bias in (("ana", 0.0), ("ben", -1.0)):
            value = float(np.clip(round(p / 10 + bias + rng.normal(0, 0.5)), 0, 10))
            tags = ("rushed",) if p < 60 and rater == "ana" else ()
            ratings.append(Rating(i, rater, value, tags, created_at="2026-01-01T00:00:00"))
    top = max(program, key=program.__getitem__)  # re-rated (untagged either way)
    ratings.append(Rating(top, "ana", 3.0, created_at="2026-01-02T00:00:00"))
    report = agreement_report(program, named, ratings, n_resamples=200)
    data = report.data
    assert (data["n_attempts"], data["n_raters"]) == (n, 2)
    pvm = data["program_vs_mean"]
    for key in ("spearman", "pearson", "icc_2_1"):
        low, high = pvm[f"{key}_ci"]
        assert low <= pvm[key] <= high
    assert pvm["spearman"] > 0.8
    ba = pvm["bland_altman"]
    assert ba["loa_low"] < ba["bias"] < ba["loa_high"]
    assert ba["bias"] == pytest.approx(np.mean(report.program - report.raters_mean), abs=1e-3)
    per = {r["rater"]: r for r in data["per_rater"]}
    assert per["ana"]["n"] == per["ben"]["n"] == n
    assert per["ben"]["bland_altman"]["bias"] > per["ana"]["bland_altman"]["bias"]
    assert data["raters"]["k"] == 2 and 0 < data["raters"]["icc_2_1"] < data["raters"]["icc_2_k"]
    kappas = {(t["tag"], t["rater"]): t for t in data["tags"]}
    assert kappas[("rushed", "ana")]["kappa"] == pytest.approx(1.0)
    assert kappas[("rushed", "ben")]["kappa"] == pytest.approx(0.0)
    assert data["retest"] == [{"rater": "ana", "n": 1, "icc_2_1": None}]
    with pytest.raises(RatingError, match="no ratings"):
        agreement_report({999: 50.0}, {}, ratings)
