"""Dynamic time warping: exact compiled kernels, lower bounds, open-end, SPRING, DBA.

Conventions (checked against dtaidistance and dtw-python in the tests):

- series are ``(n,)`` or ``(n, d)`` float arrays, samples × channels; anything with a
  ``values`` attribute (a :class:`~sensors.blocks.SampleBlock`) is accepted too;
- multichannel DTW is *dependent*: the local cost is the squared Euclidean distance over
  all channels at once;
- distances are the square root of the accumulated cost (dtaidistance's convention), in
  the input's unit;
- ``window`` is the Sakoe–Chiba radius ``r`` in samples, widened by ``|n - m|`` on the
  longer series' side: cell ``(i, j)`` is allowed when ``i - j <= max(0, n - m) + r`` and
  ``j - i <= max(0, m - n) + r``, which is dtaidistance's ``window=r + 1``. ``None``: no
  band.

Layout, after dtaidistance's fast/reference split: :mod:`trainer.dtw._kernels` holds the
numba kernels, :mod:`trainer.dtw._reference` their plain NumPy twins, and the public
modules validate inputs once and call the kernels. Kernels are compiled with
``cache=True``: the first process on a machine compiles them (several seconds, see
:func:`warmup`), later processes load them from the on-disk cache.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trainer._lazy import attach

if TYPE_CHECKING:
    from trainer.dtw._validate import HasValues, SeriesLike, as_series
    from trainer.dtw.amplitude import AmplitudeMode, normalise_amplitude, znormalise
    from trainer.dtw.average import dba
    from trainer.dtw.distance import dtw_distance, dtw_path
    from trainer.dtw.search import NearestNeighbours, lb_keogh, lb_kim, nearest
    from trainer.dtw.streaming import Match, OpenEndAligner, StreamingMatcher

# Imported on first use (see trainer._lazy): importing the package stays cheap.
__getattr__, __dir__ = attach(
    __name__,
    {
        "trainer.dtw._validate": ("HasValues", "SeriesLike", "as_series"),
        "trainer.dtw.amplitude": ("AmplitudeMode", "normalise_amplitude", "znormalise"),
        "trainer.dtw.average": ("dba",),
        "trainer.dtw.distance": ("dtw_distance", "dtw_path"),
        "trainer.dtw.search": ("NearestNeighbours", "lb_keogh", "lb_kim", "nearest"),
        "trainer.dtw.streaming": ("Match", "OpenEndAligner", "StreamingMatcher"),
    },
)

__all__ = [
    "AmplitudeMode",
    "HasValues",
    "Match",
    "NearestNeighbours",
    "OpenEndAligner",
    "SeriesLike",
    "StreamingMatcher",
    "as_series",
    "dba",
    "dtw_distance",
    "dtw_path",
    "lb_keogh",
    "lb_kim",
    "nearest",
    "normalise_amplitude",
    "warmup",
    "znormalise",
]


def warmup() -> None:
    """Compile, or load from the on-disk cache, every DTW kernel by running it on tiny inputs.

    The first call in a fresh environment compiles (seconds); later processes only load
    the cache (tens of milliseconds). Kernels release the GIL and numba serialises
    compilation, so the app can run this in a background thread at start-up while the UI
    comes up; a kernel used before it finishes simply waits for its compilation.
    """
    import numpy as np

    from trainer.dtw.average import dba
    from trainer.dtw.distance import dtw_distance, dtw_path
    from trainer.dtw.search import lb_keogh, lb_kim, nearest
    from trainer.dtw.streaming import OpenEndAligner, StreamingMatcher

    a = np.linspace(0.0, 1.0, 12).reshape(6, 2)
    b = a[:4] + 0.5
    dtw_distance(a, b, window=1, max_dist=10.0)
    dtw_path(a, b, window=1)
    lb_kim(a, b)
    lb_keogh(a, b, 1)
    nearest(a, [a, b], window=2)
    OpenEndAligner(a).push(b)
    StreamingMatcher(b, threshold=1.0).push(a)
    dba([a, b], n_iter=1)
