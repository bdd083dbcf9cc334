"""A generic glove profile made from a CSV header, for gloves with no bundled profile.

Part of :mod:`sensors.profiles` (import from there). A CSV names its sensors but says
nothing about where they sit, how large they are or where they clip, so the generic
profile fills those in with placeholders chosen to be harmless:

- every sensor is in one region (:attr:`~sensors.profiles.Region.PALM`) at the centre
  of the hand map: the regions are unknown, so per-region load shares are meaningless
  (with one region they are 100 % and no per-region deduction is ever made) and a hand
  heatmap should not be drawn (:func:`is_generic_profile` tells a view to hide it);
- contact area 126.7 mm² (the smallest common force-sensing resistor, the FSR 402), so
  pressures -- and the pain-threshold caution -- err on the high side;
- saturation 1000 N (a hand cannot reach it), so no reading is ever flagged as clipped;
- calibration linear, 0.02 N per count (full scale 1310.7 N at ``raw_max`` 65535),
  only so that the profile validates: CSV values are already newtons.

The profile is named :data:`GENERIC_PROFILE_NAME`; captures embed their profile, so a
CSV recorded into a session keeps being recognised as generic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from sensors.profiles.model import GloveProfile, Region
from sensors.profiles.validation import build_profile

__all__ = [
    "GENERIC_PROFILE_NAME",
    "generic_profile",
    "generic_profile_notice",
    "is_generic_profile",
]

#: Name of every profile made by :func:`generic_profile`.
GENERIC_PROFILE_NAME = "generic-csv"
# The description doubles as the marker checked by is_generic_profile (with the name).
_DESCRIPTION = (
    "Generic profile made from a CSV header: sensor names only; regions, positions, "
    "contact areas and saturation unknown"
)
_AREA_MM2 = 126.7
_SATURATION_N = 1000.0
_SCALE_N_PER_COUNT = 0.02
_FALLBACK_RATE_HZ = 100.0


def generic_profile(names: Sequence[str], sample_rate_hz: float | None = None) -> GloveProfile:
    """Build a validated generic profile for sensors known only by name.

    Parameters
    ----------
    names : sequence of str
        Sensor names in channel order (unique, non-empty; 1 to 32 of them).
    sample_rate_hz : float or None
        Nominal sample rate (e.g. estimated from the CSV's times); ``None``, or a value
        that is not a finite positive number, gives 100 Hz.

    Returns
    -------
    GloveProfile
        Named :data:`GENERIC_PROFILE_NAME`; see the module docstring for its placeholders.

    Raises
    ------
    ProfileError
        If the names cannot make a valid profile (empty, repeated, more than 32).
    """
    rate = sample_rate_hz
    if rate is None or not math.isfinite(rate) or rate <= 0:
        rate = _FALLBACK_RATE_HZ
    document = {
        "name": GENERIC_PROFILE_NAME,
        "description": _DESCRIPTION,
        "protocol": "glove-v1",
        "sample_rate_hz": float(rate),
        "raw_max": 65535,
        "sensors": [
            {
                "name": name,
                "region": Region.PALM.value,
                "position": [0.5, 0.5],
                "contact_area_mm2": _AREA_MM2,
                "saturation_n": _SATURATION_N,
                "calibration": {"kind": "linear", "scale": _SCALE_N_PER_COUNT, "offset": 0.0},
            }
            for name in names
        ],
    }
    return build_profile(document, "generic profile from the CSV header")


def is_generic_profile(profile: GloveProfile) -> bool:
    """Return True for a profile made by :func:`generic_profile` (regions unknown).

    Parameters
    ----------
    profile : GloveProfile
        Any profile.

    Returns
    -------
    bool
        True if its regions and positions are placeholders: views should draw no hand
        heatmap, and region shares carry no information.
    """
    return profile.name == GENERIC_PROFILE_NAME and profile.description == _DESCRIPTION


def generic_profile_notice(profile: GloveProfile) -> str | None:
    """Return the one line to show when a capture uses a generic profile.

    Parameters
    ----------
    profile : GloveProfile
        The capture's profile.

    Returns
    -------
    str or None
        The notice (no trailing newline), or ``None`` for any other profile.
    """
    if not is_generic_profile(profile):
        return None
    return (
        f"note: no glove profile matches the CSV's sensors "
        f"({', '.join(profile.channel_names)}); using a generic profile: hand regions "
        "unknown, so no heatmap and no per-region deductions (name the glove with "
        "--profile NAME_OR_TOML for those)"
    )
