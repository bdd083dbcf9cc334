from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sensors.exceptions import SourceError
from sensors.profiles import load_profile
from sensors.strokes import (
    FAULT_FAMILIES,
    FAULTS,
    STUDENT_LEVELS,
    TECHNIQUES,
    Student,
    check_faults,
    make_student,
    simulate_rest,
    simulate_take,
)

REF = load_profile("reference-glove")
DIY = load_profile("diy-fsr5")


def _rate_per_min(take) -> float:
    starts = np.array([s for s, _ in take.strokes]) / take.fs_hz
    return 60.0 / float(np.median(np.diff(starts)))


def test_deterministic_for_a_seed() -> None:
    a = simulate_take("petrissage", seconds=10, profile=REF, seed=4)
    b = simulate_take("petrissage", seconds=10, profile=REF, seed=4)
    c = simulate_take("petrissage", seconds=10, profile=REF, seed=5)
    np.testing.assert_array_equal(a.values, b.values)
    assert not np.array_equal(a.values, c.values)


def test_published_rates() -> None:
    # effleurage 40-50 strokes/min, friction 60-70 strokes/min (Ryason 2009 summary)
    assert 40 <= _rate_per_min(simulate_take("effleurage", seconds=60, profile=REF, seed=1)) <= 50
    assert 60 <= _rate_per_min(simulate_take("friction", seconds=60, profile=REF, seed=1)) <= 70


def test_tapotement_strike_rate_in_published_band() -> None:
    take = simulate_take("tapotement", seconds=30, profile=REF, seed=2)
    total = take.values.sum(axis=1)
    s, e = take.strokes[0]
    segment = total[s:e] - total[s:e].mean()
    spectrum = np.abs(np.fft.rfft(segment, n=4096))
    freqs = np.fft.rfftfreq(4096, 1 / take.fs_hz)
    assert 4.0 <= freqs[np.argmax(spectrum[1:]) + 1] <= 10.0  # 4-10 strikes/s


def test_mean_force_ordering_effleurage_petrissage_tapotement() -> None:
    means = {
        t: simulate_take(t, seconds=30, profile=REF, seed=3).values.sum(axis=1).mean()
        for t in ("effleurage", "petrissage", "tapotement")
    }
    assert means["effleurage"] > means["petrissage"] > means["tapotement"]  # Mickelwright 2006


def test_friction_clips_an_fsr_glove_but_not_the_reference_glove() -> None:
    diy = simulate_take("friction", seconds=10, profile=DIY, seed=1)
    ref = simulate_take("friction", seconds=10, profile=REF, seed=1)
    assert np.any(diy.values >= DIY.saturation_n)
    assert not np.any(ref.values >= REF.saturation_n)
    assert diy.values.max() <= DIY.saturation_n.max()


def test_knobs_scale_force_and_tempo() -> None:
    base = simulate_take("effleurage", profile=REF, seed=7, seconds=0, n_strokes=6)
    light = simulate_take(
        "effleurage", profile=REF, seed=7, seconds=0, n_strokes=6, force_scale=0.5
    )
    slow = simulate_take("effleurage", profile=REF, seed=7, seconds=0, n_strokes=6, tempo_scale=1.6)
    assert light.values.max() == pytest.approx(0.5 * base.values.max(), rel=0.1)
    dur = lambda tk: np.mean([e - s for s, e in tk.strokes])  # noqa: E731
    assert dur(slow) == pytest.approx(1.6 * dur(base), rel=0.05)
    assert len(base.strokes) == 6


def test_tremor_adds_8hz_energy() -> None:
    calm = simulate_take("effleurage", profile=REF, seed=1, seconds=0, n_strokes=4)
    shaky = simulate_take(
        "effleurage",
        profile=REF,
        seed=1,
        seconds=0,
        n_strokes=4,
        tremor_hz=8,
        tremor_amplitude_n=1.5,
    )

    def band(take):
        x = take.values.sum(axis=1)
        f = np.fft.rfftfreq(x.size, 1 / take.fs_hz)
        p = np.abs(np.fft.rfft(x - x.mean())) ** 2
        return p[(f > 7) & (f < 9)].sum()

    assert band(shaky) > 10 * band(calm)


def test_rest_has_no_strokes_and_low_force() -> None:
    rest = simulate_rest(10, REF, seed=1)
    assert rest.strokes == ()
    assert rest.values.max() < 0.5


def test_unknown_technique() -> None:
    with pytest.raises(SourceError, match="known: " + ", ".join(TECHNIQUES)):
        simulate_take("shiatsu", seconds=1, profile=REF)


