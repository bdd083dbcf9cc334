from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from trainer.exceptions import StoreError
from trainer.scoring.scoring import PHASES
from trainer.store.database import Store
from trainer.store.references import ReferenceLibrary
from trainer.store.replay import load_replay, parse_target


@pytest.fixture(scope="module")
def practised(practised_home) -> tuple[Path, int]:
    return practised_home("replay-home")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12", ("session", 12)), ("S12", ("session", 12)), ("session:4", ("session", 4)),
     ("A7", ("attempt", 7)), ("attempt:7", ("attempt", 7)), (" a 3 ", ("attempt", 3))],
)  # fmt: skip
def test_targets_parse(text, expected) -> None:
    assert parse_target(text) == expected


@pytest.mark.parametrize("text", ["", "X1", "A", "12.5", "S-1"])
def test_bad_targets_are_one_line_errors(text) -> None:
    with pytest.raises(StoreError, match="not a session or attempt"):
        parse_target(text)


def test_attempt_replay_maps_the_attempt_onto_the_reference(practised) -> None:
    home, sid = practised
    with Store(home, readonly=True) as store:
        attempts = store.attempts(sid)
        target = attempts[2]
        data = load_replay(store, f"A{target.id}")
    assert data.focus == 2 and data.reference is not None
    assert data.reference_note == "the copy used in the session"
    replay = data.attempts[2]
    span = data.t[replay.first : replay.stop]
    # The samples are the attempt's span of the capture.
    assert span[0] == pytest.approx(target.score.start_s, abs=1e-6)
    assert span[-1] + 1 / data.capture.sample_rate_hz == pytest.approx(target.score.end_s, abs=1e-6)
    length = data.reference.length
    assert replay.on_template is not None and replay.template_on_attempt is not None
    assert replay.on_template.shape == (length,)
    assert replay.template_on_attempt.shape == (replay.stop - replay.first, 3)
    # Warped time: where the reference peaks, so does the attempt mapped onto it.
    assert (
        abs(int(np.argmax(replay.on_template)) - int(np.argmax(data.reference.total)))
        < 0.2 * length
    )
    # Real time: the reference drawn under the attempt is monotone in template time.
    lo, hi = replay.template_on_attempt[:, 1], replay.template_on_attempt[:, 2]
    assert np.all(lo <= hi)
    # Pins sit inside the attempt, phase deductions in their third.
    for pin in replay.pins:
        assert span[0] <= pin.t_s <= span[-1]
        for p, name in enumerate(PHASES):
            if pin.code.endswith(f"_{name}"):
                assert p * length / 3 <= pin.template_index < (p + 1) * length / 3


def test_replay_survives_a_rebuilt_reference(practised, monkeypatch) -> None:
    home, sid = practised
    with Store(home, readonly=True) as store:
        before = load_replay(store, str(sid))
        # The library's reference changes (an instructor rebuilt it): replay still uses
        # the copy the session was scored against.
        other = ReferenceLibrary().get("friction-starter")
        monkeypatch.setattr(ReferenceLibrary, "get", lambda self, name: other)
        after = load_replay(store, str(sid))
    assert after.reference is not None and before.reference is not None
    assert after.reference.name == before.reference.name == "effleurage-starter"
    np.testing.assert_array_equal(after.reference.template, before.reference.template)


def test_missing_capture_is_a_one_line_error(practised, tmp_path) -> None:
    home, sid = practised
    with Store(home, readonly=True) as store:
        capture = store.session(sid).capture
    moved = tmp_path / "moved.mtcap"
    capture.rename(moved)
    try:
        with Store(home, readonly=True) as store, pytest.raises(StoreError) as info:
            load_replay(store, str(sid))
        assert "capture cannot be read" in str(info.value) and "\n" not in str(info.value)
    finally:
        moved.rename(capture)


def test_replay_json_is_serialisable(practised) -> None:
    import json

    home, sid = practised
    with Store(home, readonly=True) as store:
        data = load_replay(store, str(sid))
    out = json.loads(json.dumps(data.to_dict(arrays=True)))
    assert data.reference is not None
    assert out["session"]["id"] == sid and len(out["attempts"]) == data.session.attempts
    assert len(out["t"]) == data.capture.n_samples and len(out["band_lo"]) == data.reference.length
