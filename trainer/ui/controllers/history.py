"""The History view's controller: sessions of the store the views share, for the view.

It reads, deletes and restores sessions in that store (opened by
:class:`~trainer.ui.controllers.store.StoreOpener`) for the History view: the current
person's (:meth:`HistoryController.set_person`), or whoever an instructor picks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6 import QtCore

from trainer.store.progress import load_session_scores, progress

if TYPE_CHECKING:
    from trainer.store.progress import TechniqueProgress
    from trainer.store.records import SessionRecord
    from trainer.ui.controllers.base import JobRunner, Shell, StoreSlot
    from trainer.ui.history_view import HistoryView

__all__ = ["HistoryController"]


class HistoryController(QtCore.QObject):
    """Answers the History view from the session store (once ``store`` holds it).

    The view asks (``refresh_requested``, ``delete_requested``, ``restore_requested``);
    every store call runs in a worker (``jobs``) and its answer goes back to the view.
    What the store's opening says, the window hands on (:meth:`show_store`); asking for
    a replay is wired by the window to the Replay controller.

    Parameters
    ----------
    view : HistoryView
        The view it drives.
    jobs : JobRunner
        Where blocking calls run.
    shell : Shell
        The window.
    store : StoreSlot
        The store once open (or why it is not), filled by the
        :class:`~trainer.ui.controllers.store.StoreOpener`.
    """

    #: Wait this long after a session before reading it (its recorder finishes in the
    #: acquisition thread; :meth:`LateViews._session_ended` waits).
    REFRESH_DELAY_MS = 500

    def __init__(
        self,
        view: HistoryView,
        jobs: JobRunner,
        shell: Shell,
        store: StoreSlot,
    ) -> None:
        super().__init__()
        self.view = view
        self.jobs = jobs
        self.shell = shell
        self.store = store
        self._reads = 0  # the latest read asked for; an older answer is dropped
        self._progress_reads = 0
        view.refresh_requested.connect(self.load_sessions)
        view.delete_requested.connect(self.delete_session)
        view.restore_requested.connect(self.restore_session)

    def show_store(self) -> None:
        """Show what the store slot says: the sessions once open, else why there are none.

        While the store opens, the view says so already (its first words).
        """
        if self.store.store is not None:
            self.view.refresh()
        elif self.store.done:
            self.view.show_unavailable(self.store.error)

    # -- what the view asks --

    def set_person(self, name: str, role: str, names: Sequence[str]) -> None:
        """Show ``name``'s sessions; an instructor (``role``) may choose among ``names``."""
        self.view.set_people(name, role, names)

    def load_sessions(self, technique: str, deleted: bool) -> None:
        """Read the sessions (of ``technique``; ``""``: all) in a worker and show them.

        Only the sessions of the view's person (:meth:`HistoryView.person_filter`).
        """
        store = self.store.store
        if store is None:
            return
        self._reads += 1
        read = self._reads
        user = self.view.person_filter()

        def load() -> tuple[list[SessionRecord], dict[int, dict[str, float | None]]]:
            sessions = store.sessions(technique=technique or None, deleted=deleted, user=user)
            return sessions, store.component_means([s.id for s in sessions])

        def done(result: Any, err: BaseException | None) -> None:
            if read != self._reads:
                return  # the filter changed since: a newer read answers
            if err is not None:
                self.view.show_error(f"Could not read sessions: {err}")
            else:
                self.view.show_sessions(*result)

        self.jobs.submit(load, done)
        if not deleted:  # the panel reads the visible sessions
            self.load_progress(technique)

    def load_progress(self, technique: str) -> None:
        """Read dependence and retention (of ``technique``; ``""``: all) for the panel.

        The person's visible sessions (:meth:`HistoryView.person_filter`), read and
        computed in a worker (:mod:`trainer.store.progress`).
        """
        store = self.store.store
        if store is None:
            return
        self._progress_reads += 1
        read = self._progress_reads
        user = self.view.person_filter()

        def load() -> list[TechniqueProgress]:
            scores = load_session_scores(store, technique=technique or None, user=user)
            return progress(scores, now=datetime.now(UTC))

        def done(result: Any, err: BaseException | None) -> None:
            if read == self._progress_reads and err is None:  # else a newer read answers
                self.view.retention.show_progress(result)

        self.jobs.submit(load, done)

    def delete_session(self, session_id: int) -> None:
        """Soft-delete a session (the view has asked the user), then re-read."""
        store = self.store.store
        if store is not None:
            self._change(store.delete_session, session_id, f"Deleted session {session_id}.")

    def restore_session(self, session_id: int) -> None:
        """Undo the deletion of a session, then re-read."""
        store = self.store.store
        if store is not None:
            self._change(store.restore_session, session_id, f"Restored session {session_id}.")

    def _change(self, action: Callable[[int], None], session_id: int, done_text: str) -> None:
        def done(_: Any, err: BaseException | None) -> None:
            self.view.show_status(str(err) if err is not None else done_text)
            self.view.refresh()

        self.jobs.submit(lambda: action(session_id), done)
