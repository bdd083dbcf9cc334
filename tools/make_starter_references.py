"""Build the bundled starter references in ``reference_strokes/`` from simulated takes.

SYNTHETIC: every starter reference is built from takes of the simulated glove
(``sensors.strokes``), whose force levels and rhythms follow the published figures cited
below where they exist (``docs/evidence.md``). Each file says so
(``"synthetic": true`` and its notes). Instructors should replace them with references
built from their own takes (``massage-trainer reference build NAME-starter ... --overwrite``).

Four takes of 30 s per technique, each a different simulator seed and a slightly different
pace and force (the variation between an expert's takes), on the reference glove.
Deterministic: unchanged code gives byte-identical files. Run from the repository root::

    python tools/make_starter_references.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from sensors.profiles import DEFAULT_PROFILE, load_profile
from sensors.strokes import TECHNIQUES, simulate_take
from trainer.scoring import Reference, build_reference
from trainer.store.references import load_reference, save_reference

OUT = Path(__file__).resolve().parents[1] / "reference_strokes"
CREATED = "2026-11-24"
# (seed, force_scale, tempo_scale) of each take: an expert varies a little between takes.
TAKES = ((101, 1.0, 1.0), (102, 0.95, 1.04), (103, 1.05, 0.97), (104, 1.0, 1.02))
SIZE_LIMIT_BYTES = 100_000

SYNTHETIC_NOTE = (
    "SYNTHETIC starter reference: built from simulated takes (massage-trainer's simulated "
    "glove, 4 takes x 30 s, seeds 101-104 with +-5 % force and pace variation), not "
    "recorded from an expert. Replace it with a reference built from an instructor's takes."
)

SOURCES = {
    "effleurage": (
        "Pace 40-50 strokes/min (textbook summary, Ryason 2009). Peak total force ~20 N after "
        "the 'high' low-back massage force >= 2 kg ~ 19.6 N (Chen et al. 2022, IJERPH "
        "19(20):13191); effleurage has the highest mean force of effleurage, petrissage and "
        "tapotement (Mickelwright et al. 2006). Load mostly on the palm and palm heel: a "
        "design choice, no published regional figure."
    ),
    "petrissage": (
        "No published petrissage cycle frequency or newton band exists: the ~0.5 s kneading "
        "cycle, ~14 N peak and thumb-led load are design choices, set below effleurage as "
        "Mickelwright et al. 2006 order the techniques' mean forces."
    ),
    "friction": (
        "Pace 60-70 strokes/min (Ryason 2009). Pressure from deep transverse friction by 40 "
        "physiotherapists: mean 227 kPa, quartiles 100-408 kPa (Chaves et al. 2020, Applied "
        "Sciences 10(8):2705), applied on the loaded fingertip sensors. This overlaps the "
        "back's pressure pain thresholds (lumbar ~262 kPa in chronic low back pain, ~356 kPa "
        "pain-free, Giesbrecht & Battie 2005): strokes near this reference can trigger the "
        "over-pressure caution, as they should on a back."
    ),
    "tapotement": (
        "Strikes at 6/s, within the published 4-10 strikes/s (massage texts; McKechnie, "
        "Young & Behm 2007 paced hacking at 4 Hz); lowest mean force of the three techniques "
        "(Mickelwright et al. 2006). The ~8 N strike peak and ulnar-finger load are design "
        "choices (no published newton figure)."
    ),
}


def build(technique: str) -> Reference:
    """Build one starter reference (not saved)."""
    profile = load_profile(DEFAULT_PROFILE)
    takes = [
        (
            simulate_take(
                technique,
                seconds=30,
                profile=profile,
                seed=seed,
                force_scale=force,
                tempo_scale=tempo,
            ).values,
            (),
        )
        for seed, force, tempo in TAKES
    ]
    return build_reference(
        takes,
        name=f"{technique}-starter",
        technique=technique,
        profile=profile,
        fs_hz=profile.sample_rate_hz,
        author="massage-trainer (synthetic)",
        notes=f"{SYNTHETIC_NOTE} {SOURCES[technique]} Sources: docs/evidence.md.",
        created=CREATED,
        synthetic=True,
        performers=("simulated glove",),
    )


def main() -> int:
    """Build, save and re-load the four starter references; return the exit code."""
    for technique in TECHNIQUES:
        ref = build(technique)
        path = save_reference(ref, OUT / f"{ref.name}.mtref", overwrite=True)
        load_reference(path)  # what we ship must pass our own validation
        size = path.stat().st_size
        print(f"{path.name}: {ref.n_strokes} strokes, {size} bytes")
        if size > SIZE_LIMIT_BYTES:
            print(f"{path.name} is larger than {SIZE_LIMIT_BYTES} bytes", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
