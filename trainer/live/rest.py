"""The acquisition thread's watch on the hand at rest: the tare window and the drift watch.

Part of :mod:`trainer.live.engine`: :class:`RestWatch` keeps the last raw samples a tare
is taken from, and from each tare watches the rest level for drift. The acquisition
thread alone uses it (no lock); the engine turns what it finds into events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sensors.profiles import GloveProfile
    from trainer.signal import ActivityDetector, DriftMonitor, DriftWarning

__all__ = ["RestWatch"]


class RestWatch:
    """The last ``tare_window_s`` of raw samples, and the drift watch each tare arms.

    Parameters
    ----------
    profile : GloveProfile
        The glove (sample rate, sensors, saturation).
    tare_window_s : float
        Rest window a tare is taken from, seconds.
    """

    def __init__(self, profile: GloveProfile, tare_window_s: float) -> None:
        self.profile = profile
        fs = float(profile.sample_rate_hz)
        #: Samples in the tare window, and the newest of them ``(window, channels)``.
        self.window = max(1, round(tare_window_s * fs))
        self.recent = np.zeros((self.window, len(profile.sensors)))
        #: Raw samples seen so far (a tare needs a full window).
        self.count = 0
        # Armed by each tare (see arm).
        self._drift: DriftMonitor | None = None
        self._activity: ActivityDetector | None = None

    def remember(self, raw: np.ndarray) -> None:
        """Keep the newest raw samples ``(k, channels)`` in the tare window."""
        k = raw.shape[0]
        n = self.window
        if k >= n:
            self.recent[:] = raw[-n:]
        else:
            self.recent = np.roll(self.recent, -k, axis=0)
            self.recent[-k:] = raw
        self.count += k

    def arm(self, rest: np.ndarray) -> None:
        """Watch the rest level from this tare on (``rest``: the window, tared).

        Rest samples are those the activity detector calls quiet; its *on* level is kept
        above 1.5 drift limits, so one sensor drifting up to its limit still counts as rest
        (a press is far above it), and the warning can fire.
        """
        from trainer.signal import ActivityDetector, DriftMonitor

        fs = float(self.profile.sample_rate_hz)
        monitor = DriftMonitor(len(self.profile.sensors), fs, range_n=self.profile.saturation_n)
        limit = float(np.max(monitor.limit_n))
        self._activity = ActivityDetector.from_rest(
            np.clip(rest, 0.0, None).sum(axis=1),
            fs,
            min_on_n=max(1.0, 1.5 * limit),
            min_off_n=max(0.5, 1.25 * limit),
        )
        self._drift = monitor

    def drifts(self, tared: np.ndarray, gap_before: bool) -> list[DriftWarning]:
        """Feed the watch untared-minus-offset forces (so a sag shows too); new warnings.

        Nothing before the first tare.
        """
        if self._drift is None or self._activity is None:
            return []
        _, active = self._activity.classify(
            np.clip(tared, 0.0, None).sum(axis=1), gap_before=gap_before
        )
        return self._drift.update(tared, ~active)
