"""History's feedback-and-retention panel: dependence and re-tests as a hand computation gives.

Practice with feedback [80, 90]; a probe right after it [70, 74]; a probe 9 days later
[66, 62]. By hand: with feedback 85 (sd 7.07, n 2), probes 68 (sd 5.16, n 4),
dependence +17 with se sqrt(50/2 + 26.67/4) = 5.63, 95 % 17 ± 11.0 = +6 to +28; kept
after 1 day and 1 week: 64 - 72 = -8; the 1-day and 1-week re-tests are covered, the
8-week one is due 56 days after the practice ended.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fakes import FakeShell, ManualJobs
from made_sessions import add_sessions  # type: ignore[import-not-found]

from trainer.store.database import Store
from trainer.store.progress import FeedbackRecord, SessionScores, progress
from trainer.ui.controllers import HistoryController, StoreSlot
from trainer.ui.history_view import HistoryView
from trainer.ui.retention_panel import RetentionPanel

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
DAY0 = NOW - timedelta(days=10)


def _session(sid, technique, kind, mode, start, minutes, scores, feedback=()):
    return SessionScores(
        id=sid, user="ana", technique=technique, kind=kind, feedback_mode=mode,
        started_at=start, ended_at=start + timedelta(minutes=minutes),
        scores=tuple(float(s) for s in scores), feedback=tuple(feedback),
    )  # fmt: skip


def _history() -> list[SessionScores]:
    asked = FeedbackRecord(cues=False, card=True, requested=True, reason="requested", mode="off")
    hidden = FeedbackRecord(cues=False, card=False, reason="not scheduled", mode="every_n:3")
    shown = FeedbackRecord(cues=True, card=True, reason="schedule", mode="every_n:3")
    return [
        _session(1, "effleurage", "practice", "every_n:3", DAY0, 20, [80, 90], [shown, hidden]),
        _session(2, "effleurage", "probe", "summary", DAY0 + timedelta(minutes=25), 2, [70, 74]),
        _session(3, "effleurage", "probe", "summary", DAY0 + timedelta(days=9), 2, [66, 62]),
        # The mode changed to "off" for its second stroke: that one is in neither mean.
        _session(4, "friction", "practice", "every", NOW - timedelta(days=3), 10, [60, 30],
                 [shown, asked]),
    ]  # fmt: skip


def test_the_panel_shows_dependence_retention_and_the_next_retest(qtbot, themed_app) -> None:
    panel = RetentionPanel()
    qtbot.addWidget(panel)
    panel.resize(300, 400)
    panel.show()
    assert panel.empty.isVisible() and "take a probe" in panel.empty.text()
    panel.show_progress(progress(_history(), now=NOW))
    assert list(panel.blocks) == ["effleurage", "friction"] and not panel.empty.isVisible()
    text = panel.blocks["effleurage"].text()
    assert "With feedback 85 · probes 68 (2 / 4 strokes)" in text
    assert "Dependence +17 points (95 %: +6 to +28)" in text
    assert "Leans on feedback" in text  # +17, its interval clear of 0
    assert "Kept after 1 day -8, 1 week -8, 8 weeks –" in text
    due = (DAY0 + timedelta(days=56, minutes=20)).astimezone()
    assert f"Next re-test {due.day} {due.strftime('%b')} (8 weeks)" in text
    assert "due now" not in text
    assert "Feedback on 1 of 2 practice strokes" in text
    other = panel.blocks["friction"].text()
    assert "With feedback 60 · probes – (1 / 0 strokes)" in other
    assert "Dependence – (needs a probe" in other
    assert "(1 day)" in other and "due now" in other  # practised 3 days ago, no probe
    assert "Feedback on 2 of 2 practice strokes, 1 asked" in other
    panel.show_progress([])
    assert panel.blocks == {} and panel.empty.isVisible()


def test_history_reads_the_panel_from_the_store(qtbot, themed_app, tmp_path) -> None:
    now = datetime.now(UTC)
    start = now - timedelta(days=10)
    with Store(tmp_path) as store:
        practice, *_ = add_sessions(
            store,
            [
                ("practice", "every_n:3", start, 20, [80, 90]),
                ("probe", "summary", start + timedelta(minutes=25), 2, [70, 74]),
                ("probe", "summary", start + timedelta(days=9), 2, [66, 62]),
            ],
        )
        store.submit_feedback(practice, 0, FeedbackRecord(True, True, reason="schedule")).result()
        view = HistoryView(["effleurage", "friction"])
        qtbot.addWidget(view)
        jobs = ManualJobs()
        ctl = HistoryController(view, jobs, FakeShell(), StoreSlot(store=store))
        assert ctl.store.store is store
        view.refresh()
        jobs.run()
        text = view.retention.blocks["effleurage"].text()
        assert "Dependence +17 points (95 %: +6 to +28)" in text
        assert "Kept after 1 day -8, 1 week -8" in text
        assert "Feedback on 1 of 1 practice strokes" in text
        # Another technique's filter: its own (empty) figures; deleted sessions: unchanged.
        view.technique.setCurrentIndex(view.technique.findData("friction"))
        jobs.run()
        assert view.retention.blocks == {} and not view.retention.empty.isHidden()
        view.technique.setCurrentIndex(0)
        jobs.run()
        view.show_deleted.setChecked(True)
        jobs.run()
        assert list(view.retention.blocks) == ["effleurage"]
