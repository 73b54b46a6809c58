"""``headshot-kiosk check-config [FILE]``: validate, exit 0 (valid) or 2 (invalid)."""

from __future__ import annotations

import argparse
import sys

from kiosk.config import ConfigError, load_config
from kiosk.paths import DEFAULT_CONFIG


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", default=None,
                   help=f"config file to check (default: {DEFAULT_CONFIG})")


def run(args: argparse.Namespace) -> int:
    path = args.file or DEFAULT_CONFIG
    try:
        load_config(path)
    except ConfigError as exc:
        print(f"invalid: {exc}", file=sys.stderr)
        return 2
    print(f"valid: {path}")
    return 0
