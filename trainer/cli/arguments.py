"""Argument types shared by the subcommands (argparse turns their errors into usage lines).

Ids are parsed here, once, for every command that takes one: a session is ``12``,
``S12`` or ``session:12``; an attempt is ``A7``, ``7`` (where only an attempt can be
meant) or ``attempt:7``.
"""

from __future__ import annotations

import argparse
import math
import re
from pathlib import Path

__all__ = [
    "attempt_id",
    "parse_id",
    "positive_number",
    "positive_seconds",
    "session_attempt_or_file",
    "session_id",
    "session_or_attempt",
]


def _positive(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive {what}: {text!r}")
    return value


def positive_seconds(text: str) -> float:
    """Parse a duration in seconds, finite and > 0."""
    return _positive(text, "number of seconds")


def positive_number(text: str) -> float:
    """Parse a finite number > 0 (a speed, a factor)."""
    return _positive(text, "number")


_ID = re.compile(r"\s*(s|session:?|a|attempt:?)?\s*(\d{1,18})\s*", re.IGNORECASE)


def parse_id(text: str, default: str = "session") -> tuple[str, int] | None:
    """Parse a session or attempt id; ``None`` when ``text`` is no id at all.

    Parameters
    ----------
    text : str
        ``12``, ``S12``, ``s12``, ``session:12``, ``A7``, ``attempt:7`` (spaces allowed).
    default : {"session", "attempt"}
        What a bare number means.

    Returns
    -------
    tuple of (str, int) or None
        ``("session", 12)`` or ``("attempt", 7)``.
    """
    match = _ID.fullmatch(text)
    if match is None:
        return None
    prefix = (match.group(1) or "").lower()
    kind = default if not prefix else ("attempt" if prefix[0] == "a" else "session")
    return kind, int(match.group(2))


def _only(text: str, kind: str) -> int:
    parsed = parse_id(text, kind)
    example = "12 or S12" if kind == "session" else "7 or A7"
    if parsed is None:
        raise argparse.ArgumentTypeError(f"not a {kind} id: {text!r} (use {example})")
    if parsed[0] != kind:
        raise argparse.ArgumentTypeError(
            f"{text!r} is an {parsed[0]}, not a {kind} (use {example})"
        )
    return parsed[1]


def session_id(text: str) -> int:
    """Parse a session id (``12``, ``S12``, ``session:12``) for argparse."""
    return _only(text, "session")


def attempt_id(text: str) -> int:
    """Parse an attempt id (``7``, ``A7``, ``attempt:7``) for argparse."""
    return _only(text, "attempt")


def session_or_attempt(text: str) -> tuple[str, int]:
    """Parse ``12``/``S12`` (a session) or ``A7`` (an attempt) for argparse."""
    parsed = parse_id(text)
    if parsed is None:
        raise argparse.ArgumentTypeError(
            f"not a session or attempt: {text!r} (use 12 or S12 for a session, A7 for an attempt)"
        )
    return parsed


def session_attempt_or_file(text: str) -> tuple[str, int] | Path:
    """Parse ``export``'s argument: an existing file's path, else a session or attempt id."""
    path = Path(text)
    if path.exists():
        return path
    parsed = parse_id(text)
    return path if parsed is None else parsed
