"""Instructors' ratings of attempts, and the fault tags they may name (pure data).

A rating is 0–10 (the program's overall score maps onto it as ``overall / 10``), with
optional fault tags from the deduction vocabulary and a free note. Tags are the faults
a student can be told about; each names the deduction codes that give it (a program
deduction of at least :data:`NAMED_POINTS` points names the fault).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from trainer.exceptions import RatingError

__all__ = [
    "MAX_NOTE",
    "MAX_RATER",
    "NAMED_POINTS",
    "TAGS",
    "Rating",
    "check_rater",
    "check_rating",
    "parse_tags",
    "program_tags",
]

#: Fault tag -> (key in the Rate view, deduction codes or code prefixes ending in ``_``).
#: The codes are those of trainer/scoring (docs/scoring.md).
TAGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "too_light": ("l", ("too_light", "too_light_")),
    "too_heavy": ("h", ("too_heavy", "too_heavy_")),
    "rushed": ("r", ("rushed", "rushed_")),
    "dragged": ("d", ("dragged", "dragged_")),
    "uneven_load": ("u", ("load_",)),
    "jerky": ("j", ("jerky",)),
    "stopped_early": ("s", ("stopped_early",)),
    "shape": ("f", ("shape",)),
    "over_pressure": ("o", ("over_pressure",)),
}
#: A program deduction of at least this many points names its fault (smaller ones are
#: pooled as "minor" by the scorer and not shown as a fault).
NAMED_POINTS = 1.0
MAX_RATER = 100
MAX_NOTE = 2000
_TAG_TEXT = re.compile(r"[a-z_ ]{1,40}")


def check_rater(name: str) -> str:
    """Return a rater's name stripped; 1–100 printable characters.

    Raises
    ------
    RatingError
        Empty, too long, or holding control characters.
    """
    text = str(name).strip()
    if not 1 <= len(text) <= MAX_RATER or not text.isprintable():
        raise RatingError(f"rater name must be 1 to {MAX_RATER} printable characters")
    return text


def check_rating(value: float) -> float:
    """Return a rating as a float in 0–10.

    Raises
    ------
    RatingError
        Not a finite number from 0 to 10.
    """
    if isinstance(value, bool):
        raise RatingError("rating must be a number from 0 to 10")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RatingError(f"rating must be a number from 0 to 10, not {value!r}") from None
    if not (math.isfinite(number) and 0.0 <= number <= 10.0):
        raise RatingError(f"rating must be a number from 0 to 10, not {value!r}")
    return number


def parse_tags(tags: str | Iterable[str]) -> tuple[str, ...]:
    """Return fault tags, checked against :data:`TAGS`, in vocabulary order.

    Parameters
    ----------
    tags : str or iterable of str
        ``"too light; rushed"`` (``;``-separated, spaces or ``_``) or a sequence.

    Raises
    ------
    RatingError
        A tag outside the vocabulary (the message lists it).
    """
    items = tags.split(";") if isinstance(tags, str) else list(tags)
    found = set()
    for item in items:
        text = " ".join(str(item).strip().lower().split())
        if not text:
            continue
        key = text.replace(" ", "_")
        if not _TAG_TEXT.fullmatch(text) or key not in TAGS:
            known = ", ".join(t.replace("_", " ") for t in TAGS)
            raise RatingError(f"unknown fault tag {str(item).strip()[:40]!r} (known: {known})")
        found.add(key)
    return tuple(t for t in TAGS if t in found)


def program_tags(deductions: Iterable[tuple[str, float]]) -> frozenset[str]:
    """Fault tags the program named: a deduction of >= :data:`NAMED_POINTS` points.

    Parameters
    ----------
    deductions : iterable of (code, points)
        The attempt's deductions.
    """
    named = set()
    for code, points in deductions:
        if points < NAMED_POINTS:
            continue
        for tag, (_key, codes) in TAGS.items():
            if any(code == c or (c.endswith("_") and code.startswith(c)) for c in codes):
                named.add(tag)
    return frozenset(named)


@dataclass(frozen=True, slots=True)
class Rating:
    """One instructor's rating of one attempt.

    Parameters
    ----------
    attempt_id : int
        The attempt rated.
    rater : str
        Who rated (1–100 characters).
    rating : float
        0–10.
    tags : tuple of str
        Fault tags from :data:`TAGS`, in vocabulary order.
    note : str
        Free text (up to 2000 characters).
    created_at : str
        When (ISO 8601, UTC); re-ratings of the same attempt by the same rater are kept.
    id : int or None
        Row id once stored.
    """

    attempt_id: int
    rater: str
    rating: float
    tags: tuple[str, ...] = ()
    note: str = ""
    created_at: str = ""
    id: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.attempt_id, bool) or not isinstance(self.attempt_id, int):
            raise RatingError("attempt id must be an integer")
        object.__setattr__(self, "rater", check_rater(self.rater))
        object.__setattr__(self, "rating", check_rating(self.rating))
        object.__setattr__(self, "tags", parse_tags(self.tags))
        if len(self.note) > MAX_NOTE:
            raise RatingError(f"note must be at most {MAX_NOTE} characters")

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict (without the row id)."""
        return {
            "attempt": self.attempt_id,
            "rater": self.rater,
            "rating": self.rating,
            "tags": list(self.tags),
            "note": self.note,
            "created_at": self.created_at,
        }
