"""What a session keeps beside its scores: its kind, its surface, each stroke's feedback.

The checks the store applies before it writes a session (:func:`check_kind`,
:func:`check_surface`) and the record of what a stroke showed the student
(:class:`FeedbackRecord`, schema 7 on). :mod:`trainer.store.progress` reads them back
to measure dependence on feedback, and re-exports every name here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trainer.exceptions import StoreError

__all__ = ["SESSION_KINDS", "SURFACES", "FeedbackRecord", "check_kind", "check_surface"]

#: ``practice``, or ``probe``: a short set with every feedback hidden.
SESSION_KINDS = ("practice", "probe")
#: Surfaces offered by name; any other short text is accepted too.
SURFACES = ("pad", "mannequin", "person")
_MAX_SURFACE = 40
_SURFACE_TEXT = re.compile(r"[^\W_]([\w '.,()/-]*[\w)])?")


def check_kind(kind: str) -> str:
    """Return a session kind if it is ``practice`` or ``probe``.

    Raises
    ------
    StoreError
        Anything else.
    """
    if kind not in SESSION_KINDS:
        raise StoreError(f"unknown session kind {kind!r} (known: {', '.join(SESSION_KINDS)})")
    return kind


def check_surface(text: str) -> str:
    """Normalise and check what was massaged: ``pad``, ``mannequin``, ``person``, free text.

    Parameters
    ----------
    text : str
        Up to 40 characters: letters, digits, spaces and ``' . , ( ) / -``; case and
        repeated spaces are tidied (``"  Massage  Table"`` -> ``"massage table"``).
        ``""`` means unknown.

    Returns
    -------
    str
        The normalised surface.

    Raises
    ------
    StoreError
        A longer text or other characters (one line).
    """
    text = str(text)
    # Spaces are tidied; line breaks and other control characters are refused.
    normal = "" if not text.isprintable() else " ".join(text.split()).lower()
    if not normal and text.isprintable():
        return ""
    if len(normal) > _MAX_SURFACE:
        raise StoreError(f"surface must be at most {_MAX_SURFACE} characters, got {len(normal)}")
    if _SURFACE_TEXT.fullmatch(normal) is None:
        raise StoreError(
            f"surface {text!r}: use {', '.join(SURFACES)} or a short description "
            "(letters, digits, spaces and ' . , ( ) / -)"
        )
    return normal


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    """What one stored stroke showed the student (schema 7 on).

    Parameters
    ----------
    cues : bool
        Cues were shown for it (live, or after it).
    card : bool
        Its score card was shown during the set.
    requested : bool
        The student asked for it (F).
    reason : str
        Why (``trainer.live.feedback.StrokeFeedback.reason``: ``schedule``,
        ``bandwidth``, ``within band``, ``not scheduled``, ``summary``, ``off``,
        ``probe``, ``requested``).
    mode : str
        The feedback mode in effect for it ("" unknown: the session's).
    """

    cues: bool
    card: bool
    requested: bool = False
    reason: str = ""
    mode: str = ""

    @property
    def shown(self) -> bool:
        """Anything about the stroke (cues or card) was shown during the set."""
        return self.cues or self.card
