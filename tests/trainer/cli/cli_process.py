"""Run the command line as a user would (helpers of the CLI tests).

:func:`run_cli` starts a fresh ``python -m trainer`` process: for what only a real process
shows (exit codes on signals, a kill, what the interpreter imports, the environment a
command sets for itself). :func:`run_main` runs the same ``main`` in this process, with the
same arguments, data home and captured output, for everything else: a command's start-up
(Python, Qt, SciPy, numba's kernels) is paid once per test worker instead of once per call.
"""

from __future__ import annotations

import contextlib
import io
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


def run_main(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """``trainer.cli.main(ARGS)`` in this process, as :func:`run_cli` reports it.

    ``MASSAGE_TRAINER_HOME`` is ``home`` during the call and restored after it (module
    fixtures may call this, where ``monkeypatch`` is not available); stdout and stderr are
    captured, and a ``SystemExit`` (argparse's usage errors, ``--help``) gives its code.
    """
    from trainer.cli import main

    previous = os.environ.get("MASSAGE_TRAINER_HOME")
    os.environ["MASSAGE_TRAINER_HOME"] = str(home)
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        if previous is None:
            os.environ.pop("MASSAGE_TRAINER_HOME", None)
        else:
            os.environ["MASSAGE_TRAINER_HOME"] = previous
    return subprocess.CompletedProcess(
        ["massage-trainer", *args], code, stdout=out.getvalue(), stderr=err.getvalue()
    )
