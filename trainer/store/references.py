"""Reference files (``.mtref``) and the reference library (bundled + the user's).

A reference file is a zip archive with exactly two stored entries:

``meta.json``
    UTF-8 JSON object, keys exactly::

        {"format": "massage-trainer-reference", "version": 2,
         "name", "technique", "author", "created", "notes", "synthetic", "performers",
         "profile": {...glove profile...}, "sample_rate_hz",
         "regions": [...], "duration_s": [min, mean, max],
         "force": {"peak_mean_n", "peak_sd_n", "mean_n"},
         "calibration": {"shape_d90", "tam_p90", "smoothness_mean", "smoothness_sd",
                         and for percussion "strike_period_s", "strike_jitter_mean",
                         "strike_jitter_sd"},
         "weights": {"shape", "pressure", "tempo", "smoothness", ...any registered
                     component's}, "n_strokes"}

``arrays.npz``
    NumPy ``.npz`` (itself a zip) with exactly ``template`` ``(L, channels)``,
    ``band_lo``/``band_hi`` ``(L,)``, ``share_mean``/``share_sd`` ``(regions,)``,
    float64, loaded with ``allow_pickle=False``.

Everything is validated on load: file and entry sizes before reading (no zip bombs),
entry names (no paths), JSON keys and types, array names, dtypes, shapes, finiteness.
Any problem is a one-line :class:`~trainer.exceptions.ReferenceFileError`. Writing is
atomic and deterministic (fixed timestamps, sorted keys): the same reference always
gives the same bytes.

The library of references by name (:class:`ReferenceLibrary`, :class:`LibraryEntry`) is in
:mod:`trainer.store.reference_library`; both names are re-exported here.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sensors._schema import (
    Check,
    Field,
    Invalid,
    Messages,
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
    validate,
    variants,
)
from sensors._schema import Path as DocPath
from sensors.exceptions import ProfileError
from sensors.profiles import GloveProfile
from trainer._lazy import attach
from trainer.exceptions import ReferenceFileError, ScoringError, SignalError
from trainer.scoring.model import COMPONENTS, Reference, region_names
from trainer.scoring.techniques import check_technique_name
from trainer.store.files import deterministic_zip, read_member, read_npy, write_atomic

if TYPE_CHECKING:
    from trainer.store.reference_library import LibraryEntry, ReferenceLibrary

__all__ = [
    "FORMAT",
    "HIDDEN_FILE",
    "MAX_FILE_BYTES",
    "REFERENCE_SUFFIX",
    "VERSION",
    "LibraryEntry",
    "ReferenceLibrary",
    "check_name",
    "decode_reference",
    "encode_reference",
    "load_reference",
    "save_reference",
]

FORMAT = "massage-trainer-reference"
VERSION = 2
#: Version 1 (before scoring v2) kept SPARC in its smoothness calibration and no
#: performers; such files are still read (see :func:`_legacy_smoothness`).
_LEGACY_VERSION = 1
REFERENCE_SUFFIX = ".mtref"
#: In the user's reference folder: the bundled starters the user hid.
HIDDEN_FILE = "hidden.json"
MAX_FILE_BYTES = 20 * 1024 * 1024
_MAX_ENTRY_BYTES = 50 * 1024 * 1024  # uncompressed, per entry: guards against zip bombs
_MAX_LENGTH = 100_000  # template samples (over 8 minutes at 200 Hz)
_ENTRIES = ("arrays.npz", "meta.json")
_ARRAYS = ("band_hi", "band_lo", "share_mean", "share_sd", "template")
_FORCE_KEYS = ("mean_n", "peak_mean_n", "peak_sd_n")
_CALIBRATION_KEYS = ("shape_d90", "smoothness_mean", "smoothness_sd", "tam_p90")
#: Written only for percussion (a sweep's file is as before).
_CALIBRATION_OPTIONAL = ("strike_jitter_mean", "strike_jitter_sd", "strike_period_s")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
#: A glove's plausible sample rates: no glove samples faster (the filters refuse more),
#: and below 1 Hz a stroke is a handful of samples. A version-1 file's smoothness is
#: derived at its rate, which outside these overflows or fails (found by fuzzing).
_RATE_HZ = (1.0, 1e6)


def check_name(name: str) -> str:
    """Validate a reference name (it becomes a file name).

    Parameters
    ----------
    name : str
        1–64 characters: letters, digits, ``.``, ``_``, ``-``, not starting with a
        punctuation mark.

    Returns
    -------
    str
        The name.

    Raises
    ------
    ReferenceFileError
        For any other name (path separators, spaces, ``..``).
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name) or ".." in name:
        raise ReferenceFileError(
            f"invalid reference name {name!r}: use 1-64 letters, digits, '.', '_' or '-'"
        )
    return name


