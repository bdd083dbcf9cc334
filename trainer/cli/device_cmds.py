"""``massage-trainer scan``: list BLE gloves nearby."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from trainer.cli.arguments import positive_seconds
from trainer.cli.output import print_json

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``scan`` command.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The CLI's subcommand registry.
    """
    parser = subparsers.add_parser(
        "scan",
        help="list BLE gloves nearby",
        description="Listen for gloves advertising the glove service or the Nordic UART "
        "Service and list them, strongest signal first. Use the address or name with "
        "--source ble:ADDRESS_OR_NAME.",
    )
    parser.add_argument(
        "--timeout", type=positive_seconds, default=5.0, help="seconds to listen (default 5)"
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    parser.set_defaults(func=_scan)


def _scan(args: argparse.Namespace) -> int:
    # Imported here: only this command (and the BLE source) needs bleak.
    from sensors.sources import ble

    gloves = ble.scan(args.timeout)
    if args.json:
        print_json([asdict(g) for g in gloves], indent=2)
    elif not gloves:
        print("no gloves found (is the glove on and advertising?)")
    else:
        for g in gloves:
            rssi = "" if g.rssi is None else f"{g.rssi} dBm"
            print(f"{g.address}  {g.name or '(no name)':20s}  {g.kind:9s}  {rssi}".rstrip())
    return 0
