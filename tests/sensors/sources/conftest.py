"""Make the fake BLE helpers importable as ``fake_ble`` (tests use importlib mode)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
