"""Run the command line in a fresh process, as a user would (helper of the CLI tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli(*args: str, home: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m trainer ARGS`` with ``MASSAGE_TRAINER_HOME`` set to ``home``."""
    env = {**os.environ, "MASSAGE_TRAINER_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "trainer", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )
