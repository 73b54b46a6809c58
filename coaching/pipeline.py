"""Real-time coaching: newest-value slots, the per-frame step, and the threaded pipeline.

Three layers, one code path:

- :class:`LatestSlot` hands a value from one thread to another; the newest value
  wins, a value replaced before anyone took it is counted, nothing is queued.
- :class:`CoachingStep` is the synchronous per-frame work: face landmarks (VIDEO
  mode) → metrics (with the newest pose) → coach → shutter. ``process(frame)``
  returns a :class:`StepResult`. The threaded :class:`Pipeline`, ``headshot-kiosk
  bench`` and the headless runner (``run --headless``) all use it, so what the
  benchmark measures is what the kiosk runs. A synchronous caller that wants pose
  too builds the step with its own pose tracker (``pose_every=1`` = every frame).
- :class:`Pipeline` runs the step on its own analysis thread over a
  :class:`~camera.base.CameraSource` (whose own reading thread keeps only the
  newest frame), and the pose model on a second worker at a lower adaptive rate
  (``pose_min_hz``..``pose_max_hz``) on the newest frame, so the two models use
  both cores (MediaPipe's ctypes calls release the GIL). Models load in the
  background: ``start()`` returns at once and ``ready`` is set when the first
  frame can be coached. A frame on which a model or the coach raises is logged,
  counted and skipped; a worker failing on several frames in a row (or dying) is
  restarted with freshly loaded models, with backoff.

Timestamps: every VIDEO-mode landmarker gets its own :class:`VideoClock`, which
keeps them strictly increasing (in ms) for the landmarker's whole life, even when
a replay loops or two frames carry the same time.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from camera.base import Frame
from camera.frames import LatestSlot, VideoClock, frame_time

if TYPE_CHECKING:  # the model wrappers are imported only when a step is built
    from camera.base import CameraSource
    from coaching.landmarks import FaceObservation, Observation, PoseObservation
    from coaching.metrics import Metrics
    from coaching.settings import AnalysisSettings, CoachSettings

log = logging.getLogger(__name__)

#: A worker that fails on this many frames in a row is restarted with fresh models.
MAX_CONSECUTIVE_FAILURES = 3

T = TypeVar("T")


# --------------------------------------------------------------------------- settings

class PipelineSettings(BaseModel):
    """How the real-time pipeline shares the CPU (``pipeline:`` in the app config)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    pose_min_hz: float = Field(
        15.0, ge=1, le=60, description="pose model rate when the face model is saturated")
    pose_max_hz: float = Field(
        20.0, ge=1, le=60, description="pose model rate when the CPU has room to spare")
    pose_max_age_s: float = Field(
        0.5, gt=0, le=5, description="a pose older than this is not used (shoulders unknown)")
    pose_max_width: int = Field(
        0, ge=0, le=8192, description="downscale frames wider than this before the pose model "
                                      "(0 = never; measured: no gain at 720p, its cost does "
                                      "not depend on the input size)")
    latency_target_ms: float = Field(
        35.0, gt=0, le=1000, description="the pose rate rises above pose_min_hz only while the "
                                         "p95 latency (frame read to coach decision) stays "
                                         "under 3/4 of this, and falls when it is exceeded")
    restart_backoff_s: float = Field(
        0.5, gt=0, le=60, description="first wait before a crashed worker restarts (doubles, "
                                      "up to 10 s)")


# --------------------------------------------------------------------------- step

@dataclass
class PoseResult:
    """A pose observation and the frame it came from."""

    pose: PoseObservation | None
    frame_index: int
    frame_time: float
    ms: float


@dataclass
class StepResult:
    """What one frame produced: the UI draws it, ``bench`` times it.

    ``latency_ms`` runs from the frame's read (``Frame.timestamp``) to the coach's
    decision (after the shutter). ``shot`` is what the shutter returned for this
    frame (a capture record when it fired, else None).
    """

    seq: int
    frame: Frame
    observation: Observation
    metrics: Metrics
    state: Any  # coaching.coach.CoachState
    shot: Any | None
    pose_frame_index: int | None
    face_ms: float
    pose_ms: float
    step_ms: float
    latency_ms: float


