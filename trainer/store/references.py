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
import math
import os
import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sensors.exceptions import ProfileError
from sensors.profiles import GloveProfile
from trainer._lazy import attach
from trainer.exceptions import ReferenceFileError, ScoringError
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
_META_KEYS = frozenset(
    {
        "format",
        "version",
        "name",
        "technique",
        "author",
        "created",
        "notes",
        "synthetic",
        "profile",
        "sample_rate_hz",
        "regions",
        "duration_s",
        "force",
        "calibration",
        "weights",
        "n_strokes",
        "performers",
    }
)
_FORCE_KEYS = ("mean_n", "peak_mean_n", "peak_sd_n")
_CALIBRATION_KEYS = ("shape_d90", "smoothness_mean", "smoothness_sd", "tam_p90")
#: Written only for percussion (a sweep's file is as before).
_CALIBRATION_OPTIONAL = ("strike_jitter_mean", "strike_jitter_sd", "strike_period_s")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


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


def _number(
    data: dict[str, Any], key: str, origin: str, *, positive: bool = False, where: str = ""
) -> float:
    value = data.get(key)
    label = f"{where}{key}"
    if isinstance(value, bool) or not isinstance(value, int | float) or not _finite(value):
        raise _bad(origin, f"{label} must be a finite number")
    if positive and value <= 0:
        raise _bad(origin, f"{label} must be > 0")
    return float(value)


