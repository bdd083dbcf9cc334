"""Make the fakes (``fake_ble``, ``fake_clock``) importable by name (importlib mode)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
