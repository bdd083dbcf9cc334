"""Packs carry what each stroke showed the student (``attempt_feedback``, schema 7).

So dependence on feedback can still be measured on the laptop a pack is imported into.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from trainer.exceptions import StoreError
from trainer.store.database import Store
from trainer.store.packs import export_pack, import_pack
from trainer.store.progress import FeedbackRecord
from trainer.store.references import ReferenceLibrary

#: What the source session's strokes showed; stroke 7 has a record but no attempt (a
#: record may come before its attempt, and the attempt may never have been written).
SHOWN = {
    0: FeedbackRecord(cues=True, card=True, requested=False, reason="schedule", mode="every"),
    1: FeedbackRecord(cues=False, card=False, requested=False, reason="off", mode="every_n:3"),
    2: FeedbackRecord(cues=True, card=True, requested=True, reason="requested", mode="off"),
    7: FeedbackRecord(cues=False, card=True, requested=False, reason="bandwidth", mode=""),
}


@pytest.fixture(scope="module")
def pack(practised_home) -> Path:
    home, sid = practised_home("feedback-source")
    out = home / "feedback.mtpack"
    with Store(home) as store:
        for index, record in SHOWN.items():
            store.submit_feedback(sid, index, record).result()
        assert store.feedback_records(sid) == SHOWN
        export_pack(out, store=store, sessions=[sid], library=ReferenceLibrary(home / "refs"))
    return out


def _edited(pack: Path, out: Path, edit) -> Path:
    """``pack`` with each session's manifest entry passed through ``edit``."""
    with zipfile.ZipFile(pack) as zf:
        entries = {i.filename: zf.read(i) for i in zf.infolist()}
    manifest = json.loads(entries["pack.json"])
    for session in manifest["sessions"]:
        edit(session)
    entries["pack.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return out


def test_feedback_records_survive_export_and_import_into_a_fresh_home(pack, tmp_path) -> None:
    with Store(tmp_path) as store:
        summary = import_pack(pack, store=store, library=ReferenceLibrary(tmp_path / "refs"))
        (sid,) = summary["sessions"]
        assert store.feedback_records(sid) == SHOWN
        # Progress reads them: stroke 0 had feedback, stroke 3 (no record) is unknown.
        strokes = store.stroke_feedback([sid])[sid]
        assert strokes[0][1] == SHOWN[0] and strokes[3][1] is None
        assert store.integrity_check() == "ok"


def test_a_pack_without_feedback_imports_as_before(pack, tmp_path) -> None:
    old = _edited(pack, tmp_path / "old.mtpack", lambda s: s.pop("feedback"))
    with Store(tmp_path) as store:
        (sid,) = import_pack(old, store=store, library=ReferenceLibrary(tmp_path / "refs"))[
            "sessions"
        ]
        assert store.feedback_records(sid) == {}
        assert store.attempts(sid) and all(f is None for _, f in store.stroke_feedback([sid])[sid])
        # Importing the full pack later brings the records the session lacks.
        again = import_pack(pack, store=store, library=ReferenceLibrary(tmp_path / "refs"))
        assert again["skipped"] == 1 and store.feedback_records(sid) == SHOWN


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.update(feedback={"0": {}}), "'feedback' must be a list"),
        (lambda s: s["feedback"].append("yes"), "is not an object"),
        (lambda s: s["feedback"][0].update(cues=1), "'cues' has the wrong type"),
        (lambda s: s["feedback"][0].pop("card"), "'card' is missing"),
        (lambda s: s["feedback"][0].update(index=-1), "index out of range"),
        (lambda s: s["feedback"][1].update(index=0), "duplicate stroke index 0"),
        (lambda s: s["feedback"][0].update(reason="x" * 41), "at most 40"),
        (lambda s: s["feedback"][0].update(mode="every\n"), "printable"),
    ],
    ids=["not-list", "not-object", "int-flag", "missing", "negative", "duplicate", "long", "ctrl"],
)
def test_bad_feedback_rows_refuse_the_whole_pack_in_one_line(pack, tmp_path, edit, message) -> None:
    bad = _edited(pack, tmp_path / "bad.mtpack", edit)
    library = ReferenceLibrary(tmp_path / "refs")
    with Store(tmp_path) as store:
        with pytest.raises(StoreError) as info:
            import_pack(bad, store=store, library=library)
        assert message in str(info.value) and "\n" not in str(info.value)
        assert "not a valid pack" in str(info.value)
        assert store.sessions() == []
    assert not list(tmp_path.glob("sessions/**/*.mtcap"))
