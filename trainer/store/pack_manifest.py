"""The schema of a pack's ``pack.json``: what it carries, checked before anything is read.

Part of :mod:`trainer.store.packs` (export and import are there, and it re-exports
:data:`PACK_FORMAT` and :data:`PACK_VERSION`): the manifest's sessions, attempts,
deductions, ratings and feedback records, each checked as strictly as the store would
keep it, and the wording of every problem, which names the session and attempt it is in
(``session 2 attempt 5: ...``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import numpy as np

from sensors._schema import (
    Check,
    Field,
    Invalid,
    Messages,
    Rule,
    Schema,
    chain,
    choice,
    list_of,
    mapping,
    number,
    of,
    rule,
    says,
    text,
)
from sensors._schema import Path as DocPath
from trainer.exceptions import RatingError, StoreError
from trainer.ratings.model import Rating
from trainer.scoring.model import Deduction, StrokeScore
from trainer.store.database import ROLES, SESSION_STATES
from trainer.store.people import check_person_name, is_uid
from trainer.store.records import LEGACY_COMPONENTS, make_score
from trainer.store.session_fields import FeedbackRecord, check_kind, check_surface

__all__ = ["MANIFEST", "MAX_ATTEMPTS", "MESSAGES", "PACK_FORMAT", "PACK_VERSION", "stroke_score"]

PACK_FORMAT = "massage-trainer pack"
PACK_VERSION = 1

MAX_ATTEMPTS = 100_000  # per session (and path arrays per session)
_MAX_COMPONENTS = 100  # per attempt
_MAX_RATINGS = 1000  # per attempt
_MAX_FEEDBACK_TEXT = 40  # a feedback record's reason and mode (the table's CHECK)


# A deduction's, a rating's or a details value's problems name the attempt they are in.
_LABELS = {
    "references": "reference",
    "sessions": "session",
    "attempts": "attempt",
    "feedback": "feedback",
}


def _where(path: DocPath) -> str:
    """Write a path as the pack's messages do: ``session 2 attempt 5`` (or ``pack.json``)."""
    words = [
        f"{_LABELS[name]} {index}"
        for name, index in zip(path[::2], path[1::2], strict=False)
        if name in _LABELS
    ]
    return " ".join(words) or "pack.json"


MESSAGES = Messages(
    {
        "marker": "pack.json is not a massage-trainer pack",
        "missing": "{where}: {key!r} is missing",
        "type": "{where}: {key!r} has the wrong type",
        "list": "{where}: {key!r} has the wrong type",
        "object": "{path} is not an object",
        **dict.fromkeys(("overflow", "finite"), "{where}: {key} must be finite numbers"),
    },
    lambda message, path: ValueError(message),
    _where,
)


_TEXT = of(str)


def _time(value: str, path: DocPath) -> str:
    """Check an ISO time that must also convert to UTC (year 1 at +14:00 does not)."""
    try:
        datetime.fromisoformat(value).astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        why = f"{_where(path[:-1])}: {path[-1]} is not a time this program can represent"
        raise Invalid("rule", path, value, message=why) from None
    return value


def _stored(check: Callable[[str], str]) -> Check:
    """Check a text as the store does (kind, surface), its error named by the session."""
    # Its error quotes the text: a long one is refused here, in a line of its own size.
    typed = says(
        text(max_len=100),
        {"type": "{where}: {key!r} must be a string", "length": "{where}: {key!r} is too long"},
    )

    def checked(value: Any, path: DocPath) -> str:
        given: str = typed(value, path)
        try:
            check(given)
        except StoreError as err:
            raise Invalid("rule", path, value, message=f"{_where(path[:-1])}: {err}") from None
        return given

    return checked


_SCORE = says(number(ge=0.0, le=100.0), "{where}: {key!r} must be a score 0-100")
_INDEX = chain(of(int), rule(lambda i: 0 <= i < MAX_ATTEMPTS, "{where}: index out of range"))


def _components(parsed: dict[str, Any], path: DocPath) -> None:
    """Read an attempt's ``components`` (older packs: the four fixed keys) as floats or None."""
    where = _where(path)
    given = parsed["components"]
    if given is None:
        given = {name: parsed.get(name) for name in LEGACY_COMPONENTS}
    elif not isinstance(given, dict) or len(given) > _MAX_COMPONENTS:
        raise Invalid("rule", path, message=f"{where}: 'components' must be an object of scores")
    out: dict[str, float | None] = {}
    for name, value in given.items():
        if not 1 <= len(name) <= 100:
            why = f"{where}: component name {name[:40]!r} must be 1-100 characters"
            raise Invalid("rule", path, message=why)
        if value is not None and (
            not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 100
        ):
            raise Invalid("rule", path, message=f"{where}: {name[:40]!r} must be a score 0-100")
        out[name] = None if value is None else float(value)
    parsed["components"] = out


