"""Hostile packs and references: one-line errors, nothing imported (issue 17, defects 2, 6).

Each case used to escape as a traceback (``RecursionError``, ``ValueError``,
``OverflowError``, ``sqlite3`` errors from the insert, ``MemoryError`` from numpy
allocating a declared ``.npy`` shape), or, for the zip bomb, to inflate gigabytes
before refusing.
"""

from __future__ import annotations

import io
import json
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from trainer.cli import main
from trainer.exceptions import ReferenceFileError, StoreError
from trainer.store.database import Store, content_hash
from trainer.store.files import read_npy
from trainer.store.packs import export_pack, import_pack
from trainer.store.references import ReferenceLibrary, decode_reference, encode_reference

Edit = Callable[[dict[str, bytes]], dict[str, bytes]]


@pytest.fixture(scope="module")
def pack(practised_home) -> Path:
    home, session_id = practised_home("hostile-source")
    out = home / "one.mtpack"
    with Store(home) as store:
        export_pack(
            out,
            store=store,
            sessions=[session_id],
            library=ReferenceLibrary(home / "references"),
        )
    return out


def _rewrite(pack: Path, out: Path, edit: Edit) -> Path:
    with zipfile.ZipFile(pack) as zf:
        entries = {i.filename: zf.read(i) for i in zf.infolist()}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in edit(entries).items():
            zf.writestr(name, data)
    return out


def _manifest(edit: Callable[[dict], None]) -> Edit:
    def apply(entries: dict[str, bytes]) -> dict[str, bytes]:
        manifest = json.loads(entries["pack.json"])
        edit(manifest["sessions"][0])
        return {**entries, "pack.json": json.dumps(manifest).encode()}

    return apply


def _raw_manifest(old: bytes, new: bytes) -> Edit:
    def apply(entries: dict[str, bytes]) -> dict[str, bytes]:
        assert old in entries["pack.json"]
        return {**entries, "pack.json": entries["pack.json"].replace(old, new, 1)}

    return apply


def _npy_header(shape: tuple[int, ...], descr: str = "<i4") -> bytes:
    """A version-1.0 ``.npy`` header declaring ``shape``, with no data after it."""
    header = repr({"descr": descr, "fortran_order": False, "shape": shape}).encode()
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header


def _huge_paths(entries: dict[str, bytes]) -> dict[str, bytes]:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a0.npy", _npy_header((2**36, 2)))  # 512 GB declared, 0 bytes held
    return {k: (buf.getvalue() if k.endswith("paths.npz") else v) for k, v in entries.items()}


def _set(key: str, value: object) -> Edit:
    return _manifest(lambda session: session.__setitem__(key, value))