def _stroke_peaks(take) -> np.ndarray:
    total = take.values.sum(axis=1)
    return np.array([total[s:e].max() for s, e in take.strokes])


def test_effleurage_peaks_at_the_high_low_back_force() -> None:
    # Chen et al. 2022: low <= 9.8 N, high >= 19.6 N; the simulator aims at "high".
    peaks = _stroke_peaks(simulate_take("effleurage", seconds=60, profile=REF, seed=8))
    assert 17.0 <= np.median(peaks) <= 23.0
    assert peaks.min() > 9.8


def test_deep_effleurage_variant_matches_haas_10n_at_half_a_hertz() -> None:
    take = simulate_take(
        "effleurage", seconds=60, profile=REF, seed=8, force_scale=0.5, tempo_scale=1.5
    )
    assert 8.5 <= np.median(_stroke_peaks(take)) <= 11.5
    assert 0.45 <= _rate_per_min(take) / 60 <= 0.55


def test_friction_thumb_pressure_sits_in_the_published_quartiles() -> None:
    # Chaves et al. 2020: deep friction 227 kPa mean, quartiles 100-408 kPa.
    take = simulate_take("friction", seconds=30, profile=REF, seed=8)
    thumb = REF.channel_names.index("thumb")
    area_m2 = REF.contact_area_m2[thumb]
    kpa = np.array([take.values[s:e, thumb].max() for s, e in take.strokes]) / area_m2 / 1e3
    assert 100 <= kpa.min() and kpa.max() <= 408
    assert np.median(kpa) == pytest.approx(227, rel=0.12)


def test_strokes_are_separated_by_low_force_rests() -> None:
    for technique in TECHNIQUES:
        take = simulate_take(technique, seconds=20, profile=REF, seed=3)
        total = take.values.sum(axis=1)
        for (_, end), (start, _) in zip(take.strokes, take.strokes[1:], strict=False):
            assert start > end and total[end:start].max() < 1.0  # noise only


# ----------------------------------------------------------------------------------
# Simulated students: each named tendency moves the signal the way its name says
# ----------------------------------------------------------------------------------


def _take(faults=(), *, technique="effleurage", n=8, seed=11, noise=0.0, profile=REF, **kw):
    student = Student("novice", tuple((f, 1.0) for f in faults)) if faults else None
    return simulate_take(
        technique,
        profile=profile,
        seed=seed,
        seconds=0,
        n_strokes=n,
        noise_n=noise,
        student=student,
        **kw,
    )


def _strokes(take) -> list[np.ndarray]:
    return [take.values[s:e] for s, e in take.strokes]


def _third_means(take) -> np.ndarray:
    """Mean total force in each third of each stroke, ``(strokes, 3)``."""
    out = []
    for x in _strokes(take):
        total = x.sum(axis=1)
        out.append([part.mean() for part in np.array_split(total, 3)])
    return np.array(out)


@pytest.mark.parametrize("technique", TECHNIQUES)
@pytest.mark.parametrize("seed", [0, 5])
def test_an_expert_student_performs_exactly_the_plain_take(technique: str, seed: int) -> None:
    plain = simulate_take(technique, seconds=15, profile=REF, seed=seed)
    expert = make_student("expert", seed=seed, technique=technique, profile=REF)
    assert expert.tendencies == ()
    take = simulate_take(technique, seconds=15, profile=REF, seed=seed, student=expert)
    np.testing.assert_array_equal(take.values, plain.values)
    assert take.strokes == plain.strokes


def test_too_light_and_too_heavy_scale_the_whole_stroke() -> None:
    base, light, heavy = _take(), _take(["too_light"]), _take(["too_heavy"])

    def ratio(tk) -> np.ndarray:
        return np.array([x.sum() for x in _strokes(tk)]) / [x.sum() for x in _strokes(base)]

    np.testing.assert_allclose(ratio(light), 0.55, rtol=1e-6)
    np.testing.assert_allclose(ratio(heavy), 1.5, rtol=1e-6)


@pytest.mark.parametrize("technique", ["effleurage", "friction", "petrissage"])
@pytest.mark.parametrize("phase", [0, 1, 2])
def test_phase_lightness_lowers_only_that_third(technique: str, phase: int) -> None:
    name = ("start", "middle", "end")[phase]
    base = _third_means(_take(technique=technique))
    light = _third_means(_take([f"too_light_{name}"], technique=technique))
    heavy = _third_means(_take([f"too_heavy_{name}"], technique=technique))
    others = [p for p in range(3) if p != phase]
    assert np.all(light[:, phase] < 0.6 * base[:, phase])  # ×0.5 inside, edges softened
    assert np.all(heavy[:, phase] > 1.45 * base[:, phase])  # ×1.6
    np.testing.assert_allclose(light[:, others], base[:, others], rtol=0.12)
    np.testing.assert_allclose(heavy[:, others], base[:, others], rtol=0.15)


