"""Hostile values for fuzzing the documents the program reads, and where to put them.

Shared by the document fuzz tests (``tests/sensors/test_hostile_documents.py``,
``tests/trainer/store/test_hostile_store_documents.py``): a strategy of values no decoder
should choke on (huge integers, NaN and infinities, lone surrogates, NUL, long text,
nested lists and objects) and :func:`mutate`, which puts one to three of them into a copy
of a valid document or deletes keys.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

HUGE = 10**400  # a JSON or TOML integer no float holds

_ODD_TEXT = st.sampled_from(
    ["", " ", "\ud800", "\x00", "é" * 70, "x" * 5000, "🖐", "1e999", "1970-01-01"]
)
ODD_NUMBERS = st.sampled_from([HUGE, -HUGE, 2**63, 2**1024, 2**31, 1e308, 5e-324, -0.0])
_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | ODD_NUMBERS
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | _ODD_TEXT
)
#: Any JSON-like value, hostile leaves nested in short lists and objects.
HOSTILE = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)


def key_paths(doc: Any, prefix: tuple[Any, ...] = (), depth: int = 8) -> list[tuple[Any, ...]]:
    """Every key path into a JSON document (object keys and list indices), ``depth`` deep.

    Not deeper: a hostile list nested 60 deep, put in twice, would otherwise be walked
    to the interpreter's recursion limit, at a depth that differs between a run and its
    replay (hypothesis then calls the strategy flaky).
    """
    out = [prefix] if prefix else []
    if len(prefix) >= depth:
        return out
    if isinstance(doc, dict):
        for key, value in doc.items():
            out += key_paths(value, (*prefix, key), depth)
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            out += key_paths(value, (*prefix, i), depth)
    return out


def mutate(doc: Any, data: st.DataObject, values: st.SearchStrategy[Any] = HOSTILE) -> Any:
    """A copy of ``doc`` with one to three of its values replaced by hostile ones or deleted."""
    doc = copy.deepcopy(doc)
    for _ in range(data.draw(st.integers(1, 3))):
        paths = key_paths(doc)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        target = doc
        for key in path[:-1]:
            target = target[key]
        if isinstance(target, dict) and data.draw(st.booleans()):
            del target[path[-1]]
        else:
            target[path[-1]] = data.draw(values)
    return doc
