"""The Instructor view's controller: takes (record, add, mark, trim), build, save, export."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from trainer.live import with_gap_breaks
from trainer.ui.services import Services

if TYPE_CHECKING:
    from trainer.scoring import Reference
    from trainer.store.references import LibraryEntry
    from trainer.store.takes import Take, TakeRecording, TakeShelf
    from trainer.ui.controllers.base import JobRunner, Shell
    from trainer.ui.controllers.connect import ConnectController
    from trainer.ui.controllers.practice import PracticeController
    from trainer.ui.instructor_view import InstructorView
    from trainer.ui.services import ReferenceShelf

__all__ = ["InstructorController", "capture_technique"]

T = TypeVar("T")

#: A take's listing: the takes, complete strokes per take, and files that were skipped.
Listing = tuple[list["Take"], dict[str, int], list[str]]
#: A take to show: the take, time and total force (NaN at gaps), complete stroke spans.
TakeShown = tuple["Take", np.ndarray, np.ndarray, list[tuple[float, float]]]


def capture_technique(capture: Any) -> str | None:
    """Return the technique a recording says it shows, else ``None``.

    Read from its metadata (a take's, a session's, or a plain ``technique``), else from
    a simulated glove's source spec (``sim:tapotement?seed=4``).
    """
    meta = getattr(capture, "metadata", None) or {}
    for key in ("take", "session"):
        part = meta.get(key)
        if isinstance(part, dict) and isinstance(part.get("technique"), str) and part["technique"]:
            return str(part["technique"])
    if isinstance(meta.get("technique"), str) and meta["technique"]:
        return str(meta["technique"])
    source = str(getattr(capture, "source", "") or "")
    if source.startswith("sim:"):
        name = source[4:].split("?", 1)[0].strip()
        return name or None
    return None


class InstructorController:
    """Keeps the instructor's takes and turns the kept ones into a reference.

    Parameters
    ----------
    view : InstructorView
        The view it drives.
    services : Services
        ``open_takes``, ``save_reference``, ``export_references`` and ``open_library``
        are used.
    jobs : JobRunner
        Where blocking calls (every take-shelf call) run.
    shell : Shell
        The window (settings).
    link : ConnectController
        The live source a take is recorded from.
    practice : PracticeController
        Whether a session runs (no take on top of one); the references it offers.
    """

    def __init__(
        self,
        view: InstructorView,
        services: Services,
        jobs: JobRunner,
        shell: Shell,
        link: ConnectController,
        practice: PracticeController,
    ) -> None:
        self.view = view
        self.services = services
        self.jobs = jobs
        self.shell = shell
        self.link = link
        self.practice = practice
        #: The instructor's takes once opened (``services.open_takes``), else ``None``.
        self.takes: TakeShelf | None = None
        #: The take being recorded.
        self.take_recorder: TakeRecording | None = None
        self._take_finishing: TakeRecording | None = None  # stopped, its file not closed yet
        self._take_started = 0.0
        self._recording_gate: tuple[bool, str] | None = None
        self._listings = 0  # the latest listing asked for; older answers are dropped
        self._add_lock = threading.Lock()
        view.record_toggled.connect(self.toggle_take)
        view.technique_changed.connect(self._on_technique)
        view.take_selected.connect(self._load_take)
        view.keep_changed.connect(
            lambda name, keep: self._takes_job(lambda s: s.mark(name, keep), refresh=True)
        )
        view.trim_changed.connect(self._set_trim)
        view.add_requested.connect(self._add_take_file)
        view.delete_requested.connect(
            lambda name: self._takes_job(lambda s: s.remove(name), refresh=True)
        )
        view.build_requested.connect(self._build_reference)
        view.save_requested.connect(self._save_reference)
        view.export_requested.connect(self._export_reference)
        view.library_shown.connect(self.refresh_library)
        view.library_delete_requested.connect(self._delete_reference)
        view.library_unhide_requested.connect(self._unhide_reference)
        view.library_rename_requested.connect(self._rename_reference)
        if services.open_library is None:  # nothing to manage: no Library page
            view.library_page_button.setVisible(False)
        link.stopping.connect(self._on_stopping)

    @property
    def recording(self) -> bool:
        """A take is being recorded."""
        return self.take_recorder is not None

    # -- the shelf, in workers --

    def open_takes(self) -> None:
        """Open the takes shelf in a worker (without one, nothing can be recorded)."""
        if self.services.open_takes is None:
            self.view.set_recording_possible(False, "Takes are not kept in this mode.")
            return
        self.jobs.submit(self.services.open_takes, self._takes_opened)

    def _takes_opened(self, shelf: TakeShelf | None, err: BaseException | None) -> None:
        if err is not None or shelf is None:
            self.view.set_recording_possible(False, f"Takes unavailable: {err}")
            return
        self.takes = shelf
        self.refresh_takes()

    def _takes_job(
        self,
        fn: Callable[[TakeShelf], T],
        done: Callable[[T], None] | None = None,
        *,
        refresh: bool = False,
    ) -> None:
        """Run ``fn(shelf)`` in a worker; errors become one line beside the take buttons."""
        shelf = self.takes
        if shelf is None:
            return

        def finished(result: Any, err: BaseException | None) -> None:
            if err is not None:
                self.view.show_takes_message(str(err) or type(err).__name__, error=True)
            elif done is not None:
                done(result)
            if refresh:
                self.refresh_takes()

        self.jobs.submit(lambda: fn(shelf), finished)

    def refresh_takes(self) -> None:
        """List the takes of the instructor's technique, with their complete strokes."""
        technique = self.view.technique.currentText()

        def listing(shelf: TakeShelf) -> Listing:
            from trainer.store.takes import stroke_spans

            takes, problems = shelf.takes(technique)
            strokes = {}
            for take in takes:
                _, cap = shelf.load(take.name)
                lo, hi = take.trim or (0.0, take.duration_s)
                strokes[take.name] = sum(a >= lo and b <= hi for a, b in stroke_spans(cap))
            return takes, strokes, problems

        self._listings += 1
        asked = self._listings

        def show(result: Listing) -> None:
            if asked == self._listings:  # else a newer listing (after another change) answers
                self.view.show_takes(*result)

        self._takes_job(listing, show)

    def _load_take(self, name: str) -> None:
        def load(shelf: TakeShelf) -> TakeShown:
            from trainer.store.takes import stroke_spans

            take, cap = shelf.load(name)
            gap_before = np.zeros(cap.n_samples, dtype=bool)
            gap_before[cap.gap_starts] = True
            t, total = with_gap_breaks(cap.t - cap.t[0], cap.values.sum(axis=1), gap_before)
            return take, t, total, stroke_spans(cap)

        self._takes_job(load, lambda r: self.view.show_take(*r))

    def _set_trim(self, name: str, span: tuple[float, float] | None) -> None:
        # Redraw from what was stored (clipped), once it is stored.
        self._takes_job(
            lambda s: s.set_trim(name, span), lambda _: self._load_take(name), refresh=True
        )

    def _add_take_file(self, path: str) -> None:
        technique = self.view.technique.currentText()
        author = self.view.author.text().strip()

        def add(shelf: TakeShelf) -> Take:
            from sensors.capture import read_capture
            from sensors.exceptions import SensorError
            from trainer.exceptions import StoreError

            try:
                performed = capture_technique(read_capture(path))
            except SensorError:
                performed = None  # add_file says what is wrong with it
            if performed and performed != technique:
                raise StoreError(
                    f"{Path(path).name} is a {performed} recording, not {technique}: "
                    f"choose {performed} above to add it"
                )
            # One copy at a time: two files added at once would race for one take name.
            with self._add_lock:
                return shelf.add_file(path, technique, author=author)

        def added(take: Take) -> None:
            self.view.show_takes_message(f"Added {Path(path).name} as a take.")
            self.view.select_take(take.name)

        self.view.show_takes_message(f"Adding {Path(path).name}…")
        self._takes_job(add, added, refresh=True)

    def _on_technique(self, technique: str) -> None:
        self.shell.remember("instructor/technique", technique)
        self.refresh_takes()
        self.link.follow_technique(technique)

    # -- recording a take from the glove --

    def toggle_take(self) -> None:
        """Start recording a take of the instructor's technique, or stop the one running."""
        view = self.view
        acq = self.link.acquisition
        if self.take_recorder is not None:
            recorder, self.take_recorder = self.take_recorder, None
            self._take_finishing = recorder
            if acq is not None:
                acq.set_recorder(None)  # the take is closed in the acquisition thread
            view.recording_stopped("Saving the take…")
            return
        if acq is None or self.takes is None or self.practice.running:
            return
        choice = self.link.choice
        recorder = self.takes.recorder(
            source=choice.spec if choice is not None else "",
            author=view.author.text().strip(),
            synthetic=choice is not None and choice.kind == "sim",
        )
        acq.set_recorder(recorder, technique=view.technique.currentText())
        self.take_recorder = recorder
        self._take_started = time.monotonic()
        self.shell.remember("instructor/author", view.author.text().strip())
        view.recording_started()

    def _on_stopping(self) -> None:
        if self.take_recorder is not None:
            self.toggle_take()

    def tick(self, visible: bool) -> None:
        """Draw the take being recorded; follow its closing and whether one can start."""
        acq = self.link.acquisition
        if visible and acq is not None and self.take_recorder is not None:
            fs = float(acq.profile.sample_rate_hz)
            snap = acq.buffer.snapshot(round(10.0 * fs))
            self.view.show_live(
                snap.t, snap.values.sum(axis=1), time.monotonic() - self._take_started
            )
        finishing = self._take_finishing
        if finishing is not None and (finishing.done or finishing.capture is None):
            self._take_finishing = None
            self.view.recording_stopped(
                f"Take saved ({finishing.duration_s:.1f} s)."
                if finishing.capture
                else "Nothing was recorded."
            )
            if finishing.capture is not None:
                self.view.select_take(Path(finishing.capture).name)
            self.refresh_takes()
        if acq is None:
            gate = (False, "Connect a glove (or the simulated one) to record.")
        elif self.practice.running:
            gate = (False, "Stop the practice session to record a take.")
        elif self.takes is None:
            gate = (False, "Opening your takes…")
        else:
            gate = (True, "")
        if gate != self._recording_gate:
            self._recording_gate = gate
            self.view.set_recording_possible(*gate)

    # -- the reference: build, save, export --

    def _build_reference(self, name: str) -> None:
        view = self.view
        kept = view.kept_takes()
        technique = view.technique.currentText()
        author = view.author.text().strip()
        shelf = self.takes
        if shelf is None:
            return

        def failed_or_shown(result: Reference | None, err: BaseException | None) -> None:
            if err is not None:
                view.build_failed(str(err))
            else:
                view.show_reference(result)

        self.jobs.submit(
            lambda: shelf.build(kept, name=name, technique=technique, author=author),
            failed_or_shown,
        )

    def _save_reference(self) -> None:
        view = self.view
        ref = view.reference
        save = self.services.save_reference
        if ref is None or save is None:
            return
        taken = any(r.name == ref.name for r in self.practice.references)
        if taken and not view.confirm(f"A reference named {ref.name} exists. Replace it?"):
            return

        def saved(path: Path | None, err: BaseException | None) -> None:
            if err is not None or path is None:
                view.show_message(f"Could not save: {err}", error=True)
                return
            view.reference_saved(ref.name, Path(path))
            self.practice.load_references()
            self.refresh_library(select=ref.name)

        self.jobs.submit(lambda: save(ref, taken), saved)

    def _export_reference(self, out: str) -> None:
        view = self.view
        export = self.services.export_references
        name = view.saved_name
        if export is None or not name:
            return

        def exported(_result: object, err: BaseException | None) -> None:
            if err is not None:
                view.show_message(f"Could not export: {err}", error=True)
            else:
                view.show_message(f"Exported {name} to {out}.")

        self.jobs.submit(lambda: export(Path(out), [name]), exported)

    # -- the library: list, delete or hide, unhide, rename (in workers) --

    def refresh_library(self, select: str = "") -> None:
        """List the library's references and hidden starters (``select`` one by name)."""
        open_library = self.services.open_library
        if open_library is None:
            return

        def listing() -> tuple[list[LibraryEntry], list[str]]:
            library = open_library()
            return library.entries(), library.hidden()

        def listed(result: Any, err: BaseException | None) -> None:
            if err is not None:
                self.view.show_library_message(f"Could not list the library: {err}", error=True)
            else:
                entries, hidden = result
                self.view.show_library(entries, hidden, select=select)

        self.jobs.submit(listing, listed)

    def _library_job(
        self,
        fn: Callable[[ReferenceShelf], T],
        said: Callable[[T], str],
        failed: str,
        *,
        select: str = "",
        renamed: tuple[str, str] | None = None,
    ) -> None:
        """Change the library in a worker, then say what happened in one line.

        The library is listed again and Practice reloads what it offers.
        """
        open_library = self.services.open_library
        if open_library is None:
            return

        def done(result: Any, err: BaseException | None) -> None:
            if err is not None:
                # A refused name or an unknown reference: the store's one line, no trace.
                self.view.show_library_message(f"{failed}: {err}", error=True)
                self.refresh_library()
                return
            self.view.show_library_message(said(result))
            if renamed is not None:
                self.view.reference_renamed(*renamed)
            self.refresh_library(select=select)
            self.practice.load_references()

        self.jobs.submit(lambda: fn(open_library()), done)

    def _delete_reference(self, name: str) -> None:
        def said(outcome: str) -> str:
            if outcome == "hidden":
                return f"Hid the starter {name}: Unhide shows it again."
            again = " (the starter of that name shows again)" if "starter" in outcome else ""
            return f"Deleted {name}{again}. Sessions practised against it keep their own copy."

        self._library_job(
            lambda lib: lib.delete(name),
            said,
            f"Could not delete {name}",
            renamed=(name, ""),
        )

    def _unhide_reference(self, name: str) -> None:
        self._library_job(
            lambda lib: lib.unhide(name),
            lambda _: f"The starter {name} shows again.",
            f"Could not unhide {name}",
            select=name,
        )

    def _rename_reference(self, old: str, new: str) -> None:
        self._library_job(
            lambda lib: lib.rename(old, new),
            lambda _: (
                f"Renamed {old} to {new}. Sessions practised against it keep their copy "
                f"under {old}."
            ),
            f"Could not rename {old}",
            select=new,
            renamed=(old, new),
        )

    # -- settings --

    def restore(self) -> None:
        """Select the remembered technique and author."""
        technique = self.shell.recall("instructor/technique", "")
        if isinstance(technique, str) and technique:
            self.view.technique.blockSignals(True)
            self.view.technique.setCurrentText(technique)
            self.view.technique.blockSignals(False)
        author = self.shell.recall("instructor/author", "")
        if isinstance(author, str) and author:
            self.view.author.blockSignals(True)
            self.view.author.setText(author)
            self.view.author.blockSignals(False)
