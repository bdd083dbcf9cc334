"""Calibration helpers: raw → newtons through the profile, tare, rest-level drift."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from trainer.exceptions import SignalError

if TYPE_CHECKING:
    from sensors.profiles import GloveProfile

__all__ = ["DriftMonitor", "DriftWarning", "Tare", "calibrate"]


def calibrate(raw: Any, profile: GloveProfile) -> np.ndarray:
    """Raw counts ``(k, channels)`` → newtons with the profile's per-sensor calibration."""
    return profile.to_newtons(np.asarray(raw))


@dataclass(frozen=True, slots=True)
class Tare:
    """Zero offsets taken with the hand at rest.

    Parameters
    ----------
    offsets_n : numpy.ndarray
        Per-channel rest level, newtons ``(channels,)``.
    """

    offsets_n: np.ndarray

    @classmethod
    def from_rest(cls, values: Any, *, max_spread_n: float = 0.5) -> Tare:
        """Estimate offsets as the per-channel median of a rest window ``(k, channels)``.

        Raises
        ------
        SignalError
            Empty window, or a channel whose spread (95th − 5th percentile) exceeds
            ``max_spread_n``: the hand was not at rest.
        """
        x = np.asarray(values, dtype=np.float64)
        if x.ndim != 2 or x.shape[0] == 0:
            raise SignalError("tare needs a non-empty (k, channels) rest window")
        spread = np.percentile(x, 95, axis=0) - np.percentile(x, 5, axis=0)
        if np.any(spread > max_spread_n):
            worst = int(np.argmax(spread))
            raise SignalError(
                f"not at rest: channel {worst} varies by {spread[worst]:.2f} N "
                f"(limit {max_spread_n} N); lift the hand and tare again"
            )
        return cls(np.median(x, axis=0))

    def apply(self, values: Any) -> np.ndarray:
        """Subtract the offsets, clipping at 0 N (a glove cannot pull)."""
        return np.clip(np.asarray(values, dtype=np.float64) - self.offsets_n, 0.0, None)


@dataclass(frozen=True, slots=True)
class DriftWarning:
    """The rest level of a channel wandered away from its tare level.

    Parameters
    ----------
    channel : int
        Channel index.
    offset_n : float
        Current rest level minus the tare level, newtons.
    """

    channel: int
    offset_n: float

    @property
    def message(self) -> str:
        """One-line advice for the user."""
        return f"sensor {self.channel} rest level drifted {self.offset_n:+.2f} N: re-tare"


class DriftMonitor:
    """Track each channel's rest level and warn when it drifts from the tare level.

    Parameters
    ----------
    channels : int
        Number of channels.
    threshold_n : float
        Drift that triggers a warning.
    alpha : float
        Exponential smoothing factor per rest sample (small: slow, robust to noise).
    """

    def __init__(self, channels: int, *, threshold_n: float = 0.3, alpha: float = 0.01) -> None:
        self.threshold_n = threshold_n
        self.alpha = alpha
        self.level = np.zeros(channels)
        self._warned = np.zeros(channels, dtype=bool)

    def update(self, values: Any, at_rest: Any) -> list[DriftWarning]:
        """Feed tared samples ``(k, channels)`` and a rest mask ``(k,)``.

        Returns
        -------
        list of DriftWarning
            New warnings (each channel warns once until it comes back within half the
            threshold).
        """
        x = np.asarray(values, dtype=np.float64)
        rest = np.asarray(at_rest, dtype=bool)
        for row in x[rest]:
            self.level += self.alpha * (row - self.level)
        warnings = []
        for ch in np.flatnonzero(np.abs(self.level) > self.threshold_n):
            if not self._warned[ch]:
                warnings.append(DriftWarning(int(ch), float(self.level[ch])))
                self._warned[ch] = True
        self._warned &= np.abs(self.level) > self.threshold_n / 2
        return warnings
