"""Calibration helpers: raw → newtons through the profile, tare, rest-level drift.

The per-sensor (non-linear) raw → newton maths belongs to the glove profile
(``sensors.profiles.Calibration``); :func:`calibrate` only checks shapes and calls it.
:class:`Tare` takes zero offsets with the hand at rest; :class:`DriftMonitor` watches
the rest level afterwards and returns a :class:`DriftWarning` when it wanders.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from trainer.exceptions import SignalError

# scipy.signal (it loads much of SciPy) is imported where it is called, not here:
# importing this module stays cheap for commands that never filter (start-up time).

if TYPE_CHECKING:
    from sensors.profiles import GloveProfile

__all__ = ["DriftMonitor", "DriftWarning", "Tare", "calibrate"]


def calibrate(raw: Any, profile: GloveProfile) -> np.ndarray:
    """Raw counts → newtons with the profile's per-sensor calibration.

    Parameters
    ----------
    raw : array_like
        Raw readings ``(k, channels)``, channels in ``profile.sensors`` order.
    profile : GloveProfile
        The glove; its ``to_newtons`` does the (possibly non-linear) conversion.

    Returns
    -------
    numpy.ndarray
        Forces ``(k, channels)`` in newtons, float64.

    Raises
    ------
    SignalError
        If ``raw`` is not ``(k, channels)`` for this profile, or not finite.
    """
    x = np.asarray(raw, dtype=np.float64)
    channels = len(profile.sensors)
    if x.ndim != 2 or x.shape[1] != channels:
        raise SignalError(
            f"raw must be (k, {channels}) for profile {profile.name!r}, got {x.shape}"
        )
    if not np.all(np.isfinite(x)):
        raise SignalError("raw readings must be finite")
    return np.asarray(profile.to_newtons(x), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Tare:
    """Zero offsets taken with the hand at rest.

    Parameters
    ----------
    offsets_n : numpy.ndarray
        Per-channel rest level in newtons, ``(channels,)``.
    """

    offsets_n: np.ndarray

    def __post_init__(self) -> None:
        offsets = np.array(self.offsets_n, dtype=np.float64)
        if offsets.ndim != 1 or not np.all(np.isfinite(offsets)):
            raise SignalError(f"offsets must be a finite (channels,) array, got {offsets.shape}")
        offsets.flags.writeable = False
        object.__setattr__(self, "offsets_n", offsets)

    @property
    def channels(self) -> int:
        """Number of channels."""
        return int(self.offsets_n.shape[0])

    @classmethod
    def from_rest(
        cls, values: Any, *, max_spread_n: float = 0.5, max_offset_n: float | None = None
    ) -> Tare:
        """Estimate offsets as the per-channel median of a rest window.

        The median ignores a few stray samples; the spread check (5th to 95th
        percentile, also robust to a few outliers) refuses a window in which the hand
        was moving or pressing intermittently.

        Parameters
        ----------
        values : array_like
            Rest window ``(k, channels)`` in newtons, ``k >= 1``.
        max_spread_n : float
            Largest allowed 5–95 percentile spread per channel, newtons.
        max_offset_n : float or None
            If given, largest allowed ``|offset|`` per channel, newtons: catches a hand
            held still but pressing (steady, so the spread check cannot see it).

        Returns
        -------
        Tare
            The offsets.

        Raises
        ------
        SignalError
            Empty or mis-shaped window, non-finite values, or a channel that was not
            at rest (too much spread, or an offset above ``max_offset_n``).
        """
        x = np.asarray(values, dtype=np.float64)
        if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
            raise SignalError(f"tare needs a non-empty (k, channels) rest window, got {x.shape}")
        if not np.all(np.isfinite(x)):
            raise SignalError("tare window contains non-finite values")
        spread = np.percentile(x, 95, axis=0) - np.percentile(x, 5, axis=0)
        if np.any(spread > max_spread_n):
            worst = int(np.argmax(spread))
            raise SignalError(
                f"not at rest: channel {worst} varies by {spread[worst]:.2f} N "
                f"(limit {max_spread_n} N); lift the hand and tare again"
            )
        offsets = np.median(x, axis=0)
        if max_offset_n is not None and np.any(np.abs(offsets) > max_offset_n):
            worst = int(np.argmax(np.abs(offsets)))
            raise SignalError(
                f"not at rest: channel {worst} reads {offsets[worst]:.2f} N "
                f"(limit {max_offset_n} N); lift the hand and tare again"
            )
        return cls(offsets)

    def apply(self, values: Any) -> np.ndarray:
        """Subtract the offsets, clipping at 0 N (a glove cannot pull).

        Parameters
        ----------
        values : array_like
            Forces ``(k, channels)`` in newtons.

        Returns
        -------
        numpy.ndarray
            Tared forces ``(k, channels)`` in newtons, all ``>= 0``.

        Raises
        ------
        SignalError
            On a channel-count mismatch.
        """
        x = np.asarray(values, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.channels:
            raise SignalError(f"expected (k, {self.channels}) values, got {x.shape}")
        return np.clip(x - self.offsets_n, 0.0, None)


@dataclass(frozen=True, slots=True)
class DriftWarning:
    """The rest level of a channel wandered away from its tare level.

    Parameters
    ----------
    channel : int
        Channel index.
    offset_n : float
        Smoothed rest level minus the tare level when the warning fired, newtons.
    threshold_n : float
        The limit it crossed, newtons.
    index : int
        Absolute sample index (counted over every sample fed to the monitor) at which
        the limit was crossed.
    """

    channel: int
    offset_n: float
    threshold_n: float
    index: int

    @property
    def message(self) -> str:
        """One-line advice for the user."""
        return f"sensor {self.channel} rest level drifted {self.offset_n:+.2f} N: re-tare"


class DriftMonitor:
    """Track each channel's rest level and warn when it drifts from the tare level.

    Only samples marked as rest are used (the complement of
    ``ActivityDetector.classify``'s active mask, or any mask the caller trusts).
    Their level is smoothed with a one-pole low-pass (time constant
    ``time_constant_s``, counted in rest samples) so sensor noise does not trigger
    warnings. A channel warns when ``|level - reference| > limit`` with
    ``limit = max(threshold_n, range_fraction * range_n)``; it warns once, and is
    re-armed when it comes back within half the limit (e.g. after a re-tare, via
    :meth:`reset`). Results do not depend on how the stream is cut into blocks.

    Parameters
    ----------
    reference_n : int or array_like
        Tare level per channel in the units of the values fed to :meth:`update`:
        ``Tare.offsets_n`` when feeding untared forces, or a channel count (zeros)
        when feeding tared forces.
    fs_hz : float
        Sample rate in Hz.
    threshold_n : float
        Absolute drift limit in newtons.
    range_n : array_like or None
        Per-channel measuring range in newtons (e.g. ``profile.saturation_n``); with
        ``range_fraction`` it scales the limit for large-range sensors.
    range_fraction : float
        Fraction of ``range_n`` used as the limit when larger than ``threshold_n``.
    time_constant_s : float
        Smoothing time constant of the rest level, seconds of rest.

    Raises
    ------
    SignalError
        On bad parameters.
    """

    def __init__(
        self,
        reference_n: Any,
        fs_hz: float,
        *,
        threshold_n: float = 0.2,
        range_n: Any = None,
        range_fraction: float = 0.02,
        time_constant_s: float = 1.0,
    ) -> None:
        if isinstance(reference_n, int | np.integer):
            reference = np.zeros(int(reference_n))
        else:
            reference = np.array(reference_n, dtype=np.float64)
        if reference.ndim != 1 or reference.size == 0 or not np.all(np.isfinite(reference)):
            raise SignalError("reference_n must be a channel count or a finite (channels,) array")
        if not math.isfinite(fs_hz) or fs_hz <= 0:
            raise SignalError(f"fs_hz must be a finite rate > 0 Hz, got {fs_hz!r}")
        if not threshold_n > 0 or not time_constant_s > 0 or range_fraction < 0:
            raise SignalError("threshold_n and time_constant_s must be > 0, range_fraction >= 0")
        limit = np.full(reference.size, float(threshold_n))
        if range_n is not None:
            rng = np.broadcast_to(np.asarray(range_n, dtype=np.float64), reference.shape)
            limit = np.maximum(limit, range_fraction * rng)
        self.reference_n = reference
        self.limit_n = limit
        self.alpha = 1.0 - math.exp(-1.0 / (time_constant_s * fs_hz))
        self.reset()

    def reset(self, reference_n: Any = None) -> None:
        """Start over (e.g. after a re-tare), optionally with a new reference level.

        Parameters
        ----------
        reference_n : array_like or None
            New tare level ``(channels,)``; None keeps the current one.
        """
        if reference_n is not None:
            reference = np.array(reference_n, dtype=np.float64)
            if reference.shape != self.reference_n.shape:
                raise SignalError(f"reference must be {self.reference_n.shape}")
            self.reference_n = reference
        self.level_n = self.reference_n.copy()
        self.index = 0
        self._warned = np.zeros(self.reference_n.size, dtype=bool)

    @property
    def drift_n(self) -> np.ndarray:
        """Current smoothed rest level minus the reference, newtons ``(channels,)``."""
        return self.level_n - self.reference_n

    def update(self, values: Any, at_rest: Any) -> list[DriftWarning]:
        """Feed a block of forces and its rest mask.

        Parameters
        ----------
        values : array_like
            Forces ``(k, channels)`` in newtons (tared or not, matching
            ``reference_n``).
        at_rest : array_like of bool
            ``(k,)``, True where the hand is at rest.

        Returns
        -------
        list of DriftWarning
            Warnings that fired in this block, in sample order.

        Raises
        ------
        SignalError
            On mismatched shapes or non-finite values.
        """
        x = np.asarray(values, dtype=np.float64)
        rest = np.asarray(at_rest, dtype=bool)
        channels = self.reference_n.size
        if x.ndim != 2 or x.shape[1] != channels or rest.shape != (x.shape[0],):
            raise SignalError(
                f"expected values (k, {channels}) and a (k,) rest mask, got {x.shape}, {rest.shape}"
            )
        if not np.all(np.isfinite(x)):
            raise SignalError("values must be finite")
        rows = np.flatnonzero(rest)
        start = self.index
        self.index += x.shape[0]
        if rows.size == 0:
            return []
        # y[n] = y[n-1] + a (x[n] - y[n-1]) over rest samples, as an exact IIR.
        a = self.alpha
        zi = ((1.0 - a) * self.level_n)[np.newaxis, :]
        from scipy import signal

        levels, _ = signal.lfilter([a], [1.0, a - 1.0], x[rows], axis=0, zi=zi)
        self.level_n = levels[-1].copy()
        deviation = np.abs(levels - self.reference_n)
        events: list[tuple[int, DriftWarning]] = []
        for ch in range(channels):
            pos = 0
            dev = deviation[:, ch]
            while pos < dev.size:
                if self._warned[ch]:
                    back = np.flatnonzero(dev[pos:] <= self.limit_n[ch] / 2)
                    if back.size == 0:
                        break
                    self._warned[ch] = False
                    pos += int(back[0]) + 1
                else:
                    out = np.flatnonzero(dev[pos:] > self.limit_n[ch])
                    if out.size == 0:
                        break
                    i = pos + int(out[0])
                    offset = float(levels[i, ch] - self.reference_n[ch])
                    limit = float(self.limit_n[ch])
                    warning = DriftWarning(ch, offset, limit, start + int(rows[i]))
                    events.append((warning.index, warning))
                    self._warned[ch] = True
                    pos = i + 1
        events.sort(key=lambda e: (e[0], e[1].channel))
        return [w for _, w in events]
