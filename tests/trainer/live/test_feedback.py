"""Feedback schedules (trainer.live.feedback): each mode shows and hides what it says."""

from __future__ import annotations

import pytest

from trainer.live.feedback import FeedbackError, FeedbackMode, FeedbackPolicy
from trainer.scoring import Cue
from trainer.scoring.model import Deduction, StrokeScore


def _score(overall: float, *points: float, code: str = "too_light_end") -> StrokeScore:
    return StrokeScore(
        start_s=0.0,
        end_s=1.0,
        overall=overall,
        shape=None,
        pressure=None,
        tempo=None,
        smoothness=None,
        deductions=tuple(Deduction(code, "too light at the end", p) for p in points),
    )


CUES = (Cue.PRESS_HARDER, Cue.EASE_OFF)


def _run(policy: FeedbackPolicy, scores: list[StrokeScore]) -> list[tuple[bool, bool, tuple]]:
    """Each stroke: cues raised while under way, then scored: (cues, card, live cues shown)."""
    out = []
    for i, score in enumerate(scores):
        live = policy.live_cues(CUES, i)
        decision = policy.stroke(score)
        assert decision.index == i
        out.append((decision.cues, decision.card, live))
    return out


def test_every_shows_cues_and_card_on_every_stroke() -> None:
    policy = FeedbackPolicy("every")
    for cues, card, live in _run(policy, [_score(99.0)] * 4):
        assert cues and card and live == CUES
    assert policy.end_set().revealed == ()


def test_every_n_shows_strokes_1_n_plus_1_and_hides_the_others() -> None:
    policy = FeedbackPolicy("every_n:3")
    result = _run(policy, [_score(70.0)] * 7)
    assert [card for _, card, _ in result] == [True, False, False, True, False, False, True]
    for cues, card, live in result:
        assert cues == card
        # Hidden strokes keep only the safety cue.
        assert live == (CUES if card else (Cue.EASE_OFF,))
    assert policy.end_set().revealed == (1, 2, 4, 5)


def test_random_shows_a_seeded_share_that_touches_between_strokes_do_not_change() -> None:
    a = FeedbackPolicy(FeedbackMode("random", share=0.5, seed=7))
    shown = [d.card for d in (a.stroke(_score(90.0)) for _ in range(400))]
    assert 0.42 < sum(shown) / len(shown) < 0.58  # a fair half (binomial sd 2.5 %)
    b = FeedbackPolicy(FeedbackMode("random", share=0.5, seed=7))
    for i in range(400):
        b.live_cues(CUES, i)
        b.live_cues((), i)  # asked again mid-stroke: the same draw
        assert b.stroke(_score(90.0)).card == shown[i]
    other = FeedbackPolicy(FeedbackMode("random", share=0.5, seed=8))
    assert [other.stroke(_score(90.0)).card for _ in range(400)] != shown
    quarter = FeedbackPolicy(FeedbackMode("random", share=0.25, seed=7))
    assert 0.18 < sum(quarter.stroke(_score(90.0)).card for _ in range(400)) / 400 < 0.32


@pytest.mark.parametrize(
    ("score", "shown"),
    [
        (_score(85.0, 4.9), False),  # just at the score threshold, deductions just under
        (_score(84.9, 1.0), True),  # just below the score threshold
        (_score(95.0, 5.0), True),  # one deduction at the threshold
        (_score(95.0, 4.9), False),
        (_score(90.0, 4.0, 4.0, 2.0), False),  # several small deductions: none is large
        (_score(90.0, 6.0, code="minor"), False),  # the pooled minor line never counts
    ],
)
def test_bandwidth_shows_only_strokes_outside_the_band(score: StrokeScore, shown: bool) -> None:
    policy = FeedbackPolicy("bandwidth")
    assert policy.live_cues(CUES, 0) == (Cue.EASE_OFF,)  # terminal: nothing live
    decision = policy.stroke(score)
    assert (decision.cues, decision.card) == (shown, shown)
    assert decision.reason == ("bandwidth" if shown else "within band")
    # The cues that fired during the stroke come with its card, the safety cue aside.
    assert decision.shown_cues == (("press harder",) if shown else ())


def test_bandwidth_thresholds_are_configurable() -> None:
    policy = FeedbackPolicy("bandwidth:70:10")
    assert not policy.stroke(_score(75.0, 9.9)).card
    assert policy.stroke(_score(69.9)).card
    assert policy.stroke(_score(99.0, 10.0)).card


@pytest.mark.parametrize("mode", ["summary", "off"])
def test_summary_and_off_show_nothing_during_the_set(mode: str) -> None:
    policy = FeedbackPolicy(mode)
    for cues, card, live in _run(policy, [_score(50.0, 30.0), _score(99.0)]):
        assert not cues and not card and live == (Cue.EASE_OFF,)
    end = policy.end_set()
    assert end.revealed == (0, 1) and end.overall == pytest.approx(74.5)
    assert end.shown == 0


def test_a_probe_hides_everything_refuses_requests_and_completes() -> None:
    policy = FeedbackPolicy("every", probe=True, probe_strokes=2)
    assert policy.session_mode() == "summary"
    assert policy.live_cues(CUES, 0) == (Cue.EASE_OFF,)
    assert not policy.stroke(_score(60.0, 20.0)).shown
    assert not policy.complete
    with pytest.raises(FeedbackError, match="probe"):
        policy.request_last()
    policy.stroke(_score(80.0))
    assert policy.complete
    end = policy.end_set()
    assert end.probe and end.revealed == (0, 1) and end.overall == pytest.approx(70.0)


def test_self_requested_feedback_shows_the_last_card_and_is_recorded() -> None:
    policy = FeedbackPolicy("off")
    assert policy.request_last() is None
    policy.live_cues((Cue.SLOW_DOWN,), 0)
    policy.stroke(_score(80.0))
    asked = policy.request_last()
    assert asked is not None
    assert asked.card and asked.requested and asked.reason == "requested"
    assert asked.shown_cues == ("slow down",)
    assert policy.log[-1].requested
    assert policy.end_set().requested == 1 and policy.end_set().revealed == ()


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("every", "every"),
        ("every_n", "every_n:3"),
        ("every_n:4", "every_n:4"),
        ("random", "random:0.5"),
        ("random:30%", "random:0.3"),
        ("bandwidth", "bandwidth:85:5"),
        ("bandwidth:80", "bandwidth:80:5"),
        ("Summary", "summary"),
        ("off", "off"),
    ],
)
def test_modes_parse_and_write_back(text: str, stored: str) -> None:
    mode = FeedbackMode.parse(text)
    assert mode.text() == stored
    assert FeedbackMode.parse(stored) == mode


@pytest.mark.parametrize(
    "text", ["sometimes", "every_n:0", "every_n:x", "random:0", "random:150%", "bandwidth:101",
             "bandwidth:80:0", "off:2"],
)  # fmt: skip
def test_bad_modes_are_one_line_errors(text: str) -> None:
    with pytest.raises(FeedbackError) as err:
        FeedbackMode.parse(text)
    assert "\n" not in str(err.value)


def test_cues_belong_to_their_stroke_when_the_next_one_starts_before_the_event() -> None:
    # A frame can see stroke 1 under way before it handles stroke 0's STROKE event.
    policy = FeedbackPolicy("bandwidth")
    policy.live_cues((Cue.PRESS_HARDER,), 0)
    policy.live_cues((Cue.SLOW_DOWN, Cue.EASE_OFF), 1)
    assert policy.stroke(_score(50.0)).shown_cues == ("press harder",)
    assert policy.stroke(_score(50.0)).shown_cues == ("slow down",)
