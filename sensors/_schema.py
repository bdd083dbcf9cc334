"""One small declarative way to validate the JSON/TOML documents the program reads.

Glove profiles, the glove's *config* characteristic, capture headers, reference files
and packs each declare their shape here as data: a :class:`Schema` of :class:`Field`
entries, each with a check built from a few combinators (:func:`number`, :func:`text`,
:func:`choice`, :func:`of`, :func:`items`, :func:`list_of`, :func:`variants`, nested
schemas), an unknown-key policy, and :class:`Rule` entries for what spans fields.
Fields are checked in the order declared, so the first problem found is the one
reported.

A check that finds a problem raises :class:`Invalid`: which problem (``"missing"``,
``"type"``, ``"gt"``, ...), where (a path of keys and indices) and its details. Each
document keeps its own wording, which users and tests rely on: its :class:`Messages`
maps every problem to a sentence and builds the document's own exception, and a field
(or any check, with :func:`says`) may word a problem its own way.

Why here: ``sensors`` is the lower layer (``trainer`` imports ``sensors``, never the
reverse), so this is the one place both packages can import; it imports neither.
Why not a library such as msgspec: its messages are its own, and every existing
message had to stay as it was.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NoReturn

__all__ = [
    "Check",
    "Field",
    "Invalid",
    "Messages",
    "Path",
    "Rule",
    "Schema",
    "anything",
    "as_given",
    "chain",
    "choice",
    "dotted",
    "items",
    "list_of",
    "mapping",
    "number",
    "of",
    "rule",
    "says",
    "text",
    "validate",
    "variants",
]

#: Where a problem is: the keys and list indices from the document's root.
Path = tuple[str | int, ...]
#: A check takes a value and its path; it returns the value as parsed or raises Invalid.
Check = Callable[[Any, Path], Any]


class Invalid(Exception):
    """A problem a check found; a document's :class:`Messages` words it.

    Parameters
    ----------
    problem : str
        What is wrong: ``"missing"``, ``"unknown"`` (key), ``"marker"``, ``"object"``
        (not a mapping), ``"type"``, ``"overflow"``, ``"finite"``, ``"gt"``, ``"ge"``,
        ``"lt"``, ``"le"``, ``"length"``, ``"unicode"`` (a lone surrogate), ``"choice"``,
        ``"items"``, ``"list"`` or ``"rule"``.
    path : Path
        Where.
    value : object
        The offending value (``None`` when it is missing).
    message : str or None
        The whole message, used as it is (for messages that quote the document).
    **details
        What the templates may name besides ``path``, ``where``, ``key`` and ``value``.
    """

    def __init__(
        self,
        problem: str,
        path: Path,
        value: Any = None,
        *,
        message: str | None = None,
        **details: Any,
    ) -> None:
        super().__init__(problem, path)
        self.problem = problem
        self.path = path
        self.value = value
        self.message = message
        self.details = details
        #: Set by the innermost :func:`says` (or field) that words this problem.
        self.template: str | None = None


class _Shown:
    """A value as a message quotes it: cut to 80 characters (a document may hold megabytes)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return _cut(repr(self.value))

    def __str__(self) -> str:
        return _cut(_printable(str(self.value)))


def _cut(shown: str, limit: int = 80) -> str:
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def _printable(text: str) -> str:
    """``text``, its control characters escaped: an error is one line, whatever a file holds."""
    return text if text.isprintable() else repr(text)[1:-1]


def dotted(path: Path) -> str:
    """Return a path as ``sensors[2].calibration.scale`` (keys' control characters escaped)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            key = _printable(str(part))
            out += f".{key}" if out else key
    return out


@dataclass(frozen=True, slots=True)
class Messages:
    """A document's wording: a template per problem, and the exception to raise.

    Templates are :meth:`str.format` strings that may name ``path`` (the problem's
    place, as ``where_of`` writes it), ``where`` (its parent's place), ``key`` (the
    last key or index), ``value`` and the problem's details (``type``, ``got``,
    ``low``, ``op``, ``gt``, ``ge``, ``lt``, ``le``, ``known``, ``min_len``,
    ``max_len``). A problem worded with a whole ``message`` is used as it is.

    Parameters
    ----------
    templates : Mapping
        Problem name to template.
    error : callable
        ``(message, path) -> Exception``: the document's exception.
    where_of : callable
        How a path reads in a message (default :func:`dotted`).
    """

    templates: Mapping[str, str]
    error: Callable[[str, Path], Exception]
    where_of: Callable[[Path], str] = dotted

    def text(self, err: Invalid) -> str:
        """Word a problem."""
        if err.message is not None:
            return err.message
        template = err.template or self.templates[err.problem]
        return template.format(
            path=self.where_of(err.path),
            where=self.where_of(err.path[:-1]),
            key=err.path[-1] if err.path else "",
            value=_Shown(err.value),
            **err.details,
        )

    def fail(self, err: Invalid) -> NoReturn:
        """Raise the document's exception for a problem."""
        raise self.error(self.text(err), err.path) from None


