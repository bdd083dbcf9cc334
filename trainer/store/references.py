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
                         "strike_jitter_sd"; "balance_start", "balance_middle",
                         "balance_end" unless the reference predates them},
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

``meta.json``'s fields and the schema that checks them are in
:mod:`trainer.store.reference_meta`. The library of references by name
(:class:`ReferenceLibrary`, :class:`LibraryEntry`) is in
:mod:`trainer.store.reference_library`; both names are re-exported here.

NumPy and the glove profiles (which import it) are imported by the functions that
decode or write a whole reference, not here: reading the metadata
(:func:`load_reference_meta`, what ``reference list`` and the technique registry do)
imports no NumPy, so those start fast (``tests/trainer/test_startup.py`` checks it).
"""

from __future__ import annotations

import io
import json
import os
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sensors._schema import Messages, validate
from sensors.exceptions import ProfileError
from trainer._lazy import attach
from trainer.exceptions import ReferenceFileError, ScoringError, SignalError
from trainer.scoring.model import Reference, region_names
from trainer.scoring.techniques import check_technique_name
from trainer.store.files import deterministic_zip, read_member, read_npy, write_atomic
from trainer.store.reference_meta import (
    BALANCE_KEYS,
    FORMAT,
    LEGACY_VERSION,
    MESSAGES,
    META,
    NAME,
    VERSION,
    meta_of,
)

if TYPE_CHECKING:
    import numpy as np

    from sensors.profiles import GloveProfile
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
    "load_reference_meta",
    "save_reference",
]

REFERENCE_SUFFIX = ".mtref"
#: In the user's reference folder: the bundled starters the user hid.
HIDDEN_FILE = "hidden.json"
MAX_FILE_BYTES = 20 * 1024 * 1024
_MAX_ENTRY_BYTES = 50 * 1024 * 1024  # uncompressed, per entry: guards against zip bombs
_MAX_LENGTH = 100_000  # template samples (over 8 minutes at 200 Hz)
_ENTRIES = ("arrays.npz", "meta.json")
_ARRAYS = ("band_hi", "band_lo", "share_mean", "share_sd", "template")


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
    if not isinstance(name, str) or not NAME.fullmatch(name) or ".." in name:
        raise ReferenceFileError(
            f"invalid reference name {name!r}: use 1-64 letters, digits, '.', '_' or '-'"
        )
    return name


# -- writing ---------------------------------------------------------------------------


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
    import numpy as np

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
    meta = json.dumps(meta_of(ref), indent=1, sort_keys=True, allow_nan=False) + "\n"
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


def _arrays(data: bytes, origin: str) -> dict[str, np.ndarray]:
    import numpy as np

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
    messages = Messages(MESSAGES, lambda message, path: _bad(origin, message))
    return entries, validate(META, meta, messages)


def _profile(meta: dict[str, Any], origin: str) -> GloveProfile:
    """Return the reference's glove profile, whose regions must be the file's."""
    from sensors.profiles import GloveProfile

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
    import numpy as np

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
    if meta["version"] == LEGACY_VERSION:
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
            balance_rms=tuple(calibration.get(key, 0.0) for key in BALANCE_KEYS),
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
    import numpy as np

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


def _read_source(source: str | os.PathLike[str] | Any, label: str) -> bytes:
    """Read a reference file's bytes (a path or an ``importlib`` resource), size-checked."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise ReferenceFileError(f"{path}: no such reference file")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise _bad(label, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")

        def read() -> bytes:
            with path.open("rb") as f:
                return f.read(MAX_FILE_BYTES + 1)

        return _read_limited(read, label)
    return _read_limited(source.read_bytes, label)


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
    return decode_reference(_read_source(source, label), label)


def load_reference_meta(
    source: str | os.PathLike[str] | Any, origin: str | None = None
) -> dict[str, Any]:
    """Read a reference file's metadata only: its arrays are not decoded.

    What :func:`load_reference` checks first is checked here too: the file's size, the
    archive's entries and their sizes, ``meta.json``'s keys and types (the name and the
    technique follow their rules). The glove profile and the arrays are not: a file
    that passes here may still fail :func:`load_reference`, which is where a damaged
    reference is reported.

    Parameters
    ----------
    source : path-like or importlib.resources.abc.Traversable
        The file.
    origin : str or None
        Label for error messages (default: the path).

    Returns
    -------
    dict
        The checked ``meta.json`` fields (``technique`` normalised).

    Raises
    ------
    ReferenceFileError
        Missing, too large, not a reference archive, or invalid metadata.
    """
    label = origin or str(source)
    return _read_meta(_read_source(source, label), label)[1]


# The library (re-exported; imported on first use, since it imports this module).
__getattr__, __dir__ = attach(
    __name__, {"trainer.store.reference_library": ("LibraryEntry", "ReferenceLibrary")}
)
