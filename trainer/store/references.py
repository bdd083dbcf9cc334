"""Reference files (``.mtref``) and the reference library (bundled + the user's).

A reference file is a zip archive with exactly two entries:

``meta.json``
    ``{"format": "massage-trainer-reference", "version": 1, "name", "technique", "author",
    "created", "notes", "profile": {...glove profile...}, "sample_rate_hz", "duration_s":
    [min, mean, max], "shape_d90", "smoothness_mean", "smoothness_sd", "weights": {...},
    "n_strokes"}``
``arrays.npz``
    ``template`` ``(L, c)``, ``band_lo``/``band_hi`` ``(L,)``, ``channel_lo``/``channel_hi``
    ``(L, c)``, float64, loaded with ``allow_pickle=False``.

Everything is validated on load (sizes before reading, entry names, JSON schema, shapes,
finiteness); any problem is a one-line :class:`~trainer.exceptions.ReferenceFileError`.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from reference_strokes import bundled_reference_files
from sensors.exceptions import ProfileError
from sensors.profiles import GloveProfile
from trainer.exceptions import ReferenceFileError
from trainer.scoring.model import COMPONENTS, Reference
from trainer.store.paths import data_home

__all__ = [
    "FORMAT",
    "REFERENCE_SUFFIX",
    "ReferenceLibrary",
    "load_reference",
    "save_reference",
]

FORMAT = "massage-trainer-reference"
VERSION = 1
REFERENCE_SUFFIX = ".mtref"
_ENTRIES = {"meta.json", "arrays.npz"}
_MAX_FILE_BYTES = 20 * 1024 * 1024
_MAX_ENTRY_BYTES = 50 * 1024 * 1024  # uncompressed: guards against zip bombs
_MAX_LENGTH = 100_000
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$")
_ARRAYS = ("template", "band_lo", "band_hi", "channel_lo", "channel_hi")


def _meta(ref: Reference) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "name": ref.name,
        "technique": ref.technique,
        "author": ref.author,
        "created": ref.created,
        "notes": ref.notes,
        "profile": ref.profile.to_dict(),
        "sample_rate_hz": ref.fs_hz,
        "duration_s": list(ref.duration_s),
        "shape_d90": ref.shape_d90,
        "smoothness_mean": ref.smoothness_mean,
        "smoothness_sd": ref.smoothness_sd,
        "weights": ref.weights,
        "n_strokes": ref.n_strokes,
    }


def save_reference(
    ref: Reference, path: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write a reference file atomically (temporary file, then rename).

    Raises
    ------
    ReferenceFileError
        If the name is invalid or the file exists and ``overwrite`` is false.
    """
    if not _NAME.match(ref.name):
        raise ReferenceFileError(
            f"invalid reference name {ref.name!r}: letters, digits, space, '.', '_', '-' (max 64)"
        )
    target = Path(path)
    if target.exists() and not overwrite:
        raise ReferenceFileError(f"{target} exists (use another name or overwrite)")
    arrays = io.BytesIO()
    np.savez(arrays, **{name: getattr(ref, name) for name in _ARRAYS})
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
            # Fixed timestamps: the same reference gives the same bytes.
            for name, data in (
                ("meta.json", json.dumps(_meta(ref), indent=1, sort_keys=True).encode()),
                ("arrays.npz", arrays.getvalue()),
            ):
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _bad(origin: str, why: str) -> ReferenceFileError:
    return ReferenceFileError(f"{origin}: not a valid reference file ({why})")


def _number(meta: dict[str, Any], key: str, origin: str, *, positive: bool = False) -> float:
    value = meta.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _bad(origin, f"{key} must be a finite number")
    if positive and value <= 0:
        raise _bad(origin, f"{key} must be > 0")
    return float(value)


def _text(meta: dict[str, Any], key: str, origin: str) -> str:
    value = meta.get(key, "")
    if not isinstance(value, str):
        raise _bad(origin, f"{key} must be a string")
    return value


def _read_bytes(source: Any, origin: str) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(source) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if names != _ENTRIES or len(infos) != len(_ENTRIES):
                raise _bad(origin, f"entries must be exactly {sorted(_ENTRIES)}")
            if any(i.file_size > _MAX_ENTRY_BYTES for i in infos):
                raise _bad(origin, "an entry is too large")
            return {i.filename: zf.read(i) for i in infos}
    except ReferenceFileError:
        raise
    except (
        zipfile.BadZipFile,
        OSError,
        EOFError,
        ValueError,
        RuntimeError,
        NotImplementedError,
    ) as err:
        raise _bad(origin, f"unreadable archive: {err}") from None