# -- checks ------------------------------------------------------------------------------


def anything(value: Any, path: Path) -> Any:
    """Accept any value as it is."""
    return value


def says(check: Check, wording: str | Mapping[str, str]) -> Check:
    """Word the problems ``check`` finds (one template, or one per problem name).

    The innermost wording wins: a problem already worded inside ``check`` keeps its own.
    """

    def worded(value: Any, path: Path) -> Any:
        try:
            return check(value, path)
        except Invalid as err:
            _word(err, wording)
            raise

    return worded


def _word(err: Invalid, wording: str | Mapping[str, str]) -> None:
    if err.template is None and err.message is None:
        err.template = wording if isinstance(wording, str) else wording.get(err.problem)


def chain(*checks: Check) -> Check:
    """Apply checks in turn, each to what the one before returned."""

    def chained(value: Any, path: Path) -> Any:
        for check in checks:
            value = check(value, path)
        return value

    return chained


def rule(holds: Callable[[Any], bool], template: str | None = None) -> Check:
    """Refuse a value for which ``holds`` is false (problem ``rule``).

    ``template`` words it; without one, the enclosing field's wording does.
    """

    def ruled(value: Any, path: Path) -> Any:
        if not holds(value):
            err = Invalid("rule", path, value)
            err.template = template
            raise err
        return value

    return ruled


def of(*kinds: type) -> Check:
    """Accept an instance of ``kinds``; ``True``/``False`` only if ``bool`` is one (``type``)."""

    def typed(value: Any, path: Path) -> Any:
        # bool is an int to isinstance, but never a number in these documents.
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise Invalid("type", path, value, type=type(value).__name__)
        return value

    return typed


def number(
    *,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
) -> Check:
    """Accept an int or float (not a bool), finite and within bounds; return a float.

    Problems: ``type``, ``overflow`` (an integer too large for a float), ``finite``,
    ``gt``, ``ge``, ``lt``, ``le``; each carries ``got`` (the float, where there is one),
    ``low`` and ``op`` (the lower bound and ``">"`` or ``">="``), and the bounds.

    Parameters
    ----------
    gt, ge, lt, le : float or None
        Bounds: greater than, at least, less than, at most.
    """
    typed = of(int, float)
    low = gt if gt is not None else ge
    op = ">" if gt is not None else ">="
    bounds: dict[str, Any] = {"gt": gt, "ge": ge, "lt": lt, "le": le, "low": low, "op": op}

    def numeric(value: Any, path: Path) -> float:
        typed(value, path)
        try:
            got = float(value)
        except OverflowError:  # a JSON or TOML integer with hundreds of digits
            raise Invalid("overflow", path, value, **bounds) from None
        for problem, bad in (
            ("finite", not math.isfinite(got)),
            ("gt", gt is not None and got <= gt),
            ("ge", ge is not None and got < ge),
            ("lt", lt is not None and got >= lt),
            ("le", le is not None and got > le),
        ):
            if bad:
                raise Invalid(problem, path, value, got=got, **bounds)
        return got

    return numeric


def as_given(check: Check) -> Check:
    """Apply ``check`` but return the value as given (an int stays an int)."""

    def given(value: Any, path: Path) -> Any:
        check(value, path)
        return value

    return given


