"""The soak's measurements and verdict: stalls, memory growth, every capture verified."""

from __future__ import annotations

import json
import logging
import math
import statistics
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from coaching.pipeline import Pipeline
from kiosk.soak_result import REQUIRED_SIDECAR, SoakOptions, SoakResult

log = logging.getLogger(__name__)


class StallWatcher(threading.Thread):
    """Waits on the pipeline's result slot like the UI; records gaps between results."""

    def __init__(self, pipe: Pipeline, stall_s: float, t0: float) -> None:
        super().__init__(name="soak-stall-watcher", daemon=True)
        self.pipe = pipe
        self.stall_s = stall_s
        self.t0 = t0
        self.stop = threading.Event()
        self.max_gap = 0.0
        self.max_at: float | None = None
        self.stalls = 0
        self.results = 0
        # gap histogram in 10 ms bins up to 2 s (+ overflow): a p99 without keeping every gap
        self.hist = [0] * 201

    def run(self) -> None:
        seq = 0
        last: float | None = None
        while not self.stop.is_set():
            r = self.pipe.wait_result(seq, timeout=0.25)
            now = time.monotonic()
            if r is None:
                continue
            seq = r.seq
            self.results += 1
            if last is not None:
                gap = now - last
                self.hist[min(200, int(gap * 100))] += 1
                if gap > self.max_gap:
                    self.max_gap, self.max_at = gap, last - self.t0
                if gap > self.stall_s:
                    self.stalls += 1
                    log.warning("soak: stall of %.2f s at %.0f s", gap, last - self.t0)
            last = now

    def p99_ms(self) -> float:
        total = sum(self.hist)
        if not total:
            return math.nan
        need = math.ceil(0.99 * total)
        run = 0
        for i, n in enumerate(self.hist):
            run += n
            if run >= need:
                return (i + 1) * 10.0
        return math.inf


def memory(res: SoakResult, samples: list[tuple[float, float]], seconds: float) -> None:
    """Median RSS of the first and last windows after warm-up, and the growth between."""
    if not samples:
        return
    res.rss_peak_mb = max(mb for _, mb in samples)
    measured = max(0.0, seconds - res.warmup_s)
    window = min(60.0, measured / 3.0)
    res.window_s = window
    if window <= 0:
        return
    first = [mb for t, mb in samples if res.warmup_s <= t < res.warmup_s + window]
    last = [mb for t, mb in samples if t >= seconds - window]
    if not first or not last:
        return
    res.rss_first_mb = statistics.median(first)
    res.rss_last_mb = statistics.median(last)
    res.rss_growth_pct = 100.0 * (res.rss_last_mb - res.rss_first_mb) / res.rss_first_mb


def verify_captures(out_dir: Path, written: list[tuple[Path, Path, bool | None]],
                    errors: list[str]) -> int:
    """Decode every photo on disk and check its sidecar; returns how many passed.

    Also reports files written but missing, and photos on disk nobody wrote.
    """
    expected = {img.resolve(): (side, kept) for img, side, kept in written}
    # originals only: shot-001.jpg, not the derived deliverables (shot-001.<output>.jpg)
    on_disk = sorted(p.resolve() for p in Path(out_dir).glob("*/shot-*.*")
                     if p.suffix.lower() != ".json" and p.name.count(".") == 1)
    for img in on_disk:
        if img not in expected:
            errors.append(f"{img.parent.name}/{img.name}: on disk but never written")
    ok = 0
    for img, (side, kept) in expected.items():
        problem = _capture_problem(img, side, kept)
        if problem is None:
            ok += 1
        else:
            errors.append(f"{img.parent.name}/{img.name}: {problem}")
    return ok


def _capture_problem(img: Path, side: Path, kept: bool | None) -> str | None:
    """What is wrong with one written photo and its sidecar (None: nothing)."""
    try:
        data = np.frombuffer(img.read_bytes(), np.uint8)
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    pixels = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if pixels is None or pixels.size == 0:
        return "does not decode as an image"
    try:
        meta = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"sidecar unreadable ({type(exc).__name__})"
    return _sidecar_problem(meta, img, kept)


def _sidecar_problem(meta: dict, img: Path, kept: bool | None) -> str | None:
    missing = [k for k in REQUIRED_SIDECAR if k not in meta]
    if missing:
        return f"sidecar lacks {', '.join(missing)}"
    if meta["file"] != img.name or meta["session"] != img.parent.name:
        return f"sidecar names {meta['session']}/{meta['file']}"
    if (meta["kept"] is True) != (kept is True):
        return f"sidecar kept={meta['kept']!r}, set {kept!r}"
    if not isinstance(meta["metrics"], dict):
        return "sidecar metrics is not an object"
    return None


def judge(res: SoakResult, opts: SoakOptions) -> None:
    f = res.failures
    if res.interrupted:
        f.append(f"interrupted after {res.seconds / 60:.1f} of {opts.minutes:g} min")
    if math.isnan(res.rss_growth_pct):
        f.append("RSS growth not measured (run too short for the warm-up)")
    elif res.rss_growth_pct >= opts.max_growth_pct:
        f.append(f"RSS grew {res.rss_growth_pct:.1f}% after warm-up "
                 f"(target < {opts.max_growth_pct:g}%)")
    if res.max_stall_s > opts.stall_s:
        f.append(f"{res.stalls} stall(s) > {opts.stall_s:g} s, longest {res.max_stall_s:.2f} s")
    if res.captures_written == 0:
        f.append("no capture was written")
    if res.capture_errors or res.captures_verified != res.captures_written:
        f.append(f"{res.captures_written - res.captures_verified} of {res.captures_written} "
                 f"capture(s) failed verification; {len(res.capture_errors)} error(s)")
    if res.restarts:
        f.append(f"{res.restarts} pipeline worker restart(s)")
