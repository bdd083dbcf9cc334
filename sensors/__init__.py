"""Glove I/O: the wire protocol, glove profiles, captures and sample sources.

This package never imports :mod:`trainer` and never imports Qt.
"""

from __future__ import annotations

from sensors.blocks import SampleBlock
from sensors.exceptions import (
    AdapterError,
    CaptureError,
    DeviceNotFoundError,
    ProfileError,
    ProtocolError,
    SensorError,
    SourceError,
)

__all__ = [
    "AdapterError",
    "CaptureError",
    "DeviceNotFoundError",
    "ProfileError",
    "ProtocolError",
    "SampleBlock",
    "SensorError",
    "SourceError",
]
