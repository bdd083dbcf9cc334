"""Firmware of the massage-trainer DIY glove (MicroPython + aioble on an ESP32-S3).

Pure modules (no hardware; tested under CPython in ``tests/firmware``):
:mod:`glove.encoding` (bytes on the wire), :mod:`glove.batching` (notifications),
:mod:`glove.sampling` (the timer's schedule, tare), :mod:`glove.control` (control
commands), :mod:`glove.config` (the config characteristic), :mod:`glove.battery`,
:mod:`glove.advertising`, :mod:`glove.clock` and :mod:`glove.engine`, which ties them
together. The hardware layer is :mod:`glove.board` (``machine``), :mod:`glove.radio`
(``bluetooth``/``aioble``) and :mod:`glove.app`, started by ``main.py``.

The wire format is ``docs/glove-protocol.md``; ``docs/build-a-glove.md`` says how to build,
flash and calibrate the glove.
"""

VERSION = "0.1.0"
