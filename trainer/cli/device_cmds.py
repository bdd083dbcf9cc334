"""``massage-trainer scan``: list BLE gloves nearby."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``scan`` command."""
    parser = subparsers.add_parser("scan", help="list BLE gloves nearby")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds to listen (default 5)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=_scan)


def _scan(args: argparse.Namespace) -> int:
    from sensors.sources.ble import scan

    gloves = scan(args.timeout)
    if args.json:
        print(json.dumps([asdict(g) for g in gloves], indent=2))
    elif not gloves:
        print("no gloves found (is the glove on and advertising?)")
    else:
        for g in gloves:
            rssi = "" if g.rssi is None else f"{g.rssi} dBm"
            print(f"{g.address}  {g.name or '(no name)':20s}  {g.kind:9s}  {rssi}")
    return 0
