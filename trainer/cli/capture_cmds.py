"""Capture commands: ``record``, ``info`` and ``export``.

``record`` writes every block to the capture file as it arrives, so stopping it any
way at all -- Ctrl-C, SIGTERM, ``--seconds``, the source ending, even ``kill -9`` --
leaves a capture that opens (see :mod:`sensors.capture` for the crash guarantees).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from sensors.exceptions import CaptureError, SourceError
from trainer.cli.arguments import positive_seconds, session_attempt_or_file
from trainer.cli.output import dumps, note_profile, print_json

# Captures, sources and NumPy are imported by the commands that use them: building the
# parser (every command, `history` too) stays cheap.
if TYPE_CHECKING:
    from sensors.capture import Capture
    from sensors.sources import Source, SourceSpec
    from trainer.live import RecordResult

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``record``, ``info`` and ``export`` to the command line.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The top-level parser's subcommand registry.
    """
    p = subparsers.add_parser(
        "record",
        help="record a glove (real, simulated or replayed) to a capture file",
        description=(
            "Record from a source into a crash-safe capture file. SRC is "
            "sim[:technique][?seed=N&speed=X], replay:PATH[?speed=X&loop=1] or "
            "ble:ADDRESS_OR_NAME. Stop with Ctrl-C (the file is closed cleanly). The "
            "format follows PATH's extension: .mtcap (native) or .csv (time_s,<sensors> in "
            "newtons, written when the recording ends; until then it is recorded crash-safely "
            "to PATH.recording.mtcap)."
        ),
    )
    p.add_argument("--source", required=True, metavar="SRC", help="what to record from")
    p.add_argument(
        "--out", required=True, type=Path, metavar="PATH", help="capture to write (.mtcap or .csv)"
    )
    p.add_argument(
        "--seconds",
        type=positive_seconds,
        default=None,
        metavar="S",
        help="stop after S seconds of signal (default: until the source ends or Ctrl-C)",
    )
    p.add_argument("--overwrite", action="store_true", help="replace PATH if it exists")
    p.add_argument(
        "--user",
        metavar="NAME",
        help="who performs it, stored in the capture's metadata (as `info` shows it)",
    )
    p.set_defaults(func=_cmd_record)

    p = subparsers.add_parser(
        "info",
        help="describe a capture (duration, samples, rate, sensors, gaps)",
        description="Describe a capture file (native .mtcap or CSV).",
    )
    p.add_argument("capture", type=Path, metavar="CAPTURE")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--profile",
        metavar="NAME_OR_TOML",
        help="glove profile of a CSV whose sensor columns match no bundled profile",
    )
    p.set_defaults(func=_cmd_info)

    p = subparsers.add_parser(
        "export",
        help="convert a capture, a recorded session or one attempt to CSV",
        description=(
            "Export a capture file, a practice session (12 or S12) or one attempt's span "
            "of its session (A7; ids are in `history --attempts`) as CSV: header "
            "time_s,<sensor names>; seconds (capture time), newtons."
        ),
    )
    p.add_argument(
        "capture", metavar="CAPTURE_OR_ID", help="a capture file, a session (12, S12) or A7"
    )
    p.add_argument("--csv", required=True, metavar="OUT", help="CSV file to write, - for stdout")
    p.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    p.set_defaults(func=_cmd_export)


# ----------------------------------------------------------------------------------
# record
# ----------------------------------------------------------------------------------


class _StopRequest:
    """Turns SIGINT/SIGTERM into a flag polled while the live engine records.

    A second Ctrl-C raises KeyboardInterrupt as usual (the engine still closes the
    source and the writer). Handlers are only installed from the main thread.
    """

    def __init__(self) -> None:
        self.reason = ""
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _StopRequest:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.reason and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.reason = signal.Signals(signum).name


def _sim_technique_checked(spec: str) -> str | SourceSpec:
    """Check a simulated glove's technique against the registry (one-line errors).

    A known technique the simulator cannot perform (one with references only) is
    refused saying so; the name comes back normalised.
    """
    from sensors.sources import SourceKind, SourceSpec, parse_source_spec

    parsed = parse_source_spec(spec)
    if parsed.kind is not SourceKind.SIM or not parsed.target:
        return spec
    from trainer.store.techniques import require_simulated

    return SourceSpec(parsed.kind, require_simulated(parsed.target), parsed.options)


