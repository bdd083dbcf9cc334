"""Over-pressure safety: published pressure pain thresholds on the back, per sensor.

Figures (``docs/evidence.md``, "Safety: pressure pain thresholds on the back"):

* lumbar, pain-free women ≈ 356 kPa; lumbar, chronic low back pain ≈ 262 kPa
  (Giesbrecht & Battié 2005, Phys Ther 85:1085);
* upper trapezius region, asymptomatic adults ≈ 423 kPa (Bordachar et al. 2019,
  Fisioterapia 41(6):329).

The caution level is the **lowest** of them, 262 kPa: it is the threshold of the most
sensitive group measured and 74 % of the pain-free lumbar one, so a student who reaches
it is approaching pain for any client. It is converted to newtons per sensor through the
sensor's contact area from the glove profile (``F = p · A``).
"""

from __future__ import annotations

import numpy as np

from sensors.profiles import GloveProfile

__all__ = [
    "CAUTION_KPA",
    "PAIN_THRESHOLDS_KPA",
    "caution_force_n",
    "peak_pressure",
]

#: Published pressure pain thresholds on the back, kPa, with their sources.
PAIN_THRESHOLDS_KPA: dict[str, tuple[float, str]] = {
    "lumbar, chronic low back pain": (262.0, "Giesbrecht & Battié 2005"),
    "lumbar, pain-free women": (356.0, "Giesbrecht & Battié 2005"),
    "upper trapezius, asymptomatic": (423.0, "Bordachar et al. 2019"),
}
#: The caution level: the lowest published threshold.
CAUTION_KPA = min(v for v, _ in PAIN_THRESHOLDS_KPA.values())


def caution_force_n(profile: GloveProfile) -> np.ndarray:
    """Force at which each sensor reaches :data:`CAUTION_KPA`.

    Parameters
    ----------
    profile : GloveProfile
        Glove with per-sensor contact areas.

    Returns
    -------
    numpy.ndarray
        Newtons, ``(channels,)``.
    """
    return CAUTION_KPA * 1e3 * profile.contact_area_m2


def peak_pressure(values: np.ndarray, profile: GloveProfile) -> tuple[int, float]:
    """Find the sensor with the highest pressure, and that pressure.

    Parameters
    ----------
    values : numpy.ndarray
        Forces ``(n, channels)``, newtons.
    profile : GloveProfile
        Glove with per-sensor contact areas.

    Returns
    -------
    channel : int
        Index of the sensor.
    kpa : float
        Its peak pressure, kPa.
    """
    kpa = profile.pressure_kpa(values).max(axis=0)
    channel = int(np.argmax(kpa))
    return channel, float(kpa[channel])
