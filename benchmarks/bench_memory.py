"""Peak memory of reading a large CSV, and of refusing a zip-bomb pack (issue 17, 5 and 6).

Run on demand (not a timed test): python benchmarks/bench_memory.py [--csv-mb N]

Each case runs in a fresh process and reports its own peak resident memory (``VmHWM``
from ``/proc/self/status``, Linux; ``getrusage`` elsewhere, which on Linux would keep the
parent's peak across fork and exec) before and after the work, and the peak of memory
traced by Python (``tracemalloc``), which excludes the interpreter and numpy themselves.

- CSV: a recorded effleurage take (reference glove, 7 channels, 200 Hz) tiled into a
  file of about ``--csv-mb`` MB, read with :func:`sensors.capture.read_csv`. Goal: the
  read costs at most 2x the file's size (it was ~10x: 212 MB -> 1.99 GB).
- Zip bombs, ~2 MB each: "honest" (nine captures that declare and inflate to 240 MiB
  each, under any per-entry limit) and "lying" (one capture declaring 1 KiB that
  inflates to 2 GiB). Goal: refused with peak RSS <= 300 MB (was 2.9 GB for 13 s).
"""

from __future__ import annotations

import argparse
import json
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "effleurage-sim.mtcap"

_PEAK = """
import sys, time, tracemalloc
def peak_mb():
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1 << 20) if sys.platform == "darwin" else rss / 1024
"""

_READ_CSV = (
    _PEAK
    + """
from sensors.capture import read_csv
before = peak_mb()
tracemalloc.start()
t = time.perf_counter()
cap = read_csv(sys.argv[1])
seconds = time.perf_counter() - t
traced = tracemalloc.get_traced_memory()[1] / (1 << 20)
print(before, peak_mb(), traced, seconds, len(cap.t))
"""
)

_REFUSE = (
    _PEAK
    + """
from pathlib import Path
from trainer.exceptions import StoreError
from trainer.store.database import Store
from trainer.store.packs import import_pack
from trainer.store.references import ReferenceLibrary
home = Path(sys.argv[2])
store = Store(home)
before = peak_mb()
tracemalloc.start()
t = time.perf_counter()
try:
    import_pack(Path(sys.argv[1]), store=store, library=ReferenceLibrary(home / "refs"))
    outcome = "IMPORTED"
except StoreError as err:
    outcome = str(err).split(": not a valid pack: ")[-1]
seconds = time.perf_counter() - t
traced = tracemalloc.get_traced_memory()[1] / (1 << 20)
print(before, peak_mb(), traced, seconds, outcome)
"""
)


def _run(script: str, *args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, cwd=ROOT
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return done.stdout.split(maxsplit=4)


def make_csv(path: Path, megabytes: float) -> int:
    """Tile the fixture take into a CSV of about ``megabytes`` MB; return its size."""
    from sensors.capture import read_capture

    cap = read_capture(FIXTURE)
    fs = float(cap.profile.sample_rate_hz)
    header = "time_s," + ",".join(cap.profile.channel_names) + "\n"
    rows = [",".join(f"{v:.3f}" for v in row) for row in cap.values]
    target = int(megabytes * 1e6)
    written, n = 0, 0
    with path.open("w", encoding="ascii") as f:
        f.write(header)
        while written < target:
            lines = "".join(f"{(n + i) / fs:.3f},{rows[i]}\n" for i in range(len(rows)))
            f.write(lines)
            written += len(lines)
            n += len(rows)
    return path.stat().st_size


def _raw_zip(out: Path, entries: list[tuple[str, bytes, int, int, int]]) -> None:
    local, central = bytearray(), bytearray()
    for name, body, method, size, crc in entries:
        offset = len(local)
        fields = (20, 0, method, 0, 0x5021, crc, len(body), size, len(name.encode()), 0)
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + name.encode() + body
        central += (
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, offset)
            + name.encode()
        )
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(local), 0
    )
    out.write_bytes(bytes(local + central) + end)


def make_bomb(out: Path, kind: str) -> int:
    """Write a ~2 MB bomb pack (see the module docstring); return its size."""
    manifest = json.dumps(
        {"format": "massage-trainer pack", "version": 1, "references": [], "sessions": []}
    ).encode()
    mib = 2048 if kind == "lying" else 240
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(bytes(1 << 20)) + comp.flush(zlib.Z_FULL_FLUSH)
    body = block * mib + zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(bytes(1 << 20), crc)
    entries = [("pack.json", manifest, 0, len(manifest), zlib.crc32(manifest))]
    if kind == "lying":
        entries.append(("sessions/0/capture.mtcap", body, 8, 1024, crc))
    else:
        entries += [(f"sessions/{n}/capture.mtcap", body, 8, mib << 20, crc) for n in range(9)]
    _raw_zip(out, entries)
    return out.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv-mb", type=float, default=200.0, help="CSV size (default 200)")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]} on {sys.platform}; peak RSS from VmHWM")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv = folder / "large.csv"
        t = time.perf_counter()
        size = make_csv(csv, args.csv_mb)
        print(f"CSV of {size / 1e6:.1f} MB written in {time.perf_counter() - t:.1f} s")
        before, after, traced, seconds, samples = _run(_READ_CSV, str(csv))
        growth = float(after) - float(before)
        print(
            f"read_csv: {int(samples):,} samples in {float(seconds):.1f} s; peak RSS "
            f"{float(before):.0f} -> {float(after):.0f} MB (+{growth:.0f} MB = "
            f"{growth * (1 << 20) / size:.2f}x the file); traced peak {float(traced):.0f} MB "
            f"({float(traced) * (1 << 20) / size:.2f}x)"
        )
        csv.unlink()
        for kind in ("honest", "lying"):
            pack = folder / f"{kind}.mtpack"
            size = make_bomb(pack, kind)
            before, after, traced, seconds, outcome = _run(
                _REFUSE, str(pack), str(folder / f"home-{kind}")
            )
            print(
                f"zip bomb ({kind}, {size / 1e6:.1f} MB): {outcome.strip()!r} in "
                f"{float(seconds):.2f} s; peak RSS {float(before):.0f} -> {float(after):.0f} MB "
                f"(goal <= 300); traced peak {float(traced):.1f} MB"
            )


if __name__ == "__main__":
    main()
