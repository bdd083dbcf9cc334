"""The CLI tests' helper modules (cli_process) are imported by bare name."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
