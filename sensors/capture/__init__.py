"""Capture files: crash-safe recordings of a glove stream, and CSV interchange.

A capture holds one stream of :class:`~sensors.blocks.SampleBlock` (times in seconds,
forces in newtons, gap markers) plus the glove profile it came from and a little
metadata. The native format (suffix ``.mtcap``) is an append-only chunked binary file
designed so that ``kill -9`` or a power cut during a recording loses at most about one
second, and the file still opens. The full layout is in ``docs/capture-format.md``;
in short (all integers little-endian)::

    file    := header chunk*
    header  := magic[8] version:u16 reserved:u16 json_len:u32 json_crc:u32 json[json_len]
    magic   := 89 4D 54 43 0D 0A 1A 0A          (0x89 "MTC" CR LF ^Z LF)
    json    := UTF-8 JSON object: {"format", "profile", "started_at", "source",
               "app_version", "metadata"}
    chunk   := "MTCK" payload_len:u32 payload_crc:u32 head_crc:u32 payload[payload_len]
    payload := n:u32 c:u16 flags:u16 t:f64[n] values:f64[n*c] (row-major, n x c)

``json_crc``, ``payload_crc`` and ``head_crc`` are CRC-32 (zlib) of, respectively,
the JSON bytes, the payload bytes, and the 12 chunk-header bytes before ``head_crc``.
``flags`` bit 0 means "samples were lost just before this chunk's first sample"; the
other bits must be 0. ``payload_len`` must equal ``8 + 8 * n * (1 + c)``.

Crash safety. The writer writes each chunk with unbuffered ``write`` calls (so a killed
process loses nothing already appended) and calls ``fsync`` at most every
``sync_interval_s`` (0.5 s by default) and on close (so a power cut loses at most
that much). The reader therefore treats a damaged *tail* as the expected crash case:
an incomplete chunk header, a chunk whose payload runs past the end of the file, a bad
CRC in the very last chunk, or bytes after the last good chunk in which no further
valid chunk header can be found are dropped, and the capture opens with
``truncated=True`` and the number of dropped bytes. Anything else -- bad magic, an
unknown version, a damaged JSON header, or a damaged chunk followed by a valid one
(corruption in the middle) -- raises :class:`~sensors.exceptions.CaptureError`, whose
one-line message names the file.

CSV interchange. :func:`write_csv` writes a header ``time_s,<sensor names>`` then one
row per sample (seconds, newtons), every float in Python's shortest round-tripping
``repr``, so a CSV round trip is exact. :func:`read_csv` reads that back; CSV carries no
gap markers, so a gap is inferred before every sample whose time step exceeds
``1.5 x`` the median time step (:data:`CSV_GAP_FACTOR`).
"""

from __future__ import annotations

from sensors.capture._layout import FORMAT_VERSION, MAGIC
from sensors.capture.csv_io import CSV_GAP_FACTOR, read_csv, write_csv
from sensors.capture.model import CAPTURE_SUFFIX, Capture, default_block_size, trim_block
from sensors.capture.reader import read_capture
from sensors.capture.writer import CaptureWriter

__all__ = [
    "CAPTURE_SUFFIX",
    "CSV_GAP_FACTOR",
    "FORMAT_VERSION",
    "MAGIC",
    "Capture",
    "CaptureWriter",
    "default_block_size",
    "read_capture",
    "read_csv",
    "trim_block",
    "write_csv",
]
