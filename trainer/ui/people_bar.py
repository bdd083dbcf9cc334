"""Who is practising, at the top of the window's sidebar, and switching in two clicks.

The bar holds no store: it shows who practises (:meth:`PeopleBar.show_person`), whom
one can switch to (:meth:`PeopleBar.show_people`), and asks (signals) to switch, to add
someone or to skip the first-run question. Its controller is
:class:`~trainer.ui.controllers.people.PeopleController`.

Two clicks switch person: the "Switch person" button opens a menu of everyone, a
click on a name switches (Ctrl+U opens the same menu). Adding someone, and the
first-run question "Who is practising?", are an inline form under it, never a modal
dialog (the glove keeps streaming behind it). It sits in the sidebar, under the
program's name, so it is on every view without taking height from any (every view
still fits a 1024×600 screen).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from PySide6 import QtCore, QtWidgets

from trainer.ui.widgets import label

__all__ = ["PeopleBar"]


class PeopleBar(QtWidgets.QFrame):
    """Who practises, a menu to switch, and an inline "add a person" form (a column).

    Parameters
    ----------
    parent : QtWidgets.QWidget or None
        Parent widget.

    Signals
    -------
    switch_requested(str)
        Practise as this person (a name from :meth:`show_people`).
    add_requested(str, str)
        Add a person (name as typed, role) and practise as them.
    skip_requested()
        The first-run question was skipped: practise as Guest.
    """

    switch_requested = QtCore.Signal(str)
    add_requested = QtCore.Signal(str, str)
    skip_requested = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("peopleBar")
        self.names: list[str] = []
        self.current = ""
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(22, 0, 12, 10)
        outer.setSpacing(4)

        self.who = label("", "muted", wrap=True)
        self.who.setTextFormat(QtCore.Qt.TextFormat.PlainText)  # a name is never markup
        self.who.setAccessibleName("Who is practising")
        outer.addWidget(self.who)
        self.switch_button = QtWidgets.QToolButton()
        self.switch_button.setText("Switch person")
        self.switch_button.setToolTip("Practise as someone else (Ctrl+U)")
        self.switch_button.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        self.switch_button.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Fixed
        )
        self.menu = QtWidgets.QMenu(self.switch_button)
        self.switch_button.setMenu(self.menu)
        outer.addWidget(self.switch_button)

        # The inline form: the first-run question, or "add a person".
        self.strip = QtWidgets.QWidget()
        row = QtWidgets.QVBoxLayout(self.strip)
        row.setContentsMargins(0, 4, 0, 0)
        self.question = label("Who is practising?")
        row.addWidget(self.question)
        self.name_edit = QtWidgets.QLineEdit()
        self.name_edit.setPlaceholderText("Your name")
        self.name_edit.setAccessibleName("Name")
        self.name_edit.setMaxLength(60)  # checked properly by the store (40 after trimming)
        self.name_edit.returnPressed.connect(self._add)
        row.addWidget(self.name_edit)
        self.role = QtWidgets.QComboBox()
        self.role.addItem("Student", "student")
        self.role.addItem("Instructor", "instructor")
        self.role.setAccessibleName("Role")
        row.addWidget(self.role)
        self.add_button = QtWidgets.QPushButton("Start")
        self.add_button.setObjectName("primary")
        self.add_button.clicked.connect(self._add)
        row.addWidget(self.add_button)
        self.skip_button = QtWidgets.QPushButton("Skip (Guest)")
        self.skip_button.setToolTip("Practise as Guest; choose or add a name later")
        self.skip_button.clicked.connect(self._skip)
        row.addWidget(self.skip_button)
        self.cancel_button = QtWidgets.QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.hide_strip)
        row.addWidget(self.cancel_button)
        self.error = label("", "muted", wrap=True)
        outer.addWidget(self.strip)
        outer.addWidget(self.error)
        self.strip.hide()
        self.error.hide()
        self.show_person("", "")
        self.show_people([])

    # -- what the controller tells it --

    def show_person(self, name: str, role: str) -> None:
        """Say who practises (``""``: not known yet)."""
        self.current = name
        shown = f"{name} (instructor)" if role == "instructor" else name
        self.who.setText(f"Practising:\n{shown}" if name else "Practising: …")
        for action in self.menu.actions():
            if action.isCheckable():
                action.setChecked(action.data() == name)

    def show_people(self, people: Sequence[tuple[str, str]]) -> None:
        """Offer these people, ``(name, role)``, in the switch menu."""
        self.names = [name for name, _ in people]
        self.menu.clear()
        for name, role in people:
            text = f"{name} (instructor)" if role == "instructor" else name
            action = self.menu.addAction(text.replace("&", "&&"))  # no accelerator
            action.setCheckable(True)
            action.setData(name)
            action.setChecked(name == self.current)
            action.triggered.connect(functools.partial(self.switch_requested.emit, name))
        if people:
            self.menu.addSeparator()
        self.menu.addAction("Add a person…").triggered.connect(lambda: self.ask_name(False))

    def ask_name(self, first_run: bool) -> None:
        """Show the strip: "Who is practising?" (``first_run``, skippable) or add a person."""
        self.question.setText("Who is practising?" if first_run else "New person:")
        self.add_button.setText("Start" if first_run else "Add")
        self.skip_button.setVisible(first_run)
        self.cancel_button.setVisible(not first_run)
        self.role.setCurrentIndex(0)
        self.name_edit.clear()
        self.error.hide()
        self.strip.show()

    def show_error(self, text: str) -> None:
        """Say why a name was refused (the strip stays open)."""
        self.error.setText(text)
        self.error.show()

    def hide_strip(self) -> None:
        """Close the strip (a person was added, or the user cancelled)."""
        self.strip.hide()
        self.error.hide()

    @property
    def asking(self) -> bool:
        """The strip is open."""
        return not self.strip.isHidden()

    def open_menu(self) -> None:
        """Open the switch menu under its button (the Ctrl+U shortcut)."""
        self.menu.popup(self.switch_button.mapToGlobal(self.switch_button.rect().bottomLeft()))

    # -- what it asks --

    def _add(self) -> None:
        self.add_requested.emit(self.name_edit.text(), str(self.role.currentData()))

    def _skip(self) -> None:
        self.hide_strip()
        self.skip_requested.emit()
