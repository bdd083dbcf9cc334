"""Draw the DIY glove's wiring diagram and sensor map: ``docs/images/wiring.svg``.

Plain SVG written by hand (no plotting library needed), from the same data the firmware
and the app use: sensor names and GPIO pins from ``firmware/glove/settings.py``, hand-map
positions from the glove profile ``sensors/profiles/diy-fsr5-v1.toml``. Change those and
run this again; ``tests/firmware/test_wiring_diagram.py`` fails while the committed image
is out of date. Deterministic: unchanged inputs give a byte-identical file. Run from the
repository root::

    python tools/draw_wiring.py            # writes docs/images/wiring.svg
    python tools/draw_wiring.py --png      # also docs/images/wiring.png (needs PySide6)
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
FIRMWARE = ROOT / "firmware"
PROFILE = FIRMWARE.parent / "sensors" / "profiles" / "diy-fsr5-v1.toml"
OUT = ROOT / "docs" / "images" / "wiring.svg"

# The two zones a 7-sensor build adds (settings.py lists them commented out).
OPTIONAL = (("ring", "ring", 660, 900, 7), ("little", "little", 820, 780, 8))

WIDTH, HEIGHT = 1200, 660
RAIL_3V3_Y, RAIL_GND_Y = 130, 385
FSR_BOTTOM_Y, NODE_Y = 215, 255
BOARD_Y, BOARD_H = 450, 110
COLUMN_X0, COLUMN_DX = 120, 68
INK, MUTED, ACCENT, POWER = "#222", "#888", "#1f6fb2", "#b23a1f"


def load_inputs() -> tuple[tuple, dict[str, tuple], object]:
    """Return the firmware's sensor table, the profile's positions and the settings.

    Returns
    -------
    tuple
        ``(sensors, positions, settings)``: ``(name, region, x_milli, y_milli, gpio)``
        per channel from the firmware settings, ``{name: (x, y)}`` from the profile, and
        the settings module itself (battery and jumper pins).
    """
    sys.path.insert(0, str(FIRMWARE))
    try:
        from glove import settings  # the firmware's own settings module (pure Python)
    finally:
        sys.path.remove(str(FIRMWARE))
    profile = tomllib.loads(PROFILE.read_text(encoding="utf-8"))
    positions = {s["name"]: tuple(s["position"]) for s in profile["sensors"]}
    return settings.SENSORS, positions, settings


class Svg:
    """A tiny SVG writer: elements appended as text, in drawing order."""

    def __init__(self, width: int, height: int) -> None:
        self.parts: list[str] = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif">',
            f'<rect width="{width}" height="{height}" fill="white"/>',
        ]

    def line(
        self, x1: float, y1: float, x2: float, y2: float, color: str = INK, attrs: str = ""
    ) -> None:
        """Draw a straight wire."""
        self.parts.append(
            f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" stroke="{color}" '
            f'stroke-width="2"{attrs}/>'
        )

    def path(
        self, d: str, color: str = INK, fill: str = "none", width: float = 2, attrs: str = ""
    ) -> None:
        """Draw an SVG path."""
        self.parts.append(
            f'<path d="{d}" stroke="{color}" stroke-width="{width:g}" fill="{fill}"{attrs}/>'
        )

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        color: str = INK,
        fill: str = "none",
        rx: float = 0,
        attrs: str = "",
    ) -> None:
        """Draw a rectangle."""
        self.parts.append(
            f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" rx="{rx:g}" '
            f'stroke="{color}" stroke-width="2" fill="{fill}"{attrs}/>'
        )

    def dot(self, x: float, y: float, color: str = INK, r: float = 4) -> None:
        """Draw a junction dot (wires that meet at a dot are connected)."""
        self.parts.append(f'<circle cx="{x:g}" cy="{y:g}" r="{r:g}" fill="{color}"/>')

    def text(
        self,
        x: float,
        y: float,
        s: str,
        size: int = 12,
        color: str = INK,
        anchor: str = "middle",
        weight: str = "normal",
        rotate: float = 0,
    ) -> None:
        """Write a label."""
        turn = f' transform="rotate({rotate:g} {x:g} {y:g})"' if rotate else ""
        self.parts.append(
            f'<text x="{x:g}" y="{y:g}" font-size="{size}" fill="{color}" '
            f'text-anchor="{anchor}" font-weight="{weight}"{turn}>{escape(s)}</text>'
        )

    def render(self) -> str:
        """Return the document."""
        return "\n".join([*self.parts, "</svg>"]) + "\n"


def resistor(svg: Svg, x: float, y1: float, y2: float, color: str = INK, attrs: str = "") -> None:
    """Draw a vertical zig-zag resistor between y1 and y2 (leads included)."""
    lead = (y2 - y1) * 0.2
    top, bottom = y1 + lead, y2 - lead
    step = (bottom - top) / 6
    d = f"M{x:g},{y1:g} L{x:g},{top:g}"
    for k in range(6):
        d += f" L{x + (8 if k % 2 == 0 else -8):g},{top + (k + 0.5) * step:g}"
    d += f" L{x:g},{bottom:g} L{x:g},{y2:g}"
    svg.path(d, color, attrs=attrs)


def fsr(svg: Svg, x: float, y1: float, y2: float, color: str = INK, attrs: str = "") -> None:
    """Draw a force-sensing resistor: a box with the arrow of a variable resistor."""
    lead = (y2 - y1) * 0.2
    svg.line(x, y1, x, y1 + lead, color, attrs=attrs)
    svg.rect(x - 9, y1 + lead, 18, y2 - y1 - 2 * lead, color, attrs=attrs)
    svg.line(x, y2 - lead, x, y2, color, attrs=attrs)
    svg.path(
        f"M{x - 16:g},{y2 - lead + 4:g} L{x + 16:g},{y1 + lead - 4:g} "
        f"M{x + 16:g},{y1 + lead - 4:g} l-8,2 M{x + 16:g},{y1 + lead - 4:g} l-2,8",
        color,
        width=1.5,
        attrs=attrs,
    )


def hop(
    svg: Svg, x: float, y_from: float, y_to: float, y_cross: float, color: str, attrs: str = ""
) -> None:
    """Draw a vertical wire from y_from to y_to, hopping over a rail at y_cross."""
    svg.path(
        f"M{x:g},{y_from:g} L{x:g},{y_cross - 7:g} A7,7 0 0,0 {x:g},{y_cross + 7:g} "
        f"L{x:g},{y_to:g}",
        color,
        attrs=attrs,
    )


def draw(sensors: tuple, positions: dict[str, tuple], settings: object) -> str:
    """Draw the wiring (left) and the sensor map (right).

    Parameters
    ----------
    sensors : tuple of (name, region, x_milli, y_milli, gpio)
        The firmware's channels in wire order.
    positions : dict
        Hand-map position per sensor name, from the profile.
    settings : module
        The firmware settings (battery and jumper pins).

    Returns
    -------
    str
        The SVG document.
    """
    svg = Svg(WIDTH, HEIGHT)
    svg.text(
        20,
        32,
        "DIY glove: wiring (ESP32-S3-DevKitC-1) and sensor placement",
        18,
        anchor="start",
        weight="bold",
    )
    svg.text(
        20,
        54,
        "Each FSR forms a voltage divider with R_M: 3V3 - FSR - ADC pin - R_M - "
        "GND. More force, lower FSR resistance, higher voltage.",
        12,
        MUTED,
        "start",
    )

    columns = [(s, False) for s in sensors] + [(s, True) for s in OPTIONAL]
    last_x = COLUMN_X0 + (len(columns) - 1) * COLUMN_DX
    bat_x = last_x + 110
    right = bat_x + 40
    board_x1 = _draw_rails_and_board(svg, last_x, right)
    _draw_sensor_columns(svg, columns, last_x)
    _draw_battery_sense(svg, bat_x, settings.BATTERY_GPIO)  # type: ignore[attr-defined]
    _draw_power_path(svg, right + 40, bat_x)
    _draw_mode_jumper(svg, board_x1 - 60, settings.MODE_GPIO)  # type: ignore[attr-defined]
    svg.text(
        20,
        HEIGHT - 14,
        "A dot joins wires; a wire hopping over another is not "
        "connected to it. R_M: see docs/build-a-glove.md for choosing it.",
        11,
        MUTED,
        "start",
    )

    draw_hand(svg, sensors, positions, x0=board_x1 + 40)
    return svg.render()


def _draw_rails_and_board(svg: Svg, last_x: float, right: float) -> float:
    """Draw the 3V3 and GND rails and the board with its supply pins; return its right edge."""
    # rails
    svg.line(50, RAIL_3V3_Y, last_x, RAIL_3V3_Y, POWER)
    svg.text(50, RAIL_3V3_Y - 8, "3V3", 12, POWER, "start", "bold")
    svg.line(80, RAIL_GND_Y, right, RAIL_GND_Y)
    svg.text(right + 6, RAIL_GND_Y + 4, "GND", 12, INK, "start", "bold")
    # board
    board_x0, board_x1 = 30, right + 150
    svg.rect(board_x0, BOARD_Y, board_x1 - board_x0, BOARD_H, INK, "#f4f4f4", rx=8)
    svg.text(
        (board_x0 + board_x1) / 2,
        BOARD_Y + 70,
        "ESP32-S3-DevKitC-1 running MicroPython "
        "(ADC1 pins only: ADC2 is unusable while the radio is on)",
        13,
        INK,
    )
    # board supply pins
    svg.line(50, RAIL_3V3_Y, 50, BOARD_Y, POWER)
    svg.text(50, BOARD_Y + 18, "3V3", 11)
    svg.line(80, RAIL_GND_Y, 80, BOARD_Y)
    svg.dot(80, RAIL_GND_Y)
    svg.text(84, BOARD_Y + 18, "GND", 11)

    return board_x1


def _draw_sensor_columns(svg: Svg, columns: list, last_x: float) -> None:
    """Draw each sensor's divider (FSR above the pin, R_M below), optional ones dashed."""
    for i, ((name, _region, _x, _y, gpio), optional) in enumerate(columns):
        x = COLUMN_X0 + i * COLUMN_DX
        color = MUTED if optional else INK
        dash = ' stroke-dasharray="5,4"' if optional else ""
        node_y = NODE_Y
        svg.dot(x, RAIL_3V3_Y, POWER)
        fsr(svg, x, RAIL_3V3_Y, FSR_BOTTOM_Y, color, attrs=dash)
        svg.line(x, FSR_BOTTOM_Y, x, node_y, color, attrs=dash)
        svg.dot(x, node_y, color)
        resistor(svg, x, node_y, RAIL_GND_Y, color, attrs=dash)
        svg.dot(x, RAIL_GND_Y, color)
        svg.text(x - 12, (node_y + RAIL_GND_Y) / 2 + 4, "R_M", 10, color, "end")
        # signal wire to the pin, hopping over the GND rail
        svg.line(x, node_y, x + 24, node_y, color, attrs=dash)
        hop(svg, x + 24, node_y, BOARD_Y, RAIL_GND_Y, ACCENT if not optional else MUTED, attrs=dash)
        svg.text(x + 24, BOARD_Y + 18, f"GPIO{gpio}", 11, color)
        svg.text(x, RAIL_3V3_Y - 12, name, 11, color, weight="bold")
        svg.text(x - 12, (RAIL_3V3_Y + FSR_BOTTOM_Y) / 2 + 4, "FSR", 10, color, "end")
    svg.text(
        (COLUMN_X0 + last_x) / 2,
        RAIL_GND_Y + 42,
        "dashed: ring and little finger of a 7-sensor build",
        11,
        MUTED,
    )


