"""A finished session of one person, its capture a copy of a real one (people tests)."""

from __future__ import annotations

import time
from pathlib import Path

from trainer.store.database import Store


def finished_session(
    store: Store, user: str, capture_from: Path | None, technique: str = "effleurage"
) -> int:
    """Record a finished session of ``user`` whose capture is a copy of ``capture_from``.

    ``None`` leaves the capture empty (for tests that only list sessions).

    Returns
    -------
    int
        The session's id.
    """
    capture = store.home / "sessions" / f"{technique}-{time.monotonic_ns()}.mtcap"
    capture.parent.mkdir(parents=True, exist_ok=True)
    capture.write_bytes(b"" if capture_from is None else capture_from.read_bytes())
    sid = store.begin_session(
        technique=technique,
        reference=None,
        reference_name=f"{technique}-starter",
        glove="reference-glove",
        source=f"sim:{technique}",
        feedback_mode="every",
        capture=capture,
        user=user,
    )
    store.end_session(sid, samples=10, duration_s=1.0)
    return sid
