"""Practice view: frames per second and sample-arrival-to-drawn latency (offscreen).

Targets (issue 7): >= 30 fps with 5 channels at 100 Hz, latency p95 < 50 ms.

Latency of a block = the moment the plot finished painting a frame that includes it, minus
the moment the acquisition thread wrote it into the ring buffer. It includes the wait for
the next frame-timer tick (33 ms period), the snapshot, every ``setData`` and the paint.

The redraw case (``--frames N``, issue 16) needs no glove, engine or timer: it drives the
Practice plot alone, headless, with the same synthetic 7-channel 200 Hz stream, band,
scored strokes and band ahead every run, and reports the cost of a frame (``show_frame``,
then the paint it causes), as milliseconds and as a ratio against a peer timed in the
same run: a bare pyqtgraph plot of the same curves (plain ``setData``, no band, no axes
scrolling). The ratio is the figure to compare between machines or loads.

Run: python benchmarks/bench_ui.py [--seconds 10] [--frames 300]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from types import SimpleNamespace
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6 import QtCore

from trainer.app import default_services
from trainer.ui.main_window import MainWindow
from trainer.ui.runner import application
from trainer.ui.services import SourceChoice


def measure(choice: SourceChoice, seconds: float, *, session: bool) -> dict[str, float]:
    app = application()
    services = default_services()
    if not session:
        services = dataclasses.replace(services, warm_up=None)
    window = MainWindow(services)
    window.resize(1280, 800)
    window.show()
    plot = window.practice_view.plot
    latencies: list[float] = []
    paints: list[float] = []
    state = {"measuring": False, "frame_pending": False}

    def on_paint() -> None:
        # A frame counts once it reaches the screen (Qt may split one frame's repaint
        # into several paint events; only the first after a new frame counts).
        arrivals = plot.take_new_arrivals()
        if not state["measuring"]:
            return
        now = time.monotonic()
        if state["frame_pending"]:
            state["frame_pending"] = False
            paints.append(now)
        if arrivals.size:
            latencies.extend(now - arrivals)

    def begin() -> None:
        plot.take_new_arrivals()
        state["measuring"] = True
        QtCore.QTimer.singleShot(round(seconds * 1000), app.quit)

    def on_frame() -> None:
        state["frame_pending"] = True
        # Measure from one second after the first frame (sessions start warm).
        if window.frames == 1:
            QtCore.QTimer.singleShot(1000, begin)

    plot.paint_hooks.append(on_paint)
    window.frame_drawn.connect(on_frame)
    if session:
        window.autostart(choice, choice.target, f"{choice.target}-starter")
    else:
        window.connect_source(choice)
        window.show_view("practice")
    app.exec()
    window.close()
    app.processEvents()
    ms = np.array(latencies) * 1e3
    span = paints[-1] - paints[0] if len(paints) > 1 else float("nan")
    return {
        "fps": (len(paints) - 1) / span,
        "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)),
        "max_ms": float(ms.max()),
        "blocks": float(ms.size),
    }


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
        "--frames", type=int, default=0, help="run only the redraw case, this many frames"
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
    for name, technique, options, session in cases:
        opts = (("seed", "3"), ("speed", "1"), *options)
        r = measure(SourceChoice("sim", technique, opts), args.seconds, session=session)
        print(
            f"{name:52s} {r['fps']:5.1f} fps  latency p50 {r['p50_ms']:5.1f} ms  "
            f"p95 {r['p95_ms']:5.1f} ms  max {r['max_ms']:5.1f} ms  ({r['blocks']:.0f} blocks)"
        )


if __name__ == "__main__":
    main()
