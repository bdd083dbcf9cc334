"""Hypothesis fuzzing of what users import: reference files and CSV recordings.

Whatever the bytes, reading gives a valid object or the one documented error
(``ReferenceFileError``; ``CaptureError``/``ProfileError`` for CSV), and the CLI turns it
into one line on stderr with exit code 1.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import zipped_files  # type: ignore[import-not-found]
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from sensors.capture import read_csv
from sensors.exceptions import CaptureError, ProfileError
from trainer.cli import main
from trainer.exceptions import ReferenceFileError
from trainer.scoring import Reference
from trainer.store.references import ReferenceLibrary, decode_reference, encode_reference

FUZZ = settings(max_examples=120, deadline=None)


@pytest.fixture(scope="module")
def reference_bytes() -> bytes:
    return encode_reference(ReferenceLibrary().get("effleurage-starter"))


def _decodes_or_refuses(data: bytes) -> None:
    try:
        ref = decode_reference(data, "fuzzed.mtref")
    except ReferenceFileError as err:
        assert "\n" not in str(err)
    else:
        assert isinstance(ref, Reference)


def _containers(inner: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    _containers,
    max_leaves=12,
)


def _paths(doc: object, prefix: tuple = ()) -> list[tuple]:
    """Every key path into a JSON document (dict keys and list indices)."""
    out = [prefix] if prefix else []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, (*prefix, i))
    return out


@FUZZ
@given(data=st.data())
def test_reference_metadata_fuzz(reference_bytes, data) -> None:
    entries = zipped_files.entries(reference_bytes)
    doc = json.loads(entries["meta.json"])
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(doc)))
        target = doc
        for key in path[:-1]:
            target = target[key]
        if data.draw(st.booleans()) and isinstance(target, dict):
            del target[path[-1]]
        else:
            target[path[-1]] = data.draw(json_values)
    entries["meta.json"] = json.dumps(doc).encode()
    _decodes_or_refuses(zipped_files.zipped(entries))


@FUZZ
@given(data=st.data())
def test_reference_array_fuzz(reference_bytes, data) -> None:
    entries = zipped_files.entries(reference_bytes)
    with np.load(io.BytesIO(entries["arrays.npz"])) as npz:
        arrays_ = {k: npz[k] for k in npz.files}
    name = data.draw(st.sampled_from(sorted(arrays_)))
    dtype = data.draw(st.sampled_from([np.float64, np.float32, np.int16, np.bool_, np.uint8]))
    arrays_[name] = data.draw(arrays(dtype, array_shapes(min_dims=0, max_dims=3, max_side=8)))
    buf = io.BytesIO()
    np.savez(buf, **arrays_)
    entries["arrays.npz"] = buf.getvalue()
    _decodes_or_refuses(zipped_files.zipped(entries))


@FUZZ
@given(
    flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=6),
    keep=st.floats(0, 1),
)
def test_reference_byte_fuzz(reference_bytes, flips, keep) -> None:
    raw = bytearray(reference_bytes)
    for where, value in flips:
        raw[min(int(where * len(raw)), len(raw) - 1)] = value
    _decodes_or_refuses(bytes(raw[: round(keep * len(raw))] if keep < 0.5 else raw))


_CELLS = st.sampled_from(["0", "1.5", "-2", "1e308", "1e999", "nan", "inf", "", "x", " 3 ", "0x1"])
_HEADERS = [
    "time_s,thumb,index,middle,palm,heel",
    "time_s,thumb,index,middle,palm",
    "time,thumb,index,middle,palm,heel",
    "\ufefftime_s,thumb,index,middle,palm,heel",
    "",
]


@FUZZ
@given(
    header=st.sampled_from(_HEADERS),
    rows=st.lists(st.lists(_CELLS | st.floats(0, 50).map(repr), max_size=7), max_size=12),
    profile=st.sampled_from([None, "diy-fsr5", "reference-glove"]),
    monotone=st.booleans(),
)
def test_csv_fuzz_gives_a_capture_or_a_one_line_error(header, rows, profile, monotone) -> None:
    lines = [header]
    for i, row in enumerate(rows):
        # Half the runs get a well-formed time column, so values are fuzzed past it.
        lines.append(",".join([f"{i / 100}", *row[1:]] if monotone else row))
    text = "\n".join(lines) + "\n"
    try:
        cap = read_csv(io.StringIO(text), profile=profile)
    except (CaptureError, ProfileError) as err:
        assert "\n" not in str(err)
    else:
        assert np.all(np.isfinite(cap.values)) and np.all(np.diff(cap.t) > 0)


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        ("ref", b"PK\x03\x04 not really a zip"),
        ("ref", b""),
        ("ref-meta", {"version": "one"}),
        ("csv", "time_s,thumb,index,middle,palm,heel\n0,1,2,3,4,nan\n"),
        ("csv", "time_s,a,a\n0,1,2\n"),
        ("csv", "\x00\x01\x02"),
        ("pack", b"PK\x05\x06" + b"\x00" * 18),
    ],
)
def test_the_cli_reports_bad_imports_in_one_line(
    kind, content, reference_bytes, tmp_path, capsys
) -> None:
    if kind == "ref-meta":
        entries = zipped_files.entries(reference_bytes)
        entries["meta.json"] = json.dumps({**json.loads(entries["meta.json"]), **content}).encode()
        content = zipped_files.zipped(entries)
    suffix = {"ref": ".mtref", "ref-meta": ".mtref", "csv": ".csv", "pack": ".mtpack"}[kind]
    bad = tmp_path / f"bad{suffix}"
    if isinstance(content, str):
        bad.write_text(content)
    else:
        bad.write_bytes(content)
    commands = {
        ".mtref": [["reference", "import", str(bad)], ["reference", "show", str(bad)]],
        ".csv": [
            ["score", str(bad), "--reference", "effleurage-starter"],
            ["info", str(bad)],
        ],
        ".mtpack": [["pack", "import", str(bad)]],
    }[suffix]
    for argv in commands:
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("massage-trainer: error:"), err
        assert "Traceback" not in err
