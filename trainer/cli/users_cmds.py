"""``users``: the people who practise and teach on this computer.

``users list [--json]`` lists them with their sessions; ``users add NAME [--role
instructor]`` adds one; ``users rename OLD NEW`` renames one (their sessions follow);
``users role NAME student|instructor`` changes a role; ``users remove NAME`` removes
one who has no sessions. Someone with sessions is only removed with
``--delete-sessions``, which deletes those sessions (attempts, ratings and captures
too) after a confirmation typed on stdin, or ``--yes`` where there is no one to ask.
Names are matched regardless of case (:mod:`trainer.store.people`).
"""

from __future__ import annotations

import argparse
import sys

from trainer.cli.output import print_json
from trainer.exceptions import StoreError

__all__ = ["known_person", "register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``users`` and its actions."""
    p = subparsers.add_parser(
        "users",
        help="the people who practise (students) and teach (instructors) here",
        description=(
            "List, add, rename or remove the people whose sessions this computer keeps. "
            "Names are 1-40 characters, without control characters, and unique "
            "regardless of case."
        ),
    )
    actions = p.add_subparsers(dest="users_action", metavar="ACTION", required=True)
    q = actions.add_parser("list", help="everyone, with their sessions", description="List people.")
    q.add_argument("--json", action="store_true", help="print one JSON object")
    q.set_defaults(func=_cmd_list)

    q = actions.add_parser("add", help="add a person", description="Add a person.")
    q.add_argument("name", metavar="NAME")
    q.add_argument(
        "--role", choices=("student", "instructor"), default="student", help="default student"
    )
    q.set_defaults(func=_cmd_add)

    q = actions.add_parser(
        "rename",
        help="rename a person (their sessions follow)",
        description="Rename a person; every session of theirs shows the new name.",
    )
    q.add_argument("old", metavar="NAME")
    q.add_argument("new", metavar="NEW_NAME")
    q.set_defaults(func=_cmd_rename)

    q = actions.add_parser("role", help="make a person a student or an instructor")
    q.add_argument("name", metavar="NAME")
    q.add_argument("role", choices=("student", "instructor"))
    q.set_defaults(func=_cmd_role)

    q = actions.add_parser(
        "remove",
        help="remove a person (refused while they have sessions, unless --delete-sessions)",
        description=(
            "Remove a person. Someone with sessions (deleted ones included) is not removed "
            "unless --delete-sessions is given: their sessions, attempts, ratings and "
            "captures are then deleted for good, after you confirm (or --yes)."
        ),
    )
    q.add_argument("name", metavar="NAME")
    q.add_argument(
        "--delete-sessions",
        action="store_true",
        help="also delete every session of theirs, for good (asks first)",
    )
    q.add_argument("--yes", action="store_true", help="do not ask (no one at the keyboard)")
    q.set_defaults(func=_cmd_remove)


def known_person(name: str) -> str:
    """Return the stored name of an existing person (``--user`` of ``demo``).

    Raises
    ------
    StoreError
        Nobody is called that (the message lists who is, and how to add them).
    """
    from trainer.cli.store_cmds import open_store
    from trainer.store.people import check_person_name

    checked = check_person_name(name)  # a bad name says so, not "unknown"
    with open_store(readonly=True) as store:
        try:
            return store.person(checked).name
        except StoreError as err:
            raise StoreError(f"{err}; to add them: massage-trainer users add {checked!r}") from None


def _cmd_list(args: argparse.Namespace) -> int:
    from trainer.cli.store_cmds import open_store

    with open_store(readonly=True) as store:
        people = store.people()
    if args.json:
        print_json({"people": [p.to_dict() for p in people]}, indent=2, sort_keys=True)
        print()
        return 0
    if not people:
        print("nobody yet: `massage-trainer users add NAME`, or practise (as 'student')")
        return 0
    width = max(len(p.name) for p in people)
    for p in people:
        hidden = f" ({p.deleted_sessions} deleted)" if p.deleted_sessions else ""
        print(f"{p.name:<{width}}  {p.role:<10}  {p.sessions:>4} session(s){hidden}")
    return 0


def _cmd_add(args: argparse.Namespace) -> int:
    from trainer.cli.store_cmds import open_store

    with open_store() as store:
        person = store.add_person(args.name, args.role)
    print(f"added {person.name} ({person.role})")
    return 0


def _cmd_rename(args: argparse.Namespace) -> int:
    from trainer.cli.store_cmds import open_store

    with open_store() as store:
        before = store.person(args.old).name
        person = store.rename_person(args.old, args.new)
    print(f"renamed {before} to {person.name} ({person.sessions} session(s) follow)")
    return 0


def _cmd_role(args: argparse.Namespace) -> int:
    from trainer.cli.store_cmds import open_store

    with open_store() as store:
        person = store.set_person_role(args.name, args.role)
    print(f"{person.name} is now {'an' if person.role == 'instructor' else 'a'} {person.role}")
    return 0


def _confirm(name: str, sessions: int) -> bool:
    """Ask on stdin to type the person's name; ``False`` when stdin gives nothing."""
    print(
        f"This deletes {name} and {sessions} session(s) of theirs for good (captures too).\n"
        f"Type the name ({name}) to confirm: ",
        end="",
        file=sys.stderr,
        flush=True,
    )
    try:
        answer = sys.stdin.readline()
    except (OSError, ValueError):  # stdin closed or absent
        answer = ""
    if not answer.endswith("\n"):
        print(file=sys.stderr)  # end the prompt's line: nothing was typed (no stdin)
    from trainer.store.people import same_name

    return bool(answer.strip()) and same_name(answer.strip(), name)


def _cmd_remove(args: argparse.Namespace) -> int:
    from trainer.cli.store_cmds import open_store

    with open_store() as store:
        person = store.person(args.name)
        if person.sessions and args.delete_sessions and not args.yes:
            if not _confirm(person.name, person.sessions):
                raise StoreError(f"not confirmed: {person.name} and their sessions are kept")
        removed, left = store.remove_person(args.name, delete_sessions=args.delete_sessions)
    what = f" and {removed.sessions} session(s)" if removed.sessions else ""
    print(f"removed {removed.name}{what}")
    if left:
        print(
            f"massage-trainer: warning: {left} capture file(s) could not be deleted",
            file=sys.stderr,
        )
    return 0
