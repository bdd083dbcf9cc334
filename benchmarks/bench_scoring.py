"""Time to score one finished stroke (target: well under 5 ms), after warm-up.

Run: python benchmarks/bench_scoring.py
"""

from __future__ import annotations

import time

import numpy as np

from sensors.profiles import load_profile
from sensors.strokes import simulate_take
from trainer.scoring import find_strokes, score_stroke
from trainer.store.references import ReferenceLibrary


def main() -> None:
    library = ReferenceLibrary()
    profile = load_profile("reference-glove")
    for technique in ("effleurage", "petrissage", "friction", "tapotement"):
        ref = library.get(f"{technique}-starter")
        take = simulate_take(technique, seconds=30, profile=profile, seed=9)
        strokes = find_strokes(take.values, profile.sample_rate_hz, profile)
        score_stroke(strokes[0].values, profile.sample_rate_hz, ref)  # warm-up (numba cache)
        times = []
        for stroke in strokes:
            t = time.perf_counter()
            score_stroke(stroke.values, profile.sample_rate_hz, ref)
            times.append(time.perf_counter() - t)
        ms = np.array(times) * 1e3
        print(
            f"{technique:11s} template {ref.length:4d} x {ref.template.shape[1]}  "
            f"strokes {len(ms):3d}  "
            f"median {np.median(ms):.2f} ms  p95 {np.percentile(ms, 95):.2f} ms"
        )


if __name__ == "__main__":
    main()