def _draw_battery_sense(svg: Svg, bat_x: float, bat_gpio: int) -> None:
    # battery sense divider
    svg.text(bat_x, RAIL_3V3_Y - 12, "battery sense", 11, POWER, weight="bold")
    resistor(svg, bat_x, RAIL_3V3_Y, NODE_Y, POWER)
    svg.dot(bat_x, NODE_Y, POWER)
    resistor(svg, bat_x, NODE_Y, RAIL_GND_Y, POWER)
    svg.dot(bat_x, RAIL_GND_Y)
    svg.text(bat_x - 12, (RAIL_3V3_Y + NODE_Y) / 2 + 4, "100k", 10, POWER, "end")
    svg.text(bat_x - 12, (NODE_Y + RAIL_GND_Y) / 2 + 4, "100k", 10, POWER, "end")
    svg.line(bat_x, NODE_Y, bat_x + 24, NODE_Y, POWER)
    hop(svg, bat_x + 24, NODE_Y, BOARD_Y, RAIL_GND_Y, POWER)
    svg.text(bat_x + 24, BOARD_Y + 18, f"GPIO{bat_gpio}", 11, POWER)


def _draw_power_path(svg: Svg, px: float, bat_x: float) -> None:
    # power path: LiPo -> charger -> switch -> 5V pin; BAT+ feeds the sense divider
    svg.rect(px, 80, 110, 56, POWER, "#fff5f2", rx=6)
    svg.text(px + 55, 102, "LiPo 3.7 V", 12, POWER)
    svg.text(px + 55, 120, "1 cell, 500 mAh", 11, POWER)
    svg.rect(px, 160, 110, 64, INK, "#f4f4f4", rx=6)
    svg.text(px + 55, 182, "charger +", 12)
    svg.text(px + 55, 198, "protection", 12)
    svg.text(px + 55, 214, "(TP4056 board)", 10, MUTED)
    svg.line(px + 55, 136, px + 55, 160, POWER)
    # OUT+ -> switch -> 5V pin
    svg.line(px + 55, 224, px + 55, 268, POWER)
    svg.path(f"M{px + 55:g},268 L{px + 75:g},293", POWER)
    svg.dot(px + 55, 268, POWER, 3)
    svg.dot(px + 55, 300, POWER, 3)
    svg.text(px + 80, 288, "switch", 11, POWER, "start")
    svg.line(px + 55, 300, px + 55, BOARD_Y, POWER)
    svg.text(px + 55, BOARD_Y + 18, "5V", 11, POWER)
    # BAT+ to the sense divider, after the switch (no drain when off)
    bat_y = 330
    svg.line(px + 55, bat_y, bat_x + 70, bat_y, POWER)
    svg.dot(px + 55, bat_y, POWER)
    svg.path(
        f"M{bat_x + 70:g},{bat_y:g} L{bat_x + 70:g},{RAIL_3V3_Y:g} L{bat_x:g},{RAIL_3V3_Y:g}", POWER
    )
    svg.dot(bat_x, RAIL_3V3_Y, POWER)
    svg.text(bat_x + 74, bat_y - 6, "BAT+", 10, POWER, "start")
    svg.text(px + 60, 240, "OUT+", 10, POWER, "start")


