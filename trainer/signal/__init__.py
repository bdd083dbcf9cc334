"""Signal processing: calibration, tare, streaming and zero-phase filters, features.

Pure functions and small state objects on plain arrays plus ``fs_hz`` (forces in
newtons, ``(samples, channels)``): no I/O, no threads, no clocks, no logging. Where
glove facts are needed, pass the few arrays (``profile.regions``,
``profile.positions``, ``profile.saturation_n``) rather than a source.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trainer._lazy import attach

if TYPE_CHECKING:
    from trainer.signal.activity import (
        ActivityDetector,
        Segment,
        active_segments,
        thresholds_from_rest,
    )
    from trainer.signal.calibration import DriftMonitor, DriftWarning, Tare, calibrate
    from trainer.signal.features import (
        LOAD_FLOOR_N,
        centre_of_pressure,
        derivative,
        jerk,
        log_dimensionless_jerk,
        region_shares,
        sparc,
        total_force,
    )
    from trainer.signal.filters import (
        StreamingFilter,
        design_lowpass,
        filter_offline,
        segments_from_gaps,
    )
    from trainer.signal.resample import resample, resample_ratio, resample_times

# Imported on first use (see trainer._lazy): importing the package stays cheap.
__getattr__, __dir__ = attach(
    __name__,
    {
        "trainer.signal.activity": (
            "ActivityDetector",
            "Segment",
            "active_segments",
            "thresholds_from_rest",
        ),
        "trainer.signal.calibration": ("DriftMonitor", "DriftWarning", "Tare", "calibrate"),
        "trainer.signal.features": (
            "LOAD_FLOOR_N",
            "centre_of_pressure",
            "derivative",
            "jerk",
            "log_dimensionless_jerk",
            "region_shares",
            "sparc",
            "total_force",
        ),
        "trainer.signal.filters": (
            "StreamingFilter",
            "design_lowpass",
            "filter_offline",
            "segments_from_gaps",
        ),
        "trainer.signal.resample": ("resample", "resample_ratio", "resample_times"),
    },
)

__all__ = [
    "LOAD_FLOOR_N",
    "ActivityDetector",
    "DriftMonitor",
    "DriftWarning",
    "Segment",
    "StreamingFilter",
    "Tare",
    "active_segments",
    "calibrate",
    "centre_of_pressure",
    "derivative",
    "design_lowpass",
    "filter_offline",
    "jerk",
    "log_dimensionless_jerk",
    "region_shares",
    "resample",
    "resample_ratio",
    "resample_times",
    "segments_from_gaps",
    "sparc",
    "thresholds_from_rest",
    "total_force",
]
