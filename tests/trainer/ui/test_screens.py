"""The window on small and large screens: it fits, nothing overlaps, keyboard and names.

Every view is laid out at 1024×600 (a small laptop or a 7" panel) in a busy state
(connected glove, a running session with score cards, takes, a replay, sessions): no
widget may lie outside the window, no page may need scrolling, and no two widgets of a
card may overlap.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest
from fakes import ScriptedSource, make_services
from PySide6 import QtCore, QtGui, QtWidgets

from sensors.sources.base import SourceState
from trainer.ui.main_window import MainWindow
from trainer.ui.services import SourceChoice
from trainer.ui.widgets import Card

SMALL = (1024, 600)
#: The views this file checks (others bring their own tests).
MINE = ("connect", "practice", "instructor", "replay", "history")


def _score(i: int) -> SimpleNamespace:
    deductions = [
        SimpleNamespace(code="too_light_end", message="too light at the end: 3 N", points=4.0),
        SimpleNamespace(code="rushed", message="rushed: 20 % faster than it", points=2.5),
    ]
    return SimpleNamespace(
        overall=80.0 + i,
        components={"shape": 90.0, "pressure": 75.0, "tempo": 85.0, "smoothness": 88.0},
        deductions=deductions,
    )


def _make_busy_window(qtbot, references) -> MainWindow:
    """A 1024×600 window with a streaming glove and a session with score cards.

    The glove sends a block every 20 ms (five times its 200 Hz): each block draws a frame
    at once, and at the fake's default of a block every 5 ms the GUI thread never caught
    up (a test's few processEvents calls went on drawing for seconds, tens on a busy
    machine).
    """
    source = ScriptedSource(block=20, interval_s=0.02)
    source.set_state(SourceState.STREAMING, "connected", battery_pct=80)
    window = MainWindow(make_services(lambda spec: source, references), frame_interval_ms=10)
    window.show()
    # Bigger than the offscreen test screen (800×800): laid out at 1024×600 all the same.
    window.resize(*SMALL)
    qtbot.waitUntil(lambda: window.references_loaded and window.warm_done, timeout=5000)
    window.connect_source(SourceChoice("ble", "AA:BB"))
    qtbot.waitUntil(lambda: window.acquisition is not None, timeout=5000)
    acquisition = window.acquisition
    assert acquisition is not None
    qtbot.waitUntil(lambda: len(acquisition.buffer.snapshot()) > 300, timeout=5000)
    window.show_view("practice")
    qtbot.waitUntil(window.practice_view.can_start, timeout=5000)
    window.toggle_session()
    for i in range(4):
        window.practice_view.add_score(_score(i))
    return window


def _layout_counts(window: MainWindow) -> dict[str, int]:
    """How many items each page's layout holds (a test must not leave one behind)."""
    counts = {}
    for key, page in window._pages.items():
        layout = page.layout()
        assert layout is not None
        counts[key] = layout.count()
    return counts


#: The shared busy window while it exists (two streaming windows would share one GUI
#: thread: the tests with a window of their own run first).
_SHARED: list[MainWindow] = []


@pytest.fixture(scope="module")
def _shared_busy_window(request, themed_app, references):
    """One busy window for the tests that only look at it (resize, show a view, focus).

    Building the window costs about a second of CPU; these tests change nothing that a
    later one reads (``busy_window`` puts size, view and focus back, and checks that).
    Tests that change what the window shows use ``fresh_busy_window``.
    """
    from pytestqt.qtbot import QtBot

    # A module's own QtBot (pytest-qt's fixture is per test): the window is closed below.
    window = _make_busy_window(QtBot(request), references)
    _SHARED.append(window)
    yield window, _layout_counts(window)
    _SHARED.clear()
    window.close()
    window.deleteLater()


@pytest.fixture
def busy_window(qtbot, _shared_busy_window):
    """The shared busy window, as each test first sees it: 1024×600, Practice shown."""
    window, counts = _shared_busy_window
    focused = QtWidgets.QApplication.focusWidget()
    if focused is not None:
        focused.clearFocus()
    window.resize(*SMALL)
    window.show_view("practice")
    qtbot.waitUntil(lambda: window.size() == QtCore.QSize(*SMALL), timeout=2000)
    # What an earlier test must not have changed: the running session, its cards, and
    # the widgets of every page.
    assert window.practice_view.running and len(window.practice_view.scores) >= 4
    assert _layout_counts(window) == counts
    return window


