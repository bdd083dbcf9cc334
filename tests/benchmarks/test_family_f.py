"""Family F of the validity benchmark: neuromuscular drive, muscle twitch, resistive FSR.

Fast checks that the generator means what its docstring says: plausible strokes of every
technique and style, styles within expert variation, each error kind moving the stroke the
stated way by the stated amount, the FSR-like sensor, and determinism.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:  # the benchmarks are not an installed package
    sys.path.insert(0, str(_ROOT))

from benchmarks.validity import family_f as fam  # noqa: E402
from benchmarks.validity import generators as gen  # noqa: E402

PROF = gen.profile()
FS = float(PROF.sample_rate_hz)
CH = len(PROF.sensors)
REGIONS = [s.region.value for s in PROF.sensors]

# Published figures (docs/evidence.md) and the module's choices, checked loosely.
PEAK_N = {
    "effleurage": (13, 19.6),
    "petrissage": (10, 16),
    "friction": (38, 52),
    "tapotement": (5, 10),
}
LOADED_S = {"effleurage": (0.7, 1.0), "petrissage": (0.8, 1.1), "friction": (0.38, 0.6)}


def _clean(technique: str, style: int = 0, seed: int = 0) -> np.ndarray:
    return gen.clean_stroke("F", technique, style, gen.rng_for(61, style, seed), PROF)


def _err(x: np.ndarray, kind: str, mag: float, technique: str, seed: int = 0) -> np.ndarray:
    return gen.inject(x, kind, mag, gen.rng_for(62, seed), PROF, technique, "F")


def _span(total: np.ndarray) -> tuple[int, int]:
    idx = np.flatnonzero(total >= 0.05 * total.max())
    return int(idx[0]), int(idx[-1])


def _loaded(x: np.ndarray) -> float:
    a, b = _span(x.sum(axis=1))
    return (b - a) / FS


def _mean(x: np.ndarray) -> float:
    total = x.sum(axis=1)
    a, b = _span(total)
    return float(total[a : b + 1].mean())


def _thirds(x: np.ndarray) -> list[np.ndarray]:
    a, b = _span(x.sum(axis=1))
    return np.array_split(np.arange(a, b + 1), 3)


def test_family_f_is_dispatched() -> None:
    assert "F" in gen.FAMILIES
    assert gen._own_model("F") is fam
    rng = gen.rng_for(1)
    x = gen.clean_stroke("F", "effleurage", 0, rng, PROF)
    np.testing.assert_array_equal(x, _clean_with(gen.rng_for(1)))


def _clean_with(rng: np.random.Generator) -> np.ndarray:
    return fam.clean_stroke("effleurage", 0, rng, PROF)


@pytest.mark.parametrize("technique", gen.TECHNIQUES)
def test_clean_strokes_are_plausible(technique: str) -> None:
    for style in gen.STYLES:
        x = _clean(technique, style)
        total = x.sum(axis=1)
        assert x.ndim == 2 and x.shape[1] == CH
        assert np.all(np.isfinite(x)) and np.all(x >= 0.0)
        assert total[0] == 0.0 and total[-1] < 0.1  # from rest to rest
        pk_lo, pk_hi = PEAK_N[technique]
        assert pk_lo <= total.max() <= pk_hi, (technique, style, total.max())
        if technique in LOADED_S:
            d_lo, d_hi = LOADED_S[technique]
            assert d_lo <= _loaded(x) <= d_hi, (technique, style, _loaded(x))
        else:  # a burst of strikes at 4-10 per second, contacts of ~45 ms
            on = total > 0.1 * total.max()
            starts = np.flatnonzero(np.diff(on.astype(int)) == 1)
            ends = np.flatnonzero(np.diff(on.astype(int)) == -1)
            rate = (len(starts) - 1) / ((starts[-1] - starts[0]) / FS)
            assert 4.0 <= rate <= 10.0
            contact = np.mean(ends - starts[: len(ends)]) / FS
            assert 0.03 <= contact <= 0.06, contact


def test_pressed_strokes_follow_their_technique() -> None:
    eff = _clean("effleurage")
    heel, fingers = REGIONS.index("palm_heel"), [REGIONS.index(f) for f in ("index", "middle")]
    t = _thirds(eff)
    assert eff[t[0], heel].sum() > eff[t[2], heel].sum()  # the heel lands first ...
    assert eff[t[2]][:, fingers].sum() > 2 * eff[t[0]][:, fingers].sum()  # ... fingers follow
    fr = _clean("friction")
    share = fr.sum(axis=0) / fr.sum()
    assert share[REGIONS.index("thumb")] > 0.45
    pet = _clean("petrissage").sum(axis=1)
    mid = pet[_thirds(_clean("petrissage"))[1]]
    assert mid.min() < 0.85 * pet.max()  # two squeezes with a release between


@pytest.mark.parametrize("technique", gen.TECHNIQUES)
def test_styles_stay_within_expert_variation(technique: str) -> None:
    peak, dur, mean, share = [], [], [], []
    for style in gen.STYLES:
        xs = [_clean(technique, style, seed) for seed in range(4)]
        peak.append(np.mean([x.sum(axis=1).max() for x in xs]))
        dur.append(np.mean([_loaded(x) for x in xs]))
        mean.append(np.mean([_mean(x) for x in xs]))
        share.append(np.mean([x.sum(axis=0) / x.sum() for x in xs], axis=0))
    for name, vals in (("peak", peak), ("duration", dur), ("mean", mean)):
        assert max(vals) / min(vals) <= 1.10, (technique, name, vals)  # within ±5 %
    for i in gen.STYLES:
        for j in gen.STYLES:
            assert np.abs(share[i] - share[j]).max() <= 0.05, (technique, i, j)
    assert np.abs(share[0] - share[2]).max() > 0.005  # but the styles do differ


@pytest.mark.parametrize("technique", gen.TECHNIQUES)
def test_force_errors_scale_the_force(technique: str) -> None:
    x = _clean(technique, 1)
    for kind, mag in (("light_uniform", 0.5), ("heavy_uniform", 1.5)):
        y = _err(x, kind, mag, technique)
        assert y.shape == x.shape
        assert y.sum() / x.sum() == pytest.approx(mag, rel=0.02)
    total = x.sum(axis=1)
    for side, mag in (("light", 0.5), ("heavy", 1.5)):
        for k, phase in enumerate(gen.PHASES):
            y = _err(x, f"{side}_{phase}", mag, technique).sum(axis=1)
            ratios = [y[t].mean() / total[t].mean() for t in _thirds(x)]
            assert ratios[k] == pytest.approx(mag, abs=0.1), (phase, ratios)
            others = [abs(r - 1.0) for i, r in enumerate(ratios) if i != k]
            assert max(others) < abs(ratios[k] - 1.0)


@pytest.mark.parametrize("technique", gen.TECHNIQUES)
def test_tempo_errors_scale_the_loaded_duration(technique: str) -> None:
    x = _clean(technique, 2)
    for mag in (0.5, 0.75, 1.33, 2.0):
        kind = "fast" if mag < 1 else "slow"
        y = _err(x, kind, mag, technique)
        assert _loaded(y) / _loaded(x) == pytest.approx(mag, rel=0.05)
        assert y.sum(axis=1).max() == pytest.approx(x.sum(axis=1).max(), rel=0.15)
        assert np.all(y >= 0.0)


def test_tapotement_tempo_moves_strikes_not_contacts() -> None:
    x = _clean("tapotement")
    y = _err(x, "fast", 0.5, "tapotement")

    def contact(z: np.ndarray) -> float:
        on = (z.sum(axis=1) > 0.1 * z.sum(axis=1).max()).astype(int)
        return on.sum() / max(1, int((np.diff(on) == 1).sum()))

    assert contact(y) == pytest.approx(contact(x), rel=0.15)


@pytest.mark.parametrize("technique", ["effleurage", "petrissage", "friction"])
def test_tremor_is_6_to_10_hz_of_the_stated_size(technique: str) -> None:
    x = _clean(technique)
    a, b = _span(x.sum(axis=1))
    mid = slice(a + (b - a) // 4, b - (b - a) // 4)
    for amp in (1.5, 4.0):
        y = _err(x, "tremor", amp, technique)
        assert y.shape == x.shape and np.all(y >= 0)
        d = (y - x).sum(axis=1)[mid]
        assert np.abs(d).max() == pytest.approx(amp, rel=0.15)
        spec = np.abs(np.fft.rfft(d * np.hanning(d.size), n=1024))
        hz = np.fft.rfftfreq(1024, 1.0 / FS)[int(np.argmax(spec))]
        assert 5.0 <= hz <= 11.0


def test_tapotement_tremor_moves_strikes_by_at_most_the_amplitude() -> None:
    x = _clean("tapotement")
    y = _err(x, "tremor", 2.5, "tapotement")
    d = (y - x).sum(axis=1)
    assert 1.0 < np.abs(d).max() <= 2.5 * 1.05


@pytest.mark.parametrize("technique", gen.TECHNIQUES)
def test_jerks_push_and_give_by_the_fraction(technique: str) -> None:
    x = _clean(technique)
    peak = x.sum(axis=1).max()
    for frac in (0.25, 0.4):
        y = _err(x, "jerks", frac, technique)
        assert y.shape == x.shape and np.all(y >= 0)
        d = (y - x).sum(axis=1)
        assert d.max() == pytest.approx(frac * peak, rel=0.1)
        assert -d.min() == pytest.approx(frac * peak, rel=0.1)


@pytest.mark.parametrize("technique", gen.TECHNIQUES)
def test_load_shift_keeps_the_total_and_moves_the_share(technique: str) -> None:
    x = _clean(technique)
    share = x.sum(axis=0) / x.sum()
    for frac in (0.1, 0.4):
        y = _err(x, "load_shift", frac, technique)
        np.testing.assert_allclose(y.sum(axis=1), x.sum(axis=1), atol=1e-9)
        moved = y.sum(axis=0) / y.sum() - share
        target = int(np.argmax(moved))
        assert target == int(np.argmin(share))  # onto the least-loaded region
        assert moved[target] == pytest.approx(frac, abs=0.01)
        assert np.all(y >= 0)


@pytest.mark.parametrize("technique", gen.TECHNIQUES)
def test_partial_strokes_stop_early_and_lift(technique: str) -> None:
    x = _clean(technique)
    for frac in (0.8, 0.4):
        y = _err(x, "partial", frac, technique)
        assert y.shape[0] < x.shape[0]
        assert y.sum(axis=1)[-1] < 1e-9  # the hand is off
        ratio = _loaded(y) / _loaded(x)
        assert frac - 0.2 <= ratio <= frac + 0.12, (frac, ratio)


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    def run(seed: int) -> bytes:
        out = []
        for ti, technique in enumerate(gen.TECHNIQUES):
            rng = gen.rng_for(63, ti, seed)
            x = gen.clean_stroke("F", technique, ti % 3, rng, PROF)
            for kind in ("tremor", "jerks", "fast", "light_end"):
                x = gen.inject(x, kind, gen.ERROR_LEVELS[kind][1], rng, PROF, technique, "F")
            rec = gen.make_recording([(x, None)], "F", technique, rng, PROF)  # type: ignore[list-item]
            out.append(rec.values.tobytes())
        return b"".join(out)

    assert run(0) == run(0)
    assert run(0) != run(1)


def test_sensor_reads_like_a_resistive_fsr() -> None:
    x = _clean("friction")
    clean = np.vstack([np.zeros((100, CH)), x, np.zeros((100, CH))])
    r = fam.sensor_model(clean, gen.rng_for(64), PROF)
    assert r.shape == clean.shape
    assert np.all(r[:100] == 0.0) and np.all(r[-50:] == 0.0)  # unloaded: exactly 0
    assert not np.any((r > 0.0) & (r < 0.1))  # nothing below the turn-on force
    assert np.all(r <= np.asarray(PROF.saturation_n)[None, :])
    counts = r / 0.002
    np.testing.assert_allclose(counts, np.round(counts), atol=1e-6)  # the count grid
    loaded = clean > 1.0
    rel = r[loaded] / clean[loaded]
    assert 0.85 < np.median(rel) < 1.15  # close to the truth, not equal to it
    assert np.abs(rel - 1.0).max() > 0.005


def test_non_strokes_are_what_they_say() -> None:
    for kind in gen.NON_STROKE_KINDS:
        x, performed = gen.non_stroke(kind, "F", "friction", gen.rng_for(65), PROF)
        assert x.shape[1] == CH and np.all(x >= 0) and np.all(np.isfinite(x))
        assert (performed == "none") == (kind != "other_technique")
        assert performed != "friction"
        if kind in ("rest", "touches"):
            assert 1.0 < x.sum(axis=1).max() < 6.0
