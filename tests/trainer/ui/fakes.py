"""Fakes for the UI tests: a source whose link state the test drives, and services."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from sensors.blocks import SampleBlock
from sensors.profiles import GloveProfile, load_profile
from sensors.sources.base import Source, SourceKind, SourceState, SourceStatus
from trainer.ui.services import Services


class ScriptedSource(Source):
    """A BLE-like source whose state, counters and samples the test sets.

    While STREAMING it yields blocks of a sine-ish load (so plots have data), a block every
    ``interval_s`` of wall time (the default, 10 samples every 5 ms, is ten times the
    reference glove's 200 Hz); in any other state ``read`` returns ``None`` after its
    timeout; after LOST or FINISHED it raises ``EOFError``. ``next_gap()`` marks the next
    block as following lost samples.
    """

    kind = SourceKind.BLE

    def __init__(
        self,
        profile: GloveProfile | None = None,
        *,
        block: int = 10,
        level_n: float | np.ndarray | None = None,
        noise_n: float = 0.0,
        interval_s: float = 0.005,
    ) -> None:
        self._profile = profile or load_profile("reference-glove")
        self._lock = threading.Lock()
        self._status = SourceStatus(SourceState.IDLE, message="")
        self._block = block
        self._n = 0
        self._gap = False
        self._level = level_n
        self._noise = noise_n
        self._interval = interval_s
        self._rng = np.random.default_rng(0)
        self.opened = threading.Event()
        self.closed = threading.Event()

    @property
    def profile(self) -> GloveProfile:
        return self._profile

    def status(self) -> SourceStatus:
        with self._lock:
            return self._status

    def set_state(self, state: SourceState, message: str = "", **counters: Any) -> None:
        with self._lock:
            self._status = replace(self._status, state=state, message=message, **counters)

    def next_gap(self) -> None:
        with self._lock:
            self._gap = True
            self._n += 50  # the samples that were lost

    def open(self) -> None:
        self.opened.set()
        with self._lock:
            if self._status.state is SourceState.IDLE:
                self._status = replace(self._status, state=SourceState.CONNECTING)

    def read(self, timeout: float | None = None) -> SampleBlock | None:
        with self._lock:
            state = self._status.state
        if state in (SourceState.LOST, SourceState.FINISHED):
            raise EOFError("link lost")
        if state is not SourceState.STREAMING:
            threading.Event().wait(min(timeout or 0.01, 0.01))
            return None
        threading.Event().wait(self._interval)
        fs = self._profile.sample_rate_hz
        channels = len(self._profile.sensors)
        with self._lock:
            i = self._n + np.arange(self._block)
            self._n += self._block
            gap, self._gap = self._gap, False
            self._status = replace(
                self._status,
                blocks=self._status.blocks + 1,
                samples=self._status.samples + self._block,
                gaps=self._status.gaps + int(gap),
            )
        t = i / fs
        if self._level is not None:
            values = np.broadcast_to(np.asarray(self._level, float), (len(i), channels)).copy()
        else:
            values = 5.0 + 4.0 * np.sin(2 * np.pi * 0.7 * t)[:, None] * np.ones(channels)
        if self._noise:
            values = values + self._rng.normal(0.0, self._noise, values.shape)
        return SampleBlock(t, values, self._profile, gap_before=gap)

    def close(self) -> None:
        self.closed.set()


class ExplodingSource(ScriptedSource):
    """Fails on the first read, like a glove whose adapter vanished."""

    def read(self, timeout: float | None = None) -> SampleBlock | None:
        from sensors.exceptions import SourceError

        raise SourceError("adapter vanished")


def make_services(
    open_source: Callable[[str], Source],
    references: Sequence[Any] = (),
    *,
    coach: bool = True,
) -> Services:
    """Services with a fake source factory and real references/scoring (no warm-up)."""
    from trainer.app import make_coach

    return Services(
        open_source=open_source,
        load_references=lambda: list(references),
        make_coach=make_coach if coach else None,
        warm_up=None,
        scan=None,
        make_recorder=None,
        profiles=("reference-glove", "diy-fsr5"),
    )


class ManualJobs:
    """A job runner for controller tests: calls run when the test says so, on its thread.

    ``run()`` runs every pending call (and those they submit) and hands each its result,
    so a test sees the state before and after a worker's answer.
    """

    def __init__(self) -> None:
        self.pending: list[tuple[Callable[[], Any], Callable[[Any, BaseException | None], None]]]
        self.pending = []

    def submit(
        self, fn: Callable[[], Any], done: Callable[[Any, BaseException | None], None]
    ) -> None:
        self.pending.append((fn, done))

    @property
    def busy(self) -> bool:
        return bool(self.pending)

    def run(self) -> int:
        """Run what is pending until nothing is; return how many calls ran."""
        ran = 0
        while self.pending:
            fn, done = self.pending.pop(0)
            ran += 1
            try:
                result = fn()
            except Exception as err:
                done(None, err)
            else:
                done(result, None)
        return ran


class FakeShell:
    """The window as a controller sees it (:class:`trainer.ui.controllers.Shell`), recorded."""

    def __init__(self, settings: dict[str, object] | None = None) -> None:
        self.views: list[str] = []
        self.messages: list[str] = []
        self.source = ""
        self.alignment = ""
        self.settings: dict[str, object] = dict(settings or {})

    def show_view(self, key: str) -> None:
        self.views.append(key)

    def show_message(self, text: str, timeout_ms: int) -> None:
        self.messages.append(text)

    def show_source(self, text: str) -> None:
        self.source = text

    def show_alignment(self, text: str) -> None:
        self.alignment = text

    def remember(self, key: str, value: object) -> None:
        self.settings[key] = value

    def recall(self, key: str, default: object = "") -> object:
        return self.settings.get(key, default)
