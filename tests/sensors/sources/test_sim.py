from __future__ import annotations

import time
from unittest import mock

import numpy as np
import pytest
from fake_clock import FakeClock  # type: ignore[import-not-found]

from sensors import protocol
from sensors.exceptions import SourceError
from sensors.sources import SourceState, open_source
from sensors.sources.sim import SimSource


def _run(spec: str):
    src = open_source(spec)
    with src:
        blocks = list(src)
    return src, blocks


@pytest.mark.parametrize("profile", ["reference-glove", "diy-fsr5"])
def test_sim_streams_monotone_blocks_of_the_requested_length(profile: str) -> None:
    src, blocks = _run(f"sim:petrissage?seed=2&speed=0&seconds=4&profile={profile}")
    t = np.concatenate([b.t for b in blocks])
    assert np.all(np.diff(t) > 0)
    assert t[-1] < 4.0 <= t[-1] + 2 / src.profile.sample_rate_hz
    assert len(t) == round(4.0 * src.profile.sample_rate_hz)
    assert not any(b.gap_before for b in blocks)
    assert src.status().state is SourceState.FINISHED
    assert src.status().samples == len(t)


def test_same_seed_same_blocks() -> None:
    _, a = _run("sim:friction?seed=9&speed=0&seconds=3")
    _, b = _run("sim:friction?seed=9&speed=0&seconds=3")
    _, c = _run("sim:friction?seed=8&speed=0&seconds=3")
    va, vb, vc = (np.concatenate([x.values for x in bl]) for bl in (a, b, c))
    np.testing.assert_array_equal(va, vb)
    assert not np.array_equal(va, vc)


@pytest.mark.parametrize("profile", ["reference-glove", "diy-fsr5"])
def test_sim_goes_through_the_protocol_decoder(profile: str) -> None:
    decoder = protocol.decode_text_line if profile == "diy-fsr5" else protocol.decode
    name = decoder.__name__
    with mock.patch.object(protocol, name, wraps=decoder) as spy:
        _run(f"sim:effleurage?speed=0&seconds=1&profile={profile}")
    assert spy.call_count > 0
    assert isinstance(spy.call_args.args[0], bytes)


def test_sim_values_are_quantised_by_the_glove() -> None:
    _, blocks = _run("sim:effleurage?speed=0&seconds=2")
    v = np.concatenate([b.values for b in blocks])
    counts = v / 0.002  # reference glove: 2 mN per count
    np.testing.assert_allclose(counts, np.rint(counts), atol=1e-6)


@pytest.mark.parametrize("speed", [1.0, 2.5])
def test_pacing_follows_glove_time_divided_by_speed(speed: float) -> None:
    clock = FakeClock()
    src = SimSource("tapotement", speed=speed, duration_s=3.0, clock=clock, sleep=clock.sleep)
    with src:
        for block in src:
            # A block is handed over once its last sample has been "taken".
            assert clock.now - 100.0 == pytest.approx(block.t[-1] / speed, abs=1e-9)
    assert clock.now - 100.0 == pytest.approx((3.0 - 1 / 200) / speed)


def test_read_returns_none_after_the_timeout_when_nothing_is_due() -> None:
    clock = FakeClock()
    src = SimSource("effleurage", speed=1.0, duration_s=1.0, clock=clock, sleep=clock.sleep)
    src.open()
    assert src.read(timeout=0.01) is None  # first block is due at 15/200 s
    assert clock.sleeps == [0.01]
    block = src.read(timeout=1.0)
    assert block is not None and block.t[0] == 0.0
    assert clock.now - 100.0 == pytest.approx(block.t[-1])


def test_real_time_pacing_on_the_wall_clock() -> None:
    src = SimSource("effleurage", speed=1.0, duration_s=0.6)
    src.open()
    start = time.monotonic()
    n = 0
    while True:
        try:
            block = src.read(timeout=0.01)
        except EOFError:
            break
        if block is not None:
            n += len(block)
    elapsed = time.monotonic() - start
    assert n == 120
    assert elapsed >= 0.5  # paced on the wall clock, never instant


def test_speed_zero_is_as_fast_as_possible() -> None:
    src, blocks = _run("sim:effleurage?speed=0&seconds=60")
    assert src.speed == 0
    assert sum(len(b) for b in blocks) == 60 * 200
    clock = FakeClock()
    src = SimSource("effleurage", speed=0, duration_s=60, clock=clock, sleep=clock.sleep)
    with src:
        n = sum(len(b) for b in src)
    assert n == 60 * 200
    assert clock.sleeps == []  # 60 s of glove time without once waiting for the clock


def test_friction_on_the_fsr_glove_shows_clipping_through_the_protocol() -> None:
    _, diy = _run("sim:friction?speed=0&seconds=5&profile=diy-fsr5")
    _, ref = _run("sim:friction?speed=0&seconds=5")
    assert any(b.clipped.any() for b in diy)
    assert not any(b.clipped.any() for b in ref)


def test_endless_source_keeps_streaming_across_synthesis_chunks() -> None:
    src = SimSource("petrissage", seed=1, speed=0)  # no duration: endless
    with src:
        blocks = [src.read(timeout=1) for _ in range(2000)]  # 2000 x 16 samples
        t = np.concatenate([b.t for b in blocks if b is not None])
    assert None not in blocks
    assert t[-1] > 150.0  # several 20 s synthesis chunks
    assert np.all(np.diff(t) > 0)
    np.testing.assert_allclose(np.diff(t), 1 / 200)
    assert src.status().state is SourceState.FINISHED


