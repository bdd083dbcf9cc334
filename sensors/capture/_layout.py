"""Byte layout of the native ``.mtcap`` format, shared by its writer and reader.

See :mod:`sensors.capture` for the grammar and ``docs/capture-format.md`` for the details.
"""

from __future__ import annotations

import struct

__all__ = ["FORMAT_VERSION", "MAGIC"]

#: The 8 bytes every native capture starts with (PNG-style: a high-bit byte, CR LF, ^Z,
#: LF, so 7-bit transfers and newline conversion are detected).
MAGIC = b"\x89MTC\r\n\x1a\n"
#: The format version this module writes; the reader accepts versions up to this one.
FORMAT_VERSION = 1

_FORMAT_NAME = "massage-trainer capture"
_HEADER = struct.Struct("<8sHHII")  # magic, version, reserved, json_len, json_crc
_CHUNK_MAGIC = b"MTCK"
_CHUNK_HEAD = struct.Struct("<4sII")  # magic, payload_len, payload_crc (+ head_crc u32)
_CHUNK_HEAD_LEN = _CHUNK_HEAD.size + 4
_PAYLOAD_HEAD = struct.Struct("<IHH")  # n samples, c channels, flags
_FLAG_GAP = 0x0001
# Limits the reader checks before allocating anything.
_MAX_JSON_BYTES = 1 << 20
_MAX_PAYLOAD_BYTES = 64 << 20
_MAX_CHANNELS = 4096
# The writer never puts more samples than this in one chunk (keeps chunks well under
# the reader's payload limit and bounds what one torn write can lose).
_MAX_CHUNK_SAMPLES = 4096
