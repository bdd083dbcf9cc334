"""CSV interchange: ``time_s,<sensor names>`` rows, seconds and newtons.

See :mod:`sensors.capture` for the rules (exact round trip, gaps inferred on reading).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TextIO

import numpy as np

from sensors.capture.model import Capture
from sensors.exceptions import CaptureError, ProfileError
from sensors.profiles import DEFAULT_PROFILE, GloveProfile, list_profiles, load_profile

__all__ = ["CSV_GAP_FACTOR", "read_csv", "write_csv"]

#: A CSV gap is inferred where a time step exceeds this multiple of the median step.
CSV_GAP_FACTOR = 1.5


def write_csv(
    capture: Capture, out: str | os.PathLike[str] | TextIO, *, overwrite: bool = False
) -> None:
    """Write a capture as CSV: header ``time_s,<sensor names>``, seconds and newtons.

    Every float is written in Python's shortest round-tripping ``repr``, so reading
    the CSV back gives identical numbers. Gap markers are not written; :func:`read_csv`
    infers them from time jumps.

    Parameters
    ----------
    capture : Capture
        What to write.
    out : str, os.PathLike or text stream
        Destination file, or an open text stream (not closed).
    overwrite : bool
        Replace an existing file (paths only). By default an existing file is an error.

    Raises
    ------
    CaptureError
        If ``out`` exists and ``overwrite`` is false.
    OSError
        If the file cannot be written.
    """
    if isinstance(out, str | os.PathLike):
        target = Path(out)
        try:
            with open(target, "w" if overwrite else "x", encoding="utf-8", newline="\n") as fh:
                _write_csv_rows(capture, fh)
        except FileExistsError:
            raise CaptureError(f"{target}: file exists, not overwriting it") from None
    else:
        _write_csv_rows(capture, out)


def _write_csv_rows(capture: Capture, out: TextIO) -> None:
    out.write(",".join(("time_s", *capture.channel_names)) + "\n")
    table = np.column_stack((capture.t, capture.values)).tolist()
    step = 4096
    for start in range(0, len(table), step):
        out.write("".join(",".join(map(repr, row)) + "\n" for row in table[start : start + step]))


def read_csv(
    source: str | os.PathLike[str] | TextIO,
    profile: GloveProfile | str | None = None,
) -> Capture:
    """Read a CSV capture (header ``time_s,<sensor names>``, seconds and newtons).

    Parameters
    ----------
    source : str, os.PathLike or text stream
        The CSV file, or an open text stream.
    profile : GloveProfile, str or None
        The glove the data came from (a profile, or a bundled name or TOML path).
        ``None``: the first bundled profile whose channel names equal the CSV's
        sensor columns (the default profile first); if none matches, an error (a
        profile cannot be guessed from names: contact areas and saturation limits
        would be invented).

    Returns
    -------
    Capture
        With ``file_format="csv"``; a gap is inferred before each sample whose time step
        exceeds :data:`CSV_GAP_FACTOR` times the median step.

    Raises
    ------
    CaptureError
        For a malformed CSV (bad header, wrong column count, a non-numeric or
        non-finite field, times not strictly increasing), with the line number; if
        the columns do not match ``profile``, or no profile is given and none
        matches.
    """
    if isinstance(source, str | os.PathLike):
        file = Path(source)
        try:
            with open(file, encoding="utf-8-sig", newline=None) as fh:
                return _parse_csv(fh, file, profile)
        except FileNotFoundError:
            raise CaptureError(f"{file}: no such CSV file") from None
        except UnicodeDecodeError as err:
            raise CaptureError(f"{file}: CSV is not valid UTF-8 (byte {err.start})") from None
        except IsADirectoryError:
            raise CaptureError(f"{file}: is a directory, not a CSV file") from None
    return _parse_csv(source, None, profile)


def _parse_csv(stream: TextIO, file: Path | None, profile: GloveProfile | str | None) -> Capture:
    name = str(file) if file is not None else "<csv>"

    def fail(line_no: int, what: str) -> CaptureError:
        return CaptureError(f"{name}:{line_no}: {what}")

    header_line = stream.readline()
    fields = [f.strip() for f in header_line.removeprefix("\ufeff").rstrip("\r\n").split(",")]
    if not fields or fields[0].lower() != "time_s":
        raise fail(1, "CSV header must start with time_s")
    names = tuple(fields[1:])
    if not names or any(not n for n in names):
        raise fail(1, "CSV header needs at least one non-empty sensor name after time_s")
    if len(set(names)) != len(names):
        raise fail(1, "CSV header repeats a sensor name")
    glove = _csv_profile(names, profile, name)
    width = len(names) + 1
    rows: list[list[float]] = []
    last_t = -math.inf
    for line_no, line in enumerate(stream, start=2):
        text = line.strip()
        if not text:
            continue
        cells = text.split(",")
        if len(cells) != width:
            raise fail(line_no, f"expected {width} columns, found {len(cells)}")
        try:
            row = [float(cell) for cell in cells]
        except ValueError:
            bad = next(c for c in cells if not _is_float(c))
            raise fail(line_no, f"not a number: {bad.strip()[:40]!r}") from None
        if not all(math.isfinite(v) for v in row):
            raise fail(line_no, "non-finite value")
        if row[0] <= last_t:
            raise fail(line_no, f"time_s {row[0]!r} is not after the previous {last_t!r}")
        last_t = row[0]
        rows.append(row)
    table = np.asarray(rows, dtype=np.float64).reshape(len(rows), width)
    t = table[:, 0]
    gaps = np.zeros(0, dtype=np.int64)
    if t.shape[0] >= 3:
        steps = np.diff(t)
        gaps = np.flatnonzero(steps > CSV_GAP_FACTOR * np.median(steps)) + 1
    return Capture(
        path=file,
        profile=glove,
        t=t,
        values=table[:, 1:],
        gap_starts=gaps,
        metadata={},
        source="",
        started_at=None,
        app_version=None,
        file_format="csv",
        format_version=0,
    )


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _csv_profile(
    names: tuple[str, ...], profile: GloveProfile | str | None, where: str
) -> GloveProfile:
    if profile is not None:
        glove = profile if isinstance(profile, GloveProfile) else _load(profile, where)
        if tuple(glove.channel_names) != names:
            raise CaptureError(
                f"{where}: CSV columns {', '.join(names)} do not match glove "
                f"{glove.name!r} ({', '.join(glove.channel_names)})"
            )
        return glove
    bundled = _bundled_profiles()
    for candidate in bundled:
        if tuple(candidate.channel_names) == names:
            return candidate
    # Building a profile from names alone would mean inventing contact areas and
    # saturation limits (pressure and clipping would be wrong), so ask for one.
    known = "; ".join(f"{p.name}: {','.join(p.channel_names)}" for p in bundled)
    raise CaptureError(
        f"{where}: CSV sensor columns {','.join(names)} match no bundled glove profile "
        f"({known}); name the glove's profile (a bundled name or a TOML file)"
    )


def _load(name: str, where: str) -> GloveProfile:
    try:
        return load_profile(name)
    except ProfileError as err:
        raise CaptureError(f"{where}: {err}") from None


def _bundled_profiles() -> list[GloveProfile]:
    names = list(list_profiles())
    ordered = [DEFAULT_PROFILE, *(n for n in names if n != DEFAULT_PROFILE)]
    return [load_profile(n) for n in ordered if n in names]