@pytest.fixture
def fresh_busy_window(qtbot, themed_app, references):
    """A busy window of its own, for a test that changes what it shows."""
    assert not _SHARED, "tests on the shared busy window come after those with their own"
    window = _make_busy_window(qtbot, references)
    qtbot.addWidget(window)
    yield window
    window.close()


def _page_scroll(window: MainWindow) -> QtWidgets.QScrollArea:
    area = window.stack.currentWidget()
    assert isinstance(area, QtWidgets.QScrollArea)
    return area


def _inside_item_views(widget: QtWidgets.QWidget, page: QtWidgets.QWidget) -> bool:
    """Whether ``widget`` is part of a list, table or inner scroll area (they scroll)."""
    parent = widget.parentWidget()
    while parent is not None and parent is not page:
        if isinstance(parent, QtWidgets.QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _in_popup(widget: QtWidgets.QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QtWidgets.QComboBox):
            return True
        parent = parent.parentWidget()
    return False


def _check_fits(window: MainWindow, key: str) -> None:
    window.show_view(key)
    for _ in range(5):
        QtWidgets.QApplication.processEvents()
    area = _page_scroll(window)
    assert area.verticalScrollBar().maximum() == 0, f"{key}: the page scrolls vertically"
    assert area.horizontalScrollBar().maximum() == 0, f"{key}: the page scrolls sideways"
    page = window._pages[key]
    bounds = window.rect()
    for widget in page.findChildren(QtWidgets.QWidget):
        if not widget.isVisible() or _inside_item_views(widget, page):
            continue
        rect = QtCore.QRect(widget.mapTo(window, QtCore.QPoint(0, 0)), widget.size())
        assert bounds.contains(rect), f"{key}: {widget!r} at {rect} is outside {bounds}"
    for card in page.findChildren(Card):
        if not card.isVisible() or _inside_item_views(card, page):
            continue
        kids = [
            w
            for w in card.findChildren(
                QtWidgets.QWidget, options=QtCore.Qt.FindChildOption.FindDirectChildrenOnly
            )
            if w.isVisible()
        ]
        for a, b in itertools.combinations(kids, 2):
            overlap = a.geometry().intersected(b.geometry())
            assert overlap.isEmpty(), f"{key}: {a!r} overlaps {b!r} in {card.title.text()!r}"


# -- Tests with windows of their own. They run before those on the shared busy window
# (below): a second streaming window would share the GUI thread with it.


def test_takes_table_shows_every_column_from_1366_px(qtbot, fresh_busy_window) -> None:
    """The Takes card widens with the window: no sideways scrolling, "Strokes" not cut."""
    window = fresh_busy_window
    window.resize(1366, 768)
    window.show_view("instructor")
    takes = [
        SimpleNamespace(
            name=name,
            good=True,
            recorded_at="2026-12-01T10:11:00",
            author="Demo instructor",
            kept_s=14.0,
            trim=None,
        )
        for name in ("t1", "t2")
    ]
    view = window.instructor_view
    view.show_takes(takes, {"t1": 10, "t2": 10})
    for _ in range(5):
        QtWidgets.QApplication.processEvents()
    assert view.table.horizontalScrollBar().maximum() == 0


def test_window_opens_within_the_available_screen(qtbot, themed_app, references, tmp_path):
    settings = QtCore.QSettings(str(tmp_path / "s.ini"), QtCore.QSettings.Format.IniFormat)
    big = MainWindow(make_services(lambda spec: ScriptedSource(), references), settings=settings)
    qtbot.addWidget(big)
    big.resize(2400, 1500)
    big.move(300, 200)
    big.save_settings()
    big.close()
    for chosen in (None, settings):  # the default size, and a geometry saved elsewhere
        window = MainWindow(
            make_services(lambda spec: ScriptedSource(), references), settings=chosen
        )
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        area = window.screen().availableGeometry()
        assert area.contains(window.frameGeometry()), (area, window.frameGeometry())
        # Narrower than the pages need: they scroll instead of overlapping.
        assert window.minimumSizeHint().width() <= area.width()
        window.close()


def test_space_on_a_focused_start_button_toggles_once(qtbot, fresh_busy_window) -> None:
    window = fresh_busy_window
    view = window.practice_view
    assert view.running
    window.activateWindow()
    view.start_button.setFocus(QtCore.Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(view.start_button, QtCore.Qt.Key.Key_Space)
    QtWidgets.QApplication.processEvents()
    assert not view.running  # stopped, not stopped and started again
    qtbot.keyClick(view.start_button, QtCore.Qt.Key.Key_Space)
    QtWidgets.QApplication.processEvents()
    assert view.running


def test_take_plot_top_tick_is_inside_the_plot(qtbot, themed_app) -> None:
    from trainer.ui.instructor_view import InstructorView

    view = InstructorView(["effleurage"])
    qtbot.addWidget(view)
    view.resize(1000, 600)
    view.show()
    for plot in (view.take_plot, view.ref_plot):
        _low, high = plot.viewRange()[1]
        assert high > 10.0  # room above the "10" tick: its label is not cut


def test_practice_at_150_percent_on_1366x768_keeps_readable_plots(qtbot, fresh_busy_window) -> None:
    """1366×768 at 150 % lays out as a 911×512 window (text and widgets scale alike): the
    plots keep a readable height and the page scrolls down to the score cards, never
    sideways. They were squashed to 60 px (total) and 53 px (sensors), axis labels
    overlapping, when the page's content grew while shown."""
    from trainer.ui.plots import ForcePlot

    window = fresh_busy_window
    window.resize(911, 512)
    window.show_view("practice")
    qtbot.waitUntil(lambda: window.size() == QtCore.QSize(911, 512), timeout=2000)
    view = window.practice_view
    plot = view.plot

    def readable() -> None:
        for _ in range(5):
            QtWidgets.QApplication.processEvents()
        assert _page_scroll(window).horizontalScrollBar().maximum() == 0, "scrolls sideways"
        assert plot.height() >= ForcePlot.MIN_HEIGHT
        assert plot.total_plot.vb.height() >= 110 and plot.sensor_plot.vb.height() >= 65
        card = plot.parentWidget()
        assert card.rect().contains(plot.geometry()), "the plot spills out of its card"
        # The page gets the height its content needs (the scroll area follows it when
        # it grows while shown): nothing squeezed under its minimum.
        needed = view.layout().minimumHeightForWidth(view.width())
        assert view.height() >= needed, f"page squeezed: {view.height()} < {needed}"

    readable()
    # The page grows while shown (a tare note, the feedback asked on the last stroke):
    # it scrolls further; the plots keep their height.
    view.show_tare("failed", "Hold the hand still, then press T again: the palm heel moved.")
    asked = SimpleNamespace(index=3, score=_score(3), shown_cues=["press harder", "lighter"])
    view.show_requested(asked)
    readable()
    assert _page_scroll(window).verticalScrollBar().maximum() > 0


# -- Tests on the shared busy window (they must stay last: see fresh_busy_window).


def test_every_view_fits_1024x600_without_overlaps(qtbot, busy_window) -> None:
    window = busy_window
    assert window.size() == QtCore.QSize(*SMALL)
    # The Start/Stop button is on screen.
    window.show_view("practice")
    start = window.practice_view.start_button
    qtbot.waitUntil(start.isVisible, timeout=2000)
    top_left = start.mapTo(window, QtCore.QPoint(0, 0))
    assert window.rect().contains(QtCore.QRect(top_left, start.size()))
    assert sum(card.isVisible() for card in window.practice_view.cards) == 2  # reflowed
    for key in MINE:
        _check_fits(window, key)


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=["1366x768", "1920x1080"])
def test_every_view_fits_common_laptop_and_desktop_sizes(qtbot, busy_window, size) -> None:
    window = busy_window
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size() == QtCore.QSize(*size), timeout=2000)
    for key in MINE:
        _check_fits(window, key)


