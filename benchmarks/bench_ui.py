"""Practice view: frames per second and sample-to-screen latency (offscreen, 1280×800).

Targets (issue 16): 60 frames a second where the machine allows, latency p95 < 30 ms,
with 5 channels at 100 Hz (the plot alone) and with 7 channels at 200 Hz (live scoring
and the reference band).

Latency of a block = the moment the plot finished painting a frame that includes it,
minus the moment the live engine took the block from the glove (its arrival stamp).
It includes the engine's work before the ring buffer (tare, drift watch: scoring and
recording follow in the engine's scoring thread, so a block that ends a stroke no longer
waits for the stroke's score), the wait for the window's frame (drawn as the block
arrives, or at the next frame-timer tick), the snapshot, the update of the curves and
the paint; and the GIL shared with the scoring thread. "from the buffer" is the GUI's
share alone: from the moment the block was written into the ring buffer; "in the
engine" the rest. The acquisition thread stamps a block when it reads it: a block that
waited in the source while that thread was busy would not count the wait (it used to be
busy for a whole stroke's score; now for well under a millisecond a block).

Each case runs twice in the same process: the app's window, then a peer, a plain
pyqtgraph live plot of the same glove (the same source through the same engine, with
no scoring: one plot of the total and one of the sensors, ``setData`` of the whole
window and the x range following the newest sample, on a 16 ms timer) at the size of
the app's plot. The ratios (app / peer: fps, p95) are the figures to compare between
machines or loads.

The redraw case (``--frames N``) needs no glove, engine or timer: it drives the
Practice plot alone, headless, with the same synthetic 7-channel 200 Hz stream, band,
scored strokes and band ahead every run, and reports the cost of a frame (``show_frame``,
then the paint it causes), as milliseconds and as a ratio against a peer timed in the
same run: a bare pyqtgraph plot of the same curves (plain ``setData``, no band, no axes
scrolling).

Run: python benchmarks/bench_ui.py [--seconds 10] [--frame-ms MS] [--frames 300] [--case 1|2]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6 import QtCore

from trainer.app import default_services
from trainer.ui.main_window import MainWindow
from trainer.ui.runner import application
from trainer.ui.services import SourceChoice

#: The window the app is measured in (a laptop); the peer gets the app's plot size.
WINDOW = (1280, 800)


class _Probe:
    """Counts frames that reach the screen and the latency of the blocks they show.

    ``arrivals()`` returns the arrival stamps of the blocks drawn since the last call;
    ``written`` maps an arrival stamp to when its block entered the ring buffer.
    """

    def __init__(self, arrivals: Callable[[], np.ndarray]) -> None:
        self.arrivals = arrivals
        self.written: dict[float, float] = {}
        self.measuring = False
        self.frame_pending = False
        self.paints: list[float] = []
        self.latency: list[float] = []
        self.from_buffer: list[float] = []
        self.in_engine: list[float] = []

    def watch(self, buffer: Any) -> None:
        """Stamp each block's write into ``buffer`` (the acquisition thread's)."""
        write = buffer.write

        def stamped(*args: Any, **kwargs: Any) -> None:
            write(*args, **kwargs)
            self.written[float(kwargs.get("arrival_s", 0.0))] = time.monotonic()

        buffer.write = stamped

    def frame(self) -> None:
        """A frame changed the plot: its first paint counts."""
        self.frame_pending = True

    def paint(self) -> None:
        """The plot was painted (Qt may split a frame's repaint in several)."""
        arrivals = self.arrivals()
        if not self.measuring:
            return
        now = time.monotonic()
        if self.frame_pending:
            self.frame_pending = False
            self.paints.append(now)
        for a in arrivals:
            written = self.written.get(float(a), a)
            self.latency.append(now - a)
            self.from_buffer.append(now - written)
            self.in_engine.append(written - a)

    def begin(self, seconds: float) -> None:
        """Measure from now for ``seconds``, then quit the event loop."""
        self.arrivals()
        self.measuring = True
        QtCore.QTimer.singleShot(round(seconds * 1000), application().quit)

    def result(self) -> dict[str, float]:
        ms = np.array(self.latency) * 1e3
        buf = np.array(self.from_buffer) * 1e3
        engine = np.array(self.in_engine) * 1e3
        span = self.paints[-1] - self.paints[0] if len(self.paints) > 1 else float("nan")
        return {
            "fps": (len(self.paints) - 1) / span,
            "p50_ms": float(np.percentile(ms, 50)),
            "p95_ms": float(np.percentile(ms, 95)),
            "max_ms": float(ms.max()),
            "buffer_p95_ms": float(np.percentile(buf, 95)),
            "engine_p95_ms": float(np.percentile(engine, 95)),
            "engine_slow": float(np.mean(engine > 15.0)),
            "blocks": float(ms.size),
        }


def measure(
    choice: SourceChoice, seconds: float, *, session: bool, frame_ms: int | None = None
) -> tuple[dict[str, float], tuple[int, int]]:
    """Run the app's window on ``choice``; return its figures and its plot's size."""
    app = application()
    services = default_services()
    if not session:
        services = dataclasses.replace(services, warm_up=None)
    window = MainWindow(services, frame_interval_ms=frame_ms)
    window.show()
    # After show: the window fits itself on the (offscreen, 800 px) screen when first shown.
    window.resize(*WINDOW)
    plot = window.practice_view.plot
    probe = _Probe(plot.take_new_arrivals)

    def on_frame() -> None:
        probe.frame()
        # Measure from one second after the first frame (sessions start warm).
        if window.frames == 1:
            QtCore.QTimer.singleShot(1000, lambda: probe.begin(seconds))

    plot.paint_hooks.append(probe.paint)
    window.frame_drawn.connect(on_frame)
    # Before the engine's thread starts: every block's write is stamped.
    window.connect_controller.started.connect(lambda acq: probe.watch(acq.buffer))
    if session:
        window.autostart(choice, choice.target, f"{choice.target}-starter")
    else:
        window.connect_source(choice)
        window.show_view("practice")
    app.exec()
    size = (plot.width(), plot.height())
    window.close()
    app.processEvents()
    return probe.result(), size


def measure_peer(choice: SourceChoice, seconds: float, size: tuple[int, int]) -> dict[str, float]:
    """The same glove in a plain pyqtgraph live plot of ``size`` (the peer, see above)."""
    import pyqtgraph as pg

    from sensors.sources import open_source
    from trainer.live import Acquisition

    app = application()
    acq = Acquisition(open_source(choice.spec))
    fs = float(acq.profile.sample_rate_hz)
    pending: list[np.ndarray] = []

    class Peer(pg.GraphicsLayoutWidget):
        def paintEvent(self, event: Any) -> None:
            super().paintEvent(event)
            probe.paint()

    def arrivals() -> np.ndarray:
        out = np.unique(np.concatenate(pending)) if pending else np.empty(0)
        pending.clear()
        return out

    probe = _Probe(arrivals)
    probe.watch(acq.buffer)
    view = Peer()
    view.resize(*size)
    view.show()
    top, bottom = view.addPlot(row=0, col=0), view.addPlot(row=1, col=0)
    total = top.plot(pen="k")
    curves = [bottom.plot(pen=pg.intColor(i)) for i in range(len(acq.profile.sensors))]
    bottom.setXLink(top)
    top.setYRange(0, 40)
    bottom.setYRange(0, 10)
    state = {"written": 0, "frames": 0}

    def tick() -> None:
        snap = acq.buffer.snapshot(round(11 * fs))
        if len(snap) == 0:
            return
        if snap.written != state["written"]:
            fresh = min(snap.written - state["written"], len(snap))
            state["written"] = snap.written
            pending.append(snap.arrival_s[-fresh:])
            total.setData(snap.t, snap.values.sum(axis=1))
            for i, curve in enumerate(curves):
                curve.setData(snap.t, snap.values[:, i])
        # Scrolling between blocks as the app does: x follows the wall clock.
        edge = snap.t[-1] + min(time.monotonic() - snap.arrival_s[-1], 0.15)
        top.setXRange(edge - 10.0, edge + 1.0, padding=0)
        probe.frame()
        state["frames"] += 1
        if state["frames"] == 1:
            QtCore.QTimer.singleShot(1000, lambda: probe.begin(seconds))

    timer = QtCore.QTimer()
    timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
    timer.setInterval(16)
    timer.timeout.connect(tick)
    acq.start()
    timer.start()
    app.exec()
    timer.stop()
    acq.stop()
    view.close()
    app.processEvents()
    return probe.result()


def _stream(frames: int, fs: float = 200.0) -> tuple[SimpleNamespace, list[tuple[Any, Any]]]:
    """Return a reference, and a synthetic 7-channel stream's snapshot and scorer state a frame.

    New samples 2 frames in 3 (a glove sends 10-20 blocks a second, the timer ticks 30
    times); a gap every 10 s; the scorer's aligned position held for 6 samples, then jumping.
    """
    from trainer.live import LiveState, RingBuffer

    rng = np.random.default_rng(1)
    n_ref = 400
    phase = np.sin(np.linspace(0.0, np.pi, n_ref))
    ref = SimpleNamespace(total=20 + 10 * phase, band_lo=15 + 8 * phase, band_hi=25 + 12 * phase)
    buf = RingBuffer(4000, 7, 3)
    written = 0

    def block(n: int) -> None:
        nonlocal written
        i = np.arange(written, written + n)
        t = i / fs
        v = np.abs(3 + 2 * np.sin(2 * t[:, None] + np.arange(7)) + 0.2 * rng.normal(size=(n, 7)))
        pos = (i // 6) % n_ref
        aux = np.column_stack([ref.band_lo[pos], ref.band_hi[pos], ref.total[pos]])
        buf.write(t, v, aux=aux, gap_before=written % 2000 == 0 and written > 0)
        written += n

    block(2200)
    out = []
    for f in range(frames):
        if f % 3 != 2:
            block(10)
        snap = buf.snapshot(round(11 * fs))
        live = LiveState(
            t=float(snap.t[-1]),
            active=True,
            position=100,
            progress=0.3,
            band_ahead=(ref.band_lo[100:300], ref.band_hi[100:300]),
        )
        out.append((snap, live))
    return ref, out


def redraw_cost(frames: int) -> dict[str, float]:
    """Milliseconds per frame of the Practice plot and of a bare plot of the same curves."""
    import pyqtgraph as pg

    from sensors.profiles import load_profile
    from trainer.ui import theme
    from trainer.ui.plots import ForcePlot

    app = application()
    theme.apply_theme(app)
    ref, stream = _stream(frames)
    fs = 200.0
    plot = ForcePlot()
    plot.resize(1100, 520)
    plot.show()
    plot.set_profile(load_profile("reference-glove"))
    # The peer: the same curves in a bare pyqtgraph plot, set in full every frame. The two
    # take turns, 30 frames each, so a busy machine slows both alike; the events left at
    # each turn (a scene repaints in the next pass) are flushed untimed.
    bare = pg.GraphicsLayoutWidget()
    bare.resize(1100, 520)
    bare.show()
    top, bottom = bare.addPlot(row=0, col=0), bare.addPlot(row=1, col=0)
    curves = [top.plot(pen="k") for _ in range(2)] + [bottom.plot(pen="k") for _ in range(7)]
    for p in (top, bottom):
        p.disableAutoRange()
        p.setRange(xRange=(0, 11), yRange=(0, 40), padding=0)
    app.processEvents()
    draw = paint = peer = 0.0
    turn = 30
    for first in range(0, len(stream), turn):
        for f in range(first, min(first + turn, len(stream))):
            snap, live = stream[f]
            if f % 90 == 45:  # a stroke scored: its band redrawn along its path
                path = np.column_stack([np.arange(400), np.arange(400)])
                plot.add_stroke(float(snap.t[-1]) - 2.0, path, ref)
            a = time.perf_counter()
            plot.show_frame(snap, live, ref.total[100:300], fs, now_s=(f + 1) / 30)
            b = time.perf_counter()
            app.processEvents()  # the paint the frame caused
            draw += b - a
            paint += time.perf_counter() - b
        app.processEvents()
        a = time.perf_counter()
        for snap, _ in stream[first : first + turn]:
            x = snap.t - snap.t[0]
            curves[0].setData(x, snap.values.sum(axis=1))
            curves[1].setData(x, snap.aux[:, 2])
            for i, curve in enumerate(curves[2:]):
                curve.setData(x, snap.values[:, i])
            app.processEvents()
        peer += time.perf_counter() - a
        app.processEvents()
    plot.close()
    bare.close()
    n = len(stream)
    return {
        "draw_ms": 1e3 * draw / n,
        "paint_ms": 1e3 * paint / n,
        "peer_ms": 1e3 * peer / n,
        "ratio": (draw + paint) / peer,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--frame-ms",
        type=int,
        default=None,
        help="a fixed frame timer interval (default: the app's, 16 ms or 33 ms by cost)",
    )
    parser.add_argument(
        "--frames", type=int, default=0, help="run only the redraw case, this many frames"
    )
    parser.add_argument(
        "--case", type=int, choices=(1, 2), default=None, help="run only this case (1 or 2)"
    )
    args = parser.parse_args()
    if args.frames:
        r = redraw_cost(args.frames)
        print(
            f"{'redraw, 7 ch @ 200 Hz, band (1100x520)':52s} {r['draw_ms']:5.2f} ms draw + "
            f"{r['paint_ms']:5.2f} ms paint a frame; bare plot of the same curves "
            f"{r['peer_ms']:5.2f} ms: {r['ratio']:.2f}x"
        )
        return
    cases = [
        ("5 ch @ 100 Hz (diy-fsr5), plot only", "effleurage", (("profile", "diy-fsr5"),), False),
        ("7 ch @ 200 Hz (reference glove), live scoring + band", "effleurage", (), True),
    ]
    if args.case is not None:
        cases = [cases[args.case - 1]]
    for name, technique, options, session in cases:
        opts = (("seed", "3"), ("speed", "1"), *options)
        choice = SourceChoice("sim", technique, opts)
        r, size = measure(choice, args.seconds, session=session, frame_ms=args.frame_ms)
        p = measure_peer(choice, args.seconds, size)
        lines = [(name, r), (f"  peer: plain pyqtgraph plot {size[0]}x{size[1]}", p)]
        for i, (who, x) in enumerate(lines):
            print(
                f"{who:52s} {x['fps']:5.1f} fps  latency p50 {x['p50_ms']:5.1f} ms  "
                f"p95 {x['p95_ms']:5.1f} ms  max {x['max_ms']:5.1f} ms  "
                f"(from the buffer p95 {x['buffer_p95_ms']:5.1f} ms, {x['blocks']:.0f} blocks)"
            )
            if i == 0:
                print(
                    f"{'  of which in the engine, before the buffer':52s} "
                    f"p95 {x['engine_p95_ms']:5.1f} ms; over 15 ms for "
                    f"{100 * x['engine_slow']:.0f} % of the blocks"
                )
        print(
            f"{'  app / peer':52s} fps {r['fps'] / p['fps']:.2f}x  "
            f"p95 {r['p95_ms'] / p['p95_ms']:.2f}x  "
            f"p95 from the buffer {r['buffer_p95_ms'] / p['buffer_p95_ms']:.2f}x"
        )


if __name__ == "__main__":
    main()