def _durations(take) -> np.ndarray:
    return np.array([e - s for s, e in take.strokes], dtype=float)


@pytest.mark.parametrize("technique", TECHNIQUES)
def test_rushed_shortens_and_dragged_lengthens_strokes(technique: str) -> None:
    base = _durations(_take(technique=technique)).mean()
    assert _durations(_take(["rushed"], technique=technique)).mean() == pytest.approx(
        0.6 * base, rel=0.05
    )
    assert _durations(_take(["dragged"], technique=technique)).mean() == pytest.approx(
        1.6 * base, rel=0.05
    )


def test_phase_tempo_warps_only_that_third() -> None:
    base = _take()
    peak_at = lambda tk: np.array([x.sum(1).argmax() for x in _strokes(tk)])  # noqa: E731
    d0, p0 = _durations(base), peak_at(base)  # effleurage peaks in its middle third
    rushed_start, dragged_end = _take(["rushed_start"]), _take(["dragged_end"])
    # rushed start: the first third takes half its time → 5/6 of the stroke, peak earlier
    np.testing.assert_allclose(_durations(rushed_start), d0 * 5 / 6, atol=1.0)
    assert np.all(peak_at(rushed_start) < p0 - 0.1 * d0)
    # dragged end: the last third takes 1.8× → 1.27× the stroke; start and middle unchanged
    np.testing.assert_allclose(_durations(dragged_end), d0 * 3.8 / 3, atol=1.0)
    np.testing.assert_allclose(peak_at(dragged_end), p0, atol=2)
    ends = [x.sum(1)[: int(len(x) * 0.3)] for x in _strokes(dragged_end)]
    starts = [x.sum(1)[: int(len(x) * 0.3)] for x in _strokes(base)]
    for a, b in zip(ends, starts, strict=True):
        n = min(len(a), len(b))
        np.testing.assert_allclose(a[:n], b[:n], rtol=0.05, atol=0.3)


@pytest.mark.parametrize("region", ["thumb", "index", "palm"])
def test_load_shift_moves_shares_onto_the_region_with_the_total_unchanged(region: str) -> None:
    base, shifted = _take(), _take([f"load_{region}"])
    np.testing.assert_allclose(shifted.values.sum(axis=1), base.values.sum(axis=1), rtol=1e-9)
    on = np.array([r == region for r in REF.regions])
    share = lambda tk: tk.values[:, on].sum() / tk.values.sum()  # noqa: E731
    assert share(shifted) == pytest.approx(share(base) + 0.25 * (1 - share(base)), abs=0.01)
    for i in np.flatnonzero(~on):  # every other sensor loses load
        assert shifted.values[:, i].sum() < base.values[:, i].sum()


def _band_power(take, lo: float, hi: float) -> float:
    power = 0.0
    for x in _strokes(take):
        total = x.sum(axis=1)
        f = np.fft.rfftfreq(total.size, 1 / take.fs_hz)
        p = np.abs(np.fft.rfft(total - total.mean())) ** 2
        power += p[(f >= lo) & (f <= hi)].sum()
    return power


@pytest.mark.parametrize("technique", ["effleurage", "petrissage", "friction"])
def test_jerky_adds_high_frequency_energy_not_force(technique: str) -> None:
    base, jerky = _take(technique=technique), _take(["jerky"], technique=technique)
    assert _band_power(jerky, 6, 30) > 20 * _band_power(base, 6, 30)
    assert jerky.values.sum() == pytest.approx(base.values.sum(), rel=0.05)
    assert jerky.strokes == base.strokes


@pytest.mark.parametrize("technique", TECHNIQUES)
def test_stops_early_ends_strokes_at_40_to_80_percent(technique: str) -> None:
    base, early = (
        _take(technique=technique, n=20),
        _take(["stops_early"], technique=technique, n=20),
    )
    ratio = _durations(early) / _durations(base)
    partial = np.array(early.completed) < 1.0
    assert 0.4 <= partial.mean() <= 0.95  # probability 0.7 at full strength
    np.testing.assert_allclose(ratio[partial], np.array(early.completed)[partial], atol=0.01)
    assert np.all((ratio[partial] >= 0.4 - 0.01) & (ratio[partial] <= 0.8 + 0.01))
    np.testing.assert_array_equal(ratio[~partial], 1.0)
    for (s, e), stopped in zip(early.strokes, partial, strict=True):
        if stopped:  # released, not cut off: the force falls to zero at the end
            assert early.values[e - 1].sum() < 0.05 * early.values[s:e].sum(axis=1).max()
    assert [("stops_early", 1.0) in f for f in early.stroke_faults] == list(partial)


