"""Scoring speed, after warm-up (numba kernels compiled or loaded from cache).

* scoring one finished stroke against its bundled starter reference (target: well
  under 5 ms, the budget between a stroke ending and its score card appearing);
* recognising one stroke among the four starter references;
* the live coach: one 50 ms block (10 samples at 200 Hz) of a stroke in progress;
* building a reference from four 30 s takes.

Run: python benchmarks/bench_scoring.py
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

import numpy as np

from sensors.profiles import load_profile
from sensors.strokes import TECHNIQUES, simulate_take
from trainer.scoring import LiveCoach, Recogniser, build_reference, find_strokes, score_stroke
from trainer.store.references import ReferenceLibrary


def _times_ms(fn: Callable[[], object], repeat: int) -> np.ndarray:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return np.array(out) * 1e3


def main() -> None:
    library = ReferenceLibrary()
    profile = load_profile("reference-glove")
    fs = profile.sample_rate_hz
    refs = {t: library.get(f"{t}-starter") for t in TECHNIQUES}
    recogniser = Recogniser(list(refs.values()))
    print("scoring one finished stroke (median / p95 over the strokes of a 30 s take)")
    for technique, ref in refs.items():
        take = simulate_take(technique, seconds=30, profile=profile, seed=9)
        strokes = find_strokes(take.values, fs, profile)
        score_stroke(strokes[0].values, fs, ref)  # warm-up
        recogniser.classify(strokes[0].values, fs)
        score = np.concatenate(
            [_times_ms(functools.partial(score_stroke, s.values, fs, ref), 3) for s in strokes]
        )
        recog = np.concatenate(
            [_times_ms(functools.partial(recogniser.classify, s.values, fs), 3) for s in strokes]
        )
        print(
            f"  {technique:11s} template {ref.length:3d} x {ref.template.shape[1]}  "
            f"strokes {len(strokes):3d}  score {np.median(score):.2f} / "
            f"{np.percentile(score, 95):.2f} ms  recognise {np.median(recog):.2f} / "
            f"{np.percentile(recog, 95):.2f} ms"
        )
    ref = refs["effleurage"]
    take = simulate_take("effleurage", seconds=30, profile=profile, seed=10)
    coach = LiveCoach(ref)
    blocks = [take.values[i : i + 10] for i in range(0, take.values.shape[0], 10)]
    coach.push(blocks[0])
    per_block = []
    for block in blocks[1:]:
        t = time.perf_counter()
        coach.push(block)
        per_block.append(time.perf_counter() - t)
    ms = np.array(per_block) * 1e3
    print(
        f"live coach, 10-sample block (50 ms of glove time): median {np.median(ms):.2f} ms, "
        f"p99 {np.percentile(ms, 99):.2f} ms, max {ms.max():.2f} ms (includes scoring ends)"
    )
    takes = [
        (simulate_take("effleurage", seconds=30, profile=profile, seed=s).values, ())
        for s in (1, 2, 3, 4)
    ]
    t = time.perf_counter()
    built = build_reference(takes, name="bench", technique="effleurage", profile=profile, fs_hz=fs)
    print(
        f"building a reference from 4 x 30 s takes ({built.n_strokes} strokes): "
        f"{time.perf_counter() - t:.2f} s"
    )


if __name__ == "__main__":
    main()
