"""Who is practising: the window's current person, read from and added to the store.

The current person is what Practice records as, whose History is shown by default, and
who performs the Instructor's takes. At start-up it is ``Services.user`` (``demo
--user``), else the person the window remembers, else the last person who practised,
else the default person (``student``, as before people existed). A data home with
nobody in it asks "Who is practising?" (skippable: Guest) when the window remembers
its settings (the real app; not demos, renders and tests).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6 import QtCore

from trainer.store.people import DEFAULT_PERSON, GUEST

if TYPE_CHECKING:
    from trainer.store.database import Store
    from trainer.store.people import Person
    from trainer.ui.controllers.base import JobRunner, Shell, StoreSlot
    from trainer.ui.people_bar import PeopleBar
    from trainer.ui.services import Services

__all__ = ["PeopleController"]

_SETTING = "people/current"


class PeopleController(QtCore.QObject):
    """Keeps the current person and the list of people; adds people to the store.

    Parameters
    ----------
    view : PeopleBar
        The top bar it drives.
    services : Services
        ``user`` (who practises at start, if given) is used.
    jobs : JobRunner
        Where store calls run.
    shell : Shell
        The window (settings, status bar).
    store : StoreSlot
        The session store once open.
    ask_first_run : bool
        Ask "Who is practising?" when the store knows nobody and no one is remembered.

    Signals
    -------
    changed()
        The current person, their role or the list of people changed.
    """

    changed = QtCore.Signal()

    def __init__(
        self,
        view: PeopleBar,
        services: Services,
        jobs: JobRunner,
        shell: Shell,
        store: StoreSlot,
        *,
        ask_first_run: bool = False,
    ) -> None:
        super().__init__()
        self.view = view
        self.services = services
        self.jobs = jobs
        self.shell = shell
        self.store = store
        self.ask_first_run = ask_first_run
        #: Everyone in the store (empty until it is read).
        self.people: list[Person] = []
        remembered = shell.recall(_SETTING, "")
        self._remembered = remembered if isinstance(remembered, str) else ""
        self.current = services.user or self._remembered or DEFAULT_PERSON
        self.role = "student"
        self._current_id: int | None = None  # the row: a rename elsewhere keeps them current
        view.switch_requested.connect(self.switch)
        view.add_requested.connect(self.add)
        view.skip_requested.connect(self.skip)
        view.show_person(self.current, self.role)

    @property
    def names(self) -> list[str]:
        """Everyone's names, as the store spells them."""
        return [p.name for p in self.people]

    def load(self) -> None:
        """Read the people (in a worker) and settle who practises now."""
        store = self.store.store
        if store is None:
            return

        def read() -> tuple[list[Person], str | None]:
            latest = store.sessions()
            return store.people(), (latest[-1].user if latest else None)

        self.jobs.submit(read, self._loaded)

    def _loaded(self, result: Any, err: BaseException | None) -> None:
        if err is not None:
            self.shell.show_message(f"Could not read who practises here: {err}", 10000)
            return
        people, latest = result
        first_run = not people
        self.people = people
        # Read again (a session ended, someone was renamed): whoever practised goes on.
        chosen = next((p for p in people if p.id == self._current_id), None)
        if self._current_id is None:
            chosen = self._find(self.services.user or "") or self._find(self._remembered)
            chosen = chosen or self._find(latest or "") or self._find(self.current)
        if chosen is not None:
            self.current, self.role, self._current_id = chosen.name, chosen.role, chosen.id
        self._show()
        if first_run and self.ask_first_run and not self._remembered and not self.services.user:
            self.view.ask_name(True)

    def _find(self, name: str) -> Person | None:
        from trainer.store.people import same_name

        if not name:
            return None
        return next((p for p in self.people if same_name(p.name, name)), None)

    def _show(self) -> None:
        self.view.show_people([(p.name, p.role) for p in self.people])
        self.view.show_person(self.current, self.role)
        self.changed.emit()

    # -- what the bar asks --

    def switch(self, name: str) -> None:
        """Practise as ``name`` (someone in :attr:`people`) from now on."""
        person = self._find(name)
        if person is None:
            self.shell.show_message(f"Nobody called {name!r} here.", 5000)
            return
        if (person.name, person.role) == (self.current, self.role):
            self.view.show_person(self.current, self.role)  # re-tick the menu
            return
        self.current, self.role, self._current_id = person.name, person.role, person.id
        self.shell.remember(_SETTING, person.name)
        self.shell.show_message(f"Practising as {person.name}.", 4000)
        self._show()

    def add(self, name: str, role: str) -> None:
        """Add a person to the store (in a worker) and practise as them."""
        self._write(lambda store: store.add_person(name, role))

    def skip(self) -> None:
        """Practise as Guest (the first-run question was skipped)."""

        def guest(store: Store) -> Person:
            store.ensure_user(GUEST)  # there already if someone skipped before
            return store.person(GUEST)

        self._write(guest)

    def _write(self, action: Callable[[Store], Person]) -> None:
        store: Store | None = self.store.store
        if store is None:
            self.view.show_error(f"People cannot be added: {self.store.error}")
            return

        def job() -> tuple[Person, list[Person]]:
            person = action(store)
            return person, store.people()

        def done(result: Any, err: BaseException | None) -> None:
            if err is not None:
                self.view.show_error(str(err))
                return
            person, people = result
            self.view.hide_strip()
            self.people = people
            self.current = ""  # so switch() always announces the new person
            self.switch(person.name)

        self.jobs.submit(job, done)
