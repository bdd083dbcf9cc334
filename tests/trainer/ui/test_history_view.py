from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from fakes import FakeShell, ManualJobs
from PySide6.QtWidgets import QTableWidgetItem

from trainer.store.database import Store
from trainer.ui.controllers import HistoryController, StoreOpener, StoreSlot
from trainer.ui.history_view import HistoryView
from trainer.ui.services import Services


class _RunNow:
    """A job runner that runs each call at once (the store is a local temp file)."""

    busy = False

    def submit(self, fn, done) -> None:
        try:
            result: Any = fn()
        except Exception as err:
            done(None, err)
        else:
            done(result, None)


def _no_source(spec: str):
    raise AssertionError("history opens no source")


def _services(open_store) -> Services:
    return Services(
        open_source=_no_source,
        load_references=list,
        open_store=open_store,
        techniques=("effleurage", "friction"),
        simulated_techniques=("effleurage",),
    )


@pytest.fixture(scope="module")
def _practised_twice(tmp_path_factory, practise, effleurage_capture) -> Path:
    """A data home with two sessions practised on the fixture (never opened again)."""
    home = tmp_path_factory.mktemp("history-template")
    with Store(home) as store:
        for _ in range(2):
            practise(store, f"replay:{effleurage_capture}?speed=0")
    return home


@pytest.fixture
def store(tmp_path, _practised_twice):
    """A store of this test's own, with the two practised sessions (tests change it)."""
    home = tmp_path / "home"
    shutil.copytree(_practised_twice, home)  # the closed store: its database and captures
    with Store(home) as store:
        yield store


def _view(qtbot, techniques=("effleurage", "friction")) -> HistoryView:
    view = HistoryView(list(techniques))
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    return view


def _cell(view: HistoryView, row: int, column: int) -> QTableWidgetItem:
    """The table's item at ``(row, column)``, which must exist."""
    item = view.table.item(row, column)
    assert item is not None, (row, column)
    return item


def _opened(
    view: HistoryView, open_store, jobs=None, shell=None
) -> tuple[HistoryController, StoreOpener]:
    """The view's controller, shown what opening the store says, as the window wires them.

    The store opens at once, unless ``jobs``.
    """
    jobs, shell, slot = jobs or _RunNow(), shell or FakeShell(), StoreSlot()
    ctl = HistoryController(view, jobs, shell, slot)
    opener = StoreOpener(_services(open_store), jobs, shell, slot)
    opener.finished.connect(ctl.show_store)
    opener.open_store()
    return ctl, opener


def _controlled(qtbot, store, jobs=None) -> tuple[HistoryView, HistoryController, FakeShell]:
    """The view with its controller, once ``store`` opened (at once, unless ``jobs``)."""
    view, shell = _view(qtbot), FakeShell()
    ctl, _ = _opened(view, lambda: store, jobs, shell)
    return view, ctl, shell


def test_sessions_and_progress_are_shown(qtbot, themed_app, store: Store) -> None:
    view, ctl, _ = _controlled(qtbot, store)
    assert ctl.store.store is store and ctl.store.done
    assert view.table.rowCount() == 2
    assert _cell(view, 0, 0).text() == "2"  # newest first
    assert _cell(view, 0, 2).text() == "effleurage"
    x, y = view.lines["overall"].getData()
    means = store.component_means([1, 2])
    first, second = means[1]["overall"], means[2]["overall"]
    assert first is not None and second is not None
    np.testing.assert_allclose(y, [first, second])
    assert x[0] <= x[1]
    _, shape = view.lines["shape"].getData()
    assert np.all((0 <= shape) & (shape <= 100))
    assert "2 sessions" in view.subtitle.text()
    view.technique.setCurrentIndex(view.technique.findData("friction"))
    assert view.table.rowCount() == 0 and "No sessions" in view.subtitle.text()
    assert not view.grab().isNull()


