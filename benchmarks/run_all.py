"""Every benchmark, one after the other, in one run on one machine; one report.

The figures of the DTW, scoring, GUI, end-to-end and start-up benchmarks are only
comparable when measured together: this runs each in its own process (so one's JIT
caches, threads or Qt state cannot colour the next), in sequence, and prints their
reports under one header with the machine and versions.

Run: python benchmarks/run_all.py [--quick] [--out report.txt]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).parent
#: (script, arguments, arguments with --quick)
BENCHMARKS: tuple[tuple[str, list[str], list[str]], ...] = (
    ("bench_dtw.py", [], ["--repeat", "3"]),
    ("bench_scoring.py", [], []),
    ("bench_ui.py", ["--seconds", "10"], ["--seconds", "4"]),
    ("bench_pipeline.py", ["--seconds", "60"], ["--seconds", "20"]),
    ("bench_startup.py", [], ["--repeat", "5"]),
)


def _header() -> str:
    import numba
    import numpy
    import pyqtgraph
    import PySide6
    import scipy

    from trainer import __version__

    return "\n".join(
        [
            f"massage-trainer {__version__} benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
            f"python {platform.python_version()}, numpy {numpy.__version__}, scipy "
            f"{scipy.__version__}, numba {numba.__version__}, PySide6 {PySide6.__version__}, "
            f"pyqtgraph {pyqtgraph.__version__}",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (a smoke test)")
    parser.add_argument("--out", type=Path, default=None, help="also write the report here")
    args = parser.parse_args()
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    parts = [_header()]
    failed = 0
    for script, full, quick in BENCHMARKS:
        argv = [sys.executable, str(HERE / script), *(quick if args.quick else full)]
        t = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
        took = time.perf_counter() - t
        title = f"== {script} {' '.join(argv[2:])} ({took:.0f} s)"
        body = done.stdout.rstrip()
        if done.returncode != 0:
            failed += 1
            body += f"\nFAILED (exit {done.returncode}): {done.stderr.strip().splitlines()[-1:]}"
        parts.append(f"{title}\n{body}")
        print(parts[-1], flush=True)
    report = "\n\n".join(parts) + "\n"
    if args.out is not None:
        args.out.write_text(report)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
