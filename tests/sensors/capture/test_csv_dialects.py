"""CSV as spreadsheets and other gloves' software write it (issue 15, "CSV as people have it").

Every dialect is read to the very same samples as the plain ``time_s,<sensors>`` CSV that
``write_csv`` writes; a generic profile stands in for a glove with no bundled profile;
errors still name the line; memory stays near the file's size.
"""

from __future__ import annotations

import csv
import io
import tempfile
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensors.capture import Capture, read_capture, read_csv, write_csv
from sensors.capture.csv_io import TIME_HEADERS
from sensors.exceptions import CaptureError
from sensors.profiles import (
    DEFAULT_PROFILE,
    GloveProfile,
    generic_profile_notice,
    is_generic_profile,
    load_profile,
)

GLOVE = load_profile(DEFAULT_PROFILE)
NAMES = GLOVE.channel_names  # palm_heel, palm, thumb, index, middle, ring, little
# Three samples in the glove's channel order; values a spreadsheet shows as typed.
T = [0.0, 0.005, 0.01]
V = [
    [1.5, 0.0, 2.25, 0.125, 3.0, 0.5, 10.75],
    [1.25, 0.5, 2.5, 0.25, 3.5, 0.75, 11.0],
    [1.0, 1.0, 2.75, 0.375, 4.0, 1.0, 11.25],
]


def _num(x: float, comma: bool = False) -> str:
    text = repr(x)
    return text.replace(".", ",") if comma else text


def _lines(
    names: tuple[str, ...] = NAMES,
    *,
    sep: str = ",",
    time_header: str = "time_s",
    scale: float = 1.0,
    comma: bool = False,
    quote: bool = False,
) -> list[str]:
    """Header and rows (no line ends), columns in ``names`` order."""
    col = [NAMES.index(n) for n in names]
    q = (lambda s: f'"{s}"') if quote else (lambda s: s)
    rows = [sep.join(q(c) for c in (time_header, *names))]
    for t, v in zip(T, V, strict=True):
        cells = [_num(t * scale, comma), *(_num(v[i], comma) for i in col)]
        rows.append(sep.join(q(c) for c in cells))
    return rows


