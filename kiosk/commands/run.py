"""``headshot-kiosk run``: the kiosk (fullscreen pygame), or ``--headless`` over a video."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from camera.sources import SourceSpecError, parse_source
from coaching.presets import UnknownPreset, load_presets, resolve_preset
from coaching.yamlconfig import ConfigError
from kiosk.app import AppOptions, KioskApp
from kiosk.cli import UsageError
from kiosk.config import load_config
from kiosk.headless import run_headless
from kiosk.logs import setup_file_logging

log = logging.getLogger(__name__)


def _times(text: str) -> list[float]:
    try:
        values = [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--shutter-at wants seconds separated by commas, e.g. 1.5,3; got {text!r}") from None
    if any(v < 0 for v in values):
        raise argparse.ArgumentTypeError("--shutter-at times must not be negative")
    return sorted(values)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, default=None,
                   help="app config YAML (default: config/default.yaml)")
    p.add_argument("--source", default=None,
                   help="camera: webcam:N, gphoto2[:MODEL], hybrid:PREVIEW+STILLS, replay:PATH "
                        "(default: camera.source from the config)")
    p.add_argument("--preset", default=None,
                   help="preset name or a preset YAML path (skips the chooser screen)")
    p.add_argument("--out", type=Path, default=None,
                   help="output folder for sessions (default: storage.out_dir or the per-user "
                        "data folder)")
    p.add_argument("--windowed", action="store_true", help="a window instead of fullscreen")
    p.add_argument("--headless", action="store_true",
                   help="no display: coach and shutter over --source, print a timeline")
    p.add_argument("--shutter-at", type=_times, default=[], metavar="SECONDS[,SECONDS...]",
                   help="(headless) press the manual shutter at these media times")


def run(args: argparse.Namespace) -> int:
    if args.headless:
        return run_headless(args)
    return run_kiosk(args)


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
