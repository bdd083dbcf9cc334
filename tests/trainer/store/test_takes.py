from __future__ import annotations

import json

import numpy as np
import pytest

from sensors.capture import read_capture
from trainer.exceptions import ScoringError, StoreError
from trainer.scoring import build_reference, find_strokes
from trainer.store.takes import (
    MARKS_FILE,
    TakeShelf,
    build_from_captures,
    stroke_spans,
    trimmed,
)

EFF = "effleurage-sim.mtcap"


@pytest.fixture
def shelf(tmp_path) -> TakeShelf:
    return TakeShelf(tmp_path)


def _record(shelf: TakeShelf, capture_path, technique="effleurage", author="Ana"):
    """Record a fixture capture as a take, block by block, as the acquisition does."""
    cap = read_capture(capture_path)
    rec = shelf.recorder(source="replay:fixture", author=author, synthetic=True)
    rec.start(technique, "", cap.profile)
    for block in cap.blocks(40):
        rec.add_block(block)
    rec.add_score(object())  # ignored: takes are not scored
    rec.finish()
    assert rec.capture is not None and rec.samples == cap.n_samples and rec.done
    assert rec.duration_s == pytest.approx(cap.duration_s)
    return rec.capture.name, cap


def test_a_recorded_take_keeps_every_sample_and_says_what_it_is(shelf, fixtures_dir) -> None:
    name, cap = _record(shelf, fixtures_dir / EFF)
    takes, problems = shelf.takes()
    assert problems == [] and [t.name for t in takes] == [name]
    take = takes[0]
    assert (take.technique, take.author, take.glove) == ("effleurage", "Ana", cap.profile.name)
    assert take.good and take.trim is None
    assert take.duration_s == pytest.approx(cap.duration_s)
    _, copy = shelf.load(name)
    np.testing.assert_array_equal(copy.values, cap.values)
    assert copy.metadata["synthetic"] is True
    assert shelf.takes("friction")[0] == []


def test_marks_and_trims_persist_and_are_validated(shelf, fixtures_dir, tmp_path) -> None:
    name, _ = _record(shelf, fixtures_dir / EFF)
    assert shelf.mark(name, False).good is False
    take = shelf.set_trim(name, (1.5, 99.0))  # clipped to the take
    assert take.trim == (1.5, pytest.approx(12.0))
    again = TakeShelf(tmp_path).take(name)
    assert (again.good, again.trim) == (False, take.trim)
    assert again.kept_s == pytest.approx(10.5)
    with pytest.raises(StoreError, match="start < end"):
        shelf.set_trim(name, (3.0, 2.0))
    with pytest.raises(StoreError, match="keeps nothing"):
        shelf.set_trim(name, (50.0, 60.0))
    assert shelf.set_trim(name, None).trim is None
    with pytest.raises(StoreError, match="no take named"):
        shelf.mark("../../etc/passwd", True)


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b'{"format": "something else", "version": 1, "takes": {}}',
        b'{"format": "massage-trainer takes", "version": 99, "takes": {}}',
        b'{"format": "massage-trainer takes", "version": 1, "takes": {"a": {"trim": [2, 1]}}}',
        b'{"format": "massage-trainer takes", "version": 1, "takes": {"a": {"good": "yes"}}}',
    ],
)
def test_a_corrupt_marks_file_is_one_line_and_leaves_takes_alone(
    shelf, fixtures_dir, content
) -> None:
    name, _ = _record(shelf, fixtures_dir / EFF)
    (shelf.folder / MARKS_FILE).write_bytes(content)
    with pytest.raises(StoreError) as err:
        shelf.takes()
    assert "\n" not in str(err.value) and "takes are intact" in str(err.value)
    assert (shelf.folder / name).is_file()


