"""Adding a score component is one registration (issue 12), shown with a toy component.

``steadiness`` judges how much a stroke's total force varies about its mean. It is
registered by the ``steadiness`` fixture (and always unregistered after), and every test
below checks one place that must pick it up with no other change: the registry, the
overall score and its deductions, the JSON of a stroke, the session store, packs and the
score card.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from sensors.strokes import simulate_take
from trainer.exceptions import ScoringError
from trainer.scoring import COMPONENTS, Reference, find_strokes, score_stroke
from trainer.scoring.components import (
    ScoreComponent,
    component,
    component_names,
    components,
    default_weights,
    register_component,
    unregister_component,
)
from trainer.scoring.measures import ComponentResult, StrokeContext
from trainer.scoring.model import StrokeScore
from trainer.store.database import Store
from trainer.store.packs import export_pack, import_pack
from trainer.store.references import ReferenceLibrary, decode_reference, encode_reference

NAME = "steadiness"
LABEL = "Steadiness"
WEIGHT = 0.1
HELD_OUT = 50  # a seed the reference was not built from


def steadiness_score(ctx: StrokeContext) -> float:
    """``100 / (1 + cv)``, cv the coefficient of variation of the total force."""
    total = ctx.values.sum(axis=1)
    cv = float(total.std() / max(float(total.mean()), 1e-9))
    return 100.0 / (1.0 + cv)


class Steadiness:
    """The toy scorer; remembers what it was given and what it returned."""

    def __init__(self) -> None:
        self.contexts: list[StrokeContext] = []
        self.scores: list[float] = []

    def __call__(self, ctx: StrokeContext) -> ComponentResult:
        score = steadiness_score(ctx)
        self.contexts.append(ctx)
        self.scores.append(score)
        return ComponentResult(
            score,
            faults=(("unsteady", "keep the force steadier through the stroke", 1.0),),
            details={"steadiness_score": score},
        )


@pytest.fixture(scope="module")
def reference(make_reference: Callable[..., Reference]) -> Reference:
    """An effleurage reference built before the toy exists: no weight for it."""
    return make_reference("effleurage")


@pytest.fixture(scope="module")
def strokes(reference: Reference) -> list[np.ndarray]:
    """Two strokes of a held-out simulated take."""
    take = simulate_take("effleurage", seconds=8, profile=reference.profile, seed=HELD_OUT)
    found = find_strokes(take.values, reference.fs_hz, reference.profile)
    assert len(found) >= 2
    return [s.values for s in found[:2]]


@pytest.fixture(scope="module")
def baseline(reference: Reference, strokes: list[np.ndarray]) -> list[StrokeScore]:
    """The same strokes scored with the built-in components only."""
    assert component_names() == COMPONENTS
    return [score_stroke(s, reference.fs_hz, reference) for s in strokes]


@contextmanager
def _registered(comp: ScoreComponent) -> Iterator[ScoreComponent]:
    """Register ``comp`` for the ``with`` block; unregister it whatever happens."""
    register_component(comp)
    try:
        yield comp
    finally:
        unregister_component(comp.name)


@pytest.fixture
def steadiness(baseline: list[StrokeScore]) -> Iterator[ScoreComponent]:
    """The toy component, registered for one test (``baseline`` is scored before it)."""
    toy = ScoreComponent(
        NAME,
        LABEL,
        Steadiness(),
        WEIGHT,
        ("unsteady",),
        "how much the total force varies about its mean (a toy)",
    )
    with _registered(toy):
        yield toy


def _score(strokes: list[np.ndarray], reference: Reference) -> list[StrokeScore]:
    return [score_stroke(s, reference.fs_hz, reference) for s in strokes]


def _points(score: StrokeScore, code: str) -> float:
    return sum(d.points for d in score.deductions if d.code == code)


def test_it_is_listed_after_the_built_ins(steadiness: ScoreComponent) -> None:
    assert component_names() == (*COMPONENTS, NAME)
    assert components()[-1] is steadiness and component(NAME) is steadiness
    assert default_weights()[NAME] == WEIGHT


def test_score_stroke_scores_it_and_the_json_carries_it(
    steadiness: ScoreComponent,
    reference: Reference,
    strokes: list[np.ndarray],
    baseline: list[StrokeScore],
) -> None:
    assert NAME not in reference.weights  # so its default weight is used
    scorer = steadiness.scorer
    assert isinstance(scorer, Steadiness)
    for stroke, before in zip(strokes, baseline, strict=True):
        score = score_stroke(stroke, reference.fs_hz, reference)
        ctx = scorer.contexts[-1]
        assert ctx.reference is reference and ctx.values.shape[1] == stroke.shape[1]
        expected = round(scorer.scores[-1], 1)
        assert 0 < expected < 100
        assert list(score.components) == [*COMPONENTS, NAME]
        assert score.components[NAME] == expected
        # The built-in components do not change; the toy's details join theirs.
        assert {c: score.components[c] for c in COMPONENTS} == before.components
        assert score.details["steadiness_score"] == pytest.approx(scorer.scores[-1])
        as_json = json.loads(json.dumps(score.to_dict()))
        assert as_json[NAME] == expected
        assert all(as_json[c] == before.components[c] for c in COMPONENTS)


def test_its_fault_is_a_deduction_and_deductions_still_sum(
    steadiness: ScoreComponent,
    reference: Reference,
    strokes: list[np.ndarray],
    baseline: list[StrokeScore],
) -> None:
    for score, before in zip(_score(strokes, reference), baseline, strict=True):
        (unsteady,) = [d for d in score.deductions if d.code == "unsteady"]
        assert unsteady.points >= 1.0  # its own line, not pooled into "minor"
        assert unsteady.message == "keep the force steadier through the stroke"
        assert sum(d.points for d in score.deductions) == pytest.approx(
            100.0 - score.overall, abs=1e-9
        )
        assert score.overall < before.overall
        assert "unsteady" in {d["code"] for d in score.to_dict()["deductions"]}


def test_a_weight_of_zero_leaves_the_overall_unchanged(
    steadiness: ScoreComponent,
    reference: Reference,
    strokes: list[np.ndarray],
    baseline: list[StrokeScore],
) -> None:
    # A reference that gives the toy a weight of 0 ...
    silent = dataclasses.replace(reference, weights={**reference.weights, NAME: 0.0})
    assert silent.weights[NAME] == 0.0
    # ... and a second toy whose default weight is 0.
    zero = ScoreComponent("steadiness_zero", "Steady 0", steadiness.scorer, 0.0, ("unsteady",))
    with _registered(zero):
        for score, before in zip(_score(strokes, silent), baseline, strict=True):
            assert score.components[NAME] is not None  # still scored and shown
            assert score.components["steadiness_zero"] == score.components[NAME]
            assert score.overall == before.overall
            assert score.deductions == before.deductions
            assert _points(score, "unsteady") == 0.0
    assert component_names() == (*COMPONENTS, NAME)


@pytest.mark.parametrize(
    "name", ["Steadiness", "1steady", "", "steady-ness", "x" * 33, "é", "steady\n"]
)
def test_a_bad_name_is_refused(name: str) -> None:
    with pytest.raises(ScoringError, match="lowercase"):
        register_component(ScoreComponent(name, "Bad", Steadiness(), 0.1, ()))
    assert component_names() == COMPONENTS


def test_taken_names_negative_weights_and_built_ins_are_refused(
    steadiness: ScoreComponent,
) -> None:
    for taken in (NAME, "shape"):
        with pytest.raises(ScoringError, match="already registered"):
            register_component(dataclasses.replace(steadiness, name=taken))
    for weight in (-0.1, float("nan")):
        with pytest.raises(ScoringError, match="default weight must be >= 0"):
            register_component(ScoreComponent("wobble", "Wobble", Steadiness(), weight, ()))
    for name in (*COMPONENTS, "wobble"):
        with pytest.raises(ScoringError, match="cannot unregister"):
            unregister_component(name)
    assert component_names() == (*COMPONENTS, NAME) and components()[-1] is steadiness


def _session(store: Store, reference: Reference | None, capture: Path) -> int:
    """Begin an effleurage session whose capture is a copy of a recorded one."""
    started = datetime.now(UTC)
    path = store.home / "sessions" / f"effleurage-{started.timestamp()}.mtcap"
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(capture, path)
    return store.begin_session(
        technique="effleurage",
        reference=reference,
        reference_name="effleurage-test",
        glove="reference-glove",
        source="sim:effleurage",
        feedback_mode="every",
        capture=path,
        started_at=started,
    )


def test_the_store_and_a_pack_keep_its_score(
    steadiness: ScoreComponent,
    reference: Reference,
    strokes: list[np.ndarray],
    effleurage_capture: Path,
    tmp_path: Path,
) -> None:
    scores = _score(strokes, reference)
    expected = [s.components for s in scores]
    assert all(NAME in c for c in expected)
    source, target = tmp_path / "a", tmp_path / "b"
    pack = tmp_path / "toy.mtpack"
    with Store(source) as store:
        # No stored reference here (the next-but-one test packs one with its reference).
        sid = _session(store, None, effleurage_capture)
        ids = [store.submit_attempt(sid, i, s).result() for i, s in enumerate(scores)]
        store.end_session(sid, samples=100, duration_s=1.0)
        back = store.attempts(sid)
        assert [a.id for a in back] == ids
        assert [a.components for a in back] == expected
        assert all(list(a.components) == [*COMPONENTS, NAME] for a in back)
        assert [a.score for a in back] == scores  # the whole score, deductions included
        assert store.attempt(ids[0]).to_dict()["components"][NAME] == expected[0][NAME]
        mean = np.mean([c[NAME] for c in expected])
        assert store.component_means([sid])[sid][NAME] == pytest.approx(mean)
        export_pack(pack, store=store, sessions=[sid], library=ReferenceLibrary(source / "r"))
    with Store(target) as store:
        summary = import_pack(pack, store=store, library=ReferenceLibrary(target / "r"))
        (new,) = summary["sessions"]
        back = store.attempts(new)
        assert [a.components for a in back] == expected
        assert [a.score.components for a in back] == expected
        assert [a.score.deductions for a in back] == [s.deductions for s in scores]


def test_the_score_card_and_session_summary_show_it(
    steadiness: ScoreComponent,
    reference: Reference,
    strokes: list[np.ndarray],
    qtbot,
) -> None:
    from trainer.ui.widgets import ScoreCard, SessionSummary

    scores = _score(strokes, reference)
    card = ScoreCard()
    qtbot.addWidget(card)
    assert list(card.bars) == [*COMPONENTS, NAME]
    bar = card.bars[NAME]
    assert bar.name.text() == LABEL
    card.show_score(1, scores[0])
    value = scores[0].components[NAME]
    assert value is not None
    assert bar.value.text() == f"{value:.0f}" and bar.bar.value() == round(value)
    assert "keep the force steadier" in card.deductions.toolTip()
    summary = SessionSummary()
    qtbot.addWidget(summary)
    summary.show_summary(scores, running=True)
    mean = round(float(np.mean([s.components[NAME] for s in scores])), 1)
    assert summary.summary[NAME] == mean
    assert f"{NAME} {mean:.0f}" in summary.text.text()


# -- references keep only the weights they were given ---------------------------------
# A reference's bytes must not depend on what is registered where it is read: a weight is
# kept only when given, and a registered component without one takes its default.


def test_a_reference_made_while_it_is_registered_round_trips(
    steadiness: ScoreComponent, reference: Reference, tmp_path: Path
) -> None:
    made = dataclasses.replace(reference)  # as building or loading one does
    assert made.weights == reference.weights  # nothing added behind the instructor's back
    assert encode_reference(made) == encode_reference(reference)
    weighted = dataclasses.replace(reference, weights={**reference.weights, NAME: 0.5})
    back = decode_reference(encode_reference(weighted), "toy.mtref")
    assert back.weights == weighted.weights
    with Store(tmp_path) as store:
        assert store.reference(store.add_reference(weighted)).weights[NAME] == 0.5
    # A weight for a component not registered where the file is read is kept, unused.
    unregister_component(NAME)
    try:
        assert decode_reference(encode_reference(weighted), "toy.mtref").weights[NAME] == 0.5
    finally:
        register_component(steadiness)


def test_a_pack_of_a_session_with_its_reference_imports(
    steadiness: ScoreComponent,
    reference: Reference,
    strokes: list[np.ndarray],
    effleurage_capture: Path,
    tmp_path: Path,
) -> None:
    # The stored reference is re-read and re-encoded on export: its bytes must match the
    # hash written beside them, or the import would refuse the pack.
    pack = tmp_path / "toy.mtpack"
    with Store(tmp_path / "a") as store:
        sid = _session(store, reference, effleurage_capture)
        store.add_attempt(sid, 0, score_stroke(strokes[0], reference.fs_hz, reference))
        export_pack(pack, store=store, sessions=[sid], library=ReferenceLibrary(tmp_path / "r"))
    with Store(tmp_path / "b") as store:
        import_pack(pack, store=store, library=ReferenceLibrary(tmp_path / "b" / "r"))
        (session,) = store.sessions()
        (attempt,) = store.attempts(session.id)
        assert NAME in attempt.components


def test_the_score_table_and_the_progress_plot_have_it(
    steadiness: ScoreComponent, qtbot, capsys, tmp_path: Path, monkeypatch
) -> None:
    from trainer.cli import main
    from trainer.ui.history_view import HistoryView

    monkeypatch.setenv("MASSAGE_TRAINER_HOME", str(tmp_path / "home"))
    capture = Path(__file__).parents[2] / "fixtures" / "effleurage-sim.mtcap"
    assert main(["score", str(capture), "--reference", "effleurage-starter"]) == 0
    header = next(line for line in capsys.readouterr().out.splitlines() if "overall" in line)
    assert header.split()[4:9] == ["shape", "press", "tempo", "smooth", NAME[:6]]
    view = HistoryView(["effleurage"])
    qtbot.addWidget(view)
    assert list(view.lines) == ["overall", *COMPONENTS, NAME]
