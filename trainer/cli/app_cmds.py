"""``massage-trainer gui`` and ``massage-trainer demo``: the desktop app."""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from trainer.cli.output import print_json

__all__ = ["ensure_screen", "register", "run_gui"]

#: Simulation speed of a headless demo: glove time runs this much faster than the
#: wall clock, through the same frame timer and update path as the interactive app.
HEADLESS_SPEED = 4.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``gui`` and ``demo``."""
    gui = subparsers.add_parser("gui", help="open the desktop app")
    gui.set_defaults(func=run_gui)

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
    demo.add_argument("--screenshot", type=Path, default=None, metavar="PNG")
    demo.add_argument("--json", action="store_true", help="print a JSON summary at the end")
    demo.add_argument("--frames", type=int, default=None, metavar="N", help="exit after N frames")
    demo.add_argument("--technique", default="effleurage", help="one the simulated glove performs")
    demo.add_argument("--reference", default="", help="reference name (default: bundled)")
    demo.add_argument("--seed", type=int, default=1)
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
    demo.set_defaults(func=_demo)


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
    """Open the desktop app (also what ``massage-trainer`` without a command does)."""
    from trainer.app import run_gui as app_run_gui

    _require_screen()
    return app_run_gui()


def _positive(value: float | None, name: str) -> None:
    from trainer.exceptions import TrainerError

    if value is not None and (not math.isfinite(value) or value <= 0):
        raise TrainerError(f"{name} must be a positive number, got {value:g}")


def _demo(args: argparse.Namespace) -> int:
    from trainer.exceptions import TrainerError
    from trainer.store.techniques import require_simulated

    # Any known technique (the registry) that the simulated glove can perform.
    args.technique = require_simulated(args.technique)
    seconds = args.seconds if args.seconds is not None else (8.0 if args.headless else None)
    speed = args.speed if args.speed is not None else (HEADLESS_SPEED if args.headless else 1.0)
    _positive(seconds, "--seconds")
    _positive(speed, "--speed")
    if args.frames is not None and args.frames < 1:
        raise TrainerError("--frames must be >= 1")
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
    ensure_screen(args.headless)

    from trainer.app import run_demo
    from trainer.ui.runner import DemoOptions

    wall = None
    if args.headless:
        # Generous: start-up (imports, kernel warm-up) plus the simulation at speed.
        wall = 60.0 + 3.0 * (seconds or 0.0) / speed
    options = DemoOptions(
        technique=args.technique,
        reference=args.reference or f"{args.technique}-starter",
        seconds=seconds,
        speed=speed,
        seed=args.seed,
        frames=args.frames,
        screenshot=args.screenshot,
        quit_at_end=args.headless,
        timeout_s=wall,
        sim_options=sim_options,
    )
    result = run_demo(options, remember=not args.headless)
    summary = result.to_dict()
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
    return 0
