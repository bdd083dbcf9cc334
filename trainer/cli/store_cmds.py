"""``history``, ``replay`` and ``pack``: practice sessions kept in the store.

``history [--json] [--technique T] [--since DATE] [--user NAME] [--attempts]`` lists
sessions with their scores and who practised (or says that none match, and which
techniques and people have some; ``--user`` matches names regardless of case, and a
name nobody has is refused);
``history --delete ID`` hides one (soft delete) and ``history --restore ID`` brings it
back; ``history --deleted`` lists what is hidden. ``replay TARGET`` opens an attempt or a
session in the replay view (``--json`` prints the replay data, ``--headless --screenshot
FILE`` renders it without a screen, ``--headless`` alone plays it through once as
text; ``--user NAME`` checks the session is theirs, or without a target replays their
latest). ``pack export`` / ``pack import`` share references and
sessions as one validated zip (``pack export --user NAME``: every session of theirs;
``pack import --same-name merge|apart``: what becomes of a person whose name is taken
here by another).
Session ids are ``12`` or ``S12``, attempt ids ``A7`` (:mod:`trainer.cli.arguments`).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer.cli.arguments import positive_number, session_id
from trainer.cli.output import print_json
from trainer.exceptions import StoreError

if TYPE_CHECKING:
    from trainer.store.database import SessionRecord, Store
    from trainer.store.replay import ReplayData

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``history``, ``replay`` and ``pack``."""
    _add_history(subparsers)
    _add_replay(subparsers)
    _add_pack(subparsers)