def _time_span(parsed: dict[str, Any], path: DocPath) -> None:
    if not parsed["end_s"] >= parsed["start_s"]:
        raise Invalid("rule", path, message=f"{_where(path)}: bad time span")


_DEDUCTION = Schema(
    (
        Field(
            "points",
            number(ge=0.0, le=100.0),
            says={
                **dict.fromkeys(
                    ("overflow", "finite"), "{where}: deduction points must be finite numbers"
                ),
                **dict.fromkeys(("ge", "le"), "{where}: deduction points must be 0-100"),
            },
        ),
        Field("code", _TEXT),
        Field("message", _TEXT),
    ),
    build=lambda d: Deduction(d["code"][:100], d["message"][:1000], d["points"]),
)

#: An attempt: its score, deductions, details and, if any, ratings (checked with the
#: session's other attempts, :func:`_session_ratings`).
_ATTEMPT = Schema(
    (
        Field("index", _INDEX),
        Field(
            "overall",
            chain(rule(lambda v: v is not None, "{where}: 'overall' is missing"), _SCORE),
            default=None,
        ),
        Field(
            "deductions",
            list_of(says(_DEDUCTION, {"object": "{path}: a deduction is not an object"})),
        ),
        Field(
            "details",
            chain(
                of(dict),
                rule(
                    lambda d: all(
                        isinstance(v, int | float) and not isinstance(v, bool) for v in d.values()
                    ),
                    "{where}: details must be numbers",
                ),
                says(mapping(number()), "{where}: details must be finite numbers"),
                lambda d, path: {str(k)[:100]: v for k, v in d.items()},
            ),
        ),
        Field("start_s", number()),
        Field("end_s", number()),
        Rule(_time_span),
        *(Field(name, optional=True) for name in LEGACY_COMPONENTS),
        Field("components", default=None),
        Rule(_components),
        Field("flags", chain(of(list), lambda flags, path: tuple(str(f)[:200] for f in flags))),
        Field("ratings", optional=True),
    )
)

_RATING = says(
    Schema(
        (
            Field("created_at", chain(_TEXT, _time)),
            Field(
                "tags",
                chain(
                    of(list),
                    rule(
                        lambda tags: all(isinstance(t, str) for t in tags),
                        "{where}: rating tags must be strings",
                    ),
                ),
            ),
            Field("rater", _TEXT),
            Field("rating", number()),
            Field("note", _TEXT),
        )
    ),
    {"object": "{path}: a rating is not an object"},
)
_RATINGS = says(
    list_of(_RATING, max_len=_MAX_RATINGS),
    dict.fromkeys(("list", "length"), "{where}: 'ratings' must be a list of ratings"),
)


def _session_ratings(parsed: dict[str, Any], path: DocPath) -> None:
    """Check each attempt's ratings, by attempt index (after the attempts, as indexed)."""
    attempts = parsed["attempts"]
    if len({a["index"] for a in attempts}) != len(attempts):
        raise Invalid("rule", path, message=f"{_where(path)}: duplicate attempt index")
    parsed["ratings"] = {}
    for j, attempt in enumerate(attempts):
        if attempt.get("ratings"):
            at = (*path, "attempts", j)
            try:
                parsed["ratings"][attempt["index"]] = [
                    # The attempt's id in this store is known once it is inserted.
                    Rating(0, r["rater"], r["rating"], tuple(r["tags"]), r["note"], r["created_at"])
                    for r in _RATINGS(attempt["ratings"], (*at, "ratings"))
                ]
            except RatingError as err:
                raise Invalid("rule", at, message=f"{_where(at)}: {err}") from None


def _printable(parsed: dict[str, Any], path: DocPath) -> None:
    if any(
        len(parsed[k]) > _MAX_FEEDBACK_TEXT or not parsed[k].isprintable()
        for k in ("reason", "mode")
    ):
        why = (
            f"{_where(path)}: 'reason' and 'mode' must be at most {_MAX_FEEDBACK_TEXT} "
            "printable characters"
        )
        raise Invalid("rule", path, message=why)


