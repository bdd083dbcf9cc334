"""Sample sources behind one interface: BLE glove, recorded capture, simulated glove.

Concrete modules are imported lazily by :func:`open_source`, so only the BLE source
ever imports :mod:`bleak`, and only when a BLE glove is asked for.

Source specs (as typed on the command line):

``sim[:TECHNIQUE][?seed=N&speed=X&seconds=S&profile=NAME&student=LEVEL&faults=F,F&improve=1]``
    The simulated glove performing ``TECHNIQUE`` (default effleurage). ``student`` is
    ``novice`` (2–3 strong error tendencies drawn from the seed), ``intermediate`` (1–2
    milder) or ``expert`` (none: the plain strokes); ``faults`` names the tendencies
    instead (``too_light``, ``too_heavy_end``, ``rushed``, ``dragged_middle``,
    ``load_thumb``, ``jerky``, ``stops_early``..., see :data:`sensors.strokes.FAULTS`);
    ``improve=1`` makes them fade over the session.
``replay:PATH[?speed=X&loop=1&profile=NAME]``
    A recorded capture (native or CSV). ``speed=0`` plays as fast as possible;
    ``profile`` names the glove of a CSV capture (native captures carry their own).
``ble:ADDRESS_OR_NAME[?profile=NAME]``
    A BLE glove, by address or advertised name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from sensors.exceptions import SourceError
from sensors.sources.base import Source, SourceKind, SourceState, SourceStatus

__all__ = [
    "Source",
    "SourceKind",
    "SourceSpec",
    "SourceState",
    "SourceStatus",
    "open_source",
    "parse_source_spec",
]

_OPTIONS: dict[SourceKind, frozenset[str]] = {
    SourceKind.SIM: frozenset(
        {"seed", "speed", "seconds", "profile", "student", "faults", "improve"}
    ),
    SourceKind.REPLAY: frozenset({"speed", "loop", "profile"}),
    SourceKind.BLE: frozenset({"profile"}),
}


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """A parsed source spec.

    Parameters
    ----------
    kind : SourceKind
        Which source.
    target : str
        Technique (sim), path (replay) or address/name (ble); may be empty for sim.
    options : dict of str to str
        The ``?key=value`` options, validated against the kind.
    """

    kind: SourceKind
    target: str
    options: dict[str, str] = field(default_factory=dict)


def parse_source_spec(spec: str) -> SourceSpec:
    """Parse ``sim:petrissage?seed=3``, ``replay:PATH`` or ``ble:NAME``.

    Parameters
    ----------
    spec : str
        The spec as typed.

    Returns
    -------
    SourceSpec
        The parsed spec.

    Raises
    ------
    SourceError
        If the kind is unknown, a target is missing, or an option is not known.
    """
    head, _, query = spec.partition("?")
    kind_name, _, target = head.partition(":")
    try:
        kind = SourceKind(kind_name.strip().lower())
    except ValueError:
        known = ", ".join(k.value for k in SourceKind)
        raise SourceError(f"unknown source {kind_name!r} in {spec!r} (known: {known})") from None
    if kind is not SourceKind.SIM and not target:
        raise SourceError(f"source {spec!r} needs a target, e.g. {kind.value}:SOMETHING")
    try:
        options = dict(parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query)))
    except ValueError:
        raise SourceError(f"malformed options {query!r} in source {spec!r}") from None
    unknown = sorted(set(options) - _OPTIONS[kind])
    if unknown:
        allowed = ", ".join(sorted(_OPTIONS[kind]))
        raise SourceError(
            f"unknown option {unknown[0]!r} for {kind.value} source (known: {allowed})"
        )
    if kind is SourceKind.SIM:
        _check_student_options(options)
    return SourceSpec(kind, target, options)


_TRUE, _FALSE = frozenset({"1", "true", "yes"}), frozenset({"0", "false", "no", ""})


def _check_student_options(options: dict[str, str]) -> None:
    """One-line errors for a bad ``student``, ``faults`` or ``improve`` option."""
    from sensors.strokes import STUDENT_LEVELS, check_faults

    level = options.get("student")
    if level is not None and level not in STUDENT_LEVELS:
        raise SourceError(f"unknown student level {level!r} (known: {', '.join(STUDENT_LEVELS)})")
    faults = _faults(options)
    check_faults(faults)
    if faults and level == "expert":
        raise SourceError("an expert student has no faults: use novice or intermediate")
    if options.get("improve", "0").lower() not in _TRUE | _FALSE:
        raise SourceError(f"option improve={options['improve']!r} must be 0 or 1")


def _faults(options: dict[str, str]) -> list[str]:
    return [f for f in options.get("faults", "").split(",") if f.strip()]


def _number(spec: SourceSpec, key: str, default: float, *, integer: bool = False) -> float:
    raw = spec.options.get(key)
    if raw is None:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        raise SourceError(f"option {key}={raw!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise SourceError(f"option {key}={raw!r} must be a finite number >= 0")
    return value


def open_source(spec: str | SourceSpec) -> Source:
    """Build (but do not open) the source a spec names.

    Parameters
    ----------
    spec : str or SourceSpec
        See the module docstring for the syntax.

    Returns
    -------
    Source
        An unopened source; call ``open()`` or use it as a context manager.

    Raises
    ------
    SourceError
        For an invalid spec.
    """
    parsed = parse_source_spec(spec) if isinstance(spec, str) else spec
    if parsed.kind is SourceKind.SIM:
        from sensors.sources.sim import SimSource

        seconds = parsed.options.get("seconds")
        return SimSource(
            parsed.target or "effleurage",
            seed=int(_number(parsed, "seed", 0, integer=True)),
            speed=_number(parsed, "speed", 1.0),
            duration_s=None if seconds is None else _number(parsed, "seconds", 0.0),
            profile=parsed.options.get("profile"),
            student=parsed.options.get("student"),
            faults=_faults(parsed.options),
            improve=parsed.options.get("improve", "0").lower() in _TRUE,
        )
    if parsed.kind is SourceKind.REPLAY:
        from sensors.sources.replay import ReplaySource

        return ReplaySource(
            parsed.target,
            speed=_number(parsed, "speed", 1.0),
            loop=parsed.options.get("loop", "0").lower() in {"1", "true", "yes"},
            profile=parsed.options.get("profile"),
        )
    from sensors.sources.ble import BleSource

    return BleSource(parsed.target, profile=parsed.options.get("profile"))
