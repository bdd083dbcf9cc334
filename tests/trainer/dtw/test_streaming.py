from __future__ import annotations

import itertools
from dataclasses import FrozenInstanceError

import dtw as dtwpy
import numpy as np
import pytest

from sensors.blocks import SampleBlock
from sensors.profiles import load_profile
from trainer.dtw import Match, OpenEndAligner, StreamingMatcher, _reference, dtw_distance
from trainer.exceptions import SignalError

# dtw-python refuses open_end with symmetric1 ("Open-end alignments require normalizable
# step patterns": its hint is "NA"). The same step matrix with hint "N" divides the last
# row by the constant n before its argmin, which changes neither the argmin (jmin, the
# last index2) nor the reported distance (always the unnormalised costMatrix[-1, jmin]):
# that *is* symmetric1 open-end. The query (rows) is the stream, the reference the template.
SYMMETRIC1_OPEN_END = dtwpy.StepPattern(dtwpy.symmetric1.mx, hint="N")


def _blocks(rng: np.random.Generator, n: int, largest: int = 6) -> list[slice]:
    out, t = [], 0
    while t < n:
        k = int(rng.integers(1, largest + 1))
        out.append(slice(t, t + k))
        t += k
    return out


@pytest.mark.parametrize("r", [None, 3, 10])
def test_open_end_equals_dtw_python_after_every_block(r: int | None) -> None:
    rng = np.random.default_rng(60 + (r or 0))
    window = {} if r is None else {"window_type": "sakoechiba", "window_args": {"window_size": r}}
    for _ in range(12):
        d = int(rng.integers(1, 4))
        template = rng.normal(size=(int(rng.integers(5, 40)), d))
        limit = len(template) + (r if r is not None else 30)  # keep a path inside the band
        stream = rng.normal(size=(int(rng.integers(2, limit)), d))
        cost = ((stream[:, None, :] - template[None, :, :]) ** 2).sum(axis=2)
        aligner = OpenEndAligner(template, window=r)
        assert aligner.position == -1 and aligner.distance == np.inf
        for block in _blocks(rng, len(stream)):
            position = aligner.push(stream[block])
            t = min(block.stop, len(stream))
            ref = dtwpy.dtw(cost[:t], step_pattern=SYMMETRIC1_OPEN_END, open_end=True, **window)
            assert position == aligner.position == ref.index2[-1] == ref.jmin
            assert aligner.cost == pytest.approx(ref.distance, rel=1e-12)
            assert aligner.distance == pytest.approx(np.sqrt(ref.distance), rel=1e-12)
            assert aligner.samples == t
        # the whole last row, not just its minimum (dtw-python marks cells outside the band
        # NaN, ours are inf)
        full = dtwpy.dtw(
            cost, step_pattern=SYMMETRIC1_OPEN_END, open_end=True, keep_internals=True, **window
        )
        np.testing.assert_allclose(aligner.row, np.nan_to_num(full.costMatrix[-1], nan=np.inf))


def test_open_end_follows_a_slow_performer_and_resets() -> None:
    template = np.sin(np.linspace(0, np.pi, 50))[:, None]
    slow = np.interp(np.linspace(0, 24, 50), np.arange(50), template[:, 0])  # half speed
    aligner = OpenEndAligner(template)
    assert aligner.push(slow) == pytest.approx(24, abs=1)
    assert aligner.distance < 0.2 < dtw_distance(slow, template)
    aligner.reset()
    assert aligner.position == -1 and aligner.samples == 0
    assert aligner.push(template[:10]) == 9 and aligner.distance == 0.0


def test_open_end_band_runs_out() -> None:
    aligner = OpenEndAligner(np.arange(4.0), window=1)
    aligner.push(np.arange(5.0))  # row 4 may still use column 3
    assert np.isfinite(aligner.distance)
    assert aligner.push([3.0]) == 3  # row 5: no column within 1
    assert aligner.distance == np.inf


def test_open_end_rejects_bad_blocks() -> None:
    aligner = OpenEndAligner(np.zeros((5, 2)))
    with pytest.raises(SignalError):
        aligner.push(np.zeros((3, 3)))
    with pytest.raises(SignalError):
        aligner.push([[np.nan, 0.0]])
    assert aligner.push(np.zeros((0, 2))) == -1
    with pytest.raises(SignalError):
        OpenEndAligner([])
    with pytest.raises(SignalError):
        OpenEndAligner([1.0], window=-1)


def test_match_is_frozen_end_exclusive() -> None:
    match = Match(3, 8, 0.5)
    assert len(match) == 5
    with pytest.raises(FrozenInstanceError):
        match.start = 1  # type: ignore[misc]


def _push_all(
    matcher: StreamingMatcher, stream: np.ndarray, rng: np.random.Generator
) -> list[Match]:
    found: list[Match] = []
    for block in _blocks(rng, len(stream), 9):
        found += matcher.push(stream[block])
    return found + matcher.flush()