#: What ``record --out`` can write, by extension.
_RECORD_FORMATS = (".mtcap", ".csv")


def _record_target(out: Path, overwrite: bool) -> Path:
    """Check ``--out`` and return the file to record into.

    A ``.csv`` is recorded crash-safely into ``OUT.recording.mtcap`` first (a CSV cannot
    be appended and synced the same way) and converted when the recording ends.
    """
    if out.is_dir():
        raise CaptureError(f"{out}: is a directory")
    suffix = out.suffix.lower()
    if suffix not in _RECORD_FORMATS:
        raise CaptureError(
            f"{out}: unknown extension {out.suffix or '(none)'!r}: record to .mtcap or .csv"
        )
    if out.exists() and not overwrite:
        raise CaptureError(f"{out}: file exists, not overwriting a recording (use --overwrite)")
    if suffix == ".mtcap":
        return out
    work = out.with_name(out.name + ".recording.mtcap")
    if work.exists():
        raise CaptureError(
            f"{work} exists (an earlier recording that did not finish?): move it aside first"
        )
    return work


def _performer(name: str | None) -> dict[str, Any]:
    """``{"user": NAME}`` for ``record --user`` (the name checked; as spelled here if known)."""
    if name is None:
        return {}
    from trainer.exceptions import StoreError
    from trainer.store.database import Store
    from trainer.store.people import check_person_name, same_name

    name = check_person_name(name)
    try:
        with Store(readonly=True) as store:
            known = [p.name for p in store.people()]
    except StoreError:
        known = []  # no readable store here: the name as given
    return {"user": next((k for k in known if same_name(k, name)), name)}


def _cmd_record(args: argparse.Namespace) -> int:
    from sensors.capture import read_capture, write_csv
    from sensors.sources import open_source

    out: Path = args.out
    performer = _performer(args.user)  # a bad name: refused before anything is written
    target = _record_target(out, args.overwrite)
    source = open_source(_sim_technique_checked(args.source))
    tty = sys.stderr.isatty()
    shown = False

    def progress(so_far: RecordResult) -> None:
        nonlocal shown
        shown = True
        text = (
            f"recording {out}: {so_far.seconds:7.1f} s, {so_far.samples} samples, "
            f"{so_far.gaps} gaps [{source.status().state.value}]"
        )
        print("\r" + text if tty else text, end="" if tty else "\n", file=sys.stderr, flush=True)

    from trainer.live import record_to_file  # the live engine: imported only to record

    with _StopRequest() as stop:
        result = record_to_file(
            source,
            target,
            spec=args.source,
            seconds=args.seconds,
            metadata=_metadata_for(source) | performer,
            overwrite=args.overwrite and target == out,
            should_stop=lambda: bool(stop.reason),
            on_progress=progress,
        )
    if tty and shown:
        print(file=sys.stderr)
    if result.ended == "seconds":
        why = f"--seconds {args.seconds:g} reached"
    elif result.ended == "stopped":
        why = f"stopped by {stop.reason}"
    else:
        why = "source ended"
    if result.samples == 0:
        if target != out:
            target.unlink(missing_ok=True)
        raise SourceError(f"{args.source}: no samples received ({why}); nothing written")
    capture = read_capture(target)
    if target != out:
        # Written whole, then the crash-safe recording goes (kept if the CSV fails).
        write_csv(capture, out, overwrite=args.overwrite)
        target.unlink()
    print(
        f"recorded {capture.duration_s:.2f} s, {capture.n_samples} samples, "
        f"{capture.gap_starts.size} gaps to {out} ({why})"
    )
    return 0


def _metadata_for(source: Source) -> dict[str, Any]:
    """Label recordings of simulated gloves (and copies of them) as synthetic."""
    from sensors.sources import SourceKind
    from sensors.sources.replay import ReplaySource

    if source.kind is SourceKind.SIM:
        return {"synthetic": True}
    if isinstance(source, ReplaySource):
        original = source.capture.metadata
        meta: dict[str, Any] = {"replayed_from": str(source.path)}
        if "synthetic" in original:
            meta["synthetic"] = original["synthetic"]
        return meta
    return {}


# ----------------------------------------------------------------------------------
# info / export
# ----------------------------------------------------------------------------------


