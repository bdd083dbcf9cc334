"""From takes to a reference: rates and trims, the build, and the checks before it.

The one path from captures to a reference (:func:`build_from_captures`, used by the
Instructor view through :class:`~trainer.store.takes.TakeShelf` and by ``massage-trainer
reference build``), the checks made before building (:func:`check_distinct`: a take given
twice; :func:`check_takes`: takes of another technique), and the strokes a build would
take from a recording (:func:`stroke_spans`). Reads captures only. Every name is
re-exported by :mod:`trainer.store.takes`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from sensors.capture import Capture
from sensors.exceptions import SensorError
from trainer.exceptions import ScoringError
from trainer.scoring import Reference, build_reference, find_strokes, resample_take
from trainer.scoring.techniques import check_technique_name

__all__ = [
    "TakeCheck",
    "build_from_captures",
    "capture_rate",
    "check_distinct",
    "check_takes",
    "stroke_spans",
    "take_digest",
    "take_performer",
    "trimmed",
]

_RATE_TOLERANCE = 0.01  # a capture within 1 % of its glove's nominal rate is at that rate


def capture_rate(capture: Capture) -> float:
    """Return a capture's sample rate, snapped to its glove's nominal rate within 1 %.

    Host-stamped captures jitter around the nominal rate; snapping keeps a reference
    built from them at the glove's exact rate.
    """
    nominal = float(capture.profile.sample_rate_hz)
    fs = capture.sample_rate_hz
    return nominal if abs(fs - nominal) <= _RATE_TOLERANCE * nominal else fs


def trimmed(
    capture: Capture, trim: tuple[float, float] | None
) -> tuple[np.ndarray, tuple[int, ...]]:
    """Return a capture's forces and gap positions within ``trim``.

    Parameters
    ----------
    capture : Capture
        The recording.
    trim : (float, float) or None
        Seconds from the capture's first sample, ``[start, end]``; ``None`` keeps all.

    Returns
    -------
    values : numpy.ndarray
        ``(n, channels)`` newtons.
    gap_starts : tuple of int
        Gaps inside the kept part, in its indexing.
    """
    if trim is None or capture.n_samples == 0:
        return capture.values, tuple(int(g) for g in capture.gap_starts)
    rel = capture.t - capture.t[0]
    i0, i1 = np.searchsorted(rel, [trim[0], trim[1]], side="left")
    i1 = max(int(i1), int(i0))
    gaps = tuple(int(g) - int(i0) for g in capture.gap_starts if i0 < g < i1)
    return capture.values[i0:i1], gaps


def build_from_captures(
    captures: Sequence[tuple[Capture, tuple[float, float] | None]],
    *,
    name: str,
    technique: str,
    author: str = "",
    notes: str = "",
) -> Reference:
    """Build a reference from takes (each with an optional trim).

    Takes are brought to the first take's nominal glove rate (run by run, never across a
    gap) and handed to :func:`trainer.scoring.build_reference`.

    Parameters
    ----------
    captures : sequence of (Capture, trim or None)
        The takes, all from the same glove layout.
    name, technique, author, notes : str
        The reference's metadata.

    Returns
    -------
    Reference
        Dated today (UTC); ``synthetic`` when every take came from the simulated glove.

    Raises
    ------
    ScoringError
        A technique name breaking the rule, no takes, gloves that differ, or too few
        complete strokes.
    """
    technique = check_technique_name(technique)  # normalised: "Skin Rolling" -> "skin rolling"
    if not captures:
        raise ScoringError("no takes to build from")
    profile = captures[0][0].profile
    fs = float(profile.sample_rate_hz)
    takes = []
    for cap, trim in captures:
        if cap.profile.channel_names != profile.channel_names:
            where = cap.path if cap.path is not None else "a take"
            raise ScoringError(
                f"{where}: glove {cap.profile.name!r} differs from the first take's "
                f"({profile.name!r})"
            )
        values, gaps = trimmed(cap, trim)
        takes.append(resample_take(values, capture_rate(cap), fs, gaps))
    return build_reference(
        takes,
        name=name,
        technique=technique,
        profile=profile,
        fs_hz=fs,
        author=author,
        notes=notes,
        created=datetime.now(UTC).date().isoformat(),
        synthetic=all(bool(cap.metadata.get("synthetic", False)) for cap, _ in captures),
        performers=_performers(captures, author),
    )


def take_digest(capture: Capture, trim: tuple[float, float] | None = None) -> str:
    """SHA-256 of a take's samples (times and forces as float64) and its trim.

    The same recording read twice, copied, or renamed gives the same digest, whatever
    its file name or metadata.
    """
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(capture.t, dtype="<f8").tobytes())
    h.update(np.ascontiguousarray(capture.values, dtype="<f8").tobytes())
    h.update(repr(None if trim is None else tuple(float(x) for x in trim)).encode())
    return h.hexdigest()


def check_distinct(captures: Sequence[tuple[Capture, tuple[float, float] | None]]) -> None:
    """Refuse a take given more than once (the same samples): it would weigh double.

    Used where takes are named by the user (``reference build FILE...``); the take shelf
    is not checked, since two simulated takes with the same seed are rightly identical.

    Raises
    ------
    ScoringError
        One line naming each repeated take and the one it repeats.
    """
    first: dict[str, str] = {}
    repeats = []
    for i, (cap, trim) in enumerate(captures):
        label = str(cap.path) if cap.path is not None else f"take {i + 1}"
        digest = take_digest(cap, trim)
        if digest in first:
            repeats.append(f"{label} repeats {first[digest]}")
        else:
            first[digest] = label
    if repeats:
        raise ScoringError(
            f"the same take is given more than once ({'; '.join(repeats)}, same samples): "
            "leave the copies out"
        )


@dataclass(frozen=True, slots=True)
class TakeCheck:
    """What one take is, as far as can be told, for :func:`check_takes`.

    Parameters
    ----------
    index : int
        Its position among the takes.
    technique : str or None
        The technique it is (``None``: cannot tell).
    how : str
        ``"capture metadata"`` (the take's or the simulated glove's own label),
        ``"recognised"`` (most of its strokes recognised as it) or ``""``.
    matches : bool
        Whether it agrees with the reference being built (and with the other takes).
    """

    index: int
    technique: str | None
    how: str
    matches: bool


def _labelled_technique(capture: Capture) -> str | None:
    """Return the technique a capture says it holds: its take label, else the simulator's."""
    info = capture.metadata.get("take")
    label = info.get("technique") if isinstance(info, dict) else None
    if not isinstance(label, str) and capture.source.startswith("sim"):
        from sensors.sources import SourceKind, parse_source_spec

        try:
            spec = parse_source_spec(capture.source)
        except SensorError:
            return None
        label = spec.target if spec.kind is SourceKind.SIM else None
    if not isinstance(label, str) or not label:
        return None
    try:
        return check_technique_name(label)
    except ScoringError:
        return None


