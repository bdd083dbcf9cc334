from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trainer.exceptions import StoreError
from trainer.store.database import Store
from trainer.store.packs import export_pack, import_pack
from trainer.store.references import ReferenceLibrary, encode_reference


@pytest.fixture(scope="module")
def pack(tmp_path_factory, practise, effleurage_capture) -> Path:
    home = tmp_path_factory.mktemp("pack-source")
    out = home / "shared.mtpack"
    with Store(home) as store:
        recorder, _ = practise(store, f"replay:{effleurage_capture}?speed=0")
        summary = export_pack(
            out,
            store=store,
            references=["friction-starter"],
            sessions=[recorder.session_id],
            library=ReferenceLibrary(home / "references"),
        )
    assert summary == {
        "references": ["friction-starter", "effleurage-starter"],
        "sessions": [recorder.session_id],
    }
    return out


def _rewrite(pack: Path, out: Path, edit) -> Path:
    with zipfile.ZipFile(pack) as zf:
        entries = {i.filename: zf.read(i) for i in zf.infolist()}
    entries = edit(entries)
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return out


def test_pack_round_trip_brings_sessions_attempts_and_references(pack, tmp_path) -> None:
    library = ReferenceLibrary(tmp_path / "references")
    with Store(tmp_path) as store:
        summary = import_pack(pack, store=store, library=library)
        (session,) = store.sessions()
        assert summary["sessions"] == [session.id]
        assert session.attempts >= 5 and session.capture.is_file()
        assert store.attempts(session.id)[0].score.path is not None
        assert set(library.names()) >= {"friction-starter", "effleurage-starter"}
        assert store.reference(session.reference_hash).name == "effleurage-starter"
        # Importing again adds nothing.
        again = import_pack(pack, store=store, library=library)
        assert again["sessions"] == [] and again["skipped"] == 1
        assert len(store.sessions()) == 1
        assert len(list((tmp_path / "sessions").rglob("*.mtcap"))) == 1
        assert store.integrity_check() == "ok"


def test_export_is_byte_reproducible(pack, tmp_path) -> None:
    with zipfile.ZipFile(pack) as zf:
        names = zf.namelist()
    assert names == sorted(names) and "pack.json" in names
    assert not any(".." in n or n.startswith("/") for n in names)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda e: {**e, "../evil.txt": b"x"}, "unexpected entry"),
        (lambda e: {**e, "pack.json": b"{not json"}, "pack.json is not JSON"),
        (lambda e: {k: v for k, v in e.items() if k != "pack.json"}, "pack.json is missing"),
        (
            lambda e: {**e, "pack.json": e["pack.json"].replace(b'"version": 1', b'"version": 9')},
            "newer",
        ),
        (
            lambda e: {k: (v[:-200] if k.endswith(".mtcap") else v) for k, v in e.items()},
            "capture",
        ),
        (
            lambda e: {k: (v[:100] if k.endswith(".mtref") else v) for k, v in e.items()},
            "hash",
        ),
        (
            lambda e: {k: (b"\x80pickle" if k.endswith(".npz") else v) for k, v in e.items()},
            "paths",
        ),
    ],
    ids=["path-escape", "bad-json", "no-manifest", "newer", "truncated-capture", "bad-ref", "npz"],
)
def test_malformed_packs_are_refused_whole_in_one_line(pack, tmp_path, edit, message) -> None:
    bad = _rewrite(pack, tmp_path / "bad.mtpack", edit)
    library = ReferenceLibrary(tmp_path / "references")
    with Store(tmp_path) as store:
        with pytest.raises(StoreError) as info:
            import_pack(bad, store=store, library=library)
        assert message in str(info.value) and "\n" not in str(info.value)
        assert store.sessions() == []  # nothing half-imported
    assert library.names() == ReferenceLibrary(tmp_path / "empty").names()
    assert not list(tmp_path.glob("sessions/**/*.mtcap"))


def test_a_failure_while_writing_rolls_everything_back(pack, tmp_path, monkeypatch) -> None:
    library = ReferenceLibrary(tmp_path / "references")

    def boom(self, *args, **kwargs):
        raise StoreError("disk full")

    monkeypatch.setattr(Store, "import_sessions", boom)
    with Store(tmp_path) as store, pytest.raises(StoreError, match="disk full"):
        import_pack(pack, store=store, library=library)
    assert not list(tmp_path.glob("sessions/**/*.mtcap"))
    assert not (tmp_path / "references").exists() or not list((tmp_path / "references").iterdir())


def test_a_clashing_reference_needs_overwrite(pack, tmp_path) -> None:
    library = ReferenceLibrary(tmp_path / "references")
    clash = ReferenceLibrary().get("petrissage-starter")
    import dataclasses

    library.add(dataclasses.replace(clash, name="friction-starter"), overwrite=True)
    with Store(tmp_path) as store:
        with pytest.raises(StoreError, match="exists with other content"):
            import_pack(pack, store=store, library=library)
        assert store.sessions() == []
        import_pack(pack, store=store, library=library, overwrite=True)
    assert encode_reference(library.get("friction-starter")) == encode_reference(
        ReferenceLibrary().get("friction-starter")
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_fuzzed_packs_only_raise_store_errors(pack, tmp_path, data) -> None:
    raw = bytearray(pack.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] = data.draw(st.integers(0, 255))
    bad = tmp_path / "fuzz.mtpack"
    bad.write_bytes(bytes(raw))
    # A fresh home per example: a mutation that leaves the pack valid imports into it.
    home = Path(tempfile.mkdtemp(dir=tmp_path))
    with Store(home) as store:
        try:
            import_pack(bad, store=store, library=ReferenceLibrary(home / "references"))
        except StoreError as err:
            assert "\n" not in str(err)
            assert store.sessions() == []


def test_manifest_schema_is_checked(pack, tmp_path) -> None:
    def edit(entries):
        manifest = json.loads(entries["pack.json"])
        manifest["sessions"][0]["attempts"][0]["overall"] = 250
        return {**entries, "pack.json": json.dumps(manifest).encode()}

    bad = _rewrite(pack, tmp_path / "bad.mtpack", edit)
    with Store(tmp_path) as store, pytest.raises(StoreError, match="score 0-100"):
        import_pack(bad, store=store, library=ReferenceLibrary(tmp_path / "references"))


def test_a_killed_import_is_settled_by_the_next_store(pack, tmp_path) -> None:
    library = ReferenceLibrary(tmp_path / "references")
    with Store(tmp_path) as store:
        import_pack(pack, store=store, library=library)
        (session,) = store.sessions()
    # Killed after the commit, before the rename: the row's capture is still partial.
    partial = session.capture.with_name(session.capture.name + ".importing")
    session.capture.replace(partial)
    # Killed before the commit: a partial capture with no row.
    stray = session.capture.with_name("20200101T000000Z-effleurage.mtcap.importing")
    stray.write_bytes(b"copy of what is still in the pack")
    with Store(tmp_path) as store:
        assert store.session(session.id).capture.is_file()
        assert not partial.exists() and not stray.exists()
