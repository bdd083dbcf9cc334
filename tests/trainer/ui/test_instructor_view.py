"""The Instructor view: takes in, marks and trims, build, save, export; recording live."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from fakes import make_services
from PySide6 import QtCore

from sensors.capture import read_capture
from sensors.sources import open_source
from trainer.store.packs import export_pack, import_pack
from trainer.store.references import ReferenceLibrary
from trainer.store.takes import TakeShelf
from trainer.ui.instructor_view import span_outline
from trainer.ui.main_window import MainWindow

EFF = "effleurage-sim.mtcap"
LEFT = QtCore.Qt.MouseButton.LeftButton


@pytest.fixture
def library(tmp_path) -> ReferenceLibrary:
    return ReferenceLibrary(tmp_path / "references")


@pytest.fixture
def window(qtbot, themed_app, references, library, tmp_path):
    services = replace(
        make_services(open_source, references),
        load_references=lambda: [*references, *map(library.get, _mine(library))],
        open_takes=lambda: TakeShelf(tmp_path / "home"),
        save_reference=lambda ref, overwrite: library.add(ref, overwrite=overwrite),
        export_references=lambda out, names: export_pack(
            out, references=names, library=library, overwrite=True
        ),
    )
    win = MainWindow(services, frame_interval_ms=10)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.references_loaded and win.takes is not None, timeout=5000)
    win.show_view("instructor")
    yield win
    win.close()


def _mine(library: ReferenceLibrary) -> list[str]:
    """The references saved in this test's library (not the bundled ones)."""
    return sorted(p.stem for p in library.user_dir.glob("*.mtref"))


def _points(curve) -> int:
    x, _ = curve.getData()
    return 0 if x is None else len(x)


def _check(view, row: int, keep: bool) -> None:
    state = QtCore.Qt.CheckState.Checked if keep else QtCore.Qt.CheckState.Unchecked
    view.table.item(row, 0).setCheckState(state)


def test_span_outline_draws_one_box_per_span() -> None:
    x, y = span_outline([(1.0, 2.0), (3.0, 3.5)], 10.0)
    np.testing.assert_array_equal(x, [1, 1, 2, 2, 3, 3, 3.5, 3.5])
    np.testing.assert_array_equal(y, [0, 10, 10, 0, 0, 10, 10, 0])


def test_instructor_builds_saves_and_exports_a_reference_from_fixture_takes(
    qtbot, window, fixtures_dir, library, tmp_path
) -> None:
    view = window.instructor_view
    shelf: TakeShelf = window.takes
    assert not view.record_button.isEnabled()
    assert "Connect a glove" in view.record_status.text()

    # Two takes come in from files (as an instructor's earlier recordings would).
    files = iter([str(fixtures_dir / EFF), str(fixtures_dir / EFF)])
    view.ask_open_path = lambda: next(files)
    view.author.setText("Ana")
    for _ in range(2):
        qtbot.mouseClick(view.add_button, LEFT)
        qtbot.wait(50)
    qtbot.waitUntil(lambda: view.table.rowCount() == 2 and len(view.strokes) == 2, timeout=5000)
    assert [view.table.item(r, 4).text() for r in range(2)] == ["8", "8"]
    assert view.table.item(0, 2).text() == "Ana"
    names = [t.name for t in view.takes]

    # Selecting a take shows it whole, with its complete strokes shaded and its trim.
    view.table.selectRow(0)
    qtbot.waitUntil(lambda: view.take_curve.getData()[0] is not None, timeout=5000)
    _, y = view.take_curve.getData()
    cap = read_capture(fixtures_dir / EFF)
    np.testing.assert_allclose(y, cap.values.sum(axis=1))
    assert len(view.strokes_fill.getData()[0]) == 4 * 8
    assert view.trim_region.isVisible()
    assert view.trim_region.getRegion() == pytest.approx((0.0, cap.duration_s))

    # A bad take is unticked: kept out of builds, the mark is stored.
    _check(view, 1, keep=False)
    qtbot.waitUntil(lambda: shelf.take(names[1]).good is False, timeout=5000)
    assert view.build_button.text() == "Build from 1 kept take"
    _check(view, 1, keep=True)
    qtbot.waitUntil(lambda: shelf.take(names[1]).good, timeout=5000)

    # Trimming the first take to its first three strokes.
    view.trim_region.setRegion((0.0, 4.1))
    view.trim_region.sigRegionChangeFinished.emit(view.trim_region)
    qtbot.waitUntil(lambda: shelf.take(names[0]).trim is not None, timeout=5000)
    qtbot.waitUntil(lambda: view.table.item(0, 4).text() == "3", timeout=5000)
    assert "(trimmed)" in view.table.item(0, 3).text()

    # Build: template and band drawn, nothing saved yet.
    assert not view.build_button.isEnabled()  # no name yet, and the view says so
    assert view.build_hint.isVisible()
    assert view.build_hint.text() == "Name the reference to build it."
    view.ref_name.setText("effleurage-ana")
    qtbot.mouseClick(view.build_button, LEFT)
    qtbot.waitUntil(lambda: view.reference is not None, timeout=20000)
    ref = view.reference
    assert ref.n_strokes == 11 and ref.author == "Ana" and ref.technique == "effleurage"
    _, ty = view.template.getData()
    np.testing.assert_allclose(ty, ref.template.sum(axis=1))
    assert len(view.band_hi.getData()[1]) == ref.length
    assert "built from 11 strokes" in view.ref_info.text()
    assert _mine(library) == [] and not view.export_button.isEnabled()

    # Save: in the library, and offered in Practice.
    qtbot.mouseClick(view.save_button, LEFT)
    qtbot.waitUntil(lambda: view.saved_name == "effleurage-ana", timeout=5000)
    assert _mine(library) == ["effleurage-ana"]
    qtbot.waitUntil(
        lambda: any(r.name == "effleurage-ana" for r in window.practice_view.references),
        timeout=5000,
    )

    # Export a pack; it imports elsewhere into the same reference.
    out = tmp_path / "share.mtpack"
    view.ask_save_path = lambda suggested: str(out)
    qtbot.mouseClick(view.export_button, LEFT)
    qtbot.waitUntil(lambda: "Exported" in view.ref_message.text(), timeout=5000)
    # The export's line is beside the buttons: the reference's summary stays.
    assert "built from 11 strokes" in view.ref_info.text() and "Saved as" in view.ref_info.text()
    other = ReferenceLibrary(tmp_path / "student" / "references")
    from trainer.store.database import Store

    with Store(tmp_path / "student") as store:
        result = import_pack(out, store=store, library=other)
    assert result["references"] == ["effleurage-ana"]
    np.testing.assert_allclose(other.get("effleurage-ana").template, ref.template)
    assert not window.grab().isNull()


