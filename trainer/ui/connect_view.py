"""Connect view: pick a glove (simulated, a capture, BLE), watch the link, tare, check sensors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from PySide6 import QtCore, QtWidgets

from sensors.profiles import GloveProfile
from sensors.sources.base import SourceState, SourceStatus
from trainer.live import Snapshot
from trainer.ui import theme
from trainer.ui.services import SourceChoice
from trainer.ui.widgets import Card, SensorBars, StateBadge, label

__all__ = ["ConnectView"]


class ConnectView(QtWidgets.QWidget):
    """Choose a source, see its state, battery, rate and drops; tare; per-sensor bars.

    Signals
    -------
    connect_requested(SourceChoice)
        The user asked to connect to a source.
    disconnect_requested()
        The user asked to disconnect.
    tare_requested()
        The user asked to zero the sensors.
    scan_requested()
        The user asked for a BLE scan.
    calibrate_requested()
        The user asked for the calibration wizard (known weights).
    """

    connect_requested = QtCore.Signal(object)
    disconnect_requested = QtCore.Signal()
    tare_requested = QtCore.Signal()
    scan_requested = QtCore.Signal()
    calibrate_requested = QtCore.Signal()

    def __init__(
        self,
        techniques: Sequence[str],
        profiles: Sequence[str],
        *,
        ble_available: bool = True,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(24, 12, 24, 12)
        outer.setSpacing(10)
        outer.addWidget(label("Connect a glove", "title"))
        outer.addWidget(
            label(
                "No glove at hand? The simulated glove streams through the same protocol "
                "as a real one.",
                "subtitle",
            )
        )
        top = QtWidgets.QHBoxLayout()
        top.setSpacing(14)
        outer.addLayout(top)
        top.addWidget(self._build_source_card(techniques, profiles, ble_available), 3)
        top.addWidget(self._build_link_card(), 2)
        outer.addWidget(self._build_sensor_card(), 1)
        self._fs_nominal: float | None = None
        # Options of a restored BLE or capture choice (its calibrated profile) that the
        # widgets do not show; kept while the same glove or file stays chosen.
        self._kept: SourceChoice | None = None
        self._fold_options()

    # -- building (once) --

    def _build_source_card(
        self, techniques: Sequence[str], profiles: Sequence[str], ble_available: bool
    ) -> Card:
        """Make the Source card: the three sources, the chosen one's options, Connect."""
        source_card = Card("Source")
        self.group = QtWidgets.QButtonGroup(self)
        self.sim_radio = QtWidgets.QRadioButton("Simulated glove")
        self.replay_radio = QtWidgets.QRadioButton("Recorded capture")
        self.ble_radio = QtWidgets.QRadioButton("Bluetooth glove")
        for i, radio in enumerate((self.sim_radio, self.replay_radio, self.ble_radio)):
            self.group.addButton(radio, i)
        self.sim_radio.setChecked(True)
        self._add_source_options(source_card, techniques, profiles, ble_available)

        buttons = QtWidgets.QHBoxLayout()
        self.connect_button = QtWidgets.QPushButton("Connect")
        self.connect_button.setObjectName("primary")
        self.connect_button.setDefault(True)
        self.connect_button.clicked.connect(self._on_connect)
        self.disconnect_button = QtWidgets.QPushButton("Disconnect")
        self.disconnect_button.clicked.connect(self.disconnect_requested.emit)
        self.disconnect_button.setEnabled(False)
        buttons.addWidget(self.connect_button)
        buttons.addWidget(self.disconnect_button)
        buttons.addStretch(1)
        source_card.body.addStretch(1)
        source_card.body.addLayout(buttons)
        self.error = label("", wrap=True)
        self.error.setStyleSheet(f"color: {theme.DANGER};")
        source_card.body.addWidget(self.error)
        return source_card

    def _add_source_options(
        self,
        source_card: Card,
        techniques: Sequence[str],
        profiles: Sequence[str],
        ble_available: bool,
    ) -> None:
        """Add each source's radio button and its options (technique, file, gloves found)."""
        self.technique = QtWidgets.QComboBox()
        self.technique.addItems(list(techniques))
        self.profile = QtWidgets.QComboBox()
        self.profile.addItems(list(profiles))
        sim_row = QtWidgets.QHBoxLayout()
        sim_row.addWidget(self.technique, 1)
        sim_row.addWidget(self.profile, 1)

        self.capture_path = QtWidgets.QLineEdit()
        self.capture_path.setPlaceholderText("capture file (.mtcap or .csv)")
        self.browse = QtWidgets.QPushButton("Browse…")
        self.browse.clicked.connect(self._browse)
        replay_row = QtWidgets.QHBoxLayout()
        replay_row.addWidget(self.capture_path, 1)
        replay_row.addWidget(self.browse)

        self.scan_button = QtWidgets.QPushButton("Scan")
        self.scan_button.clicked.connect(self.scan_requested.emit)
        self.devices = QtWidgets.QListWidget()
        self.devices.setMaximumHeight(90)
        self.devices.setAccessibleName("Gloves found")
        ble_row = QtWidgets.QHBoxLayout()
        ble_row.addWidget(self.devices, 1)
        ble_row.addWidget(self.scan_button, 0, QtCore.Qt.AlignmentFlag.AlignTop)

        # Only the chosen source's options are shown (the others fold away), so the card
        # fits a 1024×600 screen beside the link.
        self._option_rows: dict[QtWidgets.QRadioButton, QtWidgets.QWidget] = {}
        for radio, row in (
            (self.sim_radio, sim_row),
            (self.replay_radio, replay_row),
            (self.ble_radio, ble_row),
        ):
            source_card.body.addWidget(radio)
            holder = QtWidgets.QWidget()
            row.setContentsMargins(24, 0, 0, 4)
            holder.setLayout(row)
            source_card.body.addWidget(holder)
            self._option_rows[radio] = holder
            radio.toggled.connect(lambda _on: self._fold_options())
        self.technique.setAccessibleName("Technique the simulated glove performs")
        self.profile.setAccessibleName("Glove profile")
        self.capture_path.setAccessibleName("Capture file")
        self.ble_radio.setEnabled(ble_available)
        self.scan_button.setEnabled(ble_available)

    def _build_link_card(self) -> Card:
        """Make the Link card: state, battery, rate, drops; Calibrate… and Tare."""
        status_card = Card("Link")
        # The calibration wizard opens from the card's title line: no height taken from
        # the link's figures at 1024×600.
        status_card.body.removeWidget(status_card.title)
        link_head = QtWidgets.QHBoxLayout()
        link_head.addWidget(status_card.title)
        link_head.addStretch(1)
        self.calibrate_button = QtWidgets.QPushButton("Calibrate…")
        self.calibrate_button.setStyleSheet("QPushButton { padding: 0px 10px; }")
        self.calibrate_button.setToolTip(
            "Fit each sensor's raw-to-newton curve with known weights; save a new profile"
        )
        self.calibrate_button.clicked.connect(self.calibrate_requested.emit)
        link_head.addWidget(self.calibrate_button)
        status_card.body.addLayout(link_head)
        self.badge = StateBadge()
        status_card.body.addWidget(self.badge)
        self.message = label("Choose a source and connect.", "muted", wrap=True)
        status_card.body.addWidget(self.message)
        form = QtWidgets.QFormLayout()
        form.setHorizontalSpacing(18)
        form.setVerticalSpacing(3)
        self.glove = label("–")
        self.battery = label("–")
        self.rate = label("–")
        self.dropped = label("–")
        self.gaps = label("–")
        self.reconnects = label("–")
        for name, widget in (
            ("Glove", self.glove),
            ("Battery", self.battery),
            ("Sample rate", self.rate),
            ("Dropped packets", self.dropped),
            ("Gaps", self.gaps),
            ("Reconnects", self.reconnects),
        ):
            form.addRow(label(name, "muted"), widget)
        status_card.body.addLayout(form)
        status_card.body.addStretch(1)
        tare_row = QtWidgets.QHBoxLayout()
        self.tare_button = QtWidgets.QPushButton("Tare  (T)")
        self.tare_button.setToolTip("Zero every sensor: hold the hand still, off the body")
        self.tare_button.clicked.connect(self.tare_requested.emit)
        self.tare_button.setEnabled(False)
        # What tare did, a drifting rest level, a new profile in use: one line.
        self.tare_message = label("", "muted", wrap=True)
        tare_row.addWidget(self.tare_button)
        tare_row.addWidget(self.tare_message, 1)
        status_card.body.addLayout(tare_row)
        return status_card

    def _build_sensor_card(self) -> Card:
        """Make the Sensor check card: a bar per sensor."""
        sensors_card = Card("Sensor check")
        sensors_card.body.addWidget(
            label("Press each zone in turn: every bar should move.", "muted")
        )
        self.bars = SensorBars()
        sensors_card.body.addWidget(self.bars)
        sensors_card.body.addStretch(1)
        return sensors_card

    def _fold_options(self) -> None:
        for radio, holder in self._option_rows.items():
            holder.setVisible(radio.isChecked())

    # -- choices --

    def choice(self) -> SourceChoice:
        """Return the source currently selected."""
        if self.replay_radio.isChecked():
            chosen = SourceChoice("replay", self.capture_path.text().strip())
        elif self.ble_radio.isChecked():
            item = self.devices.currentItem()
            target = "" if item is None else str(item.data(QtCore.Qt.ItemDataRole.UserRole))
            chosen = SourceChoice("ble", target)
        else:
            chosen = None
        if chosen is not None:
            kept = self._kept
            same = kept is not None and (kept.kind, kept.target) == (chosen.kind, chosen.target)
            return kept if same and kept is not None else chosen
        opts = (("profile", self.profile.currentText()),) if self.profile.currentIndex() else ()
        return SourceChoice("sim", self.technique.currentText(), opts)

    def set_choice(self, choice: SourceChoice) -> None:
        """Select ``choice`` in the widgets (restored settings)."""
        self._kept = choice if choice.kind != "sim" else None
        if choice.kind == "replay":
            self.replay_radio.setChecked(True)
            self.capture_path.setText(choice.target)
        elif choice.kind == "ble" and self.ble_radio.isEnabled():
            self.ble_radio.setChecked(True)
            self.show_devices([_Advert(choice.target, "", None)])
        else:
            self.sim_radio.setChecked(True)
            index = self.technique.findText(choice.target)
            if index >= 0:
                self.technique.setCurrentIndex(index)
            profile = dict(choice.options).get("profile")
            if profile and self.profile.findText(profile) >= 0:
                self.profile.setCurrentIndex(self.profile.findText(profile))

    def _on_connect(self) -> None:
        choice = self.choice()
        if not choice.target:
            what = "a capture file" if choice.kind == "replay" else "a glove (scan first)"
            self.show_error(f"Choose {what}.")
            return
        self.show_error("")
        self.connect_requested.emit(choice)

    def _browse(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Open a capture", "", "Captures (*.mtcap *.csv);;All files (*)"
        )
        if path:
            self.capture_path.setText(path)
            self.replay_radio.setChecked(True)

    # -- scanning --

    def set_scanning(self, scanning: bool) -> None:
        """Show that a BLE scan is under way."""
        self.scan_button.setEnabled(not scanning)
        self.scan_button.setText("Scanning…" if scanning else "Scan")
        if scanning:
            self.badge.set_state("scanning")
            self.message.setText("Looking for gloves nearby…")

    def show_devices(self, adverts: Sequence[Any]) -> None:
        """List scan results (objects with ``address``, ``name``, ``rssi``)."""
        self.devices.clear()
        for advert in adverts:
            rssi = "" if advert.rssi is None else f"  {advert.rssi} dBm"
            item = QtWidgets.QListWidgetItem(f"{advert.name or advert.address}{rssi}")
            item.setData(QtCore.Qt.ItemDataRole.UserRole, advert.address)
            self.devices.addItem(item)
        if adverts:
            self.devices.setCurrentRow(0)
            self.ble_radio.setChecked(True)
        if self.badge.state == "scanning":
            self.badge.set_state("idle")
            self.message.setText(
                f"Found {len(adverts)} glove(s)." if adverts else "No glove found nearby."
            )

    # -- link state --

    def set_profile(self, profile: GloveProfile | None, calibrated: str = "") -> None:
        """Show the connected glove's sensors (``calibrated``: its profile file's name)."""
        self.bars.set_profile(profile)
        self._fs_nominal = None if profile is None else float(profile.sample_rate_hz)
        text = "–" if profile is None else profile.name
        self.glove.setText(f"{text} · {calibrated}" if profile and calibrated else text)

    def show_connecting(self, choice: SourceChoice) -> None:
        """Show that the source is being built (before it reports any status)."""
        self.badge.set_state("connecting")
        self.message.setText(f"Opening {choice.label}…")
        self.connect_button.setEnabled(False)
        self.disconnect_button.setEnabled(True)
        self.show_error("")

    def show_disconnected(self) -> None:
        """No source."""
        self.badge.set_state("idle")
        self.message.setText("Choose a source and connect.")
        self.connect_button.setEnabled(True)
        self.disconnect_button.setEnabled(False)
        self.tare_button.setEnabled(False)
        for widget in (self.battery, self.rate, self.dropped, self.gaps, self.reconnects):
            widget.setText("–")

    def show_calibrating(self, text: str) -> None:
        """Show that the glove is lent to the calibration wizard (it reads raw counts)."""
        self.badge.set_state("connecting", "Calibrating")
        self.message.setText(text)
        self.connect_button.setEnabled(False)
        self.disconnect_button.setEnabled(False)
        self.tare_button.setEnabled(False)

    def show_error(self, text: str) -> None:
        """Show an error line under the source choice ("" clears it)."""
        self.error.setText(text)

    def show_failed(self, reason: str) -> None:
        """Say, in one line, why the source could not be opened (or stopped with an error).

        The link card returns to *Not connected* with the reason, so the user can fix the
        choice and connect again (Connect enabled, Disconnect not).
        """
        self.show_disconnected()
        line = reason.strip().splitlines()[0] if reason.strip() else "unknown error"
        self.message.setText(f"Could not connect: {line}")
        self.show_error(line)

    def scan_failed(self, reason: str) -> None:
        """Say why a scan could not run (no adapter...), and not that nothing was found."""
        self.devices.clear()
        self.badge.set_state("idle")
        self.message.setText("Scan did not run: see the line under the source.")
        self.show_error(reason)

    def show_status(self, status: SourceStatus, measured_rate_hz: float | None = None) -> None:
        """Follow the source's status (state, battery, rate, drops, gaps, reconnects)."""
        state = status.state
        self.badge.set_state(state.value)
        self.message.setText(status.message or "")
        live = state in {
            SourceState.CONNECTING,
            SourceState.STREAMING,
            SourceState.RECONNECTING,
            SourceState.SCANNING,
        }
        self.connect_button.setEnabled(not live)
        self.disconnect_button.setEnabled(live)
        self.tare_button.setEnabled(state is SourceState.STREAMING)
        self.battery.setText("–" if status.battery_pct is None else f"{status.battery_pct} %")
        nominal = self._fs_nominal
        if measured_rate_hz and nominal:
            self.rate.setText(f"{measured_rate_hz:.0f} Hz  (nominal {nominal:g} Hz)")
        elif nominal:
            self.rate.setText(f"{nominal:g} Hz nominal")
        self.dropped.setText(str(status.dropped_packets))
        self.gaps.setText(str(status.gaps))
        self.reconnects.setText(str(status.reconnects))

    def show_tare(self, ok: bool, text: str) -> None:
        """Report a tare result."""
        self.tare_message.setText(text)
        self.tare_message.setStyleSheet("" if ok else f"color: {theme.CAUTION};")

    def show_signal(self, snap: Snapshot) -> float | None:
        """Update the sensor bars from a snapshot; return the measured sample rate (Hz)."""
        if len(snap) == 0:
            return None
        recent = snap.t >= snap.t[-1] - 3.0
        now = snap.t >= snap.t[-1] - 0.1
        self.bars.set_values(snap.values[now].mean(axis=0), snap.values[recent].max(axis=0))
        window = snap.t >= snap.t[-1] - 2.0
        span = float(snap.t[window][-1] - snap.t[window][0])
        count = int(window.sum())
        if span <= 0 or count < 2 or np.any(snap.gap_before[window][1:]):
            return None
        return (count - 1) / span


class _Advert:
    """A remembered BLE address shown before any scan."""

    def __init__(self, address: str, name: str, rssi: int | None) -> None:
        self.address, self.name, self.rssi = address, name, rssi
