"""``headshot-kiosk bench``: how fast the real coaching pipeline runs on this machine.

What is measured (also printed with the figures):

- The replayed frames are decoded (and resized with ``--size``) into memory first;
  decoding is not timed. They are then served by :class:`PreloadedSource`, a camera
  with no frame-rate limit: whenever the pipeline asks for a newer frame the next
  one is "read" at that moment (``--camera-fps F`` paces it like a real camera
  instead, and the pipeline drops what it cannot take).
- The pipeline is the kiosk's: face model on every frame, pose model on its own
  worker at its adaptive rate, metrics, filters, coach and shutter; no display.
- After ``--warmup`` frames, ``--frames`` N frames are timed. Throughput = frames
  coached / wall time from the first timed read to the last coach decision.
  Latency = per frame, from the frame's read to the coach's decision (p50/p95).
  Pose Hz = pose results per second. CPU = process CPU time / wall time (100% = one
  core). Peak RSS = the process's high-water mark, which includes the frames held
  in memory (``frames_mb``).
- ``--baseline`` then runs the naive loop over the same frames in the same process:
  one thread, face then pose on every frame, then the same metrics/coach/shutter.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import psutil

from camera.base import CameraError, SourceState
from camera.replay import ReplaySource, check_replay_path
from coaching.models import ModelError, ensure_model
from coaching.pipeline import CoachingStep, Pipeline, _default_pose_tracker, percentile
from coaching.presets import Preset
from kiosk.commands.bench_source import PreloadedSource
from kiosk.commands.common import (
    UsageError,
    load_app_config,
    non_negative_float,
    positive_int,
    preset_or_usage,
    replay_size,
)
from kiosk.config import AppConfig

DEFAULT_PRESET = "linkedin"


class BenchError(Exception):
    """The pipeline could not run (a model missing, ...); one line, exit 1."""


@dataclass(frozen=True)
class BenchSetup:
    """What the pipeline and the baseline are both timed on, so they compare fairly."""

    images: list[np.ndarray]
    preset: Preset
    cfg: AppConfig
    frames: int  # timed frames
    warmup: int  # untimed frames first
    offline: bool = False


# --------------------------------------------------------------------------- arguments

def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", required=True, metavar="replay:PATH",
                   help="a video file or a folder of images to replay")
    p.add_argument("--frames", type=positive_int, default=300, metavar="N",
                   help="frames to time (default 300; the clip is cycled if shorter)")
    p.add_argument("--baseline", action="store_true",
                   help="also time the naive loop (face then pose on every frame, one thread)"
                        " over the same frames and print the speedup")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--preset", default=DEFAULT_PRESET,
                   help=f"preset name or YAML path (default {DEFAULT_PRESET})")
    p.add_argument("--size", type=replay_size, default=None, metavar="WxH",
                   help="resize the frames in memory first, e.g. 1280x720")
    p.add_argument("--config", type=Path, default=None,
                   help="app config YAML (analysis, coach, pipeline settings)")
    p.add_argument("--camera-fps", type=non_negative_float, default=0.0, metavar="FPS",
                   help="pace the frames like a camera at this rate (default 0: unpaced)")
    p.add_argument("--warmup", type=int, default=20, metavar="N",
                   help="untimed frames first (default 20)")
    p.add_argument("--max-preload", type=positive_int, default=120, metavar="N",
                   help="distinct frames decoded into memory (default 120)")
    p.add_argument("--repeat", type=positive_int, default=1, metavar="K",
                   help="run K times (pipeline and baseline alternating) and report medians; "
                        "the machine's other load makes single runs noisy")


# --------------------------------------------------------------------------- run

def load_frames(spec: str, count: int, size: tuple[int, int] | None
                ) -> tuple[Path, list[np.ndarray]]:
    """Decode up to ``count`` frames of ``replay:PATH`` into memory (RGB)."""
    if not spec.startswith("replay:") or len(spec) <= len("replay:"):
        raise UsageError(f"bench needs --source replay:PATH (a video or a folder of images), "
                         f"got {spec!r}")
    try:
        path = check_replay_path(spec[len("replay:"):])
        src = ReplaySource(path, realtime=False)
        images = []
        with src:
            for frame in src.iter_frames():
                images.append(frame.image)
                if len(images) >= count:
                    break
    except CameraError as exc:
        raise UsageError(f"--source {spec}: {exc}") from None
    if not images:
        raise UsageError(f"--source {spec}: no frames could be read")
    if size is not None and (images[0].shape[1], images[0].shape[0]) != size:
        images = [np.ascontiguousarray(cv2.resize(im, size, interpolation=cv2.INTER_LINEAR))
                  for im in images]
    return path, images


def _cpu_seconds() -> tuple[float, float]:
    """(this process's CPU seconds, the whole machine's busy CPU seconds)."""
    t = psutil.Process().cpu_times()
    m = psutil.cpu_times()
    busy = m.user + m.system + getattr(m, "nice", 0.0) + getattr(m, "irq", 0.0) + getattr(
        m, "softirq", 0.0) + getattr(m, "steal", 0.0)
    return t.user + t.system, busy


def _cpu_figures(c0: tuple[float, float], c1: tuple[float, float], wall: float
                 ) -> dict[str, float]:
    """CPU % of this process and of everything else on the machine (100% = one core)."""
    own = c1[0] - c0[0]
    other = max(0.0, (c1[1] - c0[1]) - own)
    return {"cpu_percent": 100.0 * own / wall if wall > 0 else 0.0,
            "other_cpu_percent": 100.0 * other / wall if wall > 0 else 0.0}


def _peak_rss_mb() -> float:
    # ru_maxrss is KiB on Linux (bytes on macOS)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_pipeline(setup: BenchSetup, camera_fps: float) -> dict[str, Any]:
    """Time the threaded pipeline over ``setup.images``; figures as a dict."""
    images, preset, cfg = setup.images, setup.preset, setup.cfg
    frames, warmup, offline = setup.frames, setup.warmup, setup.offline
    source = PreloadedSource(images, camera_fps)
    source.open()
    # (frame index, read time, latency ms, decision time, face ms, step ms) per result
    records: list[tuple[int, float, float, float, float, float]] = []
    done = threading.Event()
    bounds = {"first": math.inf, "last": math.inf}

    def on_result(r: Any) -> None:
        records.append((r.frame.index, r.frame.timestamp, r.latency_ms, time.monotonic(),
                        r.face_ms, r.step_ms))
        if r.frame.index >= bounds["last"]:
            done.set()

    pipe = Pipeline(source, preset, analysis=cfg.analysis, coach=cfg.coach,
                    settings=cfg.pipeline, on_result=on_result, offline=offline)
    t_launch = time.monotonic()
    pipe.start()
    try:
        if not pipe.wait_ready(120):
            raise BenchError(pipe.error or "the pipeline did not start within 120 s")
        if pipe.wait_result(0, 60) is None:
            raise BenchError(pipe.error or "the pipeline produced no result")
        first_coached_s = time.monotonic() - t_launch
        deadline = time.monotonic() + 60
        while (len(records) < warmup or pipe.stats(None).pose_frames < 2) \
                and time.monotonic() < deadline:
            time.sleep(0.005)
        cpu0, tc0 = _cpu_seconds(), time.monotonic()
        bounds["last"] = source.limit(frames)
        bounds["first"] = bounds["last"] - frames + 1
        while not done.wait(0.5):
            if source.state != SourceState.LIVE and pipe.stats(0.5).frames == len(records):
                time.sleep(0.3)  # paced: the last frames may have been skipped
                break
        cpu1, tc1 = _cpu_seconds(), time.monotonic()
        timed = [r for r in records if r[0] >= bounds["first"]]
        start = min(r[1] for r in timed)
        end = max(r[3] for r in timed)
        wall = end - start
        pose_n = pipe.pose_results_since(start) - pipe.pose_results_since(end + 1e-6)
        final = pipe.stats(None)
        restarts, pose_ms = final.restarts, final.pose_ms
    finally:
        pipe.stop()
        source.close()
    lat = [r[2] for r in timed]
    return {
        "frames": len(timed), "seconds": wall, "fps": len(timed) / wall if wall > 0 else 0.0,
        "latency_p50_ms": percentile(lat, 50), "latency_p95_ms": percentile(lat, 95),
        "pose_hz": pose_n / wall if wall > 0 else 0.0, "dropped": frames - len(timed),
        **_cpu_figures(cpu0, cpu1, tc1 - tc0),
        "restarts": restarts, "first_coached_s": first_coached_s,
        "face_ms": sum(r[4] for r in timed) / len(timed),
        "pose_ms": pose_ms, "rest_ms": sum(r[5] - r[4] for r in timed) / len(timed),
    }


def run_naive(setup: BenchSetup, pose_max_width: int = 0) -> dict[str, Any]:
    """The naive loop: one thread, face then pose on every frame (full frames unless
    ``pose_max_width``), then the same metrics/coach/shutter code."""
    images, preset, cfg = setup.images, setup.preset, setup.cfg
    frames, warmup, offline = setup.frames, setup.warmup, setup.offline
    source = PreloadedSource(images, 0.0)
    source.open()
    step = CoachingStep(preset, cfg.analysis, cfg.coach,
                        pose_tracker=_default_pose_tracker(cfg.analysis, offline), pose_every=1,
                        pose_max_age_s=cfg.pipeline.pose_max_age_s,
                        pose_max_width=pose_max_width, offline=offline)
    latencies: list[float] = []
    face_ms: list[float] = []
    pose_ms: list[float] = []
    rest_ms: list[float] = []
    try:
        last = -1
        for _ in range(warmup):
            frame = source.latest_frame(last)
            assert frame is not None
            last = frame.index
            step.process(frame)
        source.limit(frames)
        cpu0, t0 = _cpu_seconds(), time.monotonic()
        while True:
            frame = source.latest_frame(last)
            if frame is None:
                break
            last = frame.index
            r = step.process(frame)
            latencies.append(r.latency_ms)
            face_ms.append(r.face_ms)
            pose_ms.append(r.pose_ms)
            rest_ms.append(r.step_ms - r.face_ms - r.pose_ms)
        wall = time.monotonic() - t0
        cpu1 = _cpu_seconds()
    finally:
        step.close()
        source.close()
    return {"frames": len(latencies), "seconds": wall, "fps": len(latencies) / wall,
            "latency_p50_ms": percentile(latencies, 50),
            "latency_p95_ms": percentile(latencies, 95), "pose_hz": len(latencies) / wall,
            **_cpu_figures(cpu0, cpu1, wall),
            "face_ms": sum(face_ms) / len(face_ms), "pose_ms": sum(pose_ms) / len(pose_ms),
            "rest_ms": sum(rest_ms) / len(rest_ms)}


def run(args: argparse.Namespace) -> int:
    cfg = load_app_config(args.config)
    preset = preset_or_usage(args.preset)
    if args.warmup < 0:
        raise UsageError("--warmup must be 0 or more")
    path, images = load_frames(args.source, min(args.frames, args.max_preload), args.size)
    h, w = images[0].shape[:2]
    frames_mb = sum(im.nbytes for im in images) / 1e6
    info: dict[str, Any] = {
        "source": f"replay:{path}", "width": w, "height": h, "preset": preset.name,
        "frames_in_memory": len(images), "frames_mb": round(frames_mb, 1),
        "camera_fps": args.camera_fps or None,
    }
    setup = BenchSetup(images, preset, cfg, args.frames, args.warmup, args.offline)
    try:
        pipes, bases, rss_mb = _timed_runs(setup, args)
    except (BenchError, ModelError) as exc:
        print(f"headshot-kiosk: bench: {exc}", file=sys.stderr)
        return 1
    pipe = _median(pipes)
    pipe["first_coached_s"] = pipes[0]["first_coached_s"]  # later runs find the models warm
    base = _median(bases) if bases else None
    out: dict[str, Any] = {**info, **pipe, "rss_mb": rss_mb, "repeat": args.repeat,
                           **_baseline_figures(pipes, bases, base)}
    if args.repeat > 1:
        out["runs"] = _per_run(pipes, bases)
    if args.json:
        print(json.dumps({k: _round(v) for k, v in out.items()}))
        return 0
    _print_text(args, out, pipe, base, frames_mb)
    return 0


def _timed_runs(setup: BenchSetup, args: argparse.Namespace
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], float]:
    """``--repeat`` runs of the pipeline (each followed by the baseline with
    ``--baseline``): their figures and the peak RSS before any baseline ran."""
    # fail fast, in one line, before anything is timed
    ensure_model("face", offline=setup.offline)
    ensure_model(f"pose_{setup.cfg.analysis.pose_model}", offline=setup.offline)
    pipes: list[dict[str, Any]] = []
    bases: list[dict[str, Any]] = []
    rss_mb = 0.0
    for _ in range(args.repeat):
        pipes.append(run_pipeline(setup, args.camera_fps))
        if not bases:  # the high-water mark before the baseline loads its own models
            rss_mb = _peak_rss_mb()
        if args.baseline:
            bases.append(run_naive(setup))
    return pipes, bases, rss_mb


def _baseline_figures(pipes: list[dict[str, Any]], bases: list[dict[str, Any]],
                      base: dict[str, Any] | None) -> dict[str, Any]:
    """The baseline's medians and the speedup (the median of the per-run ratios, so one
    noisy run cannot skew it); empty without ``--baseline``."""
    if base is None:
        return {}
    ratios = [p["fps"] / b["fps"] for p, b in zip(pipes, bases, strict=True) if b["fps"] > 0]
    return {"baseline_fps": base["fps"],
            "baseline_latency_p50_ms": base["latency_p50_ms"],
            "baseline_latency_p95_ms": base["latency_p95_ms"],
            "baseline_cpu_percent": base["cpu_percent"],
            "baseline_other_cpu_percent": base["other_cpu_percent"],
            "baseline_face_ms": base["face_ms"], "baseline_pose_ms": base["pose_ms"],
            "speedup": statistics.median(ratios) if ratios else None}


def _per_run(pipes: list[dict[str, Any]], bases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each run's key figures (with ``--repeat``), so the spread behind a median shows."""
    return [
        {k: _round(v) for k, v in {
            "fps": p["fps"], "latency_p95_ms": p["latency_p95_ms"],
            "other_cpu_percent": p["other_cpu_percent"],
            **({"baseline_fps": bases[i]["fps"],
                "speedup": p["fps"] / bases[i]["fps"]} if bases else {})}.items()}
        for i, p in enumerate(pipes)]


