"""Two faults at once: does the advice name both?

The rest of the benchmark injects one fault per stroke, so every line beside the one
that names it counts against precision, and a scorer could buy precision by naming only
the largest fault. A student, though, often makes two mistakes in one stroke, and must
hear both. Here each stroke carries two faults of different kinds (a pace and a level, a
jerk and a level, a load and a pace, ...) at the moderate and the clear level, and we
count the strokes whose deductions name both (by the same expected codes as the single
faults). A change that raises single-fault precision by folding a second fault into the
first shows here as a drop.
"""

from __future__ import annotations

from typing import Any

from benchmarks.validity import generators as gen
from benchmarks.validity.metrics import matches, naming
from trainer.exceptions import ScoringError
from trainer.scoring import find_strokes, score_stroke, segmentation

__all__ = ["PAIRS", "combined_faults"]

#: Pairs of faults a student makes together, each in a different component or place.
PAIRS: tuple[tuple[str, str], ...] = (
    ("fast", "light_end"),
    ("slow", "heavy_start"),
    ("light_middle", "jerks"),
    ("jerks", "heavy_end"),
    ("heavy_uniform", "fast"),
    ("tremor", "light_start"),
    ("load_shift", "slow"),
)
#: Severity levels (1-4) both faults are injected at.
LEVELS = (2, 3)


def _named(codes: list[str], kind: str) -> bool:
    expected = gen.expected_codes(kind)[0]
    return any(matches(c, expected) for c in codes)


def combined_faults(
    family: str, refs: dict[str, Any], techniques: tuple[str, ...], per_pair: int, prof
) -> dict[str, Any]:
    """Share of two-fault strokes whose deductions name both faults, and either.

    Parameters
    ----------
    family : str
        Generator family.
    refs : dict
        Reference per technique (built from the family's reference styles).
    techniques : tuple of str
        Techniques to perform.
    per_pair : int
        Strokes per (technique, pair, level); styles taken in turn.
    prof : GloveProfile
        The glove.

    Returns
    -------
    dict
        ``both`` and ``either`` (shares of the scored strokes), ``n``, and ``by_pair``
        (``"a+b"`` -> share naming both).
    """
    fs = float(prof.sample_rate_hz)
    fam = gen.FAMILIES.index(family)
    both = either = n = 0
    by_pair: dict[str, list[int]] = {}
    for ti, tech in enumerate(techniques):
        for pi, (a, b) in enumerate(PAIRS):
            for level in LEVELS:
                for k in range(per_pair):
                    rng = gen.rng_for(fam, ti, 7, pi, level, k)
                    x = gen.clean_stroke(family, tech, k % 3, rng, prof)
                    for kind in (a, b):
                        mag = gen.ERROR_LEVELS[kind][level - 1]
                        x = gen.inject(x, kind, mag, rng, prof, tech, family)
                    rec = gen.make_recording([(x, None)], family, tech, rng, prof)  # type: ignore[list-item]
                    # Cut and scored as `score_strokes` does (the runner's single faults too).
                    found = find_strokes(rec.values, fs, prof, **segmentation(refs[tech]))
                    if not found:
                        continue
                    piece = max(found, key=lambda f: f.end - f.start)
                    try:
                        s = score_stroke(
                            piece.values, fs, refs[tech], clipped_channels=piece.clipped_channels
                        )
                    except ScoringError:
                        continue
                    codes = [c for c, _ in naming([(d.code, d.points) for d in s.deductions])]
                    has_a, has_b = _named(codes, a), _named(codes, b)
                    n += 1
                    both += has_a and has_b
                    either += has_a or has_b
                    tally = by_pair.setdefault(f"{a}+{b}", [0, 0])
                    tally[0] += has_a and has_b
                    tally[1] += 1
    return {
        "both": round(both / n, 3) if n else None,
        "either": round(either / n, 3) if n else None,
        "n": n,
        "by_pair": {p: round(t[0] / t[1], 3) for p, t in by_pair.items() if t[1]},
    }
