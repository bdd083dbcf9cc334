"""The technique registry: every technique the program knows, and where it comes from.

A technique exists when the reference library has a reference of it (bundled starters
and the user's, :class:`~trainer.store.references.ReferenceLibrary`; read from each
reference's metadata, :func:`library_techniques`) or when the
simulated glove can perform it (:data:`sensors.strokes.TECHNIQUES`). Every technique
list -- the views' pickers, the command line's ``--technique`` checks, the history
filter -- reads :func:`available_techniques` (or :func:`technique_names`), so a
technique an instructor builds a reference for is a technique everywhere.

Names follow one rule, :func:`trainer.scoring.techniques.check_technique_name`. The
simulator still performs only its own techniques: :func:`require_simulated` says so in
one line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from trainer.exceptions import ReferenceFileError, ScoringError
from trainer.scoring.techniques import check_technique_name, unknown_technique
from trainer.store.references import ReferenceLibrary, load_reference_meta

__all__ = [
    "Technique",
    "available_techniques",
    "library_techniques",
    "require_simulated",
    "require_technique",
    "simulated_techniques",
    "technique_names",
]


@dataclass(frozen=True, slots=True)
class Technique:
    """One technique of the registry.

    Parameters
    ----------
    name : str
        Its (normalised) name.
    references : tuple of str
        Names of the library references of this technique (may be empty): those whose
        metadata is valid and names it (:func:`library_techniques`).
    simulated : bool
        Whether the simulated glove can perform it.
    """

    name: str
    references: tuple[str, ...] = ()
    simulated: bool = False

    @property
    def sources(self) -> tuple[str, ...]:
        """Where it comes from: ``"reference"`` and/or ``"simulator"``."""
        return (("reference",) if self.references else ()) + (
            ("simulator",) if self.simulated else ()
        )

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly form."""
        return {
            "name": self.name,
            "references": list(self.references),
            "simulated": self.simulated,
            "sources": list(self.sources),
        }


def simulated_techniques() -> tuple[str, ...]:
    """Return the techniques the simulated glove performs, in its order."""
    from sensors.strokes import TECHNIQUES

    return tuple(TECHNIQUES)


def library_techniques(library: ReferenceLibrary | None = None) -> dict[str, list[str]]:
    """Return the library's references by technique, read from their metadata only.

    Each reference's ``meta.json`` is read and checked
    (:func:`~trainer.store.references.load_reference_meta`); its arrays are not decoded,
    so listing costs little however large the library. A reference whose metadata is
    invalid names no technique. One whose arrays are damaged still names its own: it is
    reported where it is loaded (:meth:`ReferenceLibrary.entries`, the views, ``reference
    list``), as before.

    Parameters
    ----------
    library : ReferenceLibrary or None
        Default: the data home's library.

    Returns
    -------
    dict of str to list of str
        Technique name to the names of its references, in name order.
    """
    library = library or ReferenceLibrary()
    refs: dict[str, list[str]] = {}
    for name, (source, origin) in library.sources().items():
        try:
            # The metadata's schema checks the name rule and normalises the technique.
            technique = load_reference_meta(source, origin)["technique"]
        except ReferenceFileError:
            continue
        refs.setdefault(technique, []).append(name)
    return refs


def available_techniques(library: ReferenceLibrary | None = None) -> list[Technique]:
    """Every known technique: the library's references' and the simulator's.

    The simulator's come first in its order (the usual teaching order), then the others
    alphabetically. A reference whose metadata is invalid, or whose technique breaks
    the name rule, adds nothing (see :func:`library_techniques`).

    Parameters
    ----------
    library : ReferenceLibrary or None
        Default: the data home's library.

    Returns
    -------
    list of Technique
        One entry per technique name.
    """
    refs = library_techniques(library)
    simulated = simulated_techniques()
    order = [*simulated, *sorted(set(refs) - set(simulated))]
    return [Technique(n, tuple(refs.get(n, ())), n in simulated) for n in order]


def technique_names(library: ReferenceLibrary | None = None) -> list[str]:
    """Return the names of :func:`available_techniques`, in its order."""
    return [t.name for t in available_techniques(library)]


def require_technique(
    name: str,
    library: ReferenceLibrary | None = None,
    *,
    known: Iterable[Technique] | None = None,
) -> Technique:
    """Check that ``name`` is a known technique.

    Parameters
    ----------
    name : str
        As typed (normalised by the name rule).
    library : ReferenceLibrary or None
        Default: the data home's library.
    known : iterable of Technique or None
        The registry already read (default: read it from ``library``).

    Returns
    -------
    Technique
        The registry's entry.

    Raises
    ------
    ScoringError
        A name breaking the rule, or an unknown technique: one line listing the known
        ones (and the nearest, if any).
    """
    normal = check_technique_name(name)
    techniques = list(known) if known is not None else available_techniques(library)
    for technique in techniques:
        if technique.name == normal:
            return technique
    raise unknown_technique(name, [t.name for t in techniques])


def require_simulated(name: str, library: ReferenceLibrary | None = None) -> str:
    """Check that the simulated glove can perform ``name``.

    Parameters
    ----------
    name : str
        As typed.
    library : ReferenceLibrary or None
        Default: the data home's library.

    Returns
    -------
    str
        The normalised name.

    Raises
    ------
    ScoringError
        Unknown technique, or one the simulator cannot perform: "the simulated glove
        performs effleurage, ...; 'compression' has references but no simulation".
    """
    technique = require_technique(name, library)
    if not technique.simulated:
        performs = ", ".join(simulated_techniques())
        raise ScoringError(
            f"the simulated glove performs {performs}; "
            f"{technique.name!r} has references but no simulation"
        )
    return technique.name
