"""The build of this glove: its sensors, pins, rate and names. Edit here, nothing else.

The channels must match the glove profile the app uses, name for name and in the same
order: ``diy-fsr5`` (bundled with the app) in ``nus-text`` mode, ``diy-fsr5-v1``
(bundled with the app too) in ``glove-v1`` mode. Both say 5 FSR 402
zones, 100 Hz, 12-bit counts (``raw_max = 4095``), the same calibration table.

Pins are for an ESP32-S3 (ESP32-S3-DevKitC-1): every analog input is on ADC1 (GPIO 1-10),
because ADC2 cannot be read while the radio is on. GPIO 3 (a strapping pin) is left free.
"""

from glove import VERSION

# Advertised and config name; "" = "DIY-Glove-" + the last two bytes of the radio's MAC,
# unique in a classroom and the same after every reboot (the app reconnects by it).
NAME = ""
FIRMWARE = VERSION

# "glove-v1" (binary batches, config, control) or "nus-text" (text lines, the fallback for
# tools that only speak the Nordic UART Service). A jumper from MODE_GPIO to GND at power-up
# selects "nus-text" without editing this file; None disables the jumper.
PROTOCOL = "glove-v1"
MODE_GPIO = 14

# Profile name the config characteristic reports ("glove-v1" only; nus-text has no config).
PROFILE = "diy-fsr5-v1"

RATE_HZ = 100  # the diy-fsr5 profile's rate; SET_RATE may change it within the limits below
MIN_RATE_HZ = 16  # a u16 dt_us cannot express less
MAX_RATE_HZ = 400  # our limit: 7 ADC reads per sample in a soft-interrupt timer callback

ADC_BITS = 12  # counts 0-4095, the profile's raw_max

# Informative newtons per count for the config (the profile's table wins): about 10 N at
# 3700 counts on the example calibration.
SCALE_TEXT = "0.0027"

# (name, region, x, y, gpio) in wire order; x, y: hand-map position in thousandths
# (right hand, palm view, x thumb -> little finger, y wrist crease -> middle fingertip),
# the same positions as the profile.
SENSORS = (
    ("palm_heel", "palm_heel", 500, 100, 1),
    ("palm", "palm", 520, 350, 2),
    ("thumb", "thumb", 100, 450, 4),
    ("index", "index", 300, 900, 5),
    ("middle", "middle", 480, 950, 6),
    # A 7-sensor build adds these two (and a profile that lists them):
    # ("ring", "ring", 660, 900, 7),
    # ("little", "little", 820, 780, 8),
)

# Battery sense: LiPo + -> 100 kOhm -> BATTERY_GPIO -> 100 kOhm -> GND (so x2).
BATTERY_GPIO = 9
BATTERY_DIVIDER = 2
BATTERY_POLL_S = 30

REQUEST_MTU = 247  # 244-byte notifications (protocol §1.2)
ADV_INTERVAL_US = 100000  # 100 ms: found within one scan of the app's reconnect loop
TIMER_ID = 0