def _default_face_tracker(analysis: AnalysisSettings, offline: bool = False) -> Any:
    from coaching.landmarks import FaceTracker
    from coaching.quiet import native_stderr_silenced

    with native_stderr_silenced():
        return FaceTracker("video", max_faces=analysis.max_faces, offline=offline)


def _default_pose_tracker(analysis: AnalysisSettings, offline: bool = False) -> Any:
    from coaching.landmarks import PoseTracker
    from coaching.quiet import native_stderr_silenced

    with native_stderr_silenced():
        return PoseTracker("video", variant=analysis.pose_model, offline=offline)


class CoachingStep:
    """The synchronous per-frame work: face → metrics (+ newest pose) → coach → shutter.

    Use it directly for a single-threaded loop (headless runner, the naive
    baseline): build it with ``pose_tracker`` and it runs pose itself on every
    ``pose_every``-th frame. The threaded :class:`Pipeline` builds it without a
    pose tracker and passes the pose worker's newest result to ``process``.

    ``press_shutter()`` and ``set_auto_shutter()`` may be called from any thread and
    apply to the next frame; ``reset()`` (new sitter) and ``set_preset()`` belong to the
    thread that calls ``process``. ``close()`` closes the trackers.
    """

    def __init__(self, preset: Any, analysis: AnalysisSettings | None = None,
                 coach: CoachSettings | None = None, *, face_tracker: Any = None,
                 pose_tracker: Any = None, pose_every: int = 1,
                 pose_max_age_s: float = 0.5, pose_max_width: int = 0,
                 offline: bool = False) -> None:
        from coaching.landmarks import Observation
        from coaching.metrics import compute_metrics
        from coaching.settings import AnalysisSettings, CoachSettings

        self._observation = Observation
        self._compute_metrics = compute_metrics

        self.analysis = analysis or AnalysisSettings()
        self.coach_settings = coach or CoachSettings()
        self.preset = preset
        self.face = face_tracker if face_tracker is not None else _default_face_tracker(
            self.analysis, offline)
        self.pose_tracker = pose_tracker
        self.pose_every = max(1, pose_every)
        self.pose_max_age_s = pose_max_age_s
        self.pose_max_width = pose_max_width
        self._face_clock = VideoClock()
        self._pose_clock = VideoClock()
        self._latest_pose: PoseResult | None = None
        #: results produced so far; the pipeline carries it over to a rebuilt step
        self.seq = 0
        self._manual = threading.Event()
        self._auto = True
        self._build_coach()

    def _build_coach(self) -> None:
        from coaching.coach import Coach
        from coaching.shutter import Shutter

        self.coach = Coach(self.preset, self.coach_settings)
        self.shutter = Shutter(self.preset, self.coach_settings)

    # -- control (any thread) --------------------------------------------------------
    def press_shutter(self) -> None:
        self._manual.set()

    def set_auto_shutter(self, enabled: bool) -> None:
        self._auto = enabled

    def reset(self) -> None:
        """A new sitter: fresh calibration, filters, faults and shot count."""
        self.coach.reset()
        self.shutter.reset()

    def set_preset(self, preset: Any) -> None:
        """Coach for another preset; the sitter's calibration is kept, shots count anew."""
        from coaching.shutter import Shutter

        self.preset = preset
        self.coach.set_preset(preset)
        self.shutter = Shutter(preset, self.coach_settings)

    # -- per frame ---------------------------------------------------------------------
    def run_pose(self, frame: Frame) -> PoseResult:
        """Run this step's own pose tracker on ``frame`` (downscaled past ``pose_max_width``)."""
        t0 = time.perf_counter()
        rgb = frame.image
        if self.pose_max_width and frame.width > self.pose_max_width:
            rgb = _downscale(rgb, self.pose_max_width)
        pose = self.pose_tracker.detect(rgb, self._pose_clock.stamp(frame_time(frame)))
        return PoseResult(pose, frame.index, frame_time(frame),
                          (time.perf_counter() - t0) * 1000.0)

    def process(self, frame: Frame, pose: PoseResult | None = None) -> StepResult:
        """Coach one frame. ``pose``: a newer pose result from a pose worker, if any."""
        t0 = time.perf_counter()
        t = frame_time(frame)
        pose_ms = 0.0
        if pose is not None:
            self._latest_pose = pose
        elif self.pose_tracker is not None and self.seq % self.pose_every == 0:
            self._latest_pose = self.run_pose(frame)
            pose_ms = self._latest_pose.ms
        t1 = time.perf_counter()
        faces: list[FaceObservation] = self.face.detect(frame.image, self._face_clock.stamp(t))
        t2 = time.perf_counter()
        latest = self._latest_pose
        use_pose = latest is not None and abs(t - latest.frame_time) <= self.pose_max_age_s
        obs = self._observation(faces=faces, pose=latest.pose if use_pose else None,
                                width=frame.width, height=frame.height)
        metrics = self._compute_metrics(obs, frame.image, self.analysis)
        state = self.coach.update(metrics, t)
        manual = self._manual.is_set()
        if manual:
            self._manual.clear()
        shot = self.shutter.update(frame, metrics, state, t, manual=manual, auto=self._auto)
        if shot is not None:
            self.coach.mark_captured(t)
        done = time.perf_counter()
        self.seq += 1
        return StepResult(
            seq=self.seq, frame=frame, observation=obs, metrics=metrics, state=state,
            shot=shot, pose_frame_index=latest.frame_index if use_pose else None,
            face_ms=(t2 - t1) * 1000.0, pose_ms=pose_ms, step_ms=(done - t0) * 1000.0,
            latency_ms=(time.monotonic() - frame.timestamp) * 1000.0)

    def close(self) -> None:
        for tracker in (self.face, self.pose_tracker):
            if tracker is not None:
                try:
                    tracker.close()
                except Exception:  # closing must never raise past shutdown
                    log.debug("closing a tracker failed", exc_info=True)


