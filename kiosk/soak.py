"""A long run of the kiosk's real pipeline: memory over time, stalls, every capture verified.

What runs is what the kiosk runs, minus the display: a replayed video served like a live
camera (real-time pacing, looping forever) → :class:`coaching.pipeline.Pipeline` (face
model every frame, pose on its own worker, metrics, coach, shutter) → every shutter
event saved through :mod:`kiosk.storage` in session folders. On top of the automatic
captures the shutter is pressed every ``capture_every_s`` seconds (as an operator
would), a new session (a new sitter: fresh calibration) starts every
``session_every_s`` seconds, and every other saved shot is marked kept (the sidecar is
rewritten), so storage gets the kiosk's whole write pattern.

Measured:

- RSS (resident memory) sampled every second. After ``warmup_s`` the median of the
  first window is compared with the median of the last window (window = 60 s, or a
  third of the measured time for short runs): growth in percent.
- Stalls: a watcher thread waits on the pipeline's newest-result slot, as the UI
  would, and records the gap between consecutive results; a gap over ``stall_s``
  is a stall (the kiosk's preview would freeze).
- Captures: at the end every photo on disk is decoded (OpenCV) and its sidecar parsed
  and checked (required fields, its file name, session, kept flag as set); files written
  and files found must match.

Targets (the issue's): RSS growth < ``max_growth_pct`` (5%), no stall > 1 s, every
capture readable with a valid sidecar, and no worker restart. :func:`run_soak` returns
a :class:`SoakResult`; ``ok`` is False (with reasons) when a target is missed.
"""

from __future__ import annotations

import json
import logging
import math
import os
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: Sidecar fields every saved shot must have (kiosk.storage writes them).
REQUIRED_SIDECAR = ("file", "session", "number", "preset", "captured_at", "source", "camera",
                    "reason", "metrics", "kept", "app_version")


class SoakError(Exception):
    """The soak could not run at all (model missing, pipeline never started); one line."""


@dataclass
class SoakOptions:
    minutes: float
    out_dir: Path
    capture_every_s: float = 10.0
    warmup_s: float | None = None      # None = a quarter of the run, 10 s .. 120 s
    report_every_s: float = 10.0
    session_every_s: float = 60.0
    stall_s: float = 1.0
    max_growth_pct: float = 5.0

    def warmup(self) -> float:
        if self.warmup_s is not None:
            return self.warmup_s
        return min(120.0, max(10.0, self.minutes * 60.0 / 4.0))


@dataclass
class SoakResult:
    """Figures of one soak run (``to_dict`` for ``--json``)."""

    source: str
    preset: str
    out_dir: str
    seconds: float = 0.0
    warmup_s: float = 0.0
    window_s: float = 0.0
    frames: int = 0
    fps: float = 0.0
    dropped: int = 0
    restarts: int = 0
    rss_first_mb: float = math.nan     # median RSS of the first window after warm-up
    rss_last_mb: float = math.nan      # median RSS of the last window
    rss_growth_pct: float = math.nan
    rss_peak_mb: float = math.nan
    rss_series: list[tuple[float, float]] = field(default_factory=list)  # (s, MB) per report
    max_stall_s: float = 0.0
    stalls: int = 0                    # gaps > stall_s
    worst_stall_at_s: float | None = None
    result_gap_p99_ms: float = math.nan
    captures_fired: int = 0
    captures_auto: int = 0
    captures_manual: int = 0
    captures_written: int = 0
    captures_verified: int = 0
    capture_errors: list[str] = field(default_factory=list)
    sessions: int = 0
    load_avg: tuple[float, float, float] | None = None
    cpu_count: int | None = None
    failures: list[str] = field(default_factory=list)
    interrupted: bool = False          # stopped early with Ctrl-C

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["ok"] = self.ok
        d["rss_series"] = [[round(t, 1), round(mb, 1)] for t, mb in self.rss_series]
        for k, v in list(d.items()):
            if isinstance(v, float):
                d[k] = None if math.isnan(v) else round(v, 3)
        return d


