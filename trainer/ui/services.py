"""What the window needs from the layers below, injected by :mod:`trainer.app`.

The views never build a source, open a file or compile a kernel themselves: they call
these callables (in a worker thread where the call may block). Tests inject fakes here.
Qt-free.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlencode

if TYPE_CHECKING:
    from sensors.sources.base import Source
    from trainer.live import LiveScorer, SessionRecorder
    from trainer.scoring import Reference
    from trainer.store.database import Store
    from trainer.store.takes import TakeShelf

__all__ = ["FEEDBACK_MODES", "Advert", "Services", "SourceChoice"]

#: Faded-feedback settings offered in the practice view: (label, mode, n).
FEEDBACK_MODES: tuple[tuple[str, str, int], ...] = (
    ("Cues on every stroke", "every", 1),
    ("Cues every 3rd stroke", "every_n", 3),
    ("No cues (test)", "off", 1),
)


class Advert(Protocol):
    """A glove found by a BLE scan (e.g. :class:`sensors.sources.ble.GloveAdvertisement`)."""

    @property
    def address(self) -> str:
        """Platform address (what a ``ble:`` spec names)."""
        ...

    @property
    def name(self) -> str:
        """Advertised name ("" if none)."""
        ...

    @property
    def rssi(self) -> int | None:
        """Signal strength, dBm."""
        ...


@dataclass(frozen=True, slots=True)
class SourceChoice:
    """A source the user picked in the connect view.

    Parameters
    ----------
    kind : {"sim", "replay", "ble"}
        Source family.
    target : str
        Technique (sim), capture path (replay) or address/name (ble).
    options : tuple of (str, str)
        Spec options (``seed``, ``speed``, ``profile``...).
    """

    kind: str
    target: str
    options: tuple[tuple[str, str], ...] = ()

    @property
    def spec(self) -> str:
        """The source spec understood by :func:`sensors.sources.open_source`."""
        query = urlencode(self.options)
        return f"{self.kind}:{self.target}" + (f"?{query}" if query else "")

    @property
    def label(self) -> str:
        """Short description for the status bar."""
        if self.kind == "sim":
            return f"simulated glove ({self.target})"
        if self.kind == "replay":
            return f"capture {self.target.rsplit('/', 1)[-1]}"
        return f"glove {self.target}"

    def with_option(self, key: str, value: str) -> SourceChoice:
        """Return a copy with one option set."""
        opts = dict(self.options)
        opts[key] = value
        return SourceChoice(self.kind, self.target, tuple(opts.items()))


def _known_techniques() -> tuple[str, ...]:
    """Every known technique: the technique registry over the data home's library."""
    from trainer.store.techniques import technique_names

    return tuple(technique_names())


def _simulated_techniques() -> tuple[str, ...]:
    from trainer.store.techniques import simulated_techniques

    return simulated_techniques()


@dataclass(frozen=True, slots=True)
class Services:
    """The app's injected dependencies.

    Parameters
    ----------
    open_source : callable
        ``open_source(spec) -> Source`` (unopened). Called in a worker thread.
    load_references : callable
        ``() -> list of Reference`` (bundled and the user's). Called in a worker thread.
    make_coach : callable or None
        ``make_coach(reference, mode, n) -> LiveScorer``; ``None`` when scoring is
        unavailable (the practice view then only plots).
    warm_up : callable or None
        Compiles the alignment kernels; called once in a worker thread at start-up.
    scan : callable or None
        ``scan(timeout_s) -> list of Advert`` (``address``, ``name``, ``rssi``); called
        in a worker thread. ``None`` hides BLE scanning.
    open_store : callable or None
        ``open_store() -> Store``: opens the session database; called once in a worker
        thread at start-up. ``None`` (or a failure) means sessions are not saved, and the
        practice view says so.
    make_recorder : callable or None
        ``make_recorder(store, reference, feedback_mode, source_spec) -> SessionRecorder``:
        records one practice session into the store.
    open_takes : callable or None
        ``open_takes() -> TakeShelf`` (:mod:`trainer.store.takes`): the instructor's
        takes; called once in a worker thread. ``None`` disables the Instructor view.
    save_reference : callable or None
        ``save_reference(reference, overwrite) -> path``: adds a built reference to the
        library; called in a worker thread.
    export_references : callable or None
        ``export_references(path, names)``: writes library references into a pack
        (whatever it returns is ignored); called in a worker thread.
    profiles : sequence of str
        Glove profiles offered for the simulated glove.
    techniques : sequence of str
        Techniques offered for practice, takes and the history filter (default: the
        technique registry, :mod:`trainer.store.techniques`, read when built).
    simulated_techniques : sequence of str
        Techniques the simulated glove can perform (default: the simulator's).
    """

    open_source: Callable[[str], Source]
    load_references: Callable[[], list[Reference]]
    make_coach: Callable[[Reference, str, int], LiveScorer] | None = None
    warm_up: Callable[[], None] | None = None
    scan: Callable[[float], Sequence[Advert]] | None = None
    open_store: Callable[[], Store] | None = None
    make_recorder: Callable[[Store, Reference, str, str], SessionRecorder] | None = None
    open_takes: Callable[[], TakeShelf] | None = None
    save_reference: Callable[[Reference, bool], Path] | None = None
    export_references: Callable[[Path, Sequence[str]], object] | None = None
    profiles: Sequence[str] = ("reference-glove",)
    techniques: Sequence[str] = field(default_factory=_known_techniques)
    simulated_techniques: Sequence[str] = field(default_factory=_simulated_techniques)