def mapping(values: Check, *, required: Sequence[str] = ()) -> Check:
    """Accept a mapping whose every value passes ``values``, with the ``required`` keys.

    Problems: ``object`` (not a mapping), ``missing`` (at the first required key absent);
    values are checked at ``path + (key,)``, in the mapping's order. Returns a dict.
    """

    def mapped(value: Any, path: Path) -> dict[Any, Any]:
        if not isinstance(value, Mapping):
            raise Invalid("object", path, value)
        for key in required:
            if key not in value:
                raise Invalid("missing", (*path, key))
        return {key: values(item, (*path, key)) for key, item in value.items()}

    return mapped


def text(*, min_len: int = 0, max_len: int | None = None, strip: bool = False) -> Check:
    """Accept a string of ``min_len``..``max_len`` characters (``type``, ``length``).

    With ``strip``, the length is that of the stripped string, which is returned.
    """
    typed = of(str)

    def stringy(value: Any, path: Path) -> str:
        out: str = typed(value, path)
        out = out.strip() if strip else out
        if len(out) < min_len or (max_len is not None and len(out) > max_len):
            raise Invalid("length", path, value, min_len=min_len, max_len=max_len)
        try:
            out.encode("utf-8")
        except UnicodeEncodeError:
            # JSON's "\ud800" escape reads as a lone surrogate: no file, terminal or
            # database text can hold it, so it is refused here, worded the same everywhere.
            err = Invalid("unicode", path, value)
            err.template = "{path} must be valid Unicode text"
            raise err from None
        return out

    return stringy


def choice(options: Any, convert: Callable[[Any], Any] | None = None) -> Check:
    """Accept a value ``in options`` (problem ``choice``, ``known`` lists them in order).

    ``convert``, if given, turns the accepted value into what is returned (an enum).
    """
    known = ", ".join(str(o) for o in options)

    def chosen(value: Any, path: Path) -> Any:
        try:
            known_value = value in options
        except TypeError:  # a list or object where a set's member was expected
            known_value = False
        if not known_value:
            raise Invalid("choice", path, value, known=known)
        return value if convert is None else convert(value)

    return chosen


def _sequence(value: Any, kinds: type | tuple[type, ...]) -> bool:
    return isinstance(value, kinds) and not isinstance(value, str)


def items(
    *checks: Check, kinds: type | tuple[type, ...] = list, names: Sequence[str] = ()
) -> Check:
    """Accept a fixed-length sequence, one check per position; return a tuple.

    Problem ``items`` for another kind or length. Positions are checked at the
    sequence's own path, or at ``path + (names[i],)`` when ``names`` are given.
    """

    def fixed(value: Any, path: Path) -> tuple[Any, ...]:
        if not _sequence(value, kinds) or len(value) != len(checks):
            raise Invalid("items", path, value)
        return tuple(
            check(item, (*path, names[i]) if names else path)
            for i, (check, item) in enumerate(zip(checks, value, strict=True))
        )

    return fixed


def list_of(
    check: Check,
    *,
    min_len: int = 0,
    max_len: int | None = None,
    kinds: type | tuple[type, ...] = list,
) -> Check:
    """Accept a sequence of ``min_len``..``max_len`` items, each passing ``check``.

    Problems: ``list`` (another kind), ``length``; items are checked at ``path + (i,)``.
    """

    def listed(value: Any, path: Path) -> list[Any]:
        if not _sequence(value, kinds):
            raise Invalid("list", path, value)
        if len(value) < min_len or (max_len is not None and len(value) > max_len):
            raise Invalid("length", path, value, min_len=min_len, max_len=max_len)
        return [check(item, (*path, i)) for i, item in enumerate(value)]

    return listed


# -- objects -----------------------------------------------------------------------------

_ABSENT: Any = object()


@dataclass(frozen=True, slots=True)
class Field:
    """One key of an object.

    Parameters
    ----------
    key : str
        The key.
    check : Check
        What its value must be.
    default : object
        The value checked when the key is absent (a copy); none given means the
        key is required, unless ``optional``.
    optional : bool
        An absent key is fine and left out of the result.
    says : str or Mapping or None
        The field's own wording (as :func:`says`), also for ``missing``.
    """

    key: str
    check: Check = anything
    default: Any = _ABSENT
    optional: bool = False
    says: str | Mapping[str, str] | None = None

    def parse(self, data: Mapping[str, Any], path: Path, out: dict[str, Any]) -> None:
        """Check this field of ``data`` (an object at ``path``) into ``out``."""
        where = (*path, self.key)
        try:
            if self.key in data:
                out[self.key] = self.check(data[self.key], where)
            elif self.default is not _ABSENT:
                out[self.key] = self.check(copy.copy(self.default), where)
            elif not self.optional:
                raise Invalid("missing", where)
        except Invalid as err:
            if self.says is not None:
                _word(err, self.says)
            raise


