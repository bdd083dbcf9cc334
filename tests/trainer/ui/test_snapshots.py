"""Headless renders of the views on demo data (README and user-guide images)."""

from __future__ import annotations

import pytest
from PySide6 import QtGui

from trainer.exceptions import TrainerError
from trainer.ui.snapshots import VIEWS, parse_size, render_view


def test_sizes_parse_and_bad_ones_say_how() -> None:
    assert parse_size("1024x600") == (1024, 600)
    assert parse_size("1920×1080") == (1920, 1080)
    for bad in ("1024", "wide", "10x10", "0x600"):
        with pytest.raises(TrainerError, match="WIDTHxHEIGHT"):
            parse_size(bad)


def test_unknown_view_or_a_scale_qt_cannot_take(themed_app, tmp_path) -> None:
    with pytest.raises(TrainerError, match="unknown view"):
        render_view("settings", (1024, 600), tmp_path / "x.png")
    with pytest.raises(TrainerError, match="scale"):
        render_view("connect", (1024, 600), tmp_path / "x.png", scale=1.5)  # Qt runs at 1
    assert set(VIEWS) == {"connect", "practice", "instructor", "replay", "history"}


@pytest.mark.parametrize("size", [(1024, 600), (1920, 1080)])
def test_connect_view_renders_at_the_asked_size(themed_app, tmp_path, size) -> None:
    out = render_view("connect", size, tmp_path / "shots" / "connect.png", home=tmp_path / "h")
    image = QtGui.QImage(str(out))
    assert (image.width(), image.height()) == size
    # Not a blank window: the sidebar, cards and the streaming badge are drawn.
    colours = {image.pixel(x, y) for x in range(0, size[0], 16) for y in range(0, size[1], 16)}
    assert len(colours) > 10


def test_history_renders_demo_sessions(themed_app, tmp_path) -> None:
    from trainer.store.database import Store

    home = tmp_path / "h"
    out = render_view("history", (1024, 600), tmp_path / "history.png", home=home)
    assert QtGui.QImage(str(out)).size().width() == 1024
    with Store(home, readonly=True) as store:
        sessions = store.sessions()
    assert {s.technique for s in sessions} == {"effleurage", "petrissage"}
    assert all(s.attempts > 0 for s in sessions)
