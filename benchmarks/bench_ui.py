"""Practice view: frames per second and sample-arrival-to-drawn latency (offscreen).

Targets (issue 7): >= 30 fps with 5 channels at 100 Hz, latency p95 < 50 ms.

Latency of a block = the moment the plot finished painting a frame that includes it, minus
the moment the acquisition thread wrote it into the ring buffer. It includes the wait for
the next frame-timer tick (33 ms period), the snapshot, every ``setData`` and the paint.

Run: python benchmarks/bench_ui.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
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
