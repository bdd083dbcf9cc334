from __future__ import annotations

import asyncio

import numpy as np
import pytest
from bleak.exc import BleakBluetoothNotAvailableError
from fake_ble import FakeGlove, config_for, load_log

from sensors import protocol
from sensors.exceptions import AdapterError, DeviceNotFoundError, ProfileError, SourceError
from sensors.profiles import load_profile
from sensors.sources import SourceState
from sensors.sources.ble import BleSource, scan

REF = "reference-glove"


def _source(glove: FakeGlove, target: str | None = None, **kw) -> BleSource:
    kw.setdefault("backoff_s", (0.01, 0.02))
    kw.setdefault("max_attempts", 5)
    return BleSource(
        target or glove.address,
        client_class=glove.client_class(),
        scanner_class=glove.scanner_class(),
        connect_timeout_s=2.0,
        scan_timeout_s=0.1,
        **kw,
    )


def _drain(src: BleSource) -> list:
    blocks = []
    with src:
        while True:
            try:
                block = src.read(timeout=5.0)
            except EOFError:
                return blocks
            assert block is not None, "stream stalled"
            blocks.append(block)


def _samples_of(packets: list[bytes]) -> int:
    return sum(protocol.decode(p).raw.shape[0] for p in packets)


def test_streams_a_recorded_log_exactly() -> None:
    packets = load_log(REF)
    glove = FakeGlove(packets, config=config_for(REF))
    src = _source(glove)
    blocks = _drain(src)
    t = np.concatenate([b.t for b in blocks])
    assert len(t) == _samples_of(packets)
    assert np.all(np.diff(t) > 0)
    assert not any(b.gap_before for b in blocks)
    expected = load_profile(REF).to_newtons(
        np.concatenate([protocol.decode(p).raw for p in packets])
    )
    np.testing.assert_array_equal(np.concatenate([b.values for b in blocks]), expected)
    status = src.status()
    assert status.battery_pct == 77 and status.dropped_packets == 0
    assert glove.commands == [protocol.encode_command(protocol.Command.START)]


def test_drops_and_reconnects_mark_gaps_and_never_duplicate() -> None:
    packets = load_log(REF)
    drops = {5, 12, 20, 31}
    glove = FakeGlove(
        packets,
        config=config_for(REF),
        drop_after=drops,
        lost_on_drop=2,
        fail_connects_after_drop=1,
    )
    src = _source(glove)
    blocks = _drain(src)
    t = np.concatenate([b.t for b in blocks])
    assert np.all(np.diff(t) > 0)  # monotone: nothing duplicated or reordered
    delivered = [p for i, p in enumerate(packets) if not any(d < i <= d + 2 for d in drops)]
    assert len(t) == _samples_of(delivered)
    assert sum(b.gap_before for b in blocks) == len(drops)
    status = src.status()
    assert status.reconnects == len(drops)
    history = src.state_history
    assert (
        SourceState.RECONNECTING in history
        and history.count(SourceState.STREAMING) == len(drops) + 1
    )
    assert history[-1] is SourceState.LOST  # the log ends and the glove never returns


def test_lost_notifications_without_a_drop_are_counted_and_marked() -> None:
    packets = load_log(REF)
    glove = FakeGlove(packets, config=config_for(REF), skip={3, 4, 9})
    src = _source(glove)
    blocks = _drain(src)
    assert src.status().dropped_packets == 3
    assert sum(b.gap_before for b in blocks) == 2  # 3-4 together, then 9
    n = _samples_of([p for i, p in enumerate(packets) if i not in {3, 4, 9}])
    assert sum(len(b) for b in blocks) == n


def test_duplicates_and_reordering_are_discarded_not_repeated() -> None:
    packets = load_log(REF)
    glove = FakeGlove(packets, config=config_for(REF), duplicate={2, 7}, swap={10})
    blocks = _drain(_source(glove))
    t = np.concatenate([b.t for b in blocks])
    assert np.all(np.diff(t) > 0)
    assert len(t) <= _samples_of(packets)


def test_nus_text_glove_by_name() -> None:
    packets = load_log("diy-fsr5")
    glove = FakeGlove(packets, kind="nus-text", battery=None, name="DIY glove")
    src = _source(glove, target="DIY glove")
    blocks = _drain(src)
    assert src.profile.name == "diy-fsr5"
    assert sum(len(b) for b in blocks) == 400  # 4 s at 100 Hz
    assert src.status().battery_pct is None


def test_config_mismatch_is_refused() -> None:
    glove = FakeGlove(load_log(REF), config=config_for("diy-fsr5"))
    with pytest.raises(ProfileError, match="glove reports sensors"):
        _source(glove, profile=REF).open()


def test_unknown_name_and_missing_adapter() -> None:
    glove = FakeGlove(load_log(REF), config=config_for(REF))
    with pytest.raises(DeviceNotFoundError, match="no glove named 'nobody'"):
        _source(glove, target="nobody").open()
    src = BleSource(
        "My glove",
        scanner_class=glove.scanner_class(error=BleakBluetoothNotAvailableError("off", None)),
    )
    with pytest.raises(AdapterError):
        src.open()
    with pytest.raises(AdapterError):
        scan(0.1, scanner_class=glove.scanner_class(error=FileNotFoundError(2, "no dbus")))


def test_gives_up_after_max_attempts() -> None:
    glove = FakeGlove(load_log(REF), config=config_for(REF), fail_connects=100)
    with pytest.raises(SourceError, match="could not connect"):
        _source(glove, max_attempts=3).open()


def test_scan_lists_only_gloves() -> None:
    glove = FakeGlove([], name="Glove A")
    found = scan(0.1, scanner_class=glove.scanner_class())
    assert [(g.name, g.kind) for g in found] == [("Glove A", "glove-v1")]


def test_asyncio_consumer() -> None:
    glove = FakeGlove(load_log(REF), config=config_for(REF))
    src = _source(glove)

    async def consume() -> int:
        n = 0
        async for block in src.aiter_blocks():
            n += len(block)
        return n

    with src:
        n = asyncio.run(consume())
    assert n == _samples_of(load_log(REF))
