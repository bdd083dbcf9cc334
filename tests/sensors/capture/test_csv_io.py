"""CSV interchange: exact round trip, gap inference, profiles, errors (sensors.capture.csv_io)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from capture_helpers import make_blocks, other_profile, write  # type: ignore[import-not-found]

from sensors.capture import CSV_GAP_FACTOR, read_capture, read_csv, write_csv
from sensors.exceptions import CaptureError
from sensors.profiles import DEFAULT_PROFILE, GloveProfile, is_generic_profile, load_profile


def test_csv_round_trip_is_exact(tmp_path: Path, profile: GloveProfile) -> None:
    blocks = make_blocks(profile, n_blocks=8, gaps=frozenset({3}))
    write(tmp_path / "a.mtcap", profile, blocks)
    cap = read_capture(tmp_path / "a.mtcap")
    buf = io.StringIO()
    write_csv(cap, buf)
    text = buf.getvalue()
    assert text.splitlines()[0] == ",".join(("time_s", *profile.channel_names))
    assert len(text.splitlines()) == cap.n_samples + 1
    back = read_csv(io.StringIO(text))
    np.testing.assert_array_equal(back.t, cap.t)
    np.testing.assert_array_equal(back.values, cap.values)
    assert back.profile == profile  # recognised by its sensor names
    assert back.gap_starts.tolist() == cap.gap_starts.tolist() == [30]
    assert back.file_format == "csv"
    # through a file, recognised by content even with an unhelpful suffix
    out = tmp_path / "export.dat"
    write_csv(cap, out)
    again = read_capture(out)
    np.testing.assert_array_equal(again.values, cap.values)
    with pytest.raises(CaptureError, match="exists"):
        write_csv(cap, out)
    write_csv(cap, out, overwrite=True)


def test_csv_gap_inference_threshold(profile: GloveProfile) -> None:
    names = ",".join(profile.channel_names)
    zeros = ",".join("0" for _ in profile.channel_names)
    dt = 0.01
    # steps: dt, dt, just under the threshold, dt, just over it, dt
    times = [0.0, dt, 2 * dt]
    times.append(times[-1] + dt * (CSV_GAP_FACTOR - 0.01))
    times.append(times[-1] + dt)
    times.append(times[-1] + dt * (CSV_GAP_FACTOR + 0.01))
    times.append(times[-1] + dt)
    text = f"time_s,{names}\n" + "".join(f"{t!r},{zeros}\n" for t in times)
    cap = read_csv(io.StringIO(text))
    assert cap.gap_starts.tolist() == [5]


def test_csv_with_explicit_profile(profile: GloveProfile) -> None:
    names = ",".join(profile.channel_names)
    ones = ",".join("1.5" for _ in profile.channel_names)
    text = f"\ufefftime_s,{names}\r\n0,{ones}\r\n0.01,{ones}\r\n\r\n"
    cap = read_csv(io.StringIO(text), profile=DEFAULT_PROFILE)
    assert cap.n_samples == 2 and np.all(cap.values == 1.5)
    other = other_profile(profile)
    with pytest.raises(CaptureError, match="do not match"):
        read_csv(io.StringIO(text), profile=other)


AB_PROFILE = """
name = "ab"
protocol = "nus-text"
sample_rate_hz = 100.0
[[sensors]]
name = "a"
region = "palm"
position = [0.5, 0.5]
contact_area_mm2 = 100.0
saturation_n = 10.0
[[sensors]]
name = "b"
region = "thumb"
position = [0.1, 0.5]
contact_area_mm2 = 100.0
saturation_n = 10.0
"""


@pytest.fixture
def ab_profile(tmp_path: Path) -> Path:
    path = tmp_path / "ab.toml"
    path.write_text(AB_PROFILE)
    return path


def test_csv_with_unknown_columns_gets_a_generic_profile_or_the_named_one(
    tmp_path: Path, ab_profile: Path
) -> None:
    path = tmp_path / "ab.csv"
    path.write_text("time_s,a,b\n0,1,2\n0.01,3,4\n")
    for cap in (read_csv(path), read_capture(path)):  # no bundled glove has sensors a, b
        assert is_generic_profile(cap.profile) and cap.channel_names == ("a", "b")
    cap = read_csv(path, profile=str(ab_profile))
    assert cap.profile.name == "ab" and cap.values.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert read_capture(path, profile=load_profile(ab_profile)).n_samples == 2
    with pytest.raises(CaptureError, match="unknown glove profile"):
        read_csv(path, profile="no-such-glove")


@pytest.mark.parametrize(
    ("body", "line", "what"),
    [
        ("time,a\n", 1, "time_s"),
        ("", 1, "time_s"),
        ("time_s\n0\n", 1, "sensor name"),
        ("time_s,a,,b\n", 1, "sensor name"),
        ("time_s,a,a\n", 1, "repeats"),
        ("time_s,a,b\n0,1,2\n0.01,1\n", 3, "columns"),
        ("time_s,a,b\n0,1,2,3\n", 2, "columns"),
        ("time_s,a,b\n0,1,x\n", 2, "not a number"),
        ("time_s,a,b\n0,1,2\n0.01,nan,2\n", 3, "non-finite"),
        ("time_s,a,b\n0,1,2\n0.02,1,2\n0.01,1,2\n", 4, "not after"),
        ("time_s,a,b\n0,1,2\n0,1,2\n", 3, "not after"),
    ],
)
def test_malformed_csv_names_the_line(
    body: str, line: int, what: str, tmp_path: Path, ab_profile: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(body)
    with pytest.raises(CaptureError, match=what) as err:
        read_csv(path, profile=str(ab_profile))
    assert f"{path}:{line}:" in str(err.value)


def test_read_csv_missing_and_non_utf8(tmp_path: Path) -> None:
    with pytest.raises(CaptureError, match="no such"):
        read_csv(tmp_path / "nope.csv")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"time_s,a\n0,\xff\n")
    with pytest.raises(CaptureError, match="UTF-8"):
        read_csv(bad)
    with pytest.raises(CaptureError, match="UTF-8"):
        read_capture(bad)
