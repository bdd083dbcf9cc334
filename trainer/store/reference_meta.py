"""A reference file's ``meta.json``: what it holds, and the schema it is read with.

Part of :mod:`trainer.store.references` (the file format: the archive, its arrays, its
size limits), which writes :func:`meta_of` and reads with :data:`META` and
:data:`MESSAGES`. The checks run in the order of :data:`META`'s fields, and each
problem is worded as before (the wording is part of the format's tests).
"""

from __future__ import annotations

import re
from typing import Any

from sensors._schema import (
    Check,
    Field,
    Invalid,
    Schema,
    as_given,
    chain,
    items,
    list_of,
    mapping,
    number,
    of,
    rule,
    says,
    text,
    variants,
)
from sensors._schema import Path as DocPath
from trainer.exceptions import ScoringError
from trainer.scoring.model import COMPONENTS, Reference
from trainer.scoring.techniques import check_technique_name

__all__ = [
    "BALANCE_KEYS",
    "FORMAT",
    "LEGACY_VERSION",
    "MESSAGES",
    "META",
    "NAME",
    "VERSION",
    "meta_of",
]

FORMAT = "massage-trainer-reference"
VERSION = 2
#: Version 1 (before scoring v2) kept SPARC in its smoothness calibration and no
#: performers; such files are still read (see
#: :func:`trainer.store.references._legacy_smoothness`).
LEGACY_VERSION = 1
_FORCE_KEYS = ("mean_n", "peak_mean_n", "peak_sd_n")
_CALIBRATION_KEYS = ("shape_d90", "smoothness_mean", "smoothness_sd", "tam_p90")
#: The balance keys, in :attr:`Reference.balance_rms` order.
BALANCE_KEYS = ("balance_start", "balance_middle", "balance_end")
#: Written only for percussion (a sweep's file is as before), and the thirds' balance
#: (absent from a file written before it: no balance is judged).
_CALIBRATION_OPTIONAL = ("strike_jitter_mean", "strike_jitter_sd", "strike_period_s", *BALANCE_KEYS)
#: A reference's name, which becomes its file name (see ``references.check_name``).
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
#: A glove's plausible sample rates: no glove samples faster (the filters refuse more),
#: and below 1 Hz a stroke is a handful of samples. A version-1 file's smoothness is
#: derived at its rate, which outside these overflows or fails (found by fuzzing).
_RATE_HZ = (1.0, 1e6)


# -- writing ---------------------------------------------------------------------------


def meta_of(ref: Reference) -> dict[str, Any]:
    """Return ``meta.json``'s object for ``ref`` (written with sorted keys)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "name": ref.name,
        "technique": ref.technique,
        "author": ref.author,
        "created": ref.created,
        "notes": ref.notes,
        "synthetic": ref.synthetic,
        "performers": list(ref.performers),
        "profile": ref.profile.to_dict(),
        "sample_rate_hz": ref.fs_hz,
        "regions": list(ref.regions),
        "duration_s": list(ref.duration_s),
        "force": {
            "peak_mean_n": ref.peak_force_n[0],
            "peak_sd_n": ref.peak_force_n[1],
            "mean_n": ref.mean_force_n,
        },
        "calibration": {
            "shape_d90": ref.shape_d90,
            "tam_p90": ref.tam_p90,
            "smoothness_mean": ref.smoothness_mean,
            "smoothness_sd": ref.smoothness_sd,
        }
        | _strike_calibration(ref)
        | _balance_calibration(ref),
        "weights": dict(ref.weights),
        "n_strokes": ref.n_strokes,
    }


def _strike_calibration(ref: Reference) -> dict[str, float]:
    """Percussion's calibration keys (none for a sweep: its file is as before)."""
    out = {}
    if ref.strike_period_s > 0:
        out["strike_period_s"] = ref.strike_period_s
    if ref.strike_jitter_mean > 0:
        out["strike_jitter_mean"] = ref.strike_jitter_mean
        out["strike_jitter_sd"] = ref.strike_jitter_sd
    return out


def _balance_calibration(ref: Reference) -> dict[str, float]:
    """Return the thirds' balance keys (none for a reference built before it)."""
    if not any(ref.balance_rms):
        return {}
    return dict(zip(BALANCE_KEYS, ref.balance_rms, strict=True))


# -- reading: the schema ---------------------------------------------------------------


def _string(limit: int) -> Check:
    return says(text(max_len=limit), f"{{path}} must be a string of at most {limit} characters")


