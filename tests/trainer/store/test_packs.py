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
def pack(practised_home) -> Path:
    home, session_id = practised_home("pack-source")
    out = home / "shared.mtpack"
    with Store(home) as store:
        summary = export_pack(
            out,
            store=store,
            references=["friction-starter"],
            sessions=[session_id],
            library=ReferenceLibrary(home / "references"),
        )
    assert summary == {
        "references": ["friction-starter", "effleurage-starter"],
        "sessions": [session_id],
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
        assert session.reference_hash is not None
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


def test_a_toy_component_round_trips_through_store_and_pack(pack, tmp_path) -> None:
    source, target = tmp_path / "a", tmp_path / "b"
    with Store(source) as store:
        import_pack(pack, store=store, library=ReferenceLibrary(source / "references"))
        (session,) = store.sessions()
        first = store.attempts(session.id)[0]
        toy = {**first.components, "toy_rhythm": 42.5, "toy_unscored": None}
        store.add_attempt(session.id, 999, first.score, components=toy)
        out = tmp_path / "toy.mtpack"
        export_pack(out, store=store, sessions=[session.id], library=ReferenceLibrary(source))
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("pack.json"))
    (written,) = [a for a in manifest["sessions"][0]["attempts"] if a["index"] == 999]
    assert written["components"] == toy
    assert written["shape"] == toy["shape"]  # the fixed keys are still written
    with Store(target) as store:
        import_pack(out, store=store, library=ReferenceLibrary(target / "references"))
        (session,) = store.sessions()
        back = {a.index: a for a in store.attempts(session.id)}[999]
        assert back.components == toy
        assert list(back.components) == list(toy)  # order kept
        assert back.to_dict()["components"]["toy_rhythm"] == 42.5
        assert store.component_means([session.id])[session.id]["toy_rhythm"] == 42.5


def test_a_pack_from_before_components_imports_the_four_fixed_scores(pack, tmp_path) -> None:
    def drop_components(entries: dict[str, bytes]) -> dict[str, bytes]:
        manifest = json.loads(entries["pack.json"])
        for session in manifest["sessions"]:
            for attempt in session["attempts"]:
                del attempt["components"]
        return {**entries, "pack.json": json.dumps(manifest).encode()}

    old = _rewrite(pack, tmp_path / "old.mtpack", drop_components)
    with zipfile.ZipFile(old) as zf:
        attempts = json.loads(zf.read("pack.json"))["sessions"][0]["attempts"]
    with Store(tmp_path) as store:
        import_pack(old, store=store, library=ReferenceLibrary(tmp_path / "references"))
        (session,) = store.sessions()
        back = {a.index: a for a in store.attempts(session.id)}
    for item in attempts:
        names = ("shape", "pressure", "tempo", "smoothness")
        assert back[item["index"]].components == {n: item[n] for n in names}


def test_bad_components_in_a_pack_are_refused(pack, tmp_path) -> None:
    def bad(entries: dict[str, bytes]) -> dict[str, bytes]:
        manifest = json.loads(entries["pack.json"])
        manifest["sessions"][0]["attempts"][0]["components"] = {"toy": 250}
        return {**entries, "pack.json": json.dumps(manifest).encode()}

    with Store(tmp_path) as store, pytest.raises(StoreError, match="'toy' must be a score 0-100"):
        import_pack(_rewrite(pack, tmp_path / "bad.mtpack", bad), store=store)


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("points", float("nan")),
        ("points", float("inf")),
        ("detail", float("nan")),
        ("detail", 10**400),
    ],
)
def test_non_finite_numbers_in_a_pack_are_refused(pack, tmp_path, where, value) -> None:
    # Issue 17, defect 9: NaN / Infinity reached the store, then `history --json` printed
    # invalid JSON; a huge integer was an OverflowError traceback.
    def bad(entries: dict[str, bytes]) -> dict[str, bytes]:
        manifest = json.loads(entries["pack.json"])
        attempt = manifest["sessions"][0]["attempts"][0]
        if where == "points":
            attempt["deductions"] = [{"code": "x", "message": "x", "points": value}]
        else:
            attempt["details"] = {"x": value}
        return {**entries, "pack.json": json.dumps(manifest).encode()}

    with Store(tmp_path) as store, pytest.raises(StoreError, match="must be finite"):
        import_pack(_rewrite(pack, tmp_path / "bad.mtpack", bad), store=store)
    with Store(tmp_path) as store:
        assert store.sessions() == []  # nothing half-imported


def test_a_reference_written_with_other_formatting_imports(pack, tmp_path) -> None:
    # Issue 17, defect 14: the same reference content with its meta.json formatted
    # differently (so another, correct hash) failed with "FOREIGN KEY constraint failed".
    import io

    from trainer.store.database import content_hash

    def reformat(entries: dict[str, bytes]) -> dict[str, bytes]:
        manifest = json.loads(entries["pack.json"])
        old = manifest["sessions"][0]["reference_hash"]  # the reference a session uses
        (ref,) = [r for r in manifest["references"] if r["hash"] == old]
        with zipfile.ZipFile(io.BytesIO(entries[f"references/{old}.mtref"])) as zf:
            inner = {i.filename: zf.read(i) for i in zf.infolist()}
        inner["meta.json"] = json.dumps(json.loads(inner["meta.json"]), indent=3).encode()
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for name, data in inner.items():
                zf.writestr(name, data)
        new = content_hash(buf.getvalue())
        assert new != old
        ref["hash"] = new
        for session in manifest["sessions"]:
            if session.get("reference_hash") == old:
                session["reference_hash"] = new
        out = {k: v for k, v in entries.items() if k != f"references/{old}.mtref"}
        return {
            **out,
            f"references/{new}.mtref": buf.getvalue(),
            "pack.json": json.dumps(manifest).encode(),
        }

    library = ReferenceLibrary(tmp_path / "references")
    with Store(tmp_path) as store:
        summary = import_pack(
            _rewrite(pack, tmp_path / "f.mtpack", reformat), store=store, library=library
        )
        (session,) = store.sessions()
        assert session.id in summary["sessions"]
        assert session.reference_hash is not None
        assert store.reference(session.reference_hash).name == session.reference_name


def _with_session_fields(pack: Path, out: Path, **fields) -> Path:
    def edit(entries):
        manifest = json.loads(entries["pack.json"])
        for session in manifest["sessions"]:
            session.update(fields)
        entries["pack.json"] = json.dumps(manifest).encode()
        return entries

    return _rewrite(pack, out, edit)


def test_a_probe_and_its_surface_travel_in_a_pack(pack, tmp_path) -> None:
    with zipfile.ZipFile(pack) as zf:
        (session,) = json.loads(zf.read("pack.json"))["sessions"]
    assert (session["kind"], session["surface"]) == ("practice", "")  # written on export
    probe = _with_session_fields(pack, tmp_path / "probe.mtpack", kind="probe", surface="Pad")
    library = ReferenceLibrary(tmp_path / "references")
    with Store(tmp_path) as store:
        import_pack(probe, store=store, library=library)
        (imported,) = store.sessions()
        assert (imported.kind, imported.surface) == ("probe", "pad")
    for name, fields in (("exam", {"kind": "exam"}), ("long", {"surface": "x" * 41})):
        bad = _with_session_fields(pack, tmp_path / f"{name}.mtpack", **fields)
        home = tmp_path / name
        with Store(home) as store:
            with pytest.raises(StoreError) as info:
                import_pack(bad, store=store, library=ReferenceLibrary(home / "references"))
            assert "\n" not in str(info.value) and store.sessions() == []
