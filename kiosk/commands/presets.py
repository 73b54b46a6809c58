"""``headshot-kiosk presets``: list the use-case presets and any that could not be read."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from coaching.presets import Preset, load_presets, user_presets_dir


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dir", dest="extra", action="append", type=Path, default=[],
                   metavar="PATH", help="also read presets from this folder or file "
                                        "(repeatable)")
    p.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    p.add_argument("-l", "--long", action="store_true",
                   help="also show each preset's ranges, hold time and shots")


def _ranges_line(preset: Preset) -> str:
    """``yaw_deg -5..5; smile 0.3..`` (for ``--long``)."""
    parts = []
    for name, rng in preset.ranges.items():
        lo = "" if rng.min is None else f"{rng.min:g}"
        hi = "" if rng.max is None else f"{rng.max:g}"
        side = f" {rng.side}" if rng.side else ""
        parts.append(f"{name} {lo}..{hi}{side}")
    return "; ".join(parts)


def run(args: argparse.Namespace) -> int:
    presets = load_presets(args.extra)
    if args.json:
        out = {
            "presets": [
                {"name": name, "title": p.title, "description": p.description,
                 "source": str(presets.sources[name]), "hold_s": p.hold_s, "shots": p.shots,
                 "ranges": {n: r.model_dump(exclude_none=True) for n, r in p.ranges.items()}}
                for name, p in sorted(presets.items())
            ],
            "errors": [str(e) for e in presets.errors],
            "user_dir": str(user_presets_dir()),
        }
        print(json.dumps(out, indent=2))
        return 0
    width = max((len(n) for n in presets), default=4)
    for name, p in sorted(presets.items()):
        print(f"{name:<{width}}  {p.title} — {p.description}")
        if args.long:
            print(f"{'':<{width}}  hold {p.hold_s:g} s, {p.shots} shot(s); "
                  f"{_ranges_line(p)}")
            print(f"{'':<{width}}  from {presets.sources[name]}")
    if not presets:
        print("no presets found")
    for err in presets.errors:
        print(f"skipped: {err}", file=sys.stderr)
    print(f"(add your own: YAML files in {user_presets_dir()})", file=sys.stderr)
    return 0