def _describe(capture: Capture) -> dict[str, Any]:
    return {
        "path": str(capture.path),
        "format": capture.file_format,
        "format_version": capture.format_version,
        "duration_s": round(capture.duration_s, 6),
        "samples": capture.n_samples,
        "sample_rate_hz": round(capture.sample_rate_hz, 6),
        "sensors": list(capture.channel_names),
        "profile": capture.profile.name,
        "source": capture.source,
        "started_at": capture.started_at,
        "gaps": int(capture.gap_starts.size),
        "truncated": capture.truncated,
        "dropped_tail_bytes": capture.dropped_tail_bytes,
        "app_version": capture.app_version,
        "metadata": dict(capture.metadata),
    }


def _cmd_info(args: argparse.Namespace) -> int:
    from sensors.capture import read_capture

    capture = read_capture(args.capture, profile=args.profile)
    note_profile(capture.profile)
    info = _describe(capture)
    if args.json:
        print_json(info, indent=2, sort_keys=False)
        return 0
    fmt = (
        capture.file_format if capture.file_format == "csv" else f"mtcap v{info['format_version']}"
    )
    lines = [
        ("file", info["path"]),
        ("format", fmt),
        ("profile", info["profile"]),
        ("source", info["source"] or "-"),
        ("started_at", info["started_at"] or "-"),
        ("duration_s", f"{capture.duration_s:.3f}"),
        ("samples", str(capture.n_samples)),
        ("sample_rate_hz", f"{capture.sample_rate_hz:.10g}"),  # 200, 199.876, 1e+300
        ("sensors", ", ".join(capture.channel_names)),
        ("gaps", str(info["gaps"])),
        (
            "truncated",
            f"yes ({capture.dropped_tail_bytes} bytes dropped: {capture.tail_error})"
            if capture.truncated
            else "no",
        ),
    ]
    if capture.metadata:
        meta = ", ".join(f"{k}={dumps(v)}" for k, v in sorted(capture.metadata.items()))
        lines.append(("metadata", meta))
    width = max(len(k) for k, _ in lines)
    for key, value in lines:
        print(f"{key + ':':<{width + 1}} {value}")
    return 0


def _export_source(target: str) -> tuple[Path, tuple[float, float] | None]:
    """Return the capture file to export and the span to cut from it, if any.

    ``target`` is a file, a session id (its whole capture) or an attempt id (its
    session's capture, cut to the attempt's span in capture time).
    """
    found = session_attempt_or_file(target)
    if isinstance(found, Path):
        return found, None
    from trainer.store.database import Store

    kind, ident = found
    with Store(readonly=True) as store:
        if kind == "session":
            return store.session(ident).capture, None
        score = store.attempt(ident).score
        return store.session(store.attempt(ident).session_id).capture, (
            score.start_s,
            score.end_s,
        )


def _cut(capture: Capture, span: tuple[float, float]) -> Capture:
    """Cut ``capture`` to ``span`` (capture time, seconds, end exclusive)."""
    import numpy as np

    half = 0.5 / capture.sample_rate_hz
    first = int(np.searchsorted(capture.t, span[0] - half))
    stop = int(np.searchsorted(capture.t, span[1] - half))
    if stop <= first:
        raise CaptureError(
            f"{capture.path}: the attempt's span {span[0]:.2f}-{span[1]:.2f} s holds no "
            "samples of its session's capture"
        )
    gaps = capture.gap_starts[(capture.gap_starts > first) & (capture.gap_starts < stop)]
    return dataclasses.replace(
        capture,
        t=capture.t[first:stop],
        values=capture.values[first:stop],
        gap_starts=(gaps - first).astype(np.int64),
    )


def _cmd_export(args: argparse.Namespace) -> int:
    from sensors.capture import read_capture, write_csv

    args.capture, span = _export_source(args.capture)
    capture = read_capture(args.capture)
    if span is not None:
        capture = _cut(capture, span)
    if args.csv == "-":
        try:
            write_csv(capture, sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader went away (``| head``): normal for a filter, not an error.
            # Point stdout at devnull so the interpreter's final flush stays quiet.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        return 0
    out = Path(args.csv)
    if out.resolve() == args.capture.resolve():
        raise CaptureError(f"{out}: refusing to export a capture over itself")
    write_csv(capture, out, overwrite=args.overwrite)
    print(f"exported {capture.n_samples} samples to {out}", file=sys.stderr)
    return 0
