"""The connect view follows the link: a fake BLE glove that drops, returns and is lost."""

from __future__ import annotations

import numpy as np
from fakes import ScriptedSource, make_services

from sensors.sources.base import SourceState
from trainer.ui.connect_view import ConnectView
from trainer.ui.main_window import MainWindow
from trainer.ui.services import SourceChoice


def _y(item) -> np.ndarray:
    y = item.getData()[1]
    return np.asarray([] if y is None else y, dtype=float)


def test_state_display_follows_a_link_that_drops_and_returns(qtbot, themed_app) -> None:
    source = ScriptedSource()
    window = MainWindow(make_services(lambda spec: source), frame_interval_ms=10)
    qtbot.addWidget(window)
    window.show()
    view = window.connect_view
    window.connect_source(SourceChoice("ble", "AA:BB:CC:DD:EE:FF"))
    qtbot.waitUntil(lambda: source.opened.is_set(), timeout=5000)
    try:
        qtbot.waitUntil(lambda: view.badge.state == "connecting", timeout=5000)
        assert view.badge.text.text() == "Connecting"
        assert not view.tare_button.isEnabled()

        source.set_state(SourceState.STREAMING, "connected", battery_pct=81)
        qtbot.waitUntil(lambda: view.badge.state == "streaming", timeout=5000)
        qtbot.waitUntil(lambda: view.battery.text() == "81 %", timeout=5000)
        assert view.tare_button.isEnabled() and view.disconnect_button.isEnabled()

        source.set_state(SourceState.RECONNECTING, "link dropped, retrying", dropped_packets=3)
        qtbot.waitUntil(lambda: view.badge.state == "reconnecting", timeout=5000)
        assert view.message.text() == "link dropped, retrying"
        assert view.dropped.text() == "3"
        assert not view.tare_button.isEnabled()

        source.next_gap()
        source.set_state(SourceState.STREAMING, "connected", reconnects=1)
        qtbot.waitUntil(lambda: view.badge.state == "streaming", timeout=5000)
        qtbot.waitUntil(lambda: view.gaps.text() == "1", timeout=5000)
        assert view.reconnects.text() == "1"
        # The samples lost in the drop show as a break in the plot, not a joined line.
        window.show_view("practice")
        qtbot.waitUntil(lambda: np.isnan(_y(window.practice_view.plot.total)).any())

        source.set_state(SourceState.LOST, "glove gone")
        qtbot.waitUntil(lambda: view.badge.state == "lost", timeout=5000)
        assert view.badge.text.text() == "Lost"
        assert view.connect_button.isEnabled()  # the user can try again
    finally:
        window.close()
    assert source.closed.is_set()


def test_a_source_that_cannot_be_built_shows_one_line(qtbot, themed_app) -> None:
    from sensors.exceptions import DeviceNotFoundError

    def fail(spec: str):
        raise DeviceNotFoundError("no glove named 'kitchen'")

    window = MainWindow(make_services(fail), frame_interval_ms=10)
    qtbot.addWidget(window)
    window.connect_source(SourceChoice("ble", "kitchen"))
    qtbot.waitUntil(lambda: "kitchen" in window.connect_view.error.text(), timeout=5000)
    assert window.connect_view.badge.state == "idle"
    assert window.acquisition is None
    window.close()


def test_sensor_bars_flag_a_dead_sensor(qtbot, themed_app) -> None:
    source = ScriptedSource(level_n=np.array([6.0, 4.0, 0.0, 3.0, 2.0, 2.5, 1.5]))
    window = MainWindow(make_services(lambda spec: source), frame_interval_ms=10)
    qtbot.addWidget(window)
    window.show()
    source.set_state(SourceState.STREAMING)
    window.connect_source(SourceChoice("ble", "glove"))
    window.show_view("connect")
    try:
        bars = window.connect_view.bars
        qtbot.waitUntil(lambda: bars.flat.any(), timeout=5000)
        assert bars.flat.tolist() == [False, False, True, False, False, False, False]
        assert window.connect_view.bars._notes[2].text() == "no signal?"
        qtbot.waitUntil(lambda: "Hz" in window.connect_view.rate.text(), timeout=5000)
    finally:
        window.close()


def test_choice_builds_specs(qtbot, themed_app) -> None:
    view = ConnectView(["effleurage", "tapotement"], ["reference-glove", "diy-fsr5"])
    qtbot.addWidget(view)
    assert view.choice().spec == "sim:effleurage"
    view.set_choice(SourceChoice("sim", "tapotement", (("profile", "diy-fsr5"),)))
    assert view.choice().spec == "sim:tapotement?profile=diy-fsr5"
    view.set_choice(SourceChoice("replay", "/data/take 1.mtcap"))
    assert view.choice() == SourceChoice("replay", "/data/take 1.mtcap")
    view.capture_path.setText("")
    view.connect_button.click()
    assert "capture file" in view.error.text()