def _by_stroke(
    records: list[tuple[int, FeedbackRecord]], path: DocPath
) -> dict[int, FeedbackRecord]:
    out: dict[int, FeedbackRecord] = {}
    for j, (index, record) in enumerate(records):
        if index in out:
            why = f"{_where((*path, j))}: duplicate stroke index {index}"
            raise Invalid("rule", path, message=why)
        out[index] = record
    return out


#: What a stroke showed the student (checked as strictly as its table would: flags
#: true/false, texts of at most 40 printable characters, as they are printed).
_FEEDBACK_RECORD = Schema(
    (
        Field("index", _INDEX),
        *(Field(key, of(bool)) for key in ("cues", "card", "requested")),
        *(Field(key, _TEXT) for key in ("reason", "mode")),
        Rule(_printable),
    ),
    build=lambda d: (
        d["index"],
        FeedbackRecord(d["cues"], d["card"], d["requested"], d["reason"], d["mode"]),
    ),
)
_FEEDBACK = chain(
    says(
        list_of(_FEEDBACK_RECORD, max_len=MAX_ATTEMPTS),
        dict.fromkeys(("list", "length"), "{where}: 'feedback' must be a list of stroke records"),
    ),
    _by_stroke,
)


def _person(parsed: dict[str, Any], path: DocPath) -> None:
    try:
        parsed["user"] = check_person_name(parsed["user"])
    except StoreError as err:
        raise Invalid("rule", path, message=f"{_where(path)}: {err}") from None


def _started(parsed: dict[str, Any], path: DocPath) -> None:
    _time(parsed["started_at"], (*path, "started_at"))


def _ended(value: str | None, path: DocPath) -> str | None:
    return None if value is None else _time(_TEXT(value, path), path)


#: A session: its person, times and numbers as the store keeps them, its attempts and
#: feedback (its capture, paths and reference are checked against the pack's entries).
_SESSION = Schema(
    (
        Field("entry", of(int)),
        *(
            Field(k, _TEXT)
            for k in ("user", "started_at", "glove", "source", "technique", "reference")
        ),
        Rule(_person),
        Field(
            "user_uid",
            rule(
                lambda uid: uid is None or is_uid(uid), "{where}: 'user_uid' must be 32 hex digits"
            ),
            default=None,
        ),
        Field("role", says(choice(ROLES), "{where}: unknown role"), default="student"),
        Rule(_started),
        Field("ended_at", _ended, optional=True),
        Field("state", says(choice(SESSION_STATES), "{where}: unknown state"), default="finished"),
        Field(
            "feedback_mode",
            says(text(min_len=1, max_len=100), "{where}: 'feedback_mode' must be a short string"),
            default="every",
        ),
        Field("kind", _stored(check_kind), default="practice"),
        Field("surface", _stored(check_surface), default=""),
        Field(
            "samples",
            chain(of(int), rule(lambda n: 0 <= n < 2**53)),
            default=0,
            says="{where}: 'samples' must be a whole number >= 0",
        ),
        Field(
            "duration_s",
            says(
                number(ge=0.0, le=1e7),
                {
                    "type": "{where}: 'duration_s' must be a number of seconds",
                    **dict.fromkeys(
                        ("overflow", "finite"), "{where}: 'duration_s' must be finite numbers"
                    ),
                    **dict.fromkeys(("ge", "le"), "{where}: 'duration_s' is out of range"),
                },
            ),
            default=0.0,
        ),
        Field("attempts", list_of(_ATTEMPT)),
        Rule(_session_ratings),
        Field("feedback", _FEEDBACK, default=[]),
    )
)

#: ``pack.json``: what the pack carries (unknown keys ignored).
MANIFEST = Schema(
    (
        Field(
            "version",
            chain(
                of(int),
                rule(
                    lambda v: v <= PACK_VERSION, "pack version {value} is newer than this program's"
                ),
            ),
        ),
        Field("references", list_of(Schema((Field("hash", _TEXT),)))),
        Field("sessions", list_of(_SESSION)),
    ),
    marker=("format", PACK_FORMAT),
)


def stroke_score(attempt: dict[str, Any], path: np.ndarray | None) -> StrokeScore:
    """Build an attempt's score, as :data:`_ATTEMPT` checked it, with its warping path."""
    return make_score(
        attempt["components"],
        start_s=attempt["start_s"],
        end_s=attempt["end_s"],
        overall=attempt["overall"],
        deductions=tuple(attempt["deductions"]),
        flags=attempt["flags"],
        details=attempt["details"],
        path=path,
    )
