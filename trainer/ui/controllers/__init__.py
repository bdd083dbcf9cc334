"""One controller (presenter) per view; :class:`~trainer.ui.main_window.MainWindow` composes them.

A view only shows and asks (signals out, ``show_*`` in). Its controller holds the view's
logic and state, calls the injected :class:`~trainer.ui.services.Services` through a
:class:`~trainer.ui.controllers.base.JobRunner` (workers: the GUI thread never blocks)
and asks the window for what is the window's through a
:class:`~trainer.ui.controllers.base.Shell`.

- :class:`ConnectController` owns the live source and its acquisition; Practice and
  Instructor read it and follow its ``started``/``stopping`` signals.
- :class:`PracticeController`: references, alignment warm-up, sessions, live frames.
- :class:`InstructorController`: the takes shelf, recording takes, build/save/export.
- :class:`StoreOpener`: opens the session store (a :class:`StoreSlot` shared by
  Practice, History and Replay) at start-up.
- :class:`HistoryController`: reads, deletes and restores sessions for the History view.
- :class:`ReplayController`: loads sessions and attempts to replay.

Beside them, the window's own helpers: :class:`~trainer.ui.controllers.frames.FrameClock`
(the frame timer that ticks the controllers),
:class:`~trainer.ui.controllers.late_views.LateViews` (what the views built on first use
follow: the person, the store, new sessions) and
:class:`~trainer.ui.controllers.window_state.WindowState` (remembered settings, geometry).
"""

from __future__ import annotations

from trainer.ui.controllers.base import JobRunner, Jobs, Shell, StoreSlot
from trainer.ui.controllers.connect import ConnectController
from trainer.ui.controllers.history import HistoryController
from trainer.ui.controllers.instructor import InstructorController
from trainer.ui.controllers.practice import PracticeController
from trainer.ui.controllers.replay import ReplayController
from trainer.ui.controllers.store import StoreOpener

__all__ = [
    "ConnectController",
    "HistoryController",
    "InstructorController",
    "JobRunner",
    "Jobs",
    "PracticeController",
    "ReplayController",
    "Shell",
    "StoreOpener",
    "StoreSlot",
]
