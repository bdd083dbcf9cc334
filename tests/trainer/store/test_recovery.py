"""Crash recovery when a store opens (trainer.store.recovery)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trainer.store.database import (
    DATABASE_FILE,
    Store,
)


def test_interrupted_recording_is_marked_on_next_open(
    tmp_path: Path, make_session: Callable[..., Any]
) -> None:
    with Store(tmp_path) as store:
        sid = make_session(store)
    # Pretend the writer was another, now dead, process on this host.
    conn = sqlite3.connect(tmp_path / DATABASE_FILE)
    conn.execute("UPDATE sessions SET writer = 'no-such-host:1' WHERE id = ?", (sid,))
    conn.commit()
    conn.close()
    with Store(tmp_path) as store:
        assert store.recovered == [sid]
        assert store.session(sid).state == "interrupted"


def test_our_own_running_recording_is_not_marked_interrupted(
    tmp_path: Path, make_session: Callable[..., Any]
) -> None:
    with Store(tmp_path) as first:
        sid = make_session(first)
        with Store(tmp_path) as second:
            assert second.recovered == []
            assert second.session(sid).state == "recording"
