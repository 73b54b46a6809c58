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

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

import psutil

from camera.base import CameraSource
from coaching.pipeline import Pipeline, StepResult
from coaching.presets import Preset
from kiosk.capture import CaptureRequest, take_photo
from kiosk.config import AppConfig
from kiosk.soak_checks import StallWatcher, judge, memory, verify_captures
from kiosk.soak_result import REQUIRED_SIDECAR, SoakError, SoakOptions, SoakResult
from kiosk.storage import Session, SessionStore, StorageError

__all__ = ["REQUIRED_SIDECAR", "SoakError", "SoakOptions", "SoakResult", "run_soak",
           "verify_captures"]

log = logging.getLogger(__name__)

Written = list[tuple[Path, Path, bool | None]]  # image, sidecar, kept as set


def _rss_mb() -> float:
    return psutil.Process().memory_info().rss / 1e6


def _fmt_t(s: float) -> str:
    m, sec = divmod(int(s), 60)
    return f"{m:3d}:{sec:02d}"


def run_soak(source: CameraSource, preset: Preset, cfg: AppConfig, opts: SoakOptions, *,
             source_label: str = "", echo: Callable[[str], None] | None = None) -> SoakResult:
    """Run the soak over an opened-or-not ``source`` (looping replay); see the module doc.

    ``echo`` receives the progress lines (one every ``report_every_s``).
    """
    return _Soak(source, preset, cfg, opts, source_label, echo or (lambda _line: None)).run()


class _Soak:
    """One soak run: the loop, its schedule (shutter, sessions, reports) and its figures."""

    def __init__(self, source: CameraSource, preset: Preset, cfg: AppConfig,
                 opts: SoakOptions, label: str, say: Callable[[str], None]) -> None:
        self.source, self.cfg, self.opts, self.say = source, cfg, opts, say
        self.res = SoakResult(source=label or getattr(source, "name", "?"),
                              preset=getattr(preset, "name", "?"), out_dir=str(opts.out_dir))
        self.res.warmup_s = opts.warmup()
        self.res.cpu_count = os.cpu_count()
        self.preset = preset
        self.camera = getattr(source, "name", "")
        self.written: Written = []
        self.counts = {"auto": 0, "manual": 0}
        self.samples: list[tuple[float, float]] = []
        self.session: Session | None = None
        try:
            self.store = SessionStore(opts.out_dir)
        except StorageError as exc:
            raise SoakError(str(exc)) from None

    def run(self) -> SoakResult:
        res = self.res
        self.source.open()
        pipe = Pipeline(self.source, self.preset, analysis=self.cfg.analysis,
                        coach=self.cfg.coach, settings=self.cfg.pipeline)
        pipe.start()
        watcher: StallWatcher | None = None
        try:
            if not pipe.wait_ready(180) or pipe.wait_result(0, 120) is None:
                raise SoakError(pipe.error or "the pipeline produced no result within 2 minutes")
            t0 = time.monotonic()
            watcher = StallWatcher(pipe, self.opts.stall_s, t0)
            watcher.start()
            self._loop(pipe, watcher, t0)
        finally:
            if watcher is not None:
                watcher.stop.set()
                watcher.join(2.0)
            pipe.stop()
            self.source.close()
            if self.session is not None:
                self._end()
        try:
            res.load_avg = tuple(round(x, 2) for x in os.getloadavg())  # type: ignore[assignment]
        except OSError:
            pass
        assert watcher is not None
        res.max_stall_s = watcher.max_gap
        res.stalls = watcher.stalls
        res.worst_stall_at_s = watcher.max_at
        res.result_gap_p99_ms = watcher.p99_ms()
        res.captures_auto, res.captures_manual = self.counts["auto"], self.counts["manual"]
        res.captures_fired = res.captures_auto + res.captures_manual
        res.captures_written = len(self.written)
        memory(res, self.samples, res.seconds)
        res.captures_verified = verify_captures(self.opts.out_dir, self.written,
                                                res.capture_errors)
        judge(res, self.opts)
        return res

    def _loop(self, pipe: Pipeline, watcher: StallWatcher, t0: float) -> None:
        res, opts = self.res, self.opts
        self._new_session()
        session_t = t0
        next_press = t0 + opts.capture_every_s
        next_report = t0 + opts.report_every_s
        next_sample = t0
        frames0 = pipe.stats(None).frames
        self.say(f"soak: {res.source}, preset {res.preset}, {opts.minutes:g} min "
                 f"(warm-up {res.warmup_s:g} s), shutter every {opts.capture_every_s:g} s, "
                 f"new session every {opts.session_every_s:g} s, saving to {opts.out_dir}")
        try:
            while (now := time.monotonic()) - t0 < opts.minutes * 60.0:
                el = now - t0
                if pipe.error:
                    raise SoakError(pipe.error)
                if now >= next_sample:
                    self.samples.append((el, _rss_mb()))
                    next_sample += 1.0
                if now >= next_press:
                    pipe.press_shutter()
                    next_press += opts.capture_every_s
                self._save_all(pipe.captures())
                if now - session_t >= opts.session_every_s:
                    self._end()
                    pipe.reset_session()
                    self._new_session()
                    session_t = now
                if now >= next_report:
                    next_report += opts.report_every_s
                    self._report(pipe, watcher, el)
                time.sleep(0.05)
        except KeyboardInterrupt:  # Ctrl-C: stop early, still report what was measured
            res.interrupted = True
        time.sleep(0.2)  # captures fired in the last moments
        self._save_all(pipe.captures())
        stats = pipe.stats(None)
        res.seconds = time.monotonic() - t0
        res.frames = stats.frames - frames0
        res.fps = res.frames / res.seconds if res.seconds > 0 else 0.0
        res.dropped = stats.dropped
        res.restarts = stats.restarts

    def _report(self, pipe: Pipeline, watcher: StallWatcher, el: float) -> None:
        st = pipe.stats(self.opts.report_every_s)
        rss = self.samples[-1][1] if self.samples else _rss_mb()
        self.res.rss_series.append((el, rss))
        self.say(f"{_fmt_t(el)}  rss {rss:7.1f} MB  coach {st.fps:5.1f} fps  "
                 f"dropped {st.dropped:6d}  captures {len(self.written):4d}  "
                 f"max gap {watcher.max_gap:5.2f} s  stalls {watcher.stalls}"
                 + ("  (warm-up)" if el < self.res.warmup_s else ""))

    def _new_session(self) -> None:
        self.session = self.store.start(self.res.preset, source=self.res.source,
                                        camera=self.camera)
        self.res.sessions += 1

    def _save_all(self, results: list[StepResult]) -> None:
        """Save each shot through the kiosk's own capture path; every other one kept."""
        for result in results:
            shot = result.shot
            self.counts[shot.reason] = self.counts.get(shot.reason, 0) + 1
            req = CaptureRequest(shot=shot, reason=shot.reason, source_kind="replay",
                                 preset_title=self.preset.title)
            out = take_photo(self.source, self.session, req)
            if out.saved is None:
                self.res.capture_errors.append(f"not saved: {out.storage_error}")
                continue
            kept: bool | None = None
            if len(self.written) % 2 == 0:
                try:
                    self.session.set_kept(out.saved, True)  # type: ignore[union-attr]
                    kept = True
                except StorageError as exc:
                    self.res.capture_errors.append(f"not saved: {exc}")
                    continue
            self.written.append((out.saved.image_path, out.saved.sidecar_path, kept))

    def _end(self) -> None:
        assert self.session is not None
        try:
            self.session.end()
        except StorageError as exc:
            self.res.capture_errors.append(f"session log: {exc}")