# -- writing ---------------------------------------------------------------------------


def _meta(ref: Reference) -> dict[str, Any]:
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
        | _strike_calibration(ref),
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


def encode_reference(ref: Reference) -> bytes:
    """Serialise a reference to ``.mtref`` bytes (deterministic).

    Parameters
    ----------
    ref : Reference
        What to write.

    Returns
    -------
    bytes
        The file's content.

    Raises
    ------
    ReferenceFileError
        Invalid name.
    """
    check_name(ref.name)
    try:
        check_technique_name(ref.technique)
    except ScoringError as err:
        raise ReferenceFileError(str(err)) from None
    arrays = {}
    for key in _ARRAYS:
        out = io.BytesIO()
        np.lib.format.write_array(
            out, np.ascontiguousarray(getattr(ref, key), dtype="<f8"), allow_pickle=False
        )
        arrays[f"{key}.npy"] = out.getvalue()
    meta = json.dumps(_meta(ref), indent=1, sort_keys=True, allow_nan=False) + "\n"
    return deterministic_zip(
        {"meta.json": meta.encode("utf-8"), "arrays.npz": deterministic_zip(arrays)}
    )


def _write_atomic(target: Path, data: bytes, *, overwrite: bool) -> Path:
    if target.exists() and not overwrite:
        raise ReferenceFileError(f"{target} already exists (pass --overwrite to replace it)")
    return write_atomic(target, data)


def save_reference(
    ref: Reference, path: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write a reference file atomically (temporary file, then rename).

    Parameters
    ----------
    ref : Reference
        What to write.
    path : path-like
        Destination file.
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ReferenceFileError
        Invalid name, or the file exists and ``overwrite`` is false.
    OSError
        The file cannot be written.
    """
    return _write_atomic(Path(path), encode_reference(ref), overwrite=overwrite)


# -- reading ---------------------------------------------------------------------------


def _bad(origin: str, why: str) -> ReferenceFileError:
    return ReferenceFileError(f"{origin}: not a valid reference file ({why})")


def _entries(data: bytes, allowed: tuple[str, ...], origin: str, what: str) -> dict[str, bytes]:
    """Read a zip's entries after checking names and declared sizes."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            names = sorted(i.filename for i in infos)
            if names != sorted(allowed):
                raise _bad(origin, f"{what} entries must be exactly {', '.join(allowed)}")
            for info in infos:
                if info.file_size > _MAX_ENTRY_BYTES or info.flag_bits & 0x1:
                    raise _bad(origin, f"{what} entry {info.filename} is too large or encrypted")
            out = {}
            for info in infos:
                # In bounded chunks, stopping past the declared size: a lying header
                # is caught without inflating what it hides.
                out[info.filename] = read_member(zf, info, _MAX_ENTRY_BYTES)
            return out
    except ReferenceFileError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        ValueError,
        zlib.error,  # a damaged deflate stream (found by fuzzing)
    ) as err:
        raise _bad(origin, f"unreadable {what}: {err}") from None
    except (RuntimeError, NotImplementedError) as err:  # unsupported compression etc.
        raise _bad(origin, f"unreadable {what}: {err}") from None


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
            rule(lambda n: bool(_NAME.fullmatch(n)) and ".." not in n, "invalid name {value!r}"),
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
_META = variants(
    Field(
        "version",
        rule(
            lambda v: v in (VERSION, _LEGACY_VERSION) and not isinstance(v, bool),
            f"unsupported version {{value!r}} (this reads 1 and {VERSION})",
        ),
        default=None,
    ),
    {
        VERSION: Schema(_META_FIELDS, unknown="refuse", upfront=True),
        # Version 1 had no performers (a file that gives them is not version 1).
        _LEGACY_VERSION: Schema(
            tuple(f for f in _META_FIELDS if f.key != "performers"), unknown="refuse", upfront=True
        ),
    },
    marker=("format", FORMAT),
)
_MESSAGES = {
    "marker": "wrong format marker",
    "unknown": "unknown key {key!r}",
    "missing": "missing {key!r}",
    **dict.fromkeys(("type", "overflow", "finite"), "{path} must be a finite number"),
    "gt": "{path} must be > {gt:g}",
    "ge": "{path} must be >= {ge:g}",
}


