"""Hostile reference files and packs: one ``ReferenceFileError``/``StoreError`` line.

A reference's ``meta.json`` and a pack's ``pack.json`` (and the capture headers a pack
carries) are fed huge integers, NaN and infinities, wrong types, nested lists, long
strings and odd unicode, by hand and by Hypothesis; the CLI says each in one line and
exits 1. Each case pinned here by hand once escaped as another exception.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zipped_files  # type: ignore[import-not-found]
from hostile_values import HUGE, mutate  # type: ignore[import-not-found]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trainer.cli import main
from trainer.exceptions import ReferenceFileError, StoreError
from trainer.scoring import Reference
from trainer.store.database import Store
from trainer.store.packs import export_pack, import_pack
from trainer.store.references import ReferenceLibrary, decode_reference, encode_reference

FUZZ = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# -- reference files ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference_bytes() -> bytes:
    return encode_reference(ReferenceLibrary().get("effleurage-starter"))


def _version_1(doc: dict[str, Any]) -> None:
    """Make ``meta.json`` a version-1 file's (no performers)."""
    doc.update(version=1)
    doc.pop("performers")


def _at_rate(rate: float, version: int = 1) -> Callable[[dict[str, Any]], None]:
    """Edit ``meta.json`` to a file of this version at this sample rate."""

    def edit(doc: dict[str, Any]) -> None:
        if version == 1:
            _version_1(doc)
        doc["sample_rate_hz"] = rate

    return edit


def _refused(data: bytes) -> str:
    with pytest.raises(ReferenceFileError) as info:
        decode_reference(data, "hostile.mtref")
    said = str(info.value)
    assert "\n" not in said and said.startswith("hostile.mtref: not a valid reference file (")
    return said


def test_a_huge_integer_in_a_references_profile_names_the_field(reference_bytes) -> None:
    bad = zipped_files.rewrite(
        reference_bytes, meta=lambda d: d["profile"].update(sample_rate_hz=HUGE)
    )
    assert "profile: sample_rate_hz: must be a finite number, got an integer too large" in (
        _refused(bad)
    )


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize("rate", [2**31, 1e300, 1.5e6, 1e-300, 0.5])
def test_an_implausible_sample_rate_is_a_reference_file_error(
    reference_bytes, version: int, rate: float
) -> None:
    # Version 1 derives its smoothness at this rate: 2**31 Hz was a SignalError from the
    # filters, 1e-300 Hz an OverflowError from the jerk integral.
    said = _refused(zipped_files.rewrite(reference_bytes, meta=_at_rate(rate, version)))
    assert said.endswith("(sample_rate_hz must be 1 to 1e+06 Hz)")


def test_plausible_sample_rates_still_load(reference_bytes) -> None:
    for rate in (1, 1e6):
        assert (
            decode_reference(zipped_files.rewrite(reference_bytes, meta=_at_rate(rate))).fs_hz
            == rate
        )


def test_a_version_1_template_of_absurd_forces_is_a_reference_file_error(
    reference_bytes,
) -> None:
    # Its smoothness is derived from the template: 1e200 N overflowed the jerk integral.
    def huge(held: dict[str, np.ndarray]) -> None:
        held["template"] = held["template"] * 1e200
        held["band_hi"] = held["band_hi"] * 1e200
        held["band_lo"] = held["band_lo"] * 1e200

    said = _refused(zipped_files.rewrite(reference_bytes, meta=_version_1, arrays=huge))
    assert said.endswith("(template forces out of range for a smoothness calibration)")


@FUZZ
@given(data=st.data(), version=st.sampled_from([1, 2]))
def test_fuzzed_reference_meta_gives_a_reference_or_one_line(
    reference_bytes, data, version
) -> None:
    doc = json.loads(zipped_files.entries(reference_bytes)["meta.json"])
    if version == 1:
        _version_1(doc)
    doc = mutate(doc, data)

    def replace(given: dict[str, Any]) -> None:
        given.clear()
        given.update(doc)

    try:
        ref = decode_reference(zipped_files.rewrite(reference_bytes, meta=replace))
    except ReferenceFileError as err:
        assert "\n" not in str(err)
    else:
        assert isinstance(ref, Reference)


# -- packs -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pack(tmp_path_factory, session_in, effleurage_capture) -> Path:
    """A pack of one session (no attempts) and its reference."""
    home = tmp_path_factory.mktemp("hostile-pack-source")
    out = home / "one.mtpack"
    with Store(home) as store:
        sid = session_in(store, capture_from=effleurage_capture, end=True)
        export_pack(
            out,
            store=store,
            references=["effleurage-starter"],
            sessions=[sid],
            library=ReferenceLibrary(home / "references"),
        )
    return out


