"""Reading a CSV's text: the dialect, the header, and rows streamed into float64 arrays.

The lexical half of :func:`sensors.capture.csv_io.read_csv` (which matches the columns
to a glove profile and makes the capture). Every problem is a one-line
:class:`~sensors.exceptions.CaptureError` naming ``file:line``.
"""

from __future__ import annotations

import csv
import math
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

import numpy as np

from sensors.exceptions import CaptureError

__all__ = [
    "Fail",
    "Header",
    "Rows",
    "column_key",
    "dialect",
    "read_header",
    "sep_line",
    "time_unit_of",
]

_TIME_HELP = "name it time_s, time (s), time_ms or t_ms"
_TIME_HEADER = re.compile(
    r"(?:time|t)\s*(?:_(?P<a>m?s)|\((?P<b>m?s)\)|\[(?P<c>m?s)\])?", re.IGNORECASE
)
# Excel's first line naming the separator; a spreadsheet re-saving it pads it with separators.
_SEP_LINE = re.compile(r'"?sep=(?P<d>[^"\r\n ])"?[,;\t|]*', re.IGNORECASE)
_DELIMITERS = ",;\t|"
_TIME_UNITS = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), "s"),
    **dict.fromkeys(("ms", "msec", "millisecond", "milliseconds"), "ms"),
}
_FORCE_UNITS = frozenset({"", "n", "newton", "newtons"})
# Cells converted at a time: small enough that the strings of one chunk are about 1 MB
# whatever the file size, large enough that the per-chunk numpy calls are cheap.
_CHUNK_CELLS = 16384
_COMMA_TO_POINT = operator.methodcaller("replace", ",", ".")
_NOT_UTF8 = "not valid UTF-8 text (save the CSV as UTF-8)"
_BAD_BYTES = re.compile("[\udc80-\udcff]")  # what surrogateescape decodes bad bytes to


def sep_line(line: str) -> str | None:
    """Return the separator an Excel ``sep=`` line names (None if it is not one)."""
    match = _SEP_LINE.fullmatch(line.rstrip("\r\n").strip(" "))
    return None if match is None else match["d"]


# --------------------------------------------------------------------------------------
# header


@dataclass(frozen=True, slots=True)
class Header:
    """What the header line says about the columns."""

    line_no: int
    fmt: dict[str, Any]  # csv.reader parameters (the dialect)
    columns: tuple[str, ...]  # the kept column names (trailing unnamed ones dropped)
    time_col: int
    time_unit: str  # "s", "ms", or "" (a bare "time": a units row must say)
    sensor_cols: tuple[int, ...]  # column of each sensor, in header order

    @property
    def names(self) -> tuple[str, ...]:
        """The sensor columns' names, in header order."""
        return tuple(self.columns[i] for i in self.sensor_cols)


def time_unit_of(cell: str) -> str | None:
    """Return the unit a time header says (``"s"``, ``"ms"``, ``""``), None if not one."""
    match = _TIME_HEADER.fullmatch(" ".join(cell.split()))
    if match is None:
        return None
    return (match["a"] or match["b"] or match["c"] or "").lower()


def column_key(name: str) -> str:
    """Sensor names match ignoring case, surrounding space, and space/hyphen vs underscore."""
    return re.sub(r"[\s\-]+", "_", name.strip()).casefold()


def dialect(header: str, delimiter: str | None) -> dict[str, Any]:
    """Reader parameters: the separator sniffed from the header (which has no numbers)."""
    quotechar = '"'
    try:
        sniffed = csv.Sniffer().sniff(header, delimiters=_DELIMITERS)
    except csv.Error:
        sniffed = None
    if sniffed is not None:
        quotechar = sniffed.quotechar or '"'
        delimiter = delimiter or sniffed.delimiter
    if delimiter is None:  # one column, or the sniffer gave up: the commonest candidate
        counts = {d: header.count(d) for d in _DELIMITERS}
        delimiter = max(counts, key=lambda d: counts[d])
    return {
        "delimiter": delimiter,
        "quotechar": quotechar,
        "doublequote": True,
        "skipinitialspace": True,
        "strict": False,
    }


