"""The session store the views share: opened at start-up, whether History is built or not.

Practice records into it; History and Replay read it (:class:`StoreSlot`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import QtCore

from trainer.ui.services import Services

if TYPE_CHECKING:
    from trainer.store.database import Store
    from trainer.ui.controllers.base import JobRunner, Shell, StoreSlot

__all__ = ["StoreOpener"]


class StoreOpener(QtCore.QObject):
    """Opens the session store into ``store``, in a worker, and says when it is done.

    Parameters
    ----------
    services : Services
        ``open_store`` is used (in a worker).
    jobs : JobRunner
        Where blocking calls run.
    shell : Shell
        The window (status bar: why there is no store).
    store : StoreSlot
        Filled once the store is open, or says why it is not.

    Signals
    -------
    finished()
        Opening ended, well or not (the slot says which): the views showing sessions
        show them, or why there are none.
    store_ready()
        The session store opened (after ``finished``).
    """

    finished = QtCore.Signal()
    store_ready = QtCore.Signal()

    def __init__(self, services: Services, jobs: JobRunner, shell: Shell, store: StoreSlot) -> None:
        super().__init__()
        self.services = services
        self.jobs = jobs
        self.shell = shell
        self.store = store

    def open_store(self) -> None:
        """Open the session store in a worker (or say there is none in this mode)."""
        if self.services.open_store is None:
            self.store.error = "no session store in this mode"
            self.store.done = True
            self.finished.emit()
            return
        self.jobs.submit(self.services.open_store, self._store_opened)

    def _store_opened(self, store: Store | None, err: BaseException | None) -> None:
        self.store.done = True
        if err is not None or store is None:
            self.store.error = str(err)
            self.shell.show_message(f"Session store unavailable: {err}", 15000)
            self.finished.emit()
            return
        self.store.store = store
        self.store.error = ""
        self.finished.emit()
        self.store_ready.emit()
