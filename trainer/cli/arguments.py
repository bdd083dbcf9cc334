"""Argument types shared by the subcommands (argparse turns their errors into usage lines)."""

from __future__ import annotations

import argparse
import math

__all__ = ["positive_number", "positive_seconds"]


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
