"""The ``massage-trainer`` command line.

Each subcommand family lives in its own module under :mod:`trainer.cli` and exposes
``register(subparsers)``, which adds its parsers and sets ``func`` (a callable taking
the parsed namespace and returning an exit code). :func:`main` turns every expected
error into one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import re
import sys
import typing
from collections.abc import Sequence

from sensors.exceptions import SensorError
from trainer.exceptions import Terminated, TrainerError

__all__ = ["EXIT_ERROR", "EXIT_USAGE", "build_parser", "main"]

EXIT_ERROR = 1
EXIT_USAGE = 2

# Each command and the module that registers it, in the order they appear in --help
# (a test checks this against what the modules register): a command line naming one
# builds only its module's parsers, a tenth of the whole (argparse looks up a
# translation for every help string).
_COMMANDS = {
    "record": "trainer.cli.capture_cmds",
    "info": "trainer.cli.capture_cmds",
    "export": "trainer.cli.capture_cmds",
    "scan": "trainer.cli.device_cmds",
    "calibrate": "trainer.cli.calibrate_cmds",
    "reference": "trainer.cli.reference_cmds",
    "score": "trainer.cli.reference_cmds",
    "history": "trainer.cli.store_cmds",
    "replay": "trainer.cli.store_cmds",
    "pack": "trainer.cli.store_cmds",
    "users": "trainer.cli.users_cmds",
    "ratings": "trainer.cli.ratings_cmds",
    "agreement": "trainer.cli.ratings_cmds",
    "progress": "trainer.cli.progress_cmds",
    "gui": "trainer.cli.app_cmds",
    "demo": "trainer.cli.app_cmds",
}
# Subcommand modules, in the order their commands appear in --help.
_COMMAND_MODULES = tuple(dict.fromkeys(_COMMANDS.values()))


class _VersionAction(argparse.Action):
    """``--version``: print the installed version and exit, looking it up only then."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS) -> None:
        super().__init__(
            option_strings,
            dest,
            nargs=0,
            default=argparse.SUPPRESS,
            help="show program's version number and exit",
        )

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from trainer import __version__

        print(f"{parser.prog} {__version__}")
        parser.exit()


class _Parser(argparse.ArgumentParser):
    """An argument parser whose "invalid choice" names the nearest choice.

    Subcommand parsers are made of the parent's class, so every level suggests.
    """

    def error(self, message: str) -> typing.NoReturn:
        match = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)$", message)
        if match is not None:
            choices = re.findall(r"'([^']*)'", match.group(2))
            close = difflib.get_close_matches(match.group(1), choices, n=1, cutoff=0.6)
            if close:
                head, _, tail = message.partition(" (choose from")
                message = f"{head}: did you mean {close[0]!r}? (choose from{tail}"
        super().error(message)


def _top_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="massage-trainer",
        description="Practise massage strokes with a pressure-sensing glove.",
    )
    parser.add_argument("--version", action=_VersionAction)
    return parser


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Build the argument parser with every available subcommand, or one command's family.

    Subcommand modules import what their commands need inside the command functions,
    so building the parser stays cheap.

    Parameters
    ----------
    command : str or None
        Build only the subcommands of the module that defines this command (``history``
        gives ``history``, ``replay`` and ``pack``), which parses that command as the
        whole parser would. ``None``, or a name no module defines: every subcommand.

    Returns
    -------
    argparse.ArgumentParser
        The top-level parser.
    """
    parser = _top_parser()
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    family = _COMMANDS.get(command) if command is not None else None
    if family is None or not _register(family, subparsers):
        for name in _COMMAND_MODULES:
            _register(name, subparsers)
    return parser


def _register(name: str, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> bool:
    """Add module ``name``'s subcommands; ``False`` if the module is not installed."""
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name != name:  # a real missing dependency inside the module
            raise
        return False
    module.register(subparsers)
    return True


def _encodable_output() -> None:
    """Let stdout and stderr write what their encoding cannot hold as ``?``.

    A non-UTF-8 terminal (``LC_ALL=C``, ``PYTHONIOENCODING=latin-1``) would otherwise turn
    an en dash in a table into a ``UnicodeEncodeError`` traceback.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "") == "strict":
            reconfigure(errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv : sequence of str or None
        Arguments without the program name; ``None`` reads ``sys.argv``.

    Returns
    -------
    int
        The process exit code.
    """
    arguments = sys.argv[1:] if argv is None else list(argv)
    _encodable_output()
    if arguments[:1] == ["--version"]:
        # Answered before the subcommand modules load, as argparse would answer it.
        _top_parser().parse_args(arguments[:1])
    parser = build_parser(arguments[0] if arguments else None)
    args = parser.parse_args(arguments)
    func = getattr(args, "func", None)
    if func is None:
        # No command: open the app where there is a screen, else explain the usage.
        app_cmds = sys.modules.get("trainer.cli.app_cmds")
        has_screen = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        if app_cmds is not None and has_screen:
            func = app_cmds.run_gui
        else:
            parser.print_help()
            return EXIT_USAGE
    try:
        return int(func(args) or 0)
    except BrokenPipeError:
        # The reader went away (``| head``): normal for a filter, not an error. Point
        # stdout at devnull so the interpreter's final flush stays quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 0
    except (SensorError, TrainerError, OSError) as err:
        print(f"massage-trainer: error: {_one_line(err)}", file=sys.stderr)
        return EXIT_ERROR
    except Terminated:
        print("massage-trainer: terminated", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("massage-trainer: interrupted", file=sys.stderr)
        return 130


def _one_line(err: BaseException) -> str:
    text = str(err) or type(err).__name__
    if isinstance(err, OSError) and err.filename and str(err.filename) not in text:
        text = f"{text}: {err.filename}"
    return " ".join(text.split())
