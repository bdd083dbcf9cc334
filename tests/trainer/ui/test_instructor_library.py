"""The Instructor's library page: delete, hide and unhide, rename, with confirmation (issue 15).

Driven through the real widgets (the Library button, the list, the buttons); the question
and the name dialogs are answered by patching Qt's dialogs. Each change is checked in the
library on disk, in the list, and in what Practice offers.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from fakes import make_services
from PySide6 import QtCore, QtWidgets

from sensors.sources import open_source
from trainer.store.references import ReferenceLibrary
from trainer.ui.main_window import MainWindow

LEFT = QtCore.Qt.MouseButton.LeftButton
MINE = "effleurage-anna"
STARTER = "effleurage-starter"


@pytest.fixture
def library(tmp_path, effleurage_ref) -> ReferenceLibrary:
    library = ReferenceLibrary(tmp_path / "references")
    library.add(replace(effleurage_ref, name=MINE, author="Anna"))
    return library


@pytest.fixture
def window(qtbot, themed_app, library):
    services = replace(
        make_services(open_source),
        load_references=lambda: [library.get(n) for n in library.names()],
        open_library=lambda: library,
    )
    win = MainWindow(services, frame_interval_ms=10)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.resize(1024, 600)  # after show: bigger than the offscreen screen, laid out all the same
    qtbot.waitUntil(lambda: win.references_loaded, timeout=5000)
    win.show_view("instructor")
    qtbot.mouseClick(win.instructor_view.library_page_button, LEFT)
    qtbot.waitUntil(lambda: MINE in _listed(win), timeout=5000)
    yield win
    win.close()


@pytest.fixture
def answers(monkeypatch):
    """Answers the confirmation (Yes unless told) and the name dialog; records questions."""
    asked: dict[str, list] = {"questions": [], "yes": [True], "names": []}

    def question(parent, title, text, *args, **kwargs):
        asked["questions"].append(text)
        yes = asked["yes"].pop(0) if len(asked["yes"]) > 1 else asked["yes"][0]
        button = QtWidgets.QMessageBox.StandardButton
        return button.Yes if yes else button.No

    def get_text(parent, title, label, echo, text, *args, **kwargs):
        answer = asked["names"].pop(0)
        return ("", False) if answer is None else (answer, True)

    monkeypatch.setattr(QtWidgets.QMessageBox, "question", question)
    monkeypatch.setattr(QtWidgets.QInputDialog, "getText", get_text)
    return asked


def _listed(window) -> list[str]:
    return [name for name, _ in window.instructor_view.library]


def _row_texts(window, name: str) -> list[str]:
    table = window.instructor_view.library_table
    row = _listed(window).index(name)
    return [table.item(row, col).text() for col in range(table.columnCount())]


def _select(qtbot, window, name: str) -> None:
    view = window.instructor_view
    row = _listed(window).index(name)
    rect = view.library_table.visualRect(view.library_table.model().index(row, 0))
    qtbot.mouseClick(view.library_table.viewport(), LEFT, pos=rect.center())
    assert view.selected_reference()[0] == name


def _offered(window) -> list[str]:
    combo = window.practice_view.reference
    return [combo.itemText(i) for i in range(combo.count())]


def test_deleting_your_reference_asks_then_removes_it_everywhere(
    qtbot, window, library, answers
) -> None:
    view = window.instructor_view
    qtbot.waitUntil(lambda: MINE in _offered(window), timeout=5000)
    assert _row_texts(window, MINE)[-1] == "yours"
    # The library page fits a 1024×600 window as the build page does: nothing scrolls.
    QtWidgets.QApplication.processEvents()
    assert window.size() == QtCore.QSize(1024, 600)
    assert window.stack.currentWidget().verticalScrollBar().maximum() == 0
    _select(qtbot, window, MINE)
    assert view.remove_button.text() == "Delete…" and view.rename_button.isEnabled()

    answers["yes"] = [False]  # No: nothing changes
    qtbot.mouseClick(view.remove_button, LEFT)
    assert "Delete the reference effleurage-anna?" in answers["questions"][-1]
    assert "keep their own copy" in answers["questions"][-1]
    assert MINE in library.names()

    answers["yes"] = [True]
    qtbot.mouseClick(view.remove_button, LEFT)
    qtbot.waitUntil(lambda: MINE not in _listed(window), timeout=5000)
    assert MINE not in library.names()
    assert f"Deleted {MINE}" in view.library_message.text()
    qtbot.waitUntil(lambda: MINE not in _offered(window), timeout=5000)
    assert STARTER in _offered(window)


def test_a_starter_is_hidden_not_deleted_and_unhide_shows_it_again(
    qtbot, window, library, answers
) -> None:
    view = window.instructor_view
    _select(qtbot, window, STARTER)
    assert view.remove_button.text() == "Hide…"
    assert not view.rename_button.isEnabled()  # starters keep their name
    qtbot.mouseClick(view.remove_button, LEFT)
    assert "hidden, not deleted" in answers["questions"][-1]
    qtbot.waitUntil(lambda: library.hidden() == [STARTER], timeout=5000)
    qtbot.waitUntil(lambda: _row_texts(window, STARTER)[-1] == "starter, hidden", timeout=5000)
    qtbot.waitUntil(lambda: STARTER not in _offered(window), timeout=5000)
    assert STARTER not in library.names()

    _select(qtbot, window, STARTER)
    assert view.unhide_button.isEnabled() and not view.remove_button.isEnabled()
    qtbot.mouseClick(view.unhide_button, LEFT)
    qtbot.waitUntil(lambda: _row_texts(window, STARTER)[-1] == "starter", timeout=5000)
    assert library.hidden() == [] and STARTER in library.names()
    qtbot.waitUntil(lambda: STARTER in _offered(window), timeout=5000)
    assert view.selected_reference() == (STARTER, "bundled")


def test_rename_refuses_a_bad_or_taken_name_in_one_line_then_renames(
    qtbot, window, library, answers
) -> None:
    view = window.instructor_view
    _select(qtbot, window, MINE)

    answers["names"] = ["anna's stroke"]
    qtbot.mouseClick(view.rename_button, LEFT)
    qtbot.waitUntil(lambda: "Could not rename" in view.library_message.text(), timeout=5000)
    line = view.library_message.text()
    assert "invalid reference name" in line and "\n" not in line and "Traceback" not in line
    assert MINE in library.names()

    answers["names"] = [STARTER]  # taken by a starter
    qtbot.mouseClick(view.rename_button, LEFT)
    qtbot.waitUntil(lambda: "already exists" in view.library_message.text(), timeout=5000)
    assert MINE in library.names()

    answers["names"] = [None]  # cancelled: nothing asked of the library
    qtbot.mouseClick(view.rename_button, LEFT)
    assert MINE in library.names()

    answers["names"] = ["effleurage-ana"]
    qtbot.mouseClick(view.rename_button, LEFT)
    qtbot.waitUntil(lambda: "effleurage-ana" in _listed(window), timeout=5000)
    assert MINE not in _listed(window)
    assert library.get("effleurage-ana").name == "effleurage-ana"  # the name inside too
    assert library.get("effleurage-ana").author == "Anna"
    assert MINE not in library.names()
    assert view.selected_reference() == ("effleurage-ana", "user")
    qtbot.waitUntil(lambda: "effleurage-ana" in _offered(window), timeout=5000)
    assert MINE not in _offered(window)