def _arrays(data: bytes, origin: str) -> dict[str, np.ndarray]:
    files = _entries(data, tuple(f"{k}.npy" for k in _ARRAYS), origin, "arrays.npz")
    arrays = {}
    for key in _ARRAYS:
        try:
            # Not numpy's read_array: it allocates whatever shape the header declares.
            arr = read_npy(files[f"{key}.npy"])
        except ValueError as err:
            raise _bad(origin, f"array {key} unreadable: {err}") from None
        if arr.dtype.kind not in "fiu":
            raise _bad(origin, f"array {key} has dtype {arr.dtype}, expected float64")
        arrays[key] = np.array(arr, dtype=np.float64)  # a writable copy
    return arrays


def _read_meta(data: bytes, origin: str) -> tuple[dict[str, bytes], dict[str, Any]]:
    """Return the archive's entries and its metadata, every field checked but the profile."""
    if len(data) > MAX_FILE_BYTES:
        raise _bad(origin, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    entries = _entries(data, _ENTRIES, origin, "archive")
    try:
        meta = json.loads(entries["meta.json"].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _bad(origin, "meta.json is not UTF-8 JSON") from None
    messages = Messages(_MESSAGES, lambda message, path: _bad(origin, message))
    return entries, validate(_META, meta, messages)


def _profile(meta: dict[str, Any], origin: str) -> GloveProfile:
    """Return the reference's glove profile, whose regions must be the file's."""
    try:
        profile = GloveProfile.from_dict(meta["profile"], f"{origin} profile")
    except ProfileError as err:
        raise _bad(origin, str(err)) from None
    except (TypeError, AttributeError, KeyError):
        raise _bad(origin, "profile must be a glove profile object") from None
    if meta["regions"] != list(region_names(profile)):
        raise _bad(origin, "regions do not match the glove profile's")
    return profile


def _checked_arrays(data: bytes, channels: int, regions: int, origin: str) -> dict[str, np.ndarray]:
    """Return the arrays, each of the shape the profile implies, finite, the band in order."""
    arrays = _arrays(data, origin)
    template = arrays["template"]
    if template.ndim != 2 or template.shape[1] != channels:
        raise _bad(origin, f"template has shape {template.shape}, expected (L, {channels})")
    length = template.shape[0]
    if not 3 <= length <= _MAX_LENGTH:
        raise _bad(origin, f"template length {length} outside 3..{_MAX_LENGTH}")
    for key, shape in (
        ("band_lo", (length,)),
        ("band_hi", (length,)),
        ("share_mean", (regions,)),
        ("share_sd", (regions,)),
    ):
        if arrays[key].shape != shape:
            raise _bad(origin, f"{key} has shape {arrays[key].shape}, expected {shape}")
    for key, arr in arrays.items():
        if not np.all(np.isfinite(arr)):
            raise _bad(origin, f"{key} has non-finite values")
    if np.any(arrays["band_lo"] > arrays["band_hi"]):
        raise _bad(origin, "band_lo exceeds band_hi")
    return arrays


def decode_reference(data: bytes, origin: str = "reference") -> Reference:
    """Parse and validate ``.mtref`` bytes.

    Parameters
    ----------
    data : bytes
        The file's content.
    origin : str
        Where it came from, for error messages.

    Returns
    -------
    Reference
        The validated reference.

    Raises
    ------
    ReferenceFileError
        Too large, not a zip, wrong entries, bad JSON, unknown version, missing or
        malformed fields, arrays of the wrong shape or with non-finite values.
    """
    entries, meta = _read_meta(data, origin)
    profile = _profile(meta, origin)
    arrays = _checked_arrays(
        entries["arrays.npz"], len(profile.sensors), len(meta["regions"]), origin
    )
    force, calibration = meta["force"], meta["calibration"]
    smoothness = (calibration["smoothness_mean"], calibration["smoothness_sd"])
    if meta["version"] == _LEGACY_VERSION:
        try:
            smoothness = _legacy_smoothness(arrays["template"], meta["sample_rate_hz"])
        except (SignalError, ArithmeticError):
            # Forces no glove measures (1e200 N) overflow the jerk integral.
            why = "template forces out of range for a smoothness calibration"
            raise _bad(origin, why) from None
    try:
        return Reference(
            name=meta["name"],
            technique=meta["technique"],
            author=meta["author"],
            notes=meta["notes"],
            created=meta["created"],
            synthetic=meta["synthetic"],
            profile=profile,
            fs_hz=meta["sample_rate_hz"],
            duration_s=meta["duration_s"],
            peak_force_n=(force["peak_mean_n"], force["peak_sd_n"]),
            mean_force_n=force["mean_n"],
            shape_d90=calibration["shape_d90"],
            tam_p90=calibration["tam_p90"],
            smoothness_mean=smoothness[0],
            smoothness_sd=smoothness[1],
            weights=dict(meta["weights"]),
            n_strokes=meta["n_strokes"],
            performers=tuple(meta.get("performers", ())),
            strike_period_s=calibration.get("strike_period_s", 0.0),
            strike_jitter_mean=calibration.get("strike_jitter_mean", 0.0),
            strike_jitter_sd=calibration.get("strike_jitter_sd", 0.0),
            **arrays,
        )
    except ScoringError as err:
        raise _bad(origin, str(err)) from None


#: A version-1 file's smoothness is re-derived from its template: individual strokes are
#: rougher than their average by about this much log dimensionless jerk, with this spread
#: (references built from the simulator's takes measured -0.1 to 1.7, and 0.2-0.9).
#: Rebuilding from the takes gives the exact figures.
_LEGACY_JERK_ALLOWANCE = 1.0
_LEGACY_JERK_SD = 0.6


def _legacy_smoothness(template: np.ndarray, fs_hz: float) -> tuple[float, float]:
    """Smoothness calibration (LDLJ mean, sd) for a version-1 reference, from its template."""
    from trainer.scoring.measures import smoothness  # maths only for old files

    try:
        # An overflow raises (FloatingPointError, OverflowError), not a warning on stderr.
        with np.errstate(over="raise", invalid="raise"):
            total = template.sum(axis=1)
            ldlj = smoothness(total, fs_hz, float(total.max()))
    except ScoringError:
        return 0.0, _LEGACY_JERK_SD
    return ldlj - _LEGACY_JERK_ALLOWANCE, _LEGACY_JERK_SD


def _read_file(source: Path) -> bytes:
    """Read a reference file's bytes, refusing a missing or oversized one in one line."""
    if not source.is_file():
        raise ReferenceFileError(f"{source}: no such reference file")
    if source.stat().st_size > MAX_FILE_BYTES:
        raise _bad(str(source), f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")

    def read() -> bytes:
        with source.open("rb") as f:
            return f.read(MAX_FILE_BYTES + 1)

    return _read_limited(read, str(source))


def _read_limited(read: Callable[[], bytes], origin: str) -> bytes:
    try:
        return read()
    except OSError as err:
        raise ReferenceFileError(f"{origin}: cannot read ({err.strerror or err})") from None


def load_reference(source: str | os.PathLike[str] | Any, origin: str | None = None) -> Reference:
    """Load and validate a reference file (a path or an ``importlib`` resource).

    Parameters
    ----------
    source : path-like or importlib.resources.abc.Traversable
        The file.
    origin : str or None
        Label for error messages (default: the path).

    Returns
    -------
    Reference
        The validated reference.

    Raises
    ------
    ReferenceFileError
        Missing, too large, corrupt, or invalid in any field.
    """
    label = origin or str(source)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise ReferenceFileError(f"{path}: no such reference file")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise _bad(label, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")

        def read() -> bytes:
            with path.open("rb") as f:
                return f.read(MAX_FILE_BYTES + 1)

        return decode_reference(_read_limited(read, label), label)
    return decode_reference(_read_limited(source.read_bytes, label), label)


# The library (re-exported; imported on first use, since it imports this module).
__getattr__, __dir__ = attach(
    __name__, {"trainer.store.reference_library": ("LibraryEntry", "ReferenceLibrary")}
)
