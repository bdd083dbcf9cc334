"""No-feedback probes in the window: offered without a dialog, every score hidden until the end.

The end-to-end test runs the real window on the simulated glove with live scoring and a
real session store: during the probe no score card, score or reference band is on
screen; at its end the summary shows the probe's scores, and the store holds a probe
session with what each stroke showed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from fakes import FakeShell, ManualJobs, ScriptedSource, make_services
from made_sessions import add_sessions  # type: ignore[import-not-found]
from practice_rig import PracticeRig  # type: ignore[import-not-found]
from practice_rig import stroke_score as _score
from PySide6 import QtCore, QtWidgets

from sensors.sources import open_source
from sensors.sources.base import SourceState
from trainer.app import make_recorder
from trainer.live.feedback import FeedbackMode
from trainer.scoring import Cue
from trainer.store.database import Store
from trainer.ui.controllers import ConnectController, PracticeController, StoreSlot
from trainer.ui.main_window import MainWindow
from trainer.ui.practice_view import CUE_TEXT, PracticeView
from trainer.ui.services import SourceChoice


def test_a_probe_hides_every_score_until_its_end(qtbot, themed_app, references, tmp_path):
    home = tmp_path / "data"
    services = replace(
        make_services(open_source, references),
        make_recorder=make_recorder,
        open_store=lambda: Store(home),
    )
    window = MainWindow(services, frame_interval_ms=10)
    qtbot.addWidget(window)
    window.show()
    window.resize(1024, 600)
    view = window.practice_view
    during: list[dict] = []

    def look() -> None:
        """What the student can see now (called each frame and after each stroke)."""
        if view.running and view.probe:
            during.append(
                {
                    "cards": [c.isVisible() for c in view.cards],
                    "band": view.band_visible,
                    "cue": view.cue.text(),
                    "summary": view.summary.text.text(),
                    "note": view.last_note.isVisible(),
                    "strokes": list(view.scores),
                }
            )

    window.frame_drawn.connect(look)
    add_score = view.add_score

    def add_and_look(score, feedback=None) -> None:
        add_score(score, feedback)
        look()

    view.add_score = add_and_look
    try:
        qtbot.waitUntil(lambda: window.store is not None and window.warm_done, timeout=10_000)
        window.connect_source(SourceChoice("sim", "effleurage", (("seed", "3"), ("speed", "4"))))
        window.show_view("practice")
        qtbot.waitUntil(view.can_start, timeout=10_000)
        view.feedback_settings.probe_strokes.setValue(3)
        window.activateWindow()
        qtbot.keyClick(window, QtCore.Qt.Key.Key_P)
        assert view.running and view.probe
        assert view.subtitle.text().startswith("Probe: 3 strokes without feedback")
        assert not view.feedback.isEnabled()  # a probe's mode cannot change
        qtbot.waitUntil(lambda: len(view.scores) >= 1, timeout=30_000)
        qtbot.keyClick(window, QtCore.Qt.Key.Key_F)  # asking is refused, nothing revealed
        assert window.statusBar().currentMessage().startswith("No feedback during a probe")
        qtbot.waitUntil(lambda: not view.running, timeout=30_000)  # it ends at its strokes

        scores = [s.overall for s in view.scores]
        assert len(scores) == 3
        assert during and any(d["strokes"] for d in during)
        for seen in during:
            assert not any(seen["cards"]) and not seen["band"] and not seen["note"]
            assert seen["cue"] in ("Probe: no feedback", CUE_TEXT[Cue.EASE_OFF.value])
            for s in seen["strokes"]:
                assert f"{s.overall:.0f}" not in seen["summary"]
        # The end: the summary shows every score of the probe, the cards the last ones.
        assert view.summary.title.text() == "Probe summary"
        listed = " · ".join(f"{s:.0f}" for s in scores)
        assert f"Scores: {listed}" in view.summary.text.text()
        assert view.summary.text.text().startswith("<b>3</b> strokes without feedback")
        assert [c.heading.text() for c in view.cards if c.isVisible()] == ["Stroke 3", "Stroke 2"]
        assert window.last_summary["kind"] == "probe"
        assert not view.offering_probe  # no probe offered after a probe

        store = window.store

        def stored() -> bool:
            found = store.sessions()
            return bool(found) and found[-1].state == "finished"

        qtbot.waitUntil(stored, timeout=10_000)  # the recorder finishes in its thread
        (session,) = store.sessions()
        assert (session.kind, session.feedback_mode, session.attempts) == ("probe", "summary", 3)
        assert [a.score.overall for a in store.attempts(session.id)] == scores
        shown = store.stroke_feedback([session.id])[session.id]
        assert [r.reason for _, r in shown] == ["probe"] * 3
        assert not any(r.shown or r.requested for _, r in shown)
    finally:
        window.close()


def test_practice_ends_with_an_offer_not_a_dialog(qtbot, themed_app, references) -> None:
    practice = PracticeRig(qtbot, references)
    practice.ctl.offer_probes = True
    view = practice.view
    practice.source.set_state(SourceState.STREAMING)
    try:
        practice.start(FeedbackMode("every"))
        practice.ctl.toggle_session()
        assert not view.offering_probe  # nothing practised: nothing to test
        practice.ctl.toggle_session()
        practice.stroke(_score(80.0))
        practice.ctl.toggle_session()
        assert view.offering_probe and "5 strokes without feedback" in view.probe_text.text()
        assert QtWidgets.QApplication.activeModalWidget() is None
        view.probe_later.click()
        assert not view.offering_probe

        practice.ctl.toggle_session()
        practice.stroke(_score(82.0))
        practice.ctl.toggle_session()
        view.feedback_settings.probe_strokes.setValue(4)
        view.probe_button.click()
        assert practice.ctl.running and practice.ctl.policy.probe
        assert not view.offering_probe
        recorder = practice.recorders[-1]
        assert recorder.feedback == "summary" and recorder.options["kind"] == "probe"
        assert practice.ctl.policy.probe_strokes == 4
        for overall in (70.0, 71.0, 72.0):
            practice.stroke(_score(overall))
        assert practice.ctl.running
        practice.stroke(_score(73.0))
        assert not practice.ctl.running  # ended at its 4th stroke
        assert practice.shell.messages[-1] == "Probe done: its scores are in the summary."
    finally:
        practice.close()


def _offer_at_start(qtbot, store: Store) -> PracticeView:
    """A practice view whose controller reads ``store`` when the view opens."""
    source = ScriptedSource()
    services = make_services(lambda spec: source)
    jobs, shell = ManualJobs(), FakeShell()
    from trainer.ui.connect_view import ConnectView

    connect_view = ConnectView(services.simulated_techniques, ["reference-glove"])
    qtbot.addWidget(connect_view)
    link = ConnectController(connect_view, services, jobs, shell)
    view = PracticeView(["effleurage", "friction"])
    qtbot.addWidget(view)
    ctl = PracticeController(view, services, jobs, shell, link, StoreSlot(store=store, done=True))
    ctl.tick(visible=True)
    assert not view.offering_probe  # read in a worker
    jobs.run()
    ctl.tick(visible=True)  # asked once per technique
    assert not jobs.busy
    return view


@pytest.mark.parametrize(
    ("history", "offered"),
    [
        # Practised hours ago, never probed since: offered before practice.
        ([("practice", "every", 5)], "What did you keep since"),
        # Practised more than a day ago: the 1-day re-test is overdue.
        ([("practice", "every", 26)], "Your 1-day re-test is due: 5 strokes without"),
        # Probed right after practice 9 days ago: the 1-day re-test is overdue.
        ([("practice", "every", 9 * 24), ("probe", "summary", 9 * 24 - 0.5)], "1-day re-test"),
        # Probed after practising an hour ago: nothing due yet.
        ([("practice", "every", 1), ("probe", "summary", 0.5)], None),
        ([], None),  # never practised
    ],
)
def test_the_next_session_starts_with_an_offer_when_a_probe_is_due(
    qtbot, themed_app, tmp_path, history, offered
) -> None:
    now = datetime.now(UTC)
    with Store(tmp_path) as store:
        add_sessions(
            store,
            [(kind, mode, now - timedelta(hours=h), 20 if kind == "practice" else 2, [80, 82])
             for kind, mode, h in history],
        )  # fmt: skip
        view = _offer_at_start(qtbot, store)
        if offered is None:
            assert not view.offering_probe
        else:
            assert view.offering_probe and offered in view.probe_text.text()
            assert not view.probe_button.isEnabled()  # no glove yet: offered, not startable


def test_an_instructor_can_require_a_due_probe(qtbot, themed_app, references, tmp_path):
    """Issue 19: "the instructor can require them". With the rule on, a student who owes a
    probe starts with it when they press Space; an instructor practises as they ask; only
    an instructor can change the rule, and it is remembered."""
    now = datetime.now(UTC)
    with Store(tmp_path) as store:
        add_sessions(store, [("practice", "every", now - timedelta(hours=5), 20, [80, 82])])
        rig = PracticeRig(qtbot, references, settings={"practice/require_probes": 1})
        try:
            role = {"now": "student"}
            rig.ctl.role, rig.ctl.person = (lambda: role["now"]), (lambda: "student")
            rig.ctl.sync_role()
            box = rig.view.feedback_settings.require_probes
            assert box.isChecked() and not box.isEnabled()  # a student cannot untick it
            rig.ctl.store = StoreSlot(store=store, done=True)
            rig.ctl.offer_probes = True
            rig.ctl.poll_probe_offer()
            rig.jobs.run()
            assert rig.ctl.probe_required()
            rig.ctl.toggle_session()
            assert rig.ctl.policy.probe and rig.recorders[-1].options["kind"] == "probe"
            assert "asks for a probe first" in rig.shell.messages[-1]
            rig.ctl.toggle_session()  # the probe ends: nothing is owed any more
            assert not rig.ctl.probe_required()

            role["now"] = "instructor"
            rig.ctl.sync_role()
            assert box.isEnabled()
            rig.ctl._due = ("student", rig.view.technique.currentText())  # owed again
            assert not rig.ctl.probe_required()  # an instructor practises as they ask
            box.setChecked(False)
            assert rig.shell.settings["practice/require_probes"] == 0
        finally:
            rig.close()
