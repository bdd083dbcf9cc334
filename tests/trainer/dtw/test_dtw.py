"""The package surface: exports, warm-up, and the on-disk kernel cache."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numba
import pytest

import trainer.dtw
from trainer.dtw import _kernels

# Private helpers (leading underscore) are inlined into the kernels, never called alone.
KERNELS = [
    name
    for name in dir(_kernels)
    if hasattr(getattr(_kernels, name), "stats") and not name.startswith("_")
]


def test_all_names_exist() -> None:
    for name in trainer.dtw.__all__:
        assert hasattr(trainer.dtw, name), name


@pytest.mark.skipif(numba.config.DISABLE_JIT, reason="no dispatchers without the JIT")  # type: ignore[attr-defined]
def test_warmup_compiles_every_kernel() -> None:
    trainer.dtw.warmup()
    assert {"dtw_cost", "nn_search", "open_end_rows", "spring_steps"} <= set(KERNELS)
    for name in KERNELS:
        assert getattr(_kernels, name).signatures, f"{name} not compiled by warmup()"


@pytest.mark.skipif(numba.config.DISABLE_JIT, reason="measures the JIT cache")  # type: ignore[attr-defined]
def test_second_process_loads_kernels_from_cache() -> None:
    trainer.dtw.warmup()  # this process compiled or loaded them: the cache is written
    script = textwrap.dedent(
        """
        import json
        import trainer.dtw
        from trainer.dtw import _kernels
        trainer.dtw.warmup()
        out = {}
        for name in KERNELS:
            stats = getattr(_kernels, name).stats
            out[name] = [sum(stats.cache_hits.values()), sum(stats.cache_misses.values())]
        print(json.dumps(out))
        """
    ).replace("KERNELS", repr(KERNELS))
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    stats = json.loads(run.stdout.strip().splitlines()[-1])
    misses = {name: hm for name, hm in stats.items() if hm[1] or not hm[0]}
    assert not misses, f"kernels compiled again instead of loaded: {misses}"
