"""Start-up time of commands that need no maths, against a bare interpreter in the same run.

Each command runs as a whole new process (``python -m trainer ...``), several rounds
after one warm-up round; within a round the commands take turns, so a machine that
speeds up or slows down during the run colours them all alike. Printed per command:
the median wall time, its range, and the median of the per-round ratio to ``python -c
pass`` (the peer: what any Python command costs on this machine). The data home is a
fresh temporary folder (an empty store) unless ``--home`` is given.

Goals (issue 12): ``--version`` ≤ 0.15 s; ``history`` and ``reference list`` ≤ 0.35 s.
The last row imports the scoring maths (SciPy, numba kernels) for comparison: what the
listing commands would cost if they imported it.

Run: python benchmarks/bench_startup.py [--repeat N] [--home DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
#: (label, argv, goal in seconds or None)
COMMANDS: tuple[tuple[str, list[str], float | None], ...] = (
    ("python -c pass (peer)", [PY, "-c", "pass"], None),
    ("massage-trainer --version", [PY, "-m", "trainer", "--version"], 0.15),
    ("massage-trainer history", [PY, "-m", "trainer", "history"], 0.35),
    ("massage-trainer reference list", [PY, "-m", "trainer", "reference", "list"], 0.35),
    ("import trainer.scoring.scoring", [PY, "-c", "import trainer.scoring.scoring"], None),
)


def _once(argv: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, env=env, check=False)
    took = time.perf_counter() - t
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
        raise SystemExit(f"{' '.join(argv[1:])}: exit {done.returncode} {tail}")
    return took


def measure(repeat: int, home: Path) -> list[tuple[str, list[float], list[float], float | None]]:
    """Time every command ``repeat`` times, round-robin, after one warm-up round.

    Returns
    -------
    list of tuple
        ``(label, wall seconds per round, ratio to the peer per round, goal)``.
    """
    env = {**os.environ, "MASSAGE_TRAINER_HOME": str(home)}
    for _, argv, _ in COMMANDS:  # warm-up: bytecode caches, the store's first open
        _once(argv, env)
    times: list[list[float]] = [[] for _ in COMMANDS]
    for _ in range(repeat):
        for i, (_, argv, _) in enumerate(COMMANDS):
            times[i].append(_once(argv, env))
    peer = times[0]
    return [
        (label, t, [a / b for a, b in zip(t, peer, strict=True)], goal)
        for (label, _, goal), t in zip(COMMANDS, times, strict=True)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=11, help="counted rounds (default 11)")
    parser.add_argument("--home", type=Path, default=None, help="data home (default: empty)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = measure(max(1, args.repeat), args.home or Path(tmp))
    print(f"start-up, whole process, wall seconds: median of {args.repeat} rounds")
    print(f"{'command':34s} {'median':>7s} {'min':>7s} {'max':>7s} {'x peer':>7s} {'goal':>6s}")
    for label, t, ratio, goal in rows:
        goal_text = f"{goal:.2f}" if goal is not None else ""
        print(
            f"{label:34s} {statistics.median(t):7.3f} {min(t):7.3f} {max(t):7.3f} "
            f"{statistics.median(ratio):7.2f} {goal_text:>6s}"
        )


if __name__ == "__main__":
    main()