def test_a_build_that_cannot_work_says_why_in_one_line(qtbot, window, fixtures_dir) -> None:
    view = window.instructor_view
    shelf: TakeShelf = window.takes
    take = shelf.add_file(fixtures_dir / EFF, "effleurage")
    shelf.set_trim(take.name, (0.0, 1.5))  # one stroke only
    window.refresh_takes()
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=5000)
    view.ref_name.setText("too-few")
    qtbot.mouseClick(view.build_button, LEFT)
    qtbot.waitUntil(lambda: "Could not build" in view.ref_message.text(), timeout=10000)
    assert "need at least 3" in view.ref_message.text() and "\n" not in view.ref_message.text()
    assert view.reference is None and view.build_button.isEnabled()

    # Deleting asks first.
    asked: list[str] = []

    def decline(question: str) -> bool:
        asked.append(question)
        return False

    view.confirm = decline
    view.table.selectRow(0)
    qtbot.mouseClick(view.delete_button, LEFT)
    assert asked and shelf.takes()[0]
    view.confirm = lambda q: True
    qtbot.mouseClick(view.delete_button, LEFT)
    qtbot.waitUntil(lambda: view.table.rowCount() == 0, timeout=5000)
    assert shelf.takes() == ([], [])


def test_recording_a_take_from_the_glove(qtbot, window, fixtures_dir) -> None:
    view = window.instructor_view
    capture = fixtures_dir / EFF
    window.connect_source(
        replace(
            window.connect_view.choice(),
            kind="replay",
            target=str(capture),
            options=(("speed", "3"),),
        )
    )
    qtbot.waitUntil(lambda: window.acquisition is not None, timeout=5000)
    window.show_view("instructor")
    qtbot.waitUntil(view.record_button.isEnabled, timeout=5000)
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Space)  # Space records in this view
    assert view.recording and view.record_button.text() == "Stop take"
    assert not view.technique.isEnabled()
    # Practice cannot start on top of a take.
    window.toggle_session()
    assert not window.practice_view.running
    qtbot.waitUntil(
        lambda: "Recording…" in view.record_status.text() and _points(view.take_curve) > 50,
        timeout=5000,
    )
    with qtbot.waitSignal(window.source_finished, timeout=15000):
        pass
    qtbot.mouseClick(view.record_button, LEFT)
    qtbot.waitUntil(lambda: "Take saved" in view.record_status.text(), timeout=5000)
    qtbot.waitUntil(lambda: view.table.rowCount() == 1 and bool(view.strokes), timeout=5000)
    take = view.takes[0]
    recorded = read_capture(take.path)
    original = read_capture(capture)
    # Every sample after the take started is in it, unchanged.
    n = recorded.n_samples
    assert n > 0.8 * original.n_samples
    np.testing.assert_allclose(recorded.values, original.values[-n:])
    assert recorded.metadata["take"]["technique"] == "effleurage"
    assert view.strokes[take.name] >= 6


