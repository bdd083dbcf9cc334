"""The one interface every sample source implements."""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Self

if TYPE_CHECKING:
    from sensors.blocks import SampleBlock
    from sensors.profiles import GloveProfile

__all__ = ["Source", "SourceKind", "SourceState", "SourceStatus"]


class SourceKind(enum.Enum):
    """Which family a source belongs to (BrainFlow-style: fake boards beside real ones)."""

    BLE = "ble"
    REPLAY = "replay"
    SIM = "sim"


class SourceState(enum.Enum):
    """Link state, as shown to the user."""

    IDLE = "idle"
    SCANNING = "scanning"
    CONNECTING = "connecting"
    STREAMING = "streaming"
    RECONNECTING = "reconnecting"
    LOST = "lost"
    FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """A snapshot of a source's health, safe to read from any thread.

    Parameters
    ----------
    state : SourceState
        Current link state.
    blocks : int
        Blocks delivered so far.
    samples : int
        Samples delivered so far.
    dropped_packets : int
        Notifications known lost (sequence-number gaps), 0 for sources that cannot drop.
    gaps : int
        Gap markers emitted so far (drops, reconnects, gaps in a recording).
    reconnects : int
        Successful reconnections after a drop.
    battery_pct : int or None
        Battery level in percent, if the glove reports it.
    message : str
        Human-readable detail for the current state ("" when nothing to add).
    """

    state: SourceState
    blocks: int = 0
    samples: int = 0
    dropped_packets: int = 0
    gaps: int = 0
    reconnects: int = 0
    battery_pct: int | None = None
    message: str = ""


class Source(ABC):
    """A stream of :class:`~sensors.blocks.SampleBlock` from a glove, real or not.

    Lifecycle: ``open()`` → ``read()`` repeatedly (or iterate) → ``close()``. A source
    is also a context manager and an (a)synchronous iterator, so a consumer can be a
    plain thread (``for block in source``) or an asyncio task (``async for block in
    source.aiter_blocks()``). ``read`` never blocks the caller longer than ``timeout``.

    Implementations must yield blocks whose ``t`` continues monotonically across
    blocks and set ``gap_before`` whenever samples were lost.
    """

    kind: SourceKind

    @property
    @abstractmethod
    def profile(self) -> GloveProfile:
        """The glove profile of the blocks this source yields."""

    @abstractmethod
    def status(self) -> SourceStatus:
        """Return a snapshot of the source's state and counters (thread-safe)."""

    @abstractmethod
    def open(self) -> None:
        """Prepare and start streaming (connect, start the simulator, open the file).

        Raises
        ------
        sensors.exceptions.SourceError
            If the source cannot be opened (no adapter, unknown device, bad file).
        """

    @abstractmethod
    def read(self, timeout: float | None = None) -> SampleBlock | None:
        """Return the next block.

        Parameters
        ----------
        timeout : float or None
            Seconds to wait at most; ``None`` waits until a block or the end.

        Returns
        -------
        SampleBlock or None
            The next block, or ``None`` if none arrived within ``timeout``.

        Raises
        ------
        EOFError
            When the source has finished (end of a recording, simulator duration
            reached, link given up as lost) and has no more blocks.
        """

    @abstractmethod
    def close(self) -> None:
        """Stop streaming and release resources. Idempotent."""

    # -- conveniences shared by every source ------------------------------------------

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __iter__(self) -> Iterator[SampleBlock]:
        """Yield blocks until the source finishes (blocking)."""
        while True:
            try:
                block = self.read(timeout=None)
            except EOFError:
                return
            if block is not None:
                yield block

    async def aiter_blocks(self, poll_s: float = 0.05) -> AsyncIterator[SampleBlock]:
        """Yield blocks to an asyncio consumer without blocking its loop.

        Parameters
        ----------
        poll_s : float
            How long each worker-thread ``read`` may wait before control returns to
            the loop (keeps cancellation responsive).
        """
        import asyncio  # here, not at the top: the command line's start-up skips it

        while True:
            try:
                block = await asyncio.to_thread(self.read, poll_s)
            except EOFError:
                return
            if block is not None:
                yield block
