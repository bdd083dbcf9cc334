"""Small file helpers shared by the store's writers (references, packs)."""

from __future__ import annotations

import io
import math
import os
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = ["deterministic_zip", "read_member", "read_npy", "write_atomic"]

_CHUNK = 1 << 20  # inflate at most this much at a time

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
    import secrets

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


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Inflate one zip entry in bounded chunks, trusting neither its header nor its data.

    Parameters
    ----------
    zf : zipfile.ZipFile
        The open archive.
    info : zipfile.ZipInfo
        The entry; its declared ``file_size`` must already have been checked against
        ``limit`` by the caller (so nothing is allocated for a refused entry).
    limit : int
        Most bytes accepted.

    Returns
    -------
    bytes
        The entry's content.

    Raises
    ------
    ValueError
        The entry inflates to more than it declares, or more than ``limit`` (a lying
        header): reading stops one chunk past the declared size, never later.
    """
    cap = min(int(info.file_size), limit)
    buf = bytearray()
    with zf.open(info) as f:
        while True:
            chunk = f.read(min(_CHUNK, cap + 1 - len(buf)))
            if not chunk:
                break
            buf += chunk
            if len(buf) > cap:
                raise ValueError(f"entry {info.filename[:80]!r} is larger than it declares")
    return bytes(buf)


def read_npy(data: bytes) -> np.ndarray:
    """Parse ``.npy`` bytes, checking the declared shape against the data before any use.

    ``numpy.lib.format.read_array`` allocates the shape its header declares before
    reading, so a header declaring a huge shape costs that much memory (or raises
    ``MemoryError``). Here the header's element count times the item size must equal
    the bytes that follow; the array is then a view of ``data`` (read-only).

    Raises
    ------
    ValueError
        Not a ``.npy``, an object (pickled) dtype, or a shape the data does not hold.
    """
    import numpy as np  # here only: the zip and file helpers serve listings that need none

    fmt = np.lib.format
    f = io.BytesIO(data)
    try:
        version = fmt.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, fortran, dtype = fmt.read_array_header_2_0(f)
        else:
            raise ValueError(f"unsupported .npy version {version}")
    except (OSError, EOFError, SyntaxError, TypeError) as err:
        raise ValueError(f"unreadable .npy header ({err})") from None
    if dtype.hasobject or dtype.itemsize == 0:
        raise ValueError(f"dtype {dtype} is not allowed")
    count = math.prod(int(n) for n in shape)  # Python ints: no overflow
    body = len(data) - f.tell()
    if count * dtype.itemsize != body:
        raise ValueError(f"header declares shape {tuple(shape)} but {body} bytes follow")
    arr = np.frombuffer(data, dtype=dtype, count=count, offset=f.tell())
    return arr.reshape(shape, order="F" if fortran else "C")
