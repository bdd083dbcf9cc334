"""The shared declarative schema helper (sensors._schema)."""

from __future__ import annotations

import ast
import math
from pathlib import Path as FilePath
from typing import Any

import pytest

import sensors._schema as schema_module
from sensors._schema import (
    Field,
    Invalid,
    Messages,
    Path,
    Rule,
    Schema,
    as_given,
    chain,
    choice,
    dotted,
    items,
    list_of,
    mapping,
    number,
    of,
    rule,
    says,
    text,
    validate,
    variants,
)


class DocError(ValueError):
    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


MESSAGES = Messages(
    {
        "missing": "{path}: missing",
        "unknown": "{path}: unknown (known: {known})",
        "object": "{path}: not an object",
        "marker": "not our document",
        "type": "{path}: got a {type}",
        "list": "{path}: not a list",
        "items": "{path}: wrong items",
        "length": "{path}: {min_len}..{max_len} long",
        "overflow": "{path}: too large",
        "finite": "{path}: not finite",
        "gt": "{path}: must be > {gt:g}, got {got:g}",
        "ge": "{path}: must be {op} {low:g}",
        "lt": "{path}: must be < {lt:g}",
        "le": "{path}: must be <= {le:g}",
        "choice": "{path}: {value!r} is none of {known}",
    },
    DocError,
)


def fails(check: Any, data: Any, messages: Messages = MESSAGES) -> DocError:
    with pytest.raises(DocError) as exc:
        validate(check, data, messages)
    return exc.value


def test_fields_are_checked_in_declared_order_and_the_first_problem_is_reported() -> None:
    shape = Schema((Field("b", number()), Field("a", text())))
    assert validate(shape, {"a": "x", "b": 2}, MESSAGES) == {"b": 2.0, "a": "x"}
    err = fails(shape, {"a": 3, "b": "x"})
    assert str(err) == "b: got a str" and err.path == ("b",)
    assert str(fails(shape, {"b": 1})) == "a: missing"


def test_unknown_keys_are_ignored_or_the_first_sorted_one_refused() -> None:
    fields = (Field("name", text()),)
    assert validate(Schema(fields), {"name": "n", "extra": 1}, MESSAGES) == {"name": "n"}
    err = fails(Schema(fields, unknown="refuse"), {"zz": 1, "name": "n", "b": 2})
    assert str(err) == "b: unknown (known: name)" and err.path == ("b",)


def test_upfront_reports_the_first_missing_key_before_any_value() -> None:
    fields = (Field("z", number()), Field("b"), Field("a"), Field("c", optional=True))
    assert str(fails(Schema(fields), {"z": "bad"})) == "z: got a str"
    assert str(fails(Schema(fields, upfront=True), {"z": "bad"})) == "a: missing"


def test_defaults_are_checked_copied_and_optional_keys_left_out() -> None:
    default: dict[str, Any] = {"kind": "linear"}
    shape = Schema(
        (
            Field("rate", number(gt=0.0), default=1),
            Field("table", of(dict), default=default),
            Field("note", text(), optional=True),
        )
    )
    parsed = validate(shape, {}, MESSAGES)
    assert parsed == {"rate": 1.0, "table": {"kind": "linear"}}
    assert parsed["table"] is not default
    assert str(fails(Schema((Field("rate", number(gt=0.0), default=-1),)), {})) == (
        "rate: must be > 0, got -1"
    )


def test_a_marker_is_checked_first_and_refuses_non_objects() -> None:
    shape = Schema((Field("v", number()),), marker=("format", "ours"))
    assert str(fails(shape, {"format": "theirs", "v": "x"})) == "not our document"
    assert str(fails(shape, ["format", "ours"])) == "not our document"
    assert validate(shape, {"format": "ours", "v": 1}, MESSAGES) == {"v": 1.0}
    assert str(fails(Schema(()), "text")) == ": not an object"


def test_number_refuses_bools_non_finite_values_and_each_bound() -> None:
    check = number(ge=0.0, lt=10.0)
    assert check(3, ()) == 3.0 and isinstance(check(3, ()), float)
    for value, message in (
        (True, "x: got a bool"),
        ("3", "x: got a str"),
        (math.nan, "x: not finite"),
        (math.inf, "x: not finite"),
        (10**400, "x: too large"),
        (-1, "x: must be >= 0"),
        (10, "x: must be < 10"),
    ):
        assert str(fails(Schema((Field("x", check),)), {"x": value})) == message
    assert str(fails(Schema((Field("x", number(le=1)),)), {"x": 1.5})) == "x: must be <= 1"


