"""Sample-rate conversion with ``scipy.signal.resample_poly``."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
from scipy import signal

from trainer.exceptions import SignalError

__all__ = ["resample"]


def resample(values: Any, fs_from_hz: float, fs_to_hz: float) -> np.ndarray:
    """Resample along axis 0 from ``fs_from_hz`` to ``fs_to_hz`` (polyphase, anti-aliased).

    The rate ratio is approximated by a fraction with denominator ≤ 1000.

    Returns
    -------
    numpy.ndarray
        ``(ceil(n * up / down), ...)``.
    """
    if fs_from_hz <= 0 or fs_to_hz <= 0:
        raise SignalError("sample rates must be > 0")
    x = np.asarray(values, dtype=np.float64)
    ratio = Fraction(fs_to_hz / fs_from_hz).limit_denominator(1000)
    if ratio == 1:
        return x.copy()
    return signal.resample_poly(x, ratio.numerator, ratio.denominator, axis=0, padtype="line")
