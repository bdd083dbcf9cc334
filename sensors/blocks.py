"""The one unit of data every source yields: a :class:`SampleBlock`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sensors.profiles import GloveProfile

__all__ = ["SampleBlock"]


@dataclass(frozen=True, slots=True, eq=False)
class SampleBlock:
    """A run of consecutive glove samples, calibrated to newtons.

    Every source (BLE, replay, simulated) yields these and nothing else, so the
    rest of the program never knows whether a glove is real.

    Parameters
    ----------
    t : numpy.ndarray
        Sample times in seconds, shape ``(k,)``, float64, strictly increasing, on the
        stream's own timeline (0 at the stream's first sample, device clock, unwrapped).
    values : numpy.ndarray
        Forces in newtons, shape ``(k, channels)``, float64, channel order as in
        ``profile.sensors``.
    profile : GloveProfile
        The glove this came from (sensor names, regions, calibration, limits).
    gap_before : bool
        True when samples were lost between the previous block and this one (dropped
        notifications, a reconnect, a gap in a recording). Consumers must not filter,
        interpolate or score across it.
    seq : int
        Running block number within the stream, starting at 0 (diagnostics only).
    """

    t: np.ndarray
    values: np.ndarray
    profile: GloveProfile
    gap_before: bool = False
    seq: int = 0

    def __post_init__(self) -> None:
        t = np.ascontiguousarray(self.t, dtype=np.float64)
        values = np.ascontiguousarray(self.values, dtype=np.float64)
        if t.ndim != 1:
            raise ValueError(f"t must be 1-D, got shape {t.shape}")
        if values.ndim != 2 or values.shape[0] != t.shape[0]:
            raise ValueError(f"values must be (k={t.shape[0]}, channels), got {values.shape}")
        if values.shape[1] != len(self.profile.sensors):
            raise ValueError(
                f"values has {values.shape[1]} channels, profile {self.profile.name!r} "
                f"has {len(self.profile.sensors)}"
            )
        # Blocks are shared between threads (acquisition, GUI, store): make them read-only.
        t.flags.writeable = False
        values.flags.writeable = False
        object.__setattr__(self, "t", t)
        object.__setattr__(self, "values", values)

    def __len__(self) -> int:
        return int(self.t.shape[0])

    @property
    def channels(self) -> int:
        """Number of channels (sensors)."""
        return int(self.values.shape[1])

    @property
    def clipped(self) -> np.ndarray:
        """Boolean mask ``(k, channels)``: True where a sensor is at its saturation limit."""
        return self.values >= self.profile.saturation_n[np.newaxis, :]
