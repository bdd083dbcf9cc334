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
    from sensors.profiles import GloveProfile
    from sensors.sources.base import Source
    from trainer.live import LiveScorer, SessionRecorder
    from trainer.scoring import Reference
    from trainer.store.database import Store
    from trainer.store.references import LibraryEntry
    from trainer.store.takes import TakeShelf

__all__ = ["Advert", "RecorderFactory", "ReferenceShelf", "Services", "SourceChoice"]


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


class RecorderFactory(Protocol):
    """Builds the recorder of one session (:func:`trainer.app.make_recorder`)."""

    def __call__(
        self,
        store: Store,
        reference: Reference,
        feedback_mode: str,
        source: str,
        *,
        kind: str = "practice",
        surface: str = "",
        user: str = "",
    ) -> SessionRecorder:
        """Return a recorder of a ``kind`` session on ``surface`` into ``store``."""
        ...


class ReferenceShelf(Protocol):
    """The reference library as the Instructor view manages it.

    :class:`trainer.store.references.ReferenceLibrary` is one; every call may touch the
    disk, so the views make them in a worker thread.
    """

    def entries(self) -> list[LibraryEntry]:
        """Every shown reference, loaded (an invalid file carries its error)."""
        ...

    def hidden(self) -> list[str]:
        """Names of the bundled starters the user hid."""
        ...

    def delete(self, name: str) -> str:
        """Delete a user reference or hide a starter; say which (``"hidden"``...)."""
        ...

    def unhide(self, name: str) -> None:
        """Show a hidden starter again."""
        ...

    def rename(self, old: str, new: str) -> Path:
        """Rename a user reference; return its new file."""
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
        ``make_recorder(store, reference, feedback_mode, source_spec, *, kind, surface,
        user) -> SessionRecorder``: records one practice session or probe into the
        store, as ``user`` (who practises; ``""``: the default person).
    open_takes : callable or None
        ``open_takes() -> TakeShelf`` (:mod:`trainer.store.takes`): the instructor's
        takes; called once in a worker thread, when the Instructor view is built (first
        shown or reached). ``None`` disables the Instructor view.
    save_reference : callable or None
        ``save_reference(reference, overwrite) -> path``: adds a built reference to the
        library; called in a worker thread.
    export_references : callable or None
        ``export_references(path, names)``: writes library references into a pack
        (whatever it returns is ignored); called in a worker thread.
    open_library : callable or None
        ``open_library() -> ReferenceShelf``: the reference library to list, delete or
        hide, unhide and rename from (Instructor view); its calls run in a worker
        thread. ``None`` hides the Instructor's library.
    open_counts_source : callable or None
        ``open_counts_source(spec, profile) -> Source`` (unopened): the glove of a spec
        read in raw counts of ``profile`` (:func:`trainer.signal.loadcal.counts_profile`),
        for the calibration wizard; raises a one-line error for a source that cannot be
        calibrated (the simulated glove). Called in a worker thread. ``None`` hides the
        wizard.
    save_profile : callable or None
        ``save_profile(profile, name, overwrite) -> path``: writes a calibrated glove
        profile as ``NAME.toml`` where the app keeps them; raises ``FileExistsError``
        when the name is taken and ``overwrite`` is false, a one-line ``ProfileError``
        for a bad name. Called in a worker thread.
    profiles : sequence of str
        Glove profiles offered for the simulated glove.
    techniques : sequence of str
        Techniques offered for practice, takes and the history filter (default: the
        technique registry, :mod:`trainer.store.techniques`, read when built).
    simulated_techniques : sequence of str
        Techniques the simulated glove can perform (default: the simulator's).
    user : str or None
        Who practises when the window opens (``demo --user``); ``None``: the person
        the window remembers, else the last to practise.
    """

    open_source: Callable[[str], Source]
    load_references: Callable[[], list[Reference]]
    make_coach: Callable[[Reference, str, int], LiveScorer] | None = None
    warm_up: Callable[[], None] | None = None
    scan: Callable[[float], Sequence[Advert]] | None = None
    open_store: Callable[[], Store] | None = None
    make_recorder: RecorderFactory | None = None
    open_takes: Callable[[], TakeShelf] | None = None
    save_reference: Callable[[Reference, bool], Path] | None = None
    export_references: Callable[[Path, Sequence[str]], object] | None = None
    open_library: Callable[[], ReferenceShelf] | None = None
    open_counts_source: Callable[[str, GloveProfile], Source] | None = None
    save_profile: Callable[[GloveProfile, str, bool], Path] | None = None
    profiles: Sequence[str] = ("reference-glove",)
    techniques: Sequence[str] = field(default_factory=_known_techniques)
    simulated_techniques: Sequence[str] = field(default_factory=_simulated_techniques)
    user: str | None = None