def _write(tmp_path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    path = tmp_path / "take.csv"
    path.write_bytes(text.encode(encoding))
    return path


def _assert_reference_samples(cap: Capture) -> None:
    assert cap.profile == GLOVE and cap.file_format == "csv"
    np.testing.assert_array_equal(cap.t, T)
    np.testing.assert_array_equal(cap.values, V)


def _read_both(path: Path, **kw: object) -> list[Capture]:
    """Through ``read_csv`` and through ``read_capture`` (format recognised by content)."""
    return [read_csv(path, **kw), read_capture(path, **kw)]  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------
# one test per dialect


def test_libreoffice_quote_all(tmp_path: Path) -> None:
    path = _write(tmp_path, "\n".join(_lines(quote=True)) + "\n")
    for cap in _read_both(path):
        _assert_reference_samples(cap)


def test_excel_utf8_bom_crlf_and_sep_line(tmp_path: Path) -> None:
    text = "\ufeffsep=,\r\n" + "\r\n".join(_lines()) + "\r\n"
    for cap in _read_both(_write(tmp_path, text)):
        _assert_reference_samples(cap)


def test_sep_line_overrides_the_sniffer_and_may_be_padded(tmp_path: Path) -> None:
    # A spreadsheet that re-saves an Excel file pads the sep= line with separators.
    text = "sep=;;;;;;;;\n" + "\n".join(_lines(sep=";")) + "\n"
    for cap in _read_both(_write(tmp_path, text)):
        _assert_reference_samples(cap)


def test_utf16_tab_separated_excel_unicode_text(tmp_path: Path) -> None:
    text = "\ufeff" + "\r\n".join(_lines(sep="\t")) + "\r\n"
    for cap in _read_both(_write(tmp_path, text, encoding="utf-16-le")):
        _assert_reference_samples(cap)


def test_old_mac_cr_line_ends(tmp_path: Path) -> None:
    for cap in _read_both(_write(tmp_path, "\r".join(_lines()) + "\r")):
        _assert_reference_samples(cap)


def test_comment_lines_blank_lines_and_rows_of_separators_are_skipped(tmp_path: Path) -> None:
    header, *rows = _lines(sep=";")
    empty = ";" * len(NAMES)
    text = "# glove export v2\n\n" + "\n".join([header, rows[0], empty, "", *rows[1:], empty])
    for cap in _read_both(_write(tmp_path, text + "\n")):
        _assert_reference_samples(cap)


def test_trailing_empty_column(tmp_path: Path) -> None:
    # Every line ends with a separator: an unnamed column, empty in every row.
    text = "".join(line + ",\n" for line in _lines())
    for cap in _read_both(_write(tmp_path, text)):
        _assert_reference_samples(cap)
    # only the header has the extra separator (or only the rows): the same
    lines = _lines()
    for text in (lines[0] + ",\n" + "\n".join(lines[1:]) + "\n",
                 lines[0] + "\n" + "".join(r + ",\n" for r in lines[1:])):  # fmt: skip
        _assert_reference_samples(read_csv(io.StringIO(text)))


@pytest.mark.parametrize(
    ("units", "time_header"),
    [
        ("s," + ",".join("N" for _ in NAMES), "time_s"),
        ("(s)," + ",".join("(N)" for _ in NAMES), "time"),
        ("[s]," + ",".join("[N]" for _ in NAMES), "t"),
        ("s," + ",".join("" for _ in NAMES), "time"),
        ("," + ",".join("N" for _ in NAMES), "time (s)"),
    ],
)
def test_units_row(tmp_path: Path, units: str, time_header: str) -> None:
    lines = _lines(time_header=time_header)
    text = "\n".join([lines[0], units, *lines[1:]]) + "\n"
    for cap in _read_both(_write(tmp_path, text)):
        _assert_reference_samples(cap)


def test_units_row_in_milliseconds_scales_a_bare_time_column() -> None:
    lines = _lines(time_header="Time", scale=1000.0)
    text = "\n".join([lines[0], "ms," + ",".join("N" for _ in NAMES), *lines[1:]]) + "\n"
    cap = read_csv(io.StringIO(text))
    np.testing.assert_array_equal(cap.t, [x * 1000.0 / 1000.0 for x in T])
    np.testing.assert_array_equal(cap.values, V)


def test_semicolons_with_decimal_commas(tmp_path: Path) -> None:
    # German/French Excel: sep=; ... 0,005;1,5;...
    text = "sep=;\r\n" + "\r\n".join(_lines(sep=";", comma=True)) + "\r\n"
    for cap in _read_both(_write(tmp_path, text)):
        _assert_reference_samples(cap)
    # and sniffed without the sep= line, quoted or not
    for quote in (False, True):
        text = "\n".join(_lines(sep=";", comma=True, quote=quote)) + "\n"
        _assert_reference_samples(read_csv(io.StringIO(text)))


def test_comma_separated_with_quoted_decimal_commas() -> None:
    text = "\n".join(_lines(sep=",", comma=True, quote=True)) + "\n"
    _assert_reference_samples(read_csv(io.StringIO(text)))


def test_columns_in_any_order_matched_by_name(tmp_path: Path) -> None:
    shuffled = tuple(reversed(NAMES))
    lines = _lines(shuffled)
    # the time column need not come first either
    moved = [",".join([*r.split(",")[1:4], r.split(",")[0], *r.split(",")[4:]]) for r in lines]
    for text_lines in (lines, moved):
        path = _write(tmp_path, "\n".join(text_lines) + "\n")
        for cap in _read_both(path):  # recognised as the bundled glove
            _assert_reference_samples(cap)
        for cap in _read_both(path, profile=DEFAULT_PROFILE):  # or named: --profile
            _assert_reference_samples(cap)


def test_sensor_names_match_ignoring_case_and_spacing() -> None:
    names = tuple(n.replace("_", " ").title() for n in NAMES)  # "Palm Heel", "Palm", ...
    _, *rows = _lines()
    text = ",".join(("Time (s)", *names)) + "\n" + "\n".join(rows) + "\n"
    _assert_reference_samples(read_csv(io.StringIO(text)))


@pytest.mark.parametrize("time_header", TIME_HEADERS)
def test_documented_time_headers(tmp_path: Path, time_header: str) -> None:
    ms = "ms" in time_header
    path = _write(tmp_path, "\n".join(_lines(time_header=time_header, scale=1000.0 if ms else 1.0)))
    for cap in _read_both(path):
        expected = [t * 1000.0 / 1000.0 for t in T] if ms else T
        np.testing.assert_array_equal(cap.t, expected)  # milliseconds become seconds
        np.testing.assert_array_equal(cap.values, V)


def test_milliseconds_are_divided_by_1000_exactly() -> None:
    ms = [0.0, 4.9, 10.3, 15.1]
    text = "t_ms,a\n" + "".join(f"{x!r},1\n" for x in ms)
    cap = read_csv(io.StringIO(text))
    assert cap.t.tolist() == [x / 1000.0 for x in ms]


# --------------------------------------------------------------------------------------
# a glove with no bundled profile


def test_unknown_glove_gets_a_generic_profile_from_its_header(tmp_path: Path) -> None:
    text = "Time (ms);Finger 1;Finger 2;Heel;\n" + "".join(
        f"{5 * i};{i},5;0;{2 * i};\n" for i in range(40)
    )
    for cap in _read_both(_write(tmp_path, text)):
        profile = cap.profile
        assert is_generic_profile(profile)
        assert profile.channel_names == ("Finger 1", "Finger 2", "Heel")
        assert len(set(profile.regions)) == 1  # regions unknown: no per-region shares
        assert profile.sample_rate_hz == 200.0  # from the time column
        assert cap.values[3].tolist() == [3.5, 0.0, 6.0]
        notice = generic_profile_notice(profile)
        assert notice is not None and "\n" not in notice
        assert "generic profile" in notice and "heatmap" in notice and "Finger 1" in notice
    assert generic_profile_notice(GLOVE) is None  # no notice for a real glove


def test_generic_profile_survives_being_embedded(tmp_path: Path) -> None:
    cap = read_csv(io.StringIO("time_s,x,y\n0,1,2\n0.01,3,4\n"))
    again = GloveProfile.from_dict(cap.profile.to_dict())
    assert is_generic_profile(again) and again == cap.profile


def test_a_named_profile_that_does_not_fit_says_what_differs() -> None:
    text = "time_s,palm_heel,palm,thumb,index,middle,ring,pinky\n0,1,2,3,4,5,6,7\n"
    with pytest.raises(CaptureError, match="do not match") as err:
        read_csv(io.StringIO(text), profile=DEFAULT_PROFILE)
    assert "missing little" in str(err.value) and "not in the glove: pinky" in str(err.value)
    # without a profile it is a glove of its own
    assert is_generic_profile(read_csv(io.StringIO(text)).profile)


def test_a_sensor_called_t_is_a_sensor_next_to_a_time_column() -> None:
    cap = read_csv(io.StringIO("T,I,time_ms,Time\n1,2,0,3\n1,2,5,3\n"))
    assert cap.channel_names == ("T", "I", "Time") and cap.t.tolist() == [0.0, 0.005]


def test_too_many_sensors_for_a_profile_is_a_one_line_error() -> None:
    header = "time_s," + ",".join(f"s{i}" for i in range(40))
    with pytest.raises(CaptureError, match="between 1 and 32 sensors"):
        read_csv(io.StringIO(header + "\n"))


# --------------------------------------------------------------------------------------
# errors keep naming the line


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        # the sep= line and a blank line count: the bad cell is on line 5
        ("sep=;\n\ntime_s;a;b\n0;1;2\n0,01;1;x\n", 5, "not a number in column 'b'"),
        ('"time_s","a","b"\n"0","1",""\n', 2, "empty cell in column 'b'"),
        ("time_s;a;b\n0;1,5;2\n0.01;1;2\n", 3, "mixes decimal commas and points"),
        ("time_s;a;b\n0;1.234,5;2\n", 2, "thousands separators"),
        ("time_s,a,b\ns,kPa,N\n0,1,2\n", 2, "'a' is in 'kPa'; sensor values must be newtons"),
        ("time_s,a,b\nms,N,N\n0,1,2\n", 2, "units row says 'ms' but the header says 's'"),
        ("time,a,b\n0,1,2\n", 1, "does not say its unit"),
        ("time_s,t_ms,a\n0,0,1\n", 1, "more than one time column"),
        ("stamp,a,b\n0,1,2\n", 1, "no time column"),
        ("time_s,a,A\n", 1, "repeats a sensor name"),
        ("time_s;a;b\n0;1;2\n0,01;1;2;3\n", 3, "expected 3 columns, found 4"),
        ("time_ms,a\n0,1\n5,1\n5,1\n", 4, "time_ms 5.0 is not after the previous 5.0"),
    ],
)
def test_errors_name_the_line(tmp_path: Path, text: str, line: int, what: str) -> None:
    path = _write(tmp_path, text)
    # read_capture calls a text with no time column no capture at all (next test)
    for read in (read_csv,) if "no time column" in what else (read_csv, read_capture):
        with pytest.raises(CaptureError) as err:
            read(path)
        message = str(err.value)
        assert "\n" not in message
        assert message.startswith(f"{path}:{line}: "), message
        assert what in message


