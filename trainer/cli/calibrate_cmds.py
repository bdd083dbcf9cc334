"""``massage-trainer calibrate``: fit each sensor's raw → newton table with known weights.

The glove is read in raw counts (the source is opened with the profile's counts twin,
:func:`trainer.signal.loadcal.counts_profile`); the session, the steady-state detection
and the fit are :class:`trainer.signal.loadcal.LoadCalibration`; the new profile is
written by :func:`sensors.profiles.write_profile`, which loads it back before writing.

Interactive by default (asks for each weight and waits for Enter). ``--script FILE``
takes the schedule from a file and ``--no-prompt`` from ``--loads-kg``/``--sensor``; both
run unattended: each placement is detected in the stream (the reading leaves the rest
level and settles), so a recorded calibration session can be replayed.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from trainer.exceptions import SignalError, TrainerError

if TYPE_CHECKING:
    from sensors.profiles import GloveProfile
    from sensors.sources import Source
    from trainer.signal.loadcal import CalibrationFit, LoadCalibration, Placement, StepUpdate

__all__ = ["register"]

_DEFAULT_LOADS = "0.1,0.2,0.5,1"  # kg: 0.98-9.8 N, within a 10 N FSR 402 (docs/build-a-glove.md)
_READ_TIMEOUT_S = 0.2


def _loads(text: str) -> list[float]:
    """``"0.5,1,2,5"`` → masses in kg (argparse type: bad input is a usage error)."""
    try:
        loads = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected masses in kg separated by commas, e.g. 0.5,1,2,5"
        ) from None
    if not loads or not all(math.isfinite(v) and v > 0 for v in loads):
        raise argparse.ArgumentTypeError(f"{text!r}: every mass must be a number > 0 (kg)")
    if len(set(loads)) != len(loads):
        raise argparse.ArgumentTypeError(f"{text!r}: a mass is listed twice")
    return loads


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``calibrate`` command.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The CLI's subcommand registry.
    """
    p = subparsers.add_parser(
        "calibrate",
        help="calibrate a glove's sensors with known weights; write a new profile",
        description=(
            "Tare with the glove at rest, then place known weights on each sensor; each "
            "settled reading (mean raw count over 1 s, refused while still moving) becomes "
            "a point of a monotone raw -> newton table, written into a copy of the profile. "
            "Readings above the heaviest load are clipped to it. Interactive unless "
            "--script or --no-prompt is given."
        ),
    )
    p.add_argument(
        "--source",
        required=True,
        metavar="SRC",
        help="the glove: ble:ADDRESS_OR_NAME, or replay:PATH[?speed=0] of a recorded session",
    )
    p.add_argument(
        "--profile", required=True, metavar="P", help="the glove's profile (bundled name or .toml)"
    )
    p.add_argument(
        "--out", required=True, type=Path, metavar="NEW.toml", help="the profile to write"
    )
    p.add_argument(
        "--loads-kg",
        type=_loads,
        default=_loads(_DEFAULT_LOADS),
        metavar="KG,KG,...",
        help=f"masses to place on each sensor, kg (default {_DEFAULT_LOADS})",
    )
    p.add_argument(
        "--sensor",
        action="append",
        default=[],
        metavar="NAME",
        help="calibrate only this sensor (repeatable; default every sensor)",
    )
    p.add_argument(
        "--script",
        type=Path,
        metavar="FILE",
        help="unattended: the schedule from FILE, one 'SENSOR KG' per line (# comments)",
    )
    p.add_argument(
        "--no-prompt",
        action="store_true",
        help="unattended: every --loads-kg on every --sensor, detected in the stream",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=20.0,
        metavar="S",
        help="seconds of samples a weight may take to settle (default 20)",
    )
    p.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    p.add_argument("--json", action="store_true", help="print the fit as JSON")
    p.set_defaults(func=_calibrate)


def _stdin_is_interactive() -> bool:
    """Whether someone can answer prompts (a seam for tests)."""
    stdin = sys.stdin
    return stdin is not None and not stdin.closed and stdin.isatty()