def test_a_take_with_a_gap_is_drawn_broken_there(qtbot, window, fixtures_dir, tmp_path) -> None:
    from sensors.blocks import SampleBlock
    from sensors.capture import CaptureWriter

    cap = read_capture(fixtures_dir / EFF)
    holed = tmp_path / "holed.mtcap"
    with CaptureWriter(holed, cap.profile, source="test") as writer:
        writer.append(SampleBlock(cap.t[:1000], cap.values[:1000], cap.profile))
        writer.append(SampleBlock(cap.t[1100:], cap.values[1100:], cap.profile, gap_before=True))
    view = window.instructor_view
    window.takes.add_file(holed, "effleurage")
    window.refresh_takes()
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=5000)
    view.table.selectRow(0)
    qtbot.waitUntil(lambda: _points(view.take_curve) > 0, timeout=5000)
    _, y = view.take_curve.getData()
    assert np.isnan(y).sum() == 1 and len(y) == cap.n_samples - 100 + 1


def test_add_file_shows_the_take_and_says_what_happened_beside_the_button(
    qtbot, window, fixtures_dir
) -> None:
    view = window.instructor_view
    assert view.technique.currentText() == "effleurage"
    assert "No takes of this technique yet" in view.take_info.text()
    view.ask_open_path = lambda: str(fixtures_dir / EFF)
    qtbot.mouseClick(view.add_button, LEFT)
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=5000)
    qtbot.waitUntil(lambda: "complete strokes" in view.take_info.text(), timeout=5000)
    assert "No takes" not in view.take_info.text()
    assert view.selected_take() == view.takes[0].name and _points(view.take_curve) > 0
    assert view.takes_message.isVisible() and "Added" in view.takes_message.text()
    assert "Added" not in view.ref_info.text()

    # A tapotement recording offered as effleurage is refused, beside the button.
    view.ask_open_path = lambda: str(fixtures_dir / "tapotement-sim.mtcap")
    qtbot.mouseClick(view.add_button, LEFT)
    qtbot.waitUntil(lambda: "not effleurage" in view.takes_message.text(), timeout=5000)
    assert "not effleurage" in view.takes_message.text()
    assert len(window.takes.takes()[0]) == 1  # nothing renamed into effleurage
    assert not view.ref_message.isVisible()

    # An unreadable file: its reason, beside the button too.
    view.ask_open_path = lambda: str(fixtures_dir / "README.md")
    qtbot.mouseClick(view.add_button, LEFT)
    qtbot.waitUntil(
        lambda: "README" in view.takes_message.text() and "Adding" not in view.takes_message.text(),
        timeout=5000,
    )
    assert len(window.takes.takes()[0]) == 1


def test_build_says_why_it_is_disabled(qtbot, window, fixtures_dir) -> None:
    view = window.instructor_view
    assert not view.build_button.isEnabled()
    assert "Record or add takes" in view.build_hint.text() and view.build_hint.isVisible()
    window.takes.add_file(fixtures_dir / EFF, "effleurage")
    window.refresh_takes()
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=5000)
    assert view.build_hint.text() == "Name the reference to build it."
    _check(view, 0, keep=False)
    assert "Tick Keep" in view.build_hint.text()
    _check(view, 0, keep=True)
    view.ref_name.setText("mine")
    assert view.build_button.isEnabled() and not view.build_hint.isVisible()


def test_plots_are_readable_before_anything_is_built(qtbot, window) -> None:
    window.resize(1024, 600)
    window.show_view("instructor")
    qtbot.wait(50)
    view = window.instructor_view
    for widget, plot in ((view.ref_widget, view.ref_plot), (view.take_widget, view.take_plot)):
        assert widget.height() >= 110
        box = plot.getViewBox().height()
        # The y axis shows its title whole (it runs along the plot's height), and ticks.
        assert plot.getAxis("left").label.boundingRect().width() <= box
        assert box >= 70
    assert "No reference built yet" in view.ref_info.text()


def test_stopping_a_take_shows_it_whole(qtbot, window, fixtures_dir) -> None:
    view = window.instructor_view
    window.connect_source(
        replace(
            window.connect_view.choice(),
            kind="replay",
            target=str(fixtures_dir / EFF),
            options=(("speed", "3"),),
        )
    )
    qtbot.waitUntil(lambda: window.acquisition is not None, timeout=5000)
    window.show_view("instructor")
    qtbot.waitUntil(view.record_button.isEnabled, timeout=5000)
    window.instructor_controller.toggle_take()
    qtbot.waitUntil(lambda: _points(view.take_curve) > 200, timeout=5000)
    assert view.take_info.text().startswith("Recording:")
    window.instructor_controller.toggle_take()
    assert not view.take_info.text().startswith("Recording:")
    qtbot.waitUntil(lambda: "Take saved" in view.record_status.text(), timeout=5000)
    qtbot.waitUntil(lambda: "complete strokes" in view.take_info.text(), timeout=5000)
    take = view.takes[0]
    assert view.selected_take() == take.name
    # The whole take is drawn from its start, not the last rolling 10 s.
    x, _ = view.take_curve.getData()
    assert x[0] == pytest.approx(0.0) and view.take_plot.viewRange()[0][0] <= 0.01
    n = view.strokes[take.name]
    assert view.take_info.text().startswith(f"{n} complete strokes")
