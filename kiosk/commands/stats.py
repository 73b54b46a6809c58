"""``headshot-kiosk stats [DAY] [--json]``: a day's counters from the session log."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from delivery.stats import DayError, day_stats, format_text, parse_day
from kiosk.commands.common import UsageError, load_app_config
from kiosk.paths import user_data_dir


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("day", nargs="?", default=None,
                   help="YYYY-MM-DD, 'today' (default) or 'yesterday'")
    p.add_argument("--json", action="store_true", help="one JSON object instead of text")
    p.add_argument("--out", default=None,
                   help="the kiosk's output folder (default: storage.out_dir, else the "
                        "per-user data folder)")
    p.add_argument("--config", default=None, help="app config (default config/default.yaml)")


def out_folder(arg: str | None, configured: Path | None) -> Path:
    """The output folder a command reads, as the kiosk would choose it."""
    return Path(arg or configured or (user_data_dir() / "sessions")).expanduser()


def run(args: argparse.Namespace) -> int:
    try:
        day = parse_day(args.day)
    except DayError as exc:
        raise UsageError(str(exc)) from None
    cfg = load_app_config(args.config)
    out = out_folder(args.out, cfg.storage.out_dir)
    if not out.is_dir():
        raise UsageError(f"no output folder at {out} (--out DIR names the kiosk's folder)")
    st = day_stats(out, day, cfg.coach.language)
    print(json.dumps(st.to_dict()) if args.json else format_text(st))
    return 0