def read_script(path: Path, profile: GloveProfile) -> list[Placement]:
    """Parse a schedule file: one ``SENSOR KG`` (optionally ``kg``) per line.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    profile : GloveProfile
        For the sensor names.

    Returns
    -------
    list of Placement
        In file order.

    Raises
    ------
    TrainerError
        A malformed line or an unknown sensor, naming the line.
    OSError
        If the file cannot be read.
    """
    from trainer.signal.loadcal import Placement

    placements = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if words[-1].lower() == "kg":
            words = words[:-1]
        where = f"{path}:{number}"
        if len(words) != 2:
            raise TrainerError(f"{where}: expected 'SENSOR KG', got {line.strip()!r}")
        try:
            load = float(words[1])
        except ValueError:
            raise TrainerError(f"{where}: {words[1]!r} is not a mass in kg") from None
        if words[0] not in profile.channel_names:
            raise TrainerError(
                f"{where}: unknown sensor {words[0]!r} (profile {profile.name!r} has: "
                f"{', '.join(profile.channel_names)})"
            )
        placements.append(Placement(words[0], load))
    if not placements:
        raise TrainerError(f"{path}: no placements (one 'SENSOR KG' per line)")
    return placements


def open_counts_source(spec: str, profile: GloveProfile) -> Source:
    """Build (unopened) the source, reading raw counts of ``profile``'s glove.

    Parameters
    ----------
    spec : str
        ``ble:...`` or ``replay:...`` (the simulated glove presses strokes, not weights).
    profile : GloveProfile
        The glove being calibrated.

    Returns
    -------
    Source
        A BLE source or a CSV replay with the counts profile, or a native replay (its
        blocks are turned back into counts with their own profile).

    Raises
    ------
    SourceError
        For a bad spec or a simulated glove.
    """
    from sensors.exceptions import SourceError
    from sensors.sources import SourceKind, parse_source_spec
    from trainer.signal.loadcal import counts_profile

    parsed = parse_source_spec(spec)
    if "profile" in parsed.options:
        raise SourceError("give the glove's profile with --profile, not in the source spec")
    counts = counts_profile(profile)
    if parsed.kind is SourceKind.SIM:
        raise SourceError(
            "the simulated glove performs strokes, not placed weights: calibrate a glove "
            "(ble:ADDRESS_OR_NAME) or a recorded calibration session (replay:PATH)"
        )
    if parsed.kind is SourceKind.BLE:
        from sensors.sources.ble import BleSource

        return BleSource(parsed.target, profile=counts)
    from sensors.sources.replay import ReplaySource

    speed = parsed.options.get("speed", "1")
    try:
        speed_value = float(speed)
    except ValueError:
        raise SourceError(f"option speed={speed!r} is not a number") from None
    if not (math.isfinite(speed_value) and speed_value >= 0):
        raise SourceError(f"option speed={speed!r} must be a finite number >= 0")
    loop = parsed.options.get("loop", "0").lower() in {"1", "true", "yes"}
    return ReplaySource(parsed.target, speed=speed_value, loop=loop, profile=counts)


def _calibrate(args: argparse.Namespace) -> int:
    from sensors.exceptions import ProfileError
    from sensors.profiles import load_profile
    from trainer.signal.loadcal import LoadCalibration, SettleCriteria, placements_for

    if not (math.isfinite(args.timeout) and args.timeout > 0):
        raise TrainerError(f"--timeout {args.timeout:g}: must be a number of seconds > 0")
    profile = load_profile(args.profile)
    out: Path = args.out
    if out.exists() and not args.force:
        raise ProfileError(f"{out} exists: not overwriting it (use --force)")
    if out.suffix.lower() != ".toml":
        raise ProfileError(f"{out}: a profile file must end in .toml (so --profile finds it)")
    if not out.parent.is_dir():
        raise ProfileError(f"{out}: folder {out.parent} does not exist")
    for name in args.sensor:
        if name not in profile.channel_names:
            raise SignalError(
                f"unknown sensor {name!r} (profile {profile.name!r} has: "
                f"{', '.join(profile.channel_names)})"
            )
    if args.script is not None:
        if args.sensor or args.no_prompt:
            raise TrainerError("--script gives the schedule: leave out --sensor and --no-prompt")
        placements = read_script(args.script, profile)
    else:
        placements = placements_for(args.sensor or profile.channel_names, args.loads_kg)
    interactive = args.script is None and not args.no_prompt
    session = LoadCalibration(profile, placements, criteria=SettleCriteria(timeout_s=args.timeout))
    if interactive and not _stdin_is_interactive():
        raise TrainerError(
            "calibrate asks you to place each weight and needs a terminal (stdin); "
            "for an unattended run give --script FILE or --no-prompt"
        )
    source = open_counts_source(args.source, profile)
    with source:
        # With --json, stdout carries only the JSON: progress goes to stderr.
        _run(session, source, profile, interactive=interactive, json_out=args.json)
    fit = session.fit()
    _report(fit, as_json=args.json)
    _write(fit, profile, out, force=args.force, quiet=args.json, source=args.source)
    return 0


