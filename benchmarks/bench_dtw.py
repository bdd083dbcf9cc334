"""DTW speed against dtaidistance's C kernels, in one run (ratios, not wall-clock limits).

Run: python benchmarks/bench_dtw.py [--repeat N]

Prints a table:
- ours / dtaidistance time for dtw_distance, L=300, d=4, full window and radius 30
  (dtaidistance ``dtw_ndim.distance_fast(..., window=r + 1, use_pruning=False)``), the same
  pairs through both, best of N runs; target ratio <= 1.0;
- StreamingMatcher (SPRING) and OpenEndAligner µs per stream sample for a 300-sample,
  4-channel template, pushed in blocks of 10 (a BLE notification); target <= 3 µs/sample;
- the GunPoint 1-NN search (all 150 test series against the 50 training series, radius
  10 % = 15) with the lower-bound cascade vs brute-force dtaidistance; target >= 5x faster.

Kernels are warmed up first, so no timing includes compilation.
"""

from __future__ import annotations

import argparse
import functools
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from dtaidistance import dtw as dtai
from dtaidistance import dtw_ndim as dtai_nd

from trainer import dtw

ROOT = Path(__file__).parents[1]


def _ours_all(pairs: list[tuple[np.ndarray, np.ndarray]], r: int | None) -> list[float]:
    return [dtw.dtw_distance(a, b, window=r) for a, b in pairs]


def _peer_all(pairs: list[tuple[np.ndarray, np.ndarray]], window: int | None) -> list[float]:
    return [dtai_nd.distance_fast(a, b, window=window, use_pruning=False) for a, b in pairs]


def best_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def row(name: str, ours: float, peer: float, note: str = "") -> None:
    print(f"{name:46s} {ours * 1e3:10.2f}ms {peer * 1e3:8.2f}ms {ours / peer:7.2f}  {note}")


def per_sample_row(name: str, seconds: float, note: str = "") -> None:
    print(f"{name:46s} {seconds * 1e6:8.3f}µs/smp {'':>17s}  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="best of N (default 7)")
    repeat = parser.parse_args().repeat

    t = time.perf_counter()
    dtw.warmup()
    warm = time.perf_counter() - t
    rng = np.random.default_rng(0)
    pairs = [(rng.normal(size=(300, 4)), rng.normal(size=(300, 4))) for _ in range(40)]
    print(f"warmup() {warm * 1e3:.0f} ms (compile on a cold cache, load otherwise)")
    print(f"{'case':46s} {'ours':>12s} {'peer':>10s} {'ratio':>7s}")
    for r in (None, 30):
        window = None if r is None else r + 1
        ours_res = [dtw.dtw_distance(a, b, window=r) for a, b in pairs]
        peer_res = [dtai_nd.distance_fast(a, b, window=window, use_pruning=False) for a, b in pairs]
        np.testing.assert_allclose(ours_res, peer_res, rtol=1e-9)
        ours = best_of(functools.partial(_ours_all, pairs, r), repeat)
        peer = best_of(functools.partial(_peer_all, pairs, window), repeat)
        band = "full window" if r is None else f"radius {r}"
        row(f"dtw_distance L=300 d=4 {band} (x{len(pairs)})", ours, peer, "target <= 1.00")

    template = rng.normal(size=(300, 4))
    stream = rng.normal(size=(20_000, 4))
    blocks = [stream[i : i + 10] for i in range(0, len(stream), 10)]
    matcher = dtw.StreamingMatcher(template, threshold=5.0)
    per = best_of(lambda: [matcher.push(b) for b in blocks], max(2, repeat // 2)) / len(stream)
    per_sample_row("StreamingMatcher 300x4, blocks of 10", per, "target <= 3 µs")
    aligner = dtw.OpenEndAligner(template)

    def align() -> None:
        aligner.reset()
        for b in blocks[:500]:
            aligner.push(b)

    per = best_of(align, max(2, repeat // 2)) / 5000
    per_sample_row("OpenEndAligner 300x4, blocks of 10", per)

    with np.load(ROOT / "tests" / "data" / "gunpoint.npz", allow_pickle=False) as f:
        xtr, xte = f["X_train"], f["X_test"]
    r = 15  # 10 % of the length 150

    def pruned() -> list[int]:
        search = dtw.NearestNeighbours(xtr, window=r)  # envelopes built inside the timing
        return [search.query(x)[0] for x in xte]

    def brute() -> list[int]:
        return [
            int(np.argmin([dtai.distance_fast(x, c, window=r + 1, use_pruning=False) for c in xtr]))
            for x in xte
        ]

    assert pruned() == brute()
    ours = best_of(pruned, max(2, repeat // 2))
    peer = best_of(brute, max(2, repeat // 2))
    row(
        "GunPoint 1-NN r=10% (LB cascade vs brute)",
        ours,
        peer,
        f"{peer / ours:.1f}x faster, target >= 5x",
    )


if __name__ == "__main__":
    main()
