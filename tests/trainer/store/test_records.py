"""Records and the component mapping (trainer.store.records)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from trainer.exceptions import StoreError
from trainer.store import records
from trainer.store.records import check_components, score_components


def test_score_components_prefer_a_components_mapping(make_score: Callable[..., Any]) -> None:
    score = make_score(0.0)
    assert score_components(score) == {
        "shape": 95.0,
        "pressure": None,
        "tempo": 90.0,
        "smoothness": 88.5,
    }

    class WithComponents:  # what a score carrying its own mapping looks like
        components = {"shape": 50.0, "toy": None}  # noqa: RUF012

    assert score_components(WithComponents()) == {"shape": 50.0, "toy": None}  # type: ignore[arg-type]


def test_make_score_fills_the_fixed_fields_from_the_mapping(
    make_score: Callable[..., Any],
) -> None:
    original = make_score(1.0)
    fields = {
        f.name: getattr(original, f.name)
        for f in dataclasses.fields(original)
        if f.name not in ("shape", "pressure", "tempo", "smoothness", "components")
    }
    rebuilt = records.make_score(score_components(original), **fields)
    assert rebuilt == original


@pytest.mark.parametrize(
    ("components", "message"),
    [
        ({"x" * 101: 1.0}, "1 to 100 characters"),
        ({3: 1.0}, "1 to 100 characters"),
        ({"x": True}, "number or None"),
        ({"x": float("nan")}, "finite"),
    ],
)
def test_bad_components_are_store_errors(components: dict, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        check_components(components)
