"""DTW speed against dtaidistance's C kernels, in one run (ratios, not wall-clock limits).

Run: python benchmarks/bench_dtw.py
Prints: ours / dtaidistance time ratios for L=300, d=4 (full window and radius 30; ≤ 1.0
means at least as fast), the streaming matcher's µs per sample (300 × 4 template), and the
GunPoint 1-NN search (radius 10 %) with lower bounds vs brute-force dtaidistance.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from dtaidistance import dtw as dtai
from dtaidistance import dtw_ndim as dtai_nd

from trainer import dtw

ROOT = Path(__file__).parents[1]


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    rng = np.random.default_rng(0)
    dtw.warmup()
    pairs = [(rng.normal(size=(300, 4)), rng.normal(size=(300, 4))) for _ in range(20)]
    print(f"{'case':44s} {'ours':>10s} {'peer':>10s} {'ratio':>7s}")
    for r in (None, 30):
        ours = best_of(lambda r=r: [dtw.dtw_distance(a, b, window=r) for a, b in pairs])
        peer = best_of(
            lambda r=r: [
                dtai_nd.distance_fast(a, b, window=None if r is None else r + 1, use_pruning=False)
                for a, b in pairs
            ]
        )
        name = f"dtw_distance L=300 d=4 {'full' if r is None else f'r={r}'} (x20)"
        print(f"{name:44s} {ours * 1e3:8.2f}ms {peer * 1e3:8.2f}ms {ours / peer:7.2f}")

    template = rng.normal(size=(300, 4))
    stream = rng.normal(size=(20_000, 4))
    matcher = dtw.StreamingMatcher(template, threshold=5.0)
    t = best_of(lambda: [matcher.push(stream[i : i + 10]) for i in range(0, len(stream), 10)], 3)
    print(f"{'StreamingMatcher 300x4, blocks of 10':44s} {t / len(stream) * 1e6:8.3f}µs/sample")

    aligner = dtw.OpenEndAligner(template)
    t = best_of(lambda: [aligner.push(stream[i : i + 10]) for i in range(0, 5000, 10)], 3)
    print(f"{'OpenEndAligner 300x4, blocks of 10':44s} {t / 5000 * 1e6:8.3f}µs/sample")

    with np.load(ROOT / "tests" / "data" / "gunpoint.npz", allow_pickle=False) as f:
        xtr, xte = f["X_train"], f["X_test"]
    r = 15

    def pruned_search() -> list[tuple[int, float]]:
        search = dtw.NearestNeighbours(xtr, window=r)  # envelopes built inside the timing
        return [search.query(x) for x in xte]

    ours = best_of(pruned_search, 3)
    peer = best_of(
        lambda: [
            np.argmin([dtai.distance_fast(x, c, window=r + 1, use_pruning=False) for c in xtr])
            for x in xte
        ],
        3,
    )
    name = "GunPoint 1-NN r=10% (LB cascade vs brute)"
    print(
        f"{name:44s} {ours * 1e3:8.2f}ms {peer * 1e3:8.2f}ms {ours / peer:7.2f}"
        f"  ({peer / ours:.1f}x faster)"
    )


if __name__ == "__main__":
    main()