def test_files_are_copied_in_validated_and_sources_untouched(shelf, fixtures_dir) -> None:
    csv = fixtures_dir / "effleurage-diy-fsr5-sim.csv"
    before = csv.read_bytes()
    take = shelf.add_file(csv, "effleurage", author="Ben", profile="diy-fsr5")
    assert csv.read_bytes() == before
    assert (take.technique, take.author, take.glove) == ("effleurage", "Ben", "diy-fsr5")
    copy = read_capture(take.path)
    assert copy.metadata["imported_from"] == csv.name
    np.testing.assert_allclose(copy.values, read_capture(csv, profile="diy-fsr5").values)
    bad = shelf.folder.parent / "bad.mtcap"
    bad.write_bytes(b"MTCAP garbage")
    with pytest.raises(StoreError) as err:
        shelf.add_file(bad, "effleurage")
    assert "\n" not in str(err.value)
    assert len(shelf.takes()[0]) == 1


def test_an_unreadable_take_is_reported_not_fatal(shelf, fixtures_dir) -> None:
    _record(shelf, fixtures_dir / EFF)
    (shelf.folder / "20260101T000000Z-broken.mtcap").write_bytes(b"\x00" * 40)
    takes, problems = shelf.takes()
    assert len(takes) == 1 and len(problems) == 1 and "broken" in problems[0]


def test_remove_deletes_the_take_and_its_mark(shelf, fixtures_dir) -> None:
    name, _ = _record(shelf, fixtures_dir / EFF)
    shelf.mark(name, False)
    shelf.remove(name)
    assert shelf.takes() == ([], [])
    assert name not in json.loads((shelf.folder / MARKS_FILE).read_text())["takes"]


def test_trimmed_keeps_the_span_and_its_gaps(fixtures_dir) -> None:
    cap = read_capture(fixtures_dir / EFF)
    values, gaps = trimmed(cap, (2.0, 5.0))
    assert values.shape[0] == pytest.approx(3.0 * 200, abs=1)
    np.testing.assert_array_equal(values[0], cap.values[400])
    assert gaps == ()
    assert trimmed(cap, None)[0] is cap.values


def test_stroke_spans_match_the_segmenter(fixtures_dir) -> None:
    cap = read_capture(fixtures_dir / EFF)
    spans = stroke_spans(cap)
    found = find_strokes(cap.values, 200.0, cap.profile, gap_starts=cap.gap_starts)
    assert len(spans) == len(found) == 8
    assert all(0 <= a < b <= cap.duration_s for a, b in spans)


def test_building_from_the_shelf_uses_good_takes_as_trimmed(shelf, fixtures_dir) -> None:
    a, cap = _record(shelf, fixtures_dir / EFF)
    b, _ = _record(shelf, fixtures_dir / EFF, author="Ben")
    whole = shelf.build([a, b], name="mine", technique="effleurage", author="Ana")
    assert whole.n_strokes == 16 and whole.synthetic and whole.author == "Ana"
    # The reference records who performed its takes (issue 13).
    assert whole.performers == ("Ana", "Ben")
    # The same takes built by hand: the shelf adds nothing of its own.
    direct = build_reference(
        [(cap.values, ()), (cap.values, ())],
        name="mine",
        technique="effleurage",
        profile=cap.profile,
        fs_hz=200.0,
        author="Ana",
        created=whole.created,
        synthetic=True,
    )
    np.testing.assert_allclose(whole.template, direct.template)
    shelf.set_trim(b, (0.0, 4.1))  # keeps three strokes of the second take
    assert shelf.build([a, b], name="mine", technique="effleurage").n_strokes == 11
    shelf.set_trim(a, (0.0, 1.5))
    with pytest.raises(ScoringError, match="need at least"):
        shelf.build([a], name="mine", technique="effleurage")


def test_takes_of_different_gloves_are_refused(fixtures_dir) -> None:
    a = read_capture(fixtures_dir / EFF)
    b = read_capture(fixtures_dir / "effleurage-diy-fsr5-sim.mtcap")
    with pytest.raises(ScoringError, match="differs from the first take"):
        build_from_captures([(a, None), (b, None)], name="x", technique="effleurage")
    with pytest.raises(ScoringError, match="no takes"):
        build_from_captures([], name="x", technique="effleurage")


def test_marks_from_several_threads_are_all_kept(shelf, fixtures_dir) -> None:
    from concurrent.futures import ThreadPoolExecutor

    names = [_record(shelf, fixtures_dir / EFF)[0] for _ in range(6)]
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda n: shelf.mark(n, False), names))
    assert [t.good for t in shelf.takes()[0]] == [False] * 6