def test_spring_best_match_equals_brute_force() -> None:
    rng = np.random.default_rng(70)
    for _ in range(30):
        d = int(rng.integers(1, 3))
        template = rng.normal(size=(int(rng.integers(2, 7)), d))
        stream = rng.normal(size=(int(rng.integers(3, 25)), d))
        costs = _reference.subsequence_costs(stream, template)
        s, e = np.unravel_index(np.argmin(costs), costs.shape)
        found = _push_all(StreamingMatcher(template), stream, rng)
        best = min(found, key=lambda match: match.distance)
        assert (best.start, best.end) == (s, e + 1)
        assert best.distance == pytest.approx(np.sqrt(costs[s, e]), rel=1e-12)
        spans = sorted((match.start, match.end) for match in found)
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def _planted(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]:
    """Rest noise with three warped, scaled copies of a two-channel stroke."""
    x = np.linspace(0, 1, 12)
    template = np.column_stack([0.3 + np.sin(np.pi * x) ** 2, 0.2 + x])
    pieces, truth, pos = [], [], 0
    for length in (12, 16, 9):
        rest = rng.normal(0, 0.03, size=(int(rng.integers(8, 20)), 2))
        warp = np.linspace(0, 1, length) ** rng.uniform(0.8, 1.25)
        stroke = np.column_stack([np.interp(warp, x, template[:, c]) for c in range(2)])
        stroke += rng.normal(0, 0.03, size=stroke.shape)
        pieces += [rest, stroke]
        truth.append((pos + len(rest), pos + len(rest) + length))
        pos += len(rest) + length
    pieces.append(rng.normal(0, 0.03, size=(10, 2)))
    return template, np.concatenate(pieces), truth


def test_spring_planted_strokes_equal_brute_force_greedy() -> None:
    rng = np.random.default_rng(80)
    for _ in range(4):
        template, stream, truth = _planted(rng)
        threshold = 0.8
        expected = _reference.subsequence_greedy(stream, template, threshold**2)
        found = _push_all(StreamingMatcher(template, threshold=threshold), stream, rng)
        assert [(m.start, m.end) for m in found] == [(s, e + 1) for s, e, _ in expected]
        assert len(found) == 3
        for match, (s, e) in zip(found, truth, strict=True):
            assert abs(match.start - s) <= 2 and abs(match.end - e) <= 2
            # the reported distance is the DTW of exactly stream[start:end]
            span = stream[match.start : match.end]
            assert match.distance == pytest.approx(dtw_distance(template, span), rel=1e-12)


def test_spring_threshold_rejects_rest_and_none_accepts_everything() -> None:
    rng = np.random.default_rng(90)
    template, _, _ = _planted(rng)
    rest = rng.normal(0, 0.03, size=(200, 2))
    assert _push_all(StreamingMatcher(template, threshold=0.8), rest, rng) == []
    # without a threshold every overlapping group still yields its best member
    assert len(_push_all(StreamingMatcher(template), rest, rng)) > 0


def test_spring_indices_are_absolute_across_pushes_and_restart_on_reset() -> None:
    template = np.array([1.0, 2.0])
    matcher = StreamingMatcher(template, threshold=0.5)
    assert matcher.push(np.zeros(50)) == []
    assert matcher.push([1.0, 2.0]) == []  # final only once nothing can beat it
    assert matcher.push([0.0]) == [Match(50, 52, 0.0)]
    assert matcher.samples == 53
    matcher.reset()
    assert matcher.push([0.0, 1.0, 2.0, 0.0]) == [Match(1, 3, 0.0)]


def test_spring_flush_reports_pending_once() -> None:
    matcher = StreamingMatcher([1.0, 2.0, 3.0], threshold=1.0)
    assert matcher.push([0.0, 1.0, 2.0, 3.0]) == []
    assert matcher.flush() == [Match(1, 4, 0.0)]
    assert matcher.flush() == []
    # cells overlapping the flushed match are gone: continuing cannot re-report it
    assert matcher.push([3.0, 3.0]) + matcher.flush() == []


def test_spring_gap_ends_paths_sample_blocks() -> None:
    profile = load_profile("diy-fsr5")
    template = np.linspace(0.0, 4.0, 5)[:, None] * np.ones((1, 5))
    stream = np.concatenate([np.zeros((5, 5)), template, template])
    matcher = StreamingMatcher(template, threshold=1.0)

    def block(rows: slice, gap: bool) -> SampleBlock:
        t = np.arange(rows.start, rows.stop) / 100.0
        return SampleBlock(t=t, values=stream[rows], profile=profile, gap_before=gap)

    # without a gap both exact copies are found
    whole = matcher.push(block(slice(0, 8), False)) + matcher.push(block(slice(8, 15), False))
    assert whole + matcher.flush() == [Match(5, 10, 0.0), Match(10, 15, 0.0)]
    # a gap inside the first copy: no path crosses it, so it is not matched
    matcher.reset()
    assert matcher.push(block(slice(0, 8), False)) == []
    found = matcher.push(block(slice(8, 15), True)) + matcher.flush()
    assert Match(10, 15, 0.0) in found
    assert all(m.end <= 8 or m.start >= 8 for m in found)


def test_spring_rejects_bad_arguments() -> None:
    with pytest.raises(SignalError):
        StreamingMatcher([1.0, 2.0], window=3)
    with pytest.raises(SignalError):
        StreamingMatcher([1.0, 2.0], threshold=-1.0)
    with pytest.raises(SignalError):
        StreamingMatcher(np.zeros((3, 2))).push(np.zeros((4, 3)))
    assert StreamingMatcher([1.0]).push(np.zeros((0, 1))) == []