def test_wide_window_shows_three_score_cards(qtbot, busy_window) -> None:
    window = busy_window
    window.resize(1920, 1080)
    window.show_view("practice")
    qtbot.waitUntil(lambda: window.practice_view.card_slots == 3, timeout=2000)
    assert sum(card.isVisible() for card in window.practice_view.cards) == 3


def test_every_control_takes_focus_and_has_a_name(qtbot, busy_window) -> None:
    kinds = (
        QtWidgets.QAbstractButton,
        QtWidgets.QComboBox,
        QtWidgets.QLineEdit,
        QtWidgets.QAbstractSlider,
        QtWidgets.QAbstractItemView,
    )
    window = busy_window
    missing: list[str] = []
    for key, page in window._pages.items():
        if key not in MINE:
            continue
        for widget in page.findChildren(QtWidgets.QWidget):
            if not isinstance(widget, kinds) or isinstance(
                widget, (QtWidgets.QScrollBar, QtWidgets.QHeaderView)
            ):
                continue
            if isinstance(widget.parentWidget(), QtWidgets.QComboBox) or _in_popup(widget):
                continue  # a combo box's own pop-up list
            if _inside_item_views(widget, page) and not isinstance(widget, kinds[-1]):
                continue
            name = widget.accessibleName() or (
                widget.text() if isinstance(widget, QtWidgets.QAbstractButton) else ""
            )
            tab = bool(widget.focusPolicy() & QtCore.Qt.FocusPolicy.TabFocus)
            if not name.strip() or not tab:
                missing.append(f"{key}: {type(widget).__name__} name={name!r} tab={tab}")
    assert not missing, "\n".join(missing)