def test_bytes_that_are_not_utf8_are_reported_on_their_own_line(tmp_path: Path) -> None:
    # far beyond the decoder's first block, and in the header
    rows = b"".join(b"%d,1\n" % i for i in range(3000))
    for data, line in ((b"time_s,a\n" + rows + b"3000,\xff\n", 3002), (b"time_s,\xe9\n0,1\n", 1)):
        path = tmp_path / "latin.csv"
        path.write_bytes(data)
        for read in (read_csv, read_capture):
            with pytest.raises(CaptureError, match=f"^{path}:{line}: not valid UTF-8"):
                read(path)


def test_not_a_capture_names_the_accepted_time_headers(tmp_path: Path) -> None:
    path = _write(tmp_path, "stamp,a\n0,1\n")
    with pytest.raises(CaptureError, match="time_s, time \\(s\\), time_ms or t_ms"):
        read_capture(path)


# --------------------------------------------------------------------------------------
# memory


def test_reading_a_csv_needs_little_more_memory_than_the_file(tmp_path: Path) -> None:
    n = 30_000  # about 4 MB written by write_csv
    rng = np.random.default_rng(7)
    cap = Capture(None, GLOVE, np.arange(n) / 200.0, rng.gamma(2.0, 3.0, size=(n, len(NAMES))))
    path = tmp_path / "big.csv"
    write_csv(cap, path)
    size = path.stat().st_size
    assert size > 3_000_000
    for read in (read_csv, read_capture):
        tracemalloc.start()
        try:
            back = read(path)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        np.testing.assert_array_equal(back.values, cap.values)
        assert peak < 2.5 * size, f"{read.__name__}: peak {peak} B for a {size} B file"
        del back