CASES: dict[str, tuple[Edit, str]] = {
    "nested-json": (
        lambda e: {**e, "pack.json": b"[" * 200_000 + b"]" * 200_000},
        "nested too deeply",
    ),
    "4301-digit-int": (
        _raw_manifest(b'"samples": ', b'"samples": ' + b"9" * 5000 + b', "x": '),
        "number too long",
    ),
    "year-1-at-plus-14": (_set("started_at", "0001-01-01T00:00:00+14:00"), "started_at"),
    "samples-abc": (_set("samples", "abc"), "samples"),
    "samples-1e309": (_raw_manifest(b'"samples": ', b'"samples": 1e309, "x": '), "samples"),
    "samples-huge-int": (_set("samples", 10**30), "samples"),
    "duration-long": (_set("duration_s", "long"), "duration_s"),
    "duration-inf": (_raw_manifest(b'"duration_s": ', b'"duration_s": 1e309, "x": '), "finite"),
    "state-odd": (_set("state", "exploded"), "state"),
    "start_s-huge-int": (
        _manifest(lambda s: s["attempts"][0].__setitem__("start_s", 10**400)),
        "finite",
    ),
    "npy-huge-shape-in-paths": (_huge_paths, "declares shape"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_packs_are_one_line_and_import_nothing(pack: Path, tmp_path: Path, case) -> None:
    edit, says = CASES[case]
    bad = _rewrite(pack, tmp_path / "bad.mtpack", edit)
    library = ReferenceLibrary(tmp_path / "references")
    with Store(tmp_path) as store:
        with pytest.raises(StoreError) as info:
            import_pack(bad, store=store, library=library)
        assert says in str(info.value) and "\n" not in str(info.value)
        assert store.sessions() == []
    assert not list(tmp_path.rglob("*.mtcap*"))


def test_the_cli_says_it_in_one_line(pack: Path, tmp_path: Path, capsys) -> None:
    bad = _rewrite(pack, tmp_path / "deep.mtpack", CASES["nested-json"][0])
    assert main(["pack", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "nested too deeply" in err


def test_read_npy_checks_the_declared_shape_against_the_data() -> None:
    good = io.BytesIO()
    np.save(good, np.arange(6, dtype="<i4").reshape(3, 2))
    assert read_npy(good.getvalue()).tolist() == [[0, 1], [2, 3], [4, 5]]
    with pytest.raises(ValueError, match="declares shape"):
        read_npy(_npy_header((2**40, 2)) + b"\0" * 8)
    with pytest.raises(ValueError, match="not allowed"):
        read_npy(_npy_header((1,), descr="|O"))


def _with_array(data: bytes, key: str, npy: bytes) -> bytes:
    """A reference's bytes with one of its arrays replaced by ``npy``."""

    def rezip(entries: dict[str, bytes]) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, content in entries.items():
                zf.writestr(name, content)
        return buf.getvalue()

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        outer = {i.filename: zf.read(i) for i in zf.infolist()}
    with zipfile.ZipFile(io.BytesIO(outer["arrays.npz"])) as zf:
        arrays = {i.filename: zf.read(i) for i in zf.infolist()}
    arrays[f"{key}.npy"] = npy
    return rezip({**outer, "arrays.npz": rezip(arrays)})


def test_a_reference_array_declaring_a_huge_shape_is_refused(tmp_path: Path) -> None:
    data = encode_reference(ReferenceLibrary().get("effleurage-starter"))
    bad = _with_array(data, "template", _npy_header((2**34, 5), descr="<f8"))
    with pytest.raises(ReferenceFileError, match="declares shape") as info:
        decode_reference(bad, "hostile.mtref")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (b"9" * 5000, "JSON"),
        (b"1" + b"0" * 400, "finite"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON"),
    ],
    ids=["4301-digits", "beyond-float", "nested"],
)
def test_hostile_reference_meta_is_one_line(value: bytes, says: str) -> None:
    data = encode_reference(ReferenceLibrary().get("effleurage-starter"))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        outer = {i.filename: zf.read(i) for i in zf.infolist()}
    meta, n = re.subn(rb'"shape_d90": [^,\n]+', b'"shape_d90": ' + value, outer["meta.json"])
    assert n == 1
    outer["meta.json"] = meta
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in outer.items():
            zf.writestr(name, content)
    with pytest.raises(ReferenceFileError) as info:
        decode_reference(buf.getvalue(), "hostile.mtref")
    assert says in str(info.value) and "\n" not in str(info.value)


def test_a_hostile_reference_inside_a_pack_is_refused(pack: Path, tmp_path: Path) -> None:
    def swap(entries: dict[str, bytes]) -> dict[str, bytes]:
        manifest = json.loads(entries["pack.json"])
        (ref,) = manifest["references"]
        old = ref["hash"]
        bad = _with_array(entries[f"references/{old}.mtref"], "band_lo", _npy_header((2**40,)))
        ref["hash"] = new = content_hash(bad)
        manifest["sessions"][0]["reference_hash"] = new
        rest = {k: v for k, v in entries.items() if k != f"references/{old}.mtref"}
        return {**rest, f"references/{new}.mtref": bad, "pack.json": json.dumps(manifest).encode()}

    with Store(tmp_path) as store, pytest.raises(StoreError, match="declares shape"):
        import_pack(_rewrite(pack, tmp_path / "r.mtpack", swap), store=store)


# -- zip bombs (defect 6) ---------------------------------------------------------------------


def _raw_zip(out: Path, entries: list[tuple[str, bytes, int, int, int]]) -> Path:
    """Write a zip by hand: (name, raw body, method, declared uncompressed size, CRC)."""
    local, central = bytearray(), bytearray()
    for name, body, method, size, crc in entries:
        offset = len(local)
        fields = (20, 0, method, 0, 0x5021, crc, len(body), size, len(name.encode()), 0)
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + name.encode() + body
        central += (
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, offset)
            + name.encode()
        )
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(local), 0
    )
    out.write_bytes(bytes(local + central) + end)
    return out


def _deflated_zeros(mib: int) -> bytes:
    """A raw deflate stream of ``mib`` MiB of zeros, ~1 KB per MiB (a repeated block)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(bytes(1 << 20)) + comp.flush(zlib.Z_FULL_FLUSH)
    return block * mib + zlib.compressobj(9, zlib.DEFLATED, -15).flush()


_MANIFEST = json.dumps(
    {"format": "massage-trainer pack", "version": 1, "references": [], "sessions": []}
).encode()


def bomb(out: Path, kind: str) -> Path:
    """A ~2 MB pack that inflates to 2 GiB or more.

    ``lying``: one capture declares 1 KiB and inflates to 2 GiB; ``honest``: nine
    captures each declare (and inflate to) 240 MiB, under any per-entry limit.
    """
    entries = [("pack.json", _MANIFEST, 0, len(_MANIFEST), zlib.crc32(_MANIFEST))]
    mib = 2048 if kind == "lying" else 240
    crc = 0
    for _ in range(mib):  # the true CRC: only the sizes lie
        crc = zlib.crc32(bytes(1 << 20), crc)
    if kind == "lying":
        entries.append(("sessions/0/capture.mtcap", _deflated_zeros(mib), 8, 1024, crc))
    else:
        body = _deflated_zeros(mib)
        entries += [(f"sessions/{n}/capture.mtcap", body, 8, mib << 20, crc) for n in range(9)]
    return _raw_zip(out, entries)


# Peak RSS from /proc (VmHWM, this process's own memory): getrusage's ru_maxrss keeps the
# parent's (pytest's) peak across fork and exec.
_MEASURE = """
import sys
from pathlib import Path
from trainer.exceptions import StoreError
from trainer.store.database import Store
from trainer.store.packs import import_pack
from trainer.store.references import ReferenceLibrary
def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
home = Path(sys.argv[2])
store = Store(home)
before = peak_mb()
try:
    import_pack(Path(sys.argv[1]), store=store, library=ReferenceLibrary(home / "refs"))
    outcome = "imported"
except StoreError as err:
    outcome = str(err)
print(before, peak_mb(), outcome, sep="\t")
"""


def refuse_in_subprocess(pack: Path, home: Path) -> tuple[int, int, str]:
    """Import ``pack`` in a fresh process: (peak RSS MB before, after, outcome)."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(pack), str(home)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    before, after, outcome = done.stdout.strip().split("\t")
    return int(before), int(after), outcome


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("kind", ["lying", "honest"])
def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path, kind: str) -> None:
    pack = bomb(tmp_path / f"{kind}.mtpack", kind)
    assert pack.stat().st_size < 3 << 20
    before, after, outcome = refuse_in_subprocess(pack, tmp_path / "home")
    assert outcome.startswith(f"{pack}: not a valid pack") and "\n" not in outcome
    # Peak RSS of the whole process (interpreter, numpy, the store) within the issue's
    # 300 MB, and refusing cost at most a few chunks (was: 512 MiB to 2.9 GB).
    assert after <= 300, (before, after)
    assert after - before <= 32, (before, after)
    assert not list((tmp_path / "home").rglob("*.mtcap*"))
