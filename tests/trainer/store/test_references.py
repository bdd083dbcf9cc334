from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
import zipped_files  # type: ignore[import-not-found]

import trainer.store.references as references
from sensors.strokes import TECHNIQUES
from trainer.exceptions import ReferenceFileError
from trainer.store.paths import data_home
from trainer.store.references import (
    ReferenceLibrary,
    check_name,
    decode_reference,
    encode_reference,
    load_reference,
    save_reference,
)


@pytest.fixture
def library() -> ReferenceLibrary:
    return ReferenceLibrary()


def test_bundled_starters_are_listed_labelled_and_cited(library):
    assert library.user_dir == data_home() / "references"
    names = library.names()
    for technique in TECHNIQUES:
        name = f"{technique}-starter"
        ref = library.get(name)
        assert name in names and library.origin(name) == "bundled"
        assert ref.technique == technique and ref.synthetic
        assert ref.notes.startswith("SYNTHETIC") and "docs/evidence.md" in ref.notes
        assert "shared/" not in ref.notes and ref.performers == ("simulated glove",)
        assert ref.profile.name == "reference-glove" and ref.n_strokes >= 40
        assert np.all(ref.band_lo <= ref.band_hi)
    cited = {
        "effleurage": ("Ryason 2009", "Chen et al. 2022"),
        "petrissage": ("No published petrissage",),
        "friction": ("Chaves et al. 2020", "Giesbrecht"),
        "tapotement": ("McKechnie", "4-10 strikes/s"),
    }
    for technique, sources in cited.items():
        notes = library.get(f"{technique}-starter").notes
        assert all(s in notes for s in sources), technique


def test_round_trip_is_exact_and_bytes_are_deterministic(library, tmp_path):
    ref = library.get("friction-starter")
    a = save_reference(ref, tmp_path / "a.mtref")
    again = load_reference(a)
    b = save_reference(again, tmp_path / "b.mtref")
    assert a.read_bytes() == b.read_bytes() == encode_reference(ref)
    for key in ("template", "band_lo", "band_hi", "share_mean", "share_sd"):
        np.testing.assert_array_equal(getattr(again, key), getattr(ref, key))
    assert again.profile == ref.profile and again.weights == ref.weights
    assert again.summary() == ref.summary()
    with zipfile.ZipFile(a) as zf:
        assert [i.filename for i in zf.infolist()] == ["arrays.npz", "meta.json"]
        assert {i.date_time for i in zf.infolist()} == {(2020, 1, 1, 0, 0, 0)}
    with pytest.raises(ReferenceFileError, match="already exists"):
        save_reference(ref, a)


def test_names_are_unique_and_user_references_replace_bundled_ones(library, tmp_path):
    out = library.export("petrissage-starter", tmp_path / "p.mtref")
    with pytest.raises(ReferenceFileError, match="already exists"):
        library.import_file(out)
    assert library.origin("petrissage-starter") == "bundled"
    library.import_file(out, overwrite=True)  # an instructor replacing a starter
    assert library.origin("petrissage-starter") == "user"
    assert (library.user_dir / "petrissage-starter.mtref").read_bytes() == out.read_bytes()
    with pytest.raises(ReferenceFileError, match="already exists"):
        library.add(library.get("friction-starter"))
    with pytest.raises(ReferenceFileError, match=r"unknown reference 'nope' \(known: .*effleu"):
        library.get("nope")
    with pytest.raises(ReferenceFileError, match="unknown reference"):
        library.origin("nope")


def test_a_file_path_is_accepted_where_a_name_is(library, tmp_path):
    out = library.export("tapotement-starter", tmp_path / "t.mtref")
    assert library.get(str(out)).technique == "tapotement"
    with pytest.raises(ReferenceFileError, match="no such reference file"):
        library.get(str(tmp_path / "missing.mtref"))


def test_a_corrupt_user_file_is_listed_with_its_error(library):
    library.user_dir.mkdir(parents=True)
    (library.user_dir / "broken.mtref").write_bytes(b"not a zip")
    entries = {e.name: e for e in library.entries()}
    assert (
        entries["broken"].reference is None and "not a valid reference" in entries["broken"].error
    )
    assert entries["effleurage-starter"].reference is not None
    with pytest.raises(ReferenceFileError, match="broken"):
        library.get("broken")


