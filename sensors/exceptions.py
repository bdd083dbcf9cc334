"""Exceptions raised by the ``sensors`` package.

Every error the glove layer raises derives from :class:`SensorError`, so a caller
(the CLI, the app) can turn any of them into a one-line message.
"""

from __future__ import annotations

__all__ = [
    "AdapterError",
    "CaptureError",
    "DeviceNotFoundError",
    "ProfileError",
    "ProtocolError",
    "SensorError",
    "SourceError",
]


class SensorError(Exception):
    """Root of every error raised by :mod:`sensors`."""


class ProtocolError(SensorError, ValueError):
    """A glove packet, config blob or text line is malformed.

    Decoders raise only this for bad input, never another exception type.
    """


class ProfileError(SensorError, ValueError):
    """A glove profile is missing, unknown or invalid.

    Parameters
    ----------
    message : str
        What is wrong.
    field : str or None
        The dotted name of the offending field (``"sensors[2].contact_area_mm2"``), if any.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)


class CaptureError(SensorError):
    """A capture file is missing, corrupt, truncated or of an unknown version."""


class SourceError(SensorError):
    """A sample source could not be opened or failed while streaming."""


class AdapterError(SourceError):
    """No usable Bluetooth adapter (absent, powered off, or no permission)."""


class DeviceNotFoundError(SourceError):
    """No glove matched the requested address or name."""