def _finite(value: float) -> bool:
    """Whether a JSON number is finite as a float (an integer beyond the float range is not)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _text(meta: dict[str, Any], key: str, origin: str, *, limit: int = 10_000) -> str:
    value = meta.get(key)
    if not isinstance(value, str) or len(value) > limit:
        raise _bad(origin, f"{key} must be a string of at most {limit} characters")
    return value


def _section(
    meta: dict[str, Any],
    key: str,
    keys: tuple[str, ...],
    origin: str,
    optional: tuple[str, ...] = (),
) -> dict:
    value = meta.get(key)
    if (
        not isinstance(value, dict)
        or not set(keys) <= set(value)
        or not set(value) <= set(keys + optional)
    ):
        also = f" (and may have {', '.join(optional)})" if optional else ""
        raise _bad(origin, f"{key} must have exactly {', '.join(keys)}{also}")
    return value


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


def _read_meta(data: bytes, origin: str) -> tuple[dict[str, bytes], dict[str, Any], int]:
    """Return the archive's entries, its metadata and version, with every key checked."""
    if len(data) > MAX_FILE_BYTES:
        raise _bad(origin, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    entries = _entries(data, _ENTRIES, origin, "archive")
    try:
        meta = json.loads(entries["meta.json"].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _bad(origin, "meta.json is not UTF-8 JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise _bad(origin, "wrong format marker")
    version = meta.get("version")
    if version not in (VERSION, _LEGACY_VERSION) or isinstance(version, bool):
        raise _bad(origin, f"unsupported version {version!r} (this reads 1 and {VERSION})")
    expected = _META_KEYS if version == VERSION else _META_KEYS - {"performers"}
    unknown = sorted(set(meta) - expected)
    missing = sorted(expected - set(meta))
    if unknown or missing:
        raise _bad(origin, f"unknown key {unknown[0]!r}" if unknown else f"missing {missing[0]!r}")
    return entries, meta, int(version)


def _profile(meta: dict[str, Any], origin: str) -> GloveProfile:
    """Return the reference's glove profile, whose regions must be the file's."""
    try:
        profile = GloveProfile.from_dict(meta["profile"], f"{origin} profile")
    except ProfileError as err:
        raise _bad(origin, str(err)) from None
    except (TypeError, AttributeError, KeyError, OverflowError):
        raise _bad(origin, "profile must be a glove profile object") from None
    if meta["regions"] != list(region_names(profile)):
        raise _bad(origin, "regions do not match the glove profile's")
    return profile


def _duration(meta: dict[str, Any], origin: str) -> tuple[float, float, float]:
    duration = meta["duration_s"]
    if (
        not isinstance(duration, list)
        or len(duration) != 3
        or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and 0 < v < 1e4 for v in duration
        )
        or not duration[0] <= duration[1] <= duration[2]
    ):
        raise _bad(origin, "duration_s must be [min, mean, max] seconds")
    return float(duration[0]), float(duration[1]), float(duration[2])


def _weights(meta: dict[str, Any], origin: str) -> dict[str, Any]:
    weights = meta["weights"]
    if not isinstance(weights, dict) or not set(COMPONENTS) <= set(weights):
        raise _bad(origin, f"weights must give {', '.join(COMPONENTS)} (and may give more)")
    for key in weights:
        if _number(weights, key, origin, where="weights.") < 0:
            raise _bad(origin, f"weights.{key} must be >= 0")
    return weights


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


def _performers(meta: dict[str, Any], origin: str) -> list[str]:
    performers = meta.get("performers", [])
    if (
        not isinstance(performers, list)
        or len(performers) > 1000
        or not all(isinstance(p, str) and 0 < len(p) <= 200 for p in performers)
    ):
        raise _bad(origin, "performers must be a list of names")
    return performers


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
    entries, meta, version = _read_meta(data, origin)
    name = _text(meta, "name", origin)
    if not _NAME.fullmatch(name) or ".." in name:
        raise _bad(origin, f"invalid name {name!r}")
    if not isinstance(meta["synthetic"], bool):
        raise _bad(origin, "synthetic must be true or false")
    profile = _profile(meta, origin)
    duration = _duration(meta, origin)
    force = _section(meta, "force", _FORCE_KEYS, origin)
    calibration = _section(
        meta, "calibration", _CALIBRATION_KEYS, origin, optional=_CALIBRATION_OPTIONAL
    )
    weights = _weights(meta, origin)
    n_strokes = meta["n_strokes"]
    if isinstance(n_strokes, bool) or not isinstance(n_strokes, int) or n_strokes < 0:
        raise _bad(origin, "n_strokes must be an integer >= 0")
    arrays = _checked_arrays(
        entries["arrays.npz"], len(profile.sensors), len(meta["regions"]), origin
    )
    template = arrays["template"]
    try:
        technique = check_technique_name(_text(meta, "technique", origin, limit=64) or "unknown")
    except ScoringError as err:
        raise _bad(origin, str(err)) from None
    performers = _performers(meta, origin)
    strike = {
        key: _number(calibration, key, origin, where="calibration.") if key in calibration else 0.0
        for key in _CALIBRATION_OPTIONAL
    }
    smoothness = (
        _number(calibration, "smoothness_mean", origin, where="calibration."),
        _number(calibration, "smoothness_sd", origin, where="calibration."),
    )
    if version == _LEGACY_VERSION:
        smoothness = _legacy_smoothness(
            template, _number(meta, "sample_rate_hz", origin, positive=True)
        )
    try:
        return Reference(
            name=name,
            technique=technique,
            author=_text(meta, "author", origin, limit=200),
            notes=_text(meta, "notes", origin),
            created=_text(meta, "created", origin, limit=40),
            synthetic=meta["synthetic"],
            profile=profile,
            fs_hz=_number(meta, "sample_rate_hz", origin, positive=True),
            duration_s=duration,
            peak_force_n=(
                _number(force, "peak_mean_n", origin, where="force."),
                _number(force, "peak_sd_n", origin, where="force."),
            ),
            mean_force_n=_number(force, "mean_n", origin, where="force."),
            shape_d90=_number(
                calibration, "shape_d90", origin, positive=True, where="calibration."
            ),
            tam_p90=_number(calibration, "tam_p90", origin, positive=True, where="calibration."),
            smoothness_mean=smoothness[0],
            smoothness_sd=smoothness[1],
            weights=dict(weights),  # built-ins, and any other component's (kept as given)
            n_strokes=n_strokes,
            performers=tuple(performers),
            strike_period_s=strike["strike_period_s"],
            strike_jitter_mean=strike["strike_jitter_mean"],
            strike_jitter_sd=strike["strike_jitter_sd"],
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

    total = template.sum(axis=1)
    try:
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
