"""Small file helpers shared by the store's writers (references, packs)."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path

__all__ = ["deterministic_zip", "write_atomic"]

# Fixed zip entry times: the same content always gives the same bytes (content hashes).
_TIMESTAMP = (2020, 1, 1, 0, 0, 0)


def deterministic_zip(entries: dict[str, bytes]) -> bytes:
    """Return a deflated zip of ``entries`` in name order with fixed timestamps."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, entries[name])
    return buf.getvalue()


def write_atomic(target: Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` through a synced temporary file renamed into place.

    A crash leaves either the old file or the new one, never half of it. Callers decide
    beforehand whether replacing an existing ``target`` is allowed.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
