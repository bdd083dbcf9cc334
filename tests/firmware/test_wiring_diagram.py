"""The committed wiring diagram is what tools/draw_wiring.py draws from the firmware today."""

from __future__ import annotations

import importlib.util
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

from fw_fakes import FIRMWARE  # type: ignore[import-not-found]

ROOT = FIRMWARE.parent
SVG = ROOT / "docs" / "images" / "wiring.svg"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("draw_wiring", ROOT / "tools" / "draw_wiring.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_svg_is_up_to_date() -> None:
    tool = _tool()
    drawn = tool.draw(*tool.load_inputs())
    assert SVG.read_text(encoding="utf-8") == drawn, "run: python tools/draw_wiring.py --png"


def test_diagram_labels_every_sensor_with_its_pin(tmp_path: Path) -> None:
    from glove import settings

    tool = _tool()
    out = tmp_path / "w.svg"
    assert tool.main(["--out", str(out)]) == 0
    root = ET.parse(out).getroot()  # well-formed SVG
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    for name, _region, _x, _y, gpio in settings.SENSORS:
        assert name in texts and f"GPIO{gpio}" in texts and f"{name} (GPIO{gpio})" in texts
    assert f"GPIO{settings.BATTERY_GPIO}" in texts and f"GPIO{settings.MODE_GPIO}" in texts
