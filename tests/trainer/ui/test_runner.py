"""The GUI's application: cyclic garbage is collected on the GUI thread only."""

from __future__ import annotations

import gc
import threading

from trainer.ui import runner


class _Cycle:
    """A reference cycle that records which thread destroyed it."""

    def __init__(self, destroyed_on: list[str]) -> None:
        self.me = self
        self.destroyed_on = destroyed_on

    def __del__(self) -> None:
        self.destroyed_on.append(threading.current_thread().name)


def _allocate_containers(kept: list[list[int]]) -> None:
    # Far past generation 0's threshold: with automatic collection on, this thread collects.
    # Kept alive: the count that triggers a collection is allocations minus deallocations.
    kept.extend([i] for i in range(200_000))


def test_a_worker_thread_never_collects_garbage_the_gui_thread_collects_it(qapp, qtbot) -> None:
    assert runner.application() is qapp
    assert not gc.isenabled()
    destroyed_on: list[str] = []
    _Cycle(destroyed_on)
    kept: list[list[int]] = []
    worker = threading.Thread(target=_allocate_containers, args=(kept,), name="store-writer")
    worker.start()
    worker.join()
    assert destroyed_on == []  # the worker allocated plenty, yet collected nothing

    qtbot.waitUntil(lambda: destroyed_on != [], timeout=int(4 * runner.GC_INTERVAL_S * 1000))
    assert destroyed_on == [threading.main_thread().name]
