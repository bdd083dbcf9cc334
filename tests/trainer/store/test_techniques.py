"""The technique registry: the library's references' techniques plus the simulator's."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace

import pytest

from sensors.capture import read_capture
from sensors.strokes import TECHNIQUES
from trainer.exceptions import ReferenceFileError, ScoringError
from trainer.store.references import ReferenceLibrary, encode_reference
from trainer.store.takes import build_from_captures
from trainer.store.techniques import (
    available_techniques,
    require_simulated,
    require_technique,
    technique_names,
)


@pytest.fixture
def library(tmp_path) -> ReferenceLibrary:
    return ReferenceLibrary(tmp_path / "references")


@pytest.fixture(scope="module")
def toy(effleurage_capture):
    """A reference of a technique the simulator does not perform."""
    capture = read_capture(effleurage_capture)
    return build_from_captures([(capture, None)], name="toy", technique="Skin  Rolling")


def test_the_starters_and_the_simulator_make_the_default_list(library) -> None:
    techniques = available_techniques(library)
    assert [t.name for t in techniques] == list(TECHNIQUES)
    effleurage = techniques[0]
    assert effleurage.references == ("effleurage-starter",) and effleurage.simulated
    assert effleurage.sources == ("reference", "simulator")
    assert effleurage.to_dict()["sources"] == ["reference", "simulator"]


def test_a_built_technique_joins_the_registry(library, toy) -> None:
    assert toy.technique == "skin rolling"  # normalised when built
    library.add(toy)
    assert technique_names(library) == [*TECHNIQUES, "skin rolling"]
    rolling = require_technique("Skin Rolling", library)
    assert rolling.references == ("toy",) and not rolling.simulated
    assert rolling.sources == ("reference",)
    with pytest.raises(ScoringError) as info:
        require_simulated("skin rolling", library)
    assert str(info.value) == (
        "the simulated glove performs effleurage, petrissage, friction, tapotement; "
        "'skin rolling' has references but no simulation"
    )
    assert require_simulated("Petrissage", library) == "petrissage"


def test_unknown_and_invalid_names_are_refused(library) -> None:
    with pytest.raises(ScoringError, match=r"unknown technique 'shiatsu' \(known: effleurage"):
        require_technique("shiatsu", library)
    with pytest.raises(ScoringError, match="invalid technique name"):
        require_simulated("sim!", library)


def test_a_reference_breaking_the_name_rule_is_not_written_nor_read(library, toy, tmp_path):
    with pytest.raises(ReferenceFileError, match="invalid technique name"):
        encode_reference(replace(toy, technique="shiatsu!"))
    # A file written elsewhere with such a technique: invalid, listed with its error,
    # and it adds nothing to the registry.
    data = encode_reference(toy)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    meta = json.loads(entries["meta.json"])
    meta["technique"] = "shiatsu!"
    bad = tmp_path / "bad.mtref"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("meta.json", json.dumps(meta))
        zf.writestr("arrays.npz", entries["arrays.npz"])
    with pytest.raises(ReferenceFileError, match="invalid technique name 'shiatsu!'"):
        library.import_file(bad)
    library.user_dir.mkdir(parents=True, exist_ok=True)
    (library.user_dir / "toy.mtref").write_bytes(bad.read_bytes())
    entry = next(e for e in library.entries() if e.name == "toy")
    assert entry.reference is None and "invalid technique name" in entry.error
    assert technique_names(library) == list(TECHNIQUES)


def _with_arrays(data: bytes, arrays: bytes) -> bytes:
    """A reference file's bytes with its ``arrays.npz`` entry replaced."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        meta = zf.read("meta.json")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("meta.json", meta)
        zf.writestr("arrays.npz", arrays)
    return out.getvalue()


def test_the_registry_reads_metadata_only(library, toy, monkeypatch) -> None:
    library.add(toy)
    import trainer.store.references as references

    def no_decoding(*args, **kwargs):
        raise AssertionError("the registry decoded a reference")

    monkeypatch.setattr(references, "decode_reference", no_decoding)
    monkeypatch.setattr(references, "_checked_arrays", no_decoding)
    assert technique_names(library) == [*TECHNIQUES, "skin rolling"]
    assert require_technique("skin rolling", library).references == ("toy",)


def test_damaged_arrays_are_reported_where_the_reference_is_loaded(library, toy) -> None:
    library.user_dir.mkdir(parents=True, exist_ok=True)
    damaged = _with_arrays(encode_reference(toy), b"not a zip")
    (library.user_dir / "toy.mtref").write_bytes(damaged)
    # Its metadata is valid: the registry lists its technique, as the file says.
    assert require_technique("skin rolling", library).references == ("toy",)
    # Loading it reports the damage, as before.
    entry = next(e for e in library.entries() if e.name == "toy")
    assert entry.reference is None
    assert entry.error.startswith("user reference 'toy': not a valid reference file")
    assert "arrays.npz" in entry.error
    with pytest.raises(ReferenceFileError, match=r"unreadable arrays\.npz"):
        library.get("toy")


def test_a_user_file_shadows_the_starter_of_its_name(library, toy) -> None:
    from dataclasses import replace as copy

    library.add(copy(toy, name="effleurage-starter"), overwrite=True)
    techniques = {t.name: t for t in available_techniques(library)}
    assert techniques["skin rolling"].references == ("effleurage-starter",)
    assert techniques["effleurage"].references == ()  # the starter is shadowed
    assert techniques["effleurage"].simulated
