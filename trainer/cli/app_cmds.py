"""``massage-trainer gui`` and ``massage-trainer demo``: the desktop app."""

from __future__ import annotations

import argparse
import math
import os
import sys
import typing
from pathlib import Path

from trainer.cli.output import print_json

__all__ = ["ensure_screen", "register", "run_gui"]

#: Simulation speed of a headless demo: glove time runs this much faster than the
#: wall clock, through the same frame timer and update path as the interactive app.
HEADLESS_SPEED = 4.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``gui`` and ``demo``."""
    _add_gui(subparsers)
    _add_demo(subparsers)


def _add_gui(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``gui``: the desktop app, or one view drawn headless."""
    gui = subparsers.add_parser(
        "gui",
        help="open the desktop app",
        description="Open the desktop app. With --headless: draw one view on demo data (the "
        "simulated glove, a generated reference and sessions in a scratch home) to "
        "--screenshot, then exit; for documentation images and small-screen checks.",
    )
    gui.add_argument(
        "--headless",
        action="store_true",
        help="no screen: draw one view on demo data to --screenshot, then exit",
    )
    gui.add_argument(
        "--view",
        choices=("connect", "practice", "instructor", "replay", "history"),
        default="practice",
        help="which view to draw (default practice)",
    )
    gui.add_argument("--size", default="1280x800", metavar="WxH", help="window size in pixels")
    gui.add_argument(
        "--scale", type=float, default=1.0, metavar="S", help="display scaling, 1.5 = 150 %%"
    )
    gui.add_argument("--screenshot", type=Path, metavar="PNG", help="where to write the PNG")
    gui.set_defaults(func=run_gui)