def _recognised_technique(capture: Capture, references: Sequence[Reference]) -> str | None:
    """Return the technique most (over half) of a capture's strokes are recognised as."""
    from collections import Counter

    from trainer.scoring import Recogniser

    refs = [r for r in references if r.profile.channel_names == capture.profile.channel_names]
    if not refs:
        return None
    fs = capture_rate(capture)
    strokes = find_strokes(capture.values, fs, capture.profile, gap_starts=capture.gap_starts)
    if not strokes:
        return None
    recogniser = Recogniser(refs)
    votes = Counter(recogniser.classify(s.values, fs).technique for s in strokes)
    technique, count = votes.most_common(1)[0]
    return technique if technique is not None and 2 * count > len(strokes) else None


def check_takes(
    captures: Sequence[Capture], technique: str, references: Sequence[Reference] = ()
) -> list[TakeCheck]:
    """Tell which takes are not of ``technique`` (a reference must not mix techniques).

    A take's own label decides (its take metadata, or the simulated glove's technique
    in its source spec). A take without one is recognised against ``references`` (the
    library's, same glove): if ``technique`` is one they know, the take must be
    recognised as it; otherwise (a new technique) it must agree with the rest: be
    recognised as what at least one other recognised take is.

    Parameters
    ----------
    captures : sequence of Capture
        The takes.
    technique : str
        The technique being built (normalised by the name rule).
    references : sequence of Reference
        References to recognise unlabelled takes with (default: none, so only labels
        count).

    Returns
    -------
    list of TakeCheck
        One per take, in order.
    """
    technique = check_technique_name(technique)
    known = {r.technique for r in references}
    found: list[tuple[str | None, str]] = []
    for cap in captures:
        label = _labelled_technique(cap)
        if label is not None:
            found.append((label, "capture metadata"))
            continue
        recognised = _recognised_technique(cap, references)
        found.append((recognised, "recognised" if recognised is not None else ""))
    checks = []
    for i, (label, how) in enumerate(found):
        if label is None:
            matches = True  # nothing to go on: not refused on a guess
        elif how == "capture metadata" or technique in known:
            matches = label == technique
        else:
            others = [t for j, (t, h) in enumerate(found) if j != i and h == "recognised"]
            matches = not others or label in others
        checks.append(TakeCheck(i, label, how, matches))
    return checks


def _performers(
    captures: Sequence[tuple[Capture, tuple[float, float] | None]], author: str
) -> tuple[str, ...]:
    """Who performed the takes: each take's recorded performer, else the reference's author."""
    names = set()
    for cap, _ in captures:
        who = take_performer(cap.metadata)
        if who:
            names.add(who[:200])
        elif author.strip():
            names.add(author.strip()[:200])
    return tuple(sorted(names))


def take_performer(metadata: Mapping[str, Any]) -> str:
    """Return who performed a take, from its capture's metadata ("" when it does not say).

    The take's own author (``take.author``, given when it was recorded or added to the
    shelf), else the person ``record --user`` stored (``user``): a take recorded on the
    command line and added without an author still names who performed it.

    Parameters
    ----------
    metadata : mapping
        The capture's metadata (:attr:`sensors.capture.Capture.metadata`).

    Returns
    -------
    str
        The name, stripped; "" when neither is a non-empty string.
    """
    info = metadata.get("take")
    for who in (info.get("author") if isinstance(info, dict) else None, metadata.get("user")):
        if isinstance(who, str) and who.strip():
            return who.strip()
    return ""


def stroke_spans(capture: Capture, min_active_s: float = 0.2) -> list[tuple[float, float]]:
    """Complete strokes of a take, as ``(start, end)`` seconds from its first sample.

    Used to show the instructor what a build would take from each recording.
    """
    if capture.n_samples == 0:
        return []
    fs = capture_rate(capture)
    found = find_strokes(
        capture.values,
        fs,
        capture.profile,
        gap_starts=capture.gap_starts,
        min_active_s=min_active_s,
    )
    t = capture.t - capture.t[0]
    return [(float(t[s.start]), float(t[s.end - 1])) for s in found]
