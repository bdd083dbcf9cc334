"""Build the bundled starter references in ``reference_strokes/`` from simulated takes.

SYNTHETIC: every starter reference is built from takes of the simulated glove
(``sensors.strokes``), whose force levels and rhythms follow the published figures cited
below where they exist. Instructors should replace them with references built from their
own takes. Run from the repository root::

    python tools/make_starter_references.py
"""

from __future__ import annotations

from pathlib import Path

from sensors.profiles import DEFAULT_PROFILE, load_profile
from sensors.strokes import TECHNIQUES, simulate_take
from trainer.scoring import build_reference
from trainer.store.references import save_reference

OUT = Path(__file__).resolve().parents[1] / "reference_strokes"
CREATED = "2026-11-24"
SEEDS = (101, 102, 103, 104)

SOURCES = {
    "effleurage": (
        "Rate 40-50 strokes/min (textbook summary, Ryason 2009); peak ~20 N after the 'high' "
        "low-back force >= 2 kg ~ 19.6 N (Chen et al. 2022); highest mean force of effleurage, "
        "petrissage and tapotement (Mickelwright et al. 2006)."
    ),
    "petrissage": (
        "No published petrissage cycle frequency or newton band exists: 1 Hz kneading and a "
        "~14 N peak are design choices, below effleurage as Mickelwright et al. 2006 order them."
    ),
    "friction": (
        "60-70 strokes/min (Ryason 2009); pressure from deep transverse friction, mean 227 kPa "
        "(quartiles 100-408 kPa; Chaves et al. 2020), converted through each sensor's area."
    ),
    "tapotement": (
        "Strikes at 6/s within the published 4-10 strikes/s (massage texts; McKechnie et al. "
        "2007 used 4 Hz); lowest mean force (Mickelwright et al. 2006); ~8 N strike peaks are "
        "a design choice (no published newton figure)."
    ),
}


def main() -> None:
    """Build and save the four starter references."""
    profile = load_profile(DEFAULT_PROFILE)
    for technique in TECHNIQUES:
        takes = [
            (simulate_take(technique, seconds=30, profile=profile, seed=seed).values, ())
            for seed in SEEDS
        ]
        ref = build_reference(
            takes,
            name=f"{technique}-starter",
            technique=technique,
            profile=profile,
            fs_hz=profile.sample_rate_hz,
            author="massage-trainer (synthetic)",
            notes="SYNTHETIC starter reference built from simulated takes, not from an expert. "
            + SOURCES[technique]
            + " Figures: shared/domain/massage-figures.md.",
            created=CREATED,
        )
        path = save_reference(ref, OUT / f"{ref.name}.mtref", overwrite=True)
        print(f"{path.name}: {ref.n_strokes} strokes, {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
