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
:mod:`trainer.store.pack_manifest`; reading a pack and checking it in
:mod:`trainer.store.pack_reading`.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from trainer import __version__
from trainer.exceptions import ReferenceFileError, StoreError
from trainer.scoring.model import Reference
from trainer.store.database import IMPORTING_SUFFIX, Store, content_hash
from trainer.store.files import deterministic_zip, write_atomic
from trainer.store.pack_manifest import PACK_FORMAT, PACK_VERSION
from trainer.store.pack_reading import SessionEntry, read_entries, validate_pack
from trainer.store.recovery import ImportClaim
from trainer.store.references import REFERENCE_SUFFIX, ReferenceLibrary, encode_reference
from trainer.store.sessions import new_capture_path

__all__ = ["PACK_FORMAT", "PACK_SUFFIX", "PACK_VERSION", "export_pack", "import_pack"]

PACK_SUFFIX = ".mtpack"


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
        manifest["sessions"].append(_export_session(store, sid, n, refs, files))
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


def _export_session(
    store: Store, sid: int, n: int, refs: dict[str, Reference], files: dict[str, bytes]
) -> dict[str, Any]:
    """Add session ``sid``'s files as entry ``n`` (and its reference); return its manifest item."""
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
    return {
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
            {"index": i, **dataclasses.asdict(r)} for i, r in store.feedback_records(sid).items()
        ],
        "attempts": [
            {"index": a.index, **a.score.to_dict(), "components": dict(a.components)}
            | ({"ratings": rated[a.id]} if a.id in rated else {})
            for a in attempts
        ],
    }


# -- import ------------------------------------------------------------------------------


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
    entries = read_entries(pack)
    refs, sessions = validate_pack(pack, entries)
    if same_name not in ("apart", "merge"):
        raise StoreError(f"unknown same-name policy {same_name!r}; known: apart, merge")
    lib = library or ReferenceLibrary()
    to_add, present = _references_to_add(pack, lib, refs.values(), overwrite=overwrite)
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
        captures = [_write_capture(store.home, claim, e, written) for e in sessions]
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
        _undo(written, added_refs)
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


def _references_to_add(
    pack: Path, lib: ReferenceLibrary, refs: Iterable[Reference], *, overwrite: bool
) -> tuple[list[Reference], list[str]]:
    """Return the pack's references to add, and the names already there with its content.

    Raises
    ------
    StoreError
        A reference of the same name and other content exists, without ``overwrite``.
    """
    to_add: list[Reference] = []
    present: list[str] = []  # same name, same content: nothing to add
    for ref in refs:
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
    return to_add, present


def _write_capture(
    home: Path, claim: ImportClaim, entry: SessionEntry, written: list[Path]
) -> Path:
    """Write a session's capture as its claimed ``.importing`` file; return its final path.

    The file goes into ``written`` as soon as it exists, so a failure removes it.
    """
    started = datetime.fromisoformat(entry.meta["started_at"])
    path = new_capture_path(home, entry.meta["technique"], started)
    partial = claim.claim(_importing(path))
    with open(partial, "xb") as f:
        written.append(partial)
        f.write(entry.capture)
        f.flush()
        os.fsync(f.fileno())
    return path


def _undo(written: list[Path], added_refs: list[tuple[Path, bytes | None]]) -> None:
    """Remove the captures an import wrote, and put back the references it replaced."""
    for path in written:
        path.unlink(missing_ok=True)
    for target, previous in added_refs:
        if previous is None:
            target.unlink(missing_ok=True)
        else:
            target.write_bytes(previous)


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