@dataclass(frozen=True, slots=True)
class Rule:
    """A check across fields, run where it stands among them.

    ``check(parsed, path)`` sees the fields parsed so far (and may add to them).
    """

    check: Callable[[dict[str, Any], Path], None]


@dataclass(frozen=True, slots=True)
class Schema:
    """An object's shape: its fields and rules, in the order they are checked.

    Parameters
    ----------
    fields : tuple of Field or Rule
        In checking order.
    unknown : {"ignore", "refuse"}
        What an unknown key is: ignored (a later version may add keys) or a problem
        (``unknown``, at the first unknown key in sorted order; ``known`` lists the
        declared keys, sorted).
    upfront : bool
        Report a missing required key before any value (the first in sorted order),
        rather than when its field's turn comes.
    marker : tuple of (str, object) or None
        ``(key, value)`` the object must carry, checked first (problem ``marker``,
        also for a value that is no object at all).
    build : callable or None
        Turns the parsed fields into what the check returns (default: the dict).
    """

    fields: tuple[Field | Rule, ...]
    unknown: Literal["ignore", "refuse"] = "ignore"
    upfront: bool = False
    marker: tuple[str, Any] | None = None
    build: Callable[[dict[str, Any]], Any] | None = None
    _keys: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keys = frozenset(f.key for f in self.fields if isinstance(f, Field))
        object.__setattr__(self, "_keys", keys)

    def __call__(self, data: Any, path: Path) -> Any:
        """Check ``data`` at ``path`` (a schema is itself a check)."""
        _check_marker(self.marker, data, path)
        if not isinstance(data, Mapping):
            raise Invalid("object", path, data)
        if self.unknown == "refuse":
            unknown = sorted(str(k) for k in data if k not in self._keys)
            if unknown:
                known = ", ".join(sorted(self._keys))
                raise Invalid("unknown", (*path, unknown[0]), known=known)
        if self.upfront:
            required = (
                f.key
                for f in self.fields
                if isinstance(f, Field) and f.default is _ABSENT and not f.optional
            )
            missing = sorted(k for k in required if k not in data)
            if missing:
                raise Invalid("missing", (*path, missing[0]))
        out: dict[str, Any] = {}
        for entry in self.fields:
            if isinstance(entry, Rule):
                entry.check(out, path)
            else:
                entry.parse(data, path, out)
        return out if self.build is None else self.build(out)

    def validate(self, data: Any, messages: Messages) -> Any:
        """Check a whole document with this schema (see :func:`validate`)."""
        return validate(self, data, messages)


def validate(check: Check, data: Any, messages: Messages) -> Any:
    """Check a whole document; raise its own exception for the first problem.

    Parameters
    ----------
    check : Check
        The document's shape (a :class:`Schema`, or :func:`variants` of schemas).
    data : object
        The parsed document.
    messages : Messages
        Its wording.

    Returns
    -------
    object
        What ``check`` returns.
    """
    try:
        return check(data, ())
    except Invalid as err:
        messages.fail(err)


def _check_marker(marker: tuple[str, Any] | None, data: Any, path: Path) -> None:
    if marker is not None:
        key, value = marker
        if not isinstance(data, Mapping) or data.get(key) != value:
            raise Invalid("marker", path, data)


def variants(
    tag: Field, cases: Mapping[Any, Schema], *, marker: tuple[str, Any] | None = None
) -> Check:
    """Check a tagged union: ``tag`` (checked first) says which schema the object follows.

    Problem ``object`` if the value is not a mapping (``marker`` as for :class:`Schema`,
    checked before the tag); the chosen schema must declare the tag's key.
    """

    def tagged(data: Any, path: Path) -> Any:
        _check_marker(marker, data, path)
        if not isinstance(data, Mapping):
            raise Invalid("object", path, data)
        found: dict[str, Any] = {}
        tag.parse(data, path, found)
        return cases[found[tag.key]](data, path)

    return tagged
