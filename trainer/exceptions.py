"""Exceptions raised by the ``trainer`` package.

Every error derives from :class:`TrainerError`; the CLI turns each into a one-line
message and a non-zero exit.
"""

from __future__ import annotations

__all__ = [
    "NotAStrokeError",
    "RatingError",
    "ReferenceFileError",
    "ScoringError",
    "SignalError",
    "StoreError",
    "Terminated",
    "TrainerError",
]


class TrainerError(Exception):
    """Root of every error raised by :mod:`trainer`."""


class SignalError(TrainerError, ValueError):
    """Invalid input to a signal-processing or DTW routine (shape, rate, filter design)."""


class ScoringError(TrainerError, ValueError):
    """A stroke or capture cannot be scored (no strokes, incompatible reference)."""


class NotAStrokeError(ScoringError):
    """A piece of a recording is no attempt at the reference's technique: it gets no score.

    Parameters
    ----------
    message : str
        Why, in words (``not a tapotement stroke: its force profile is unlike ...``).
    """


class ReferenceFileError(TrainerError):
    """A reference is unknown by name, or its file is corrupt or fails validation."""


class StoreError(TrainerError):
    """The user data store (database, captures, packs) cannot be read or written."""


class RatingError(TrainerError, ValueError):
    """Instructors' ratings are invalid, or too few for a statistic or a calibration."""


class Terminated(KeyboardInterrupt):
    """The program was asked to stop by SIGTERM (logout, shutdown, a service manager).

    Handled like Ctrl+C (a :class:`KeyboardInterrupt`: sessions are closed, data kept),
    but reported as terminated with exit code 143.
    """
