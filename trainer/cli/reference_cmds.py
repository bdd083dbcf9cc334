"""``massage-trainer reference ...`` and ``massage-trainer score``."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any

import numpy as np

__all__ = ["register", "score_report"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``reference`` (build/list/show/export/import) and ``score``."""
    ref = subparsers.add_parser("reference", help="build, list, show, export and import references")
    sub = ref.add_subparsers(dest="reference_command", metavar="ACTION", required=True)

    build = sub.add_parser("build", help="build a reference from several takes")
    build.add_argument("name")
    build.add_argument("takes", nargs="+", metavar="TAKE", help="captures (.mtcap) or CSV files")
    build.add_argument("--technique", required=True)
    build.add_argument("--author", default="")
    build.add_argument("--notes", default="")
    build.add_argument("--profile", default=None, help="glove profile for CSV takes")
    build.add_argument("--overwrite", action="store_true")
    build.set_defaults(func=_build)

    ls = sub.add_parser("list", help="list references")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_list)

    show = sub.add_parser("show", help="describe one reference")
    show.add_argument("name")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=_show)

    export = sub.add_parser("export", help="write a reference to a file")
    export.add_argument("name")
    export.add_argument("out")
    export.set_defaults(func=_export)

    imp = sub.add_parser("import", help="validate a reference file and add it to your library")
    imp.add_argument("file")
    imp.add_argument("--overwrite", action="store_true")
    imp.set_defaults(func=_import)

    score = subparsers.add_parser(
        "score", help="score every stroke of a capture against a reference"
    )
    score.add_argument("capture", help="capture (.mtcap) or CSV (time_s,<sensors> in newtons)")
    score.add_argument("--reference", required=True, metavar="NAME_OR_PATH")
    score.add_argument("--profile", default=None, help="glove profile for a CSV capture")
    score.add_argument("--json", action="store_true")
    score.set_defaults(func=_score)


def _library() -> Any:
    from trainer.store.references import ReferenceLibrary

    return ReferenceLibrary()


def _build(args: argparse.Namespace) -> int:
    from sensors.capture import read_capture
    from trainer.exceptions import ScoringError
    from trainer.scoring import build_reference

    captures = [read_capture(path, profile=args.profile) for path in args.takes]
    profile = captures[0].profile
    for path, cap in zip(args.takes, captures, strict=True):
        if cap.profile.channel_names != profile.channel_names:
            raise ScoringError(f"{path}: glove {cap.profile.name!r} differs from the first take's")
    fs = float(profile.sample_rate_hz)
    takes = []
    for cap in captures:
        values = cap.values
        if abs(cap.sample_rate_hz - fs) > 0.01 * fs:
            from trainer.signal import resample

            values = resample(values, cap.sample_rate_hz, fs)
            takes.append((values, ()))
        else:
            takes.append((values, cap.gap_starts))
    ref = build_reference(
        takes,
        name=args.name,
        technique=args.technique,
        profile=profile,
        fs_hz=fs,
        author=args.author,
        notes=args.notes,
        created=datetime.now(UTC).date().isoformat(),
    )
    path = _library().add(ref, overwrite=args.overwrite)
    print(f"built {ref.name!r} ({ref.technique}) from {ref.n_strokes} strokes -> {path}")
    return 0


def _list(args: argparse.Namespace) -> int:
    entries = _library().entries()
    if args.json:
        print(
            json.dumps([{**r.summary(), "origin": o} for r, o in entries], indent=2, sort_keys=True)
        )
        return 0
    print(f"{'name':28s} {'technique':12s} {'glove':16s} {'strokes':>7s}  origin")
    for ref, origin in entries:
        print(
            f"{ref.name:28s} {ref.technique:12s} {ref.profile.name:16s} "
            f"{ref.n_strokes:7d}  {origin}"
        )
    return 0


def _show(args: argparse.Namespace) -> int:
    ref = _library().get(args.name)
    summary = ref.summary()
    if args.json:
        print(json.dumps(summary, indent=2, sort_keys=True))
        return 0
    for key, value in summary.items():
        print(f"{key + ':':18s} {value}")
    return 0


def _export(args: argparse.Namespace) -> int:
    path = _library().export(args.name, args.out)
    print(f"exported {args.name!r} -> {path}")
    return 0


def _import(args: argparse.Namespace) -> int:
    ref = _library().import_file(args.file, overwrite=args.overwrite)
    print(f"imported {ref.name!r} ({ref.technique})")
    return 0


def score_report(capture_path: str, reference: str, profile: str | None = None) -> dict[str, Any]:
    """Score a capture file against a reference and return the JSON report.

    Scores are rounded, keys sorted by the caller's JSON dump: the same input gives
    byte-identical output.
    """
    from sensors.capture import read_capture
    from trainer.scoring import score_strokes

    cap = read_capture(capture_path, profile=profile)
    ref = _library().get(reference)
    strokes = score_strokes(
        cap.values, cap.sample_rate_hz, ref, profile=cap.profile, gap_starts=cap.gap_starts
    )
    overall = round(float(np.mean([s.overall for s in strokes])), 1) if strokes else None
    return {"reference": ref.name, "strokes": [s.to_dict() for s in strokes], "overall": overall}


def _score(args: argparse.Namespace) -> int:
    report = score_report(args.capture, args.reference, args.profile)
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
        return 0
    print(f"reference: {report['reference']}    strokes: {len(report['strokes'])}")
    print(
        f"{'#':>3s} {'start':>7s} {'end':>7s} {'overall':>7s} {'shape':>6s} {'press':>6s} "
        f"{'tempo':>6s} {'smooth':>6s}  deductions"
    )
    for i, s in enumerate(report["strokes"], 1):
        pressure = "clip" if s["pressure"] is None else f"{s['pressure']:.0f}"
        worst = "; ".join(f"{d['message']} (-{d['points']:g})" for d in s["deductions"][:2])
        print(
            f"{i:3d} {s['start_s']:7.2f} {s['end_s']:7.2f} {s['overall']:7.1f} {s['shape']:6.0f} "
            f"{pressure:>6s} {s['tempo']:6.0f} {s['smoothness']:6.0f}  {worst}"
        )
    if report["overall"] is not None:
        print(f"overall: {report['overall']:.1f}")
    else:
        print("no complete strokes found")
    return 0