def _draw_mode_jumper(svg: Svg, jx: float, mode_gpio: int) -> None:
    # text-mode jumper under the board
    svg.line(jx, BOARD_Y + BOARD_H, jx, BOARD_Y + BOARD_H + 26)
    svg.rect(jx - 6, BOARD_Y + BOARD_H + 26, 12, 14, INK, "#ffd")
    svg.line(jx, BOARD_Y + BOARD_H + 40, jx, BOARD_Y + BOARD_H + 60)
    svg.path(
        f"M{jx - 10:g},{BOARD_Y + BOARD_H + 60:g} l20,0 M{jx - 6:g},"
        f"{BOARD_Y + BOARD_H + 64:g} l12,0 M{jx - 2:g},{BOARD_Y + BOARD_H + 68:g} l4,0"
    )
    svg.text(jx, BOARD_Y + BOARD_H - 8, f"GPIO{mode_gpio}", 11)
    svg.text(
        jx - 14,
        BOARD_Y + BOARD_H + 38,
        "jumper to GND at power-up = nus-text mode",
        11,
        MUTED,
        "end",
    )


def draw_hand(svg: Svg, sensors: tuple, positions: dict[str, tuple], x0: float) -> None:
    """Draw the sensors on the profile's hand map (right hand, palm view, fingers up)."""
    w, h, y0 = WIDTH - x0 - 20, 430, 90

    def at(x: float, y: float) -> tuple[float, float]:
        return x0 + x * w, y0 + (1 - y) * h

    svg.text(x0 + w / 2, 76, "sensor placement (right hand, palm up)", 12, INK, weight="bold")
    skin, edge = "#f6e3d3", "#b08a6e"
    px0, py0 = at(0.2, 0.6)
    px1, py1 = at(0.9, 0.0)
    svg.rect(px0, py0, px1 - px0, py1 - py0, edge, skin, rx=28)
    for cx, top in ((0.30, 0.93), (0.48, 0.99), (0.66, 0.94), (0.82, 0.82)):
        fx, fy = at(cx - 0.075, top)
        _, fb = at(cx, 0.56)
        svg.rect(fx, fy, 0.15 * w, fb - fy, edge, skin, rx=0.075 * w)
    # thumb: a capsule from the base of the palm out to the left
    tx0, ty0 = at(0.26, 0.22)
    tx1, ty1 = at(0.06, 0.52)
    svg.path(
        f"M{tx0:g},{ty0:g} L{tx1:g},{ty1:g}",
        edge,
        width=0.15 * w + 4,
        attrs=' stroke-linecap="round"',
    )
    svg.path(
        f"M{tx0:g},{ty0:g} L{tx1:g},{ty1:g}", skin, width=0.15 * w, attrs=' stroke-linecap="round"'
    )
    svg.text(x0 + 2, y0 + h + 20, "wrist crease: y = 0", 10, MUTED, "start")
    all_sensors = [(s, False) for s in sensors] + [(s, True) for s in OPTIONAL]
    for (name, _region, mx, my, gpio), optional in all_sensors:
        x, y = positions.get(name, (mx / 1000, my / 1000))
        cx, cy = at(x, y)
        color = MUTED if optional else ACCENT
        svg.dot(cx, cy, color, 9 if not optional else 7)
        label_x = cx + (14 if x < 0.75 else -14)
        svg.text(
            label_x,
            cy + 4,
            f"{name} (GPIO{gpio})",
            10,
            INK if not optional else MUTED,
            "start" if x < 0.75 else "end",
        )


def main(argv: list[str] | None = None) -> int:
    """Write the SVG (and a PNG with ``--png``); print where."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="SVG file to write")
    parser.add_argument("--png", action="store_true", help="also render a PNG with PySide6")
    args = parser.parse_args(argv)
    sensors, positions, settings = load_inputs()
    text = draw(sensors, positions, settings)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(args.out)
    if args.png:
        png = args.out.with_suffix(".png")
        render_png(args.out, png)
        print(png)
    return 0


def render_png(svg_path: Path, png_path: Path, scale: float = 1.0) -> None:
    """Render the SVG to PNG with Qt's SVG renderer (offscreen)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(svg_path))
    image = QImage(int(WIDTH * scale), int(HEIGHT * scale), QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    renderer.render(painter, QRectF(0, 0, WIDTH * scale, HEIGHT * scale))
    painter.end()
    image.save(str(png_path))


if __name__ == "__main__":
    raise SystemExit(main())