def read_header(stream: TextIO, fail: Fail) -> Header:
    """Skip a BOM, blank and ``#`` lines and a ``sep=`` line; parse the header line."""
    line_no = 0
    delimiter: str | None = None
    while True:
        try:
            line = stream.readline()
        except UnicodeDecodeError:
            raise fail(line_no + 1, _NOT_UTF8) from None
        if not line:
            raise fail(max(line_no, 1), "empty CSV: no header line (time_s,<sensor names>)")
        line_no += 1
        line = line.lstrip("\ufeff") if line_no == 1 else line
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if delimiter is None and (delimiter := sep_line(line)) is not None:
            continue
        break
    if _BAD_BYTES.search(line):
        raise fail(line_no, _NOT_UTF8)
    fmt = dialect(line, delimiter)
    cells = [c.strip() for c in next(csv.reader([line], **fmt), [])]
    while cells and not cells[-1]:  # a trailing separator: an unnamed, empty column
        cells.pop()
    times = [(i, unit) for i, c in enumerate(cells) if (unit := time_unit_of(c)) is not None]
    if any(unit for _, unit in times):  # a sensor may be called "T" next to a time_s column
        times = [(i, unit) for i, unit in times if unit]
    if not times:
        first = cells[0][:40] if cells else ""
        raise fail(line_no, f"CSV header has no time column ({_TIME_HELP}; found {first!r})")
    if len(times) > 1:
        both = ", ".join(repr(cells[i]) for i, _ in times)
        raise fail(line_no, f"CSV header has more than one time column ({both})")
    time_col, unit = times[0]
    sensor_cols = tuple(i for i in range(len(cells)) if i != time_col)
    if not sensor_cols:
        raise fail(line_no, "CSV header needs at least one sensor name besides the time column")
    seen: set[str] = set()
    for i in sensor_cols:
        if not cells[i]:
            raise fail(line_no, f"CSV header has an empty sensor name (column {i + 1})")
        if column_key(cells[i]) in seen:
            raise fail(line_no, f"CSV header repeats a sensor name: {cells[i]!r}")
        seen.add(column_key(cells[i]))
    return Header(line_no, fmt, tuple(cells), time_col, unit, sensor_cols)


# --------------------------------------------------------------------------------------
# rows


