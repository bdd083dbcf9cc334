"""An instructor's takes: recordings of one technique that a reference is built from.

Takes are native captures in ``<data home>/takes/``; the technique and who performed
it travel in each capture's metadata (``{"take": {...}}``), so a take copied elsewhere
still says what it is. The instructor's judgement of each take — keep it or not, and
the part worth keeping (trim) — lives beside them in ``takes/marks.json``, written
atomically and validated on read. Nothing here ever rewrites a recording: marking,
trimming and building only read the captures.

:func:`build_from_captures` is the one path from captures to a reference, used by the
Instructor view and by ``massage-trainer reference build``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from sensors.capture import CAPTURE_SUFFIX, Capture, CaptureWriter, read_capture
from sensors.exceptions import SensorError
from sensors.profiles import GloveProfile
from trainer.exceptions import ScoringError, StoreError
from trainer.scoring import Reference, build_reference, find_strokes, resample_take
from trainer.scoring.techniques import check_technique_name
from trainer.store.files import write_atomic
from trainer.store.sessions import CaptureRecording, unique_capture_path

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
_RATE_TOLERANCE = 0.01  # a capture within 1 % of its glove's nominal rate is at that rate


def capture_rate(capture: Capture) -> float:
    """Return a capture's sample rate, snapped to its glove's nominal rate within 1 %.

    Host-stamped captures jitter around the nominal rate; snapping keeps a reference
    built from them at the glove's exact rate.
    """
    nominal = float(capture.profile.sample_rate_hz)
    fs = capture.sample_rate_hz
    return nominal if abs(fs - nominal) <= _RATE_TOLERANCE * nominal else fs


def trimmed(
    capture: Capture, trim: tuple[float, float] | None
) -> tuple[np.ndarray, tuple[int, ...]]:
    """Return a capture's forces and gap positions within ``trim``.

    Parameters
    ----------
    capture : Capture
        The recording.
    trim : (float, float) or None
        Seconds from the capture's first sample, ``[start, end]``; ``None`` keeps all.

    Returns
    -------
    values : numpy.ndarray
        ``(n, channels)`` newtons.
    gap_starts : tuple of int
        Gaps inside the kept part, in its indexing.
    """
    if trim is None or capture.n_samples == 0:
        return capture.values, tuple(int(g) for g in capture.gap_starts)
    rel = capture.t - capture.t[0]
    i0, i1 = np.searchsorted(rel, [trim[0], trim[1]], side="left")
    i1 = max(int(i1), int(i0))
    gaps = tuple(int(g) - int(i0) for g in capture.gap_starts if i0 < g < i1)
    return capture.values[i0:i1], gaps


def build_from_captures(
    captures: Sequence[tuple[Capture, tuple[float, float] | None]],
    *,
    name: str,
    technique: str,
    author: str = "",
    notes: str = "",
) -> Reference:
    """Build a reference from takes (each with an optional trim).

    Takes are brought to the first take's nominal glove rate (run by run, never across a
    gap) and handed to :func:`trainer.scoring.build_reference`.

    Parameters
    ----------
    captures : sequence of (Capture, trim or None)
        The takes, all from the same glove layout.
    name, technique, author, notes : str
        The reference's metadata.

    Returns
    -------
    Reference
        Dated today (UTC); ``synthetic`` when every take came from the simulated glove.

    Raises
    ------
    ScoringError
        A technique name breaking the rule, no takes, gloves that differ, or too few
        complete strokes.
    """
    technique = check_technique_name(technique)  # normalised: "Skin Rolling" -> "skin rolling"
    if not captures:
        raise ScoringError("no takes to build from")
    profile = captures[0][0].profile
    fs = float(profile.sample_rate_hz)
    takes = []
    for cap, trim in captures:
        if cap.profile.channel_names != profile.channel_names:
            where = cap.path if cap.path is not None else "a take"
            raise ScoringError(
                f"{where}: glove {cap.profile.name!r} differs from the first take's "
                f"({profile.name!r})"
            )
        values, gaps = trimmed(cap, trim)
        takes.append(resample_take(values, capture_rate(cap), fs, gaps))
    return build_reference(
        takes,
        name=name,
        technique=technique,
        profile=profile,
        fs_hz=fs,
        author=author,
        notes=notes,
        created=datetime.now(UTC).date().isoformat(),
        synthetic=all(bool(cap.metadata.get("synthetic", False)) for cap, _ in captures),
        performers=_performers(captures, author),
    )


def take_digest(capture: Capture, trim: tuple[float, float] | None = None) -> str:
    """SHA-256 of a take's samples (times and forces as float64) and its trim.

    The same recording read twice, copied, or renamed gives the same digest, whatever
    its file name or metadata.
    """
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(capture.t, dtype="<f8").tobytes())
    h.update(np.ascontiguousarray(capture.values, dtype="<f8").tobytes())
    h.update(repr(None if trim is None else tuple(float(x) for x in trim)).encode())
    return h.hexdigest()


def check_distinct(captures: Sequence[tuple[Capture, tuple[float, float] | None]]) -> None:
    """Refuse a take given more than once (the same samples): it would weigh double.

    Used where takes are named by the user (``reference build FILE...``); the take shelf
    is not checked, since two simulated takes with the same seed are rightly identical.

    Raises
    ------
    ScoringError
        One line naming each repeated take and the one it repeats.
    """
    first: dict[str, str] = {}
    repeats = []
    for i, (cap, trim) in enumerate(captures):
        label = str(cap.path) if cap.path is not None else f"take {i + 1}"
        digest = take_digest(cap, trim)
        if digest in first:
            repeats.append(f"{label} repeats {first[digest]}")
        else:
            first[digest] = label
    if repeats:
        raise ScoringError(
            f"the same take is given more than once ({'; '.join(repeats)}, same samples): "
            "leave the copies out"
        )


@dataclass(frozen=True, slots=True)
class TakeCheck:
    """What one take is, as far as can be told, for :func:`check_takes`.

    Parameters
    ----------
    index : int
        Its position among the takes.
    technique : str or None
        The technique it is (``None``: cannot tell).
    how : str
        ``"capture metadata"`` (the take's or the simulated glove's own label),
        ``"recognised"`` (most of its strokes recognised as it) or ``""``.
    matches : bool
        Whether it agrees with the reference being built (and with the other takes).
    """

    index: int
    technique: str | None
    how: str
    matches: bool


def _labelled_technique(capture: Capture) -> str | None:
    """Return the technique a capture says it holds: its take label, else the simulator's."""
    info = capture.metadata.get("take")
    label = info.get("technique") if isinstance(info, dict) else None
    if not isinstance(label, str) and capture.source.startswith("sim"):
        from sensors.sources import SourceKind, parse_source_spec

        try:
            spec = parse_source_spec(capture.source)
        except SensorError:
            return None
        label = spec.target if spec.kind is SourceKind.SIM else None
    if not isinstance(label, str) or not label:
        return None
    try:
        return check_technique_name(label)
    except ScoringError:
        return None


