"""Reading a pack and checking all of it, before an import touches anything.

Part of :mod:`trainer.store.packs` (see its docstring for the layout): entry names
(nothing outside the layout, so no path escapes), declared and inflated sizes,
compression ratios, ``pack.json`` against its schema (:mod:`trainer.store.pack_manifest`),
every reference and capture decoded, every hash checked. Any problem is one
:class:`~trainer.exceptions.StoreError` line, ``"<pack>: not a valid pack: <why>"``.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sensors.capture import read_capture
from sensors.exceptions import CaptureError
from trainer.exceptions import ReferenceFileError, StoreError
from trainer.ratings.model import Rating
from trainer.scoring.model import Reference, StrokeScore
from trainer.store.files import read_member, read_npy
from trainer.store.pack_manifest import MANIFEST, MAX_ATTEMPTS, MESSAGES, stroke_score
from trainer.store.records import content_hash
from trainer.store.references import MAX_FILE_BYTES, decode_reference, encode_reference
from trainer.store.session_fields import FeedbackRecord

__all__ = ["SessionEntry", "read_entries", "validate_pack"]

_MAX_PACK_BYTES = 2 << 30  # compressed file
# Uncompressed limits, by entry kind, fitted to what a pack holds: an hour's capture of a
# 1 kHz, 16-channel glove is 230 MB; a reference file is at most MAX_FILE_BYTES.
_MAX_ENTRY_BYTES = {
    "pack.json": 64 << 20,
    "references": MAX_FILE_BYTES,
    "capture.mtcap": 256 << 20,
    "paths.npz": 64 << 20,
}
_MAX_TOTAL_BYTES = 1 << 30  # uncompressed, all entries
# Zip bombs: deflate can reach ~1000:1; real entries are 1-10:1 (a reference's arrays
# are stored deflated inside it, so ~1:1). Larger entries must not exceed this ratio.
_MAX_RATIO = 200
_RATIO_FLOOR = 4 << 20  # entries smaller than this inflated are not ratio-checked
_MAX_PATH_ROWS = 1_000_000
_ENTRY = re.compile(
    r"pack\.json|references/[0-9a-f]{64}\.mtref|sessions/[0-9]{1,6}/(capture\.mtcap|paths\.npz)"
)


@dataclass(frozen=True, slots=True)
class SessionEntry:
    """One session of a pack, checked: its fields, capture, attempts, ratings, feedback."""

    meta: dict[str, Any]
    capture: bytes
    attempts: list[tuple[int, StrokeScore, dict[str, float | None]]]
    ratings: dict[int, list[Rating]] = field(default_factory=dict)  # by attempt index
    feedback: dict[int, FeedbackRecord] = field(default_factory=dict)  # by stroke index


def _fail(pack: Path, why: str) -> StoreError:
    return StoreError(f"{pack}: not a valid pack: {why}")


def _entry_limit(name: str) -> int:
    if name.startswith("references/"):
        return _MAX_ENTRY_BYTES["references"]
    return _MAX_ENTRY_BYTES[name.rsplit("/", 1)[-1]]


def read_entries(pack: Path) -> dict[str, bytes]:
    """Read a pack's entries: names, declared sizes and ratios checked before inflating.

    Everything is refused on what the central directory declares before a byte is
    inflated; entries are then inflated in bounded chunks, and one that inflates to
    more than it declared is refused as soon as it does (so a lying header costs at
    most one chunk more than the limits allow).
    """
    try:
        size = pack.stat().st_size
    except FileNotFoundError:
        raise StoreError(f"{pack}: no such file") from None
    except OSError as err:
        raise StoreError(f"{pack}: cannot read: {err}") from None
    if size > _MAX_PACK_BYTES:
        raise _fail(pack, f"larger than {_MAX_PACK_BYTES >> 30} GB")
    entries: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(pack) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            seen: set[str] = set()
            total = 0
            for info in infos:
                name = info.filename
                if not _ENTRY.fullmatch(name):
                    raise _fail(pack, f"unexpected entry {name[:80]!r}")
                if name in seen:
                    raise _fail(pack, f"duplicate entry {name!r}")
                seen.add(name)
                if info.flag_bits & 0x1:
                    raise _fail(pack, f"encrypted entry {name!r}")
                limit = _entry_limit(name)
                if info.file_size > limit:
                    raise _fail(pack, f"entry {name!r} is too large ({info.file_size} bytes)")
                if info.file_size > _RATIO_FLOOR and info.file_size > _MAX_RATIO * max(
                    info.compress_size, 1
                ):
                    raise _fail(pack, f"entry {name!r} is compressed suspiciously well")
                total += info.file_size
            if total > _MAX_TOTAL_BYTES:
                raise _fail(pack, f"contents too large ({total} bytes uncompressed)")
            for info in infos:
                entries[info.filename] = read_member(zf, info, _entry_limit(info.filename))
    except StoreError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, zlib.error) as err:
        raise _fail(pack, f"corrupt zip ({err})") from None
    except (RuntimeError, NotImplementedError) as err:  # unsupported compression etc.
        raise _fail(pack, f"unreadable zip ({err})") from None
    except OSError as err:
        raise StoreError(f"{pack}: cannot read: {err}") from None
    if "pack.json" not in entries:
        raise _fail(pack, "pack.json is missing")
    return entries


def _paths(data: bytes | None, where: str) -> dict[str, np.ndarray]:
    """Read a session's warping paths (``a<index>`` int arrays of shape (k, 2)).

    Read member by member, each ``.npy`` header checked against its data before
    anything is allocated (numpy's loader allocates whatever shape a header declares).
    """
    if data is None:
        return {}
    out = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ATTEMPTS:
                raise ValueError(f"{where}: too many path arrays")
            budget = _MAX_ENTRY_BYTES["paths.npz"]
            for info in infos:
                key = info.filename.removesuffix(".npy")
                if not re.fullmatch(r"a[0-9]{1,6}", key) or not info.filename.endswith(".npy"):
                    raise ValueError(f"{where}: unexpected array {info.filename[:40]!r}")
                if info.file_size > budget or info.flag_bits & 0x1:
                    raise ValueError(f"{where}: path {key} is too large")
                raw = read_member(zf, info, budget)
                budget -= len(raw)
                try:
                    arr = read_npy(raw)
                except ValueError as err:
                    raise ValueError(f"{where}: path {key} is unreadable ({err})") from None
                if arr.dtype.kind not in "iu" or arr.ndim != 2 or arr.shape[1] != 2:
                    raise ValueError(f"{where}: path {key} is not an integer (k, 2) array")
                if arr.shape[0] > _MAX_PATH_ROWS or (arr.size and arr.min() < 0):
                    raise ValueError(f"{where}: path {key} is out of range")
                out[key] = arr.astype(np.int64)
    except (OSError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error) as err:
        first = str(err).split(".")[0][:120]
        raise ValueError(f"{where}: unreadable paths ({first})") from None
    except (RuntimeError, NotImplementedError) as err:
        raise ValueError(f"{where}: unreadable paths ({str(err)[:120]})") from None
    return out


def validate_pack(pack: Path, entries: dict[str, bytes]) -> tuple[dict[str, Reference], list[Any]]:
    """Check ``pack.json``, every reference and every capture; return them decoded.

    Returns ``({content hash: Reference}, [SessionEntry])``, references keyed by the hash
    of the reference as this program writes it.
    """
    try:
        manifest = json.loads(entries["pack.json"])
        # A "\ud800" escape reads as a lone surrogate, which no UTF-8 text (the store's
        # database) can hold: refuse it here, not with a traceback on writing.
        json.dumps(manifest, ensure_ascii=False).encode("utf-8")
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise _fail(pack, f"pack.json is not JSON ({err})") from None
    except UnicodeEncodeError:
        raise _fail(pack, "pack.json holds text that is not valid Unicode") from None
    except RecursionError:
        raise _fail(pack, "pack.json is nested too deeply") from None
    except ValueError:  # e.g. an integer of more than 4300 digits
        raise _fail(pack, "pack.json holds a number too long to read") from None
    try:
        doc = MANIFEST.validate(manifest, MESSAGES)
        refs: dict[str, Reference] = {}
        canonical: dict[str, str] = {}
        for i, item in enumerate(doc["references"]):
            where = f"reference {i}"
            digest = item["hash"]
            data = entries.get(f"references/{digest}.mtref")
            if data is None:
                raise ValueError(f"{where}: its file is missing")
            if content_hash(data) != digest:
                raise ValueError(f"{where}: content does not match its hash")
            ref = decode_reference(data, f"{pack.name}: {where}")
            # Keyed as the store keys it: by the hash of the reference as this program
            # writes it (the same content may have been written with other formatting).
            canonical[digest] = content_hash(encode_reference(ref))
            refs[canonical[digest]] = ref
        sessions = []
        for i, (given, item) in enumerate(zip(manifest["sessions"], doc["sessions"], strict=True)):
            where = f"session {i}"
            n = item["entry"]
            capture = entries.get(f"sessions/{n}/capture.mtcap")
            if capture is None:
                raise ValueError(f"{where}: its capture is missing")
            meta = {**given, "user": item["user"]}
            ref_hash = given.get("reference_hash")
            if ref_hash is not None:
                if ref_hash not in canonical:
                    raise ValueError(f"{where}: its reference is not in the pack")
                meta["reference_hash"] = canonical[ref_hash]
            paths = _paths(entries.get(f"sessions/{n}/paths.npz"), where)
            attempts = [
                (a["index"], stroke_score(a, paths.get(f"a{a['index']}")), a["components"])
                for a in item["attempts"]
            ]
            sessions.append(
                SessionEntry(meta, capture, attempts, item["ratings"], item["feedback"])
            )
    except ReferenceFileError as err:
        raise _fail(pack, str(err)) from None
    except (ValueError, TypeError, OverflowError) as err:
        raise _fail(pack, str(err)) from None
    except RecursionError:
        raise _fail(pack, "nested too deeply") from None
    # Captures are validated by the same reader the rest of the program uses.
    with tempfile.TemporaryDirectory() as tmp:
        for i, entry in enumerate(sessions):
            probe = Path(tmp) / f"{i}.mtcap"
            probe.write_bytes(entry.capture)
            try:
                cap = read_capture(probe)
            except CaptureError as err:
                raise _fail(pack, f"session {i}: capture is corrupt ({err})") from None
            if cap.file_format != "mtcap" or cap.truncated:
                raise _fail(pack, f"session {i}: capture is truncated or not native")
    return refs, sessions
