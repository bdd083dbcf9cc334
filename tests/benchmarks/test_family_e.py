"""Family E of the validity benchmark (``benchmarks/validity/family_e.py``).

The generator's own promises: seeded and byte-deterministic; clean strokes of plausible
duration and force whose force comes from the contact law; each error kind changing the
stroke the way its name says, by about the stated amount, and only that way; an FSR-like
sensor. Whether the *scoring* sees the errors is the benchmark's business.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:  # the benchmarks are not an installed package
    sys.path.insert(0, str(_ROOT))

from benchmarks.validity import family_e  # noqa: E402
from benchmarks.validity import generators as gen  # noqa: E402

PROF = gen.profile()
FS = float(PROF.sample_rate_hz)
GLIDES = ("effleurage", "petrissage", "friction")

#: Loaded duration (s) of a clean stroke: effleurage and friction from the published stroke
#: rates (40-50 and 60-70 strokes/min, docs/evidence.md) less the shared rests;
#: petrissage (two squeezes) and tapotement (a burst of 6-7 strikes) are our choices.
DURATION_S = {
    "effleurage": (0.7, 1.15),
    "petrissage": (0.65, 1.05),
    "friction": (0.42, 0.7),
    "tapotement": (0.8, 1.3),
}


def _clean(technique: str, style: int = 0, seed: int = 0) -> np.ndarray:
    return family_e.clean_stroke(technique, style, gen.rng_for(51, seed), PROF)


def _mag(kind: str, level: int) -> float:
    return gen.ERROR_LEVELS[kind][level - 1]


def _err(x: np.ndarray, kind: str, technique: str, level: int = 2, seed: int = 0) -> np.ndarray:
    return family_e.inject(x, kind, _mag(kind, level), gen.rng_for(52, seed), PROF, technique)


def _span(total: np.ndarray) -> tuple[int, int]:
    on = np.flatnonzero(total > 0.05 * total.max())
    return int(on[0]), int(on[-1]) + 1


def _thirds(total: np.ndarray) -> list[tuple[int, int]]:
    span = _span(total)
    return [family_e._third(span, p) for p in gen.PHASES]


def _runs(total: np.ndarray) -> list[tuple[int, int]]:
    on = np.concatenate([[False], total > 0.0, [False]])
    edges = np.flatnonzero(np.diff(on.astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


# ----------------------------------------------------------------------------------
# determinism and dispatch
# ----------------------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    for technique in gen.TECHNIQUES:
        a = _clean(technique, 1, seed=5)
        assert a.tobytes() == _clean(technique, 1, seed=5).tobytes()
        b = _clean(technique, 1, seed=6)
        n = min(a.shape[0], b.shape[0])
        assert not np.array_equal(a[:n], b[:n])
        for kind in gen.ERROR_KINDS:
            assert _err(a, kind, technique).tobytes() == _err(a, kind, technique).tobytes()
        for kind in gen.NON_STROKE_KINDS:
            x, p = family_e.non_stroke(kind, technique, gen.rng_for(3), PROF)
            y, q = family_e.non_stroke(kind, technique, gen.rng_for(3), PROF)
            assert x.tobytes() == y.tobytes() and p == q
    read = family_e.sensor_model(_clean("effleurage"), gen.rng_for(9), PROF)
    assert (
        read.tobytes()
        == family_e.sensor_model(_clean("effleurage"), gen.rng_for(9), PROF).tobytes()
    )


def test_family_e_is_dispatched() -> None:
    x = gen.clean_stroke("E", "friction", 0, gen.rng_for(51, 0), PROF)
    np.testing.assert_array_equal(x, np.clip(_clean("friction"), 0.0, None))


# ----------------------------------------------------------------------------------
# the physics
# ----------------------------------------------------------------------------------


def test_force_comes_from_the_contact_law_and_inverts_exactly() -> None:
    k = family_e._stiffness("effleurage", PROF)
    t = np.arange(200) / FS
    depth = np.outer(4.0 * np.sin(np.pi * t / t[-1]) - 0.5, np.ones(k.size))
    f = family_e._contact(depth, FS, k)
    d = np.maximum(depth, 0.0)
    rate = np.diff(d, axis=0, prepend=0.0) * FS
    np.testing.assert_allclose(f, k * d**1.5 * (1 + family_e._DAMPING * rate), atol=1e-12)
    # loading reads above, unloading below the static curve at the same depth
    i_up, i_down = 30, 169
    assert d[i_up, 0] == pytest.approx(d[i_down, 0], rel=1e-9)
    assert f[i_up, 0] > k[0] * d[i_up, 0] ** 1.5 > f[i_down, 0]
    np.testing.assert_allclose(family_e._depth_from_force(f, FS, k), d, atol=1e-9)
    for technique in GLIDES:
        x = _clean(technique, 2)
        k = family_e._stiffness(technique, PROF)
        back = family_e._contact(family_e._depth_from_force(x, FS, k), FS, k)
        np.testing.assert_allclose(back, x, atol=1e-9)


def test_strikes_follow_from_the_hands_speed() -> None:
    slow, fast = family_e._strike(0.4, 10_000.0), family_e._strike(0.8, 10_000.0)
    assert fast.max() / slow.max() == pytest.approx(2.0**1.2, rel=0.01)  # Hertz: v^1.2
    assert fast.size / slow.size == pytest.approx(2.0**-0.2, rel=0.01)  # contact ∝ v^-0.2
    impulse = fast.sum() / 10_000.0  # m v (1 + e'), e' the effective restitution
    assert 1.3 < impulse / (family_e._HAND_MASS_KG * 0.8) < 1.8


# ----------------------------------------------------------------------------------
# clean strokes
# ----------------------------------------------------------------------------------


@pytest.mark.parametrize("technique", gen.TECHNIQUES)
def test_clean_strokes_are_plausible(technique: str) -> None:
    lo, hi = DURATION_S[technique]
    peaks = []
    for style in gen.STYLES:
        for seed in range(2):
            x = _clean(technique, style, seed)
            total = x.sum(axis=1)
            assert x.shape[1] == len(PROF.sensors) and np.all(x >= 0.0)
            assert total[0] == 0.0 and total[-1] == 0.0
            i0, i1 = _span(total)
            assert lo <= (i1 - i0) / FS <= hi, (style, seed, (i1 - i0) / FS)
            peaks.append(total.max())
    p = np.array(peaks)
    assert p.max() / p.min() < 1.3  # styles and strokes of competent performers
    if technique == "effleurage":  # between deep (10 N) and "high" (19.6 N) effleurage
        assert 10.0 < p.min() and p.max() < 19.6
    if technique == "petrissage":  # below effleurage (Mickelwright et al. 2006's order)
        eff = max(_clean("effleurage", s).sum(axis=1).max() for s in gen.STYLES)
        assert p.max() < eff
    if technique == "friction":  # the thumb inside the published quartiles, 100-408 kPa
        kpa = PROF.pressure_kpa(_clean("friction")).max(axis=0)
        assert 180.0 < kpa[PROF.regions.index("thumb")] < 280.0  # about the 227 kPa mean
        assert kpa.max() < 408.0
    if technique == "tapotement":  # 4-10 strikes/s, ~45 ms contacts, below petrissage
        for style in gen.STYLES:
            runs = _runs(_clean("tapotement", style).sum(axis=1))
            rate = (len(runs) - 1) / ((runs[-1][0] - runs[0][0]) / FS)
            assert 4.0 <= rate <= 10.0
            assert all(0.03 <= (b - a) / FS <= 0.06 for a, b in runs)
        assert p.max() < 11.0


def test_effleurage_rolls_from_heel_to_fingers() -> None:
    heel, fingers = PROF.regions.index("palm_heel"), [3, 4, 5, 6]
    for style in gen.STYLES:
        x = _clean("effleurage", style)
        first, _, last = _thirds(x.sum(axis=1))
        share = x / np.maximum(x.sum(axis=1, keepdims=True), 1e-12)
        assert share[slice(*first), heel].mean() > 2 * share[slice(*last), heel].mean()
        assert share[slice(*last)][:, fingers].sum(axis=1).mean() > 0.3


def test_petrissage_kneads_twice() -> None:
    for style in gen.STYLES:
        total = _clean("petrissage", style).sum(axis=1)
        i0, i1 = _span(total)
        body = total[i0:i1]
        tops = np.flatnonzero((body[1:-1] > body[:-2]) & (body[1:-1] >= body[2:])) + 1
        assert len(tops) == 2, style  # two compressions ...
        assert body[tops[0] : tops[1]].min() < 0.7 * body[tops].min()  # ... a release between


def test_styles_differ_but_stay_within_expert_variation() -> None:
    for technique in gen.TECHNIQUES:
        profiles, shares = [], []
        for style in gen.STYLES:
            x = _clean(technique, style)
            total = x.sum(axis=1)
            span = _span(total)
            means = np.array([total[a:b].mean() for a, b in _thirds(total)])
            profiles.append(means / total[span[0] : span[1]].mean())
            shares.append(x.sum(axis=0) / x.sum())
        p, s = np.array(profiles), np.array(shares)
        spread = p.max(axis=0) - p.min(axis=0)
        assert np.all(spread < 0.3), (technique, p)  # no third off by a level error
        assert spread.max() > 0.04 or np.abs(s - s.mean(axis=0)).max() > 0.03, technique
        assert np.abs(s - s.mean(axis=0)).max() < 0.1, (technique, s)  # no load-shift fault


def test_held_out_style_differs_from_the_references_by_less_than_an_error() -> None:
    for technique in gen.TECHNIQUES:
        per_style = []
        for style in gen.STYLES:
            rows = []
            for seed in range(4):
                x = _clean(technique, style, seed)
                total = x.sum(axis=1)
                i0, i1 = _span(total)
                rows.append(
                    [total.max(), (i1 - i0) / FS, total[i0:i1].mean(), *(x.sum(axis=0) / x.sum())]
                )
            per_style.append(np.mean(rows, axis=0))
        ref = (per_style[0] + per_style[1]) / 2
        held = per_style[gen.HELD_OUT_STYLE]
        # half the smallest level: 10 % in force or time, 0.1 of the load moved
        assert np.all(np.abs(held[:3] / ref[:3] - 1.0) < 0.06), (technique, held[:3] / ref[:3])
        assert np.all(np.abs(held[3:] - ref[3:]) < 0.06), (technique, held[3:] - ref[3:])


# ----------------------------------------------------------------------------------
# errors
# ----------------------------------------------------------------------------------


@pytest.mark.parametrize("technique", gen.TECHNIQUES)
def test_level_errors_change_their_third_by_the_factor(technique: str) -> None:
    x = _clean(technique, 2, seed=3)
    total = x.sum(axis=1)
    thirds = _thirds(total)
    for level in (2, 4):
        for side in ("light", "heavy"):
            kind = f"{side}_uniform"
            y = _err(x, kind, technique, level)
            assert y.sum() / x.sum() == pytest.approx(_mag(kind, level), rel=0.02)
            for k, phase in enumerate(gen.PHASES):
                kind = f"{side}_{phase}"
                f = _mag(kind, level)
                y = _err(x, kind, technique, level)
                assert y.shape == x.shape and np.all(y >= 0.0)
                yt = y.sum(axis=1)
                ratio = np.array([yt[a:b].mean() / total[a:b].mean() for a, b in thirds])
                assert ratio[k] == pytest.approx(f, rel=0.1), (kind, level, ratio)
                # a strike is struck whole: one straddling a boundary moves its neighbour
                tol = 0.08 if technique == "tapotement" else 0.03
                assert np.all(np.abs(np.delete(ratio, k) - 1.0) < tol), (kind, level, ratio)


@pytest.mark.parametrize("technique", GLIDES)
def test_level_errors_act_on_the_planned_depth(technique: str) -> None:
    x = _clean(technique, 0, seed=2)
    k = family_e._stiffness(technique, PROF)
    d = family_e._depth_from_force(x, FS, k)
    touching = d > 0.5
    for kind in ("light_uniform", "heavy_uniform"):
        f = _mag(kind, 2)
        dy = family_e._depth_from_force(_err(x, kind, technique), FS, k)
        # the force changes by f through the contact law: the depth by about f^(2/3)
        ratio = np.median(dy[touching] / d[touching])
        assert ratio == pytest.approx(f ** (2 / 3), abs=0.03), (kind, ratio)
    for k_phase, phase in enumerate(gen.PHASES):
        dy = family_e._depth_from_force(_err(x, f"light_{phase}", technique), FS, k)
        a, b = _thirds(x.sum(axis=1))[k_phase]
        outside = np.ones(x.shape[0], dtype=bool)
        outside[a:b] = False
        outside[: a if phase == "start" else 0] = False  # the landing belongs to the start
        outside[b if phase == "end" else x.shape[0] :] = False  # and the lift to the end
        np.testing.assert_allclose(dy[outside], d[outside], atol=1e-6)  # plan kept there
        assert np.all(dy[a:b] <= d[a:b] + 1e-6) and np.any(dy[a:b] < 0.9 * d[a:b])


@pytest.mark.parametrize("technique", GLIDES)
def test_tempo_errors_replan_at_another_speed(technique: str) -> None:
    x = _clean(technique, 1, seed=4)
    total = x.sum(axis=1)
    for kind in ("fast", "slow"):
        for level in (1, 4):
            f = _mag(kind, level)
            y = _err(x, kind, technique, level)
            yt = y.sum(axis=1)
            assert y.shape[0] == round(x.shape[0] * f) and np.all(y >= 0.0)
            i0, i1 = _span(yt)
            j0, j1 = _span(total)
            assert (i1 - i0) / (j1 - j0) == pytest.approx(f, abs=0.03)
            # same plan, another speed: the peak barely moves (the viscous term only)
            assert yt.max() == pytest.approx(total.max(), rel=0.05)
            assert yt[0] == 0.0 and yt[-1] == 0.0


def test_tapotement_tempo_moves_strikes_not_their_contact() -> None:
    x = _clean("tapotement", 0, seed=2)
    runs = _runs(x.sum(axis=1))
    for kind in ("fast", "slow"):
        f = _mag(kind, 4)
        y = _err(x, kind, "tapotement", 4)
        got = _runs(y.sum(axis=1))
        assert len(got) == len(runs)
        assert (got[-1][0] - got[0][0]) / (runs[-1][0] - runs[0][0]) == pytest.approx(f, rel=0.03)
        assert [b - a for a, b in got] == [b - a for a, b in runs]
        assert (y.shape[0] < x.shape[0]) == (kind == "fast")


@pytest.mark.parametrize("technique", GLIDES)
def test_tremor_is_6_to_10_hz_of_the_stated_size(technique: str) -> None:
    x = _clean(technique, 0, seed=1)
    total = x.sum(axis=1)
    for level in (1, 3):
        amp = _mag("tremor", level)
        y = _err(x, "tremor", technique, level, seed=level)
        assert y.shape == x.shape and np.all(y >= 0.0)
        d = y.sum(axis=1) - total
        spec = np.abs(np.fft.rfft(d * np.hanning(d.size), 4096))
        freqs = np.fft.rfftfreq(4096, 1.0 / FS)
        assert 6.0 <= freqs[np.argmax(spec)] <= 10.0
        band = (freqs >= 5.5) & (freqs <= 10.5)
        assert (spec[band] ** 2).sum() > 0.8 * (spec**2).sum()
        held = total > 0.5 * total.max()
        size = np.sqrt(2.0 * np.mean(d[held] ** 2))
        assert size == pytest.approx(amp, rel=0.05)
        assert np.all(d[total == 0.0] == 0.0)  # the hand off the tissue feels nothing


def test_tapotement_tremor_moves_strike_peaks_by_the_amplitude() -> None:
    x = _clean("tapotement", 1, seed=1)
    amp = _mag("tremor", 2)
    y = _err(x, "tremor", "tapotement")
    yt, total = y.sum(axis=1), x.sum(axis=1)
    change = [yt[a:b].max() - total[a:b].max() for a, b in _runs(total)]
    assert max(abs(c) for c in change) == pytest.approx(amp, rel=0.15)
    assert len(_runs(yt)) == len(_runs(total))


@pytest.mark.parametrize("technique", gen.TECHNIQUES)
def test_jerks_are_a_sudden_push_and_a_give(technique: str) -> None:
    x = _clean(technique, 1, seed=2)
    total = x.sum(axis=1)
    size = _mag("jerks", 3) * total.max()
    y = _err(x, "jerks", technique, 3)
    d = y.sum(axis=1) - total
    assert d.max() > 0.95 * size and d.min() < -0.95 * size
    assert np.count_nonzero(np.abs(d) > 1e-6) / FS < 0.3  # two brief events
    if technique != "tapotement":
        i0, i1 = _span(total)
        assert y.sum(axis=1)[i0:i1].min() > 0.0  # the give never lets go entirely
        steepest = np.abs(np.diff(d)).max() * FS  # N/s: the step within ~25 ms
        assert steepest > size / 0.03


@pytest.mark.parametrize("technique", gen.TECHNIQUES)
def test_load_shift_keeps_the_total_and_moves_the_share(technique: str) -> None:
    x = _clean(technique, 0, seed=6)
    total = x.sum(axis=1)
    target = PROF.regions.index(family_e._SHIFT_TO[technique])
    for level in (1, 4):
        share = _mag("load_shift", level)
        y = _err(x, "load_shift", technique, level)
        np.testing.assert_allclose(y.sum(axis=1), total, atol=1e-9)
        assert np.all(y >= 0.0)
        gained = y - x
        moved = gained[:, target].sum() / total.sum()
        assert moved == pytest.approx(share, rel=0.1)
        others = np.delete(np.arange(x.shape[1]), target)
        assert gained[:, others].sum() == pytest.approx(-gained[:, target].sum())


@pytest.mark.parametrize("technique", gen.TECHNIQUES)
def test_partial_strokes_stop_and_lift(technique: str) -> None:
    x = _clean(technique, 2, seed=8)
    total = x.sum(axis=1)
    i0, i1 = _span(total)
    for level in (1, 4):
        done = _mag("partial", level)
        y = _err(x, "partial", technique, level)
        yt = y.sum(axis=1)
        assert y.shape[0] < x.shape[0] and yt[-1] == 0.0 and np.all(y >= 0.0)
        j0, j1 = _span(yt)
        assert j0 == i0
        performed = (j1 - i0) / (i1 - i0)
        assert done - 0.2 < performed < done + 0.15, (level, performed)
        cut = i0 + round(done * (i1 - i0)) - 1
        if technique != "tapotement":
            np.testing.assert_allclose(y[:cut], x[:cut], atol=1e-9)  # the plan until then
            assert y.shape[0] <= cut + 0.2 * FS  # then a quick lift


# ----------------------------------------------------------------------------------
# non-strokes and the sensor
# ----------------------------------------------------------------------------------


def test_non_strokes_are_what_they_say() -> None:
    for technique in gen.TECHNIQUES:
        for seed in range(2):
            for kind in gen.NON_STROKE_KINDS:
                x, performed = family_e.non_stroke(kind, technique, gen.rng_for(5, seed), PROF)
                assert np.all(x >= 0.0) and x.shape[1] == len(PROF.sensors)
                assert (performed == "none") == (kind != "other_technique")
                assert performed != technique
                total = x.sum(axis=1)
                if kind == "rest":  # a relaxed hand: heel and palm, a few N, ≥ 2 s
                    assert 1.5 < total.max() < 4.0 and x.shape[0] / FS >= 2.0
                    held = total > 0.5 * total.max()
                    assert held.mean() > 0.5
                if kind == "touches":  # light dabs, one fingertip at a time mostly
                    assert x.max() < 4.0
                    assert x[:, :2].max() == 0.0  # never the heel or the palm
                if kind == "noise":
                    assert 0.05 < x.mean() < 0.3 and total.max() < 6.0
                if kind == "other_technique":
                    assert performed in gen.TECHNIQUES and total[0] == total[-1] == 0.0


def test_sensor_model_reads_like_an_fsr_glove() -> None:
    n = 1600
    clean = np.zeros((n, len(PROF.sensors)))
    ramp = np.concatenate([np.linspace(0.0, 20.0, 300), np.linspace(20.0, 0.0, 300)])
    clean[100:700, 2] = ramp  # thumb: a slow load and unload
    clean[100:1500, 4] = 10.0  # middle: a step held for 7 s
    clean[100:1500, 0] = 200.0  # heel: beyond the saturation
    read = family_e.sensor_model(clean, gen.rng_for(3), PROF)
    assert np.all(read >= 0.0) and np.all(read <= PROF.saturation_n)
    step = 0.002  # the reference glove's count (sensors/profiles/reference-glove.toml)
    np.testing.assert_allclose(read / step, np.round(read / step), atol=1e-6)
    assert read[200:1400, 0].max() == PROF.saturation_n[0]
    # hysteresis: at 10 N the unloading branch reads above the loading one
    up = read[100 + 140 : 100 + 160, 2].mean()
    down = read[100 + 440 : 100 + 460, 2].mean()
    assert down > up * 1.04
    # creep: under a held load the reading rises by a few per cent over seconds
    early, late = read[130:170, 4].mean(), read[1400:1490, 4].mean()
    assert 1.01 < late / early < 1.08
    # no load: noise clipped at 0 N (about half the samples read zero)
    idle = read[:90]
    assert 0.3 < (idle == 0.0).mean() < 0.7 and idle.max() < 0.3
    # dropouts: a loaded sensor now and then reads zero for a few samples
    held = np.ones((40 * int(FS), len(PROF.sensors))) * 10.0
    zeros = family_e.sensor_model(held, gen.rng_for(4), PROF) == 0.0
    assert 0 < zeros.sum() < 0.01 * zeros.size