def _recognised_technique(capture: Capture, references: Sequence[Reference]) -> str | None:
    """Return the technique most (over half) of a capture's strokes are recognised as."""
    from collections import Counter

    from trainer.scoring import Recogniser

    refs = [r for r in references if r.profile.channel_names == capture.profile.channel_names]
    if not refs:
        return None
    fs = capture_rate(capture)
    strokes = find_strokes(capture.values, fs, capture.profile, gap_starts=capture.gap_starts)
    if not strokes:
        return None
    recogniser = Recogniser(refs)
    votes = Counter(recogniser.classify(s.values, fs).technique for s in strokes)
    technique, count = votes.most_common(1)[0]
    return technique if technique is not None and 2 * count > len(strokes) else None


def check_takes(
    captures: Sequence[Capture], technique: str, references: Sequence[Reference] = ()
) -> list[TakeCheck]:
    """Tell which takes are not of ``technique`` (a reference must not mix techniques).

    A take's own label decides (its take metadata, or the simulated glove's technique
    in its source spec). A take without one is recognised against ``references`` (the
    library's, same glove): if ``technique`` is one they know, the take must be
    recognised as it; otherwise (a new technique) it must agree with the rest: be
    recognised as what at least one other recognised take is.

    Parameters
    ----------
    captures : sequence of Capture
        The takes.
    technique : str
        The technique being built (normalised by the name rule).
    references : sequence of Reference
        References to recognise unlabelled takes with (default: none, so only labels
        count).

    Returns
    -------
    list of TakeCheck
        One per take, in order.
    """
    technique = check_technique_name(technique)
    known = {r.technique for r in references}
    found: list[tuple[str | None, str]] = []
    for cap in captures:
        label = _labelled_technique(cap)
        if label is not None:
            found.append((label, "capture metadata"))
            continue
        recognised = _recognised_technique(cap, references)
        found.append((recognised, "recognised" if recognised is not None else ""))
    checks = []
    for i, (label, how) in enumerate(found):
        if label is None:
            matches = True  # nothing to go on: not refused on a guess
        elif how == "capture metadata" or technique in known:
            matches = label == technique
        else:
            others = [t for j, (t, h) in enumerate(found) if j != i and h == "recognised"]
            matches = not others or label in others
        checks.append(TakeCheck(i, label, how, matches))
    return checks


def _performers(
    captures: Sequence[tuple[Capture, tuple[float, float] | None]], author: str
) -> tuple[str, ...]:
    """Who performed the takes: each take's recorded performer, else the reference's author."""
    names = set()
    for cap, _ in captures:
        info = cap.metadata.get("take")
        who = info.get("author") if isinstance(info, dict) else None
        if isinstance(who, str) and who.strip():
            names.add(who.strip()[:200])
        elif author.strip():
            names.add(author.strip()[:200])
    return tuple(sorted(names))


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


def stroke_spans(capture: Capture, min_active_s: float = 0.2) -> list[tuple[float, float]]:
    """Complete strokes of a take, as ``(start, end)`` seconds from its first sample.

    Used to show the instructor what a build would take from each recording.
    """
    if capture.n_samples == 0:
        return []
    fs = capture_rate(capture)
    found = find_strokes(
        capture.values,
        fs,
        capture.profile,
        gap_starts=capture.gap_starts,
        min_active_s=min_active_s,
    )
    t = capture.t - capture.t[0]
    return [(float(t[s.start]), float(t[s.end - 1])) for s in found]


def _take_of(path: Path, cap: Capture, mark: dict[str, Any] | None) -> Take:
    info = cap.metadata.get("take")
    info = info if isinstance(info, dict) else {}
    mark = mark or {}
    return Take(
        path=path,
        technique=str(info.get("technique", "")),
        author=str(info.get("author", "")),
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
