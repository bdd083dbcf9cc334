"""Recording a practice session: its raw capture and its scored attempts, crash-safely.

:class:`SessionRecording` is what the acquisition thread is given as its session
recorder (``trainer.live.SessionRecorder``): every block goes straight to
the session's capture file (synced at least every ``sync_interval_s``), and every
scored stroke is handed to the store's writer thread, which commits it on its own. A
process killed mid-session therefore keeps the capture up to the last sync and every
attempt scored before it; the next :class:`~trainer.store.database.Store` marks the
session ``interrupted``.
"""

from __future__ import annotations

import concurrent.futures
import logging
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sensors.blocks import SampleBlock
from sensors.capture import CAPTURE_SUFFIX, CaptureWriter
from sensors.exceptions import SensorError
from sensors.profiles import GloveProfile
from trainer.exceptions import StoreError
from trainer.scoring.model import Reference, StrokeScore
from trainer.store.database import DEFAULT_USER, IMPORTING_SUFFIX, Store
from trainer.store.session_fields import FeedbackRecord, check_kind, check_surface

__all__ = [
    "SESSIONS_DIR",
    "CaptureRecording",
    "SessionRecording",
    "new_capture_path",
    "unique_capture_path",
]

SESSIONS_DIR = "sessions"
_log = logging.getLogger(__name__)


def unique_capture_path(folder: Path, technique: str, started_at: datetime) -> Path:
    """Return a fresh capture path ``<folder>/<UTC stamp>-<technique>.mtcap``.

    Parameters
    ----------
    folder : pathlib.Path
        Where the capture goes (created if missing).
    technique : str
        Technique recorded (sanitised into the name).
    started_at : datetime
        Recording start (UTC stamp in the name, so names sort by time).

    Returns
    -------
    pathlib.Path
        A path that does not exist yet (``-2``, ``-3``... appended on a clash).
    """
    when = started_at.astimezone(UTC)
    folder.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9-]+", "-", technique.lower()).strip("-") or "session"
    stem = f"{when:%Y%m%dT%H%M%S}Z-{slug}"
    path = folder / f"{stem}{CAPTURE_SUFFIX}"
    n = 1
    # A pack import's capture is "<name>.importing" until its rows commit: taken too.
    while path.exists() or path.with_name(path.name + IMPORTING_SUFFIX).exists():
        n += 1
        path = folder / f"{stem}-{n}{CAPTURE_SUFFIX}"
    return path


def new_capture_path(home: Path, technique: str, started_at: datetime) -> Path:
    """Return a fresh path for a session capture: ``sessions/YYYY/MM/<stamp>-<technique>``.

    Parameters
    ----------
    home : pathlib.Path
        The data home.
    technique : str
        Technique practised (sanitised into the name).
    started_at : datetime
        Session start.

    Returns
    -------
    pathlib.Path
        A path that does not exist yet (its folder is created).
    """
    when = started_at.astimezone(UTC)
    return unique_capture_path(
        home / SESSIONS_DIR / f"{when:%Y}" / f"{when:%m}", technique, started_at
    )


