r"""The glove wire protocol: bytes ↔ samples (pure functions, no I/O).

Two profiles are supported; ``docs/glove-protocol.md`` is the normative description
(GATT table, byte layouts, worked example, timing and versioning rules).

``glove-v1``
    A custom GATT service. The *samples* characteristic notifies batches of samples::

        offset size field
        0      1    version      (PROTOCOL_VERSION = 1)
        1      1    flags        (bit 0: a tare was applied just before this batch; others 0)
        2      2    seq          u16, +1 per notification, wraps 65535 → 0
        4      4    t0_us        u32 device time of the first sample, µs, wraps
        8      2    dt_us        u16 sample interval, µs (> 0)
        10     1    count        samples in this batch (≥ 1)
        11     1    channels     values per sample (1–32)
        12     2*count*channels  u16 counts, sample-major (s0c0, s0c1, …, s1c0, …)

    All little-endian, no CRC (the BLE link layer already protects every packet with a
    CRC-24 and retransmits; a corrupted notification is never delivered). Counts convert
    to newtons with the glove profile's calibration. The *config* characteristic (read)
    is compact UTF-8 JSON (:class:`GloveConfig`); the *control* characteristic (write)
    takes one opcode byte plus an optional u16 argument (:class:`Command`).

``nus-text``
    DIY gloves sending ``t_ms,v1,v2,...\n`` lines over the Nordic UART Service; lines
    may be split across notifications (:class:`LineAssembler` rejoins them).

Every decoder (:func:`decode`, :func:`decode_config`, :func:`decode_command`,
:func:`decode_text_line`, :func:`decode_battery_level`) raises
:class:`~sensors.exceptions.ProtocolError` (a ``ValueError``) for any malformed input,
including input that is not bytes at all, and no other exception.

The code is split by profile: :mod:`~sensors.protocol.glove_v1` (samples, control),
:mod:`~sensors.protocol.config` (the config characteristic),
:mod:`~sensors.protocol.nus_text`, :mod:`~sensors.protocol.stream` (sequence numbers,
device clock) and :mod:`~sensors.protocol.gatt` (UUIDs, limits, battery level).
"""

from __future__ import annotations

from sensors.protocol.config import GloveConfig, decode_config, encode_config
from sensors.protocol.gatt import (
    BATTERY_LEVEL_CHAR_UUID,
    BATTERY_SERVICE_UUID,
    CONFIG_CHAR_UUID,
    CONTROL_CHAR_UUID,
    GLOVE_SERVICE_UUID,
    MAX_CHANNELS,
    MAX_CONFIG_BYTES,
    MAX_NOTIFICATION_BYTES,
    MAX_SET_RATE_HZ,
    MAX_TEXT_LINE,
    MIN_SET_RATE_HZ,
    NUS_RX_CHAR_UUID,
    NUS_SERVICE_UUID,
    NUS_TX_CHAR_UUID,
    PROTOCOL_VERSION,
    SAMPLES_CHAR_UUID,
    decode_battery_level,
)
from sensors.protocol.glove_v1 import (
    HEADER_SIZE,
    Command,
    SamplePacket,
    decode,
    decode_command,
    encode,
    encode_command,
    max_samples_per_packet,
)
from sensors.protocol.nus_text import LineAssembler, TextSample, decode_text_line, encode_text_line
from sensors.protocol.stream import DeviceClock, SequenceTracker

__all__ = [
    "BATTERY_LEVEL_CHAR_UUID",
    "BATTERY_SERVICE_UUID",
    "CONFIG_CHAR_UUID",
    "CONTROL_CHAR_UUID",
    "GLOVE_SERVICE_UUID",
    "HEADER_SIZE",
    "MAX_CHANNELS",
    "MAX_CONFIG_BYTES",
    "MAX_NOTIFICATION_BYTES",
    "MAX_SET_RATE_HZ",
    "MAX_TEXT_LINE",
    "MIN_SET_RATE_HZ",
    "NUS_RX_CHAR_UUID",
    "NUS_SERVICE_UUID",
    "NUS_TX_CHAR_UUID",
    "PROTOCOL_VERSION",
    "SAMPLES_CHAR_UUID",
    "Command",
    "DeviceClock",
    "GloveConfig",
    "LineAssembler",
    "SamplePacket",
    "SequenceTracker",
    "TextSample",
    "decode",
    "decode_battery_level",
    "decode_command",
    "decode_config",
    "decode_text_line",
    "encode",
    "encode_command",
    "encode_config",
    "encode_text_line",
    "max_samples_per_packet",
]