def test_focus_is_visible(qtbot, busy_window) -> None:
    window = busy_window
    window.show_view("connect")
    button = window.connect_view.disconnect_button
    window.activateWindow()
    window.setFocus()
    QtWidgets.QApplication.processEvents()
    before = button.grab().toImage()
    button.setFocus(QtCore.Qt.FocusReason.TabFocusReason)
    QtWidgets.QApplication.processEvents()
    assert button.hasFocus()
    after = button.grab().toImage()
    assert before != after  # the focused button is drawn differently


def test_cues_and_sensor_lines_do_not_rest_on_colour_alone(qtbot, busy_window) -> None:
    from trainer.ui import theme

    view = busy_window.practice_view
    # The legend names every line in words, the glove's regions included.
    legend = view.plot.legend
    words = [text for _, _, text in legend.entries]
    assert {"your force", "reference"} <= set(words)
    assert {"palm heel", "thumb", "little"} <= set(words)

    # Sensor line colours differ in lightness too (told apart in greyscale), and none
    # is lighter than the light band fill.
    def luma(hex_colour: str) -> float:
        c = QtGui.QColor(hex_colour)
        return 0.299 * c.red() + 0.587 * c.green() + 0.114 * c.blue()

    lumas = sorted(luma(c) for c in theme.REGION_COLOURS.values())
    assert luma(theme.TEXT) < 60 and min(lumas) > luma(theme.TEXT)


@pytest.mark.parametrize("size", [SMALL, (1366, 768)], ids=["1024x600", "1366x768"])
def test_history_sessions_table_shows_several_rows(qtbot, busy_window, size) -> None:
    """The Sessions table keeps room for three rows or more under the plot (it showed one and a
    half at every size: the plot's card took what a taller window gave)."""
    window = busy_window
    window.resize(*size)
    window.show_view("history")
    qtbot.waitUntil(lambda: window.size() == QtCore.QSize(*size), timeout=2000)
    for _ in range(5):
        QtWidgets.QApplication.processEvents()
    table = window.history_view.table
    rows = table.viewport().height() / max(table.verticalHeader().defaultSectionSize(), 1)
    assert rows >= 3.0, f"{size}: the Sessions table shows {rows:.1f} rows"


@pytest.mark.parametrize("key", ["connect", "instructor", "replay", "history", "rate"])
def test_a_page_that_grows_while_shown_gets_its_height(qtbot, busy_window, key) -> None:
    """Every view's scroll area follows its page's minimum height as it changes while shown
    (a longer message, a row of widgets shown): the page is never squeezed under it. The
    scroll area used to ask only when resized, so such a page kept its old height."""
    window = busy_window
    window.resize(911, 512)  # 1366×768 at 150 %
    window.show_view(key)
    qtbot.waitUntil(lambda: window.size() == QtCore.QSize(911, 512), timeout=2000)
    page = window._pages[key]
    layout = page.layout()
    assert layout is not None

    def settled() -> int:
        for _ in range(5):
            QtWidgets.QApplication.processEvents()
        needed = layout.minimumHeightForWidth(page.width()) if layout.hasHeightForWidth() else 0
        return max(needed, page.minimumSizeHint().height())

    before = settled()
    assert page.height() >= before
    tall = QtWidgets.QWidget()
    tall.setMinimumHeight(400)
    layout.addWidget(tall)
    try:
        needed = settled()
        assert needed >= before + 400
        assert page.height() >= needed, f"{key}: page squeezed: {page.height()} < {needed}"
        assert _page_scroll(window).verticalScrollBar().maximum() > 0
    finally:  # the window is shared with the module's other tests
        layout.removeWidget(tall)
        tall.setParent(None)
