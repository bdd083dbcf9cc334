"""The practice view's live plots: total force against the reference band, and per sensor.

Made for 60 frames a second on a small laptop (issue 16): every item is created once (per
glove profile); the view's ranges are fixed, "now" at 0 of a "seconds from now" axis, and
the data slide under it (:class:`TimeLayer`), so a frame between blocks moves two items
and repaints no axis; a frame with new samples appends only those to each curve
(:class:`StreamCurve`, preallocated polygons drawn as they are) and redraws the band.
1-px cosmetic pens, no antialiasing; gaps break the lines. :class:`FramePacer` picks the
frame timer's interval from what the frames cost.

The code is split by kind: :mod:`~trainer.ui.plots.force` (the practice plot),
:mod:`~trainer.ui.plots.items` (pens, appendable curves, the band's fill, the grid and the
time layer), :mod:`~trainer.ui.plots.tracks` (the arrays they draw; NumPy only),
:mod:`~trainer.ui.plots.pacing` (the frame counter and the frame timer's pacer) and
:mod:`~trainer.ui.plots.still` (the Instructor's still plots of a take or a reference).
"""

from __future__ import annotations

from trainer.ui.plots.force import ForcePlot
from trainer.ui.plots.items import (
    BandFill,
    HorizontalGrid,
    StreamCurve,
    TimeLayer,
    cosmetic_pen,
    hairline,
    live_curve,
)
from trainer.ui.plots.pacing import FrameCounter, FramePacer
from trainer.ui.plots.tracks import band_along_path, nice_ceiling, unstep

__all__ = [
    "BandFill",
    "ForcePlot",
    "FrameCounter",
    "FramePacer",
    "HorizontalGrid",
    "StreamCurve",
    "TimeLayer",
    "band_along_path",
    "cosmetic_pen",
    "hairline",
    "live_curve",
    "nice_ceiling",
    "unstep",
]
