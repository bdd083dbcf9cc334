"""``massage-trainer reference ...`` and ``massage-trainer score``.

``reference build NAME TAKE... --technique T``, ``reference list [--json]``,
``reference show NAME [--json]``, ``reference export NAME OUT``, ``reference import FILE``,
``reference techniques [--json]``;
``score CAPTURE --reference NAME_OR_PATH [--json] [--recognise]``.
"""

from __future__ import annotations

import argparse
import textwrap
from typing import TYPE_CHECKING, Any

from trainer.cli.output import print_json

if TYPE_CHECKING:
    from trainer.store.references import ReferenceLibrary

__all__ = ["register", "score_report"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``reference`` (build/list/show/export/import/techniques) and ``score``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The top-level parser's subcommands.
    """
    ref = subparsers.add_parser(
        "reference", help="build, list, show, export and import expert references"
    )
    sub = ref.add_subparsers(dest="reference_command", metavar="ACTION", required=True)

    build = sub.add_parser(
        "build",
        help="build a reference from several takes of one technique",
        description="Segment the takes into strokes, average them (DBA) into a template "
        "with a tolerance band, and save it in your reference library.",
    )
    build.add_argument("name", help="name of the new reference (letters, digits, . _ -)")
    build.add_argument(
        "takes", nargs="+", metavar="TAKE", help="captures (.mtcap) or CSV (time_s,<sensors>)"
    )
    build.add_argument(
        "--technique",
        required=True,
        help="e.g. effleurage, or a new one such as 'skin rolling' (1-40 lowercase letters, "
        "digits, spaces or hyphens)",
    )
    build.add_argument("--author", default="", help="who performed the takes")
    build.add_argument("--notes", default="", help="free text stored with the reference")
    build.add_argument("--profile", default=None, help="glove profile of CSV takes")
    build.add_argument("--overwrite", action="store_true", help="replace a reference of that name")
    build.set_defaults(func=_build)

    ls = sub.add_parser("list", help="list references (bundled and yours)")
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.set_defaults(func=_list)

    show = sub.add_parser("show", help="describe one reference")
    show.add_argument("name", help="reference name or .mtref path")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.set_defaults(func=_show)

    export = sub.add_parser("export", help="write a reference to a .mtref file")
    export.add_argument("name")
    export.add_argument("out", help="destination file")
    export.add_argument("--overwrite", action="store_true", help="replace an existing file")
    export.set_defaults(func=_export)

    imp = sub.add_parser("import", help="validate a .mtref file and add it to your library")
    imp.add_argument("file")
    imp.add_argument("--overwrite", action="store_true", help="replace a reference of that name")
    imp.set_defaults(func=_import)

    tech = sub.add_parser(
        "techniques", help="list the known techniques (the references' and the simulator's)"
    )
    tech.add_argument("--json", action="store_true", help="machine-readable output")
    tech.set_defaults(func=_techniques)

    score = subparsers.add_parser(
        "score", help="score every stroke of a capture against a reference"
    )
    score.add_argument("capture", help="capture (.mtcap) or CSV (time_s,<sensors> in newtons)")
    score.add_argument("--reference", required=True, metavar="NAME_OR_PATH")
    score.add_argument("--profile", default=None, help="glove profile of a CSV capture")
    score.add_argument("--json", action="store_true", help="machine-readable output")
    score.add_argument(
        "--recognise",
        action="store_true",
        help="also say which technique each stroke is, using every reference of the glove",
    )
    score.set_defaults(func=_score)


def _library() -> ReferenceLibrary:
    from trainer.store.references import ReferenceLibrary

    return ReferenceLibrary()


def _build(args: argparse.Namespace) -> int:
    from sensors.capture import read_capture
    from trainer.exceptions import ScoringError
    from trainer.scoring.techniques import check_technique_name
    from trainer.store.references import check_name
    from trainer.store.takes import build_from_captures

    library = _library()
    check_name(args.name)
    # The one name rule; a new name is how a new technique comes to exist.
    technique = check_technique_name(args.technique)
    if not args.overwrite and args.name in library.names():
        raise ScoringError(f"a reference named {args.name!r} already exists (use --overwrite)")
    captures = [(read_capture(path, profile=args.profile), None) for path in args.takes]
    ref = build_from_captures(
        captures, name=args.name, technique=technique, author=args.author, notes=args.notes
    )
    path = library.add(ref, overwrite=args.overwrite)
    print(
        f"built {ref.name!r} ({ref.technique}) from {ref.n_strokes} strokes in "
        f"{len(captures)} takes: template {ref.length / ref.fs_hz:.2f} s, duration "
        f"{ref.duration_s[0]:.2f}-{ref.duration_s[2]:.2f} s -> {path}"
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    entries = _library().entries()
    if args.json:
        rows = [
            {**e.reference.summary(), "origin": e.origin}
            if e.reference is not None
            else {"name": e.name, "origin": e.origin, "error": e.error}
            for e in entries
        ]
        print_json(rows, indent=2, sort_keys=True)
        return 0
    tw = max([12, *(len(e.reference.technique) for e in entries if e.reference is not None)])
    print(f"{'name':28s} {'technique':{tw}s} {'glove':16s} {'strokes':>7s}  {'origin':8s} note")
    for e in entries:
        ref = e.reference
        if ref is None:
            print(f"{e.name:28s} {'?':{tw}s} {'?':16s} {'?':>7s}  {e.origin:8s} INVALID: {e.error}")
            continue
        note = "synthetic" if ref.synthetic else ""
        print(
            f"{ref.name:28s} {ref.technique:{tw}s} {ref.profile.name:16s} "
            f"{ref.n_strokes:7d}  {e.origin:8s} {note}".rstrip()
        )
    return 0


def _techniques(args: argparse.Namespace) -> int:
    from trainer.store.techniques import available_techniques

    techniques = available_techniques(_library())
    if args.json:
        print_json([t.to_dict() for t in techniques], indent=2, sort_keys=True)
        return 0
    width = max([len("technique"), *(len(t.name) for t in techniques)])
    print(f"{'technique':{width}s} {'simulated':9s} references")
    for t in techniques:
        sim = "yes" if t.simulated else "no"
        print(f"{t.name:{width}s} {sim:9s} {', '.join(t.references) or '-'}")
    return 0


def _show(args: argparse.Namespace) -> int:
    from trainer.exceptions import ReferenceFileError

    library = _library()
    ref = library.get(args.name)
    summary = ref.summary()
    try:
        summary["origin"] = library.origin(ref.name)
    except ReferenceFileError:  # a file given by path, not in the library
        summary["origin"] = "file"
    if args.json:
        print_json(summary, indent=2, sort_keys=True)
        return 0
    notes = summary.pop("notes")
    for key, value in summary.items():
        print(f"{key + ':':18s} {value}")
    print("notes:")
    print(textwrap.fill(notes or "-", width=88, initial_indent="  ", subsequent_indent="  "))
    return 0


def _export(args: argparse.Namespace) -> int:
    path = _library().export(args.name, args.out, overwrite=args.overwrite)
    print(f"exported {args.name!r} -> {path}")
    return 0


def _import(args: argparse.Namespace) -> int:
    ref = _library().import_file(args.file, overwrite=args.overwrite)
    print(f"imported {ref.name!r} ({ref.technique}) into your library")
    return 0


def score_report(
    capture_path: str,
    reference: str,
    profile: str | None = None,
    *,
    recognise: bool = False,
) -> dict[str, Any]:
    """Score a capture file against a reference and return the JSON report.

    Parameters
    ----------
    capture_path : str
        Native capture or CSV.
    reference : str
        Library name or ``.mtref`` path.
    profile : str or None
        Glove profile of a CSV capture.
    recognise : bool
        Add ``"recognised"`` (technique or ``None``) to each stroke, using every valid
        library reference of the capture's glove.

    Returns
    -------
    dict
        ``{"reference", "technique", "strokes": [...], "overall", "not_strokes"}`` (the
        count of pieces that were no attempt at the reference); scores rounded, so
        dumping it with sorted keys gives byte-identical output for the same input.

    Raises
    ------
    CaptureError, ReferenceFileError, ScoringError
        Unreadable capture, unknown reference, incompatible glove.
    """
    from sensors.capture import read_capture
    from trainer.exceptions import NotAStrokeError
    from trainer.scoring import Recogniser, check_compatible, find_strokes, score_stroke
    from trainer.store.takes import capture_rate

    cap = read_capture(capture_path, profile=profile)
    library = _library()
    ref = library.get(reference)
    check_compatible(cap.profile, ref)
    fs = capture_rate(cap)
    found = find_strokes(
        cap.values,
        fs,
        cap.profile,
        gap_starts=cap.gap_starts,
        min_active_s=0.4 * ref.duration_s[0],
    )
    recogniser = None
    if recognise:
        refs = [
            e.reference
            for e in library.entries()
            if e.reference is not None
            and e.reference.profile.channel_names == cap.profile.channel_names
        ]
        recogniser = Recogniser(refs or [ref])
    strokes = []
    not_strokes = 0
    for s in found:
        try:
            scored = score_stroke(
                s.values, fs, ref, start_s=s.start / fs, clipped_channels=s.clipped_channels
            )
        except NotAStrokeError:
            not_strokes += 1  # a touch, a rest, another technique: no score
            continue
        row = scored.to_dict()
        if recogniser is not None:
            row["recognised"] = recogniser.classify(s.values, fs).technique
        strokes.append(row)
    overall = round(sum(s["overall"] for s in strokes) / len(strokes), 1) if strokes else None
    return {
        "reference": ref.name,
        "technique": ref.technique,
        "strokes": strokes,
        "overall": overall,
        "not_strokes": not_strokes,
    }


#: Column headings of the score table that would not fit in six characters.
_SHORT = {"pressure": "press", "smoothness": "smooth"}


def _cell(value: float | None, name: str) -> str:
    """One component's score in the table (pressure of a clipped stroke: "clip")."""
    if value is None:
        return "clip" if name == "pressure" else "-"
    return f"{value:.0f}"


def _score(args: argparse.Namespace) -> int:
    report = score_report(args.capture, args.reference, args.profile, recognise=args.recognise)
    if args.json:
        print_json(report, indent=2, sort_keys=True)
        return 0
    strokes = report["strokes"]
    print(f"reference: {report['reference']} ({report['technique']})    strokes: {len(strokes)}")
    if report["not_strokes"]:
        print(
            f"{report['not_strokes']} piece(s) were no {report['technique']} stroke "
            "(a touch, a rest or another technique): not scored"
        )
    if not strokes:
        print("no complete strokes found")
        return 0
    from trainer.scoring.components import component_names

    names = component_names()  # every registered component, built-ins first
    head = f"{'#':>3s} {'start':>7s} {'end':>7s} {'overall':>7s} " + " ".join(
        f"{_SHORT.get(n, n[:6]):>6s}" for n in names
    )
    print(head + ("  recognised" if args.recognise else "") + "  main deductions")
    for i, s in enumerate(strokes, 1):
        worst = "; ".join(f"{d['message']} (-{d['points']:g})" for d in s["deductions"][:2])
        cells = " ".join(f"{_cell(s.get(n), n):>6s}" for n in names)
        line = f"{i:3d} {s['start_s']:7.2f} {s['end_s']:7.2f} {s['overall']:7.1f} {cells}"
        if args.recognise:
            line += f"  {s['recognised'] or 'none':10s}"
        print(f"{line}  {worst}")
    print(f"overall: {report['overall']:.1f}")
    return 0
