"""Disconnect storm: a glove link that drops 100 times in one session.

Through what the app runs (BLE source -> acquisition -> live coach + session recorder)
and through the CLI (``record``): every drop is recovered, every gap is marked in the
capture, no stroke is scored across a gap, and every sample the glove delivered before
and after each drop is in the recording, unchanged.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "sensors" / "sources"))

from fake_ble import FakeGlove, config_for

from sensors import protocol
from sensors.capture import read_capture
from sensors.profiles import load_profile
from sensors.sources import SourceState
from sensors.sources.ble import BleSource
from sensors.strokes import simulate_take

REF = "reference-glove"
DROPS = 100
SECONDS = 150.0


def _packets(seconds: float, seed: int = 4) -> list[bytes]:
    """A simulated effleurage session encoded as the glove's own notifications."""
    profile = load_profile(REF)
    values = simulate_take("effleurage", seconds=seconds, profile=profile, seed=seed).values
    raw = profile.to_raw(values)
    per = protocol.max_samples_per_packet(raw.shape[1])
    dt_us = round(1e6 / profile.sample_rate_hz)
    out = []
    for seq, start in enumerate(range(0, raw.shape[0], per)):
        chunk = raw[start : start + per]
        out.append(protocol.encode(protocol.SamplePacket(seq, start * dt_us, dt_us, chunk)))
    return out


def _storm(packets: list[bytes], seed: int = 11) -> FakeGlove:
    """100 drops at random packets (mid-stroke or at rest alike), 2 packets lost each."""
    rng = np.random.default_rng(seed)
    candidates = np.arange(20, len(packets) - 20, 4)  # drops at least 4 packets apart
    drops = set(rng.choice(candidates, size=DROPS, replace=False).tolist())
    return FakeGlove(
        packets,
        config=config_for(REF),
        drop_after=drops,
        lost_on_drop=2,
        fail_connects_after_drop=1,  # the glove is away for one attempt each time
        interval_s=0.0005,
    )


def _ble(glove: FakeGlove) -> BleSource:
    return BleSource(
        glove.address,
        client_class=glove.client_class(),
        scanner_class=glove.scanner_class(),
        connect_timeout_s=2.0,
        scan_timeout_s=0.1,
        backoff_s=(0.005, 0.01),
        max_attempts=4,
    )


def _delivered(glove: FakeGlove) -> np.ndarray:
    """Newtons of every packet the glove actually notified, in order."""
    profile = load_profile(REF)
    sent = list(dict.fromkeys(glove.sent))
    return profile.to_newtons(np.concatenate([protocol.decode(glove.packets[i]).raw for i in sent]))


@pytest.fixture(scope="module")
def packets() -> list[bytes]:
    return _packets(SECONDS)


def test_app_pipeline_survives_100_drops(packets, tmp_path, practise) -> None:
    from trainer.live import EventKind
    from trainer.store.database import Store

    glove = _storm(packets)
    source = _ble(glove)
    with Store(tmp_path) as store:
        recorder, events = practise(store, source, timeout=120.0)
        status = source.status()
        session = store.session(recorder.session_id)
        attempts = store.attempts(recorder.session_id)

    # Recovered from every drop, and said so.
    assert status.reconnects == DROPS
    states = [s for i, s in enumerate(source.state_history) if i == 0 or
              source.state_history[i - 1] is not s]  # fmt: skip
    # ... and once more when the log ends and the glove goes away for good.
    assert states.count(SourceState.RECONNECTING) == DROPS + 1
    assert states[-1] is SourceState.LOST
    assert sum(e.kind is EventKind.GAP for e in events) == DROPS
    # Every delivered sample recorded, unchanged; a gap marked after each drop.
    cap = read_capture(session.capture)
    np.testing.assert_array_equal(cap.values, _delivered(glove))
    assert cap.gap_starts.size == DROPS
    gap_t = cap.t[cap.gap_starts]
    # The storm hit strokes in progress, not only rests (the force just before the gap).
    before = cap.values[cap.gap_starts - 1].sum(axis=1)
    assert np.sum(before > 2.0) >= 20
    # Strokes were scored between the gaps, never across one.
    assert len(attempts) >= 20
    for a in attempts:
        s = a.score
        assert not np.any((gap_t > s.start_s) & (gap_t <= s.end_s)), (s.start_s, s.end_s)
    assert session.state == "finished"


def test_cli_record_survives_100_drops(packets, tmp_path, monkeypatch, capsys) -> None:
    import sensors.sources
    from trainer.cli import main

    glove = _storm(packets, seed=12)
    # `record` opens its source through sensors.sources.open_source when it runs.
    monkeypatch.setattr(sensors.sources, "open_source", lambda spec: _ble(glove))
    out = tmp_path / "storm.mtcap"
    code = main(["record", "--source", f"ble:{glove.address}", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert f"{DROPS} gaps" in printed
    cap = read_capture(out)
    np.testing.assert_array_equal(cap.values, _delivered(glove))
    assert cap.gap_starts.size == DROPS
    # Device timestamps kept: each hole is as long as what was lost (2 packets + 0 ms).
    per = protocol.max_samples_per_packet(cap.values.shape[1])
    steps = np.diff(cap.t)[cap.gap_starts - 1]
    np.testing.assert_allclose(steps, (2 * per + 1) / load_profile(REF).sample_rate_hz)
