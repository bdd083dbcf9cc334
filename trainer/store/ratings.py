"""Instructors' ratings in the session database (table ``ratings``, schema 4).

Part of :mod:`trainer.store.database` (the :class:`~trainer.store.database.Store`
methods ``add_ratings``, ``ratings``, ``rated_attempts`` and ``attempts_to_rate`` call
these with their connection). A rating row is never updated: a re-rating is a new row,
so test–retest keeps both. Also the CSV format of ``ratings export``/``import``:
:func:`read_ratings_csv` validates a whole file before anything is stored.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trainer.exceptions import RatingError, StoreError
from trainer.ratings.model import MAX_NOTE, TAGS, Rating, check_rating, parse_tags
from trainer.store.people import find_person
from trainer.store.records import (
    ATTEMPT_COLUMNS,
    SELECT_COMPONENTS,
    AttemptRecord,
    attempt_from_row,
    now,
)

__all__ = [
    "CSV_COLUMNS",
    "MAX_CSV_BYTES",
    "AttemptFilter",
    "format_ratings_csv",
    "insert_ratings",
    "read_ratings_csv",
    "read_ratings_csv_lines",
    "select_attempts",
    "select_ratings",
]

#: Columns of ``ratings export``; ``import`` needs the first three.
CSV_COLUMNS = ("attempt", "rater", "rating", "tags", "note", "created_at")
_REQUIRED = CSV_COLUMNS[:3]
MAX_CSV_BYTES = 64 << 20
_MAX_ROWS = 1_000_000
_ATTEMPT_ID = re.compile(r"[Aa]?([0-9]{1,12})")
_CHUNK = 500
_SELECT = "SELECT id, attempt_id, rater, rating, tags, note, created_at FROM ratings"


@dataclass(frozen=True, slots=True)
class AttemptFilter:
    """Which attempts: by technique, reference name, student, session start (UTC ISO).

    ``None`` leaves a field unfiltered; deleted sessions are always left out. The
    student is matched as :func:`trainer.store.people.find_person` matches names
    (exactly, else regardless of case and spacing) by the queries here.
    """

    technique: str | None = None
    reference: str | None = None
    user: str | None = None
    since: str | None = None
    until: str | None = None

    def where(self) -> tuple[str, list[Any]]:
        """Return the SQL condition on ``s`` (sessions) and ``u`` (users), and its arguments."""
        parts, args = ["s.deleted_at IS NULL"], []
        for column, value, op in (
            ("s.technique", self.technique, "="),
            ("s.reference_name", self.reference, "="),
            ("u.name", self.user, "="),
            ("s.started_at", self.since, ">="),
            ("s.started_at", self.until, "<"),
        ):
            if value is not None:
                parts.append(f"{column} {op} ?")
                args.append(value)
        return " AND ".join(parts), args


def _where(conn: sqlite3.Connection, attempts: AttemptFilter | None) -> tuple[str, list[Any]]:
    """``attempts.where()``, its student spelled as stored (``"ANA"`` finds Ana's).

    Names are matched in Python like everywhere else in the people code (SQLite's NOCASE
    folds ASCII only); nobody of that name keeps the name as given, which matches nothing.
    """
    chosen = attempts or AttemptFilter()
    if chosen.user is not None and (person := find_person(conn, chosen.user)) is not None:
        chosen = replace(chosen, user=person.name)
    return chosen.where()


def _row(row: Sequence[Any]) -> Rating:
    rid, aid, rater, rating, tags, note, created = row
    try:
        return Rating(int(aid), str(rater), float(rating), tuple(json.loads(tags)), str(note),
                      str(created), int(rid))  # fmt: skip
    except (RatingError, ValueError, TypeError) as err:
        raise StoreError(f"rating {rid} is corrupt in the database: {err}") from None


def insert_ratings(conn: sqlite3.Connection, ratings: Iterable[Rating]) -> tuple[int, int]:
    """Insert ratings (inside the caller's transaction); return (added, skipped).

    A rating equal in every field to a stored one (same attempt, rater, rating, tags,
    note and time) is skipped, so importing an export twice adds nothing. A rating
    without a time is stamped now, and skipped when one equal in every other field is
    stored (a sheet imported twice; a re-rating for test–retest carries its time).

    Raises
    ------
    StoreError
        An attempt that does not exist.
    """
    added = skipped = 0
    for r in ratings:
        if conn.execute("SELECT 1 FROM attempts WHERE id = ?", (r.attempt_id,)).fetchone() is None:
            raise StoreError(
                f"no attempt {r.attempt_id} (see `massage-trainer history --attempts`)"
            )
        tags = json.dumps(list(r.tags))
        created = r.created_at or now()
        # Without a time, the same rating again is the same sheet imported twice (a
        # re-rating to keep for test-retest must carry its time).
        same_time = "AND created_at = ?" if r.created_at else "AND ? != ''"
        twin = conn.execute(
            "SELECT 1 FROM ratings WHERE attempt_id = ? AND rater = ? AND rating = ? AND "
            f"tags = ? AND note = ? {same_time}",
            (r.attempt_id, r.rater, r.rating, tags, r.note, created),
        ).fetchone()
        if twin is not None:
            skipped += 1
            continue
        conn.execute(
            "INSERT INTO ratings (attempt_id, rater, rating, tags, note, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (r.attempt_id, r.rater, r.rating, tags, r.note, created),
        )
        added += 1
    return added, skipped


def select_ratings(
    conn: sqlite3.Connection,
    *,
    attempts: AttemptFilter | None = None,
    raters: Sequence[str] = (),
    attempt_ids: Sequence[int] | None = None,
) -> list[Rating]:
    """Ratings, oldest first, of attempts matching ``attempts``, by ``raters`` (all if empty)."""
    where, args = _where(conn, attempts)
    sql = (
        "SELECT r.id, r.attempt_id, r.rater, r.rating, r.tags, r.note, r.created_at "
        "FROM ratings r JOIN attempts a ON a.id = r.attempt_id "
        "JOIN sessions s ON s.id = a.session_id JOIN users u ON u.id = s.user_id "
        f"WHERE {where}"
    )
    if raters:
        sql += f" AND r.rater IN ({','.join('?' * len(raters))})"
        args += list(raters)
    if attempt_ids is None:
        return [_row(r) for r in conn.execute(sql + " ORDER BY r.created_at, r.id", args)]
    wanted = sorted({int(i) for i in attempt_ids})
    rows: list[Any] = []
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        rows += conn.execute(sql + f" AND r.attempt_id IN ({marks})", args + chunk).fetchall()
    rows.sort(key=lambda r: (r[6], r[0]))  # oldest first, as without the id filter
    return [_row(r) for r in rows]


def select_attempts(
    conn: sqlite3.Connection,
    *,
    attempts: AttemptFilter | None = None,
    ids: Sequence[int] | None = None,
) -> list[AttemptRecord]:
    """Return attempts (with component scores) matching a filter or by id, by id."""
    where, args = _where(conn, attempts)
    sql = (
        f"SELECT {ATTEMPT_COLUMNS} FROM attempts a JOIN sessions s ON s.id = a.session_id "
        f"JOIN users u ON u.id = s.user_id WHERE {where}"
    )
    rows: list[Any] = []
    if ids is None:
        rows = conn.execute(sql + " ORDER BY a.id", args).fetchall()
    else:
        wanted = sorted({int(i) for i in ids})
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows += conn.execute(sql + f" AND a.id IN ({marks}) ORDER BY a.id", args + chunk)
    components: dict[int, dict[str, float | None]] = {int(r[0]): {} for r in rows}
    keys = list(components)
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        query = SELECT_COMPONENTS.format(marks=",".join("?" * len(chunk)))
        for aid, name, score in conn.execute(query, chunk):
            components[int(aid)][str(name)] = None if score is None else float(score)
    return [attempt_from_row(r, components[int(r[0])]) for r in rows]


# -- CSV ---------------------------------------------------------------------------------


def format_ratings_csv(ratings: Sequence[Rating]) -> str:
    """CSV text of ratings (:data:`CSV_COLUMNS`; attempts as ``A<id>``, tags ``;``-joined)."""
    import csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in ratings:
        rating = int(r.rating) if r.rating == int(r.rating) else r.rating
        writer.writerow(
            [f"A{r.attempt_id}", r.rater, rating, ";".join(r.tags), r.note, r.created_at]
        )
    return out.getvalue()


def _attempt_id(text: str) -> int:
    match = _ATTEMPT_ID.fullmatch(text.strip())
    if match is None:
        raise RatingError(f"attempt must be an id like A7 or 7, not {text.strip()[:40]!r}")
    return int(match.group(1))


def _created(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise RatingError(f"created_at must be an ISO date, not {text[:40]!r}") from None
    if when.tzinfo is None:
        when = when.astimezone()  # a naive time is the rater's local time
    return when.astimezone(UTC).isoformat(timespec="milliseconds")


def _rating(text: str) -> float:
    try:
        return check_rating(float(text.strip()))
    except ValueError:
        raise RatingError(
            f"rating must be a number from 0 to 10, not {text.strip()[:20]!r}"
        ) from None


def read_ratings_csv(path: Path) -> list[Rating]:
    """Read and validate a ratings CSV (see :func:`read_ratings_csv_lines`); the ratings."""
    return [rating for _line, rating in read_ratings_csv_lines(path)]


def read_ratings_csv_lines(path: Path) -> list[tuple[int, Rating]]:
    """Read and validate a ratings CSV: ``(line, rating)`` of every row, or the first error.

    Columns (header row, any order, case-insensitive): ``attempt`` (``A7`` or ``7``),
    ``rater``, ``rating`` (0–10), optional ``tags`` (``;``-separated, from the fault
    vocabulary), ``note`` and ``created_at`` (ISO 8601; empty: the time of import).

    Raises
    ------
    RatingError
        ``<file>, line N: why`` for the first bad row; a missing column; not a CSV.
    """
    import csv  # here, not at import: listing sessions reads no CSV (start-up time)

    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise RatingError(f"{path}: no such file") from None
    if size > MAX_CSV_BYTES:
        raise RatingError(f"{path}: larger than {MAX_CSV_BYTES >> 20} MB")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RatingError(f"{path}: not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise RatingError(f"{path}: empty file (need columns {', '.join(_REQUIRED)})") from None
    except csv.Error as err:
        raise RatingError(f"{path}, line 1: {err}") from None
    missing = [c for c in _REQUIRED if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        why = f"missing {', '.join(missing)}" if missing else "unknown or repeated column"
        raise RatingError(
            f"{path}, line 1: {why} (columns: {', '.join(CSV_COLUMNS)}; the first three needed)"
        )
    out: list[tuple[int, Rating]] = []
    try:
        for fields in reader:
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue  # blank line
            if len(fields) != len(header):
                raise RatingError(
                    f"{path}, line {line}: {len(fields)} fields, expected {len(header)}"
                )
            row = dict(zip(header, fields, strict=True))
            try:
                note = row.get("note", "").strip()
                if len(note) > MAX_NOTE:
                    raise RatingError(f"note longer than {MAX_NOTE} characters")
                rating = Rating(
                    attempt_id=_attempt_id(row["attempt"]),
                    rater=row["rater"],
                    rating=_rating(row["rating"]),
                    tags=parse_tags(row.get("tags", "")),
                    note=note,
                    created_at=_created(row.get("created_at", "")),
                )
                out.append((line, rating))
            except (RatingError, ValueError) as err:
                raise RatingError(f"{path}, line {line}: {err}") from None
            if len(out) > _MAX_ROWS:
                raise RatingError(f"{path}: more than {_MAX_ROWS} rows")
    except csv.Error as err:
        raise RatingError(f"{path}, line {reader.line_num}: {err}") from None
    return out


def tag_keys() -> dict[str, str]:
    """``{key: tag}``: the key the Rate view gives each fault tag."""
    return {key: tag for tag, (key, _codes) in TAGS.items()}