def _add_demo(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``demo``: the app on the simulated glove, or headless."""
    demo = subparsers.add_parser(
        "demo", help="open the app on the simulated glove practising a bundled reference"
    )
    demo.add_argument(
        "--headless",
        action="store_true",
        help="no screen: run offscreen, faster than real time, and exit at the end",
    )
    demo.add_argument(
        "--seconds",
        type=float,
        default=None,
        metavar="S",
        help="seconds of glove time to simulate (headless default 8)",
    )
    demo.add_argument(
        "--screenshot",
        type=Path,
        default=None,
        metavar="FILE",
        help="save a picture of the practice view at the end (.png, or .jpg/.jpeg)",
    )
    demo.add_argument("--json", action="store_true", help="print a JSON summary at the end")
    demo.add_argument("--frames", type=int, default=None, metavar="N", help="exit after N frames")
    _add_demo_glove_arguments(demo)
    _add_demo_practice_arguments(demo)
    demo.set_defaults(func=_demo)


def _add_demo_glove_arguments(demo: argparse.ArgumentParser) -> None:
    """Add what the simulated glove performs: technique, reference, student, speed."""
    demo.add_argument(
        "--technique",
        default=None,
        metavar="T",
        help="technique the simulated glove performs (effleurage, petrissage, friction or "
        "tapotement; default effleurage, or the --reference's)",
    )
    demo.add_argument(
        "--reference",
        default="",
        metavar="NAME",
        help="library reference to follow (see `reference list`); it decides the technique "
        "(default: the technique's bundled starter)",
    )
    demo.add_argument(
        "--seed",
        type=int,
        default=1,
        metavar="N",
        help="simulator seed: the same seed gives the same strokes (default 1)",
    )
    demo.add_argument(
        "--student",
        default=None,
        metavar="LEVEL",
        help="the simulated glove performs a novice, intermediate or expert student "
        "(error tendencies drawn from --seed)",
    )
    demo.add_argument(
        "--faults", default=None, metavar="F,F", help="named tendencies, e.g. too_light,rushed"
    )
    demo.add_argument(
        "--improve", action="store_true", help="the student's tendencies fade over the session"
    )
    demo.add_argument(
        "--speed",
        type=float,
        default=None,
        help=f"simulation speed (default 1, headless {HEADLESS_SPEED:g})",
    )


def _add_demo_practice_arguments(demo: argparse.ArgumentParser) -> None:
    """Add how the practice runs: feedback mode, probe, surface, who practises."""
    demo.add_argument(
        "--feedback",
        default=None,
        metavar="MODE",
        help="with --headless: every, every_n:3, random:50%%, bandwidth[:85[:5]], summary or "
        "off; the JSON says per stroke whether feedback was shown",
    )
    demo.add_argument(
        "--probe",
        type=int,
        nargs="?",
        const=5,
        default=None,
        metavar="N",
        help="with --headless: a no-feedback probe of N strokes (default 5), scores at the end",
    )
    demo.add_argument(
        "--surface",
        default=None,
        metavar="S",
        help="what is massaged, recorded with the session: pad, mannequin, person or short text",
    )
    demo.add_argument(
        "--user",
        default=None,
        metavar="NAME",
        help="who practises (see `massage-trainer users list`; default: the person the "
        "window last practised as, else 'student')",
    )


def screen_available() -> bool:
    """Whether a GUI can open here (on Linux: an X11 or Wayland display, or a Qt platform)."""
    if not sys.platform.startswith("linux"):
        return True
    return any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def _require_screen(hint: str = "use `massage-trainer demo --headless`") -> None:
    from trainer.exceptions import TrainerError

    if not screen_available():
        raise TrainerError(f"no screen found (DISPLAY/WAYLAND_DISPLAY unset): {hint}")


def ensure_screen(headless: bool, hint: str = "use `massage-trainer demo --headless`") -> None:
    """Select Qt's offscreen platform for a headless run, else require a screen.

    Call before Qt is imported; ``hint`` ends the error message.

    Raises
    ------
    TrainerError
        No screen and not headless.
    """
    if headless:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    else:
        _require_screen(hint)


def run_gui(args: argparse.Namespace | None = None) -> int:
    """Open the desktop app (also what ``massage-trainer`` without a command does).

    With ``--headless``, draw one view on demo data to ``--screenshot`` and exit.
    """
    from trainer.exceptions import TrainerError

    if args is not None and getattr(args, "headless", False):
        if args.screenshot is None:
            raise TrainerError("gui --headless needs --screenshot PNG")
        if args.screenshot.suffix.lower() != ".png":
            raise TrainerError(f"gui --headless writes PNG: {args.screenshot.name} is not .png")
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt starts
        from trainer.ui.snapshots import parse_size, render_view

        print(render_view(args.view, parse_size(args.size), args.screenshot, scale=args.scale))
        return 0
    if args is not None and getattr(args, "screenshot", None) is not None:
        raise TrainerError("--screenshot needs --headless")
    from trainer.app import run_gui as app_run_gui

    _require_screen()
    return app_run_gui()


def _positive(value: float | None, name: str) -> None:
    from trainer.exceptions import TrainerError

    if value is not None and (not math.isfinite(value) or value <= 0):
        raise TrainerError(f"{name} must be a positive number, got {value:g}")


#: Picture formats of ``--screenshot`` by extension (Qt's image writer names).
SCREENSHOT_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}


def screenshot_format(path: Path | None) -> str | None:
    """Return the Qt image format for ``path``'s extension (``None`` for no path).

    Raises
    ------
    TrainerError
        An extension other than ``.png``, ``.jpg`` or ``.jpeg``.
    """
    from trainer.exceptions import TrainerError

    if path is None:
        return None
    fmt = SCREENSHOT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise TrainerError(
            f"{path}: unknown picture extension {path.suffix or '(none)'!r}: "
            "use .png, .jpg or .jpeg"
        )
    if path.is_dir():
        raise TrainerError(f"{path}: is a directory")
    return fmt


def png_target(path: Path | None) -> Path | None:
    """Where the app's PNG renderer writes for ``path`` (a temporary file for JPEG)."""
    if path is None or screenshot_format(path) == "PNG":
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.with_name(f".{path.name}.png.part")


def finish_screenshot(png: Path | None, path: Path | None) -> None:
    """Convert the rendered ``png`` into ``path``'s format (JPEG through Qt's writer).

    Raises
    ------
    TrainerError
        The picture cannot be read back or written.
    """
    from trainer.exceptions import TrainerError

    if png is None or path is None or png == path:
        return
    from PySide6 import QtGui

    # PySide6 wants the format as a str at run time; its stubs say bytes.
    fmt = typing.cast(bytes, screenshot_format(path) or "PNG")
    try:
        image = QtGui.QImage(str(png))
        if image.isNull() or not image.save(str(path), fmt, 90):
            raise TrainerError(f"could not write the screenshot {path}")
    finally:
        png.unlink(missing_ok=True)


def _demo_reference(args: argparse.Namespace) -> tuple[str, str]:
    """Return (technique, reference name) of a demo: the reference decides the technique.

    Raises
    ------
    TrainerError
        An unknown reference, a ``--technique`` that is not the reference's, a reference
        of another glove than the simulated one, or a technique the simulator cannot
        perform (each in one line).
    """
    from trainer.exceptions import ReferenceFileError, TrainerError
    from trainer.scoring.techniques import check_technique_name
    from trainer.store.references import ReferenceLibrary
    from trainer.store.techniques import require_simulated

    library = ReferenceLibrary()
    if not args.reference:
        # Any known technique (the registry) that the simulated glove can perform.
        technique = require_simulated(args.technique or "effleurage", library)
        return technique, f"{technique}-starter"
    if args.reference not in library.names():
        raise ReferenceFileError(
            f"unknown reference {args.reference!r} (see `massage-trainer reference list`)"
        )
    ref = library.get(args.reference)
    if args.technique is not None and check_technique_name(args.technique) != ref.technique:
        raise TrainerError(
            f"--technique {args.technique} does not match reference {ref.name!r}, which is "
            f"{ref.technique}: the reference decides the technique (leave --technique out)"
        )
    technique = require_simulated(ref.technique, library)
    from sensors.profiles import DEFAULT_PROFILE, load_profile

    glove = load_profile(DEFAULT_PROFILE)
    if ref.profile.channel_names != glove.channel_names:
        raise TrainerError(
            f"reference {ref.name!r} is for the {ref.profile.name} glove; the simulated glove "
            f"is a {glove.name}"
        )
    return technique, ref.name


def _demo(args: argparse.Namespace) -> int:
    from trainer.exceptions import TrainerError
    from trainer.store.paths import data_home

    data_home()  # a home that is a file: one line now, not a demo without references
    if args.user is not None:  # an unknown person: one line, before any window opens
        from trainer.cli.users_cmds import known_person

        args.user = known_person(args.user)
    args.technique, reference = _demo_reference(args)
    screenshot_format(args.screenshot)
    seconds = args.seconds if args.seconds is not None else (8.0 if args.headless else None)
    speed = args.speed if args.speed is not None else (HEADLESS_SPEED if args.headless else 1.0)
    _positive(seconds, "--seconds")
    _positive(speed, "--speed")
    if args.frames is not None and args.frames < 1:
        raise TrainerError("--frames must be >= 1")
    sim_options = _sim_options(args)
    from trainer.cli import feedback_demo

    if feedback_demo.requested(args):  # the headless run is Qt-free (the window has its own)
        return feedback_demo.run(args, args.technique, reference, seconds, speed, sim_options)
    ensure_screen(args.headless)

    from trainer.app import run_demo
    from trainer.ui.runner import DemoOptions

    wall = None
    if args.headless:
        # Generous: start-up (imports, kernel warm-up) plus the simulation at speed.
        wall = 60.0 + 3.0 * (seconds or 0.0) / speed
    options = DemoOptions(
        technique=args.technique,
        reference=reference,
        seconds=seconds,
        speed=speed,
        seed=args.seed,
        frames=args.frames,
        screenshot=png_target(args.screenshot),
        quit_at_end=args.headless,
        timeout_s=wall,
        sim_options=sim_options,
    )
    try:
        result = run_demo(options, remember=not args.headless, user=args.user)
        if args.screenshot is not None and result.screenshot is not None:
            finish_screenshot(options.screenshot, args.screenshot)
            result.screenshot = str(args.screenshot)
    finally:
        if options.screenshot != args.screenshot and options.screenshot is not None:
            options.screenshot.unlink(missing_ok=True)  # the JPEG's PNG, on any failure
    if result.reference != reference and (result.reference is not None or args.frames is None):
        # The window picks from the references it lists; it must have followed this one
        # (a run cut short by --frames may end before the references are loaded).
        raise TrainerError(
            f"the demo did not follow reference {reference!r} "
            f"(it ran against {result.reference or 'no reference'})"
        )
    return _report_demo(args, result)


def _sim_options(args: argparse.Namespace) -> tuple[tuple[str, str], ...]:
    """Return the simulated student the demo's glove plays, checked before any window opens."""
    sim_options = tuple(
        (key, value)
        for key, value in (
            ("student", args.student),
            ("faults", args.faults),
            ("improve", "1" if args.improve else None),
        )
        if value is not None
    )
    if sim_options:  # one-line errors before any window opens
        from sensors.sources import open_source
        from trainer.ui.services import SourceChoice

        open_source(SourceChoice("sim", args.technique, sim_options).spec)
    return sim_options


def _report_demo(args: argparse.Namespace, result: typing.Any) -> int:
    """Print the demo's summary (``--json`` or one line); 1 if its session was not saved."""
    saved, problem = _check_saved(result)
    summary = result.to_dict()
    summary["saved"] = saved
    if args.json:
        print_json(summary, indent=2)
    else:
        overall = "–" if result.overall is None else f"{result.overall:.0f}"
        print(
            f"{result.technique} against {result.reference or '(no reference)'}: "
            f"{len(result.strokes)} strokes, mean score {overall}, "
            f"{result.frames} frames"
        )
        if result.screenshot:
            print(f"screenshot: {result.screenshot}")
    sys.stdout.flush()
    if problem is not None:
        # Issue 17, defect 8: a practice that could not be saved said nothing, exit 0.
        print(f"massage-trainer: error: {problem}", file=sys.stderr, flush=True)
        return 1
    return 0


def _check_saved(result: typing.Any) -> tuple[dict[str, typing.Any], str | None]:
    """Compare a demo's result with what the store holds of its session.

    Returns ``({"session_id", "attempts", "state"}, problem)``: the session as stored
    (``session_id`` is ``None`` when the store does not hold it, and the result's is
    cleared too), and one line saying what was not saved, or ``None`` when everything
    scored was. Reads the store only (a read-only home can be checked too).
    """
    from trainer.exceptions import TrainerError
    from trainer.store.database import Store

    strokes = len(result.strokes)
    saved: dict[str, typing.Any] = {"session_id": None, "attempts": 0, "state": None}
    sid = result.session_id
    if sid is None:
        try:
            Store().close()  # why could it not be saved? (damaged, read-only, ...)
        except TrainerError as err:
            return saved, f"the practice was not saved: {err}"
        if strokes:
            return saved, f"the practice was not saved ({strokes} strokes scored, none stored)"
        return saved, None  # ended before a session began: nothing to save
    try:
        with Store(readonly=True) as store:
            state = store.session(sid).state
            attempts = len(store.attempts(sid))
    except TrainerError as err:
        result.session_id = None
        return saved, f"the practice was not saved: {err}"
    saved.update(session_id=sid, attempts=attempts, state=state)
    if attempts < strokes or state != "finished":
        return saved, (
            f"the practice was only partly saved: session {sid} holds {attempts} of "
            f"{strokes} strokes and is {state} (disk full, or the store failed meanwhile)"
        )
    return saved, None
