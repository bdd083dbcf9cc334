"""The live plots: a real practice plot driven for hundreds of frames, gap breaks, ranges.

The long run is the guard DEVELOPERS.md asks for: PySide6 6.12.0 aborted busy plots on
Python 3.11 (``Fatal Python error: none_dealloc``); a bump that brings it back fails here.
"""

from __future__ import annotations

import numpy as np
import pytest
from fakes import make_services
from PySide6 import QtCore

from sensors.profiles import load_profile
from sensors.sources import open_source
from trainer.live import RingBuffer
from trainer.ui.main_window import MainWindow
from trainer.ui.plots import ForcePlot, FrameCounter, nice_ceiling
from trainer.ui.services import SourceChoice


def _finite(item) -> np.ndarray:
    _, y = item.getData()
    y = np.asarray([] if y is None else y, dtype=float)
    return y[np.isfinite(y)]


# Frames come as fast as the machine paints them (about 20 a second when idle, a few when the
# cores are shared with another test worker): the deadlines are for a hang, not a speed.
@pytest.mark.timeout(300)
def test_practice_plot_renders_hundreds_of_live_frames(qtbot, themed_app, references) -> None:
    window = MainWindow(make_services(open_source, references), frame_interval_ms=5)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    # 4x real time: new samples for most frames, while the engine thread (which needs the
    # GIL too) leaves the GUI thread room to paint on a busy 2-core machine.
    window.autostart(
        SourceChoice("sim", "effleurage", (("seed", "4"), ("speed", "4"))),
        "effleurage",
        "effleurage-starter",
    )
    plot = window.practice_view.plot
    # Frames reached the screen, not just setData: each written block asks for a frame,
    # and a busy machine paints several of them at once, so both counts are awaited.
    qtbot.waitUntil(lambda: plot.data_frames >= 300 and plot.frames_painted >= 100, timeout=240_000)
    try:
        assert window.practice_view.running
        assert plot.frames_painted >= 100
        total = _finite(plot.total)
        assert total.size > 500 and total.max() > 5.0
        for curve in plot.channel_curves[:7]:
            assert _finite(curve).size > 500
        assert _finite(plot.band_hi).size > 50  # the reference band was drawn
        assert window.acquisition is not None and window.acquisition.error is None
        # The axis reads seconds from now and stays put; the data slide under it: the
        # plot's right end is just after the newest sample.
        (x0, x1), _ = plot.total_plot.viewRange()
        assert (x0, x1) == pytest.approx((-plot.window_s, plot.ahead_s))
        left, right = plot.time_range()
        newest = window.acquisition.buffer.snapshot(1).t[-1]
        assert right - left == pytest.approx(plot.window_s + plot.ahead_s, rel=1e-6)
        assert abs(right - plot.ahead_s - newest) < 0.5
    finally:
        window.close()


def test_items_are_created_once_and_gaps_break_the_lines(qtbot, themed_app) -> None:
    plot = ForcePlot()
    qtbot.addWidget(plot)
    profile = load_profile("reference-glove")
    plot.set_profile(profile)
    items_before = list(plot.total_plot.items) + list(plot.sensor_plot.items)
    buf = RingBuffer(1000, 7, 3)
    t = np.arange(100) / 200.0
    buf.write(t, np.full((100, 7), 2.0))
    buf.write(t + 1.0, np.full((100, 7), 3.0), gap_before=True)
    for _ in range(5):
        assert plot.show_frame(buf.snapshot()) or True
    assert list(plot.total_plot.items) + list(plot.sensor_plot.items) == items_before
    _, y = plot.total.getData()
    assert np.isnan(y).sum() == 1  # exactly one break, at the gap
    assert not plot.show_frame(buf.snapshot())  # nothing new: no redraw
    # Same-size profile reuses curves; a smaller one hides the extra ones.
    plot.set_profile(load_profile("diy-fsr5"))
    assert len(plot.channel_curves) == 7
    assert [c.isVisible() for c in plot.channel_curves].count(True) == 5


def test_y_range_is_fixed_and_only_steps_up(qtbot, themed_app) -> None:
    plot = ForcePlot()
    qtbot.addWidget(plot)
    plot.set_profile(load_profile("diy-fsr5"))
    buf = RingBuffer(2000, 5, 3)
    buf.write(np.arange(10) / 100.0, np.full((10, 5), 1.0))
    plot.show_frame(buf.snapshot())
    first = plot.sensor_plot.viewRange()[1][1]
    buf.write(np.arange(10, 20) / 100.0, np.full((10, 5), 14.0))
    plot.show_frame(buf.snapshot())
    second = plot.sensor_plot.viewRange()[1][1]
    buf.write(np.arange(20, 30) / 100.0, np.full((10, 5), 0.5))
    plot.show_frame(buf.snapshot())
    assert second > first >= 5.0
    assert plot.sensor_plot.viewRange()[1][1] == second