def _decode(entries: dict[str, bytes], origin: str) -> Reference:
    try:
        meta = json.loads(entries["meta.json"].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _bad(origin, "meta.json is not UTF-8 JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise _bad(origin, "wrong format marker")
    if meta.get("version") != VERSION:
        raise _bad(origin, f"unsupported version {meta.get('version')!r} (this reads {VERSION})")
    name = _text(meta, "name", origin)
    if not _NAME.match(name):
        raise _bad(origin, f"invalid name {name!r}")
    try:
        profile = GloveProfile.from_dict(meta.get("profile"), f"{origin} profile")
    except ProfileError as err:
        raise _bad(origin, str(err)) from None
    weights = meta.get("weights")
    if (
        not isinstance(weights, dict)
        or set(weights) != set(COMPONENTS)
        or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and v >= 0
            for v in weights.values()
        )
        or sum(weights.values()) <= 0
    ):
        raise _bad(origin, f"weights must give non-negative numbers for {', '.join(COMPONENTS)}")
    duration = meta.get("duration_s")
    if (
        not isinstance(duration, list)
        or len(duration) != 3
        or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and 0 < v < 1e4 for v in duration
        )
        or not duration[0] <= duration[1] <= duration[2]
    ):
        raise _bad(origin, "duration_s must be [min, mean, max] seconds")
    try:
        with np.load(io.BytesIO(entries["arrays.npz"]), allow_pickle=False) as npz:
            if set(npz.files) != set(_ARRAYS):
                raise _bad(origin, f"arrays must be exactly {list(_ARRAYS)}")
            arrays = {k: np.asarray(npz[k], dtype=np.float64) for k in _ARRAYS}
    except ReferenceFileError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as err:
        raise _bad(origin, f"arrays.npz unreadable: {err}") from None
    channels = len(profile.sensors)
    length = arrays["template"].shape[0] if arrays["template"].ndim == 2 else -1
    expected = {
        "template": (length, channels),
        "band_lo": (length,),
        "band_hi": (length,),
        "channel_lo": (length, channels),
        "channel_hi": (length, channels),
    }
    if not 3 <= length <= _MAX_LENGTH:
        raise _bad(origin, "template must be (L, channels) with 3 <= L")
    for key, shape in expected.items():
        if arrays[key].shape != shape:
            raise _bad(origin, f"{key} has shape {arrays[key].shape}, expected {shape}")
        if not np.all(np.isfinite(arrays[key])):
            raise _bad(origin, f"{key} has non-finite values")
    if np.any(arrays["band_lo"] > arrays["band_hi"]):
        raise _bad(origin, "band_lo exceeds band_hi")
    return Reference(
        name=name,
        technique=_text(meta, "technique", origin) or "unknown",
        author=_text(meta, "author", origin),
        notes=_text(meta, "notes", origin),
        created=_text(meta, "created", origin),
        profile=profile,
        fs_hz=_number(meta, "sample_rate_hz", origin, positive=True),
        duration_s=(float(duration[0]), float(duration[1]), float(duration[2])),
        shape_d90=_number(meta, "shape_d90", origin, positive=True),
        smoothness_mean=_number(meta, "smoothness_mean", origin),
        smoothness_sd=_number(meta, "smoothness_sd", origin),
        weights={k: float(weights[k]) for k in COMPONENTS},
        n_strokes=int(_number(meta, "n_strokes", origin)),
        **arrays,
    )


def load_reference(source: str | os.PathLike[str] | Any, origin: str | None = None) -> Reference:
    """Load and validate a reference file (a path or an ``importlib`` resource).

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
        if path.stat().st_size > _MAX_FILE_BYTES:
            raise _bad(label, "file too large")
        with path.open("rb") as f:
            return _decode(_read_bytes(f, label), label)
    data = source.read_bytes()
    if len(data) > _MAX_FILE_BYTES:
        raise _bad(label, "file too large")
    return _decode(_read_bytes(io.BytesIO(data), label), label)


class ReferenceLibrary:
    """Bundled starter references plus the user's, by name.

    User references live in ``<data home>/references/NAME.mtref`` and shadow bundled
    ones of the same name.
    """

    def __init__(self, user_dir: Path | None = None) -> None:
        self.user_dir = user_dir or data_home() / "references"

    def _user_files(self) -> dict[str, Path]:
        if not self.user_dir.is_dir():
            return {}
        return {p.stem: p for p in sorted(self.user_dir.glob(f"*{REFERENCE_SUFFIX}"))}

    def names(self) -> list[str]:
        """All reference names, sorted."""
        bundled = {Path(r.name).stem for r in bundled_reference_files()}
        return sorted(bundled | set(self._user_files()))

    def entries(self) -> list[tuple[Reference, str]]:
        """Every loadable reference with its origin (``"bundled"`` or ``"user"``)."""
        return [(self.get(n), self.origin(n)) for n in self.names()]

    def origin(self, name: str) -> str:
        """``"user"`` or ``"bundled"``."""
        return "user" if name in self._user_files() else "bundled"

    def get(self, name_or_path: str) -> Reference:
        """Load a reference by name, or from a file path.

        Raises
        ------
        ReferenceFileError
            Unknown name (lists the known ones) or invalid file.
        """
        user = self._user_files()
        if name_or_path in user:
            return load_reference(user[name_or_path])
        for resource in bundled_reference_files():
            if Path(resource.name).stem == name_or_path:
                return load_reference(resource, f"bundled reference {name_or_path!r}")
        if name_or_path.endswith(REFERENCE_SUFFIX) or Path(name_or_path).is_file():
            return load_reference(name_or_path)
        known = ", ".join(self.names()) or "none"
        raise ReferenceFileError(f"unknown reference {name_or_path!r} (known: {known})")

    def add(self, ref: Reference, *, overwrite: bool = False) -> Path:
        """Save a reference into the user library under its name."""
        return save_reference(
            ref, self.user_dir / f"{ref.name}{REFERENCE_SUFFIX}", overwrite=overwrite
        )

    def import_file(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Reference:
        """Validate a reference file and copy it into the user library."""
        ref = load_reference(path)
        target = self.user_dir / f"{ref.name}{REFERENCE_SUFFIX}"
        if target.exists() and not overwrite:
            raise ReferenceFileError(f"a reference named {ref.name!r} already exists")
        self.user_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        return ref

    def export(self, name: str, out: str | os.PathLike[str]) -> Path:
        """Write the named reference to ``out``."""
        return save_reference(self.get(name), out)
