"""An instructor's takes: recordings of one technique that a reference is built from.

Takes are native captures in ``<data home>/takes/``; the technique and who performed
it travel in each capture's metadata (``{"take": {...}}``), so a take copied elsewhere
still says what it is. The instructor's judgement of each take — keep it or not, and
the part worth keeping (trim) — lives beside them in ``takes/marks.json``, written
atomically and validated on read. Nothing here ever rewrites a recording: marking,
trimming and building only read the captures.

:func:`build_from_captures` is the one path from captures to a reference, used by the
Instructor view and by ``massage-trainer reference build``; it and the checks before a
build live in :mod:`trainer.store.take_build` and are re-exported here.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sensors.capture import CAPTURE_SUFFIX, Capture, CaptureWriter, read_capture
from sensors.exceptions import SensorError
from sensors.profiles import GloveProfile
from trainer.exceptions import StoreError
from trainer.scoring import Reference
from trainer.store.files import write_atomic
from trainer.store.sessions import CaptureRecording, unique_capture_path
from trainer.store.take_build import (
    TakeCheck,
    build_from_captures,
    capture_rate,
    check_distinct,
    check_takes,
    stroke_spans,
    take_digest,
    take_performer,
    trimmed,
)

__all__ = [
    "MARKS_FILE",
    "TAKES_DIR",
    "Take",
    "TakeCheck",
    "TakeRecording",
    "TakeShelf",
    "build_from_captures",
    "capture_rate",
    "check_distinct",
    "check_takes",
    "stroke_spans",
    "take_digest",
    "trimmed",
]

TAKES_DIR = "takes"
MARKS_FILE = "marks.json"
_MARKS_FORMAT = "massage-trainer takes"
_MARKS_VERSION = 1
_MAX_MARKS_BYTES = 8 << 20


@dataclass(frozen=True, slots=True)
class Take:
    """One take on the shelf.

    Parameters
    ----------
    path : pathlib.Path
        Its capture file.
    technique : str
        Technique performed ("" when the capture does not say).
    author : str
        Who performed it.
    glove : str
        Glove profile name.
    recorded_at : str
        Wall-clock start, ISO-8601 UTC ("" when unknown).
    duration_s : float
        Length of the recording.
    good : bool
        Marked as worth building from.
    trim : (float, float) or None
        The part kept, seconds from the first sample (``None``: all of it).
    """

    path: Path
    technique: str
    author: str
    glove: str
    recorded_at: str
    duration_s: float
    good: bool = True
    trim: tuple[float, float] | None = None

    @property
    def name(self) -> str:
        """File name (the take's key on the shelf)."""
        return self.path.name

    @property
    def kept_s(self) -> float:
        """Seconds of the take that a build uses."""
        if self.trim is None:
            return self.duration_s
        return max(0.0, min(self.trim[1], self.duration_s) - self.trim[0])


class TakeRecording(CaptureRecording):
    """Record one take into a new capture (a ``SessionRecorder`` for the acquisition).

    Called from the acquisition thread only. Write errors raise
    :class:`~trainer.exceptions.StoreError` once; what was written stays on disk.

    Parameters
    ----------
    folder : pathlib.Path
        The takes folder.
    source : str
        Source spec stored in the capture.
    author : str
        Who performs the take.
    synthetic : bool
        The source is the simulated glove (carried into the reference built from it).
    sync_interval_s : float
        Longest time recorded samples may stay un-synced.
    """

    def __init__(
        self,
        folder: Path,
        *,
        source: str,
        author: str = "",
        synthetic: bool = False,
        sync_interval_s: float = 0.5,
    ) -> None:
        super().__init__(source=source, sync_interval_s=sync_interval_s)
        self.folder = folder
        self.author = author
        self.synthetic = synthetic
        self._done = False

    @property
    def done(self) -> bool:
        """The take has been started and closed (its file is complete)."""
        return self._done

    def start(self, technique: str, reference: str, profile: GloveProfile) -> None:
        """Create the take's capture (``reference`` is unused: a take follows none).

        Raises
        ------
        StoreError
            The file cannot be created.
        """
        started = datetime.now(UTC)
        metadata: dict[str, Any] = {"take": {"technique": technique, "author": self.author}}
        if self.synthetic:
            metadata["synthetic"] = True
        self._open_capture(
            lambda: unique_capture_path(self.folder, technique, started),
            profile,
            metadata,
            started,
            "take",
        )

    def add_score(self, score: Any) -> None:
        """Ignore scores: a take follows no reference."""

    def finish(self) -> None:
        """Close the capture (synced)."""
        self._close_capture()
        self._done = self.capture is not None


class TakeShelf:
    """The takes of a data home, with the instructor's marks.

    Parameters
    ----------
    home : pathlib.Path
        The data home (takes live in ``home / "takes"``).
    """

    def __init__(self, home: Path) -> None:
        self.folder = Path(home) / TAKES_DIR
        self._marks_path = self.folder / MARKS_FILE
        # Marks are read-modified-written; the app marks from several worker threads.
        self._lock = threading.RLock()

    # -- marks ---------------------------------------------------------------------------

    def _read_marks(self) -> dict[str, dict[str, Any]]:
        path = self._marks_path
        if not path.exists():
            return {}

        def bad(why: str) -> StoreError:
            return StoreError(f"{path}: {why} (the takes are intact; delete the file to reset)")

        try:
            if path.stat().st_size > _MAX_MARKS_BYTES:
                raise bad("too large")
            doc = json.loads(path.read_bytes())
        except OSError as err:
            raise StoreError(f"{path}: {err.strerror or err}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise bad(f"not valid JSON ({err})") from None
        if not isinstance(doc, dict) or doc.get("format") != _MARKS_FORMAT:
            raise bad("not a takes marks file")
        version = doc.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise bad("no version")
        if version > _MARKS_VERSION:
            raise bad(f"written by a newer massage-trainer (version {version})")
        takes = doc.get("takes")
        if not isinstance(takes, dict):
            raise bad("'takes' must be an object")
        marks: dict[str, dict[str, Any]] = {}
        for name, mark in takes.items():
            if not isinstance(mark, dict) or not isinstance(mark.get("good", True), bool):
                raise bad(f"mark of {name!r} is malformed")
            trim = mark.get("trim")
            if trim is not None and not _valid_trim(trim):
                raise bad(f"trim of {name!r} must be [start, end] seconds with start < end")
            marks[str(name)] = {
                "good": mark.get("good", True),
                "trim": None if trim is None else (float(trim[0]), float(trim[1])),
            }
        return marks

    def _write_marks(self, marks: dict[str, dict[str, Any]]) -> None:
        doc = {
            "format": _MARKS_FORMAT,
            "version": _MARKS_VERSION,
            "takes": {
                name: {"good": m["good"], "trim": None if m["trim"] is None else list(m["trim"])}
                for name, m in sorted(marks.items())
            },
        }
        self.folder.mkdir(parents=True, exist_ok=True)
        data = json.dumps(doc, indent=1, sort_keys=True).encode()
        try:
            write_atomic(self._marks_path, data)
        except OSError as err:
            raise StoreError(f"{self._marks_path}: cannot save the marks: {err}") from None

    # -- takes ---------------------------------------------------------------------------

    def _files(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(
            p for p in self.folder.iterdir() if p.suffix == CAPTURE_SUFFIX and p.is_file()
        )

    def takes(self, technique: str | None = None) -> tuple[list[Take], list[str]]:
        """List the takes, oldest first.

        Parameters
        ----------
        technique : str or None
            Only takes of this technique.

        Returns
        -------
        takes : list of Take
            The readable takes.
        problems : list of str
            One line per capture that could not be read (left on disk, untouched).

        Raises
        ------
        StoreError
            The marks file is corrupt.
        """
        marks = self._read_marks()
        takes, problems = [], []
        for path in self._files():
            try:
                cap = read_capture(path)
            except SensorError as err:
                problems.append(str(err))
                continue
            take = _take_of(path, cap, marks.get(path.name))
            if technique is None or take.technique == technique:
                takes.append(take)
        return takes, problems

    def take(self, name: str) -> Take:
        """Return one take by file name.

        Raises
        ------
        StoreError
            No such take, or it cannot be read.
        """
        path = self._path(name)
        return _take_of(path, self._read(path), self._read_marks().get(name))

    def load(self, name: str) -> tuple[Take, Capture]:
        """Return a take and its whole recording (trim not applied)."""
        path = self._path(name)
        cap = self._read(path)
        return _take_of(path, cap, self._read_marks().get(name)), cap

    def mark(self, name: str, good: bool) -> Take:
        """Mark a take good (built from) or bad (kept, but left out of builds).

        Raises
        ------
        StoreError
            Unknown take, or the marks cannot be written.
        """
        return self._update(name, good=bool(good))

    def set_trim(self, name: str, span: tuple[float, float] | None) -> Take:
        """Keep only ``span`` of a take (seconds from its first sample); ``None`` keeps all.

        The span is clipped to the take.

        Raises
        ------
        StoreError
            Unknown take, a span that is not ``start < end`` or keeps nothing, or the
            marks cannot be written.
        """
        if span is None:
            return self._update(name, trim=None)
        if not _valid_trim(span):
            raise StoreError(f"trim {span!r}: need [start, end] seconds, start < end")
        take = self.take(name)
        lo, hi = max(0.0, float(span[0])), min(float(span[1]), take.duration_s)
        if hi <= lo:
            raise StoreError(f"trim {span!r} keeps nothing of a {take.duration_s:.1f} s take")
        return self._update(name, trim=(lo, hi))

    def _update(self, name: str, **changes: Any) -> Take:
        with self._lock:
            take = self.take(name)
            marks = self._read_marks()
            mark = {"good": take.good, "trim": take.trim, **changes}
            marks[name] = mark
            self._write_marks(marks)
        return replace(take, good=mark["good"], trim=mark["trim"])

    def remove(self, name: str) -> None:
        """Delete a take (its capture and its mark).

        Raises
        ------
        StoreError
            Unknown take, or the file cannot be removed.
        """
        path = self._path(name)
        try:
            path.unlink()
        except OSError as err:
            raise StoreError(f"{path}: cannot delete: {err.strerror or err}") from None
        with self._lock:
            marks = self._read_marks()
            if marks.pop(name, None) is not None:
                self._write_marks(marks)

    def add_file(
        self,
        source: str | Path,
        technique: str,
        *,
        author: str = "",
        profile: str | None = None,
    ) -> Take:
        """Copy a recording (native or CSV, validated) onto the shelf as a take.

        Parameters
        ----------
        source : str or pathlib.Path
            The recording.
        technique : str
            What it shows.
        author : str
            Who performed it.
        profile : str or None
            Glove profile of a CSV recording.

        Returns
        -------
        Take
            The new take (the source file is left as it was).

        Raises
        ------
        StoreError
            Unreadable or invalid recording, or the copy cannot be written.
        """
        try:
            cap = read_capture(source, profile=profile)
        except SensorError as err:
            raise StoreError(str(err)) from None
        if cap.n_samples == 0:
            raise StoreError(f"{source}: the recording holds no samples")
        metadata = {
            **cap.metadata,
            "take": {"technique": technique, "author": author},
            "imported_from": Path(source).name,
        }
        started = _parse_time(cap.started_at) or datetime.now(UTC)
        self.folder.mkdir(parents=True, exist_ok=True)
        path = unique_capture_path(self.folder, technique, started)
        # Written aside, then renamed: a listing meanwhile never sees a half-copied take.
        part = path.with_name(path.name + ".part")
        try:
            with CaptureWriter(
                part, cap.profile, source=cap.source, metadata=metadata, started_at=started
            ) as writer:
                for block in cap.blocks():
                    writer.append(block)
            os.replace(part, path)
        except (SensorError, OSError) as err:
            part.unlink(missing_ok=True)
            raise StoreError(f"cannot copy {source} into the takes: {err}") from None
        return self.take(path.name)

    def recorder(self, *, source: str, author: str = "", synthetic: bool = False) -> TakeRecording:
        """Return a recorder that adds one take to the shelf."""
        self.folder.mkdir(parents=True, exist_ok=True)
        return TakeRecording(self.folder, source=source, author=author, synthetic=synthetic)

    def build(
        self, names: Sequence[str], *, name: str, technique: str, author: str = "", notes: str = ""
    ) -> Reference:
        """Build a reference from takes by name, each trimmed as marked.

        Raises
        ------
        StoreError
            A take cannot be read.
        ScoringError
            Gloves differ, or too few complete strokes.
        """
        marks = self._read_marks()
        captures = []
        for n in names:
            cap = self._read(self._path(n))
            captures.append((cap, marks.get(n, {}).get("trim")))
        return build_from_captures(
            captures, name=name, technique=technique, author=author, notes=notes
        )

    # -- helpers -------------------------------------------------------------------------

    def _path(self, name: str) -> Path:
        path = self.folder / name
        if Path(name).name != name or path.suffix != CAPTURE_SUFFIX or not path.is_file():
            raise StoreError(f"no take named {name!r}")
        return path

    @staticmethod
    def _read(path: Path) -> Capture:
        try:
            return read_capture(path)
        except SensorError as err:
            raise StoreError(str(err)) from None


def _take_of(path: Path, cap: Capture, mark: dict[str, Any] | None) -> Take:
    info = cap.metadata.get("take")
    info = info if isinstance(info, dict) else {}
    mark = mark or {}
    return Take(
        path=path,
        technique=str(info.get("technique", "")),
        author=take_performer(cap.metadata),  # else whom `record --user` named
        glove=cap.profile.name,
        recorded_at=cap.started_at or "",
        duration_s=cap.duration_s,
        good=bool(mark.get("good", True)),
        trim=mark.get("trim"),
    )


def _valid_trim(trim: Any) -> bool:
    if not isinstance(trim, (list, tuple)) or len(trim) != 2:
        return False
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in trim):
        return False
    a, b = float(trim[0]), float(trim[1])
    return math.isfinite(a) and math.isfinite(b) and a < b


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
