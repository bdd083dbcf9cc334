"""``history``, ``replay`` and ``pack``: practice sessions kept in the store.

``history [--json] [--technique T] [--since DATE] [--attempts]`` lists sessions with
their scores; ``history --delete ID`` hides one (soft delete) and ``history --restore
ID`` brings it back; ``history --deleted`` lists what is hidden. ``replay TARGET``
opens an attempt or a session in the replay view (``--json`` prints the replay data,
``--headless --screenshot PNG`` renders it without a screen). ``pack export`` /
``pack import`` share references and sessions as one validated zip.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer.cli.arguments import positive_number
from trainer.cli.output import print_json
from trainer.exceptions import StoreError

if TYPE_CHECKING:
    from trainer.store.database import SessionRecord, Store

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``history``, ``replay`` and ``pack``."""
    p = subparsers.add_parser(
        "history",
        help="list practice sessions and their scores; delete or restore one",
        description="List recorded practice sessions (oldest first) with their scores.",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--technique", metavar="T", help="only this technique")
    p.add_argument("--since", metavar="DATE", help="only sessions from DATE (YYYY-MM-DD) on")
    p.add_argument("--user", metavar="NAME", help="only this user's sessions")
    p.add_argument("--attempts", action="store_true", help="list each session's attempts")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--deleted", action="store_true", help="list deleted sessions instead")
    group.add_argument("--delete", type=int, metavar="ID", help="delete session ID (undoable)")
    group.add_argument("--restore", type=int, metavar="ID", help="undo deleting session ID")
    p.set_defaults(func=_cmd_history)

    p = subparsers.add_parser(
        "replay",
        help="replay an attempt or a session over its reference",
        description=(
            "Replay a session (ID or S<ID>) or one attempt (A<ID>) over the reference it "
            "was scored against, along the warping path."
        ),
    )
    p.add_argument("target", metavar="ATTEMPT_OR_SESSION", help="12 or S12 (session), A7")
    p.add_argument("--speed", type=positive_number, default=1.0, help="playback speed (default 1)")
    p.add_argument("--json", action="store_true", help="print the replay data, no window")
    p.add_argument("--arrays", action="store_true", help="with --json: include the samples")
    p.add_argument("--headless", action="store_true", help="no screen: render offscreen")
    p.add_argument("--screenshot", type=Path, metavar="PNG", help="save a PNG of the view")
    p.set_defaults(func=_cmd_replay)

    p = subparsers.add_parser(
        "pack",
        help="share references and sessions as one file",
        description="Export or import a pack: a zip of JSON and arrays, validated on import.",
    )
    actions = p.add_subparsers(dest="pack_action", metavar="ACTION", required=True)
    q = actions.add_parser("export", help="write a pack", description="Write a pack.")
    q.add_argument("out", type=Path, metavar="OUT", help="pack file to write (.mtpack)")
    q.add_argument("--reference", action="append", default=[], metavar="NAME", help="add one")
    q.add_argument("--session", action="append", default=[], type=int, metavar="ID")
    q.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    q.set_defaults(func=_cmd_pack_export)
    q = actions.add_parser("import", help="read a pack", description="Import a pack.")
    q.add_argument("pack", type=Path, metavar="PACK")
    q.add_argument("--overwrite", action="store_true", help="replace references of the same name")
    q.set_defaults(func=_cmd_pack_import)


def open_store(*, readonly: bool = False) -> Store:
    """Open the data home's session store (one-line :class:`StoreError` if unusable)."""
    from trainer.store.database import Store

    return Store(readonly=readonly)


def _history_technique(name: str, store: Store) -> str:
    """Check a ``--technique`` filter: a registry technique, or one that has sessions."""
    from trainer.exceptions import ScoringError
    from trainer.scoring.techniques import check_technique_name
    from trainer.store.techniques import require_technique

    try:
        return require_technique(name).name
    except ScoringError:
        normal = check_technique_name(name)  # a name breaking the rule: that error
        if store.sessions(technique=normal) or store.sessions(technique=normal, deleted=True):
            return normal  # recorded against a reference no longer in the library
        raise


def _cmd_history(args: argparse.Namespace) -> int:
    from trainer.store.database import parse_since

    if args.delete is not None or args.restore is not None:
        with open_store() as store:
            if args.delete is not None:
                store.delete_session(args.delete)
                print(
                    f"deleted session {args.delete} "
                    f"(undo: massage-trainer history --restore {args.delete})"
                )
            else:
                store.restore_session(args.restore)
                print(f"restored session {args.restore}")
        return 0
    since = parse_since(args.since) if args.since else None
    with open_store(readonly=True) as store:
        technique = _history_technique(args.technique, store) if args.technique else None
        sessions = store.sessions(
            technique=technique, since=since, user=args.user, deleted=args.deleted
        )
        attempts = (
            {s.id: store.attempts(s.id) for s in sessions} if (args.json or args.attempts) else {}
        )
    if args.json:
        out = {
            "sessions": [
                {**s.to_dict(), "attempts": [a.to_dict() for a in attempts[s.id]]} for s in sessions
            ]
        }
        print_json(out, indent=2, sort_keys=True)
        print()
        return 0
    if not sessions:
        what = "deleted sessions" if args.deleted else "sessions"
        print(f"no {what} yet" + ("" if args.deleted else ": practise with `massage-trainer demo`"))
        return 0
    print(f"{'ID':>4}  {'started':16}  {'technique':11} {'reference':22} {'strokes':>7} "
          f"{'mean':>5} {'best':>5}  state")  # fmt: skip
    for s in sessions:
        print(_session_line(s))
        for a in attempts.get(s.id, []):
            sc = a.score
            worst = sc.deductions[0].message if sc.deductions else ""
            print(f"      A{a.id:<5} {sc.start_s:7.2f} s  overall {sc.overall:5.1f}  {worst}")
    return 0


def _session_line(s: SessionRecord) -> str:
    def num(x: float | None) -> str:
        return "    –" if x is None else f"{x:5.1f}"

    started = s.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
    state = "" if s.state == "finished" else s.state
    return (
        f"{s.id:>4}  {started:16}  {s.technique:11} {s.reference_name[:22]:22} "
        f"{s.attempts:>7} {num(s.mean_overall)} {num(s.best_overall)}  {state}"
    ).rstrip()


def _cmd_replay(args: argparse.Namespace) -> int:
    from trainer.store.replay import load_replay

    with open_store(readonly=True) as store:
        data = load_replay(store, args.target)
    if args.json:
        print_json(data.to_dict(arrays=args.arrays), sort_keys=True)
        print()
        return 0
    from trainer.cli.app_cmds import ensure_screen

    ensure_screen(args.headless, "add --headless --screenshot PNG, or use --json")
    from trainer.app import run_replay

    result = run_replay(data, speed=args.speed, screenshot=args.screenshot, headless=args.headless)
    if args.screenshot is not None:
        print(f"saved {result}", file=sys.stderr)
    return 0


def _cmd_pack_export(args: argparse.Namespace) -> int:
    from trainer.store.packs import export_pack

    if not args.reference and not args.session:
        raise StoreError("nothing to export: give --reference NAME and/or --session ID")
    with open_store(readonly=True) as store:
        summary = export_pack(
            args.out,
            store=store,
            references=args.reference,
            sessions=args.session,
            overwrite=args.overwrite,
        )
    print(_pack_summary("exported", summary, args.out))
    return 0


def _cmd_pack_import(args: argparse.Namespace) -> int:
    from trainer.store.packs import import_pack

    with open_store() as store:
        summary = import_pack(args.pack, store=store, overwrite=args.overwrite)
    print(_pack_summary("imported", summary, args.pack))
    return 0


def _pack_summary(verb: str, summary: dict[str, Any], path: Path) -> str:
    refs, sessions = summary["references"], summary["sessions"]
    skipped = summary.get("skipped", 0)
    return (
        f"{verb} {len(refs)} reference(s) and {len(sessions)} session(s) "
        f"{'to' if verb == 'exported' else 'from'} {path}"
        + (f" ({skipped} already here)" if skipped else "")
        + (f": {', '.join(refs)}" if refs else "")
    )