@pytest.mark.parametrize(
    "name", ["", "../x", "a/b", ".hidden", "a b", "x" * 65, "a..b", "evil\n", "a\tb"]
)
def test_unsafe_names_are_refused(name):
    with pytest.raises(ReferenceFileError, match="invalid reference name"):
        check_name(name)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"meta": lambda d: d.update(version=3)}, "unsupported version 3"),
        ({"meta": lambda d: d.update(version=True)}, "unsupported version True"),
        ({"meta": lambda d: d.update(performers="Ana")}, "performers must be a list"),
        ({"meta": lambda d: d.update(performers=[""])}, "performers must be a list"),
        ({"meta": lambda d: d.update(format="x")}, "format marker"),
        ({"meta": lambda d: d.update(surprise=1)}, "unknown key 'surprise'"),
        ({"meta": lambda d: d.pop("calibration")}, "missing 'calibration'"),
        ({"meta": lambda d: d["profile"].pop("sensors")}, "sensors"),
        ({"meta": lambda d: d.update(profile=[])}, "profile"),
        ({"meta": lambda d: d.update(regions=["palm"])}, "regions do not match"),
        ({"meta": lambda d: d.update(weights={"shape": 1})}, "weights must give shape"),
        ({"meta": lambda d: d["weights"].update(shape=-1)}, "weights.shape must be >= 0"),
        ({"meta": lambda d: d.update(duration_s=[3, 2, 1])}, "duration_s"),
        ({"meta": lambda d: d["calibration"].update(shape_d90=0)}, "shape_d90 must be > 0"),
        (
            {"meta": lambda d: d["calibration"].update(strike_period_s=-0.1)},
            "strike calibration must be >= 0",
        ),
        ({"meta": lambda d: d["calibration"].update(beat=1)}, "calibration must have exactly"),
        ({"meta": lambda d: d["force"].update(mean_n="5")}, "force.mean_n must be a finite"),
        ({"meta": lambda d: d.update(name="../../evil")}, "invalid name"),
        ({"meta": lambda d: d.update(synthetic="yes")}, "synthetic must be"),
        ({"meta": lambda d: d.update(n_strokes=-1)}, "n_strokes"),
        ({"meta": lambda d: d.update(notes=1)}, "notes must be a string"),
        ({"arrays": lambda a: a.update(band_lo=a["band_lo"][:-1])}, "band_lo has shape"),
        ({"arrays": lambda a: a.update(share_sd=np.zeros(3))}, "share_sd has shape"),
        ({"arrays": lambda a: a.update(template=a["template"][:, :5])}, "template has shape"),
        ({"arrays": lambda a: a.update(template=a["template"][:2])}, "template length"),
        ({"arrays": lambda a: a["template"].__setitem__((0, 0), np.nan)}, "non-finite"),
        ({"arrays": lambda a: a.update(band_lo=a["band_hi"] + 1)}, "band_lo exceeds band_hi"),
        ({"arrays": lambda a: a.update(extra=np.zeros(2))}, "entries must be exactly"),
        ({"arrays": lambda a: a.pop("share_mean")}, "entries must be exactly"),
        (
            {"arrays": lambda a: a.update(template=a["template"].astype(complex))},
            "dtype complex128",
        ),
        (
            {"arrays": lambda a: a.update(template=np.array([{"x": 1}], dtype=object))},
            "array template unreadable",
        ),
        ({"extra": {"../x.txt": b"hi"}}, "archive entries must be exactly"),
        ({"extra": {"meta.json/": b""}}, "archive entries must be exactly"),
    ],
)
def test_invalid_files_are_one_line_errors(library, tmp_path, change, message):
    src = library.export("effleurage-starter", tmp_path / "src.mtref")
    with pytest.raises(ReferenceFileError, match=message) as exc:
        decode_reference(zipped_files.rewrite(src, **change), "bad.mtref")
    text = str(exc.value)
    assert "\n" not in text and text.startswith("bad.mtref: not a valid reference file (")


def test_version_1_files_still_load_with_smoothness_re_derived(library, tmp_path):
    # Before scoring v2 the calibration held SPARC (about -1.5), not log dimensionless
    # jerk (about -5 to -15): read as is, every stroke would be called jerky.
    src = library.export("friction-starter", tmp_path / "src.mtref")

    def to_v1(doc):
        doc.update(version=1)
        doc.pop("performers")
        doc["calibration"].update(smoothness_mean=-1.52, smoothness_sd=0.04)

    old = decode_reference(zipped_files.rewrite(src, meta=to_v1), "old.mtref")
    new = library.get("friction-starter")
    assert old.performers == () and old.smoothness_sd > 0
    assert abs(old.smoothness_mean - new.smoothness_mean) < 2.5 * max(new.smoothness_sd, 0.6)
    np.testing.assert_array_equal(old.template, new.template)
    # ... and a v1 file without the legacy shape is refused, not half-read.
    with pytest.raises(ReferenceFileError, match="unknown key 'performers'"):
        decode_reference(
            zipped_files.rewrite(src, meta=lambda d: d.update(version=1)), "mixed.mtref"
        )


