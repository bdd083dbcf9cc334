"""The connect view follows the link: a fake BLE glove that drops, returns and is lost."""

from __future__ import annotations

import numpy as np
from fakes import ScriptedSource, make_services
from PySide6 import QtCore

from sensors.sources.base import SourceState
from trainer.ui import theme
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


def _failing_capture_window(qtbot):
    from sensors.sources import open_source

    window = MainWindow(make_services(open_source), frame_interval_ms=10)
    qtbot.addWidget(window)
    window.show()
    return window


def test_an_unreadable_capture_says_why_in_the_link_card_and_lets_the_user_retry(
    qtbot, themed_app, tmp_path
) -> None:
    sheet = tmp_path / "marks.csv"
    sheet.write_text("name,score\nana,12\n")
    window = _failing_capture_window(qtbot)
    view = window.connect_view
    try:
        for path, reason in ((sheet, "not a capture"), (tmp_path / "gone.mtcap", "no such")):
            view.set_choice(SourceChoice("replay", str(path)))
            qtbot.mouseClick(view.connect_button, QtCore.Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda r=reason: r in view.message.text(), timeout=5000)
            assert view.badge.state == "idle"
            assert view.badge.text.text() == "Not connected"
            assert "Connecting" not in view.message.text()
            assert "\n" not in view.message.text() and "Traceback" not in view.message.text()
            assert reason in view.error.text()
            assert view.connect_button.isEnabled() and not view.disconnect_button.isEnabled()
            assert window.acquisition is None and window.choice is None
            assert window.source_label.text() == "No glove"
    finally:
        window.close()


def test_a_capture_failing_once_opened_returns_to_not_connected(qtbot, themed_app) -> None:
    """A source that fails in the acquisition thread before streaming is not left 'Connecting'."""
    from fakes import ExplodingSource

    class FailsToOpen(ExplodingSource):
        def open(self) -> None:
            from sensors.exceptions import SourceError

            raise SourceError("cannot replay: the file went away")

    window = MainWindow(make_services(lambda spec: FailsToOpen()), frame_interval_ms=10)
    qtbot.addWidget(window)
    view = window.connect_view
    try:
        window.connect_source(SourceChoice("replay", "/x.mtcap"))
        qtbot.waitUntil(lambda: "went away" in view.message.text(), timeout=5000)
        assert view.badge.state == "idle"
        assert view.connect_button.isEnabled() and not view.disconnect_button.isEnabled()
        assert window.acquisition is None
    finally:
        window.close()


def test_scan_without_an_adapter_does_not_claim_nothing_was_found(qtbot, themed_app) -> None:
    from dataclasses import replace

    from sensors.exceptions import AdapterError

    def scan(timeout: float):
        raise AdapterError("no Bluetooth adapter reachable")

    services = replace(make_services(lambda spec: ScriptedSource()), scan=scan)
    window = MainWindow(services, frame_interval_ms=10)
    qtbot.addWidget(window)
    view = window.connect_view
    try:
        qtbot.mouseClick(view.scan_button, QtCore.Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "adapter" in view.error.text(), timeout=5000)
        assert "No glove found" not in view.message.text()
        assert view.badge.state == "idle"
        assert view.scan_button.isEnabled() and view.scan_button.text() == "Scan"
    finally:
        window.close()


def test_a_calibrated_glove_keeps_its_profile_when_connected_again(qtbot, themed_app) -> None:
    view = ConnectView(["effleurage"], ["reference-glove"])
    qtbot.addWidget(view)
    calibrated = SourceChoice("replay", "/data/bench.mtcap", (("profile", "/home/p/mine.toml"),))
    view.set_choice(calibrated)
    assert view.choice() == calibrated  # what Connect would open: with its profile
    view.capture_path.setText("/data/other.mtcap")  # another file: not its profile
    assert view.choice() == SourceChoice("replay", "/data/other.mtcap")
    view.sim_radio.setChecked(True)
    assert view.choice().spec == "sim:effleurage"


class _DriftingSource(ScriptedSource):
    """At rest on every sensor until ``shift``: then one sensor's rest level creeps up."""

    def shift(self, level_n: np.ndarray) -> None:
        with self._lock:
            self._level = level_n


def test_a_drifting_rest_level_is_told_in_connect_and_practice_until_tared(
    qtbot, themed_app
) -> None:
    from sensors.profiles import load_profile

    rest = np.full(5, 0.3)
    source = _DriftingSource(load_profile("diy-fsr5"), level_n=rest, noise_n=0.01)
    source.set_state(SourceState.STREAMING, "connected")
    window = MainWindow(make_services(lambda spec: source), frame_interval_ms=10)
    qtbot.addWidget(window)
    link, view = window.connect_controller, window.connect_view
    link.tare_countdown_s = 0
    note = window.practice_view.tare_note
    try:
        window.connect_source(SourceChoice("ble", "glove"))
        qtbot.waitUntil(lambda: view.tare_button.isEnabled(), timeout=5000)

        def buffered() -> int:
            acquisition = window.acquisition
            assert acquisition is not None
            return len(acquisition.buffer.snapshot())

        qtbot.waitUntil(lambda: buffered() > 100, timeout=5000)
        link.request_tare()
        qtbot.waitUntil(lambda: view.tare_message.text() == "Sensors zeroed.", timeout=5000)

        source.shift(rest + np.array([0.0, 0.0, 0.45, 0.0, 0.0]))  # thumb creeps, no press
        words = "Sensor readings drifting (thumb +0.2 N since the tare): hold still and press T"
        qtbot.waitUntil(lambda: view.tare_message.text().startswith(words), timeout=10000)
        assert view.tare_message.text().endswith("press T to tare.")
        assert theme.CAUTION in view.tare_message.styleSheet()
        assert note.text() == "Sensor readings drifting: hold still and press T to tare."
        assert not note.isHidden()
        assert theme.CAUTION in note.styleSheet()

        link.request_tare()  # a new tare: the warning gives way
        qtbot.waitUntil(lambda: view.tare_message.text() == "Sensors zeroed.", timeout=5000)
        assert note.text() == "Sensors zeroed."
    finally:
        window.close()