def test_delete_asks_first_and_can_be_undone(qtbot, themed_app, store) -> None:
    view, _ctl, _ = _controlled(qtbot, store)  # _ctl held: its slots die with it
    asked: list[str] = []

    def decline(text: str) -> bool:
        asked.append(text)
        return False

    view.confirm = decline
    view.table.selectRow(0)
    view.delete_selected()
    assert len(asked) == 1 and "restore it later" in asked[0]
    assert view.table.rowCount() == 2  # declined: nothing deleted
    assert store.sessions(deleted=True) == []
    view.confirm = lambda text: True
    view.delete_selected()
    assert view.table.rowCount() == 1 and "Deleted session 2" in view.status.text()
    assert [s.id for s in store.sessions(deleted=True)] == [2]
    view.show_deleted.setChecked(True)
    assert view.table.rowCount() == 1 and view.restore_button.isVisible()
    view.table.selectRow(0)
    view.restore_selected()
    assert "Restored session 2" in view.status.text()
    assert store.sessions(deleted=True) == []
    view.show_deleted.setChecked(False)
    assert view.table.rowCount() == 2


def test_open_selected_asks_for_a_replay(qtbot, themed_app, store) -> None:
    view, _ctl, _ = _controlled(qtbot, store)  # _ctl held: its slots die with it
    assert not view.open_button.isEnabled()
    view.table.selectRow(1)
    with qtbot.waitSignal(view.replay_requested) as signal:
        view.open_button.click()
    assert signal.args == ["S1"]


def test_without_a_store_the_view_says_why(qtbot, themed_app) -> None:
    view = _view(qtbot)
    assert view.subtitle.text() == "Sessions are not available: opening the session store…"
    view.show_unavailable("database is corrupt")
    assert view.subtitle.text() == "Sessions are not available: database is corrupt"


def test_the_controller_says_why_there_is_no_store(qtbot, themed_app) -> None:
    def broken() -> Store:
        raise RuntimeError("database is corrupt")

    view, shell = _view(qtbot), FakeShell()
    ready: list[bool] = []
    ctl, opener = _opened(view, broken, shell=shell)
    opener.store_ready.connect(lambda: ready.append(True))
    slot = ctl.store
    assert slot.done and slot.store is None and slot.error == "database is corrupt"
    assert view.subtitle.text() == "Sessions are not available: database is corrupt"
    assert shell.messages == ["Session store unavailable: database is corrupt"]
    view.refresh()  # nothing to read from: nothing happens
    assert view.loads == 0 and ctl.view is view and not ready

    view = _view(qtbot)
    _opened(view, None, shell=shell)
    assert view.subtitle.text() == "Sessions are not available: no session store in this mode"


def test_a_controller_built_after_the_store_opened_shows_it(qtbot, themed_app, store) -> None:
    """History is built on first use: its controller reads the store already open."""
    slot, shell, jobs = StoreSlot(), FakeShell(), _RunNow()
    opener = StoreOpener(_services(lambda: store), jobs, shell, slot)
    ready: list[bool] = []
    opener.store_ready.connect(lambda: ready.append(True))
    opener.open_store()
    assert slot.store is store and slot.done and ready == [True]
    view = _view(qtbot)
    assert "opening the session store" in view.subtitle.text()
    ctl = HistoryController(view, jobs, shell, slot)
    ctl.show_store()
    assert view.loads == 1 and view.table.rowCount() == 2
    assert "2 sessions" in view.subtitle.text()


def _session(sid: int, hours: float) -> SimpleNamespace:
    return SimpleNamespace(
        id=sid,
        started_at=datetime(2024, 5, 1, tzinfo=UTC) + timedelta(hours=hours),
        technique="effleurage",
        reference_name="effleurage-starter",
        attempts=12,
        mean_overall=70.0,
        best_overall=81.0,
        state="finished",
    )


def test_the_view_alone_only_asks(qtbot, themed_app) -> None:
    """No controller: the view holds no store, it emits what the user asks and shows
    what it is told."""
    view = _view(qtbot)
    assert not hasattr(view, "store")
    asked: list[tuple[str, Any]] = []
    view.refresh_requested.connect(lambda t, d: asked.append(("refresh", (t, d))))
    view.delete_requested.connect(lambda sid: asked.append(("delete", sid)))
    view.restore_requested.connect(lambda sid: asked.append(("restore", sid)))

    view.refresh()
    view.technique.setCurrentIndex(view.technique.findData("friction"))
    view.show_deleted.setChecked(True)
    view.show_deleted.setChecked(False)
    assert asked == [
        ("refresh", ("", False)),
        ("refresh", ("friction", False)),
        ("refresh", ("friction", True)),
        ("refresh", ("friction", False)),
    ]
    assert view.loads == 0 and view.table.rowCount() == 0  # asking shows nothing yet

    asked.clear()
    view.show_sessions([_session(4, 0), _session(7, 30)], {4: {"overall": 60.0}, 7: {}})
    assert view.loads == 1 and view.table.rowCount() == 2
    assert _cell(view, 0, 0).text() == "7" and "2 sessions · friction" in view.subtitle.text()
    view.table.selectRow(0)
    view.confirm = lambda text: False
    view.delete_selected()
    view.confirm = lambda text: True
    view.delete_selected()
    view.restore_selected()
    assert asked == [("delete", 7), ("restore", 7)]  # declined: not asked
    view.show_status("Deleted session 7.")
    assert view.status.text() == "Deleted session 7."
    view.show_error("Could not read sessions: disk full")
    assert view.subtitle.text() == "Could not read sessions: disk full"


