"""Fixtures shared by the sensors.protocol tests."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

DOC = Path(__file__).parents[3] / "docs" / "glove-protocol.md"


def _doc_example(name: str) -> str:
    """The first fenced block after ``<!-- example: NAME -->`` in docs/glove-protocol.md."""
    text = DOC.read_text(encoding="utf-8")
    marker = text.index(f"<!-- example: {name} -->")
    match = re.compile(r"```[a-z]*\n(.*?)```", re.S).search(text, marker)
    assert match is not None, f"no code block after example {name!r}"
    return match.group(1).strip()


@pytest.fixture
def doc_example() -> Callable[[str], str]:
    """Look up a worked example of the protocol document by name."""
    return _doc_example
