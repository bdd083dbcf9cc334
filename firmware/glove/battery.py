"""Battery level: LiPo voltage -> percent for the standard Battery Level characteristic."""

from glove.compat import const

EMPTY_MV = const(3300)  # a single LiPo cell treated as empty (design choice; see build docs)
FULL_MV = const(4200)  # a single LiPo cell fully charged


def percent(millivolts: int, empty_mv: int = EMPTY_MV, full_mv: int = FULL_MV) -> int:
    """Battery level from the cell voltage, linear between empty and full.

    A LiPo's curve is not linear; this is a coarse gauge, which is all the Battery
    Level characteristic promises.

    Parameters
    ----------
    millivolts : int
        Cell voltage in mV (after undoing the sense divider).
    empty_mv, full_mv : int
        Voltages read as 0 % and 100 %.

    Returns
    -------
    int
        0-100.
    """
    if millivolts <= empty_mv:
        return 0
    if millivolts >= full_mv:
        return 100
    return (100 * (millivolts - empty_mv) + (full_mv - empty_mv) // 2) // (full_mv - empty_mv)


def level_bytes(level: int) -> bytes:
    """Battery Level (0x2A19) value: one unsigned byte, clamped to 0-100."""
    return bytes((0 if level < 0 else (100 if level > 100 else level),))