def _add_history(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``history``: list, delete or restore sessions."""
    p = subparsers.add_parser(
        "history",
        help="list practice sessions and their scores; delete or restore one",
        description="List recorded practice sessions (oldest first) with their scores.",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--technique", metavar="T", help="only this technique")
    p.add_argument("--since", metavar="DATE", help="only sessions from DATE (YYYY-MM-DD) on")
    p.add_argument("--user", metavar="NAME", help="only this person's sessions (any case)")
    p.add_argument("--attempts", action="store_true", help="list each session's attempts")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--deleted", action="store_true", help="list deleted sessions instead")
    group.add_argument(
        "--delete", type=session_id, metavar="ID", help="delete session ID (12 or S12; undoable)"
    )
    group.add_argument(
        "--restore", type=session_id, metavar="ID", help="undo deleting session ID (12 or S12)"
    )
    p.set_defaults(func=_cmd_history)


def _add_replay(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``replay``: an attempt or a session over its reference."""
    p = subparsers.add_parser(
        "replay",
        help="replay an attempt or a session over its reference",
        description=(
            "Replay a session (ID or S<ID>) or one attempt (A<ID>) over the reference it "
            "was scored against, along the warping path. Without a screen: --json prints "
            "the data, --headless --screenshot FILE renders the view, --headless alone plays "
            "it through once at --speed printing a line per stroke."
        ),
    )
    p.add_argument(
        "target",
        metavar="ATTEMPT_OR_SESSION",
        nargs="?",
        help="12 or S12 (session), A7; with --user and no target: their latest session",
    )
    p.add_argument(
        "--user",
        metavar="NAME",
        help="whose: the target must be this person's (without a target: their latest session)",
    )
    p.add_argument("--speed", type=positive_number, default=1.0, help="playback speed (default 1)")
    p.add_argument("--json", action="store_true", help="print the replay data, no window")
    p.add_argument("--arrays", action="store_true", help="with --json: include the samples")
    p.add_argument(
        "--headless",
        action="store_true",
        help="no screen: with --screenshot render offscreen, else play it through once at "
        "--speed, printing a line per stroke, and exit",
    )
    p.add_argument(
        "--screenshot", type=Path, metavar="FILE", help="save a picture of the view (.png, .jpg)"
    )
    p.set_defaults(func=_cmd_replay)


def _add_pack(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``pack`` and its actions, ``export`` and ``import``."""
    p = subparsers.add_parser(
        "pack",
        help="share references and sessions as one file",
        description="Export or import a pack: a zip of JSON and arrays, validated on import.",
    )
    actions = p.add_subparsers(dest="pack_action", metavar="ACTION", required=True)
    _add_pack_export(actions)
    _add_pack_import(actions)


def _add_pack_export(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``pack export``: references and sessions into one file."""
    q = actions.add_parser("export", help="write a pack", description="Write a pack.")
    q.add_argument("out", type=Path, metavar="OUT", help="pack file to write (.mtpack)")
    q.add_argument("--reference", action="append", default=[], metavar="NAME", help="add one")
    q.add_argument(
        "--session",
        action="append",
        default=[],
        type=session_id,
        metavar="ID",
        help="add session ID (12 or S12) and the reference it was scored against",
    )
    q.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="NAME",
        help="add every session of this person (visible ones); with --session, those "
        "must be theirs",
    )
    q.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    q.set_defaults(func=_cmd_pack_export)


def _add_pack_import(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``pack import``: a pack's references and sessions, each to its person."""
    q = actions.add_parser(
        "import",
        help="read a pack",
        description=(
            "Import a pack. Sessions go to their person: the same person here (known by "
            "an identity packs carry), else a new one. A pack's person whose name is "
            "another's here is kept apart as 'NAME (2)' unless --same-name merge."
        ),
    )
    q.add_argument("pack", type=Path, metavar="PACK")
    q.add_argument("--overwrite", action="store_true", help="replace references of the same name")
    q.add_argument(
        "--same-name",
        choices=("apart", "merge"),
        default=None,
        help="a pack's person whose name is someone else's here: keep them apart as "
        "'NAME (2)' (default) or merge their sessions into the person here",
    )
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
            elif not store.session(args.restore).deleted:
                print(f"session {args.restore} is not deleted: it is already visible")
            else:
                store.restore_session(args.restore)
                print(f"restored session {args.restore}")
        return 0
    since = parse_since(args.since) if args.since else None
    with open_store(readonly=True) as store:
        technique = _history_technique(args.technique, store) if args.technique else None
        if args.user:
            # Nobody of that name is a mistyped name, not an empty history: refuse in one
            # line (exit 1), as `users`, `replay`, `pack export` and `demo` do.
            store.person(args.user)
        sessions = store.sessions(
            technique=technique, since=since, user=args.user, deleted=args.deleted
        )
        # What exists without the filters: "nothing matches" is not "nothing yet".
        everything = store.sessions(deleted=args.deleted) if not sessions else []
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
        print(_nothing_listed(args, everything))
        return 0
    print(f"{'ID':>4}  {'started':16}  {'person':14} {'technique':11} {'reference':22} "
          f"{'strokes':>7} {'mean':>5} {'best':>5}  state")  # fmt: skip
    for s in sessions:
        print(_session_line(s))
        for a in attempts.get(s.id, []):
            sc = a.score
            worst = sc.deductions[0].message if sc.deductions else ""
            print(f"      A{a.id:<5} {sc.start_s:7.2f} s  overall {sc.overall:5.1f}  {worst}")
    return 0


def _nothing_listed(args: argparse.Namespace, everything: list[SessionRecord]) -> str:
    """Say why ``history`` lists no session: there is none yet, or none matching."""
    what = "deleted sessions" if args.deleted else "sessions"
    if not everything:
        return f"no {what} yet" + ("" if args.deleted else ": practise with `massage-trainer demo`")
    given = (("technique", args.technique), ("since", args.since), ("user", args.user))
    filters = " ".join(f"--{flag} {value}" for flag, value in given if value)
    techniques = sorted({s.technique for s in everything})
    users = sorted({s.user for s in everything}, key=str.casefold)
    return (
        f"no {what} match {filters} ({len(everything)} in all; techniques with {what}: "
        f"{', '.join(techniques)}; people: {', '.join(users)})"
    )


def _session_line(s: SessionRecord) -> str:
    def num(x: float | None) -> str:
        return "    –" if x is None else f"{x:5.1f}"

    started = s.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
    who = s.user if len(s.user) <= 14 else s.user[:13] + "…"
    return (
        f"{s.id:>4}  {started:16}  {who:14} {s.technique:11} {s.reference_name[:22]:22} "
        f"{s.attempts:>7} {num(s.mean_overall)} {num(s.best_overall)}  {s.state}"
        + ("  probe" if s.kind == "probe" else "")  # scored with no feedback at all
        + (f"  on {s.surface}" if s.surface else "")
    ).rstrip()


def _replay_target(args: argparse.Namespace, store: Store) -> str:
    """Return the replay's target: as given (checked to be ``--user``'s), else their latest."""
    from trainer.cli.arguments import parse_id

    if args.user is None:
        if args.target is None:
            raise StoreError("give a session (12 or S12) or an attempt (A7), or --user NAME")
        return str(args.target)
    person = store.person(args.user)
    if args.target is None:
        mine = store.sessions(user=person.name)
        if not mine:
            raise StoreError(f"{person.name} has no sessions to replay")
        return f"S{mine[-1].id}"
    parsed = parse_id(args.target)
    if parsed is not None:
        kind, ident = parsed
        sid = ident if kind == "session" else store.attempt(ident).session_id
        owner = store.session(sid).user
        if owner != person.name:
            raise StoreError(f"{args.target} is {owner}'s, not {person.name}'s")
    return str(args.target)


def _cmd_replay(args: argparse.Namespace) -> int:
    from trainer.store.replay import load_replay

    with open_store(readonly=True) as store:
        data = load_replay(store, _replay_target(args, store))
    if args.json:
        print_json(data.to_dict(arrays=args.arrays), sort_keys=True)
        print()
        return 0
    from trainer.cli.app_cmds import (
        ensure_screen,
        finish_screenshot,
        png_target,
        screenshot_format,
    )

    screenshot_format(args.screenshot)
    if args.headless and args.screenshot is None:
        _play_through(data, args.speed)
        return 0
    ensure_screen(args.headless, "add --headless --screenshot PNG, or use --json")
    from trainer.app import run_replay

    png = png_target(args.screenshot)
    try:
        run_replay(data, speed=args.speed, screenshot=png, headless=args.headless)
        finish_screenshot(png, args.screenshot)
    finally:
        if png is not None and png != args.screenshot:
            png.unlink(missing_ok=True)
    if args.screenshot is not None:
        print(f"saved {args.screenshot}", file=sys.stderr)
    return 0


def _play_through(data: ReplayData, speed: float) -> None:
    """Play a replay once without a screen: a line per stroke as the playhead passes its end.

    Playback covers the attempt asked for, or the whole session, at ``speed`` times
    glove time, so it always ends (after at most the capture's duration / ``speed``).
    """
    t = data.t
    chosen = data.attempts if data.focus is None else (data.attempts[data.focus],)
    if data.focus is None:
        begin, end = float(t[0]), float(t[-1])
    else:
        begin, end = float(t[chosen[0].first]), float(t[chosen[0].stop - 1])
    what = f"attempt A{chosen[0].attempt.id}" if data.focus is not None else "session"
    what = f"session {data.session.id}" if data.focus is None else what
    print(
        f"replaying {what} ({data.session.technique} against "
        f"{data.reference.name if data.reference is not None else 'no reference'}): "
        f"{end - begin:.2f} s at speed {speed:g}",
        flush=True,
    )
    started = time.monotonic()
    for a in chosen:
        due = (float(t[a.stop - 1]) - begin) / speed
        time.sleep(max(0.0, due - (time.monotonic() - started)))
        sc = a.attempt.score
        worst = sc.deductions[0].message if sc.deductions else ""
        print(
            f"A{a.attempt.id:<5} {sc.start_s:7.2f}-{sc.end_s:.2f} s  overall {sc.overall:5.1f}  "
            f"{worst}".rstrip(),
            flush=True,
        )
    time.sleep(max(0.0, (end - begin) / speed - (time.monotonic() - started)))
    print(f"end of replay: {len(chosen)} stroke(s)" if chosen else "no strokes were scored")


def _cmd_pack_export(args: argparse.Namespace) -> int:
    from trainer.store.packs import export_pack

    if not args.reference and not args.session and not args.user:
        raise StoreError(
            "nothing to export: give --reference NAME, --session ID and/or --user NAME"
        )
    with open_store(readonly=True) as store:
        sessions = list(args.session)
        if args.user:
            people = [store.person(name).name for name in args.user]
            for sid in sessions:
                if (owner := store.session(sid).user) not in people:
                    raise StoreError(f"session {sid} is {owner}'s, not {' or '.join(people)}'s")
            for name in people:
                mine = [s.id for s in store.sessions(user=name)]
                if not mine:
                    raise StoreError(f"{name} has no sessions to export")
                sessions += mine
        summary = export_pack(
            args.out,
            store=store,
            references=args.reference,
            sessions=sessions,
            overwrite=args.overwrite,
        )
    print(_pack_summary("exported", summary, args.out))
    return 0


def _cmd_pack_import(args: argparse.Namespace) -> int:
    from trainer.store.packs import import_pack

    policy = args.same_name or "apart"
    with open_store() as store:
        summary = import_pack(args.pack, store=store, overwrite=args.overwrite, same_name=policy)
    print(_import_summary(summary, args.pack))
    for theirs, here in sorted(summary.get("placed", {}).items()):
        if policy == "apart" and args.same_name is None and theirs.casefold() != here.casefold():
            # The safe default took effect: say so, and how to choose otherwise.
            print(
                f"massage-trainer: note: the pack's {theirs!r} is not the {theirs!r} known "
                f"here: their sessions are kept apart as {here!r} (rename: `massage-trainer "
                f"users rename {here!r} NEW`; to file them under the person here, import "
                "with --same-name merge)",
                file=sys.stderr,
            )
        elif theirs != here:
            print(f"the pack's {theirs!r} is {here!r} here", file=sys.stderr)
    return 0


def _import_summary(summary: dict[str, Any], path: Path) -> str:
    """Say what an import added and what was already present (references, sessions)."""
    present = list(summary.get("present", []))
    new_refs = [name for name in summary["references"] if name not in present]
    sessions, skipped = len(summary["sessions"]), int(summary.get("skipped", 0))
    people = list(summary.get("people", []))
    return (
        f"imported {path}: {len(new_refs)} new reference(s), {len(present)} already present; "
        f"{sessions} new session(s), {skipped} already present"
        + (f" (new: {', '.join(new_refs)})" if new_refs else "")
        + (f"; sessions of: {', '.join(people)}" if people else "")
    )


def _pack_summary(verb: str, summary: dict[str, Any], path: Path) -> str:
    refs, sessions = summary["references"], summary["sessions"]
    return f"{verb} {len(refs)} reference(s) and {len(sessions)} session(s) to {path}" + (
        f": {', '.join(refs)}" if refs else ""
    )
