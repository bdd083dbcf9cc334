"""The Connect view's calibration wizard (issue 18): known weights, a fitted profile in use.

A bench glove stands in for the real one: each diy-fsr5 sensor turns force into raw counts
through its own non-linear curve (the curves of the ``calibrate`` command's tests), and
the test places and lifts the weights as a person would. The wizard is driven through its
widgets; the profile it saves must recover every calibrated curve within 2 % over the
range, and the glove must come back with it.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from fakes import ScriptedSource, make_services
from PySide6 import QtCore, QtWidgets

from sensors.blocks import SampleBlock
from sensors.profiles import GloveProfile, load_profile
from sensors.sources.base import Source, SourceKind, SourceState, SourceStatus
from trainer.app import profiles_folder, save_profile
from trainer.signal.loadcal import STANDARD_GRAVITY, counts_profile
from trainer.ui.main_window import MainWindow
from trainer.ui.services import SourceChoice

sys.path.insert(0, str(Path(__file__).parents[1] / "signal"))

from load_bench import DIY_CURVES  # type: ignore[import-not-found]

LEFT = QtCore.Qt.MouseButton.LeftButton
LOADS_KG = (0.1, 0.2, 0.5, 1.0)
GLOVE = SourceChoice("ble", "AA:BB:CC")


class BenchGlove(Source):
    """diy-fsr5 in raw counts, as fast as ~25x real time; the test places the weights.

    A placed weight is approached first-order (a hand setting it down, tau 0.1 s);
    ``wobble`` adds a slow sway that never settles (an unsteady hand).
    """

    kind = SourceKind.BLE

    def __init__(self, profile: GloveProfile) -> None:
        self._profile = counts_profile(profile)
        channels = len(profile.sensors)
        self._lock = threading.Lock()
        self._target = np.zeros(channels)
        self._level = np.zeros(channels)
        self._wobble = 0.0
        self._n = 0
        self._rng = np.random.default_rng(5)
        self._state = SourceState.IDLE
        self.opened = 0

    @property
    def profile(self) -> GloveProfile:
        return self._profile

    def place(self, channel: int, kg: float, *, wobble_n: float = 0.0) -> None:
        with self._lock:
            self._target[:] = 0.0
            self._target[channel] = kg * STANDARD_GRAVITY
            self._wobble = wobble_n

    def status(self) -> SourceStatus:
        with self._lock:
            return SourceStatus(self._state, samples=self._n)

    def open(self) -> None:
        with self._lock:
            self._state = SourceState.STREAMING
            self.opened += 1

    def read(self, timeout: float | None = None) -> SampleBlock | None:
        threading.Event().wait(0.004)
        fs = self._profile.sample_rate_hz
        rows = []
        with self._lock:
            for _ in range(10):
                self._level += (self._target - self._level) * (1.0 - np.exp(-1.0 / (0.1 * fs)))
                force = self._level.copy()
                sway = self._wobble * np.sin(2 * np.pi * 0.8 * self._n / fs)
                force[np.argmax(self._target)] += sway if self._target.any() else 0.0
                rows.append(np.maximum(force, 0.0))
                self._n += 1
            n = self._n
        forces = np.array(rows)
        counts = np.column_stack([DIY_CURVES[i](forces[:, i]) for i in range(forces.shape[1])])
        counts = np.clip(np.rint(counts + self._rng.normal(0.0, 2.0, counts.shape)), 0, 4095)
        return SampleBlock(np.arange(n - 10, n) / fs, counts, self._profile)

    def close(self) -> None:
        with self._lock:
            self._state = SourceState.IDLE


@pytest.fixture
def diy() -> GloveProfile:
    return load_profile("diy-fsr5")


@pytest.fixture
def bench(diy) -> BenchGlove:
    return BenchGlove(diy)


@pytest.fixture
def specs() -> list[str]:
    """Every spec the window opened a (normal) source for."""
    return []


@pytest.fixture
def window(qtbot, themed_app, diy, bench, specs):
    def open_source(spec: str) -> ScriptedSource:
        specs.append(spec)
        source = ScriptedSource(diy)
        source.set_state(SourceState.STREAMING, "connected")
        return source

    services = replace(
        make_services(open_source),
        open_counts_source=lambda spec, profile: bench,
        save_profile=save_profile,
        scan=lambda timeout_s: [],  # Bluetooth offered, so the Connect view shows the glove
    )
    win = MainWindow(services, frame_interval_ms=10)
    qtbot.addWidget(win)
    win.show()
    win.resize(1024, 600)
    win.show_view("connect")
    yield win
    win.close()  # an open wizard stops reading the bench with it


def _connect(qtbot, window, choice: SourceChoice = GLOVE) -> None:
    window.connect_source(choice)
    qtbot.waitUntil(lambda: window.acquisition is not None, timeout=5000)


def _wizard(qtbot, window):
    qtbot.mouseClick(window.connect_view.calibrate_button, LEFT)
    wizard = window.connect_controller.calibration
    assert wizard is not None
    qtbot.waitUntil(wizard.dialog.isVisible, timeout=2000)
    return wizard.dialog


def _start(qtbot, dialog, sensors: list[str], loads: str) -> None:
    for name, box in dialog.sensor_boxes.items():
        box.setChecked(name in sensors)
    dialog.weights.setText(loads)
    qtbot.mouseClick(dialog.start_button, LEFT)


def _captured(qtbot, dialog, count: int) -> None:
    qtbot.waitUntil(
        lambda: dialog.next_button.isEnabled() and dialog.captured_list.count() == count,
        timeout=10000,
    )


def test_wizard_fits_each_sensor_within_2_percent_and_the_glove_uses_the_profile(
    qtbot, window, bench, specs, monkeypatch
) -> None:
    _connect(qtbot, window)
    dialog = _wizard(qtbot, window)
    assert dialog.width() <= 1024 and dialog.height() <= 600  # a small screen shows it whole
    assert not dialog.setup_error.isVisible() and dialog.start_button.isEnabled()
    assert list(dialog.sensor_boxes) == list(load_profile("diy-fsr5").channel_names)
    _start(qtbot, dialog, ["palm_heel", "thumb"], "1, 0.1 0.2; 0.5")  # any order, separators
    assert window.acquisition is None  # the wizard reads the glove now, in counts
    assert window.connect_view.badge.text.text() == "Calibrating"

    # Step 1: the rest, taken as the bench is still.
    qtbot.waitUntil(lambda: dialog.step_label.text() == "Step 1 of 9", timeout=5000)
    assert "at rest" in dialog.prompt.text()
    _captured(qtbot, dialog, 1)
    assert dialog.captured_list.item(0).text().startswith("✓ Rest levels: palm_heel")

    done = 1
    for channel, sensor in ((0, "palm heel"), (2, "thumb")):
        for kg in LOADS_KG:
            qtbot.mouseClick(dialog.next_button, LEFT)
            assert dialog.prompt.text().startswith(f"Place {kg:g} kg on {sensor}")
            assert not dialog.next_button.isEnabled()
            if done == 1:  # nothing placed yet: the live reading says so, in counts
                qtbot.waitUntil(lambda: dialog.state.text() == "No new load seen yet")
                assert dialog.reading.text().endswith(" counts")
                assert dialog.steady_bar.value() == 0
            bench.place(channel, kg)
            done += 1
            _captured(qtbot, dialog, done)
            assert f"{kg:g} kg on {sensor}:" in dialog.captured_list.item(done - 1).text()
            assert dialog.steady_bar.value() == 100 and dialog.state.text() == "Captured"
    assert dialog.next_button.text() == "See the fit"
    qtbot.mouseClick(dialog.next_button, LEFT)

    assert dialog.pages.currentIndex() == 2
    table = dialog.fit_table
    rows = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(2)]
    assert [r[0] for r in rows] == ["palm heel", "thumb"]
    assert all(r[1] == "4" and r[2] == "9.8 N" for r in rows)
    assert all(r[-1] in {"good", "fair", "poor: check the weights"} for r in rows)

    # The name is taken: asked before replacing it; No keeps the old file.
    folder = profiles_folder()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "my-glove.toml").write_text("# an older calibration\n", encoding="utf-8")
    questions: list[str] = []
    answers = [False, True]

    def question(parent, title, text, *args, **kwargs):
        questions.append(text)
        yes = answers.pop(0)
        button = QtWidgets.QMessageBox.StandardButton
        return button.Yes if yes else button.No

    monkeypatch.setattr(QtWidgets.QMessageBox, "question", question)
    qtbot.keyClicks(dialog.profile_name, "my glove")  # the space is refused as typed
    assert dialog.profile_name.text() == "myglove"
    dialog.profile_name.clear()
    qtbot.keyClicks(dialog.profile_name, "my-glove")
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: dialog.fit_error.text() == "Not saved: choose another name.")
    assert questions == ["A profile named my-glove exists. Replace it?"]
    assert (folder / "my-glove.toml").read_text(encoding="utf-8").startswith("# an older")
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: window.connect_controller.calibration is None, timeout=5000)

    written = load_profile(folder / "my-glove.toml")
    diy = load_profile("diy-fsr5")
    forces = np.linspace(0.0, 1.0 * STANDARD_GRAVITY, 2001)
    for channel in (0, 2):
        fitted = written.sensors[channel]
        assert fitted.calibration.kind == "table"
        error = np.abs(fitted.calibration.to_newtons(DIY_CURVES[channel](forces)) - forces)
        assert error.max() < 0.02 * STANDARD_GRAVITY, f"{fitted.name}: {error.max():.3f} N"
    for channel in (1, 3, 4):
        assert written.sensors[channel] == diy.sensors[channel]

    # The glove comes back with the new profile: reconnected, named on the Link card.
    qtbot.waitUntil(lambda: "profile=" in specs[-1], timeout=5000)
    assert specs[-1].startswith("ble:AA:BB:CC?") and specs[-1].endswith("my-glove.toml")
    qtbot.waitUntil(lambda: window.acquisition is not None, timeout=5000)
    view = window.connect_view
    assert view.glove.text() == "diy-fsr5 · my-glove"
    assert view.tare_message.text() == "Now using the calibrated profile my-glove."
    assert view.choice() == window.connect_controller.choice  # Connect again keeps it


def test_wizard_says_in_one_line_why_it_cannot_start(qtbot, window, specs) -> None:
    dialog = _wizard(qtbot, window)  # nothing connected
    assert dialog.setup_error.text().startswith("Nothing is connected: connect the glove")
    assert not dialog.start_button.isEnabled()
    dialog.reject()
    qtbot.waitUntil(lambda: window.connect_controller.calibration is None)
    assert specs == []  # closing it connected nothing

    _connect(qtbot, window, SourceChoice("sim", "effleurage"))
    dialog = _wizard(qtbot, window)
    assert "simulated glove presses strokes, not weights" in dialog.setup_error.text()
    assert not dialog.start_button.isEnabled()
    dialog.reject()
    qtbot.waitUntil(lambda: window.connect_controller.calibration is None)

    _connect(qtbot, window)
    dialog = _wizard(qtbot, window)
    for loads, expected in (
        ("0.1, abc", "'abc' is not a mass in kg"),
        ("0.5, 5", "beyond its saturation"),
        ("0.2 0.2", "listed twice"),
    ):
        _start(qtbot, dialog, ["palm"], loads)
        line = dialog.setup_error.text()
        assert expected in line and "\n" not in line, line
        assert dialog.pages.currentIndex() == 0
    _start(qtbot, dialog, [], "0.5")
    assert dialog.setup_error.text() == "Tick at least one sensor to calibrate."
    assert window.acquisition is not None  # the glove was never taken over


def test_unsteady_and_out_of_order_readings_are_refused_then_cancel_gives_the_glove_back(
    qtbot, window, bench, specs
) -> None:
    window.connect_controller.calibration_timeout_s = 3.0
    _connect(qtbot, window)
    dialog = _wizard(qtbot, window)
    _start(qtbot, dialog, ["palm_heel"], "0.2, 0.5")
    _captured(qtbot, dialog, 1)  # the rest

    qtbot.mouseClick(dialog.next_button, LEFT)
    bench.place(0, 0.2, wobble_n=0.8)  # an unsteady hand
    qtbot.waitUntil(dialog.measure_error.isVisible, timeout=10000)
    line = dialog.measure_error.text()
    assert line.startswith("Not taken: 0.2 kg on palm heel: the reading never settled"), line
    assert "\n" not in line and dialog.retry_button.isVisible()
    assert not dialog.next_button.isEnabled()
    bench.place(0, 0.2)
    qtbot.mouseClick(dialog.retry_button, LEFT)
    assert not dialog.measure_error.isVisible()
    _captured(qtbot, dialog, 2)

    qtbot.mouseClick(dialog.next_button, LEFT)
    bench.place(0, 0.1)  # lighter than the 0.2 kg before it: not a 0.5 kg reading
    qtbot.waitUntil(dialog.measure_error.isVisible, timeout=10000)
    assert "readings must increase with the load" in dialog.measure_error.text()
    assert dialog.captured_list.count() == 2

    opened = len(specs)
    qtbot.mouseClick(dialog.cancel_measure, LEFT)
    qtbot.waitUntil(lambda: window.connect_controller.calibration is None)
    qtbot.waitUntil(lambda: len(specs) == opened + 1, timeout=5000)
    assert specs[-1] == GLOVE.spec  # as it was, no profile
    qtbot.waitUntil(lambda: window.acquisition is not None, timeout=5000)
    assert window.connect_view.glove.text() == "diy-fsr5"

    # Closing the app mid-calibration stops reading the glove and reconnects nothing.
    dialog = _wizard(qtbot, window)
    _start(qtbot, dialog, ["palm_heel"], "0.2")
    _captured(qtbot, dialog, 1)
    opened = len(specs)
    window.close()
    assert bench.status().state is SourceState.IDLE  # closed by the wizard's shutdown
    assert window.connect_controller.calibration is None and len(specs) == opened
