"""The Replay view's controller: loads a session or an attempt from the store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import QtCore

if TYPE_CHECKING:
    from trainer.store.replay import ReplayData
    from trainer.ui.controllers.base import JobRunner, Shell, StoreSlot
    from trainer.ui.replay_view import ReplayView

__all__ = ["ReplayController", "gui_words"]


def gui_words(message: str) -> str:
    """Turn a store message meant for the command line into one for the window.

    ``"no attempt 99 (see `massage-trainer history --attempts`)"`` becomes ``"No attempt
    99: pick a session in History (its strokes are listed here once open)."``
    """
    import re

    text = re.sub(r"\s*\(see `massage-trainer[^`]*`\)", "", message).strip()
    if re.match(r"no (attempt|session) \d+", text):
        text += ": pick a session in History (its strokes are listed here once open)."
    return text[:1].upper() + text[1:]


class ReplayController(QtCore.QObject):
    """Loads what the user (or History) asks to replay, in a worker, into the view.

    Parameters
    ----------
    view : ReplayView
        The view it drives (playback itself is the view's own timer).
    jobs : JobRunner
        Where loading runs.
    shell : Shell
        The window (brings Replay to the front).
    store : StoreSlot
        The session store replays are read from.

    Signals
    -------
    loaded()
        :meth:`open_replay` finished loading and the view shows it.
    """

    loaded = QtCore.Signal()

    def __init__(self, view: ReplayView, jobs: JobRunner, shell: Shell, store: StoreSlot) -> None:
        super().__init__()
        self.view = view
        self.jobs = jobs
        self.shell = shell
        self.store = store
        view.open_requested.connect(self.open_replay)

    def open_replay(self, target: str) -> None:
        """Load a session (``"S12"``) or an attempt (``"A7"``) and show it in Replay."""
        store = self.store.store
        self.shell.show_view("replay")
        if store is None:
            self.view.show_error(f"Replay needs the session store: {self.store.error}")
            return
        from trainer.store.replay import load_replay

        def done(data: ReplayData | None, err: BaseException | None) -> None:
            if err is not None:
                self.view.show_error(gui_words(str(err) or type(err).__name__))
            else:
                self.view.show_data(data)
                # Space plays: the focus leaves the id box (where Space would type).
                self.view.play_button.setFocus(QtCore.Qt.FocusReason.OtherFocusReason)
                self.loaded.emit()

        self.view.show_note(f"Loading {target}…")
        self.jobs.submit(lambda: load_replay(store, target), done)

    def toggle_play(self) -> None:
        """Play or pause (Space in this view)."""
        self.view.toggle_play()