def test_nice_ceiling_and_frame_counter() -> None:
    assert nice_ceiling(0.3) == 5.0
    assert nice_ceiling(11.0) == 20.0
    assert nice_ceiling(730.0) == 1000.0
    now = [0.0]
    counter = FrameCounter(window_s=1.0, clock=lambda: now[0])
    for _ in range(31):
        counter.tick()
        now[0] += 1 / 30
    assert counter.fps == pytest.approx(30.0, rel=0.05)


def test_time_axis_scrolls_between_blocks_but_never_runs_away(qtbot, themed_app) -> None:
    plot = ForcePlot(window_s=10.0, ahead_s=1.0)
    qtbot.addWidget(plot)
    plot.set_profile(load_profile("diy-fsr5"))
    buf = RingBuffer(1000, 5, 3)
    for k in range(20):  # 2 s of 100 Hz in 10-sample blocks, arriving in real time
        t = (10 * k + np.arange(10)) / 100.0
        buf.write(t, np.ones((10, 5)), arrival_s=100.0 + t[-1])
    snap = buf.snapshot()
    newest = snap.t[-1]
    axis = plot.total_plot.viewRange()[0]
    assert plot.show_frame(snap, now_s=100.0 + newest)
    right = plot.time_range()[1]
    assert right == pytest.approx(newest + 1.0)
    # 50 ms later, no new block: the plot still moves on by 50 ms of glove time.
    assert plot.show_frame(snap, now_s=100.0 + newest + 0.05)
    assert plot.time_range()[1] == pytest.approx(newest + 1.05, abs=1e-6)
    assert plot.data_frames == 1  # that frame only scrolled
    # ...by sliding the data under a fixed axis (no tick is recomputed).
    assert plot.total_plot.viewRange()[0] == axis == pytest.approx([-10.0, 1.0])
    newest_on_axis = plot.total.mapToItem(plot.total_plot.vb.childGroup, QtCore.QPointF(newest, 0))
    assert newest_on_axis.x() == pytest.approx(-0.05, abs=1e-6)
    # A stalled link: the plot stops MAX_LEAD_S ahead instead of scrolling on forever.
    plot.show_frame(snap, now_s=100.0 + newest + 5.0)
    lead = plot.time_range()[1] - (newest + 1.0)
    assert lead == pytest.approx(ForcePlot.MAX_LEAD_S)
    assert not plot.show_frame(snap, now_s=100.0 + newest + 6.0)


