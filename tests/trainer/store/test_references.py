from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from trainer.exceptions import ReferenceFileError
from trainer.store.references import ReferenceLibrary, load_reference, save_reference


@pytest.fixture
def library() -> ReferenceLibrary:
    return ReferenceLibrary()


def test_bundled_starters_are_listed_and_load(library: ReferenceLibrary) -> None:
    names = library.names()
    for technique in ("effleurage", "petrissage", "friction", "tapotement"):
        ref = library.get(f"{technique}-starter")
        assert ref.technique == technique and f"{technique}-starter" in names
        assert "SYNTHETIC" in ref.notes and "et al." in ref.notes
        assert np.all(ref.band_lo <= ref.band_hi)


def test_round_trip_is_exact_and_byte_stable(library: ReferenceLibrary, tmp_path) -> None:
    ref = library.get("friction-starter")
    a = save_reference(ref, tmp_path / "a.mtref")
    b = save_reference(load_reference(a), tmp_path / "b.mtref")
    assert a.read_bytes() == b.read_bytes()
    again = load_reference(b)
    np.testing.assert_array_equal(again.template, ref.template)
    assert again.profile == ref.profile and again.weights == ref.weights


def test_import_export_and_shadowing(library: ReferenceLibrary, tmp_path) -> None:
    out = library.export("petrissage-starter", tmp_path / "p.mtref")
    with pytest.raises(ReferenceFileError, match="already exists"):
        library.import_file(out)
        library.import_file(out)
    assert library.origin("petrissage-starter") == "user"
    with pytest.raises(ReferenceFileError, match=r"unknown reference 'nope' \(known: "):
        library.get("nope")


def _rewrite(src, tmp_path, *, meta=None, arrays=None, extra=None):
    with zipfile.ZipFile(src) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    if meta is not None:
        doc = json.loads(entries["meta.json"])
        meta(doc)
        entries["meta.json"] = json.dumps(doc).encode()
    if arrays is not None:
        with np.load(io.BytesIO(entries["arrays.npz"])) as npz:
            data = {k: npz[k] for k in npz.files}
        arrays(data)
        buf = io.BytesIO()
        np.savez(buf, **data)
        entries["arrays.npz"] = buf.getvalue()
    if extra:
        entries.update(extra)
    path = tmp_path / "bad.mtref"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"meta": lambda d: d.update(version=9)}, "unsupported version"),
        ({"meta": lambda d: d.update(format="x")}, "format marker"),
        ({"meta": lambda d: d["profile"].pop("sensors")}, "sensors"),
        ({"meta": lambda d: d.update(weights={"shape": 1})}, "weights"),
        ({"meta": lambda d: d.update(duration_s=[3, 2, 1])}, "duration_s"),
        ({"meta": lambda d: d.update(name="../../evil")}, "invalid name"),
        ({"arrays": lambda a: a.update(band_lo=a["band_lo"][:-1])}, "band_lo has shape"),
        ({"arrays": lambda a: a["template"].__setitem__((0, 0), np.nan)}, "non-finite"),
        ({"arrays": lambda a: a.update(extra=np.zeros(2))}, "arrays must be exactly"),
        ({"extra": {"../x.txt": b"hi"}}, "entries must be exactly"),
    ],
)
def test_invalid_files_are_one_line_errors(library, tmp_path, change, message) -> None:
    src = library.export("effleurage-starter", tmp_path / "src.mtref")
    bad = _rewrite(src, tmp_path, **change)
    with pytest.raises(ReferenceFileError, match=message) as exc:
        load_reference(bad)
    assert "\n" not in str(exc.value)


def test_object_arrays_are_refused(library, tmp_path) -> None:
    src = library.export("effleurage-starter", tmp_path / "src.mtref")
    bad = _rewrite(
        src, tmp_path, arrays=lambda a: a.update(template=np.array([{"x": 1}], dtype=object))
    )
    with pytest.raises(ReferenceFileError):
        load_reference(bad)


def test_garbage_and_truncated_files(library, tmp_path) -> None:
    src = library.export("effleurage-starter", tmp_path / "src.mtref").read_bytes()
    for i, data in enumerate([b"", b"PK\x03\x04junk", src[: len(src) // 2], b"\x00" * 100]):
        path = tmp_path / f"g{i}.mtref"
        path.write_bytes(data)
        with pytest.raises(ReferenceFileError):
            load_reference(path)