# --------------------------------------------------------------------------- pipeline

@dataclass(frozen=True)
class PipelineStats:
    """Figures for the operator overlay, the health log line and ``bench``.

    Rates and percentiles cover the last ``window_s`` seconds (all results since
    :meth:`Pipeline.reset_stats` when ``window_s`` is None). ``dropped`` counts
    source frames the analysis thread never saw (it was busy with an older one);
    ``errors`` frames skipped because a model or the coach raised; ``restarts``
    workers rebuilt (after ``MAX_CONSECUTIVE_FAILURES`` in a row).
    """

    ready: bool
    error: str | None
    frames: int
    dropped: int
    fps: float
    latency_p50_ms: float
    latency_p95_ms: float
    pose_hz: float
    pose_target_hz: float
    pose_frames: int
    restarts: int
    errors: int
    source_errors: int
    face_ms: float
    pose_ms: float


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(q / 100.0 * len(ordered)) - 1))
    return ordered[k]


class _Meter:
    """Timestamps (and one value) of recent events, for rates and percentiles."""

    def __init__(self, maxlen: int = 8192) -> None:
        self.events: deque[tuple[float, float, float]] = deque(maxlen=maxlen)
        self.count = 0

    def add(self, value: float, cost: float) -> None:
        self.events.append((time.monotonic(), value, cost))
        self.count += 1

    def window(self, window_s: float | None, since: float | None = None
               ) -> list[tuple[float, float, float]]:
        items = list(self.events)
        if window_s is not None:
            since = max(since or -math.inf, time.monotonic() - window_s)
        if since is None:
            return items
        return [e for e in items if e[0] >= since]

    @staticmethod
    def rate(items: list[tuple[float, float, float]], window_s: float | None) -> float:
        if len(items) < 2:
            return 0.0
        if window_s is not None:
            span = min(window_s, time.monotonic() - items[0][0])
            return len(items) / span if span > 0 else 0.0
        span = items[-1][0] - items[0][0]
        return (len(items) - 1) / span if span > 0 else 0.0


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
        from coaching.settings import AnalysisSettings, CoachSettings

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
        self._frames_meter = _Meter()
        self._pose_meter = _Meter(2048)
        self._dropped = 0
        self._restarts = 0
        self._errors = 0
        self._source_errors = 0
        self._seq = 0
        self._stats_cache: tuple[float, float, PipelineStats] | None = None
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
        self._frames_meter = _Meter()
        self._pose_meter = _Meter(2048)
        self._dropped = 0

    def pose_results_since(self, since: float) -> int:
        """Pose results finished at or after monotonic time ``since`` (for ``bench``)."""
        return len(self._pose_meter.window(None, since))

    def stats(self, window_s: float | None = 2.0) -> PipelineStats:
        """Current figures. Cheap enough to call every rendered frame: a windowed
        answer is reused for 0.2 s."""
        now = time.monotonic()
        cached = self._stats_cache
        if window_s is not None and cached is not None and cached[0] == window_s \
                and now - cached[1] < 0.2:
            return cached[2]
        st = self._compute_stats(window_s)
        if window_s is not None:
            self._stats_cache = (window_s, now, st)
        return st

    def _compute_stats(self, window_s: float | None) -> PipelineStats:
        frames = self._frames_meter.window(window_s)
        poses = self._pose_meter.window(window_s)
        lat = [e[1] for e in frames]
        return PipelineStats(
            ready=self.ready.is_set(), error=self.error,
            frames=self._frames_meter.count, dropped=self._dropped,
            fps=_Meter.rate(frames, window_s),
            latency_p50_ms=percentile(lat, 50), latency_p95_ms=percentile(lat, 95),
            pose_hz=_Meter.rate(poses, window_s), pose_target_hz=self._pose_hz,
            pose_frames=self._pose_meter.count, restarts=self._restarts,
            errors=self._errors, source_errors=self._source_errors,
            face_ms=sum(e[2] for e in frames) / len(frames) if frames else math.nan,
            pose_ms=sum(e[2] for e in poses) / len(poses) if poses else math.nan)

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
                self._restarts += 1
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
            with self._lock:
                source = self._source
                preset, self._pending_preset = self._pending_preset, None
                reset, self._pending_reset = self._pending_reset, False
                if self._source_changed:
                    self._source_changed = False
                    last_index = -1
            if preset is not None:
                step.set_preset(preset)
            if reset:
                step.reset()
            t_wait = time.monotonic()
            try:
                frame = source.wait_frame(last_index, timeout=0.1)
                newest = source.latest_frame(-1) if frame is None else None
            except Exception as exc:  # the camera's watchdog deals with it; keep the models
                self._source_errors += 1
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
                self._dropped += frame.index - last_index - 1
            last_index = frame.index
            self._pose_in.put(frame)
            got = self._pose_out.get(pose_version)
            pose = None
            if got is not None:
                pose_version, pose = got
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
            self._seq = result.seq
            self._results.put(result)
            self._frames_meter.add(result.latency_ms, result.face_ms)
            if self._on_result is not None:
                try:
                    self._on_result(result)
                except Exception:
                    log.exception("pipeline: the on_result callback failed")
            if result.shot is not None:
                self._captures.put(result)
            window_lat.append(result.latency_ms)
            now = time.monotonic()
            if now - window_start >= 1.0:
                self._adapt_pose_rate(idle / (now - window_start), percentile(window_lat, 95))
                window_start, idle = now, 0.0
                window_lat.clear()

    def _frame_failed(self, worker: str, exc: Exception, failures: int) -> int:
        """One frame failed: count and log it; raise (restarting the worker with fresh
        models) after ``MAX_CONSECUTIVE_FAILURES`` in a row."""
        self._errors += 1
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
            t0 = time.perf_counter()
            rgb = frame.image
            if max_w and frame.width > max_w:
                rgb = _downscale(rgb, max_w)
            try:
                pose = tracker.detect(rgb, clock.stamp(frame_time(frame)))
            except Exception as exc:
                failures = self._frame_failed("pose", exc, failures)
                continue
            failures = 0
            ms = (time.perf_counter() - t0) * 1000.0
            self._pose_out.put(PoseResult(pose, frame.index, frame_time(frame), ms))
            self._pose_meter.add(0.0, ms)
            # A fixed schedule (not "start + period"), so wake-up lateness does not
            # lower the rate; after a long stall it restarts from now.
            period = 1.0 / self._pose_hz
            next_due = max(next_due + period, started)


class _LoadFailed(Exception):
    """A model could not be loaded at start-up: reported, not retried."""


def _downscale(rgb: Any, max_width: int) -> Any:
    import cv2

    h, w = rgb.shape[:2]
    return cv2.resize(rgb, (max_width, round(h * max_width / w)), interpolation=cv2.INTER_AREA)
