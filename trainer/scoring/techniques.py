"""The one rule every technique name follows (pure: no files, no simulator).

A technique name is what a reference, a session and a take are labelled with
("effleurage", "skin rolling", "compression"). Every way a name enters the program --
``reference build --technique``, a reference file being read, the command line's
``--technique`` options -- goes through :func:`check_technique_name`, so one name means
one technique everywhere.

The rule, after normalising (surrounding whitespace removed, letters lower-cased, runs
of whitespace made one space): 1-40 characters of lowercase letters ``a-z``, digits,
spaces or hyphens, starting with a letter and ending with a letter or a digit. So
``" Skin  Rolling"`` is ``"skin rolling"``, while ``"shiatsu!"``, ``"2-hand"`` and
``"x" * 41`` are refused.

Which techniques exist (the reference library's plus the simulator's) is the registry's
business: :mod:`trainer.store.techniques`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from trainer.exceptions import ScoringError

__all__ = [
    "MAX_TECHNIQUE_LENGTH",
    "check_technique_name",
    "normalise_technique_name",
    "unknown_technique",
]

MAX_TECHNIQUE_LENGTH = 40
_RULE = re.compile(rf"^[a-z](?:[a-z0-9 -]{{0,{MAX_TECHNIQUE_LENGTH - 2}}}[a-z0-9])?$")
_RULE_TEXT = (
    f"use 1-{MAX_TECHNIQUE_LENGTH} lowercase letters, digits, spaces or hyphens, "
    "starting with a letter"
)


def normalise_technique_name(text: str) -> str:
    """Strip, lower-case and collapse whitespace (no validation).

    Parameters
    ----------
    text : str
        A name as typed or stored.

    Returns
    -------
    str
        The normalised form (``" Skin  Rolling "`` -> ``"skin rolling"``).
    """
    return " ".join(str(text).split()).lower()


def check_technique_name(name: str) -> str:
    """Validate and normalise a technique name (see the module docstring for the rule).

    Parameters
    ----------
    name : str
        The name as typed or read.

    Returns
    -------
    str
        The normalised name.

    Raises
    ------
    ScoringError
        One line naming the rule, for any name that breaks it.
    """
    if not isinstance(name, str):
        raise ScoringError(f"invalid technique name {name!r}: {_RULE_TEXT}")
    normal = normalise_technique_name(name)
    if not _RULE.fullmatch(normal):
        raise ScoringError(f"invalid technique name {name!r}: {_RULE_TEXT}")
    return normal


def unknown_technique(name: str, known: Iterable[str]) -> ScoringError:
    """Return the one-line error for a valid name that is no known technique.

    Parameters
    ----------
    name : str
        What was asked for.
    known : iterable of str
        The known techniques, in the order to list them.

    Returns
    -------
    ScoringError
        ``unknown technique 'tapotment' (did you mean 'tapotement'? known: ...)``.
    """
    names = list(known)
    close = difflib.get_close_matches(normalise_technique_name(name), names, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return ScoringError(f"unknown technique {name!r} ({hint}known: {', '.join(names) or 'none'})")
