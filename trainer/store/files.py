"""Small file helpers shared by the store's writers (references, packs)."""

from __future__ import annotations

import io
import os
import secrets
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


def _create_temporary(target: Path) -> tuple[int, str]:
    """Create a new, unique temporary file beside ``target``: (descriptor, path).

    Created with mode ``0666`` so that the kernel applies the umask, as for any new file.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = str(target.parent / f".{target.name}.{secrets.token_hex(6)}.part")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a temporary file beside {target}")


def write_atomic(target: Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` through a synced temporary file renamed into place.

    A crash leaves either the old file or the new one, never half of it. Callers decide
    beforehand whether replacing an existing ``target`` is allowed. The file gets the
    mode any program's new file gets (``0666`` less the umask), so an exported reference
    or pack can be shared like any other file (``mkstemp`` would make it ``0600``).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temporary(target)
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