def test_garbage_and_truncated_files(library, tmp_path):
    src = library.export("effleurage-starter", tmp_path / "src.mtref").read_bytes()
    for i, data in enumerate([b"", b"PK\x03\x04junk", src[: len(src) // 2], b"\x00" * 100]):
        path = tmp_path / f"g{i}.mtref"
        path.write_bytes(data)
        with pytest.raises(ReferenceFileError, match="not a valid reference file"):
            load_reference(path)
    with pytest.raises(ReferenceFileError, match="no such reference file"):
        load_reference(tmp_path / "nothing.mtref")


def test_sizes_are_checked_before_reading(library, tmp_path, monkeypatch):
    src = library.export("effleurage-starter", tmp_path / "src.mtref")
    monkeypatch.setattr(references, "MAX_FILE_BYTES", 1000)
    with pytest.raises(ReferenceFileError, match="larger than"):
        load_reference(src)
    monkeypatch.undo()
    # a small archive that inflates past the per-entry limit (a zip bomb, scaled down)
    monkeypatch.setattr(references, "_MAX_ENTRY_BYTES", 100_000)
    entries = zipped_files.entries(src)
    entries["meta.json"] = entries["meta.json"] + b" " * 200_000
    data = zipped_files.zipped(entries)
    assert len(data) < 100_000
    with pytest.raises(ReferenceFileError, match="too large"):
        decode_reference(data, "bomb")


def test_import_refuses_invalid_files_and_leaves_no_trace(library, tmp_path):
    bad = tmp_path / "bad.mtref"
    bad.write_bytes(b"garbage")
    with pytest.raises(ReferenceFileError):
        library.import_file(bad)
    assert not library.user_dir.exists() or not any(library.user_dir.iterdir())


def test_percussion_keeps_its_strike_period_and_a_sweep_file_does_not_carry_one(library, tmp_path):
    """The experts' strike period (tapotement's pace) survives a round trip; a sweep's
    file has no such key, and a percussion file from before it loads without one."""
    tap = library.get("tapotement-starter")
    assert 0.05 < tap.strike_period_s < 0.5
    again = decode_reference(encode_reference(tap))
    assert again.strike_period_s == tap.strike_period_s
    assert tap.strike_jitter_mean > 0
    assert (again.strike_jitter_mean, again.strike_jitter_sd) == (
        tap.strike_jitter_mean,
        tap.strike_jitter_sd,
    )
    sweep = library.export("effleurage-starter", tmp_path / "e.mtref")
    calibration = json.loads(zipped_files.entries(sweep)["meta.json"])["calibration"]
    assert not any(key.startswith("strike_") for key in calibration)
    older = zipped_files.rewrite(
        library.export("tapotement-starter", tmp_path / "t.mtref"),
        meta=lambda d: [d["calibration"].pop(k) for k in list(d["calibration"]) if "strike" in k],
    )
    assert decode_reference(older, "t.mtref").strike_period_s == 0.0
    assert decode_reference(older, "t.mtref").strike_jitter_mean == 0.0


def test_the_thirds_balance_survives_a_round_trip_and_an_older_file_judges_none(library, tmp_path):
    """The takes' balance between the thirds is kept; a file from before it loads with
    zeros (no balance is judged), and a negative one is refused in one line."""
    ref = library.get("petrissage-starter")
    assert min(ref.balance_rms) > 0
    assert decode_reference(encode_reference(ref)).balance_rms == ref.balance_rms
    path = library.export("petrissage-starter", tmp_path / "p.mtref")
    older = zipped_files.rewrite(
        path,
        meta=lambda d: [d["calibration"].pop(k) for k in list(d["calibration"]) if "balance" in k],
    )
    assert decode_reference(older, "p.mtref").balance_rms == (0.0, 0.0, 0.0)
    negative = zipped_files.rewrite(
        path, meta=lambda d: d["calibration"].update(balance_middle=-0.1)
    )
    with pytest.raises(ReferenceFileError, match="balance"):
        decode_reference(negative, "p.mtref")


def test_text_that_is_not_valid_unicode_is_refused_in_one_line(library, tmp_path):
    """JSON's "\\ud800" escape reads as a lone surrogate, which no terminal or database
    can hold: a reference carrying one (here as its author) is refused on reading."""
    path = library.export("effleurage-starter", tmp_path / "e.mtref")
    bad = zipped_files.rewrite(path, meta=lambda d: d.update(author="\ud800"))
    with pytest.raises(ReferenceFileError) as info:
        decode_reference(bad, "e.mtref")
    said = str(info.value)
    assert "\n" not in said and said.endswith("(author must be valid Unicode text)"), said
