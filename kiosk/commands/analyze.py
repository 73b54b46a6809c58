"""`headshot-kiosk analyze` (not built yet)."""

from __future__ import annotations

import argparse
import sys


def add_arguments(p: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    print("headshot-kiosk: 'analyze' is not available yet", file=sys.stderr)
    return 1