def test_the_controller_deletes_and_restores_through_the_store(qtbot, themed_app, store) -> None:
    jobs = ManualJobs()
    view, ctl, _ = _controlled(qtbot, store, jobs)
    assert view.loads == 0 and jobs.busy  # the store opens in a worker
    jobs.run()
    assert view.loads == 1 and view.table.rowCount() == 2

    view.delete_requested.emit(1)
    assert store.sessions(deleted=True) == [] and jobs.busy  # not on the GUI thread
    jobs.run()
    assert [s.id for s in store.sessions(deleted=True)] == [1]
    assert view.status.text() == "Deleted session 1." and view.loads == 2
    assert [s.id for s in view.sessions] == [2]

    ctl.restore_session(1)
    jobs.run()
    assert store.sessions(deleted=True) == [] and view.status.text() == "Restored session 1."
    assert [s.id for s in view.sessions] == [1, 2]

    view.restore_requested.emit(99)  # unknown: the store's error is shown
    jobs.run()
    assert "99" in view.status.text() and len(store.sessions()) == 2


def test_an_older_read_does_not_overwrite_a_newer_one(qtbot, themed_app, store) -> None:
    jobs = ManualJobs()
    view, ctl, _ = _controlled(qtbot, store, jobs)
    jobs.run()
    view.technique.setCurrentIndex(view.technique.findData("friction"))
    view.technique.setCurrentIndex(view.technique.findData("effleurage"))
    fn_old, done_old = jobs.pending.pop(0)
    done_old(fn_old(), None)  # the superseded (friction) answer comes first: dropped
    assert view.loads == 1
    jobs.run()
    assert view.loads == 2 and view.table.rowCount() == 2 and ctl.view is view


def _scored(sid: int, days_ago: float, technique: str, overall: float) -> tuple[Any, dict]:
    session = SimpleNamespace(
        id=sid,
        started_at=datetime(2026, 11, 30, 12, 0, tzinfo=UTC) - timedelta(days=days_ago),
        technique=technique,
        reference_name=f"{technique}-starter",
        attempts=5,
        mean_overall=overall,
        best_overall=overall + 2,
        state="finished",
    )
    return session, {"overall": overall, "shape": overall - 1, "pressure": overall - 2}


def test_all_techniques_draws_one_line_per_technique(qtbot, themed_app) -> None:
    view = _view(qtbot)
    rows = [
        _scored(1, 20, "effleurage", 70.0),
        _scored(2, 14, "friction", 40.0),
        _scored(3, 7, "effleurage", 80.0),
        _scored(4, 1, "friction", 55.0),
    ]
    view.show_sessions([s for s, _ in rows], {s.id: m for s, m in rows})
    eff, fri = view.technique_lines["effleurage"], view.technique_lines["friction"]
    assert list(eff.getData()[1]) == [70.0, 80.0] and list(fri.getData()[1]) == [40.0, 55.0]
    assert eff.opts["pen"].color().name() != fri.opts["pen"].color().name()
    assert eff.opts["symbol"] != fri.opts["symbol"]  # told apart in greyscale too
    overall_x = view.lines["overall"].getData()[0]
    assert overall_x is None or len(overall_x) == 0
    assert "effleurage" in view.legend.text() and "friction" in view.legend.text()
    # Narrowed to one technique: its overall and components again.
    one = [r for r in rows if r[0].technique == "friction"]
    view.show_sessions([s for s, _ in one], {s.id: m for s, m in one})
    assert list(view.lines["overall"].getData()[1]) == [40.0, 55.0]
    assert fri.getData()[0] is None or len(fri.getData()[0]) == 0
    assert "shape" in view.legend.text()