def _with_header(capture: bytes, edit: Callable[[dict[str, Any]], None]) -> bytes:
    """A native capture's bytes with its JSON header edited (its CRC made to match)."""
    magic, version, reserved, length, _ = struct.unpack_from("<8sHHII", capture)
    doc = json.loads(capture[20 : 20 + length])
    edit(doc)
    header = json.dumps(doc).encode()
    fixed = struct.pack("<8sHHII", magic, version, reserved, len(header), zlib.crc32(header))
    return fixed + header + capture[20 + length :]


def _huge_capture_rate(entries: dict[str, bytes]) -> dict[str, bytes]:
    name = "sessions/0/capture.mtcap"
    edit = _with_header(entries[name], lambda d: d["profile"].update(sample_rate_hz=HUGE))
    return {**entries, name: edit}


def _import_refused(pack: Path, tmp_path: Path, edit: Callable[..., dict[str, bytes]]) -> str:
    bad = tmp_path / "hostile.mtpack"
    bad.write_bytes(zipped_files.zipped(edit(zipped_files.entries(pack))))
    with Store(tmp_path) as store:
        with pytest.raises(StoreError) as info:
            import_pack(bad, store=store, library=ReferenceLibrary(tmp_path / "references"))
        assert store.sessions() == []
    said = str(info.value)
    assert "\n" not in said and said.startswith(f"{bad}: not a valid pack: ")
    return said


def test_a_huge_integer_in_a_packs_capture_header_is_a_store_error(pack, tmp_path) -> None:
    said = _import_refused(pack, tmp_path, _huge_capture_rate)
    assert "session 0: capture is corrupt (" in said and "sample_rate_hz: must be a finite" in said


@pytest.mark.parametrize("key", ["kind", "surface"])
def test_a_long_session_kind_or_surface_is_refused_in_a_short_line(pack, tmp_path, key) -> None:
    # The store's check quotes the text: a 100,000-character kind made as long a line.
    def edit(entries: dict[str, bytes]) -> dict[str, bytes]:
        manifest = json.loads(entries["pack.json"])
        manifest["sessions"][0][key] = "x" * 100_000
        return {**entries, "pack.json": json.dumps(manifest).encode()}

    said = _import_refused(pack, tmp_path, edit)
    assert said.endswith(f"session 0: '{key}' is too long") and len(said) < 300


def test_a_lone_surrogate_in_a_pack_manifest_is_refused_in_one_line(pack, tmp_path) -> None:
    # Found by the fuzzer below: a technique of "\ud800" reached the database's insert.
    def edit(entries: dict[str, bytes]) -> dict[str, bytes]:
        manifest = json.loads(entries["pack.json"])
        manifest["sessions"][0]["technique"] = "\ud800"
        return {**entries, "pack.json": json.dumps(manifest).encode()}

    said = _import_refused(pack, tmp_path, edit)
    assert said.endswith("pack.json holds text that is not valid Unicode")


@FUZZ
@given(data=st.data())
def test_fuzzed_pack_manifests_import_or_refuse_in_one_line(pack, tmp_path_factory, data) -> None:
    def edit(entries: dict[str, bytes]) -> dict[str, bytes]:
        manifest = mutate(json.loads(entries["pack.json"]), data)
        return {**entries, "pack.json": json.dumps(manifest).encode()}

    home = tmp_path_factory.mktemp("fuzzed-pack")
    bad = home / "fuzzed.mtpack"
    bad.write_bytes(zipped_files.zipped(edit(zipped_files.entries(pack))))
    with Store(home) as store:
        try:
            import_pack(bad, store=store, library=ReferenceLibrary(home / "references"))
        except StoreError as err:
            assert "\n" not in str(err)


# -- the command line --------------------------------------------------------------------


def test_the_cli_says_a_huge_number_in_one_line(
    pack, reference_bytes, effleurage_capture, tmp_path, capsys
) -> None:
    capture = tmp_path / "huge.mtcap"
    capture.write_bytes(
        _with_header(
            effleurage_capture.read_bytes(),
            lambda d: d["profile"].update(sample_rate_hz=HUGE),
        )
    )
    ref = tmp_path / "huge.mtref"
    ref.write_bytes(
        zipped_files.rewrite(
            reference_bytes, meta=lambda d: d["profile"].update(sample_rate_hz=HUGE)
        )
    )
    fast = tmp_path / "fast.mtref"
    fast.write_bytes(zipped_files.rewrite(reference_bytes, meta=_at_rate(2**31)))
    packed = tmp_path / "huge.mtpack"
    packed.write_bytes(zipped_files.zipped(_huge_capture_rate(zipped_files.entries(pack))))
    for argv, says in (
        (["info", str(capture)], "sample_rate_hz: must be a finite number"),
        (["score", str(capture), "--reference", "effleurage-starter"], "sample_rate_hz"),
        (["pack", "import", str(packed)], "capture is corrupt"),
        (["reference", "import", str(ref)], "sample_rate_hz: must be a finite number"),
        (["reference", "show", str(fast)], "sample_rate_hz must be 1 to 1e+06 Hz"),
    ):
        assert main(argv) == 1, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("massage-trainer: error:"), err
        assert says in err and "Traceback" not in err