class Fail:
    """Builds the one-line ``file:line: what`` errors."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, line_no: int, what: str) -> CaptureError:
        return CaptureError(f"{self.name}:{line_no}: {what}")


@dataclass(slots=True)
class Rows:
    """Streams data rows into float64 chunks: times (s) and values in ``order``."""

    header: Header
    fail: Fail
    # Called once the first row has been seen (so a units problem is reported first):
    # returns the header column of each output channel.
    choose: Callable[[], list[int]]
    order: list[int] = field(default_factory=list)
    unit: str = ""
    mark: str = ""  # the decimal mark seen so far: "", "." or ","
    last_t: float = -math.inf
    last_raw: float = -math.inf
    # Growing buffers (grown in place, doubling: large blocks are remapped, not copied,
    # and pages not yet written cost no memory), trimmed in place at the end.
    t_buf: np.ndarray = field(default_factory=lambda: np.zeros(0))
    v_buf: np.ndarray | None = None
    n: int = 0

    def read(self, stream: TextIO) -> tuple[np.ndarray, np.ndarray]:
        """Read every row; return times ``(n,)`` in seconds and values ``(n, c)``."""
        header, width = self.header, len(self.header.columns)
        chunk_rows = max(1, _CHUNK_CELLS // width)
        reader = csv.reader(stream, **header.fmt)
        offset = header.line_no  # reader.line_num counts the lines after the header
        rows: list[list[str]] = []
        lines: list[int] = []
        first = True
        try:
            for row in reader:
                if len(row) != width:
                    if not any(c.strip() for c in row):
                        continue  # a blank line, or a row of separators only
                    if len(row) > width and not any(c.strip() for c in row[width:]):
                        row = row[:width]  # a trailing empty column
                    else:
                        raise self.fail(
                            offset + reader.line_num,
                            f"expected {width} columns, found {len(row)}",
                        )
                elif not row[0].strip() and not any(c.strip() for c in row):
                    continue
                if first:
                    first = False
                    units_row = self._units(row, offset + reader.line_num)
                    self.order = self.choose()
                    if units_row:
                        continue
                rows.append(row)
                lines.append(offset + reader.line_num)
                if len(rows) >= chunk_rows:
                    self._convert(rows, lines)
                    rows, lines = [], []
        except UnicodeDecodeError:
            raise self.fail(offset + reader.line_num + 1, _NOT_UTF8) from None
        except csv.Error as err:
            raise self.fail(offset + reader.line_num, f"unreadable CSV row ({err})") from None
        if first:
            self._units(None, header.line_no)
            self.order = self.choose()
        if rows:
            self._convert(rows, lines)
        c = len(self.order)
        if self.v_buf is None:
            return np.zeros(0), np.zeros((0, c))
        t, values = self.t_buf, self.v_buf
        self.t_buf, self.v_buf = np.zeros(0), None
        t.resize(self.n, refcheck=False)
        values.resize((self.n, c), refcheck=False)
        return t, values

    def _units(self, row: list[str] | None, line_no: int) -> bool:
        """Settle the time unit from the header, or from a units row (a first row of no numbers).

        Returns
        -------
        bool
            True if ``row`` is a units row (not data).
        """
        header = self.header
        said = header.time_unit
        if row is None or any(_is_float(c.replace(",", ".")) for c in row):
            if not said:
                raise self.fail(
                    header.line_no,
                    f"time column {header.columns[header.time_col]!r} does not say its unit: "
                    f"{_TIME_HELP}, or add a units row",
                )
            self.unit = said
            return False
        if any(_BAD_BYTES.search(c) for c in row):
            raise self.fail(line_no, _NOT_UTF8)
        cells = [c.strip().strip("()[]").strip().casefold() for c in row]
        unit = _TIME_UNITS.get(cells[header.time_col], None if cells[header.time_col] else "")
        if unit is None:
            raise self.fail(
                line_no,
                f"neither numbers nor units: time unit {row[header.time_col].strip()[:40]!r} "
                "(expected s or ms)",
            )
        for i in header.sensor_cols:
            if cells[i] not in _FORCE_UNITS:
                raise self.fail(
                    line_no,
                    f"units row: {header.columns[i]!r} is in {row[i].strip()[:40]!r}; "
                    "sensor values must be newtons (N)",
                )
        if said and unit and unit != said:
            raise self.fail(line_no, f"units row says {unit!r} but the header says {said!r}")
        if not (said or unit):
            raise self.fail(line_no, "units row does not give the time unit (s or ms)")
        self.unit = said or unit
        return True

    def _convert(self, rows: list[list[str]], lines: list[int]) -> None:
        """Convert one chunk of rows: checks, then append times and values."""
        header = self.header
        flat = [cell for row in rows for cell in row]
        joined = "\x1f".join(flat)  # one scan per chunk for the decimal marks
        comma, point = "," in joined, "." in joined
        if (comma and (point or self.mark == ".")) or (point and self.mark == ","):
            raise self._mixed_marks(rows, lines)
        if comma or point:
            self.mark = "," if comma else "."
        cells: Iterator[str] = map(_COMMA_TO_POINT, flat) if comma else iter(flat)
        try:
            table = np.fromiter(map(float, cells), dtype=np.float64, count=len(flat))
        except ValueError:
            raise self._not_a_number(rows, lines) from None
        del flat, joined
        table = table.reshape(len(rows), len(header.columns))
        finite = np.isfinite(table).all(axis=1)
        if not finite.all():
            bad = int(np.argmin(finite))
            raise self.fail(lines[bad], "non-finite value (nan or inf)")
        raw = table[:, header.time_col]
        t = raw / 1000.0 if self.unit == "ms" else raw.copy()
        previous = np.concatenate(([self.last_t], t[:-1]))
        late = np.flatnonzero(t <= previous)
        if late.size:
            i = int(late[0])
            before = self.last_raw if i == 0 else float(raw[i - 1])
            name = header.columns[header.time_col]
            raise self.fail(
                lines[i], f"{name} {float(raw[i])!r} is not after the previous {before!r}"
            )
        self.last_t, self.last_raw = float(t[-1]), float(raw[-1])
        end = self.n + t.size
        if self.v_buf is None:
            self.t_buf = np.empty(max(end, 4096))
            self.v_buf = np.empty((self.t_buf.size, len(self.order)))
        elif end > self.t_buf.size:
            size = max(end, 2 * self.t_buf.size)
            self.t_buf.resize(size, refcheck=False)
            self.v_buf.resize((size, len(self.order)), refcheck=False)
        self.t_buf[self.n : end] = t
        self.v_buf[self.n : end] = table[:, self.order]  # in the profile's channel order
        self.n = end

    def _mixed_marks(self, rows: list[list[str]], lines: list[int]) -> CaptureError:
        mark = self.mark
        for row, line_no in zip(rows, lines, strict=True):
            for cell in row:
                if "," in cell and "." in cell:
                    return self.fail(
                        line_no,
                        f"{cell.strip()[:40]!r}: thousands separators are not accepted",
                    )
                here = "," if "," in cell else "." if "." in cell else ""
                if here and mark and here != mark:
                    return self.fail(
                        line_no,
                        f"{cell.strip()[:40]!r} mixes decimal commas and points in one file "
                        "(thousands separators are not accepted)",
                    )
                mark = here or mark
        return self.fail(lines[0], "mixes decimal commas and points")

    def _not_a_number(self, rows: list[list[str]], lines: list[int]) -> CaptureError:
        columns = self.header.columns
        for row, line_no in zip(rows, lines, strict=True):
            for col, cell in enumerate(row):
                if not _is_float(cell.replace(",", ".")):
                    if _BAD_BYTES.search(cell):
                        return self.fail(line_no, _NOT_UTF8)
                    if not cell.strip():
                        return self.fail(line_no, f"empty cell in column {columns[col]!r}")
                    return self.fail(
                        line_no, f"not a number in column {columns[col]!r}: {cell.strip()[:40]!r}"
                    )
        return self.fail(lines[0], "not a number")


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
