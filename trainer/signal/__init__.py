"""Signal processing: calibration, tare, streaming and zero-phase filters, features.

Pure functions and small state objects on arrays plus ``fs_hz``: no I/O, no threads.
"""

from __future__ import annotations

from trainer.signal.activity import ActivityDetector, Segment, active_segments
from trainer.signal.calibration import DriftMonitor, DriftWarning, Tare, calibrate
from trainer.signal.features import (
    LOAD_FLOOR_N,
    centre_of_pressure,
    derivative,
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
from trainer.signal.resample import resample

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
    "log_dimensionless_jerk",
    "region_shares",
    "resample",
    "segments_from_gaps",
    "sparc",
    "total_force",
]
