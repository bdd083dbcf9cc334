"""Strike trains: the period of tapotement as a person strikes it (one hand or two)."""

from __future__ import annotations

import numpy as np
import pytest

from trainer.scoring.alignment import beat_samples, rhythm_clarity, strike_period

FS = 200.0


def train(intervals_s: list[float], heights: list[float], width_s: float = 0.045) -> np.ndarray:
    """Raised-cosine strikes at the given intervals and heights, rest either side."""
    onsets = 0.2 + np.concatenate([[0.0], np.cumsum(intervals_s)])
    n = int((onsets[-1] + 0.3) * FS)
    t = np.arange(n) / FS
    x = np.zeros(n)
    for onset, height in zip(onsets, heights, strict=True):
        u = (t - onset) / width_s
        inside = (u >= 0) & (u <= 1)
        x[inside] += height * 0.5 * (1 - np.cos(2 * np.pi * u[inside]))
    return x


def alternating(period_s: float, strikes: int, swing: float, accent: float) -> np.ndarray:
    """Two hands taking turns: long and short intervals (``swing`` of a pair), one softer."""
    pair = 2 * period_s
    intervals = [pair * (swing if k % 2 == 0 else 1 - swing) for k in range(strikes - 1)]
    heights = [7.0 if k % 2 == 0 else 7.0 * accent for k in range(strikes)]
    return train(intervals, heights)


def test_an_even_train_strikes_at_its_interval() -> None:
    x = train([0.15] * 7, [7.0] * 8)
    beat = beat_samples(x)
    assert beat == pytest.approx(0.15 * FS, abs=2)
    assert strike_period(x, beat) / FS == pytest.approx(0.15, abs=0.005)


@pytest.mark.parametrize(("swing", "accent"), [(0.54, 0.85), (0.56, 0.82), (0.5, 0.8), (0.55, 1.0)])
def test_two_hands_taking_turns_strike_twice_per_pair(swing: float, accent: float) -> None:
    # Every second strike repeats exactly, so the autocorrelation's highest peak is at
    # the pair; the pace a teacher counts is each strike.
    x = alternating(0.15, 8, swing, accent)
    beat = beat_samples(x)
    assert beat == pytest.approx(0.15 * FS, rel=0.15)
    assert strike_period(x, beat) / FS == pytest.approx(0.15, rel=0.08)


def test_a_train_struck_at_half_the_pace_reads_twice_the_period() -> None:
    reference_beat = round(0.15 * FS)
    slow = train([0.30] * 5, [7.0] * 6)
    assert strike_period(slow, reference_beat) / FS == pytest.approx(0.30, rel=0.05)


def test_a_resting_hand_has_no_rhythm_but_strikes_do() -> None:
    # A resting hand drifts (breathing, the sensor's creep): left after detrending, the
    # drift still correlates with itself some samples on, though nothing repeats.
    t = np.arange(int(2.4 * FS)) / FS
    rest = 3.0 + 0.5 * np.sin(2 * np.pi * 0.3 * t) + 0.3 * (1.0 - np.exp(-t / 1.5))
    beat = round(0.15 * FS)
    assert rhythm_clarity(rest, beat) < 0.2
    assert rhythm_clarity(train([0.15] * 7, [7.0] * 8), beat) > 0.6
    # Struck at less than half the pace, a train still repeats.
    assert rhythm_clarity(train([0.33] * 5, [7.0] * 6), beat) > 0.4


def landed_then_built(crest: float, n: int = 200, stop: float = 1.0) -> np.ndarray:
    """A sweep that lands on the heel (a first crest of ``crest`` × its level), then builds.

    Performed up to ``stop`` of its length, then let go in 40 ms.
    """
    t = np.linspace(0.0, 1.0, n)
    land = crest * np.clip(t / 0.08, 0.0, 1.0)
    build = (1.0 - crest) * np.clip((t - 0.25) / 0.3, 0.0, 1.0)
    release = np.clip((1.0 - t) / 0.12, 0.0, 1.0)
    x = 10.0 * (land + build) * release
    kept = int(stop * n)
    fall = np.linspace(1.0, 0.0, max(2, round(0.04 * FS)))
    return np.concatenate([x[:kept], x[kept - 1] * fall])


def test_a_stroke_let_go_early_is_timed_by_its_landing_not_its_second_rise() -> None:
    # The experts' average lands to 55 % of its level, this student to 65 %: timed up to
    # 60 % of the level, the template's onset ran to its second rise and the student's
    # did not, so the student looked rushed (quicker onset) rather than stopped early.
    from trainer.scoring.alignment import _RELEASE_EVIDENCE, _timing_evidence

    template = landed_then_built(0.55)
    stopped = landed_then_built(0.65, stop=0.5)
    assert _timing_evidence(stopped, template) < _RELEASE_EVIDENCE


def test_a_references_smoothed_template_is_kept_and_never_mixed_up(sim_references) -> None:
    import dataclasses

    from trainer.scoring.alignment import shape_cutoff_hz, smooth_total, smoothed_template

    ref = sim_references["effleurage"]
    first, _ = smoothed_template(ref)
    again, _ = smoothed_template(ref)
    assert again is first and not first.flags.writeable  # kept, and nobody may change it
    fresh = smooth_total(ref.total, ref.fs_hz, shape_cutoff_hz(ref.total, ref.fs_hz))
    np.testing.assert_array_equal(first, fresh)
    louder = dataclasses.replace(ref, template=2.0 * ref.template)
    np.testing.assert_allclose(smoothed_template(louder)[0], 2.0 * first)


def test_a_train_struck_faster_keeps_its_strikes_height() -> None:
    # Rushed strikes are narrower. Rescaled onto the reference's axis and smoothed at
    # their own rate first, they lost half their height and a train struck faster read
    # as lighter; the level of the strikes is taken before either.
    from trainer.scoring.alignment import align_total, judged_force, shape_cutoff_hz, smooth_total

    expert = train([0.15] * 7, [7.0] * 8)
    rushed = train([0.09] * 7, [7.0] * 8, width_s=0.027)
    cutoff = shape_cutoff_hz(expert, FS)
    template = smooth_total(expert, FS, cutoff)
    beat = beat_samples(template)
    assert beat > 1
    levels = []
    for x in (expert, rushed):
        al = align_total(x[:, None], template, FS, cutoff, whole=True)
        level = judged_force(x[:, None], al, beat)
        assert level.shape == (template.size,)
        levels.append(np.median(level[level > 1.0]))
    assert levels[0] == pytest.approx(7.0, rel=0.05)
    assert levels[1] == pytest.approx(levels[0], rel=0.05)
