"""What the views built on first use follow, whether they are built yet or not.

History shows the current person's sessions, the store's state and each session just
written; the Instructor's author field follows the person who practises. Before either
view is built, :class:`LateViews` keeps what it would have been told and tells it once
the window has built it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import QtCore

from trainer.ui.controllers.history import HistoryController

if TYPE_CHECKING:
    from trainer.ui.controllers.base import Shell
    from trainer.ui.controllers.people import PeopleController
    from trainer.ui.controllers.practice import PracticeController
    from trainer.ui.instructor_view import InstructorView

__all__ = ["LateViews"]


class LateViews(QtCore.QObject):
    """Keeps History and the Instructor's author up to date, built or not.

    Parameters
    ----------
    people : PeopleController
        Who practises (its ``changed`` is followed).
    practice : PracticeController
        Its ``session_ended`` refreshes History; it is told the person's role.
    shell : Shell
        The window (status bar; the remembered author).
    parent : QtCore.QObject or None
        The window: a History refresh still due when it closes is dropped with it.

    Attributes
    ----------
    author : str
        The Instructor's author field until the view is built: the remembered author,
        then the performer as the person changes.
    """

    def __init__(
        self,
        people: PeopleController,
        practice: PracticeController,
        shell: Shell,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.people = people
        self.practice = practice
        self.shell = shell
        author = shell.recall("instructor/author", "")
        self.author = author if isinstance(author, str) else ""
        self._performer = ""  # the name last put in the Instructor's author field
        self._people_known = False  # the people controller has announced someone
        self._instructor: InstructorView | None = None
        self._history: HistoryController | None = None
        people.changed.connect(self._person_changed)
        practice.session_ended.connect(self._session_ended)

    def instructor_built(self, view: InstructorView) -> None:
        """Show the new Instructor view the author it would have been shown.

        Called after its controller restored the remembered choices.
        """
        self._instructor = view
        if view.author.text() != self.author:  # the performer since
            view.author.setText(self.author)

    def history_built(self, history: HistoryController) -> None:
        """Show the new History view whose sessions, then the store's (read once)."""
        self._history = history
        if self._people_known:
            # Whose sessions first, silently: show_store then reads them once.
            with QtCore.QSignalBlocker(history.view):
                self._show_person(history)
        history.show_store()

    def store_opened(self) -> None:
        """Show History the store's sessions, or why there are none (once it has opened)."""
        if self._history is not None:  # else it reads the slot when built
            self._history.show_store()

    def _session_ended(self) -> None:
        """Read History's sessions again shortly (the recorder finishes in its thread).

        Also when History is not built yet: built meanwhile, it must not keep a read
        made before the session was written.
        """
        delay = HistoryController.REFRESH_DELAY_MS
        QtCore.QTimer.singleShot(delay, self, self._refresh_history)

    def _refresh_history(self) -> None:
        if self._history is not None:  # else it reads the sessions when built
            self._history.view.refresh()

    def _show_person(self, history: HistoryController) -> None:
        people = self.people
        history.set_person(people.current, people.role, people.names)

    def _person_changed(self) -> None:
        people = self.people
        self._people_known = True
        if self._history is not None:  # else it is told when built
            self._show_person(self._history)
        # The author of takes follows the performer, never over a typed name.
        if self._instructor is not None:
            author = self._instructor.author
            if author.text().strip() in ("", self._performer):
                author.setText(people.current)
        elif self.author.strip() in ("", self._performer):
            self.author = people.current
        self._performer = people.current
        self.practice.sync_role()
        if self.practice.running:
            self.shell.show_message(
                f"This session goes on as it started; the next is {people.current}'s.", 6000
            )