class _StallWatcher(threading.Thread):
    """Waits on the pipeline's result slot like the UI; records gaps between results."""

    def __init__(self, pipe: Any, stall_s: float, t0: float) -> None:
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


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 1e6


def _fmt_t(s: float) -> str:
    m, sec = divmod(int(s), 60)
    return f"{m:3d}:{sec:02d}"


def run_soak(source: Any, preset: Any, cfg: Any, opts: SoakOptions, *,
             source_label: str = "", echo: Callable[[str], None] | None = None) -> SoakResult:
    """Run the soak over an opened-or-not ``source`` (looping replay); see the module doc.

    ``echo`` receives the progress lines (one every ``report_every_s``).
    """
    from coaching.pipeline import Pipeline
    from kiosk.storage import SessionStore, StorageError

    say = echo or (lambda _line: None)
    res = SoakResult(source=source_label or getattr(source, "name", "?"),
                     preset=getattr(preset, "name", "?"), out_dir=str(opts.out_dir))
    res.warmup_s = opts.warmup()
    res.cpu_count = os.cpu_count()
    total_s = opts.minutes * 60.0
    try:
        store = SessionStore(opts.out_dir)
    except StorageError as exc:
        raise SoakError(str(exc)) from None

    written: list[tuple[Path, Path, bool | None]] = []  # image, sidecar, kept as set
    counts = {"auto": 0, "manual": 0}
    source.open()
    pipe = Pipeline(source, preset, analysis=cfg.analysis, coach=cfg.coach,
                    settings=cfg.pipeline)
    pipe.start()
    session = None
    watcher: _StallWatcher | None = None
    samples: list[tuple[float, float]] = []
    try:
        if not pipe.wait_ready(180) or pipe.wait_result(0, 120) is None:
            raise SoakError(pipe.error or "the pipeline produced no result within 2 minutes")
        t0 = time.monotonic()
        watcher = _StallWatcher(pipe, opts.stall_s, t0)
        watcher.start()
        session = store.start(res.preset, source=res.source, camera=getattr(source, "name", ""))
        res.sessions = 1
        session_t = t0
        next_press = t0 + opts.capture_every_s
        next_report = t0 + opts.report_every_s
        next_sample = t0
        frames0 = pipe.stats(None).frames
        say(f"soak: {res.source}, preset {res.preset}, {opts.minutes:g} min "
            f"(warm-up {res.warmup_s:g} s), shutter every {opts.capture_every_s:g} s, "
            f"new session every {opts.session_every_s:g} s, saving to {opts.out_dir}")
        interrupted = False
        try:
            while True:
                now = time.monotonic()
                el = now - t0
                if el >= total_s:
                    break
                if pipe.error:
                    raise SoakError(pipe.error)
                if now >= next_sample:
                    samples.append((el, _rss_mb()))
                    next_sample += 1.0
                if now >= next_press:
                    pipe.press_shutter()
                    next_press += opts.capture_every_s
                for result in pipe.captures():
                    shot = result.shot
                    counts[shot.reason] = counts.get(shot.reason, 0) + 1
                    _save(session, shot, res, written, getattr(source, "name", ""))
                if now - session_t >= opts.session_every_s:
                    _end(session, res)
                    pipe.reset_session()
                    session = store.start(res.preset, source=res.source,
                                          camera=getattr(source, "name", ""))
                    res.sessions += 1
                    session_t = now
                if now >= next_report:
                    next_report += opts.report_every_s
                    st = pipe.stats(opts.report_every_s)
                    rss = samples[-1][1] if samples else _rss_mb()
                    res.rss_series.append((el, rss))
                    say(f"{_fmt_t(el)}  rss {rss:7.1f} MB  coach {st.fps:5.1f} fps  "
                        f"dropped {st.dropped:6d}  captures {len(written):4d}  "
                        f"max gap {watcher.max_gap:5.2f} s  stalls {watcher.stalls}"
                        + ("  (warm-up)" if el < res.warmup_s else ""))
                time.sleep(0.05)
        except KeyboardInterrupt:  # Ctrl-C: stop early, still report what was measured
            interrupted = True
        # captures fired in the last moments
        time.sleep(0.2)
        for result in pipe.captures():
            counts[result.shot.reason] = counts.get(result.shot.reason, 0) + 1
            _save(session, result.shot, res, written, getattr(source, "name", ""))
        stats = pipe.stats(None)
        res.interrupted = interrupted
        res.seconds = time.monotonic() - t0
        res.frames = stats.frames - frames0
        res.fps = res.frames / res.seconds if res.seconds > 0 else 0.0
        res.dropped = stats.dropped
        res.restarts = stats.restarts
    finally:
        if watcher is not None:
            watcher.stop.set()
            watcher.join(2.0)
        pipe.stop()
        source.close()
        if session is not None:
            _end(session, res)
    try:
        res.load_avg = tuple(round(x, 2) for x in os.getloadavg())  # type: ignore[assignment]
    except OSError:
        pass
    assert watcher is not None
    res.max_stall_s = watcher.max_gap
    res.stalls = watcher.stalls
    res.worst_stall_at_s = watcher.max_at
    res.result_gap_p99_ms = watcher.p99_ms()
    res.captures_auto, res.captures_manual = counts.get("auto", 0), counts.get("manual", 0)
    res.captures_fired = res.captures_auto + res.captures_manual
    res.captures_written = len(written)
    _memory(res, samples, res.seconds)
    res.captures_verified = verify_captures(opts.out_dir, written, res.capture_errors)
    _judge(res, opts)
    return res