def _print_text(args: argparse.Namespace, out: dict[str, Any], pipe: dict[str, Any],
                base: dict[str, Any] | None, frames_mb: float) -> None:
    """The figures as text, each line saying what was measured and how."""
    rss_mb = out["rss_mb"]
    print(f"bench: {out['source']} at {out['width']}x{out['height']}, preset {out['preset']}; "
          f"{out['frames_in_memory']} frames "
          f"decoded into memory ({frames_mb:.0f} MB; decoding not timed), "
          + (f"served at {args.camera_fps:g} fps" if args.camera_fps else "served unpaced")
          + f", {args.warmup} warm-up frames untimed"
          + (f"; medians of {args.repeat} runs" if args.repeat > 1 else ""))
    for i, r in enumerate(out.get("runs", []), 1):
        print(f"  run {i}: {r['fps']:.1f} fps, p95 {r['latency_p95_ms']:.1f} ms, other processes "
              f"{r['other_cpu_percent']:.0f}% CPU"
              + (f"; baseline {r['baseline_fps']:.1f} fps, speedup {r['speedup']:.2f}x"
                 if "speedup" in r else ""))
    print(f"pipeline: {pipe['frames']} frames in {pipe['seconds']:.2f} s = {pipe['fps']:.1f} fps;"
          f" latency p50 {pipe['latency_p50_ms']:.1f} ms, p95 {pipe['latency_p95_ms']:.1f} ms "
          f"(read -> coach decision); pose {pipe['pose_hz']:.1f} Hz; "
          f"dropped {pipe['dropped']}; CPU {pipe['cpu_percent']:.0f}% (100% = one core; other "
          f"processes {pipe['other_cpu_percent']:.0f}%); "
          f"peak RSS {rss_mb:.0f} MB; first coached frame {pipe['first_coached_s']:.2f} s "
          "after start")
    if base is not None:
        print(f"baseline (face then pose on every frame, one thread): {base['frames']} frames in "
              f"{base['seconds']:.2f} s = {base['fps']:.1f} fps; latency p50 "
              f"{base['latency_p50_ms']:.1f} ms, p95 {base['latency_p95_ms']:.1f} ms; "
              f"CPU {base['cpu_percent']:.0f}% (other processes {base['other_cpu_percent']:.0f}%)")
        print(f"speedup: {out['speedup']:.2f}x")


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-key median of numeric figures over runs (other values from the first run)."""
    out = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            vals = [r[key] for r in runs if isinstance(r.get(key), (int, float))
                    and math.isfinite(r[key])]
            if vals:
                med = statistics.median(vals)
                out[key] = round(med) if isinstance(value, int) else med
    return out


def _round(v: Any) -> Any:
    if isinstance(v, float):
        return None if not math.isfinite(v) else round(v, 2)
    return v
