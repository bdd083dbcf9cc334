"""CSV interchange: ``time_s,<sensor names>`` rows, seconds and newtons.

:func:`write_csv` writes one strict dialect; :func:`read_csv` reads the CSV that
spreadsheets and other gloves' software write (``docs/capture-format.md``, "CSV
interchange"): any of ``,`` ``;`` tab ``|`` separators (found by :class:`csv.Sniffer`,
or an Excel ``sep=`` first line), quoted fields, a byte-order mark (UTF-8 or UTF-16),
CR LF or CR line ends, decimal commas, a trailing unnamed column, a units row, the time
column anywhere under one of :data:`TIME_HEADERS` (milliseconds are converted to
seconds), and sensor columns in any order, matched by name to the glove profile. A CSV
whose sensors match no bundled profile gets a generic one
(:func:`sensors.profiles.generic_profile`).

The text itself (dialect, header, rows) is read in :mod:`sensors.capture._csv_parse`.
Rows are streamed through :mod:`csv` into small float64 chunks, never into a list of
Python floats for the whole file, so reading needs about twice the final arrays' size.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import numpy as np

from sensors.capture._csv_parse import (
    Fail,
    Rows,
    column_key,
    dialect,
    read_header,
    sep_line,
    time_unit_of,
)
from sensors.capture.model import Capture
from sensors.exceptions import CaptureError, ProfileError
from sensors.profiles import (
    DEFAULT_PROFILE,
    GloveProfile,
    generic_profile,
    list_profiles,
    load_profile,
)

__all__ = ["CSV_GAP_FACTOR", "TIME_HEADERS", "read_csv", "write_csv"]

#: A CSV gap is inferred where a time step exceeds this multiple of the median step.
CSV_GAP_FACTOR = 1.5
#: Time column headers :func:`read_csv` accepts (any letter case; ``ms`` ones are divided
#: by 1000). A bare ``time`` or ``t`` is accepted when a units row gives ``s`` or ``ms``.
TIME_HEADERS = (
    "time_s",
    "time (s)",
    "time [s]",
    "t_s",
    "time_ms",
    "time (ms)",
    "time [ms]",
    "t_ms",
)


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
    step = 4096  # rows turned into Python floats at a time (not the whole capture)
    for start in range(0, capture.n_samples, step):
        stop = start + step
        table = np.column_stack((capture.t[start:stop], capture.values[start:stop])).tolist()
        out.write("".join(",".join(map(repr, row)) + "\n" for row in table))


def read_csv(
    source: str | os.PathLike[str] | TextIO,
    profile: GloveProfile | str | None = None,
) -> Capture:
    """Read a CSV capture: a time column and one column of newtons per sensor.

    The dialects accepted are listed in the module docstring and in
    ``docs/capture-format.md``.

    Parameters
    ----------
    source : str, os.PathLike or text stream
        The CSV file (UTF-8, or UTF-16 with a byte-order mark), or an open text stream.
    profile : GloveProfile, str or None
        The glove the data came from (a profile, or a bundled name or TOML path); its
        sensor names must be the CSV's sensor columns, in any order. ``None``: the
        first bundled profile with those sensors (the default profile first), else a
        generic profile made from the header (see
        :func:`sensors.profiles.generic_profile_notice` for the line to show then).

    Returns
    -------
    Capture
        With ``file_format="csv"``, values in the profile's channel order; a gap is
        inferred before each sample whose time step exceeds :data:`CSV_GAP_FACTOR`
        times the median step.

    Raises
    ------
    CaptureError
        One line naming ``file:line`` for a malformed CSV (no time column, bad header,
        wrong column count, a non-numeric or non-finite field, units other than
        seconds/milliseconds and newtons, times not strictly increasing); or if the
        columns do not match ``profile``.
    """
    if not isinstance(source, str | os.PathLike):
        return _parse_csv(source, None, profile)
    file = Path(source)
    try:
        with open(file, "rb") as raw:
            bom = raw.read(2)
            raw.seek(0)
            encoding = "utf-16" if bom in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
            # newline="" as the csv module wants: it sees CR LF, LF and CR line ends as read.
            # Undecodable bytes become lone surrogates, reported with their line (a strict
            # decoder fails a whole 8 kB block ahead of the line that holds them).
            with io.TextIOWrapper(
                raw, encoding=encoding, errors="surrogateescape", newline=""
            ) as fh:
                return _parse_csv(fh, file, profile)
    except FileNotFoundError:
        raise CaptureError(f"{file}: no such CSV file") from None
    except IsADirectoryError:
        raise CaptureError(f"{file}: is a directory, not a CSV file") from None
    except OSError as err:
        raise CaptureError(f"{file}: cannot read: {err.strerror or err}") from None


def _looks_like_csv(head: bytes) -> bool:
    """Return True if the first bytes of a file start a CSV with a time column."""
    encoding = "utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    text = head.decode(encoding, errors="replace")
    delimiter: str | None = None
    for line in text.splitlines()[:20]:
        line = line.lstrip("\ufeff")
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if delimiter is None and (delimiter := sep_line(line)) is not None:
            continue
        cells = next(csv.reader([line], **dialect(line, delimiter)), [])
        return any(time_unit_of(cell) is not None for cell in cells)
    return False


def _parse_csv(stream: TextIO, file: Path | None, profile: GloveProfile | str | None) -> Capture:
    name = str(file) if file is not None else "<csv>"
    fail = Fail(name)
    header = read_header(stream, fail)
    names = header.names
    glove: GloveProfile | None = None

    def choose() -> list[int]:
        nonlocal glove
        glove, order = _match_profile(names, profile, name)
        if glove is None:
            _generic(names, None, name)  # a header no profile can be made from fails now
        return [header.sensor_cols[i] for i in order]

    t, values = Rows(header, fail, choose).read(stream)
    if glove is None:
        # 6 significant digits: 1 / 0.005 is 200, not 200.00000000000003
        rate = float(f"{1.0 / float(np.median(np.diff(t))):.6g}") if t.shape[0] >= 2 else None
        glove = _generic(names, rate, name)
    gaps = np.zeros(0, dtype=np.int64)
    if t.shape[0] >= 3:
        steps = np.diff(t)
        gaps = np.flatnonzero(steps > CSV_GAP_FACTOR * np.median(steps)) + 1
        del steps
    for array in (t, values):
        array.flags.writeable = False  # handed over: the capture keeps them, no copy
    return Capture(
        path=file,
        profile=glove,
        t=t,
        values=values,
        gap_starts=gaps,
        metadata={},
        source="",
        started_at=None,
        app_version=None,
        file_format="csv",
        format_version=0,
    )


# --------------------------------------------------------------------------------------
# profile


def _generic(names: Sequence[str], rate: float | None, where: str) -> GloveProfile:
    try:
        return generic_profile(names, rate)
    except ProfileError as err:
        raise CaptureError(f"{where}: {err}") from None


def _column_order(glove: GloveProfile, names: Sequence[str]) -> list[int] | None:
    """Index into ``names`` of each of the glove's channels, or None if they differ."""
    wanted = glove.channel_names
    if len(wanted) != len(names):
        return None
    for norm in (str, column_key):  # exact names first, then ignoring case and spacing
        position = {norm(n): i for i, n in enumerate(names)}
        order = [position.get(norm(n), -1) for n in wanted]
        if len(position) == len(names) and sorted(order) == list(range(len(names))):
            return order
    return None