# --------------------------------------------------------------------------------------
# any mix of the dialects reads back to the same samples


@st.composite
def _dialect_cases(draw: st.DrawFn) -> tuple[bytes, list[str], np.ndarray, np.ndarray, bool]:
    bundled = draw(st.booleans())
    names = list(NAMES) if bundled else ["left", "right", "heel"]
    order = draw(st.permutations(names))
    n = draw(st.integers(1, 12))
    steps = draw(st.lists(st.integers(1, 2000), min_size=n, max_size=n))
    ms = draw(st.booleans())
    # times on a 0.25 ms grid; in ms they are written as such, in s as their repr
    t_ms = np.cumsum(steps) * 0.25
    values = np.array(
        draw(
            st.lists(
                st.lists(
                    st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False),
                    min_size=len(names),
                    max_size=len(names),
                ),
                min_size=n,
                max_size=n,
            )
        )
    )
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    quote_all = draw(st.booleans())
    # a decimal comma needs another separator, or quotes (csv quotes "1,5" when it must)
    comma = draw(st.booleans())
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    bom = draw(st.booleans())
    sep_line = draw(st.booleans())
    units = draw(st.booleans())
    trailing = draw(st.booleans())
    time_header = draw(st.sampled_from([h for h in TIME_HEADERS if ("ms" in h) == ms]))
    time_at = draw(st.integers(0, len(names)))

    def num(x: float) -> str:
        return repr(float(x)).replace(".", ",") if comma else repr(float(x))

    buf = io.StringIO()
    writer = csv.writer(
        buf,
        delimiter=delimiter,
        lineterminator=ending,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    if sep_line:
        buf.write(f"sep={delimiter}{ending}")
    extra = [""] if trailing else []
    header = list(order)
    header.insert(time_at, time_header)
    writer.writerow(header + extra)
    if units:
        unit_row = ["N"] * len(order)
        unit_row.insert(time_at, "ms" if ms else "s")
        writer.writerow(unit_row + extra)
    for i in range(n):
        row = [num(values[i, names.index(name)]) for name in order]
        row.insert(time_at, num(t_ms[i] if ms else t_ms[i] / 1000.0))
        writer.writerow(row + extra)
    text = ("\ufeff" if bom else "") + buf.getvalue()
    # A bundled glove's channels come in its own order; a generic one's in the file's.
    channels = names if bundled else list(order)
    expected = values[:, [names.index(c) for c in channels]]
    return text.encode("utf-8"), channels, t_ms / 1000.0, expected, bundled


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=_dialect_cases())
def test_every_mix_of_dialects_reads_back_the_same_samples(
    case: tuple[bytes, list[str], np.ndarray, np.ndarray, bool],
) -> None:
    data, names, t, values, bundled = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "any.csv"
        path.write_bytes(data)
        for cap in _read_both(path):
            np.testing.assert_array_equal(cap.t, t)
            np.testing.assert_array_equal(cap.values, values)
            assert cap.channel_names == tuple(names)
            assert (cap.profile == GLOVE) if bundled else is_generic_profile(cap.profile)
