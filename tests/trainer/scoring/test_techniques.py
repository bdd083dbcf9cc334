"""The one technique-name rule (trainer.scoring.techniques)."""

from __future__ import annotations

import pytest

from trainer.exceptions import ScoringError
from trainer.scoring.techniques import (
    MAX_TECHNIQUE_LENGTH,
    check_technique_name,
    unknown_technique,
)


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("effleurage", "effleurage"),
        ("skin rolling", "skin rolling"),
        ("  Skin \t Rolling ", "skin rolling"),
        ("Compression", "compression"),
        ("cross-fibre friction 2", "cross-fibre friction 2"),
        ("a", "a"),
        ("x" * MAX_TECHNIQUE_LENGTH, "x" * MAX_TECHNIQUE_LENGTH),
    ],
)
def test_valid_names_are_normalised(typed: str, name: str) -> None:
    assert check_technique_name(typed) == name


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "shiatsu!",
        "2-hand",
        "skin_rolling",
        "rolling-",
        "x" * 41,
        "pétrissage",
        "a/b",
        "a\x07b",  # a control character (whitespace, newlines included, folds to one space)
    ],
)
def test_invalid_names_are_one_line_naming_the_rule(typed: str) -> None:
    with pytest.raises(ScoringError) as info:
        check_technique_name(typed)
    message = str(info.value)
    assert "\n" not in message and "invalid technique name" in message
    assert "lowercase letters, digits, spaces or hyphens" in message


def test_unknown_names_list_the_known_and_suggest_the_nearest() -> None:
    known = ["effleurage", "petrissage", "friction", "tapotement"]
    message = str(unknown_technique("tapotment", known))
    assert message == (
        "unknown technique 'tapotment' "
        "(did you mean 'tapotement'? known: effleurage, petrissage, friction, tapotement)"
    )
    assert "did you mean" not in str(unknown_technique("shiatsu", known))
