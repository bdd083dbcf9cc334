"""``massage-trainer reference ...`` and ``massage-trainer score``.

``reference build NAME TAKE... --technique T [--allow-mixed]``, ``reference list [--json]``,
``reference show NAME [--json]``, ``reference export NAME OUT``,
``reference import FILE [--name NEW]``, ``reference delete NAME [--yes]``,
``reference unhide NAME``, ``reference rename OLD NEW``, ``reference techniques [--json]``;
``score CAPTURE --reference NAME_OR_PATH [--json] [--recognise]``.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections import Counter
from typing import TYPE_CHECKING, Any

from trainer.cli.output import note_profile, print_json

if TYPE_CHECKING:
    from trainer.scoring.model import Reference
    from trainer.store.references import ReferenceLibrary

__all__ = ["register", "score_report"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``reference`` (build/list/show/export/import/delete/rename/...) and ``score``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The top-level parser's subcommands.
    """
    ref = subparsers.add_parser(
        "reference",
        help="build, list, show, export, import, rename and delete expert references",
    )
    sub = ref.add_subparsers(dest="reference_command", metavar="ACTION", required=True)
    _add_build(sub)
    _add_list(sub)
    _add_show(sub)
    _add_export(sub)
    _add_import(sub)
    _add_delete(sub)
    _add_unhide(sub)
    _add_rename(sub)
    # The same action as ``ratings calibrate``: a reference fitted to instructors' ratings.
    from trainer.cli.ratings_cmds import add_calibrate_parser

    add_calibrate_parser(sub)
    _add_techniques(sub)
    _add_score(subparsers)


