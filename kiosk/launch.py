"""``headshot-kiosk run`` (not headless): check the command line, then run the kiosk."""

from __future__ import annotations

import argparse
import logging

from camera.sources import SourceSpecError, parse_source
from coaching.presets import UnknownPreset, load_presets, resolve_preset
from coaching.yamlconfig import ConfigError
from kiosk.app import AppOptions, KioskApp
from kiosk.cli import UsageError
from kiosk.config import load_config
from kiosk.logs import setup_file_logging

log = logging.getLogger(__name__)


def run_kiosk(args: argparse.Namespace) -> int:
    """``headshot-kiosk run``: validate the command line, then run until the operator quits."""
    try:
        cfg = load_config(args.config)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    spec = args.source or cfg.camera.source
    try:
        parse_source(spec)
    except SourceSpecError as exc:
        raise UsageError(f"--source: {exc}") from None
    presets = load_presets()
    fixed = None
    if args.preset:
        try:
            p = resolve_preset(args.preset)
        except (ConfigError, UnknownPreset) as exc:
            raise UsageError(str(exc)) from None
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
        app.start()
        return app.run()
    except KeyboardInterrupt:
        return 130
    finally:
        app.close()
