from __future__ import annotations

import numpy as np
import pytest

from sensors.profiles import load_profile
from trainer.scoring import CAUTION_KPA, PAIN_THRESHOLDS_KPA, caution_force_n
from trainer.scoring.safety import peak_pressure


def test_caution_is_the_lowest_published_back_threshold():
    published = {v for v, _ in PAIN_THRESHOLDS_KPA.values()}
    assert published == {262.0, 356.0, 423.0}  # docs/evidence.md, "Safety"
    assert CAUTION_KPA == min(published)


def test_caution_force_follows_each_sensors_contact_area():
    glove = load_profile("reference-glove")
    force = caution_force_n(glove)
    # 262 kPa on an FSR 402's 126.7 mm^2 is 33.2 N; on an FSR 406's 1909.7 mm^2, 500 N
    assert force[glove.channel_names.index("thumb")] == pytest.approx(33.2, abs=0.05)
    assert force[glove.channel_names.index("palm")] == pytest.approx(500.3, abs=0.1)
    np.testing.assert_allclose(glove.pressure_kpa(force[None, :])[0], CAUTION_KPA)


def test_peak_pressure_names_the_sensor():
    glove = load_profile("reference-glove")
    values = np.zeros((5, 7))
    values[2, 0] = 100.0  # palm heel: large area, 52 kPa
    values[3, 4] = 20.0  # middle fingertip: 158 kPa
    channel, kpa = peak_pressure(values, glove)
    assert glove.channel_names[channel] == "middle" and kpa == pytest.approx(157.9, abs=0.1)
