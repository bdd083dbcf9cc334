"""Profile texts shared by the profile tests (module-level parametrize lists use them)."""

from __future__ import annotations

GOOD = """
name = "t"
protocol = "glove-v1"
sample_rate_hz = 100
raw_max = 4095
[[sensors]]
name = "thumb"
region = "thumb"
position = [0.1, 0.4]
contact_area_mm2 = 126.7
saturation_n = 10.0
calibration = { kind = "table", points = [[0, 0.0], [1000, 1.0], [4095, 10.0]] }
"""
