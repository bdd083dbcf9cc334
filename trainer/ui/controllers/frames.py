"""The frame timer: each frame hands the controllers their work, then lets them draw.

One :class:`FrameClock` runs in the window. A frame collects the workers' results, hands
the acquisition's events to Practice and Connect, and lets each controller draw its view
(only the visible one redraws). Nothing it calls blocks on the glove, the disk or numba.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6 import QtCore

from trainer.live import EventKind
from trainer.ui.plots import FrameCounter, FramePacer

if TYPE_CHECKING:
    from trainer.ui.controllers.base import Jobs
    from trainer.ui.controllers.connect import ConnectController
    from trainer.ui.controllers.instructor import InstructorController
    from trainer.ui.controllers.practice import PracticeController

__all__ = ["FrameClock"]


class FrameClock(QtCore.QObject):
    """Ticks the controllers on a timer, and at once when a block reaches the buffer.

    Parameters
    ----------
    parent : QtCore.QObject
        The window (the timer stops with it).
    jobs : Jobs
        The worker pool whose results each frame collects.
    connect, practice : ConnectController, PracticeController
        The live source's controller (its events, its view) and Practice's.
    instructor : callable
        Returns the Instructor's controller, ``None`` before it is built (no take is
        recorded before then).
    current_view : callable
        Returns the key of the visible view.
    show_fps : callable
        Shows the frame rate (every 15 frames; ``""`` before there is one).
    interval_ms : int or None
        A fixed timer period; ``None``: 16 ms while frames cost little, 33 ms when they
        do not (:class:`~trainer.ui.plots.FramePacer`).

    Attributes
    ----------
    timer : QtCore.QTimer
        The frame timer (started by :meth:`start`).
    pacer : FramePacer or None
        Picks the interval from what frames cost (``None``: a fixed one was asked).
    frames : int
        Frames that gave the practice plot new data.
    fps : FrameCounter
        Their rate.

    Signals
    -------
    frame_drawn()
        The practice plot was given new data this frame.
    source_finished()
        The source has no more samples (end of a capture or of a timed simulation).
    """

    frame_drawn = QtCore.Signal()
    source_finished = QtCore.Signal()

    def __init__(
        self,
        parent: QtCore.QObject,
        jobs: Jobs,
        connect: ConnectController,
        practice: PracticeController,
        *,
        instructor: Callable[[], InstructorController | None],
        current_view: Callable[[], str],
        show_fps: Callable[[str], None],
        interval_ms: int | None,
    ) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self._connect = connect
        self._practice = practice
        self._instructor = instructor
        self._current_view = current_view
        self._show_fps = show_fps
        self.frames = 0
        self.fps = FrameCounter()
        self.timer = QtCore.QTimer(parent)
        self.timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self.pacer = FramePacer() if interval_ms is None else None
        self.timer.setInterval(self.pacer.interval_ms if self.pacer else interval_ms or 33)
        self.timer.timeout.connect(self.tick)
        self._tick_began = 0.0  # perf_counter at the last frame's start
        connect.samples_arrived.connect(self._on_samples)

    def start(self) -> None:
        """Start the timer."""
        self.timer.start()

    def stop(self) -> None:
        """Stop the timer (a block arriving no longer draws a frame either)."""
        self.timer.stop()

    def _on_samples(self) -> None:
        """Show a block that reached the ring buffer now, not at the next tick.

        Waiting for the timer added up to a frame interval to every block's way to the
        screen. The timer restarts from this frame, so frames stay evenly spaced; blocks
        coming within a quarter interval (at most 8 ms) of a frame wait for the next tick.
        """
        if self._current_view() != "practice" or not self.timer.isActive():
            return
        if time.perf_counter() - self._tick_began < min(self.timer.interval() / 4000, 0.008):
            return
        self.timer.start()
        self.tick()

    def tick(self) -> None:
        """One frame: worker results, acquisition events, then each controller's view."""
        began = time.perf_counter()
        self._tick_began = began
        self.jobs.poll()
        self._practice.poll_autostart()
        for event in self._connect.events():
            self._practice.on_event(event)
            self._connect.on_event(event)
            if event.kind is EventKind.FINISHED:
                self.source_finished.emit()
        self._connect.follow_status()
        view = self._current_view()
        self._connect.tick(view == "connect")
        if self._practice.tick(view == "practice"):
            self.frames += 1
            self.fps.tick()
            self.frame_drawn.emit()
        instructor = self._instructor()
        if instructor is not None:
            instructor.tick(view == "instructor")
        if self.frames % 15 == 0:
            fps = self.fps.fps
            self._show_fps(f"{fps:.0f} fps" if fps else "")
        if self.pacer is not None:
            # What a frame costs: this work, and painting the plot the last frame changed.
            cost = time.perf_counter() - began + self._practice.view.plot.take_paint_seconds()
            interval = self.pacer.add(cost)
            if interval != self.timer.interval():
                self.timer.setInterval(interval)
