"""The nus-text fallback: lines the app's LineAssembler and text decoder read back."""

from __future__ import annotations

import numpy as np
import pytest
from fw_fakes import drive, make_glove  # type: ignore[import-not-found]

from sensors import protocol
from sensors.profiles import load_profile
from sensors.sources._decoding import PacketDecoder


@pytest.mark.parametrize("mtu", [23, 30, 64, 247])
def test_lines_reassemble_to_the_adc_counts(mtu: int) -> None:
    glove, source = make_glove(protocol="nus-text", mtu=mtu, seed=5)
    assert glove.set_mtu(mtu)  # text lines may be split: any MTU streams
    glove.start()
    packets, _ = drive(glove, start_us=2_000_000, seconds=2.0, step_us=10_000)
    assert packets and all(len(p) <= mtu - 3 for p in packets)
    assembler = protocol.LineAssembler()
    lines = [line for p in packets for line in assembler.feed(p)]
    samples = [protocol.decode_text_line(line, channels=5) for line in lines]
    assert [s.values.tolist() for s in samples] == source.rows[: len(samples)]
    assert len(source.rows) - len(samples) <= 10  # at most the unsent notification
    assert [s.t_ms for s in samples] == [2000 + 10 * i for i in range(len(samples))]
    assert assembler.overlong == 0


@pytest.mark.parametrize(("high", "lines"), [(99, {10}), (4095, {8, 9})])
def test_notifications_carry_whole_lines_up_to_100_ms(high: int, lines: set[int]) -> None:
    glove, source = make_glove(protocol="nus-text", mtu=247)
    source.high = high  # light touch: short lines; full scale: long ones
    glove.start()
    packets, _ = drive(glove, start_us=0, seconds=2.0, step_us=10_000)
    assert all(p.endswith(b"\n") and len(p) <= 244 for p in packets)
    # 100 Hz: 10 lines are 100 ms (the OGLO-style batch) unless the MTU is full first
    assert {p.count(b"\n") for p in packets} == lines
    longest = max(len(line) + 1 for p in packets for line in p.split(b"\n")[:-1])
    assert all(p.count(b"\n") == 10 or len(p) + longest > 244 for p in packets)


def test_t_ms_wraps_like_millis() -> None:
    glove, _source = make_glove(protocol="nus-text", mtu=247)
    glove.start()
    start_us = (2**32 - 150) * 1000  # t_ms crosses 2**32 150 ms in
    packets, _ = drive(glove, start_us=start_us, seconds=0.5, step_us=10_000)
    assembler = protocol.LineAssembler()
    stamps = [protocol.decode_text_line(line).t_ms for p in packets for line in assembler.feed(p)]
    assert stamps[0] == 2**32 - 150 and 0 in stamps
    clock = protocol.DeviceClock(wrap=2**32, ticks_per_s=1e3)
    assert np.allclose(np.diff([clock.to_seconds(t) for t in stamps]), 0.01)


def test_the_apps_text_path_with_the_bundled_diy_profile() -> None:
    profile = load_profile("diy-fsr5")  # what the app picks for a NUS glove by default
    glove, source = make_glove(protocol="nus-text", mtu=185, seed=11)
    glove.start()
    packets, _ = drive(glove, start_us=0, seconds=2.0, step_us=10_000)
    decoder = PacketDecoder(profile)
    blocks = [b for p in packets for b in decoder.feed(p)]
    values = np.concatenate([b.values for b in blocks])
    assert np.allclose(values, profile.to_newtons(np.array(source.rows[: len(values)])))
    assert len(values) >= 190 and decoder.bad_packets == decoder.gaps == 0
