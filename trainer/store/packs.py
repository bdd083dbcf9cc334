"""Packs: references and practice sessions shared as one file (``.mtpack``).

A pack is a zip holding ``pack.json`` (format, version, what it carries) and, by
content, ``references/<sha256>.mtref`` (reference files, see
:mod:`trainer.store.references`), ``sessions/<n>/capture.mtcap`` (the session's raw
capture) and ``sessions/<n>/paths.npz`` (the attempts' warping paths, ``a<index>``
arrays, no pickle). Attempts' scores and deductions are JSON in ``pack.json``, the
component scores as ``components`` (``{name: 0-100 or null}``, any names; a pack
written before that key existed gives them as the fixed keys shape, pressure, tempo
and smoothness, which are still written too). An attempt with instructors' ratings carries
them as ``ratings`` (``[{rater, rating, tags, note, created_at}]``); importing a pack
whose session is already in the store adds the ratings it lacks. A session carries what
each stroke showed the student as ``feedback`` (``[{index, cues, card, requested, reason,
mode}]``, the ``attempt_feedback`` rows, schema 7); a pack written before that key
existed imports with none, and a session already in the store gets the records it lacks.

Each session carries its person: ``user`` (the name), ``role`` and ``user_uid`` (the
person's random identity, :mod:`trainer.store.people`; packs from before people had
one carry none). Importing files a session under the person here of the same identity;
another person of the same name is kept apart as ``"Name (2)"`` unless the import is
asked to merge them (``same_name="merge"``). A name is never used as a path.

Import validates everything before it touches anything: entry names (nothing outside
the layout above, so no path escapes), sizes, the JSON schema, every reference and
capture decoded, every hash checked. It then writes the captures, the references and
the database rows, the rows in one transaction; a failure removes the files it wrote,
so a pack is imported whole or not at all.

``pack.json``'s schema and the wording of its problems are in
:mod:`trainer.store.pack_manifest`.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import tempfile
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from sensors.capture import read_capture
from sensors.exceptions import CaptureError
from trainer import __version__
from trainer.exceptions import ReferenceFileError, StoreError
from trainer.ratings.model import Rating
from trainer.scoring.model import Reference, StrokeScore
from trainer.store.database import IMPORTING_SUFFIX, Store, content_hash
from trainer.store.files import deterministic_zip, read_member, read_npy, write_atomic
from trainer.store.pack_manifest import (
    MANIFEST,
    MAX_ATTEMPTS,
    MESSAGES,
    PACK_FORMAT,
    PACK_VERSION,
    stroke_score,
)
from trainer.store.progress import FeedbackRecord
from trainer.store.recovery import ImportClaim
from trainer.store.references import (
    MAX_FILE_BYTES,
    REFERENCE_SUFFIX,
    ReferenceLibrary,
    decode_reference,
    encode_reference,
)
from trainer.store.sessions import new_capture_path

__all__ = ["PACK_FORMAT", "PACK_SUFFIX", "PACK_VERSION", "export_pack", "import_pack"]

PACK_SUFFIX = ".mtpack"

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
class _SessionEntry:
    meta: dict[str, Any]
    capture: bytes
    attempts: list[tuple[int, StrokeScore, dict[str, float | None]]]
    ratings: dict[int, list[Rating]] = field(default_factory=dict)  # by attempt index
    feedback: dict[int, FeedbackRecord] = field(default_factory=dict)  # by stroke index


def export_pack(
    out: Path,
    *,
    store: Store | None = None,
    references: Sequence[str] = (),
    sessions: Sequence[int] = (),
    overwrite: bool = False,
    library: ReferenceLibrary | None = None,
) -> dict[str, list[Any]]:
    """Write a pack of references (by library name) and sessions (by id).

    A session carries the reference it was scored against (the stored copy).

    Parameters
    ----------
    out : pathlib.Path
        Pack to write (atomically: a temporary file renamed into place).
    store : Store or None
        The session store (needed only to export sessions).
    references : sequence of str
        Reference names from the library.
    sessions : sequence of int
        Session ids.
    overwrite : bool
        Replace ``out`` if it exists.
    library : ReferenceLibrary or None
        Where names are looked up (default: the user's library).

    Returns
    -------
    dict
        ``{"references": [names], "sessions": [ids]}``.

    Raises
    ------
    StoreError
        Unknown reference or session, unreadable capture, ``out`` exists.
    """
    out = Path(out)
    if sessions and store is None:
        raise StoreError("exporting sessions needs the session store")
    if out.exists() and not overwrite:
        raise StoreError(f"{out}: file exists (use --overwrite)")
    lib = library or ReferenceLibrary()
    refs: dict[str, Reference] = {}
    for name in references:
        try:
            ref = lib.get(name)
        except ReferenceFileError as err:
            raise StoreError(str(err)) from None
        refs[content_hash(encode_reference(ref))] = ref
    manifest: dict[str, Any] = {
        "format": PACK_FORMAT,
        "version": PACK_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "app_version": __version__,
        "references": [],
        "sessions": [],
    }
    files: dict[str, bytes] = {}
    for n, sid in enumerate(dict.fromkeys(sessions)):
        assert store is not None  # checked above
        session = store.session(sid)
        person = store.person(session.user)
        try:
            capture = session.capture.read_bytes()
        except OSError as err:
            raise StoreError(f"session {sid}: cannot read its capture: {err}") from None
        ref_hash = session.reference_hash
        if ref_hash and ref_hash not in refs:
            refs[ref_hash] = store.reference(ref_hash)
        attempts = store.attempts(sid)
        rated = _ratings_of(store, [a.id for a in attempts])
        paths = {f"a{a.index}": a.score.path for a in attempts if a.score.path is not None}
        buf = io.BytesIO()
        arrays = {k: np.asarray(v, dtype="<i4") for k, v in paths.items()}
        # allow_pickle is numpy's default, spelled out so the stubs don't match **arrays to it.
        np.savez(buf, allow_pickle=True, **arrays)
        files[f"sessions/{n}/capture.mtcap"] = capture
        files[f"sessions/{n}/paths.npz"] = buf.getvalue()
        manifest["sessions"].append(
            {
                "entry": n,
                "user": session.user,
                "role": session.role,
                "user_uid": person.uid,
                "started_at": session.started_at.isoformat(),
                "ended_at": None if session.ended_at is None else session.ended_at.isoformat(),
                "glove": session.glove,
                "source": session.source,
                "technique": session.technique,
                "reference": session.reference_name,
                "reference_hash": ref_hash,
                "feedback_mode": session.feedback_mode,
                "kind": session.kind,
                "surface": session.surface,
                "state": session.state,
                "samples": session.samples,
                "duration_s": session.duration_s,
                "feedback": [
                    {"index": i, **dataclasses.asdict(r)}
                    for i, r in store.feedback_records(sid).items()
                ],
                "attempts": [
                    {"index": a.index, **a.score.to_dict(), "components": dict(a.components)}
                    | ({"ratings": rated[a.id]} if a.id in rated else {})
                    for a in attempts
                ],
            }
        )
    for digest, ref in refs.items():
        data = encode_reference(ref)
        files[f"references/{digest}.mtref"] = data
        manifest["references"].append({"name": ref.name, "hash": digest})
    files["pack.json"] = json.dumps(manifest, indent=1, sort_keys=True).encode()
    write_atomic(out, deterministic_zip(files))
    return {
        "references": [r.name for r in refs.values()],
        "sessions": list(dict.fromkeys(sessions)),
    }


# -- import ------------------------------------------------------------------------------


def _fail(pack: Path, why: str) -> StoreError:
    return StoreError(f"{pack}: not a valid pack: {why}")


def _entry_limit(name: str) -> int:
    if name.startswith("references/"):
        return _MAX_ENTRY_BYTES["references"]
    return _MAX_ENTRY_BYTES[name.rsplit("/", 1)[-1]]


def _read_entries(pack: Path) -> dict[str, bytes]:
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


def _validate(pack: Path, entries: dict[str, bytes]) -> tuple[dict[str, Reference], list[Any]]:
    try:
        manifest = json.loads(entries["pack.json"])
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise _fail(pack, f"pack.json is not JSON ({err})") from None
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
                _SessionEntry(meta, capture, attempts, item["ratings"], item["feedback"])
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


def import_pack(
    pack: Path,
    *,
    store: Store,
    overwrite: bool = False,
    library: ReferenceLibrary | None = None,
    same_name: str = "apart",
) -> dict[str, Any]:
    """Import a pack: all of it or, on any problem, nothing.

    Parameters
    ----------
    pack : pathlib.Path
        The pack file.
    store : Store
        Where sessions go.
    overwrite : bool
        Replace library references of the same name but other content (else refused).
    library : ReferenceLibrary or None
        Where references go (default: the user's library).
    same_name : {"apart", "merge"}
        A session's person whose name is someone else's here (another identity):
        kept apart as ``"Name (2)"`` (the safe default) or merged into the person here
        (:meth:`Store.import_sessions <trainer.store.database.Store.import_sessions>`).

    Returns
    -------
    dict
        ``{"references": [names added or already present], "sessions": [new ids],
        "skipped": sessions already in the store, "present": [names of references
        already in the library with the same content], "people": [names here of the
        imported sessions' people], "placed": {pack's name: name here} for each person
        filed under another name (apart) or into someone of the same name (merge)}``.

    Raises
    ------
    StoreError
        The pack fails validation (one line saying what), or a reference of the same
        name and other content exists without ``overwrite``.
    """
    pack = Path(pack)
    entries = _read_entries(pack)
    refs, sessions = _validate(pack, entries)
    if same_name not in ("apart", "merge"):
        raise StoreError(f"unknown same-name policy {same_name!r}; known: apart, merge")
    lib = library or ReferenceLibrary()
    to_add: list[Reference] = []
    present: list[str] = []  # same name, same content: nothing to add
    for ref in refs.values():
        try:
            existing = lib.get(ref.name)
        except ReferenceFileError:
            to_add.append(ref)
            continue
        if encode_reference(existing) == encode_reference(ref):
            present.append(ref.name)
            continue  # already there
        if not overwrite:
            raise StoreError(
                f"{pack}: reference {ref.name!r} exists with other content "
                "(use --overwrite to replace it)"
            )
        to_add.append(ref)
    # Captures are written as "<name>.importing" and renamed once their rows are
    # committed; a killed import is settled by the next Store (recovery.settle_imports).
    # The owner record keeps another program opening the store meanwhile from taking
    # this running import's files for a dead one's.
    written: list[Path] = []
    added_refs: list[tuple[Path, bytes | None]] = []
    ids: list[int | None] | None = None  # set once the rows are committed
    placed: dict[str, str] = {}
    try:
        claim = ImportClaim(store.home)
    except OSError as err:
        raise StoreError(f"{pack}: cannot import into {store.home}: {err}") from None
    try:
        captures = []
        for entry in sessions:
            started = datetime.fromisoformat(entry.meta["started_at"])
            path = new_capture_path(store.home, entry.meta["technique"], started)
            partial = claim.claim(_importing(path))
            with open(partial, "xb") as f:
                written.append(partial)
                f.write(entry.capture)
                f.flush()
                os.fsync(f.fileno())
            captures.append(path)
        for ref in to_add:
            added_refs.append(_add_reference(lib, ref))

        def files_still_there() -> None:
            # Never commit rows whose captures are gone (removed by another program).
            for partial, entry in zip(written, sessions, strict=True):
                try:
                    size = partial.stat().st_size
                except OSError:
                    size = -1
                if size != len(entry.capture):
                    raise StoreError(
                        f"{pack}: {partial.name} vanished or changed during the import; "
                        "nothing was imported (import the pack again)"
                    )

        ids = store.import_sessions(
            [(e.meta, path, e.attempts) for e, path in zip(sessions, captures, strict=True)],
            list(refs.values()),
            ratings=[e.ratings for e in sessions],
            check=files_still_there,
            same_name=same_name,
            placed=placed,
            feedback=[e.feedback for e in sessions],
        )
        for path, sid in zip(captures, ids, strict=True):
            if sid is None:  # already in the store: its copy of the capture is not needed
                _importing(path).unlink(missing_ok=True)
            else:
                _importing(path).replace(path)
    except BaseException as err:
        if ids is not None:
            # Committed, but a rename failed: the rows stay, and the next store renames
            # what is left (this import no longer claims its files).
            claim.release()
            if isinstance(err, OSError):
                raise StoreError(f"{pack}: imported, but finishing failed: {err}") from None
            raise
        for path in written:
            path.unlink(missing_ok=True)
        for target, previous in added_refs:
            if previous is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(previous)
        claim.release()
        if isinstance(err, OSError):
            raise StoreError(f"{pack}: cannot import: {err}") from None
        raise
    claim.release()
    assert ids is not None
    new = [i for i in ids if i is not None]
    return {
        "references": [r.name for r in refs.values()],
        "sessions": new,
        "skipped": sum(i is None for i in ids),
        "present": present,
        "people": sorted({store.session(i).user for i in new}),
        "placed": placed,
    }


def _ratings_of(store: Store, attempt_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each attempt's ratings as pack JSON (``{attempt id: [rating dicts]}``)."""
    out: dict[int, list[dict[str, Any]]] = {}
    for r in store.ratings(attempt_ids=attempt_ids):
        item = r.to_dict()
        del item["attempt"]
        out.setdefault(r.attempt_id, []).append(item)
    return out


def _importing(path: Path) -> Path:
    return path.with_name(path.name + IMPORTING_SUFFIX)


def _add_reference(lib: ReferenceLibrary, ref: Reference) -> tuple[Path, bytes | None]:
    """Add to the library; return (its file, the bytes it replaced) for undoing."""
    target = lib.user_dir / f"{ref.name}{REFERENCE_SUFFIX}"
    previous = target.read_bytes() if target.exists() else None
    try:
        path = lib.add(ref, overwrite=True)
    except ReferenceFileError as err:
        raise StoreError(str(err)) from None
    return path, previous
