"""The History view's controller: opens the session store the other views share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import QtCore

from trainer.ui.services import Services

if TYPE_CHECKING:
    from trainer.store.database import Store
    from trainer.ui.controllers.base import JobRunner, Shell, StoreSlot
    from trainer.ui.history_view import HistoryView

__all__ = ["HistoryController"]


class HistoryController(QtCore.QObject):
    """Opens the session store (into ``store``) and keeps the History view on it.

    The view lists, deletes and restores sessions itself, through the job runner it
    was given; asking for a replay is wired by the window to the Replay controller.

    Parameters
    ----------
    view : HistoryView
        The view it drives.
    services : Services
        ``open_store`` is used (in a worker).
    jobs : JobRunner
        Where blocking calls run.
    shell : Shell
        The window (status bar).
    store : StoreSlot
        Filled once the store is open (or says why it is not).

    Signals
    -------
    store_ready()
        The session store opened (history and replay can read it).
    """

    store_ready = QtCore.Signal()

    #: Wait this long after a session before reading it (its recorder finishes in the
    #: acquisition thread).
    REFRESH_DELAY_MS = 500

    def __init__(
        self,
        view: HistoryView,
        services: Services,
        jobs: JobRunner,
        shell: Shell,
        store: StoreSlot,
    ) -> None:
        super().__init__()
        self.view = view
        self.services = services
        self.jobs = jobs
        self.shell = shell
        self.store = store

    def open_store(self) -> None:
        """Open the session store in a worker (or say there is none in this mode)."""
        if self.services.open_store is None:
            self.store.error = "no session store in this mode"
            self.store.done = True
            self.view.set_store(None, self.store.error)
            return
        self.jobs.submit(self.services.open_store, self._store_opened)

    def _store_opened(self, store: Store | None, err: BaseException | None) -> None:
        self.store.done = True
        if err is not None or store is None:
            self.store.error = str(err)
            self.shell.show_message(f"Session store unavailable: {err}", 15000)
            self.view.set_store(None, self.store.error)
            return
        self.store.store = store
        self.store.error = ""
        self.view.set_store(store)
        self.store_ready.emit()

    def refresh_soon(self) -> None:
        """Re-read the sessions shortly (a session just ended)."""
        QtCore.QTimer.singleShot(self.REFRESH_DELAY_MS, self.view.refresh)