def test_a_huge_integer_is_always_a_problem_never_an_overflow_error() -> None:
    # The profile validator once let OverflowError through (a huge sample rate in a
    # capture header's profile escaped read_capture).
    with pytest.raises(Invalid) as exc:
        number(gt=0.0)(10**400, ("rate",))
    assert exc.value.problem == "overflow" and exc.value.path == ("rate",)


def test_of_accepts_bool_only_when_asked() -> None:
    assert of(bool)(True, ()) is True
    assert of(int, bool)(False, ()) is False
    with pytest.raises(Invalid) as exc:
        of(int)(True, ())
    assert exc.value.problem == "type" and exc.value.details == {"type": "bool"}


def test_text_checks_length_after_stripping_when_asked() -> None:
    assert text(min_len=1, strip=True)("  a ", ()) == "a"
    assert text(min_len=1)("  ", ()) == "  "
    with pytest.raises(Invalid) as exc:
        text(min_len=1, strip=True)("  ", ())
    assert exc.value.problem == "length"
    assert str(fails(Schema((Field("s", text(max_len=2)),)), {"s": "abc"})) == "s: 0..2 long"


def test_choice_lists_the_known_values_in_order_and_converts() -> None:
    check = choice(("b", "a"), convert=str.upper)
    assert check("a", ()) == "A"
    assert str(fails(Schema((Field("k", check),)), {"k": "c"})) == "k: 'c' is none of b, a"


@pytest.mark.parametrize("value", [["a"], {"a": 1}, [[]]])
def test_choice_of_a_set_refuses_an_unhashable_value(value: Any) -> None:
    # `[...] in frozenset` is a TypeError: decode_config let it escape for a region.
    shape = Schema((Field("k", choice(frozenset({"a", "b"}))),))
    assert fails(shape, {"k": value}).path == ("k",)


def test_messages_quote_at_most_80_characters_of_a_value() -> None:
    shape = Schema((Field("k", choice(("a", "b"))),))
    said = str(fails(shape, {"k": "x" * 10_000}))
    assert said == f"k: '{'x' * 76}... is none of a, b"
    assert str(fails(shape, {"k": "c" * 78})) == f"k: '{'c' * 78}' is none of a, b"


def test_items_and_lists_check_each_position_at_its_path() -> None:
    pair = items(number(), number())
    assert pair([1, 2], ("p",)) == (1.0, 2.0)
    assert str(fails(Schema((Field("p", pair),)), {"p": [1]})) == "p: wrong items"
    assert str(fails(Schema((Field("p", pair),)), {"p": "ab"})) == "p: wrong items"
    # Unnamed positions are checked at the sequence's path, named ones below it.
    assert str(fails(Schema((Field("p", pair),)), {"p": [1, "y"]})) == "p: got a str"
    named = items(number(), number(), names=("x", "y"))
    assert fails(Schema((Field("p", named),)), {"p": [1, "y"]}).path == ("p", "y")
    listed = list_of(number(), min_len=1, max_len=2)
    assert str(fails(Schema((Field("l", listed),)), {"l": (1,)})) == "l: not a list"
    assert str(fails(Schema((Field("l", listed),)), {"l": []})) == "l: 1..2 long"
    assert str(fails(Schema((Field("l", listed),)), {"l": [1, None]})) == "l[1]: got a NoneType"
    assert list_of(number(), kinds=tuple)((1, 2), ()) == [1.0, 2.0]


def test_mapping_checks_every_value_and_as_given_keeps_the_value_as_it_was() -> None:
    weights = as_given(mapping(number(ge=0.0), required=("shape",)))
    given = {"shape": 1, "extra": 2}
    assert weights(given, ()) is given and given["shape"] == 1
    assert str(fails(Schema((Field("w", weights),)), {"w": {"x": 1}})) == "w.shape: missing"
    assert str(fails(Schema((Field("w", weights),)), {"w": {"shape": -1}})) == (
        "w.shape: must be >= 0"
    )
    assert str(fails(Schema((Field("w", weights),)), {"w": [1]})) == "w: not an object"


