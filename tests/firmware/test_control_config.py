"""The config characteristic and the control commands, as the app writes and reads them."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from fw_fakes import DIY_V1_PROFILE, drive, make_glove  # type: ignore[import-not-found]

from sensors import protocol
from sensors.profiles import load_profile

START = protocol.encode_command(protocol.Command.START)
STOP = protocol.encode_command(protocol.Command.STOP)
TARE = protocol.encode_command(protocol.Command.TARE)


def _set_rate(hz: int) -> bytes:
    return protocol.encode_command(protocol.Command.SET_RATE, hz)


def test_config_decodes_and_matches_the_glove_v1_profile() -> None:
    glove, _ = make_glove()
    config = protocol.decode_config(glove.config_bytes())
    profile = load_profile(DIY_V1_PROFILE)
    assert config.mismatches(profile) == []
    assert config.profile == "diy-fsr5-v1" and config.name == "DIY-Glove-3FA2"
    assert config.sample_rate_hz == 100.0 and config.units == "N"
    # positions as the profile's, exactly
    assert [(s[2], s[3]) for s in config.sensors] == [s.position for s in profile.sensors]
    # the reference glove (7 zones, 200 Hz) is not this glove: the app would refuse it
    assert config.mismatches(load_profile("reference-glove"))


def test_shipped_settings_are_the_diy_fsr5_glove() -> None:
    from glove import settings

    v1 = load_profile(DIY_V1_PROFILE)
    text = load_profile("diy-fsr5")  # the app's profile for the nus-text fallback
    assert v1.sensors == text.sensors  # same channels, areas, limits and calibration
    assert v1.protocol == "glove-v1" and text.protocol == "nus-text"
    assert tuple(s[0] for s in settings.SENSORS) == text.channel_names
    assert tuple(s[1] for s in settings.SENSORS) == text.regions
    assert settings.RATE_HZ == text.sample_rate_hz == v1.sample_rate_hz
    assert (1 << settings.ADC_BITS) - 1 == text.raw_max == v1.raw_max
    gpios = [s[4] for s in settings.SENSORS] + [settings.BATTERY_GPIO]
    assert len(set(gpios)) == len(gpios)
    assert all(1 <= g <= 10 and g != 3 for g in gpios)  # ESP32-S3 ADC1, not the strap pin


def test_seven_sensor_config_fits_512_bytes() -> None:
    from glove import settings

    extra = (("ring", "ring", 660, 900, 7), ("little", "little", 820, 780, 8))
    glove, _ = make_glove(sensors=settings.SENSORS + extra)
    data = glove.config_bytes()
    assert len(data) <= protocol.MAX_CONFIG_BYTES
    assert protocol.decode_config(data).channel_names[-2:] == ("ring", "little")


def test_set_rate_changes_dt_and_the_config_follows() -> None:
    glove, source = make_glove(rate_hz=100)
    assert glove.command(START) == 0
    packets, now = drive(glove, start_us=0, seconds=0.25, step_us=10_000)
    assert glove.command(_set_rate(200)) == 0
    more, _ = drive(glove, start_us=now + 5000, seconds=0.5, step_us=5000)
    decoded = [protocol.decode(p) for p in packets + more]
    dts = [p.dt_us for p in decoded]
    assert dts[0] == 10_000 and dts[-1] == 5000
    first_fast = dts.index(5000)
    assert set(dts[first_fast:]) == {5000}  # the batch after the change carries the new dt
    assert protocol.decode_config(glove.config_bytes()).sample_rate_hz == 200.0
    # no sample lost or repeated around the change, times never go backwards
    rows = np.concatenate([p.raw for p in decoded])
    assert rows.tolist() == source.rows[: len(rows)]
    stamps = [p.t0_us + i * p.dt_us for p in decoded for i in range(p.count)]
    assert all(b > a for a, b in itertools.pairwise(stamps))
    # a rate the protocol allows but the diy profile does not: the app would refuse it
    assert protocol.decode_config(glove.config_bytes()).mismatches(load_profile(DIY_V1_PROFILE))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x09",  # unknown opcode
        b"\x01\x00",  # START with an argument
        b"\x04\xc8",  # SET_RATE too short
        b"\x04\xc8\x00\x00",  # SET_RATE too long
        b"\x04\x0f\x00",  # 15 Hz: below what a u16 dt_us can express
        b"\x04\x91\x01",  # 401 Hz: above what this glove samples at
    ],
)
def test_bad_commands_are_refused_and_change_nothing(data: bytes) -> None:
    glove, _ = make_glove()
    before = glove.config_bytes()
    assert glove.command(data) == 0x80
    assert glove.refused == 1
    packets, _ = drive(glove, start_us=0, seconds=0.3, step_us=10_000)
    assert packets == [] and not glove.streaming
    assert glove.config_bytes() == before


def test_start_stop_gate_the_stream_and_stop_flushes() -> None:
    glove, source = make_glove(rate_hz=100)
    packets, _ = drive(glove, start_us=0, seconds=0.5, step_us=10_000)
    assert packets == [] and source.rows == []  # nothing before START
    glove.command(START)
    packets, _ = drive(glove, start_us=600_000, seconds=0.15, step_us=10_000)
    assert glove.batcher.pending > 0  # a partial batch is being filled
    glove.command(STOP)
    glove.tick(760_000)  # the next tick applies STOP: the partial batch is sent
    packets += list(iter(lambda: _pop(glove), None))
    total = sum(protocol.decode(p).count for p in packets)
    assert total == len(source.rows) and glove.batcher.pending == 0
    after, _ = drive(glove, start_us=770_000, seconds=0.5, step_us=10_000)
    assert after == [] and len(source.rows) == total  # stopped: no reads, nothing sent
    glove.command(START)  # and again, seq carries on
    again, _ = drive(glove, start_us=1_300_000, seconds=0.2, step_us=10_000)
    seqs = [protocol.decode(p).seq for p in packets + again]
    assert seqs == list(range(len(seqs)))


def _pop(glove: object) -> bytes | None:
    packet = glove.next_packet()  # type: ignore[attr-defined]
    if packet is None:
        return None
    data = bytes(packet)
    glove.packet_sent()  # type: ignore[attr-defined]
    return data


def test_tare_zeroes_at_rest_and_flags_the_next_batch() -> None:
    glove, source = make_glove(rate_hz=100, seed=3)
    glove.command(START)
    packets, now = drive(glove, start_us=0, seconds=0.35, step_us=10_000)
    n_before = len(source.rows)
    glove.command(TARE)
    more, _ = drive(glove, start_us=now + 10_000, seconds=0.3, step_us=10_000)
    decoded = [protocol.decode(p) for p in packets + more]
    flagged = [p for p in decoded if p.tared]
    assert len(flagged) == 1
    first = decoded.index(flagged[0])
    assert sum(p.count for p in decoded[:first]) == n_before  # tare starts a new batch
    baseline = np.array(source.rows[n_before])
    raw_after = np.concatenate([p.raw for p in decoded[first:]])
    expected = np.clip(
        np.array(source.rows[n_before : n_before + len(raw_after)]) - baseline, 0, None
    )
    assert np.array_equal(raw_after, expected)
    assert not raw_after[0].any()  # the tared sample itself reads zero
    # through the profile: the rest level reads 0 N after the tare
    profile = load_profile(DIY_V1_PROFILE)
    assert np.allclose(profile.to_newtons(raw_after[:1]), 0.0)
