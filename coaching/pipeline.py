"""Real-time coaching: the per-frame step run on worker threads over a live source.

:class:`Pipeline` runs the :class:`~coaching.step.CoachingStep` on an analysis thread
over a :class:`~camera.base.CameraSource`, and the pose model on a second worker at an
adaptive rate (``pose_min_hz``..``pose_max_hz``) on the newest frame, so the two models
use both cores. Threads hand values over in :class:`~camera.frames.LatestSlot` s (the
newest wins, a replaced value is counted). ``start()`` returns at once; ``ready`` is set
when the first frame can be coached. A frame on which a model or the coach raises is
logged and skipped; a worker failing on several frames in a row is restarted with fresh
models, with backoff. The step, settings, figures, slot and clock are re-exported.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from camera.base import CameraSource, Frame
from camera.frames import LatestSlot, VideoClock, frame_time
from coaching.pipeline_stats import PipelineCounters, PipelineStats, percentile
from coaching.settings import AnalysisSettings, CoachSettings, PipelineSettings
from coaching.step import (
    CoachingStep,
    PoseResult,
    StepResult,
    _default_pose_tracker,
    detect_pose,
)

__all__ = ["MAX_CONSECUTIVE_FAILURES", "CoachingStep", "LatestSlot", "Pipeline",
           "PipelineSettings", "PipelineStats", "PoseResult", "StepResult", "VideoClock",
           "frame_time", "percentile"]

log = logging.getLogger(__name__)

#: A worker that fails on this many frames in a row is restarted with fresh models.
MAX_CONSECUTIVE_FAILURES = 3

T = TypeVar("T")
StepFactory = Callable[[], CoachingStep]
PoseFactory = Callable[[], Any]


class Pipeline:
    """Coach a live source on two worker threads; the UI reads the newest result.

    ``Pipeline(source, preset, analysis=..., coach=..., settings=...)``; then
    ``start()`` (returns at once; models load in the background, ``ready`` is set
    when frames are being coached), ``latest(after_seq)`` for the newest
    :class:`StepResult`, ``captures()`` for every shutter event (never dropped),
    ``stats()``, and ``stop()``/``close()`` (joins the threads, closes the models).
    ``press_shutter``, ``set_auto_shutter``, ``set_preset``, ``reset_session`` and
    ``set_source`` may be called from any thread; they take effect on the next frame.

    ``step_factory``/``pose_factory`` replace model construction (tests inject
    faults with them). ``offline`` forbids model downloads. ``on_result`` is called
    on the analysis thread with every result (keep it cheap; ``bench`` records
    timings with it).
    """

    def __init__(self, source: CameraSource, preset: Any, *,
                 analysis: AnalysisSettings | None = None, coach: CoachSettings | None = None,
                 settings: PipelineSettings | None = None,
                 step_factory: StepFactory | None = None,
                 pose_factory: PoseFactory | None = None,
                 on_result: Callable[[StepResult], None] | None = None,
                 offline: bool = False) -> None:
        self.analysis = analysis or AnalysisSettings()
        self.coach_settings = coach or CoachSettings()
        self.settings = settings or PipelineSettings()
        self._source = source
        self._preset = preset
        self._step_factory = step_factory or self._default_step
        self._on_result = on_result
        self.offline = offline
        self._pose_factory = pose_factory or (
            lambda: _default_pose_tracker(self.analysis, self.offline))
        self.ready = threading.Event()
        self.error: str | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._results: LatestSlot[StepResult] = LatestSlot()
        self._pose_in: LatestSlot[Frame] = LatestSlot()
        self._pose_out: LatestSlot[PoseResult] = LatestSlot()
        self._captures: queue.SimpleQueue[StepResult] = queue.SimpleQueue()
        self._manual = threading.Event()
        self._auto = True
        self._pending_preset: Any = None
        self._pending_reset = False
        self._source_changed = False
        self._pose_hz = self.settings.pose_min_hz
        self._counts = PipelineCounters()
        self._seq = 0
        self._face_loaded = False
        self._pose_loaded = False

    # -- lifecycle ---------------------------------------------------------------------
    def _default_step(self) -> CoachingStep:
        return CoachingStep(self._preset, self.analysis, self.coach_settings,
                            pose_max_age_s=self.settings.pose_max_age_s, offline=self.offline)

    def start(self) -> None:
        """Start the workers (models load on them); returns at once."""
        if any(t.is_alive() for t in self._threads):
            return
        self._stop.clear()
        for slot in (self._results, self._pose_in, self._pose_out):
            slot.reopen()
        self._threads = [
            threading.Thread(target=self._supervise, args=("analysis", self._analysis_body),
                             name="pipeline-analysis", daemon=True),
            threading.Thread(target=self._supervise, args=("pose", self._pose_body),
                             name="pipeline-pose", daemon=True),
        ]
        for t in self._threads:
            t.start()

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Block until frames are being coached (True) or loading failed/timed out."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.ready.is_set() and self.error is None:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                break
            self.ready.wait(0.05 if left is None else min(0.05, left))
        return self.ready.is_set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop and join the workers; they close their models. Idempotent."""
        self._stop.set()
        for slot in (self._results, self._pose_in, self._pose_out):
            slot.close()
        for t in self._threads:
            t.join(timeout)
            if t.is_alive():
                log.warning("pipeline: %s did not stop within %.0f s", t.name, timeout)
        self.ready.clear()

    close = stop

    def __enter__(self) -> Pipeline:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    # -- control (any thread) ----------------------------------------------------------
    def press_shutter(self) -> None:
        """The manual shutter: the step picks the best recent frame on the next frame."""
        self._manual.set()

    def set_auto_shutter(self, enabled: bool) -> None:
        self._auto = enabled

    def set_preset(self, preset: Any) -> None:
        """Coach for another preset from the next frame (fresh coach and shutter)."""
        with self._lock:
            self._pending_preset = preset
            self._preset = preset

    def reset_session(self) -> None:
        """A new sitter: fresh calibration, filters, coach and shutter."""
        with self._lock:
            self._pending_reset = True

    def set_source(self, source: CameraSource) -> None:
        with self._lock:
            self._source = source
            self._source_changed = True

    # -- results -----------------------------------------------------------------------
    def latest(self, after: int = 0) -> StepResult | None:
        """The newest result with ``seq > after`` (None if nothing newer). Never blocks."""
        result = self._results.peek()
        return result if result is not None and result.seq > after else None

    def wait_result(self, after: int = 0, timeout: float = 1.0) -> StepResult | None:
        """Block up to ``timeout`` s for a result with ``seq > after``."""
        return self._results.wait_for(lambda r: r.seq > after, timeout)

    def captures(self) -> list[StepResult]:
        """Every result on which the shutter fired since the last call, oldest first."""
        out: list[StepResult] = []
        while True:
            try:
                out.append(self._captures.get_nowait())
            except queue.Empty:
                return out

    def reset_stats(self) -> None:
        """Start the rates and the dropped count over (``bench`` after its warm-up)."""
        self._counts.reset()

    def pose_results_since(self, since: float) -> int:
        """Pose results finished at or after monotonic time ``since`` (for ``bench``)."""
        return len(self._counts.poses.window(None, since))

    def stats(self, window_s: float | None = 2.0) -> PipelineStats:
        """Current figures (see :class:`PipelineStats`); cheap enough for every frame."""
        return self._counts.snapshot(window_s, ready=self.ready.is_set(), error=self.error,
                                     pose_target_hz=self._pose_hz)

    # -- workers -----------------------------------------------------------------------
    def _supervise(self, name: str, body: Callable[[], None]) -> None:
        """Run ``body`` until stop; log and restart it (with backoff) when it raises."""
        first = self.settings.restart_backoff_s
        backoff = first
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                body()
                return
            except Exception as exc:
                if isinstance(exc, _LoadFailed):
                    self.error = str(exc) if self.error is None else f"{self.error}; {exc}"
                    log.error("pipeline: %s", exc)
                    return
                self._counts.restarts += 1
                if time.monotonic() - started > 30.0:
                    backoff = first
                log.error("pipeline: the %s worker failed (%s: %s); restarting in %.1f s",
                          name, type(exc).__name__, exc, backoff)
                log.debug("pipeline: %s worker traceback", name, exc_info=True)
                self._stop.wait(backoff)
                backoff = min(backoff * 2.0, 10.0)

    def _load(self, what: str, factory: Callable[[], T], loaded_before: bool) -> T:
        try:
            return factory()
        except Exception as exc:
            if loaded_before:
                raise  # a crash-restart: retry with backoff
            raise _LoadFailed(f"cannot load the {what} model: {exc}") from exc

    def _analysis_body(self) -> None:
        step = self._load("face", self._step_factory, self._face_loaded)
        self._face_loaded = True
        step.seq = self._seq
        with self._lock:
            self._pending_preset = None
            self._pending_reset = False
        try:
            self._analysis_loop(step)
        finally:
            step.close()

    def _analysis_loop(self, step: CoachingStep) -> None:
        last_index = -1
        pose_version = 0
        window_start = time.monotonic()
        idle = 0.0
        window_lat: list[float] = []
        failures = 0
        self.ready.set()
        while not self._stop.is_set():
            source, source_changed = self._apply_requests(step)
            if source_changed:
                last_index = -1
            t_wait = time.monotonic()
            try:
                frame = source.wait_frame(last_index, timeout=0.1)
                newest = source.latest_frame(-1) if frame is None else None
            except Exception as exc:  # the camera's watchdog deals with it; keep the models
                self._counts.source_errors += 1
                log.debug("pipeline: reading the source failed: %s", exc)
                self._stop.wait(0.1)
                continue
            waited = time.monotonic() - t_wait
            idle += waited
            if frame is None:
                if newest is not None and newest.index < last_index:
                    last_index = -1  # the source reopened and counts from 0 again
                elif waited < 0.005:  # an ended or closed source answers at once: don't spin
                    self._stop.wait(0.02)
                continue
            if last_index >= 0 and frame.index > last_index + 1:
                self._counts.dropped += frame.index - last_index - 1
            last_index = frame.index
            self._pose_in.put(frame)
            pose_version, pose = self._pose_out.get(pose_version) or (pose_version, None)
            if self._manual.is_set():
                self._manual.clear()
                step.press_shutter()
            step.set_auto_shutter(self._auto)
            try:
                result = step.process(frame, pose)
            except Exception as exc:
                failures = self._frame_failed("analysis", exc, failures)
                continue
            failures = 0
            self._publish(result)
            window_lat.append(result.latency_ms)
            now = time.monotonic()
            if now - window_start >= 1.0:
                self._adapt_pose_rate(idle / (now - window_start), percentile(window_lat, 95))
                window_start, idle = now, 0.0
                window_lat.clear()

    def _apply_requests(self, step: CoachingStep) -> tuple[CameraSource, bool]:
        """Apply a preset change or new sitter asked for since the last frame; the
        source to read and whether it was replaced."""
        with self._lock:
            source, changed = self._source, self._source_changed
            preset, self._pending_preset = self._pending_preset, None
            reset, self._pending_reset = self._pending_reset, False
            self._source_changed = False
        if preset is not None:
            step.set_preset(preset)
        if reset:
            step.reset()
        return source, changed

    def _publish(self, result: StepResult) -> None:
        """Hand one result to the UI (slot, callback) and a shutter event to captures()."""
        self._seq = result.seq
        self._results.put(result)
        self._counts.frames.add(result.latency_ms, result.face_ms)
        if self._on_result is not None:
            try:
                self._on_result(result)
            except Exception:
                log.exception("pipeline: the on_result callback failed")
        if result.shot is not None:
            self._captures.put(result)

    def _frame_failed(self, worker: str, exc: Exception, failures: int) -> int:
        """One frame failed: count and log it; raise (restarting the worker with fresh
        models) after ``MAX_CONSECUTIVE_FAILURES`` in a row."""
        self._counts.errors += 1
        failures += 1
        log.warning("pipeline: %s of a frame failed (%s: %s); frame skipped", worker,
                    type(exc).__name__, exc)
        log.debug("pipeline: %s traceback", worker, exc_info=True)
        if failures >= MAX_CONSECUTIVE_FAILURES:
            raise RuntimeError(f"{failures} frames in a row failed, last: {exc}") from exc
        return failures

    def _adapt_pose_rate(self, idle_fraction: float, p95_ms: float) -> None:
        """More pose while the face thread waits for frames and latency is low; back
        to ``pose_min_hz`` when the face thread is saturated or latency too high."""
        s = self.settings
        lo, hi = s.pose_min_hz, max(s.pose_min_hz, s.pose_max_hz)
        if idle_fraction < 0.10 or not p95_ms <= s.latency_target_ms:
            self._pose_hz = max(lo, self._pose_hz - 2.0)
        elif idle_fraction > 0.25 and p95_ms < 0.75 * s.latency_target_ms:
            self._pose_hz = min(hi, self._pose_hz + 1.0)

    def _pose_body(self) -> None:
        tracker = self._load("pose", self._pose_factory, self._pose_loaded)
        self._pose_loaded = True
        try:
            self._pose_loop(tracker)
        finally:
            try:
                tracker.close()
            except Exception:
                log.debug("closing the pose tracker failed", exc_info=True)

    def _pose_loop(self, tracker: Any) -> None:
        clock = VideoClock()
        version = 0
        next_due = 0.0
        max_w = self.settings.pose_max_width
        failures = 0
        while not self._stop.is_set():
            wait = next_due - time.monotonic()
            if wait > 0 and self._stop.wait(wait):
                return
            got = self._pose_in.get(version, timeout=0.2)
            if got is None:
                continue
            version, frame = got
            started = time.monotonic()
            try:
                result = detect_pose(tracker, clock, frame, max_w)
            except Exception as exc:
                failures = self._frame_failed("pose", exc, failures)
                continue
            failures = 0
            self._pose_out.put(result)
            self._counts.poses.add(0.0, result.ms)
            # A fixed schedule (not "start + period"), so wake-up lateness does not
            # lower the rate; after a long stall it restarts from now.
            period = 1.0 / self._pose_hz
            next_due = max(next_due + period, started)


class _LoadFailed(Exception):
    """A model could not be loaded at start-up: reported, not retried."""
