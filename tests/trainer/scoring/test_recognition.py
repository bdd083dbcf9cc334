from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import butter, sosfiltfilt

from sensors.profiles import load_profile
from sensors.strokes import TECHNIQUES, simulate_rest, simulate_take
from trainer.exceptions import ScoringError
from trainer.scoring import REJECT_FACTOR, Recogniser, find_strokes, recognise

PROFILE = load_profile("reference-glove")
FS = PROFILE.sample_rate_hz
# How students vary: as the expert, lighter, slower, faster, shaky.
VARIANTS: tuple[dict[str, float], ...] = (
    {},
    {"force_scale": 0.7},
    {"tempo_scale": 1.3},
    {"tempo_scale": 0.8},
    {"tremor_hz": 8.0, "tremor_amplitude_n": 1.0},
)


def test_confusion_matrix_over_all_four_techniques(sim_references, capsys):
    recogniser = Recogniser(list(sim_references.values()))
    labels = (*TECHNIQUES, None)
    matrix = {t: dict.fromkeys(labels, 0) for t in TECHNIQUES}
    pruned = total = 0
    for technique in TECHNIQUES:
        for k, kw in enumerate(VARIANTS):
            take = simulate_take(technique, seconds=12, profile=PROFILE, seed=70 + k, **kw)
            for stroke in find_strokes(take.values, FS, PROFILE):
                result = recogniser.classify(stroke.values, FS)
                matrix[technique][result.technique] += 1
                pruned += result.pruned
                total += 1
    with capsys.disabled():
        print("\nrecognition confusion matrix (rows: performed; columns: recognised)")
        print("  " + " " * 11 + "".join(f"{p!s:>12s}" for p in labels))
        for t in TECHNIQUES:
            print(f"  {t:11s}" + "".join(f"{matrix[t][p]:12d}" for p in labels))
        print(f"  {total} strokes, {pruned / total:.2f} of 4 references pruned per stroke")
    for t in TECHNIQUES:
        row = matrix[t]
        assert row[t] >= 0.95 * sum(row.values()), (t, row)
    assert pruned > total  # the lower bound spares most alignments


def _non_strokes():
    """Things a glove feels that are not massage strokes."""
    rng = np.random.default_rng(0)
    sos = butter(2, 3.0, fs=FS, output="sos")
    ramp = np.clip(np.minimum(np.arange(800), 799 - np.arange(800)) / 40, 0, 1)
    flat = np.zeros((800, 7))
    flat[:, 1] = 5.0 * ramp  # leaning on the palm for 4 s
    yield flat
    for _ in range(4):  # the hand wandering over the skin
        wander = np.abs(sosfiltfilt(sos, rng.normal(0, 4, (300, 7)), axis=0))
        yield wander * np.hanning(300)[:, None]
    for _ in range(4):  # fidgeting: a few squeezes of random fingers
        fidget = np.zeros((160, 7))
        for _ in range(4):
            c, a = rng.integers(0, 7), rng.integers(0, 120)
            fidget[a : a + 40, c] += rng.uniform(2, 6) * np.hanning(40)
        yield np.clip(sosfiltfilt(sos, fidget, axis=0), 0, None)
    taps = np.zeros((400, 7))
    taps[:, 2] = 6.0 * np.abs(np.sin(2 * np.pi * 2.0 * np.arange(400) / FS))  # thumb taps
    yield taps


def test_non_strokes_are_rejected(sim_references):
    recogniser = Recogniser(list(sim_references.values()))
    seen = 0
    for x in _non_strokes():
        for stroke in find_strokes(x, FS, PROFILE, min_active_s=0.2):
            seen += 1
            result = recogniser.classify(stroke.values, FS)
            assert result.technique is None, result.relative
            assert min(result.relative.values()) > REJECT_FACTOR
    assert seen >= 8  # they did pass rest detection: rejection did the work
    rest = simulate_rest(30, PROFILE, seed=3).values
    assert find_strokes(rest, FS, PROFILE) == []


def test_pruning_gives_the_brute_force_answer(sim_references):
    refs = list(sim_references.values())
    recogniser = Recogniser(refs, reject_factor=1e9)
    for technique in TECHNIQUES:
        take = simulate_take(technique, seconds=5, profile=PROFILE, seed=90)
        for stroke in find_strokes(take.values, FS, PROFILE)[:3]:
            # Each reference alone: nothing to prune, the distance is always computed.
            brute = {
                r.name: Recogniser([r], reject_factor=1e9)
                .classify(stroke.values, FS)
                .relative[r.name]
                for r in refs
            }
            best = min(brute, key=lambda k: (brute[k], k))
            result = recogniser.classify(stroke.values, FS)
            assert result.reference == best
            assert result.relative[best] == pytest.approx(brute[best])
            assert len(result.relative) + result.pruned == len(refs)


def test_one_off_helper_and_errors(sim_references):
    refs = list(sim_references.values())
    take = simulate_take("friction", seconds=3, profile=PROFILE, seed=5)
    stroke = find_strokes(take.values, FS, PROFILE)[0]
    technique, relative = recognise(stroke.values, FS, refs)
    assert technique == "friction" and relative["friction-test"] < REJECT_FACTOR
    with pytest.raises(ScoringError, match="at least one"):
        Recogniser([])
    with pytest.raises(ScoringError, match="shape"):
        Recogniser(refs).classify(np.ones((40, 5)), FS)
