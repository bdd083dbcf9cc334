"""Input checks shared by the public DTW functions: validate once, then call kernels."""

from __future__ import annotations

import operator
from typing import Any, Protocol, TypeAlias

import numpy as np
import numpy.typing as npt

from trainer.exceptions import SignalError

__all__ = ["HasValues", "SeriesLike", "as_series", "channels_match", "max_cost", "radius"]


class HasValues(Protocol):
    """Anything with a ``values`` array, e.g. a :class:`sensors.blocks.SampleBlock`."""

    @property
    def values(self) -> np.ndarray:
        """Samples ``(k, channels)``."""
        ...


SeriesLike: TypeAlias = "npt.ArrayLike | HasValues"


def as_series(x: Any, name: str = "series", *, allow_empty: bool = False) -> np.ndarray:
    """Validate a series and return it as a writeable C-contiguous float64 ``(n, d)`` array.

    Parameters
    ----------
    x : array_like or object with ``values``
        ``(n,)`` (one channel) or ``(n, d)``; an object with a ``values`` attribute (a
        :class:`~sensors.blocks.SampleBlock`) contributes that array.
    name : str
        Used in error messages.
    allow_empty : bool
        Accept ``n == 0`` (a stream block may be empty; a series may not).

    Returns
    -------
    numpy.ndarray
        ``(n, d)`` float64. The input itself when it already qualifies (no copy).

    Raises
    ------
    SignalError
        Not numeric, complex, more than 2-D, no channels, empty (unless allowed), or
        containing NaN or infinity.
    """
    raw = getattr(x, "values", x)
    if np.iscomplexobj(raw):
        raise SignalError(f"{name} must be real, got complex values")
    try:
        arr = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise SignalError(f"{name} is not a numeric array: {err}") from err
    if arr.ndim == 1:
        arr = arr[:, np.newaxis]
    if arr.ndim != 2 or arr.shape[1] == 0 or (arr.shape[0] == 0 and not allow_empty):
        raise SignalError(f"{name} must be a non-empty (n,) or (n, d) array, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise SignalError(f"{name} contains NaN or infinite values")
    # Kernels are compiled for writeable C arrays; a read-only input (SampleBlock values)
    # would trigger a second compilation, so copy it instead.
    if not arr.flags.c_contiguous or not arr.flags.writeable:
        arr = np.array(arr, order="C")
    return arr


def channels_match(a: np.ndarray, b: np.ndarray, what: str = "series") -> None:
    """Raise :class:`SignalError` unless ``a`` and ``b`` have the same channel count."""
    if a.shape[1] != b.shape[1]:
        raise SignalError(f"{what} channel counts differ: {a.shape[1]} vs {b.shape[1]}")


def radius(window: Any) -> int:
    """Sakoe–Chiba radius as the kernels take it: ``-1`` for ``None`` (no band).

    Raises
    ------
    SignalError
        Not ``None`` or a non-negative integer.
    """
    if window is None:
        return -1
    try:
        if isinstance(window, bool):
            raise TypeError("bool")
        r = operator.index(window)
    except TypeError as err:
        raise SignalError(f"window must be None or an integer radius, got {window!r}") from err
    if r < 0:
        raise SignalError(f"window must be a non-negative radius, got {r}")
    return r


def max_cost(max_dist: Any) -> float:
    """Squared abandoning threshold for the kernels: ``inf`` for ``None``.

    Raises
    ------
    SignalError
        Not a number, NaN or negative.
    """
    if max_dist is None:
        return np.inf
    try:
        value = float(max_dist)
    except (TypeError, ValueError) as err:
        raise SignalError(f"max_dist must be a number, got {max_dist!r}") from err
    if not value >= 0.0:  # also rejects NaN
        raise SignalError(f"max_dist must be >= 0, got {max_dist!r}")
    return value * value
