from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from sensors.capture import read_capture
from trainer.exceptions import StoreError
from trainer.live import EventKind
from trainer.store.database import Store
from trainer.store.sessions import SessionRecording, new_capture_path


def test_a_practice_session_is_recorded_whole(tmp_path: Path, practise, effleurage_capture) -> None:
    fixture = effleurage_capture
    with Store(tmp_path) as store:
        recorder, events = practise(store, f"replay:{fixture}?speed=0")
        strokes = [e.payload for e in events if e.kind is EventKind.STROKE]
        assert len(strokes) >= 5
        session = store.session(recorder.session_id)
        assert session.state == "finished"
        assert session.glove == "reference-glove" and session.technique == "effleurage"
        original = read_capture(fixture)
        recorded = read_capture(session.capture)
        assert recorded.n_samples == original.n_samples == session.samples
        assert recorded.values.tobytes() == original.values.tobytes()
        assert recorded.metadata["session"]["reference"] == "effleurage-starter"
        attempts = store.attempts(session.id)
        assert [a.score.overall for a in attempts] == [s.overall for s in strokes]
        # Spans are in capture time: each attempt lies inside the recording, in order.
        t0, t1 = float(recorded.t[0]), float(recorded.t[-1])
        for a in attempts:
            assert t0 <= a.score.start_s < a.score.end_s <= t1 + 0.01
            assert a.score.path is not None and a.score.path[-1, 1] > 0
        assert all(b.score.start_s > a.score.end_s for a, b in itertools.pairwise(attempts))


def test_capture_paths_are_unique_and_dated(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    when = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    a = new_capture_path(tmp_path, "Effleurage!", when)
    a.write_bytes(b"x")
    b = new_capture_path(tmp_path, "Effleurage!", when)
    assert (
        a.relative_to(tmp_path).as_posix() == "sessions/2026/11/20261124T093000Z-effleurage.mtcap"
    )
    assert b != a and b.name.endswith("-2.mtcap")


def test_a_failing_disk_stops_recording_not_practice(
    tmp_path: Path, monkeypatch, practise, effleurage_capture
) -> None:
    from sensors.capture import CaptureWriter

    calls = {"n": 0}
    append = CaptureWriter.append

    def flaky(self, block):
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError(28, "No space left on device")
        return append(self, block)

    monkeypatch.setattr(CaptureWriter, "append", flaky)
    fixture = effleurage_capture
    with Store(tmp_path) as store:
        recorder, events = practise(store, f"replay:{fixture}?speed=0")
        failed = [e for e in events if e.kind is EventKind.RECORDING_FAILED]
        assert len(failed) == 1 and "No space left" in failed[0].message
        # Practice went on to the end: strokes kept being scored after the failure.
        assert any(e.kind is EventKind.FINISHED for e in events)
        assert sum(e.kind is EventKind.STROKE for e in events) >= 5
        kept = read_capture(recorder.capture)
        assert kept.n_samples > 0  # what was written before the failure is on disk


def test_recording_errors_are_store_errors(tmp_path: Path) -> None:
    from sensors.profiles import load_profile

    with Store(tmp_path) as store:
        recording = SessionRecording(store, reference=None, source="sim", feedback_mode="off")
        # The sessions folder is a file: the capture cannot be created.
        (tmp_path / "sessions").write_text("in the way")
        with pytest.raises(StoreError, match=r"cannot|Not a directory|exists"):
            recording.start("effleurage", "x", load_profile("reference-glove"))


_CHILD = textwrap.dedent(
    """
    import sys, time
    from sensors.sources import open_source
    from trainer.app import make_coach, make_recorder, open_store
    from trainer.store.references import ReferenceLibrary
    from trainer.live import Acquisition, EventKind

    spec = sys.argv[1]
    store = open_store()
    ref = ReferenceLibrary().get("effleurage-starter")
    acq = Acquisition(open_source(spec))
    recorder = make_recorder(store, ref, "every", spec)
    acq.set_scorer(make_coach(ref))
    acq.set_recorder(recorder, technique=ref.technique, reference=ref.name)
    acq.start()
    while True:
        for event in acq.events():
            if event.kind is EventKind.STROKE:
                print("stroke", event.payload.start_s, flush=True)
        snap = acq.buffer.snapshot(1)
        if len(snap):
            print("t", float(snap.t[-1]), flush=True)
        time.sleep(0.05)
    """
)


def test_sigkill_mid_session_keeps_attempts_and_the_capture_to_the_last_second(
    tmp_path: Path, effleurage_capture
) -> None:
    # Real time, looping, so the child is mid-stroke whenever it is killed.
    spec = f"replay:{effleurage_capture}?speed=2&loop=1"
    env = {**os.environ, "MASSAGE_TRAINER_HOME": str(tmp_path)}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, spec],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    strokes: list[tuple[float, float]] = []  # (wall time seen, start_s)
    t_stream = 0.0
    try:
        assert child.stdout is not None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            kind, value = line.split()
            if kind == "stroke":
                strokes.append((time.monotonic(), float(value)))
            else:
                t_stream = float(value)
            # Kill once three strokes have had over half a second to be committed (and a
            # fourth is reported): on a busy machine strokes may arrive in a burst, so
            # time since the first one says nothing about the third.
            if len(strokes) >= 4 and time.monotonic() - strokes[2][0] > 0.6:
                break
        killed_at = time.monotonic()
        child.send_signal(signal.SIGKILL)
    finally:
        if child.poll() is None:
            child.kill()
        _, err = child.communicate(timeout=10)  # reaps it and closes the pipes
    assert child.returncode == -signal.SIGKILL, err
    assert len(strokes) >= 4, "the child did not score strokes in time"

    with Store(tmp_path) as store:
        (session,) = store.sessions()
        assert store.recovered == [session.id] and session.state == "interrupted"
        assert store.integrity_check() == "ok"
        attempts = store.attempts(session.id)
        # Every stroke reported more than half a second before the kill was committed.
        settled = [s for wall, s in strokes if killed_at - wall > 0.5]
        assert len(attempts) >= len(settled) >= 3
        assert [a.score.start_s for a in attempts[: len(settled)]] == pytest.approx(settled)
        capture = read_capture(session.capture)
        # At most a second of samples lost (the writer syncs every 0.5 s).
        assert float(capture.t[-1]) >= t_stream - 1.0
        assert session.samples == capture.n_samples
