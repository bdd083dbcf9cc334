from __future__ import annotations

import numpy as np
import pytest

from sensors.exceptions import SourceError
from sensors.profiles import load_profile
from sensors.strokes import TECHNIQUES, simulate_rest, simulate_take

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
