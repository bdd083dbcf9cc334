"""Glove I/O: the wire protocol, glove profiles, captures and sample sources.

This package never imports :mod:`trainer` and never imports Qt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sensors.exceptions import (
    AdapterError,
    CaptureError,
    DeviceNotFoundError,
    ProfileError,
    ProtocolError,
    SensorError,
    SourceError,
)

if TYPE_CHECKING:
    from sensors.blocks import SampleBlock

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


def __getattr__(name: str) -> Any:
    # SampleBlock needs NumPy: imported on first use (PEP 562) so that importing
    # sensors.exceptions, as every command line does, stays cheap.
    if name == "SampleBlock":
        from sensors.blocks import SampleBlock

        globals()[name] = SampleBlock
        return SampleBlock
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
