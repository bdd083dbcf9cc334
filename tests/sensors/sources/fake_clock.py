"""A clock for paced sources that only moves when the source sleeps (no real waiting)."""

from __future__ import annotations


class FakeClock:
    """Monotonic clock and sleep for a source's ``clock=`` and ``sleep=`` arguments."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0  # a source never asks to sleep a negative time
        self.sleeps.append(seconds)
        self.now += seconds