def _add_build(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``reference build``: a reference from takes."""
    build = sub.add_parser(
        "build",
        help="build a reference from several takes of one technique",
        description="Segment the takes into strokes, average them (DBA) into a template "
        "with a tolerance band, and save it in your reference library. Every take must be "
        "of the technique built: a take labelled with another one (its capture metadata, "
        "or the simulated glove's technique) or recognised as another one is refused "
        "unless --allow-mixed. Fewer than 3 takes, or one performer, gets a warning.",
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
    build.add_argument(
        "--allow-mixed",
        action="store_true",
        help="build even from takes that look like another technique",
    )
    build.set_defaults(func=_build)


def _add_list(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``reference list``."""
    ls = sub.add_parser("list", help="list references (bundled and yours)")
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.set_defaults(func=_list)


def _add_show(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``reference show``."""
    show = sub.add_parser("show", help="describe one reference")
    show.add_argument("name", help="reference name or .mtref path")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.set_defaults(func=_show)


def _add_export(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``reference export``: a reference to a .mtref file."""
    export = sub.add_parser("export", help="write a reference to a .mtref file")
    export.add_argument("name")
    export.add_argument("out", help="destination file")
    export.add_argument("--overwrite", action="store_true", help="replace an existing file")
    export.set_defaults(func=_export)


def _add_import(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``reference import``: a .mtref file into the library."""
    imp = sub.add_parser(
        "import",
        help="validate a .mtref file and add it to your library",
        description="Validate a reference file and add it to your library. A file already "
        "there (same name, same content) is left as it is.",
    )
    imp.add_argument("file")
    imp.add_argument(
        "--name", default=None, metavar="NEW", help="import it under this name instead of its own"
    )
    imp.add_argument("--overwrite", action="store_true", help="replace a reference of that name")
    imp.set_defaults(func=_import)


def _add_delete(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``reference delete`` (a bundled starter is hidden)."""
    delete = sub.add_parser(
        "delete",
        help="remove one of your references (a bundled starter is hidden instead)",
        description="Remove a reference from your library after asking (--yes: do not ask). "
        "Bundled starters cannot be deleted: they are hidden (`reference unhide NAME` shows "
        "one again). Sessions practised against it keep their own copy and still replay.",
    )
    delete.add_argument("name")
    delete.add_argument("--yes", action="store_true", help="do not ask (needed without a terminal)")
    delete.set_defaults(func=_delete)


def _add_unhide(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``reference unhide``."""
    unhide = sub.add_parser("unhide", help="show a hidden bundled starter again")
    unhide.add_argument("name")
    unhide.set_defaults(func=_unhide)


def _add_rename(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``reference rename``."""
    rename = sub.add_parser(
        "rename",
        help="rename one of your references",
        description="Rename a reference of your library (bundled starters: export one and "
        "import it with --name). Sessions keep their own copy under the old name.",
    )
    rename.add_argument("old", metavar="OLD")
    rename.add_argument("new", metavar="NEW", help="letters, digits, . _ -")
    rename.set_defaults(func=_rename)


def _add_techniques(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``reference techniques``: the technique registry."""
    tech = sub.add_parser(
        "techniques", help="list the known techniques (the references' and the simulator's)"
    )
    tech.add_argument("--json", action="store_true", help="machine-readable output")
    tech.set_defaults(func=_techniques)


def _add_score(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``score``: every stroke of a capture against a reference."""
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
    from trainer.store.takes import build_from_captures, check_distinct

    library = _library()
    check_name(args.name)
    # The one name rule; a new name is how a new technique comes to exist.
    technique = check_technique_name(args.technique)
    if not args.overwrite and args.name in library.names():
        raise ScoringError(f"a reference named {args.name!r} already exists (use --overwrite)")
    captures = [(read_capture(path, profile=args.profile), None) for path in args.takes]
    if captures:
        note_profile(captures[0][0].profile)
    check_distinct(captures)  # the same take twice would weigh double
    _check_takes(args, [cap for cap, _ in captures], technique, library)
    ref = build_from_captures(
        captures, name=args.name, technique=technique, author=args.author, notes=args.notes
    )
    path = library.add(ref, overwrite=args.overwrite)
    print(
        f"built {ref.name!r} ({ref.technique}) from {ref.n_strokes} strokes in "
        f"{len(captures)} takes: template {ref.length / ref.fs_hz:.2f} s, duration "
        f"{ref.duration_s[0]:.2f}-{ref.duration_s[2]:.2f} s -> {path}"
    )
    if len(captures) < 3:
        _warn(f"built from {len(captures)} take(s): 3 to 5 give a steadier band")
    if len(ref.performers) < 2:
        who = ref.performers[0] if ref.performers else "not recorded"
        _warn(
            f"one performer ({who}): students will learn one person's stroke; takes by "
            "more instructors make a fairer reference"
        )
    return 0


def _warn(text: str) -> None:
    print(f"massage-trainer: warning: {text}", file=sys.stderr)


def _check_takes(
    args: argparse.Namespace, captures: list[Any], technique: str, library: ReferenceLibrary
) -> None:
    """Refuse takes of another technique (one line naming them) unless ``--allow-mixed``."""
    from trainer.exceptions import ScoringError
    from trainer.store.takes import check_takes

    refs = [e.reference for e in library.entries() if e.reference is not None]
    checks = check_takes(captures, technique, refs)
    wrong = [c for c in checks if not c.matches]
    if not wrong:
        return
    named = ", ".join(
        f"{args.takes[c.index]} is {c.technique} ({c.how})"
        if c.how == "capture metadata"
        else f"{args.takes[c.index]} looks like {c.technique} ({c.how})"
        for c in wrong
    )
    if args.allow_mixed:
        _warn(f"building {technique} with --allow-mixed although {named}")
        return
    raise ScoringError(
        f"the takes are not all {technique}: {named} (leave them out, or pass --allow-mixed)"
    )


def _list(args: argparse.Namespace) -> int:
    library = _library()
    if not args.json:
        return _print_list(library)
    rows = [
        {**e.reference.summary(), "origin": e.origin}
        if e.reference is not None
        else {"name": e.name, "origin": e.origin, "error": e.error}
        for e in library.entries()
    ]
    print_json(rows, indent=2, sort_keys=True)
    return 0


def _print_list(library: ReferenceLibrary) -> int:
    """Print the library as a table from each file's metadata alone.

    No array is decoded and no NumPy imported, so the command starts fast. A file whose
    metadata is invalid is listed as such; damaged arrays or a damaged glove profile are
    reported where the reference is used (``reference show``, practice) and by
    ``--json``, which loads every file whole.
    """
    from trainer.exceptions import ReferenceFileError
    from trainer.store.references import load_reference_meta

    rows: list[tuple[str, str, dict[str, Any] | None, str]] = []
    for name, (source, label) in library.sources().items():
        try:
            rows.append((name, library.origin(name), load_reference_meta(source, label), ""))
        except ReferenceFileError as err:
            rows.append((name, library.origin(name), None, str(err)))
    tw = max([12, *(len(meta["technique"]) for _, _, meta, _ in rows if meta is not None)])
    print(f"{'name':28s} {'technique':{tw}s} {'glove':16s} {'strokes':>7s}  {'origin':8s} note")
    for name, origin, meta, error in rows:
        if meta is None:
            print(f"{name:28s} {'?':{tw}s} {'?':16s} {'?':>7s}  {origin:8s} INVALID: {error}")
            continue
        note = "synthetic" if meta["synthetic"] else ""
        print(
            f"{meta['name']:28s} {meta['technique']:{tw}s} {_glove_name(meta):16s} "
            f"{meta['n_strokes']:7d}  {origin:8s} {note}".rstrip()
        )
    hidden = library.hidden()
    if hidden:
        print(
            f"hidden starters: {', '.join(hidden)} "
            "(`massage-trainer reference unhide NAME` shows one again)"
        )
    return 0


def _glove_name(meta: dict[str, Any]) -> str:
    """Return the glove's name as its profile gives it (the profile is checked on loading)."""
    profile = meta["profile"]
    name = profile.get("name") if isinstance(profile, dict) else None
    return name.strip() or "?" if isinstance(name, str) else "?"  # stripped, as loading does


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
    for line in _describe(ref, str(summary["origin"])):
        print(line)
    return 0


def _describe(ref: Reference, origin: str) -> list[str]:
    """Describe a reference for ``reference show``: labelled numbers, region shares table."""
    dmin, dtyp, dmax = ref.duration_s
    peak, peak_sd = ref.peak_force_n
    weights = ", ".join(f"{k} {v:g}" for k, v in ref.weights.items())
    rows = [
        ("name", ref.name),
        ("technique", ref.technique),
        ("author", ref.author or "-"),
        ("performers", ", ".join(ref.performers) or "-"),
        ("created", ref.created or "-"),
        ("synthetic", "yes (not recorded from an expert)" if ref.synthetic else "no"),
        ("glove", ref.profile.name),
        ("sample rate", f"{ref.fs_hz:g} Hz"),
        ("template", f"{ref.length} samples ({ref.length / ref.fs_hz:.2f} s)"),
        ("strokes", f"{ref.n_strokes} (averaged into the template)"),
        ("duration", f"min {dmin:.2f} s / typical {dtyp:.2f} s / max {dmax:.2f} s"),
        ("peak force", f"{peak:.2f} ± {peak_sd:.2f} N (mean ± sd over strokes)"),
        ("mean force", f"{ref.mean_force_n:.2f} N"),
        ("score weights", weights),
        ("origin", origin),
    ]
    width = max(len(k) for k, _ in rows) + 1
    lines = [f"{key + ':':{width}s} {value}" for key, value in rows]
    lines.append("load by hand region (share of the total force):")
    rw = max([len("region"), *(len(r) for r in ref.regions)])
    lines.append(f"  {'region':{rw}s}  {'mean':>6s}  {'sd':>6s}")
    for region, mean, sd in zip(ref.regions, ref.share_mean, ref.share_sd, strict=True):
        lines.append(f"  {region:{rw}s}  {100 * mean:5.1f}%  {100 * sd:5.1f}%")
    lines.append("notes:")
    lines.append(
        textwrap.fill(ref.notes or "-", width=88, initial_indent="  ", subsequent_indent="  ")
    )
    return lines


def _export(args: argparse.Namespace) -> int:
    path = _library().export(args.name, args.out, overwrite=args.overwrite)
    print(f"exported {args.name!r} -> {path}")
    return 0


def _import(args: argparse.Namespace) -> int:
    ref, already = _library().import_reference(args.file, name=args.name, overwrite=args.overwrite)
    if already:
        print(f"{ref.name!r} is already in your library (same content): nothing to do")
    else:
        print(f"imported {ref.name!r} ({ref.technique}) into your library")
    return 0


def _confirmed(question: str) -> bool:
    """Ask on the terminal; without one, refuse in one line (``--yes`` is needed)."""
    from trainer.exceptions import ReferenceFileError

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise ReferenceFileError(f"{question}: not asked without a terminal, add --yes")
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in {"y", "yes"}


def _delete(args: argparse.Namespace) -> int:
    library = _library()
    origin = library.origin(args.name)  # unknown name: one line before asking anything
    verb = "hide the bundled starter" if origin == "bundled" else "delete your reference"
    if not args.yes and not _confirmed(f"{verb} {args.name!r}?"):
        print("nothing changed")
        return 1
    outcome = library.delete(args.name)
    if outcome == "hidden":
        print(
            f"hid the bundled starter {args.name!r} (bundled starters are hidden, not "
            f"deleted; `massage-trainer reference unhide {args.name}` shows it again)"
        )
    else:
        extra = ", and the bundled starter of that name shows again" if "starter" in outcome else ""
        print(f"deleted {args.name!r}{extra}; sessions practised against it keep their own copy")
    return 0


def _unhide(args: argparse.Namespace) -> int:
    _library().unhide(args.name)
    print(f"the bundled starter {args.name!r} shows again")
    return 0


def _rename(args: argparse.Namespace) -> int:
    path = _library().rename(args.old, args.new)
    print(
        f"renamed {args.old!r} to {args.new!r} ({path}); sessions practised against it "
        "keep their copy under the old name"
    )
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
        ``{"reference", "technique", "strokes": [...], "overall", "not_strokes",
        "not_scored": [...]}``: ``not_strokes`` counts the pieces that were no attempt at
        the reference, ``not_scored`` says for each its span, why, and (with
        ``recognise``) which technique it was; scores rounded, so dumping it with sorted
        keys gives byte-identical output for the same input.

    Raises
    ------
    CaptureError, ReferenceFileError, ScoringError
        Unreadable capture, unknown reference, incompatible glove.
    """
    from sensors.capture import read_capture
    from trainer.exceptions import NotAStrokeError
    from trainer.scoring import (
        Recogniser,
        check_compatible,
        find_strokes,
        score_stroke,
        segmentation,
    )
    from trainer.store.takes import capture_rate

    cap = read_capture(capture_path, profile=profile)
    note_profile(cap.profile)
    library = _library()
    ref = library.get(reference)
    check_compatible(cap.profile, ref)
    fs = capture_rate(cap)
    found = find_strokes(
        cap.values, fs, cap.profile, gap_starts=cap.gap_starts, **segmentation(ref)
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
    strokes: list[dict[str, Any]] = []
    not_scored: list[dict[str, Any]] = []
    for s in found:
        try:
            row = score_stroke(
                s.values, fs, ref, start_s=s.start / fs, clipped_channels=s.clipped_channels
            ).to_dict()
            rows = strokes
        except NotAStrokeError as err:  # a touch, a rest, another technique: no score
            start_s, end_s, why = round(s.start / fs, 3), round(s.end / fs, 3), str(err)
            row = {"start_s": start_s, "end_s": end_s, "why": why}
            rows = not_scored
        if recogniser is not None:
            row["recognised"] = recogniser.classify(s.values, fs).technique
        rows.append(row)
    overall = round(sum(s["overall"] for s in strokes) / len(strokes), 1) if strokes else None
    return {
        "reference": ref.name,
        "technique": ref.technique,
        "strokes": strokes,
        "overall": overall,
        "not_strokes": len(not_scored),
        "not_scored": not_scored,
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
        others = Counter(p.get("recognised") for p in report["not_scored"])
        for own in (None, report["technique"]):
            others.pop(own, None)
        for technique, n in sorted(others.items()):
            print(f"  {n} recognised as {technique}: score them against a {technique} reference")
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
