"""Glove profiles: what a glove's channels are, where they sit, and how to calibrate them.

A profile is a TOML file. Bundled profiles ship as package data
(``sensors/profiles/*.toml``); any other file can be named by path. Every field is
validated on load, and a bad profile raises :class:`~sensors.exceptions.ProfileError`
naming the offending field (``sensors[2].contact_area_mm2: must be > 0``).

Hand map frame: a right hand seen from the palm side, fingers up, thumb on the left;
``x`` grows to the right (thumb → little finger), ``y`` grows from the wrist crease
(0) towards the tip of the middle finger (1); both in ``[0, 1]``.

TOML layout (``docs/glove-protocol.md`` §4 has the full reference)::

    name = "my-glove"                 # required
    description = "..."               # optional
    protocol = "glove-v1"             # required: "glove-v1" or "nus-text"
    sample_rate_hz = 200.0            # required, > 0
    raw_max = 65535                   # optional full-scale count (or raw_bits = 16)
    [[sensors]]                       # 1-32 of them, in wire (channel) order
    name = "thumb"                    # unique
    region = "thumb"                  # a Region value
    position = [0.10, 0.45]           # hand map, see above
    contact_area_mm2 = 126.7          # > 0
    saturation_n = 10.0               # > 0, reachable by the calibration
    calibration = { kind = "table", points = [[0, 0.0], [4095, 10.0]] }

Unknown keys are errors, so a misspelt optional key cannot be silently ignored.

Modules: :mod:`~sensors.profiles.model` (the dataclasses),
:mod:`~sensors.profiles.validation`, :mod:`~sensors.profiles.loading`,
:mod:`~sensors.profiles.generic` (a profile made from a CSV header) and
:mod:`~sensors.profiles.writing` (profile → TOML, checked by loading it back); every public
name is importable from :mod:`sensors.profiles`.
"""

from __future__ import annotations

from sensors.profiles.generic import (
    GENERIC_PROFILE_NAME,
    generic_profile,
    generic_profile_notice,
    is_generic_profile,
)
from sensors.profiles.loading import list_profiles, load_profile, parse_profile
from sensors.profiles.model import (
    DEFAULT_PROFILE,
    PROTOCOLS,
    Calibration,
    GloveProfile,
    Region,
    SensorSpec,
)
from sensors.profiles.writing import profile_to_toml, write_profile

__all__ = [
    "DEFAULT_PROFILE",
    "GENERIC_PROFILE_NAME",
    "PROTOCOLS",
    "Calibration",
    "GloveProfile",
    "Region",
    "SensorSpec",
    "generic_profile",
    "generic_profile_notice",
    "is_generic_profile",
    "list_profiles",
    "load_profile",
    "parse_profile",
    "profile_to_toml",
    "write_profile",
]