def test_errors() -> None:
    with pytest.raises(SourceError, match="unknown technique"):
        open_source("sim:shiatsu")
    with pytest.raises(SourceError, match="not opened"):
        SimSource().read(0)
    with pytest.raises(SourceError, match="unknown option"):
        open_source("sim:effleurage?sed=1")


# ----------------------------------------------------------------------------------
# Simulated students through the spec and the protocol
# ----------------------------------------------------------------------------------


def _values(spec: str) -> tuple[SimSource, np.ndarray]:
    src, blocks = _run(spec)
    return src, np.concatenate([b.values for b in blocks])


@pytest.mark.parametrize("technique", ["effleurage", "tapotement"])
def test_an_expert_student_streams_the_plain_glove(technique: str) -> None:
    # Existing captures and starter references built from sim:TECHNIQUE stay valid.
    _, plain = _values(f"sim:{technique}?seed=4&speed=0&seconds=45")  # crosses a chunk
    src, expert = _values(f"sim:{technique}?seed=4&speed=0&seconds=45&student=expert")
    np.testing.assert_array_equal(expert, plain)
    assert src.student is not None and src.student.tendencies == ()


def test_a_student_is_deterministic_for_a_seed_and_differs_across_seeds() -> None:
    spec = "sim:petrissage?speed=0&seconds=25&student=novice&seed="
    a_src, a = _values(spec + "7")
    b_src, b = _values(spec + "7")
    _, c = _values(spec + "8")
    np.testing.assert_array_equal(a, b)
    assert a_src.student == b_src.student
    assert not np.array_equal(a, c)


def test_the_source_says_which_student_it_performs() -> None:
    src, _ = _run("sim:effleurage?seed=2&speed=0&seconds=1&faults=too_light_end,rushed")
    assert src.status().message == (
        "simulated effleurage (seed 2), novice student: too_light_end 1.00, rushed 1.00"
    )
    meta = src.metadata()
    assert meta["student"] == {
        "level": "novice",
        "tendencies": {"too_light_end": 1.0, "rushed": 1.0},
        "improve": False,
    }
    drawn = open_source("sim:friction?seed=3&student=novice&improve=1")
    assert isinstance(drawn, SimSource)
    assert drawn.student is not None and 2 <= len(drawn.student.tendencies) <= 3
    assert "novice student: " in drawn.status().message
    assert drawn.status().message.endswith("(improving)")
    plain = open_source("sim:friction")
    assert isinstance(plain, SimSource)
    assert "student" not in plain.metadata()


def test_named_faults_change_the_streamed_signal() -> None:
    _, plain = _values("sim:effleurage?seed=5&speed=0&seconds=20")
    _, light = _values("sim:effleurage?seed=5&speed=0&seconds=20&faults=too_light")
    assert light.sum() == pytest.approx(0.55 * plain.sum(), rel=0.02)
    src, mid = _values(
        "sim:effleurage?seed=5&speed=0&seconds=20&student=intermediate&faults=too_light"
    )
    assert src.student is not None and src.student.tendencies == (("too_light", 0.5),)
    assert mid.sum() == pytest.approx(0.775 * plain.sum(), rel=0.02)


def _stroke_sums(values: np.ndarray) -> np.ndarray:
    total = values.sum(axis=1)
    smooth = np.convolve(total, np.ones(9) / 9, mode="same")  # no noise crossings
    loaded = np.concatenate([[False], smooth > 2.0, [False]])
    edges = np.flatnonzero(np.diff(loaded.astype(int)))
    return np.array([total[s:e].sum() for s, e in zip(edges[::2], edges[1::2], strict=True)])


def test_improvement_carries_across_synthesis_chunks() -> None:
    # 60 s of effleurage are three 20 s chunks: the fading must follow the session's
    # stroke count, not restart with each chunk.
    _, plain = _values("sim:effleurage?seed=6&speed=0&seconds=60")
    src, better = _values("sim:effleurage?seed=6&speed=0&seconds=60&faults=too_light&improve=1")
    ratio = _stroke_sums(better) / _stroke_sums(plain)
    assert ratio[0] == pytest.approx(0.55, abs=0.02)
    assert np.all(np.diff(ratio) > -0.01)
    assert ratio[-1] > 0.95
    assert src._strokes_done >= len(ratio)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("sim:effleurage?student=guru", r"unknown student level 'guru' \(known: novice, "),
        ("sim:?faults=too_lite", r"unknown fault 'too_lite' \(known: too_light, "),
        ("sim:?faults=rushed,dragged", "faults rushed and dragged contradict each other"),
        ("sim:?student=expert&faults=jerky", "an expert student has no faults"),
        ("sim:?student=novice&improve=maybe", "option improve='maybe' must be 0 or 1"),
        ("sim:?faults=load_ring&profile=diy-fsr5", "glove diy-fsr5 has no ring sensor"),
    ],
)
def test_student_option_errors_are_one_line(spec: str, message: str) -> None:
    with pytest.raises(SourceError, match=message) as err:
        open_source(spec)
    assert "\n" not in str(err.value)
