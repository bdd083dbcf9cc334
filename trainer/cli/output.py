"""JSON output that every JSON reader accepts: no NaN or Infinity (they become null)."""

from __future__ import annotations

import json
import math
import sys
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from sensors.profiles import GloveProfile

__all__ = ["dumps", "note_profile", "print_json"]


def _finite(value: Any) -> Any:
    """Return ``value`` with every non-finite float replaced by ``None`` (recursively)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def dumps(value: Any, **kwargs: Any) -> str:
    """Strict JSON text (RFC 8259): ``json.dumps`` with NaN/Infinity written as ``null``.

    A value stored before the store validated it (or computed from nothing) must not make
    ``--json`` output that other programs refuse.
    """
    return json.dumps(_finite(value), allow_nan=False, **kwargs)


def print_json(value: Any, *, stream: TextIO | None = None, **kwargs: Any) -> None:
    """Print :func:`dumps` of ``value`` (to stdout by default)."""
    print(dumps(value, **kwargs), file=stream or sys.stdout)


def note_profile(profile: GloveProfile) -> None:
    """Say on stderr, in one line, when a capture was read with a generic profile.

    A CSV from a glove with no bundled profile is read with one made from its header:
    no hand regions are known, so no heatmap and no per-region deductions. Stderr keeps
    ``--json`` output clean.
    """
    from sensors.profiles import generic_profile_notice

    notice = generic_profile_notice(profile)
    if notice is not None:
        print(notice, file=sys.stderr)