def test_live_band_is_drawn_smooth_not_as_stair_steps(qtbot, themed_app) -> None:
    """The scorer's position holds then jumps; the band drawn joins the steps (as Replay)."""
    plot = ForcePlot()
    qtbot.addWidget(plot)
    plot.set_profile(load_profile("reference-glove"))
    buf = RingBuffer(1000, 7, 3)
    n = 400
    t = np.arange(n) / 200.0
    position = (np.arange(n) // 8).astype(float)  # held for 8 samples, then a jump
    aux = np.column_stack([position, position + 2.0, position + 1.0])
    aux[:40] = np.nan  # resting: no band
    buf.write(t, np.full((n, 7), 2.0), aux=aux)
    plot.show_frame(buf.snapshot())
    _, hi = plot.band_hi.getData()
    _, lo = plot.band_lo.getData()
    _, template = plot.template.getData()
    for y in (hi, lo, template):
        y = np.asarray(y, dtype=float)
        steps = np.diff(y[np.isfinite(y)])
        # A staircase is flat 7 samples in 8; the smooth band rises at every point
        # (only its held ends may be flat).
        assert np.mean(steps == 0) < 0.05
        assert np.all(steps >= 0) and steps.max() < 0.5
    assert np.all(np.asarray(lo)[np.isfinite(lo)] <= np.asarray(hi)[np.isfinite(hi)])


def test_a_scored_stroke_gets_replays_band_along_its_path(qtbot, themed_app, effleurage_ref):
    """Once scored, a stroke's band is the one Replay draws (path-based), not the live one."""
    from trainer.ui.plots import band_along_path

    plot = ForcePlot()
    qtbot.addWidget(plot)
    plot.set_profile(load_profile("reference-glove"))
    ref = effleurage_ref
    n = ref.length
    fs = float(ref.fs_hz)
    t = 2.0 + np.arange(3 * n) / fs
    # The live track: the scorer's position wanders back and forth (spikes).
    wobble = np.clip(np.arange(n) + np.where(np.arange(n) % 7 < 3, 6, -6), 0, n - 1)
    aux = np.full((3 * n, 3), np.nan)
    aux[n : 2 * n] = np.column_stack([ref.band_lo[wobble], ref.band_hi[wobble], ref.total[wobble]])
    buf = RingBuffer(4 * n, 7, 3)
    buf.write(t, np.full((3 * n, 7), 1.0), aux=aux)
    path = np.column_stack([np.arange(n), np.arange(n)])  # a perfect stroke
    plot.add_stroke(float(t[n]), path, ref)
    plot.show_frame(buf.snapshot())
    x, hi = plot.band_hi.getData()
    expected = band_along_path(path, ref)[:, 1]
    np.testing.assert_allclose(x, t[n : 2 * n])  # the band only where the stroke is
    np.testing.assert_allclose(hi, expected)


def test_band_fill_encloses_what_fill_between_did(qtbot, themed_app) -> None:
    """The fill built from the arrays has pyqtgraph's FillBetweenItem polygons, gaps kept."""
    import pyqtgraph as pg

    from trainer.ui.plots import BandFill

    x = np.arange(12, dtype=float)
    lo = np.sin(x)
    hi = lo + 2.0
    lo[5] = np.nan  # a gap: two areas, never bridged
    hi[5] = np.nan
    lo[9] = hi[9] = np.nan  # and a lone point (10) with a stretch after it
    edges = (pg.PlotCurveItem(x, lo, connect="finite"), pg.PlotCurveItem(x, hi, connect="finite"))
    theirs = pg.FillBetweenItem(*edges)
    ours = BandFill(pg.mkColor("#2a7"))
    ours.set_edges(x, lo, hi)

    def areas(item) -> list[frozenset]:  # each area as its set of corners
        polygons = item.path().toFillPolygons()
        return sorted(
            (frozenset((round(p.x(), 9), round(p.y(), 9)) for p in poly) for poly in polygons),
            key=min,
        )

    assert len(areas(ours)) == 3
    assert areas(ours) == areas(theirs)
    assert ours.path().fillRule() == theirs.path().fillRule()
    ours.set_edges(x, np.full(12, np.nan), hi)
    assert ours.path().isEmpty()


def test_redrawing_a_scored_stroke_does_not_count_old_samples_as_new(qtbot, themed_app) -> None:
    """The latency probe reports only blocks that arrived since the last frame."""
    from types import SimpleNamespace

    plot = ForcePlot()
    qtbot.addWidget(plot)
    plot.set_profile(load_profile("diy-fsr5"))
    buf = RingBuffer(1000, 5, 3)
    buf.write(np.arange(100) / 100.0, np.ones((100, 5)), arrival_s=50.0)
    assert plot.show_frame(buf.snapshot())
    plot.take_new_arrivals()
    ref = SimpleNamespace(total=np.ones(20), band_lo=np.zeros(20), band_hi=np.full(20, 2.0))
    plot.add_stroke(0.2, np.column_stack([np.arange(20), np.arange(20)]), ref)
    assert plot.show_frame(buf.snapshot())  # redrawn with the stroke's band...
    _, hi = plot.band_hi.getData()
    assert np.nanmax(np.asarray(hi, dtype=float)) == pytest.approx(2.0)
    assert plot.take_new_arrivals().size == 0  # ...but no sample is new
    buf.write(1.0 + np.arange(10) / 100.0, np.ones((10, 5)), arrival_s=51.0)
    assert plot.show_frame(buf.snapshot())
    np.testing.assert_array_equal(plot.take_new_arrivals(), [51.0])


def test_a_track_filled_in_after_its_samples_is_drawn_without_new_samples(qtbot, themed_app):
    """The engine writes a block's samples first and its scorer track once scored."""
    plot = ForcePlot()
    qtbot.addWidget(plot)
    plot.set_profile(load_profile("diy-fsr5"))
    buf = RingBuffer(1000, 5, 3)
    buf.write(np.arange(100) / 100.0, np.ones((100, 5)), arrival_s=50.0)
    assert plot.show_frame(buf.snapshot(), now_s=50.0)
    assert _finite(plot.band_hi).size == 0
    plot.take_new_arrivals()
    snap = buf.snapshot()
    assert not plot.show_frame(snap, now_s=50.0)  # nothing changed
    band = np.tile([30.0, 40.0, 35.0], (60, 1))
    buf.set_aux(40, band)  # samples 40-99 scored
    filled = buf.snapshot()
    assert filled.written == snap.written and filled.revision > snap.revision
    assert plot.show_frame(filled, now_s=50.0)
    assert _finite(plot.band_hi).max() == pytest.approx(40.0)
    assert plot.total_plot.viewRange()[1][1] >= 40.0  # the y range takes in the band
    assert plot.take_new_arrivals().size == 0  # no sample is new


def test_stream_curve_appends_forgets_and_breaks_at_gaps(qtbot, themed_app) -> None:
    from trainer.ui.plots import StreamCurve, cosmetic_pen

    curve = StreamCurve(cosmetic_pen("#000000"), capacity=8)
    curve.append(np.arange(5.0), 2.0 * np.arange(5.0))
    # Past its capacity (it grows), with samples lost before x = 7.
    breaks = np.zeros(7, dtype=bool)
    breaks[2] = True
    curve.append(np.arange(5.0, 12.0), np.ones(7), breaks)
    x, y = curve.getData()
    assert curve.points == 12 and np.isnan(y).sum() == 1
    assert x[np.isnan(y)][0] == 7.0  # the break repeats the next point's x
    np.testing.assert_array_equal(x[np.isfinite(y)], np.arange(12.0))
    # What Qt draws: one unclosed subpath (moveTo + lineTo...) per stretch.
    path = curve.path()
    assert path.elementCount() == 12
    assert sum(path.elementAt(i).isMoveTo() for i in range(path.elementCount())) == 2
    # Forgetting the oldest points: the first stretch goes, then the next is cut.
    curve.drop_before(8.0)
    x, y = curve.getData()
    np.testing.assert_array_equal(x, np.arange(8.0, 12.0))
    assert not np.isnan(y).any() and curve.path().elementCount() == 4
    # A non-finite point is not drawn and breaks the line, here and across appends.
    curve.append(np.array([12.0, 13.0]), np.array([1.0, np.nan]))
    curve.append(np.array([14.0, 15.0]), np.array([3.0, 3.0]))
    x, y = curve.getData()
    np.testing.assert_array_equal(x[np.isfinite(y)], [8, 9, 10, 11, 12, 14, 15])
    assert np.isnan(y).sum() == 1
    curve.set_data(np.array([0.0, 1.0]), np.array([5.0, 6.0]))
    assert curve.points == 2 and curve.path().elementCount() == 2
    curve.clear()
    assert curve.points == 0 and curve.path().isEmpty()


def _blocks(buf, n_blocks: int, start: int = 0, gap_at: int = -1) -> None:
    for k in range(start, start + n_blocks):
        i = np.arange(10 * k, 10 * k + 10)
        t = i / 100.0
        values = np.column_stack([np.sin(t + c) + 2.0 for c in range(5)])
        aux = np.column_stack([values.sum(axis=1) - 1, values.sum(axis=1) + 1, values.sum(1)])
        buf.write(t, values, gap_before=k == gap_at, arrival_s=t[-1], aux=aux)


def test_frames_add_only_new_samples_and_draw_what_a_full_redraw_would(qtbot, themed_app):
    """The curves are kept from frame to frame: what they hold is the snapshot, gaps too."""
    from trainer.live import with_gap_breaks

    plot = ForcePlot(window_s=2.0, ahead_s=0.5)
    qtbot.addWidget(plot)
    plot.set_profile(load_profile("diy-fsr5"))
    buf = RingBuffer(250, 5, 3)  # 2.5 s: the window scrolls past old samples
    for k in range(60):  # 6 s in 10-sample blocks, a gap at 3 s, a frame per block
        _blocks(buf, 1, start=k, gap_at=30)
        assert plot.show_frame(buf.snapshot(), now_s=k / 10.0)
    snap = buf.snapshot()
    t, values = with_gap_breaks(snap.t, snap.values, snap.gap_before)
    x, y = plot.total.getData()
    np.testing.assert_allclose(x, t)
    np.testing.assert_allclose(y, values.sum(axis=1), equal_nan=True)
    for i, curve in enumerate(plot.channel_curves[:5]):
        np.testing.assert_allclose(curve.getData()[1], values[:, i], equal_nan=True)
    # A new source (its sample count starts again): drawn afresh, nothing of the old one.
    buf = RingBuffer(250, 5, 3)
    _blocks(buf, 3)
    assert plot.show_frame(buf.snapshot(), now_s=100.0)
    np.testing.assert_allclose(plot.total.getData()[0], buf.snapshot().t)


def test_a_frame_between_blocks_only_slides_the_data(qtbot, themed_app, monkeypatch) -> None:
    from trainer.ui.plots import StreamCurve

    plot = ForcePlot()
    qtbot.addWidget(plot)
    plot.set_profile(load_profile("diy-fsr5"))
    buf = RingBuffer(2000, 5, 3)
    _blocks(buf, 30)
    snap = buf.snapshot()
    assert plot.show_frame(snap, now_s=3.0)
    published: list[object] = []
    monkeypatch.setattr(StreamCurve, "_publish", lambda self: published.append(self))
    axis = plot.sensor_plot.getAxis("bottom")
    ticks = axis.tickValues(*plot.sensor_plot.viewRange()[0], 500)
    for i in range(1, 6):  # no new block: the plot moves on, its curves stay as they are
        assert plot.show_frame(snap, now_s=3.0 + 0.02 * i)
    assert published == [] and plot.data_frames == 1
    assert axis.tickValues(*plot.sensor_plot.viewRange()[0], 500) == ticks
    layer = plot.total.parentItem()
    assert layer.pos().x() == pytest.approx(-plot.time_range()[1] + plot.ahead_s)


def test_frame_pacer_goes_slow_on_costly_frames_and_back(qtbot) -> None:
    from trainer.ui.plots import FramePacer

    pacer = FramePacer(16, 33, window=5)
    assert [pacer.add(0.004) for _ in range(5)][-1] == 16
    for _ in range(3):  # most of the last frames cost more than 3/4 of 16 ms
        interval = pacer.add(0.020)
    assert interval == 33 and pacer.cost_s == pytest.approx(0.020)
    for _ in range(5):  # between the two thresholds: no flip-flopping
        assert pacer.add(0.010) == 33
    for _ in range(3):
        interval = pacer.add(0.003)
    assert interval == 16
    for cost in (0.003, 0.25, 0.003, 0.003):  # one slow frame (a stroke scored) is not a trend
        assert pacer.add(cost) == 16
    with pytest.raises(ValueError):
        FramePacer(33, 16)


def test_the_window_paces_its_frame_timer(qtbot, themed_app, references, monkeypatch) -> None:
    window = MainWindow(make_services(open_source, references))
    qtbot.addWidget(window)
    plot = window.practice_view.plot
    try:
        assert window.pacer is not None and window.timer.interval() == 16  # 60 fps to start
        window.timer.stop()  # the test ticks it
        monkeypatch.setattr(plot, "take_paint_seconds", lambda: 0.030)  # a slow machine
        for _ in range(40):
            window.tick()
        assert window.timer.interval() == 33
        monkeypatch.setattr(plot, "take_paint_seconds", lambda: 0.0)
        for _ in range(40):
            window.tick()
        assert window.timer.interval() == 16
    finally:
        window.close()
    fixed = MainWindow(make_services(open_source, references), frame_interval_ms=10)
    qtbot.addWidget(fixed)
    assert fixed.pacer is None and fixed.timer.interval() == 10
    fixed.close()


def test_a_block_is_drawn_when_it_arrives_not_at_the_next_tick(qtbot, themed_app, references):
    """The engine tells the window of each block: the Practice plot draws it at once."""
    from fakes import ScriptedSource

    from sensors.sources.base import SourceState
    from trainer.ui.services import SourceChoice

    source = ScriptedSource()
    source.set_state(SourceState.STREAMING)
    hour = 3_600_000  # a frame timer that never ticks during the test
    window = MainWindow(make_services(lambda spec: source, references), frame_interval_ms=hour)
    qtbot.addWidget(window)
    try:
        window.show_view("practice")
        window.connect_source(SourceChoice("ble", "AA:BB"))

        def connected() -> bool:
            window.tick()  # hands the worker's source to the window (the timer would)
            return window.acquisition is not None

        qtbot.waitUntil(connected, timeout=5000)
        frames = window.frames
        qtbot.waitUntil(lambda: window.frames >= frames + 3, timeout=5000)
        assert window.timer.interval() == hour and window.timer.isActive()
    finally:
        window.close()
