"""What every controller shares: the worker pool, the window it may ask, the store slot.

A controller (presenter) holds one view's logic and state. It reads its view's signals,
calls the injected :class:`~trainer.ui.services.Services` in worker threads through a
:class:`JobRunner`, and tells its view what to show. What it needs from the window
(switch view, a status-bar line, a remembered setting) it asks through :class:`Shell`,
so a test can drive a controller with a fake shell and no :class:`MainWindow`.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from trainer.store.database import Store

__all__ = ["Done", "JobRunner", "Jobs", "Shell", "StoreSlot"]

T = TypeVar("T")

#: Called on the GUI thread with ``(result, None)`` or ``(None, error)``.
Done = Callable[[Any, BaseException | None], None]


class JobRunner(Protocol):
    """Runs blocking calls off the GUI thread; results come back on it."""

    def submit(self, fn: Callable[[], Any], done: Done) -> None:
        """Run ``fn`` in a worker; call ``done(result, error)`` later on the GUI thread."""
        ...

    @property
    def busy(self) -> bool:
        """Some submitted call has not been collected yet."""
        ...


class Jobs:
    """Blocking calls run in worker threads; results are collected by the frame timer."""

    def __init__(self, workers: int = 3) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="ui-worker")
        self._pending: list[tuple[concurrent.futures.Future[Any], Done]] = []

    def submit(self, fn: Callable[[], Any], done: Done) -> None:
        """Run ``fn`` in a worker; :meth:`poll` calls ``done`` once it has finished."""
        self._pending.append((self._pool.submit(fn), done))

    @property
    def busy(self) -> bool:
        """Some submitted call has not been collected yet."""
        return bool(self._pending)

    def poll(self) -> None:
        """Hand finished calls their results (on the calling, i.e. GUI, thread)."""
        ready = [(f, cb) for f, cb in self._pending if f.done()]
        if not ready:
            return
        self._pending = [(f, cb) for f, cb in self._pending if not f.done()]
        for future, callback in ready:
            err = future.exception()
            callback(None if err else future.result(), err)

    def shutdown(self) -> None:
        """Stop taking work; calls not started are dropped, none is waited for."""
        self._pool.shutdown(wait=False, cancel_futures=True)


class Shell(Protocol):
    """What a controller may ask of the window that holds its view."""

    def show_view(self, key: str) -> None:
        """Bring a view to the front (``"connect"``, ``"practice"``...)."""
        ...

    def show_message(self, text: str, timeout_ms: int) -> None:
        """Show a transient line in the status bar."""
        ...

    def show_source(self, text: str) -> None:
        """Say which glove is connected (the status bar's left label)."""
        ...

    def show_alignment(self, text: str) -> None:
        """Say whether live scoring is ready (a status bar label)."""
        ...

    def remember(self, key: str, value: object) -> None:
        """Persist a user's choice (nothing happens without settings)."""
        ...

    def recall(self, key: str, default: object = "") -> object:
        """Return a remembered choice, or ``default``."""
        ...


@dataclass(slots=True)
class StoreSlot:
    """The session store, once opened: Practice records into it, History and Replay read it.

    Written by :class:`~trainer.ui.controllers.store.StoreOpener` (which opens it);
    ``error`` says why there is none (shown where sessions would be).
    """

    store: Store | None = None
    error: str = "the session store is still opening"
    done: bool = False
