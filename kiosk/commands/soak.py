"""``headshot-kiosk soak``: run the real pipeline for a long time over a looping replay and
report memory over time, stalls and captures written/verified (see :mod:`kiosk.soak`).

Exit 0 when every target is met, 1 when one is missed (or the pipeline cannot run),
2 for a bad command line.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from camera.base import CameraError
from camera.replay import ReplaySource, check_replay_path
from coaching.models import ModelError, ensure_model
from kiosk.commands.common import (
    UsageError,
    load_app_config,
    non_negative_float,
    positive_float,
    preset_or_usage,
)
from kiosk.soak import SoakError, SoakOptions, run_soak
from kiosk.storage import StorageError

DEFAULT_PRESET = "linkedin"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", required=True, metavar="replay:PATH",
                   help="a video file or a folder of images, replayed in real time, looping")
    p.add_argument("--minutes", type=positive_float, default=30.0, metavar="N",
                   help="how long to run (default 30; fractions allowed)")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="session folders go here and are kept (default: a temporary folder, "
                        "deleted at the end)")
    p.add_argument("--preset", default=DEFAULT_PRESET,
                   help=f"preset name or YAML path (default {DEFAULT_PRESET})")
    p.add_argument("--capture-every", type=positive_float, default=10.0, metavar="SECONDS",
                   help="press the shutter this often, besides automatic captures (default 10)")
    p.add_argument("--warmup", type=non_negative_float, default=None, metavar="SECONDS",
                   help="memory is compared from this point on (default: a quarter of the run, "
                        "10..120 s)")
    p.add_argument("--session-every", type=positive_float, default=60.0, metavar="SECONDS",
                   help="start a new session (a new sitter) this often (default 60)")
    p.add_argument("--report-every", type=positive_float, default=10.0, metavar="SECONDS",
                   help="print a progress line this often (default 10)")
    p.add_argument("--config", type=Path, default=None,
                   help="app config YAML (camera, analysis, coach, pipeline settings)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object at the end instead of text")


def run(args: argparse.Namespace) -> int:
    spec = args.source
    if not spec.startswith("replay:") or not spec[len("replay:"):].strip():
        raise UsageError(f"soak needs --source replay:PATH (a video or a folder of images), "
                         f"got {spec!r}")
    cfg = load_app_config(args.config)
    preset = preset_or_usage(args.preset)
    try:
        path = check_replay_path(spec[len("replay:"):].strip())
    except CameraError as exc:
        raise UsageError(f"--source {spec}: {exc}") from None
    if args.warmup is not None and args.warmup >= args.minutes * 60:
        raise UsageError(f"--warmup {args.warmup:g} s leaves nothing of a "
                         f"{args.minutes:g}-minute run to measure")
    offline = bool(getattr(args, "offline", False))
    try:  # before anything starts: a missing model is one line, not a dead worker
        ensure_model("face", offline=offline)
        ensure_model(f"pose_{cfg.analysis.pose_model}", offline=offline)
    except ModelError as exc:
        print(f"headshot-kiosk: soak: {exc}", file=sys.stderr)
        return 1

    temp = args.out is None
    out_dir = Path(tempfile.mkdtemp(prefix="headshot-soak-")) if temp else args.out
    r = cfg.camera.replay
    source = ReplaySource(path, realtime=True, loop=True, folder_fps=r.folder_fps,
                          speed=r.speed, jpeg_quality=cfg.camera.jpeg_quality)
    opts = SoakOptions(minutes=args.minutes, out_dir=out_dir,
                       capture_every_s=args.capture_every, warmup_s=args.warmup,
                       report_every_s=args.report_every, session_every_s=args.session_every)
    echo = None if args.json else (lambda line: print(line, flush=True))
    try:
        res = run_soak(source, preset, cfg, opts, source_label=f"replay:{path}", echo=echo)
    except (SoakError, ModelError, CameraError, StorageError) as exc:
        print(f"headshot-kiosk: soak: {exc}", file=sys.stderr)
        return 1
    finally:
        if temp:
            shutil.rmtree(out_dir, ignore_errors=True)
    if args.json:
        d = res.to_dict()
        if temp:
            d["out_dir"] = None
        print(json.dumps(d))
        return 0 if res.ok else 1
    print(f"result: {res.seconds / 60:.1f} min, {res.frames} frames coached "
          f"({res.fps:.1f} fps), {res.dropped} camera frames dropped, "
          f"{res.restarts} worker restarts")
    print(f"memory: RSS {res.rss_first_mb:.1f} MB (median of the first {res.window_s:.0f} s "
          f"after a {res.warmup_s:g} s warm-up) -> {res.rss_last_mb:.1f} MB (last "
          f"{res.window_s:.0f} s): {res.rss_growth_pct:+.2f}%; peak {res.rss_peak_mb:.1f} MB")
    at = "" if res.worst_stall_at_s is None else \
        f" (at {int(res.worst_stall_at_s // 60)}:{int(res.worst_stall_at_s % 60):02d})"
    print(f"stalls: longest gap between results {res.max_stall_s:.3f} s{at}, "
          f"{res.stalls} over 1 s; p99 gap {res.result_gap_p99_ms:.0f} ms")
    print(f"captures: {res.captures_fired} fired ({res.captures_auto} auto, "
          f"{res.captures_manual} manual) in {res.sessions} sessions; "
          f"{res.captures_written} written, {res.captures_verified} verified "
          "(decoded, sidecar checked)")
    for err in res.capture_errors[:10]:
        print(f"  capture problem: {err}")
    if res.load_avg is not None:
        print(f"machine: load average {res.load_avg[0]:.1f} / {res.load_avg[1]:.1f} / "
              f"{res.load_avg[2]:.1f} on {res.cpu_count} CPUs")
    if res.ok:
        print("PASS: RSS growth < 5%, no stall > 1 s, every capture readable")
        return 0
    print("FAIL: " + "; ".join(res.failures))
    return 1