def test_improving_student_fades_over_the_session() -> None:
    student = Student("novice", (("too_light", 1.0),), improve=True)
    base = _take(n=40)
    take = simulate_take(
        "effleurage", profile=REF, seed=11, seconds=0, n_strokes=40, noise_n=0, student=student
    )
    ratio = np.array([x.sum() for x in _strokes(take)]) / [x.sum() for x in _strokes(base)]
    assert ratio[0] == pytest.approx(0.55)
    assert np.all(np.diff(ratio) > 0) and ratio[-1] > 0.95
    assert ratio[12] == pytest.approx(1 - 0.45 / 2)  # half-life 12 strokes
    later = simulate_take(
        "effleurage",
        profile=REF,
        seed=11,
        seconds=0,
        n_strokes=1,
        noise_n=0,
        student=student,
        first_stroke=12,
    )
    assert later.stroke_faults[0] == (("too_light", 0.5),)


@pytest.mark.parametrize("level", STUDENT_LEVELS)
def test_drawn_students_are_deterministic_and_sized_by_level(level: str) -> None:
    counts = set()
    for seed in range(30):
        a = make_student(level, seed=seed, technique="effleurage", profile=REF)
        assert a == make_student(level, seed=seed, technique="effleurage", profile=REF)
        names = [n for n, _ in a.tendencies]
        assert len(set(names)) == len(names) and set(names) <= set(FAULTS)
        strengths = [s for _, s in a.tendencies]
        counts.add(len(names))
        if level == "novice":
            assert all(0.8 <= s <= 1.0 for s in strengths)
        elif level == "intermediate":
            assert all(0.4 <= s <= 0.6 for s in strengths)
        # at most one tendency per family: never too_light with too_heavy_end, etc.
        family = {f: fam for fam, group in FAULT_FAMILIES.items() for f in group}
        assert len({family[n] for n in names}) == len(names)
    expected = {"novice": {2, 3}, "intermediate": {1, 2}, "expert": {0}}[level]
    assert counts == expected


def test_drawn_load_shift_uses_a_region_the_glove_has() -> None:
    for seed in range(40):
        student = make_student("novice", seed=seed, technique="petrissage", profile=DIY)
        for name, _ in student.tendencies:
            if name.startswith("load_"):
                assert name.removeprefix("load_") in DIY.regions


def test_a_student_take_is_deterministic() -> None:
    student = make_student("novice", seed=4, technique="friction", profile=REF)
    a = simulate_take("friction", seconds=20, profile=REF, seed=4, student=student)
    b = simulate_take("friction", seconds=20, profile=REF, seed=4, student=student)
    np.testing.assert_array_equal(a.values, b.values)
    assert a.stroke_faults == b.stroke_faults and a.strokes == b.strokes


def test_named_faults_take_the_level_strength() -> None:
    kw: dict[str, Any] = {"seed": 1, "technique": "effleurage", "profile": REF}
    assert make_student(None, faults=["rushed"], **kw).tendencies == (("rushed", 1.0),)
    assert make_student("intermediate", faults=["jerky", "jerky"], **kw).tendencies == (
        ("jerky", 0.5),
    )


@pytest.mark.parametrize(
    ("level", "faults", "message"),
    [
        ("guru", None, "unknown student level 'guru'"),
        (None, ["too_lite"], "unknown fault 'too_lite'"),
        (None, ["too_light", "too_heavy"], "contradict"),
        (None, ["rushed_end", "dragged_end"], "contradict"),
        ("expert", ["jerky"], "an expert student has no faults"),
    ],
)
def test_student_errors(level, faults, message) -> None:
    with pytest.raises(SourceError, match=message):
        make_student(level, seed=0, technique="effleurage", profile=REF, faults=faults)


def test_a_load_fault_needs_the_region_on_the_glove() -> None:
    with pytest.raises(SourceError, match="glove diy-fsr5 has no ring sensor"):
        make_student(None, seed=0, technique="effleurage", profile=DIY, faults=["load_ring"])
    assert check_faults(["too_light_end", "too_heavy_start", "rushed"]) == (
        "too_light_end",
        "too_heavy_start",
        "rushed",
    )