def _save(session: Any, shot: Any, res: SoakResult,
          written: list[tuple[Path, Path, bool | None]], camera: str) -> None:
    """Save one shot as the kiosk does; every other one is marked kept."""
    from kiosk.storage import StorageError

    best = shot.best
    image = best.frame.image if best.frame is not None else None
    try:
        saved = session.save(image=image, metrics=best.metrics, frame_time_s=best.t,
                             reason=shot.reason, camera=camera,
                             extra={"fired_at_s": round(shot.t, 4), "in_range": best.in_range})
        kept: bool | None = None
        if len(written) % 2 == 0:
            session.set_kept(saved, True)
            kept = True
        written.append((saved.image_path, saved.sidecar_path, kept))
    except StorageError as exc:
        res.capture_errors.append(f"not saved: {exc}")


def _end(session: Any, res: SoakResult) -> None:
    from kiosk.storage import StorageError

    try:
        session.end()
    except StorageError as exc:
        res.capture_errors.append(f"session log: {exc}")


def _memory(res: SoakResult, samples: list[tuple[float, float]], seconds: float) -> None:
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
    import cv2
    import numpy as np

    expected = {img.resolve(): (side, kept) for img, side, kept in written}
    on_disk = sorted(p.resolve() for p in Path(out_dir).glob("*/shot-*.*")
                     if p.suffix.lower() != ".json")
    ok = 0
    for img in on_disk:
        if img not in expected:
            errors.append(f"{img.parent.name}/{img.name}: on disk but never written")
    for img, (side, kept) in expected.items():
        where = f"{img.parent.name}/{img.name}"
        try:
            data = np.frombuffer(img.read_bytes(), np.uint8)
        except OSError as exc:
            errors.append(f"{where}: unreadable ({exc.strerror or exc})")
            continue
        pixels = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
        if pixels is None or pixels.size == 0:
            errors.append(f"{where}: does not decode as an image")
            continue
        try:
            meta = json.loads(side.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            errors.append(f"{where}: sidecar unreadable ({type(exc).__name__})")
            continue
        missing = [k for k in REQUIRED_SIDECAR if k not in meta]
        if missing:
            errors.append(f"{where}: sidecar lacks {', '.join(missing)}")
            continue
        if meta["file"] != img.name or meta["session"] != img.parent.name:
            errors.append(f"{where}: sidecar names {meta['session']}/{meta['file']}")
            continue
        if (meta["kept"] is True) != (kept is True):
            errors.append(f"{where}: sidecar kept={meta['kept']!r}, set {kept!r}")
            continue
        if not isinstance(meta["metrics"], dict):
            errors.append(f"{where}: sidecar metrics is not an object")
            continue
        ok += 1
    return ok


def _judge(res: SoakResult, opts: SoakOptions) -> None:
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