class CaptureRecording:
    """The sample-writing half of a recorder: blocks into one new capture file.

    Subclasses decide where the file goes and what else is recorded with it
    (:class:`SessionRecording`, :class:`trainer.store.takes.TakeRecording`). Called from
    the acquisition thread only.

    Parameters
    ----------
    source : str
        Source spec stored in the capture.
    sync_interval_s : float
        Longest time recorded samples may stay un-synced (the crash-loss bound).
    """

    def __init__(self, *, source: str, sync_interval_s: float = 0.5) -> None:
        self.source = source
        self.sync_interval_s = sync_interval_s
        self.capture: Path | None = None
        self.samples = 0
        self.rate_hz = 0.0
        self._writer: CaptureWriter | None = None
        self._t_first = float("nan")
        self._t_last = float("nan")

    @property
    def duration_s(self) -> float:
        """Time the recorded samples cover (0 before the first)."""
        if not self.samples or self._t_last != self._t_last:
            return 0.0
        return self._t_last - self._t_first + 1.0 / self.rate_hz

    def _open_capture(
        self,
        make_path: Callable[[], Path],
        profile: GloveProfile,
        metadata: dict[str, Any],
        started: datetime,
        what: str,
    ) -> None:
        try:
            path = make_path()
            self._writer = CaptureWriter(
                path,
                profile,
                source=self.source,
                metadata=metadata,
                sync_interval_s=self.sync_interval_s,
                started_at=started,
            )
        except (SensorError, OSError) as err:
            raise StoreError(f"cannot record the {what}: {err}") from None
        self.capture = path
        self.rate_hz = float(profile.sample_rate_hz)

    def add_block(self, block: SampleBlock) -> None:
        """Append samples to the capture (synced per ``sync_interval_s``).

        Raises
        ------
        StoreError
            The write failed; the capture keeps what was written before, and
            recording into it stops.
        """
        if self._writer is None or len(block) == 0:
            return
        try:
            self._writer.append(block)
        except (SensorError, OSError) as err:
            self._close_capture()
            raise StoreError(f"recording stopped: {err}") from None
        if self._t_first != self._t_first:  # NaN: first block
            self._t_first = float(block.t[0])
        self._t_last = float(block.t[-1])
        self.samples += len(block)

    def _close_capture(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            try:
                writer.close()
            except OSError as err:
                _log.warning("closing %s: %s", writer.path, err)


class SessionRecording(CaptureRecording):
    """Record one practice session into the store (a ``SessionRecorder``).

    Called from the acquisition thread only. Errors (disk full, database gone) raise
    :class:`~trainer.exceptions.StoreError` once; the caller stops recording and
    tells the user, and what was written so far stays on disk.

    Parameters
    ----------
    store : Store
        Where the session goes.
    reference : Reference or None
        The reference followed (kept by content hash for replay).
    source : str
        Source spec recorded with the session.
    feedback_mode : str
        Faded-feedback setting (``every``, ``every_n:3``, ``off``).
    user : str
        Who practises.
    sync_interval_s : float
        Longest time recorded samples may stay un-synced (the crash-loss bound).
    kind : {"practice", "probe"}
        A probe is a short set with every feedback hidden (``trainer.live.feedback``).
    surface : str
        What is massaged (``pad``, ``mannequin``, ``person`` or short free text).
    """

    def __init__(
        self,
        store: Store,
        *,
        reference: Reference | None,
        source: str,
        feedback_mode: str,
        user: str = DEFAULT_USER,
        sync_interval_s: float = 0.5,
        kind: str = "practice",
        surface: str = "",
    ) -> None:
        super().__init__(source=source, sync_interval_s=sync_interval_s)
        # Checked now, so a bad surface is refused before a session starts.
        self.kind, self.surface = check_kind(kind), check_surface(surface)
        self.store = store
        self.reference = reference
        self.feedback_mode = feedback_mode
        self.user = user
        self.session_id: int | None = None
        self._pending: list[concurrent.futures.Future[int]] = []
        self._attempts = 0
        # What strokes showed comes from the thread that shows them (add_feedback).
        self._feedback_lock = threading.Lock()
        self._feedback: list[concurrent.futures.Future[None]] = []

    @property
    def attempts(self) -> int:
        """Attempts handed to the store so far."""
        return self._attempts

    def start(self, technique: str, reference: str, profile: GloveProfile) -> None:
        """Create the session's capture and its row (state ``recording``).

        Raises
        ------
        StoreError
            The capture or the row cannot be created.
        """
        started = datetime.now(UTC)
        ref = self.reference
        metadata: dict[str, Any] = {
            "session": {
                "technique": technique,
                "reference": reference,
                "user": self.user,
                "feedback_mode": self.feedback_mode,
                "kind": self.kind,
                "surface": self.surface,
            }
        }
        self._open_capture(
            lambda: new_capture_path(self.store.home, technique, started),
            profile,
            metadata,
            started,
            "session",
        )
        assert self.capture is not None  # set by _open_capture, which raises otherwise
        self.session_id = self.store.begin_session(
            technique=technique,
            reference=ref,
            reference_name=reference,
            glove=profile.name,
            source=self.source,
            feedback_mode=self.feedback_mode,
            capture=self.capture,
            user=self.user,
            started_at=started,
            kind=self.kind,
            surface=self.surface,
        )

    def add_score(self, score: StrokeScore) -> None:
        """Hand a scored stroke to the store's writer (committed on its own, no wait)."""
        if self.session_id is None:
            return
        failed = [f.exception() for f in self._pending if f.done() and f.exception()]
        self._pending = [f for f in self._pending if not f.done()]
        self._pending.append(self.store.submit_attempt(self.session_id, self._attempts, score))
        self._attempts += 1
        if failed:  # an earlier commit failed: say so once, keep recording
            raise StoreError(f"an attempt could not be saved: {failed[0]}")

    def add_feedback(self, feedback: Any) -> None:
        """Record what a stroke showed the student, without waiting (any thread).

        Parameters
        ----------
        feedback : StrokeFeedback
            ``index`` (the session's scored strokes so far, as its attempt's), ``cues``,
            ``card``, ``requested``, ``reason``, ``mode``
            (:class:`trainer.live.feedback.StrokeFeedback`). A later record of the same
            stroke (asked about with F) replaces the first.

        Raises
        ------
        StoreError
            An earlier record could not be saved (said once; recording goes on).
        """
        if self.session_id is None:
            return
        record = FeedbackRecord(
            bool(feedback.cues), bool(feedback.card), bool(feedback.requested),
            str(feedback.reason), str(feedback.mode),
        )  # fmt: skip
        future = self.store.submit_feedback(self.session_id, int(feedback.index), record)
        with self._feedback_lock:
            failed = [f.exception() for f in self._feedback if f.done() and f.exception()]
            self._feedback = [f for f in self._feedback if not f.done()] + [future]
        if failed:
            raise StoreError(f"a feedback record could not be saved: {failed[0]}")

    def finish(self) -> None:
        """Close the capture, wait for the attempts, mark the session finished.

        Raises
        ------
        StoreError
            An attempt, a feedback record or the session's end could not be saved.
        """
        self._close_capture()
        with self._feedback_lock:
            feedback, self._feedback = self._feedback, []
        pending, self._pending = self._pending, []
        futures: list[concurrent.futures.Future[Any]] = [*pending, *feedback]
        errors = [str(e) for f in futures if (e := f.exception()) is not None]
        if self.session_id is not None:
            self.store.end_session(
                self.session_id, samples=self.samples, duration_s=self.duration_s
            )
        if errors:
            raise StoreError(f"{len(errors)} record(s) could not be saved: {errors[0]}")
