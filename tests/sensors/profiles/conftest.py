"""Make the shared profile texts importable as ``profile_samples`` (importlib mode)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