def test_the_innermost_wording_wins_and_a_fields_wording_covers_missing() -> None:
    inner = says(number(), {"type": "{path} inner"})
    shape = Schema((Field("x", says(inner, "{path} outer")),))
    assert str(fails(shape, {"x": "a"})) == "x inner"
    assert str(fails(shape, {"x": math.nan})) == "x outer"
    # A check's wording does not see a missing key; the field's does.
    assert str(fails(shape, {})) == "x: missing"
    assert str(fails(Schema((Field("x", inner, says="{key} is needed"),)), {})) == "x is needed"


def test_rules_word_themselves_or_take_the_fields_wording() -> None:
    positive = rule(lambda v: v > 0, "{path} must be positive, got {value}")
    assert str(fails(Schema((Field("n", positive),)), {"n": -2})) == "n must be positive, got -2"
    unworded = Schema((Field("n", chain(of(int), rule(lambda v: v > 0)), says="{key}: bad"),))
    assert str(fails(unworded, {"n": 0})) == "n: bad"


def test_cross_field_rules_run_where_they_stand_and_see_what_is_parsed() -> None:
    seen: list[dict[str, Any]] = []

    def ordered(parsed: dict[str, Any], path: Path) -> None:
        seen.append(dict(parsed))
        if parsed["lo"] > parsed["hi"]:
            raise Invalid("rule", path, message="lo {above} hi")  # not a template
        parsed["span"] = parsed["hi"] - parsed["lo"]

    shape = Schema(
        (Field("lo", number()), Field("hi", number()), Rule(ordered), Field("z", text()))
    )
    assert validate(shape, {"lo": 1, "hi": 3, "z": ""}, MESSAGES)["span"] == 2.0
    assert seen == [{"lo": 1.0, "hi": 3.0}]
    assert str(fails(shape, {"lo": 4, "hi": 3, "z": 5})) == "lo {above} hi"


def test_nested_schemas_build_objects_and_paths_name_the_place() -> None:
    point = Schema((Field("x", number()),), unknown="refuse", build=lambda d: d["x"])
    shape = Schema((Field("points", list_of(point)),))
    assert validate(shape, {"points": [{"x": 1}, {"x": 2}]}, MESSAGES) == {"points": [1.0, 2.0]}
    err = fails(shape, {"points": [{"x": 1}, {"x": 2, "y": 3}]})
    assert str(err) == "points[1].y: unknown (known: x)" and err.path == ("points", 1, "y")
    assert dotted(("a", 0, "b", 2, 3)) == "a[0].b[2][3]"
    assert dotted(()) == ""


def test_variants_pick_the_schema_by_a_tag_with_a_default() -> None:
    shape = variants(
        Field("kind", choice(("line", "dot")), default="line"),
        {
            "line": Schema(
                (Field("v"), Field("kind", optional=True), Field("length", number())),
                unknown="refuse",
            ),
            "dot": Schema((Field("v"), Field("kind")), unknown="refuse"),
        },
        marker=("v", 1),
    )
    assert validate(shape, {"v": 1, "length": 2}, MESSAGES) == {"v": 1, "length": 2.0}
    assert validate(shape, {"v": 1, "kind": "dot"}, MESSAGES) == {"v": 1, "kind": "dot"}
    assert str(fails(shape, {"v": 1, "kind": "arc", "x": 1})) == "kind: 'arc' is none of line, dot"
    assert str(fails(shape, {"v": 1, "kind": "dot", "length": 1})) == (
        "length: unknown (known: kind, v)"
    )
    assert str(fails(shape, {"v": 2})) == "not our document"
    assert str(fails(variants(Field("kind"), {}), [])) == ": not an object"


def test_messages_write_paths_their_own_way_and_name_the_parent() -> None:
    def spaced(path: Path) -> str:
        return " ".join(str(p) for p in path) or "root"

    messages = Messages(
        {"type": "{where} -> {key!r} ({path}) is {value!r}"},
        lambda message, path: DocError(f"doc: {message}", path),
        spaced,
    )
    shape = Schema((Field("s", list_of(Schema((Field("n", number()),)))),))
    err = fails(shape, {"s": [{"n": "x"}]}, messages)
    assert str(err) == "doc: s 0 -> 'n' (s 0 n) is 'x'" and err.path == ("s", 0, "n")


def test_the_helper_imports_neither_package() -> None:
    # Both packages import it, so it must sit below both (sensors never imports trainer).
    source = FilePath(schema_module.__file__).read_text(encoding="utf-8")
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported and not {m for m in imported if m.split(".")[0] in ("sensors", "trainer")}
