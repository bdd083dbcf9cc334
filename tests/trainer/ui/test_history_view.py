from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from trainer.store.database import Store
from trainer.ui.history_view import HistoryView


def _run_now(fn, done) -> None:
    try:
        result: Any = fn()
    except Exception as err:
        done(None, err)
    else:
        done(result, None)


@pytest.fixture
def store(tmp_path, practise, effleurage_capture):
    with Store(tmp_path) as store:
        for _ in range(2):
            practise(store, f"replay:{effleurage_capture}?speed=0")
        yield store


def _view(qtbot, techniques=("effleurage", "friction")) -> HistoryView:
    view = HistoryView(list(techniques), _run_now)
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    return view


def test_sessions_and_progress_are_shown(qtbot, themed_app, store) -> None:
    view = _view(qtbot)
    view.set_store(store)
    assert view.table.rowCount() == 2
    assert view.table.item(0, 0).text() == "2"  # newest first
    assert view.table.item(0, 2).text() == "effleurage"
    x, y = view.lines["overall"].getData()
    means = store.component_means([1, 2])
    np.testing.assert_allclose(y, [means[1]["overall"], means[2]["overall"]])
    assert x[0] <= x[1]
    _, shape = view.lines["shape"].getData()
    assert np.all((0 <= shape) & (shape <= 100))
    assert "2 sessions" in view.subtitle.text()
    view.technique.setCurrentIndex(view.technique.findData("friction"))
    assert view.table.rowCount() == 0 and "No sessions" in view.subtitle.text()
    assert not view.grab().isNull()


def test_delete_asks_first_and_can_be_undone(qtbot, themed_app, store) -> None:
    view = _view(qtbot)
    view.set_store(store)
    asked: list[str] = []
    view.confirm = lambda text: asked.append(text) or False
    view.table.selectRow(0)
    view.delete_selected()
    assert len(asked) == 1 and "restore it later" in asked[0]
    assert view.table.rowCount() == 2  # declined: nothing deleted
    view.confirm = lambda text: True
    view.delete_selected()
    assert view.table.rowCount() == 1 and "Deleted session 2" in view.status.text()
    assert [s.id for s in store.sessions(deleted=True)] == [2]
    view.show_deleted.setChecked(True)
    assert view.table.rowCount() == 1 and view.restore_button.isVisible()
    view.table.selectRow(0)
    view.restore_selected()
    view.show_deleted.setChecked(False)
    assert view.table.rowCount() == 2


def test_open_selected_asks_for_a_replay(qtbot, themed_app, store) -> None:
    view = _view(qtbot)
    view.set_store(store)
    assert not view.open_button.isEnabled()
    view.table.selectRow(1)
    with qtbot.waitSignal(view.replay_requested) as signal:
        view.open_button.click()
    assert signal.args == ["S1"]


def test_without_a_store_the_view_says_why(qtbot, themed_app) -> None:
    view = _view(qtbot)
    view.set_store(None, "database is corrupt")
    assert view.subtitle.text() == "Sessions are not available: database is corrupt"
