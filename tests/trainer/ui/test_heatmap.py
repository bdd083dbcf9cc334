"""The hand heat map: colours follow load, clipping is marked, the outline holds the sensors."""

from __future__ import annotations

import itertools

import numpy as np
from PySide6 import QtCore, QtGui

from sensors.profiles import load_profile
from trainer.ui import theme
from trainer.ui.heatmap import HandHeatmap, hand_outline


def _darkness(colour) -> float:
    return 1.0 - colour.lightnessF()


def test_colours_follow_load(qtbot, themed_app) -> None:
    heat = HandHeatmap()
    qtbot.addWidget(heat)
    profile = load_profile("reference-glove")
    heat.set_profile(profile)
    loads = np.array([0.0, 1.0, 2.5, 4.0, 6.0, 8.0, 9.5])
    heat.set_loads(loads)
    darkness = [_darkness(c) for c in heat.colours()]
    assert all(a < b for a, b in itertools.pairwise(darkness))
    # An unloaded sensor is the quiet end of the ramp; a fully loaded one the deep end.
    assert heat.colours()[0] == theme.load_colour(0.0)
    heat.set_loads(loads[::-1])
    assert [_darkness(c) for c in heat.colours()] == darkness[::-1]


def test_clipped_sensors_are_marked(qtbot, themed_app) -> None:
    heat = HandHeatmap()
    qtbot.addWidget(heat)
    profile = load_profile("diy-fsr5")  # FSRs saturate at 10 N
    heat.set_profile(profile)
    heat.set_loads(np.array([10.0, 3.0, 0.0, 12.0, 9.9]))
    assert heat.clipped.tolist() == [True, False, False, True, False]
    heat.resize(300, 360)
    heat.show()
    clipped_pixels = _count(heat, theme.CAUTION)
    heat.set_loads(np.array([5.0, 3.0, 0.0, 2.0, 1.0]))
    assert not heat.clipped.any()
    assert clipped_pixels > 50 and _count(heat, theme.CAUTION) == 0


def _count(widget, colour: str) -> int:
    """Pixels of exactly ``colour`` in the widget as drawn."""
    image = widget.grab().toImage()
    target = QtGui.QColor(colour).rgb()
    return sum(
        image.pixel(x, y) == target
        for x in range(0, image.width())
        for y in range(0, image.height())
    )


def test_a_wrong_sized_load_vector_is_ignored(qtbot, themed_app) -> None:
    heat = HandHeatmap()
    qtbot.addWidget(heat)
    heat.set_profile(load_profile("reference-glove"))
    heat.set_loads(np.ones(3))
    assert len(heat.colours()) == 7 and heat.colours()[0] == theme.load_colour(0.0)


def test_outline_contains_every_bundled_sensor_position(themed_app) -> None:
    outline = hand_outline()
    for name in ("reference-glove", "diy-fsr5"):
        for sensor in load_profile(name).sensors:
            assert outline.contains(QtCore.QPointF(*sensor.position)), (name, sensor.name)
    assert not outline.contains(QtCore.QPointF(0.05, 0.05))  # below the thumb, outside
