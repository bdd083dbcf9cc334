"""The live coach fed in blocks gives what it gives fed one sample at a time.

The engine hands the coach each block in one call (``LiveCoach.push`` walks it in
stretches, not sample by sample); every result must be the same as pushing the samples
one at a time: the strokes scored (every field), the position after each sample, the cues
shown during a block and at its last sample, the stroke counts, across gaps and for any
block split.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pytest

from sensors.capture import read_capture
from trainer.live import TRACK_COLUMNS, Acquisition, EventKind
from trainer.scoring import Cue, FeedbackSchedule, LiveCoach
from trainer.scoring.model import Reference

FIXTURES = Path(__file__).parents[2] / "fixtures"


class _Block(NamedTuple):
    values: np.ndarray
    gap_before: bool


class _PerSample(NamedTuple):
    """Everything a coach fed one sample at a time reported, sample by sample."""

    positions: np.ndarray
    active: list[bool]
    cues: list[tuple[Cue, ...]]
    finished: list[Any]
    strokes: int
    not_strokes: int


def _one_at_a_time(coach: LiveCoach, values: np.ndarray, gaps: set[int]) -> _PerSample:
    positions: list[int] = []
    active: list[bool] = []
    cues: list[tuple[Cue, ...]] = []
    finished: list[Any] = []
    for k in range(values.shape[0]):
        update = coach.push(_Block(values[k : k + 1], k in gaps))
        assert update.positions.tolist() == [update.position]
        assert update.last_cues == update.cues
        positions.append(update.position)
        active.append(update.active)
        cues.append(update.cues)
        finished += update.finished
    return _PerSample(np.array(positions), active, cues, finished, coach.strokes, coach.not_strokes)


def _references() -> dict[str, Reference]:
    from trainer.app import load_references

    return {r.name: r for r in load_references()}


@pytest.fixture(scope="module")
def references() -> dict[str, Reference]:
    return _references()


CASES = {
    # A light novice, cues faded to every other stroke, two gaps (one mid-stroke).
    "light, every other stroke, gaps": ("effleurage", 0.5, ("every_n", 2), (700, 1333)),
    # Pressing far too hard: pressure, pace and the safety cue, every stroke.
    "heavy, every stroke, gaps": ("friction", 1.8, ("every", 3), (451, 1200)),
    # No cues at all, a gap at the very first sample and one 10 samples before the end.
    "as recorded, no feedback": ("petrissage", 1.0, ("off", 3), (0, -10)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_blocks_give_what_single_samples_give(case: str, references) -> None:
    technique, scale, (mode, n), gap_at = CASES[case]
    reference = references[f"{technique}-starter"]
    # The first 7.5 s: five or six strokes.
    values = read_capture(FIXTURES / f"{technique}-sim.mtcap").values[:1500] * scale
    gaps = {g % values.shape[0] for g in gap_at}

    def coach() -> LiveCoach:
        return LiveCoach(reference, schedule=FeedbackSchedule(mode, n))

    single = _one_at_a_time(coach(), values, gaps)
    assert len(single.finished) >= 3  # strokes were scored ...
    if mode != "off" and scale != 1.0:
        assert sum(map(bool, single.cues)) > 50  # ... and cues shown, to compare
    rng = np.random.default_rng(len(case))
    # Blocks of a glove's notifications, of the engine's reads, and the whole take.
    for largest in (3, 40, values.shape[0]):
        cuts = np.cumsum(rng.integers(1, largest + 1, size=values.shape[0]))
        bounds = sorted({0, values.shape[0], *gaps, *cuts[cuts < values.shape[0]].tolist()})
        blocks = coach()
        finished: list[Any] = []
        positions = []
        for a, b in itertools.pairwise(bounds):
            update = blocks.push(_Block(values[a:b], a in gaps))
            finished += update.finished
            positions.append(update.positions)
            assert (update.active, update.position) == (
                single.active[b - 1],
                single.positions[b - 1],
            )
            assert update.last_cues == single.cues[b - 1]
            shown = set().union(*single.cues[a:b])
            assert update.cues == tuple(c for c in Cue if c in shown)
        assert finished == single.finished  # every field of every score (the path aside)
        for ours, theirs in zip(finished, single.finished, strict=True):
            np.testing.assert_array_equal(ours.path, theirs.path)
        np.testing.assert_array_equal(np.concatenate(positions), single.positions)
        assert (blocks.strokes, blocks.not_strokes) == (single.strokes, single.not_strokes)


def test_an_empty_block_changes_nothing_but_its_gap(references) -> None:
    reference = references["effleurage-starter"]
    values = read_capture(FIXTURES / "effleurage-sim.mtcap").values[:600]
    plain, with_empty = LiveCoach(reference), LiveCoach(reference)
    first = plain.push(_Block(values, False))
    with_empty.push(_Block(values[:300], False))
    empty = with_empty.push(_Block(values[:0], False))
    assert empty.positions.shape == (0,) and empty.finished == () and empty.last_cues == ()
    second = with_empty.push(_Block(values[300:], False))
    assert (second.position, second.active) == (first.position, first.active)
    np.testing.assert_array_equal(second.positions, first.positions[300:])


def test_the_engine_track_is_the_coach_fed_one_sample_at_a_time(references) -> None:
    """The engine feeds the coach whole blocks; its track and strokes are per sample."""
    from sensors.sources import open_source

    reference = references["effleurage-starter"]
    source = open_source("sim:effleurage?seed=2&speed=0&seconds=8&student=novice")
    acq = Acquisition(source, window_s=10.0)
    acq.set_scorer(LiveCoach(reference))
    acq.start()
    assert acq.wait(60.0)
    assert acq.error is None, acq.error
    events = acq.events(10_000)
    strokes = [e.payload for e in events if e.kind is EventKind.STROKE]
    snap = acq.buffer.snapshot()
    assert len(snap) == 1600

    single = _one_at_a_time(
        LiveCoach(reference), snap.values, set(np.flatnonzero(snap.gap_before).tolist())
    )
    assert len(strokes) == len(single.finished) >= 4
    for ours, theirs in zip(strokes, single.finished, strict=True):
        # The engine restates the span in stream time (the sim's clock starts at 0).
        assert ours.start_s == pytest.approx(theirs.start_s, abs=1e-6)
        assert (ours.overall, ours.components) == (theirs.overall, theirs.components)
    pos = single.positions
    inside = (pos >= 0) & (pos < reference.length - 1)
    expected = np.full((len(snap), len(TRACK_COLUMNS)), np.nan)
    expected[inside] = np.column_stack(
        [
            reference.band_lo[pos[inside]],
            reference.band_hi[pos[inside]],
            reference.total[pos[inside]],
        ]
    )
    np.testing.assert_array_equal(snap.aux, expected)
    assert acq.live().position == single.positions[-1]
    assert acq.live().cues == single.cues[-1]
