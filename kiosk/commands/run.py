"""``headshot-kiosk run``: the kiosk (fullscreen pygame), or ``--headless`` over a video."""

from __future__ import annotations

import argparse
from pathlib import Path


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
    # Deferred on purpose: the CLI imports every command's module to build its parser, and
    # these pull in pygame and MediaPipe, which `--help` and `presets` must not wait for.
    if args.headless:
        from kiosk.headless import run_headless

        return run_headless(args)
    from kiosk.launch import run_kiosk

    return run_kiosk(args)