def _ask(text: str) -> str:
    try:
        return input(text)
    except EOFError:
        raise TrainerError("input ended: calibration abandoned, nothing written") from None


def _run(
    session: LoadCalibration,
    source: Source,
    profile: GloveProfile,
    *,
    interactive: bool,
    json_out: bool = False,
) -> None:
    """Drive the session through every step, reading the source."""
    from trainer.signal.loadcal import StepStatus

    def say(text: str) -> None:
        print(text, file=sys.stderr if json_out else sys.stdout, flush=True)

    while not session.done:
        prompt = session.prompt()
        step = f"[{session.step_index + 1}/{session.step_count}]"
        if interactive:
            _ask(f"{step} {prompt}, then press Enter ")
        else:
            say(f"{step} {prompt}")
        session.arm()
        shown = None
        while True:
            update = _next_update(session, source, profile)
            if update.status is StepStatus.ACCEPTED:
                say(f"  settled: {update.message}")
                break
            if update.status is StepStatus.REJECTED:
                if not interactive:
                    raise SignalError(update.message)
                say(f"  refused: {update.message}")
                answer = _ask("  press Enter to try again, or q then Enter to stop ")
                if answer.strip().lower().startswith("q"):
                    raise TrainerError("calibration stopped: nothing written")
                session.arm()
                shown = None
                continue
            if interactive and update.status is not shown:
                shown = update.status
                say(f"  {update.message}")


def _next_update(session: LoadCalibration, source: Source, profile: GloveProfile) -> StepUpdate:
    """Feed the next block (waiting for one) and return the step's state after it."""
    from trainer.signal.loadcal import block_counts

    while True:
        try:
            block = source.read(timeout=_READ_TIMEOUT_S)
        except EOFError:
            raise SignalError(
                f"the source ended before every weight was measured (at step "
                f"{session.step_index + 1} of {session.step_count}: {session.prompt()})"
            ) from None
        if block is None or len(block) == 0:
            continue
        if block.profile.channel_names != profile.channel_names:
            raise SignalError(
                f"the source's sensors {list(block.profile.channel_names)} are not profile "
                f"{profile.name!r}'s {list(profile.channel_names)}"
            )
        counts = block_counts(block.values, block.profile)
        return session.feed(counts, gap_before=block.gap_before)


def _report(fit: CalibrationFit, *, as_json: bool) -> None:
    if as_json:
        from trainer.cli.output import print_json

        print_json({"sensors": [f.to_dict() for f in fit.sensors]}, indent=2)
        return
    for f in fit.sensors:
        print(
            f"{f.sensor}: rest {f.tare_counts:.1f} counts; {len(f.points)} loads; clipped above "
            f"{f.max_newtons:.2f} N; table of {len(f.points_table)} points"
        )
        print("    load     force    counts (sd)        table N   resid N   leave-1-out N  noise N")
        for p in f.points:
            loo = "" if math.isnan(p.loo_error_n) else f"{p.loo_error_n:+.3f}"
            print(
                f"  {p.load_kg:6g} kg {p.newtons:7.3f} N {p.counts:8.1f} ({p.std_counts:5.1f})"
                f"  {p.fitted_n:8.3f}  {p.residual_n:+8.3f}  {loo:>13}  {p.noise_n:7.3f}"
            )


def _write(
    fit: CalibrationFit, profile: GloveProfile, out: Path, *, force: bool, quiet: bool, source: str
) -> None:
    from datetime import UTC, datetime

    from sensors.profiles import write_profile

    names = ", ".join(f.sensor for f in fit.sensors)
    new = fit.apply(profile)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    comment = (
        f"Profile {profile.name!r} calibrated with known weights by `massage-trainer calibrate`\n"
        f"({stamp}, source {source}).\nCalibrated sensors: {names}.\n"
        "Tables: monotone fit through the rest count (0 N) and each load; readings above\n"
        "the heaviest load are clipped to it (saturation_n is at most that load)."
    )
    write_profile(new, out, overwrite=force, comment=comment)
    if not quiet:
        print(f"wrote {out} (profile {new.name!r}; calibrated: {names})")