def _match_profile(
    names: tuple[str, ...], profile: GloveProfile | str | None, where: str
) -> tuple[GloveProfile | None, list[int]]:
    """Return the glove and the header index of each of its channels (None: a generic one)."""
    if profile is not None:
        glove = profile if isinstance(profile, GloveProfile) else _load(profile, where)
        order = _column_order(glove, names)
        if order is None:
            keys = {column_key(n) for n in glove.channel_names}
            extra = [n for n in names if column_key(n) not in keys]
            have = {column_key(n) for n in names}
            missing = [n for n in glove.channel_names if column_key(n) not in have]
            detail = "; ".join(
                part
                for part in (
                    f"missing {', '.join(missing)}" if missing else "",
                    f"not in the glove: {', '.join(extra)}" if extra else "",
                )
                if part
            )
            raise CaptureError(
                f"{where}: CSV sensor columns do not match glove {glove.name!r} ({detail}; "
                f"the glove has {', '.join(glove.channel_names)})"
            )
        return glove, order
    for candidate in _bundled_profiles():
        order = _column_order(candidate, names)
        if order is not None:
            return candidate, order
    return None, list(range(len(names)))


def _load(name: str, where: str) -> GloveProfile:
    try:
        return load_profile(name)
    except ProfileError as err:
        raise CaptureError(f"{where}: {err}") from None


def _bundled_profiles() -> list[GloveProfile]:
    names = list(list_profiles())
    ordered = [DEFAULT_PROFILE, *(n for n in names if n != DEFAULT_PROFILE)]
    return [load_profile(n) for n in ordered if n in names]
