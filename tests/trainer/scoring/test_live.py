from __future__ import annotations

import numpy as np
import pytest

from sensors.sources.sim import SimSource
from trainer.scoring import score_strokes
from trainer.scoring.live import Cue, CueGate, FeedbackSchedule, LiveCoach
from trainer.store.references import ReferenceLibrary


@pytest.fixture(scope="module")
def reference():
    return ReferenceLibrary().get("effleurage-starter")


def _run(reference, source, schedule=None):
    coach = LiveCoach(reference, schedule=schedule)
    updates = []
    with source:
        for block in source:
            updates.append(coach.push(block))
    return updates


def test_live_scores_match_offline_and_position_advances(reference) -> None:
    source = SimSource("effleurage", seed=5, speed=0, duration_s=15)
    updates = _run(reference, source)
    live = [s for u in updates for s in u.finished]
    offline_src = SimSource("effleurage", seed=5, speed=0, duration_s=15)
    with offline_src:
        values = np.concatenate([b.values for b in offline_src])
    offline = score_strokes(values, reference.fs_hz, reference)
    assert len(live) == len(offline) >= 8
    assert np.mean([s.overall for s in live]) > 85
    positions = [u.position for u in updates if u.active]
    assert max(positions) >= 0.9 * (reference.length - 1)
    lo, hi = next(u.band_ahead for u in updates if u.active)
    assert len(lo) == len(hi) > 0 and np.all(lo <= hi)


def test_light_strokes_cue_press_harder(reference) -> None:
    class Light(SimSource):
        def read(self, timeout=None):
            block = super().read(timeout)
            return (
                None
                if block is None
                else type(block)(
                    block.t, block.values * 0.4, block.profile, block.gap_before, block.seq
                )
            )

    updates = _run(reference, Light("effleurage", seed=2, speed=0, duration_s=10))
    cues = [c for u in updates for c in u.cues]
    assert Cue.PRESS_HARDER in cues and Cue.PRESS_LIGHTER not in cues
    # faded feedback: off shows nothing; every 3rd stroke shows fewer cue blocks than every stroke
    off = _run(
        reference, Light("effleurage", seed=2, speed=0, duration_s=10), FeedbackSchedule("off")
    )
    assert not any(u.cues for u in off)
    third = _run(
        reference,
        Light("effleurage", seed=2, speed=0, duration_s=10),
        FeedbackSchedule("every_n", 3),
    )
    assert 0 < sum(bool(u.cues) for u in third) < sum(bool(u.cues) for u in updates)


def test_cue_gate_hysteresis_does_not_flicker() -> None:
    gate = CueGate(hold=5)
    noisy = [True, False] * 20  # condition flickers every sample
    assert not any(gate.update(c) for c in noisy)
    assert [gate.update(True) for _ in range(5)][-1] is True
    states = [gate.update(c) for c in [False, True] * 10]
    assert all(states)  # short dropouts do not switch it off
