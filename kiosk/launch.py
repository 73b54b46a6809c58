"""``headshot-kiosk run`` (not headless): check the command line, then run the kiosk."""

from __future__ import annotations

import argparse
import logging
import sys

from camera.sources import SourceSpecError, parse_source
from coaching.presets import load_presets
from coaching.yamlconfig import ConfigError
from kiosk.app import AppOptions, KioskApp, NoDisplay
from kiosk.commands.common import UsageError, load_app_config, preset_or_usage
from kiosk.logs import setup_file_logging

log = logging.getLogger(__name__)


def run_kiosk(args: argparse.Namespace) -> int:
    """``headshot-kiosk run``: validate the command line, then run until the operator quits."""
    cfg = load_app_config(args.config)
    spec = args.source or cfg.camera.source
    try:
        parse_source(spec)
    except SourceSpecError as exc:
        raise UsageError(f"--source: {exc}") from None
    presets = load_presets()
    fixed = None
    if args.preset:
        p = preset_or_usage(args.preset)
        presets[p.name] = p
        fixed = p.name
    if not presets:
        raise UsageError("no presets found (config/presets is empty and no --preset given)")
    try:
        app = KioskApp(cfg, AppOptions(source_spec=spec, preset=fixed, out_dir=args.out,
                                       windowed=bool(args.windowed), presets=presets,
                                       offline=bool(getattr(args, "offline", False))))
    except ConfigError as exc:  # a plugin's settings
        raise UsageError(str(exc)) from None
    st = cfg.storage
    try:
        setup_file_logging(st.log_dir or app.out_dir / "logs",
                           max_bytes=int(st.log_max_mb * 1e6), backups=st.log_backups)
    except OSError as exc:
        log.warning("no log file: %s", exc)
    try:
        try:
            app.start()
        except NoDisplay as exc:
            print(f"headshot-kiosk: {exc}", file=sys.stderr)
            return 1
        status = app.run()
        if app.stop_reason:
            print(f"headshot-kiosk: {app.stop_reason}", file=sys.stderr)
        return status
    except KeyboardInterrupt:
        return 130
    finally:
        app.close()
