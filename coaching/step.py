"""The synchronous per-frame work: face landmarks (VIDEO mode) → metrics (with the
newest pose) → coach → shutter.

``CoachingStep.process(frame)`` returns a :class:`StepResult`. The threaded
:class:`~coaching.pipeline.Pipeline`, ``headshot-kiosk bench`` and the headless runner
(``run --headless``) all use it, so what the benchmark measures is what the kiosk
runs. A synchronous caller that wants pose too builds the step with its own pose
tracker (``pose_every=1`` = every frame).

Timestamps: every VIDEO-mode landmarker gets its own
:class:`~camera.frames.VideoClock`, which keeps them strictly increasing (in ms) for
the landmarker's whole life, even when a replay loops or two frames carry the same time.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

import cv2

from camera.base import Frame
from camera.frames import VideoClock, frame_time
from coaching.coach import Coach, CoachState
from coaching.face_rescue import FaceRescue
from coaching.messages import load_catalogue
from coaching.metrics import Metrics, compute_metrics
from coaching.observations import FaceObservation, Observation, PoseObservation
from coaching.quality_gate import QualityGate, QualityVerdict
from coaching.quiet import native_stderr_silenced
from coaching.settings import AnalysisSettings, CoachSettings
from coaching.shutter import Shot, Shutter
from coaching.sitter import SitterSelector

log = logging.getLogger(__name__)

__all__ = ["CoachingStep", "PoseResult", "StepResult", "detect_pose"]


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
    state: CoachState
    shot: Shot | None
    pose_frame_index: int | None
    face_ms: float
    pose_ms: float
    step_ms: float
    latency_ms: float
    #: the newest light/quality verdict (measured every ``QualityGate.interval_s``)
    quality: QualityVerdict | None = None


def _default_face_tracker(analysis: AnalysisSettings, offline: bool = False) -> Any:
    # Deferred: MediaPipe takes ~0.6 s to import and kiosk.config imports this module (via
    # coaching.pipeline) for every CLI command; only a step that builds its own tracker needs it.
    from coaching.trackers import FaceTracker

    with native_stderr_silenced():
        return FaceTracker("video", max_faces=analysis.max_faces, offline=offline)


def _default_pose_tracker(analysis: AnalysisSettings, offline: bool = False) -> Any:
    from coaching.trackers import PoseTracker  # deferred: see _default_face_tracker

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
        self.sitters = SitterSelector()
        self.rescue = (FaceRescue(self.analysis.max_faces)
                       if self.analysis.face_rescue else None)
        #: results produced so far; the pipeline carries it over to a rebuilt step
        self.seq = 0
        self._manual = threading.Event()
        self._auto = True
        self._build_coach()

    def _build_coach(self) -> None:
        self.coach = Coach(self.preset, self.coach_settings)
        self.shutter = Shutter(self.preset, self.coach_settings)
        self.quality = QualityGate(self.preset.quality, hfov_deg=self.analysis.camera_hfov_deg)
        self._catalogue = load_catalogue(self.coach_settings.language)

    # -- control (any thread) --------------------------------------------------------
    def press_shutter(self) -> None:
        self._manual.set()

    def set_auto_shutter(self, enabled: bool) -> None:
        self._auto = enabled

    def reset(self) -> None:
        """A new sitter: fresh calibration, filters, faults and shot count."""
        self.coach.reset()
        self.shutter.reset()
        self.sitters.reset()
        if self.rescue is not None:
            self.rescue.reset()
        self.quality.reset()

    def set_preset(self, preset: Any) -> None:
        """Coach for another preset; the sitter's calibration is kept, shots count anew."""
        self.preset = preset
        self.coach.set_preset(preset)
        self.shutter = Shutter(preset, self.coach_settings)
        self.quality.set_rules(preset.quality)

    # -- per frame ---------------------------------------------------------------------
    def run_pose(self, frame: Frame) -> PoseResult:
        """Run this step's own pose tracker on ``frame`` (downscaled past ``pose_max_width``)."""
        return detect_pose(self.pose_tracker, self._pose_clock, frame, self.pose_max_width)

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
        body = latest.pose if use_pose else None
        if not faces and self.rescue is not None:
            faces = self.rescue.faces(frame.image, body, t)
        choice = self.sitters.choose(faces, frame.width, frame.height, body)
        if choice.sitter:  # the sitter first, for everyone who reads faces[0]
            faces = [faces[choice.sitter]] + [f for i, f in enumerate(faces)
                                              if i != choice.sitter]
            choice = replace(choice, sitter=0)
        obs = Observation(faces=faces, pose=body, width=frame.width, height=frame.height)
        metrics = compute_metrics(obs, frame.image, self.analysis, choice)
        state = self.coach.update(metrics, t)
        # light, glasses, background: at a low rate; may hold the shutter (quality_gate.py)
        quality = self.quality.update(t, frame.image, faces[0] if faces else None, metrics)
        state = self.quality.apply(state, self._catalogue)
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
            shot=shot, quality=quality, pose_frame_index=latest.frame_index if use_pose else None,
            face_ms=(t2 - t1) * 1000.0, pose_ms=pose_ms, step_ms=(done - t0) * 1000.0,
            latency_ms=(time.monotonic() - frame.timestamp) * 1000.0)

    def close(self) -> None:
        """Close the trackers (never raises: it runs on shutdown paths)."""
        self.quality.close()
        for tracker in (self.face, self.pose_tracker, self.rescue):
            if tracker is not None:
                try:
                    tracker.close()
                except Exception:  # closing must never raise past shutdown
                    log.debug("closing a tracker failed", exc_info=True)


def detect_pose(tracker: Any, clock: VideoClock, frame: Frame, max_width: int = 0
                ) -> PoseResult:
    """Run a VIDEO-mode pose tracker on ``frame``, downscaled first when it is wider than
    ``max_width`` (0 = never); ``ms`` includes the downscale. The step and the
    pipeline's pose worker both call it."""
    t0 = time.perf_counter()
    rgb = frame.image
    if max_width and frame.width > max_width:
        rgb = _downscale(rgb, max_width)
    pose = tracker.detect(rgb, clock.stamp(frame_time(frame)))
    return PoseResult(pose, frame.index, frame_time(frame), (time.perf_counter() - t0) * 1000.0)


def _downscale(rgb: Any, max_width: int) -> Any:
    """``rgb`` resized to ``max_width`` pixels wide (aspect kept; for the pose model)."""
    h, w = rgb.shape[:2]
    return cv2.resize(rgb, (max_width, round(h * max_width / w)), interpolation=cv2.INTER_AREA)
