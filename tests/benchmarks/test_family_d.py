"""Family D of the validity benchmark (``benchmarks/validity/family_d.py``).

The generator's own promises: seeded and byte-deterministic, clean strokes of plausible
duration and force, and each error kind changing the stroke the way its name says (and
only that way). Whether the *scoring* sees the errors is the benchmark's business.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:  # the benchmarks are not an installed package
    sys.path.insert(0, str(_ROOT))

from benchmarks.validity import family_d  # noqa: E402
from benchmarks.validity import generators as gen  # noqa: E402

PROF = gen.profile()
FS = float(PROF.sample_rate_hz)
LEVEL = 3  # a clear but not the largest error

#: Loaded duration (s) of a clean stroke per technique: effleurage and friction from the
#: published stroke rates less the rests (docs/evidence.md); petrissage and tapotement are
#: our choices (a kneading cycle; a burst of 7-8 strikes at 4-10 strikes/s).
DURATION_S = {
    "effleurage": (0.7, 1.05),
    "petrissage": (0.45, 0.7),
    "friction": (0.4, 0.65),
    "tapotement": (0.8, 1.4),
}


def _clean(technique: str, style: int = 0, seed: int = 0) -> np.ndarray:
    return gen.clean_stroke("D", technique, style, gen.rng_for(77, seed), PROF)


def _mag(kind: str, level: int = LEVEL) -> float:
    return gen.ERROR_LEVELS[kind][level - 1]


def _err(x: np.ndarray, kind: str, technique: str, level: int = LEVEL, seed: int = 0):
    return gen.inject(x, kind, _mag(kind, level), gen.rng_for(76, seed), PROF, technique, "D")


def _span(total: np.ndarray) -> tuple[int, int]:
    on = np.nonzero(total > 0.05 * total.max())[0]
    return int(on[0]), int(on[-1]) + 1


def _thirds(total: np.ndarray, span: tuple[int, int]) -> list[np.ndarray]:
    return np.array_split(np.arange(*span), 3)


def _strike_runs(total: np.ndarray) -> list[tuple[int, int]]:
    on = np.concatenate([[False], total > 0.02 * total.max(), [False]])
    edges = np.flatnonzero(np.diff(on.astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def test_family_d_is_dispatched() -> None:
    assert "D" in gen.FAMILIES
    x = _clean("effleurage")
    direct = family_d.clean_stroke("effleurage", 0, gen.rng_for(77, 0), PROF)
    np.testing.assert_array_equal(x, np.clip(direct, 0.0, None))


def test_same_seed_same_arrays_other_seed_other_arrays() -> None:
    for technique in gen.TECHNIQUES:
        a = _clean(technique, 1, seed=5)
        np.testing.assert_array_equal(a, _clean(technique, 1, seed=5))
        b = _clean(technique, 1, seed=6)
        n = min(a.shape[0], b.shape[0])
        assert not np.array_equal(a[:n], b[:n])
        for kind in gen.ERROR_KINDS:
            np.testing.assert_array_equal(_err(a, kind, technique), _err(a, kind, technique))
    for kind in gen.NON_STROKE_KINDS:
        x, p = gen.non_stroke(kind, "D", "petrissage", gen.rng_for(3), PROF)
        y, q = gen.non_stroke(kind, "D", "petrissage", gen.rng_for(3), PROF)
        np.testing.assert_array_equal(x, y)
        assert p == q
    takes = [gen.reference_takes("D", "tapotement", PROF, takes=2) for _ in range(2)]
    for r, s in zip(*takes, strict=True):
        np.testing.assert_array_equal(r.values, s.values)


@pytest.mark.parametrize("technique", gen.TECHNIQUES)
def test_clean_strokes_are_plausible(technique: str) -> None:
    lo, hi = DURATION_S[technique]
    peaks = []
    for style in gen.STYLES:
        for seed in range(3):
            x = _clean(technique, style, seed)
            total = x.sum(axis=1)
            assert x.shape[1] == len(PROF.sensors) and np.all(x >= 0.0)
            assert total[0] < 0.05 * total.max() and total[-1] < 0.05 * total.max()
            i0, i1 = _span(total)
            assert lo <= (i1 - i0) / FS <= hi, (style, seed, (i1 - i0) / FS)
            peaks.append(total.max())
    peaks_n = np.array(peaks)
    assert peaks_n.max() / peaks_n.min() < 1.15  # styles ±5 %, strokes ±3 % in force
    if technique == "effleurage":  # between deep (10 N) and "high" (19.6 N) effleurage
        assert 10.0 < peaks_n.min() and peaks_n.max() < 19.6
    if technique == "friction":  # a fingertip inside the published quartiles, 100-408 kPa
        x = _clean("friction")
        kpa = PROF.pressure_kpa(x).max(axis=0)
        assert 100.0 < kpa.max() < 408.0
    if technique == "tapotement":  # 4-10 strikes/s, crisp strikes for style 0
        runs = _strike_runs(_clean("tapotement").sum(axis=1))
        rate = (len(runs) - 1) / ((runs[-1][0] - runs[0][0]) / FS)
        assert 4.0 <= rate <= 10.0
        assert max(b - a for a, b in runs) / FS <= 0.06


def test_styles_stay_within_expert_variation_but_differ() -> None:
    for technique in ("effleurage", "petrissage", "friction"):
        profiles = []
        for style in gen.STYLES:
            total = _clean(technique, style).sum(axis=1)
            span = _span(total)
            means = np.array([total[t].mean() for t in _thirds(total, span)])
            profiles.append(means / total[span[0] : span[1]].mean())
        p = np.array(profiles)
        spread = p.max(axis=0) - p.min(axis=0)
        assert np.all(spread < 0.35), (technique, p)  # no third off by a level error
        assert spread.max() > 0.05, (technique, p)  # ... but the styles are not one


def test_tapotement_alternates_strong_and_weak_strikes() -> None:
    total = _clean("tapotement", 2).sum(axis=1)
    heights = np.array([total[a:b].max() for a, b in _strike_runs(total)])
    assert heights[0::2].mean() > 1.08 * heights[1::2].mean()


@pytest.mark.parametrize("technique", gen.TECHNIQUES)
def test_level_errors_change_their_third_only(technique: str) -> None:
    x = _clean(technique, 2, seed=3)
    total = x.sum(axis=1)
    thirds = _thirds(total, _span(total))
    for kind in ("light_uniform", "heavy_uniform"):
        assert _err(x, kind, technique).sum() == pytest.approx(_mag(kind) * x.sum())
    for side in ("light", "heavy"):
        for k, phase in enumerate(gen.PHASES):
            kind = f"{side}_{phase}"
            y = _err(x, kind, technique)
            assert y.shape == x.shape and np.all(y >= 0.0)
            yt = y.sum(axis=1)
            ratio = np.array([yt[t].mean() / total[t].mean() for t in thirds])
            # the third itself moves by most of the factor, in the named direction ...
            assert (ratio[k] < 1.0) == (side == "light"), (kind, ratio)
            assert abs(ratio[k] - 1.0) > 0.8 * abs(_mag(kind) - 1.0), (kind, ratio)
            # ... and the other two stay within a few per cent
            others = np.delete(ratio, k)
            assert np.all(np.abs(others - 1.0) < 0.06), (kind, ratio)
            # the load shares are untouched
            np.testing.assert_allclose(y.sum(axis=0) / y.sum(), x.sum(axis=0) / x.sum(), atol=0.02)


@pytest.mark.parametrize("technique", ["effleurage", "petrissage", "friction"])
def test_tempo_errors_change_duration_and_keep_force(technique: str) -> None:
    x = _clean(technique, 1, seed=4)
    total = x.sum(axis=1)
    for kind in ("fast", "slow"):
        for level in (1, 4):
            y = _err(x, kind, technique, level)
            assert y.shape[0] == round(x.shape[0] * _mag(kind, level))
            assert y.sum(axis=1).max() == pytest.approx(total.max(), rel=0.03)
            assert y.sum(axis=1)[0] < 0.05 * total.max() and np.all(y >= 0.0)
    # ramps keep more of their time than the body: not a plain resampling
    y = _err(x, "fast", technique, 4)
    rise = np.argmax(total >= 0.6 * total.max())
    rise_y = np.argmax(y.sum(axis=1) >= 0.6 * total.max())
    assert rise_y > 0.55 * rise


def test_tapotement_tempo_changes_the_strike_rate_not_the_strikes() -> None:
    x = _clean("tapotement", 0, seed=2)
    runs = _strike_runs(x.sum(axis=1))
    for kind in ("fast", "slow"):
        y = _err(x, kind, "tapotement", 4)
        got = _strike_runs(y.sum(axis=1))
        assert len(got) == len(runs)
        span_x, span_y = runs[-1][0] - runs[0][0], got[-1][0] - got[0][0]
        assert span_y / span_x == pytest.approx(_mag(kind, 4), rel=0.03)
        assert [b - a for a, b in got] == [b - a for a, b in runs]  # contact unchanged
        assert (y.shape[0] < x.shape[0]) == (kind == "fast")


@pytest.mark.parametrize("technique", gen.TECHNIQUES)
def test_tremor_is_6_to_10_hz_of_the_stated_size(technique: str) -> None:
    x = _clean(technique, 0, seed=1)
    total = x.sum(axis=1)
    amp = _mag("tremor")
    y = _err(x, "tremor", technique)
    assert y.shape == x.shape and np.all(y >= 0.0)
    d = y.sum(axis=1) - total
    on = (total > 1.0) & (y.sum(axis=1) > 1e-6)
    assert on.mean() > 0.9 * (total > 1.0).mean()  # the hand hardly ever lifts off
    np.testing.assert_allclose(  # the load shares ride along unchanged
        y[on] / y[on].sum(axis=1, keepdims=True), x[on] / total[on, None], atol=1e-9
    )
    if technique == "tapotement":  # felt only in the brief contacts
        assert np.all(d[total == 0.0] == 0.0) and np.abs(d).max() > 0.3 * amp
        return
    spec = np.abs(np.fft.rfft(d * np.hanning(d.size), 4096))
    freqs = np.fft.rfftfreq(4096, 1.0 / FS)
    assert 5.0 <= freqs[np.argmax(spec)] <= 11.0
    held = total > 0.5 * total.max()  # in full contact the gate is open
    rms = np.sqrt(np.mean(d[held] ** 2))
    assert 0.3 * amp / np.sqrt(2) < rms < 2.0 * amp / np.sqrt(2)


@pytest.mark.parametrize("technique", ["effleurage", "petrissage", "friction"])
def test_jerks_are_brief_sudden_pushes_and_gives(technique: str) -> None:
    x = _clean(technique, 1, seed=2)
    total = x.sum(axis=1)
    size = _mag("jerks")
    y = _err(x, "jerks", technique)
    d = y.sum(axis=1) - total
    assert d.max() > 0.9 * size * total.max() and d.min() < -0.9 * size * total.max()
    assert np.all(y >= 0.0) and y.sum(axis=1)[d < 0].min() > 0.0  # never let go entirely
    assert np.count_nonzero(np.abs(d) > 1e-9) / FS < 3 * 0.13  # ≤ 3 events ≤ 130 ms
    steepest = np.abs(np.diff(d)).max() * FS  # N/s: sudden, its size within ~20 ms
    assert steepest > size * total.max() / 0.02


def test_tapotement_jerks_hit_one_strike_harder_and_one_softer() -> None:
    x = _clean("tapotement", 1, seed=2)
    total = x.sum(axis=1)
    y = _err(x, "jerks", "tapotement")
    runs = _strike_runs(total)
    change = np.array([y[a:b].sum(axis=1).max() - total[a:b].max() for a, b in runs])
    size = _mag("jerks") * total.max()
    assert change.max() == pytest.approx(size, rel=1e-6)
    assert change.min() < -0.5 * size


@pytest.mark.parametrize("technique", gen.TECHNIQUES)
def test_load_shift_keeps_the_total_and_moves_the_stated_share(technique: str) -> None:
    x = _clean(technique, 0, seed=6)
    total = x.sum(axis=1)
    share = _mag("load_shift")
    y = _err(x, "load_shift", technique)
    np.testing.assert_allclose(y.sum(axis=1), total, atol=1e-9)
    assert np.all(y >= -1e-12)
    gained = y - x
    target = int(np.argmax(gained.sum(axis=0)))
    assert PROF.regions[target] in family_d._SHIFT_TO[technique]
    moved = gained[:, target].sum() / total.sum()
    assert 0.9 * share < moved < 1.1 * share
    others = np.delete(np.arange(x.shape[1]), target)
    assert np.all(gained[:, others] <= 1e-12)  # taken from every other region


@pytest.mark.parametrize("technique", gen.TECHNIQUES)
def test_partial_strokes_end_early_with_a_release(technique: str) -> None:
    x = _clean(technique, 2, seed=8)
    total = x.sum(axis=1)
    i0, i1 = _span(total)
    for level in (1, 4):
        done = _mag("partial", level)
        y = _err(x, "partial", technique, level)
        yt = y.sum(axis=1)
        assert y.shape[0] < x.shape[0] and yt[-1] < 0.02 * total.max()
        if technique == "tapotement":  # the later strikes are simply not struck
            got, runs = _strike_runs(yt), _strike_runs(total)
            assert len(got) < len(runs)
            np.testing.assert_array_equal(y, x[: y.shape[0]])
            assert got[-1][0] < i0 + done * (i1 - i0)
            continue
        cut = i0 + round(done * (i1 - i0))
        np.testing.assert_array_equal(y[:cut], x[:cut])
        after = yt[cut - 1 :]
        assert np.all(np.diff(after) <= 1e-12)  # a release, not a bounce
        assert np.argmax(after < 0.1 * after[0]) >= 0.03 * FS  # over tens of ms, not a cut
        assert y.shape[0] <= cut + 0.25 * FS


def test_non_strokes() -> None:
    for technique in gen.TECHNIQUES:
        for kind in gen.NON_STROKE_KINDS:
            x, performed = gen.non_stroke(kind, "D", technique, gen.rng_for(5), PROF)
            assert np.all(x >= 0.0) and x.shape[1] == len(PROF.sensors)
            assert (performed == "none") == (kind != "other_technique")
            assert performed != technique
            total = x.sum(axis=1)
            if kind == "rest":
                assert 1.5 < total.max() < 4.0 and x.shape[0] / FS >= 1.8
            if kind == "touches":
                assert total.max() < 5.5


def test_sensor_model_reads_like_a_capacitive_glove() -> None:
    items = [(_clean("effleurage", s), None) for s in gen.STYLES]
    rec = gen.make_recording(items, "D", "effleurage", gen.rng_for(9), PROF).values  # type: ignore[arg-type]
    again = gen.make_recording(items, "D", "effleurage", gen.rng_for(9), PROF).values  # type: ignore[arg-type]
    np.testing.assert_array_equal(rec, again)
    assert np.all(rec >= 0.0)
    step = 0.002  # the reference glove's count (sensors/profiles/reference-glove.toml)
    np.testing.assert_allclose(rec / step, np.round(rec / step), atol=1e-6)
    # held at 100 Hz: most 200 Hz readings repeat their neighbour
    same = np.all(rec[1:] == rec[:-1], axis=1)
    assert 0.45 < same.mean() < 0.6
    # crosstalk: a sensor that carries nothing in the strokes still feels its neighbours
    clean = np.zeros((400, len(PROF.sensors)))
    clean[100:300, PROF.regions.index("middle")] = 20.0
    read = family_d.sensor_model(clean, gen.rng_for(1), PROF)
    ring = PROF.regions.index("ring")
    assert read[150:250, ring].mean() > read[320:, ring].mean() + 0.1
