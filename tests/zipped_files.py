"""Reading and rewriting the zip files the program writes (references ``.mtref``, packs).

Shared by the tests that take a valid file apart to build a broken or an older one.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np


def entries(src: Path | bytes) -> dict[str, bytes]:
    """Every entry of a zip file (a path or its bytes), in the file's order."""
    with zipfile.ZipFile(io.BytesIO(src) if isinstance(src, bytes) else src) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def zipped(files: dict[str, bytes]) -> bytes:
    """A deflated zip file holding ``files``, in their order."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buf.getvalue()


def rewrite(
    src: Path | bytes,
    *,
    meta: Callable[[dict[str, Any]], None] | None = None,
    arrays: Callable[[dict[str, np.ndarray]], None] | None = None,
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """A reference file's bytes with its ``meta.json`` and arrays edited in place."""
    files = entries(src)
    if meta is not None:
        doc = json.loads(files["meta.json"])
        meta(doc)
        files["meta.json"] = json.dumps(doc).encode()
    if arrays is not None:
        with np.load(io.BytesIO(files["arrays.npz"])) as npz:
            held = {k: npz[k] for k in npz.files}
        arrays(held)
        buf = io.BytesIO()
        np.savez(buf, **held)
        files["arrays.npz"] = buf.getvalue()
    if extra:
        files.update(extra)
    return zipped(files)