def test_the_legend_sits_above_the_plot_not_on_it(qtbot, themed_app) -> None:
    view = _view(qtbot)
    rows = [_scored(1, 3, "effleurage", 97.0), _scored(2, 1, "effleurage", 99.0)]
    view.show_sessions([s for s, _ in rows], {s.id: m for s, m in rows})
    themed_app.processEvents()
    assert view.plot.legend is None  # nothing drawn over the data
    legend = view.legend.geometry()
    assert view.legend.isVisible() and legend.bottom() < view.plot_widget.geometry().top()


def test_scores_near_the_top_are_not_squashed(qtbot, themed_app) -> None:
    view = _view(qtbot)
    rows = [_scored(1, 3, "effleurage", 96.0), _scored(2, 1, "effleurage", 99.0)]
    rows[0][1].update(shape=95.0, pressure=95.0)
    rows[1][1].update(shape=97.0, pressure=98.0)
    view.show_sessions([s for s, _ in rows], {s.id: m for s, m in rows})
    lo, hi = view.plot.viewRange()[1]
    assert 100.0 <= hi <= 103.0
    assert hi - lo <= 20.0  # 95-100 fills at least a quarter of the height


def test_empty_plot_shows_dates_and_finished_sessions_say_so(qtbot, themed_app) -> None:
    view = _view(qtbot)
    view.show_sessions([], {})
    lo, hi = view.plot.viewRange()[0]
    assert hi - lo >= 86_400 and lo > 1e9  # a stretch of real dates, not 0-1 s of 1970
    session, means = _scored(3, 1, "effleurage", 80.0)
    view.show_sessions([session], {3: means})
    state = _cell(view, 0, 7).text()
    assert state == "Finished"


def test_date_axis_adapts_from_minutes_to_days(qtbot, themed_app) -> None:
    view = _view(qtbot)
    axis = view.plot.getAxis("bottom")
    view.plot_widget.grab()  # the axis measures its labels with the font it paints with
    start = datetime(2026, 11, 30, 9, 0, tzinfo=UTC).timestamp()

    def labels(span_s: float) -> list[str]:
        """The labels of the finest tick level drawn over ``span_s``."""
        levels = [lv for lv in axis.tickValues(start, start + span_s, 600) if len(lv[1])]
        spacing, values = levels[-1]
        return axis.tickStrings(values, 1.0, spacing)

    minutes = labels(30 * 60)
    weeks = labels(21 * 86_400)
    assert minutes and all(len(t) == 5 and t[2] == ":" for t in minutes)  # 09:05
    month = datetime.fromtimestamp(start + 10 * 86_400).strftime("%b")
    # Days name their month: "3 Dec", not a bare "03".
    assert weeks and all(t.split()[-1] in (month, "Nov", "Dec") for t in weeks), weeks
    assert all(not t.startswith("0") for t in weeks)


def test_probe_sessions_are_marked_in_the_table(qtbot, themed_app, tmp_path, session_in) -> None:
    """Issue 19: History marks no-feedback probes apart from practice sets."""
    with Store(tmp_path) as store:
        practice = session_in(store, "effleurage", end=True)
        capture = store.home / "sessions" / "probe.mtcap"
        capture.write_bytes(b"")
        probe = store.begin_session(
            technique="effleurage",
            reference=None,
            reference_name="effleurage-starter",
            glove="reference-glove",
            source="sim:effleurage",
            feedback_mode="off",
            capture=capture,
            kind="probe",
        )
        store.end_session(probe, samples=0, duration_s=0.0)
        view, _, _ = _controlled(qtbot, store)
        header_items = [view.table.horizontalHeaderItem(c) for c in range(view.table.columnCount())]
        headers = [item.text() for item in header_items if item is not None]
        assert len(headers) == len(header_items)
        kind = headers.index("Kind")
        shown = {
            int(_cell(view, r, 0).text()): _cell(view, r, kind)
            for r in range(view.table.rowCount())
        }
        assert set(shown) == {practice, probe}
        assert shown[probe].text() == "Probe" and shown[practice].text() == "Practice"
        assert "probe" in shown[probe].toolTip().lower() and not shown[practice].toolTip()
        assert shown[probe].font().bold() and not shown[practice].font().bold()