def _technique(value: str, path: DocPath) -> str:
    try:
        return check_technique_name(value or "unknown")
    except ScoringError as err:
        raise Invalid("rule", path, value, message=str(err)) from None


def _exactly(section: str, keys: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, str]:
    """Word a section's missing, unknown or mistyped key of its own."""
    also = f" (and may have {', '.join(optional)})" if optional else ""
    wording = f"{section} must have exactly {', '.join(keys)}{also}"
    return dict.fromkeys(("object", "unknown", "missing"), wording)


_NUMBER = number()
_POSITIVE = number(gt=0.0)


def _section(*fields: Field) -> Schema:
    """Declare a nested object with exactly its keys (the optional ones may be left out)."""
    return Schema(fields, unknown="refuse", upfront=True)


#: ``meta.json``, version 2, in checking order (the profile, which its regions must
#: match, is checked after it by :meth:`GloveProfile.from_dict`, which names the file).
_META_FIELDS = (
    Field("format"),
    Field("version"),
    Field(
        "name",
        chain(
            _string(10_000),
            rule(lambda n: bool(NAME.fullmatch(n)) and ".." not in n, "invalid name {value!r}"),
        ),
    ),
    Field("synthetic", of(bool), says="synthetic must be true or false"),
    Field("profile"),
    Field("regions"),
    Field(
        "duration_s",
        chain(
            items(*[number(gt=0.0, lt=1e4)] * 3),
            rule(lambda d: d[0] <= d[1] <= d[2]),
        ),
        says="duration_s must be [min, mean, max] seconds",
    ),
    Field(
        "force",
        _section(
            Field("peak_mean_n", _NUMBER), Field("peak_sd_n", _NUMBER), Field("mean_n", _NUMBER)
        ),
        says=_exactly("force", _FORCE_KEYS),
    ),
    Field(
        "calibration",
        _section(
            *(Field(key, _NUMBER, optional=True) for key in _CALIBRATION_OPTIONAL),
            Field("smoothness_mean", _NUMBER),
            Field("smoothness_sd", _NUMBER),
            Field("shape_d90", _POSITIVE),
            Field("tam_p90", _POSITIVE),
        ),
        says=_exactly("calibration", _CALIBRATION_KEYS, _CALIBRATION_OPTIONAL),
    ),
    Field(
        "weights",
        # Kept as given: built-ins, and any other component's.
        as_given(mapping(number(ge=0.0), required=COMPONENTS)),
        says=dict.fromkeys(
            ("object", "missing"), f"weights must give {', '.join(COMPONENTS)} (and may give more)"
        ),
    ),
    Field(
        "n_strokes",
        chain(of(int), rule(lambda n: n >= 0)),
        says="n_strokes must be an integer >= 0",
    ),
    Field("technique", chain(_string(64), _technique)),
    Field(
        "performers",
        list_of(text(min_len=1, max_len=200), max_len=1000),
        says="performers must be a list of names",
    ),
    Field("author", _string(200)),
    Field("notes", _string(10_000)),
    Field("created", _string(40)),
    Field(
        "sample_rate_hz",
        # gt as well: a rate <= 0 is still "must be > 0", as it always was.
        number(gt=0.0, ge=_RATE_HZ[0], le=_RATE_HZ[1]),
        says=dict.fromkeys(("ge", "le"), "{path} must be {ge:g} to {le:g} Hz"),
    ),
)
META = variants(
    Field(
        "version",
        rule(
            lambda v: v in (VERSION, LEGACY_VERSION) and not isinstance(v, bool),
            f"unsupported version {{value!r}} (this reads 1 and {VERSION})",
        ),
        default=None,
    ),
    {
        VERSION: Schema(_META_FIELDS, unknown="refuse", upfront=True),
        # Version 1 had no performers (a file that gives them is not version 1).
        LEGACY_VERSION: Schema(
            tuple(f for f in _META_FIELDS if f.key != "performers"), unknown="refuse", upfront=True
        ),
    },
    marker=("format", FORMAT),
)
MESSAGES = {
    "marker": "wrong format marker",
    "unknown": "unknown key {key!r}",
    "missing": "missing {key!r}",
    **dict.fromkeys(("type", "overflow", "finite"), "{path} must be a finite number"),
    "gt": "{path} must be > {gt:g}",
    "ge": "{path} must be >= {ge:g}",
}
