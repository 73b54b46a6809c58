"""How the booth builds its coaching pipeline once the camera is open.

Tests inject their own factory; ``--offline`` builds the models from the local cache
only (never a download), which needs the step and pose factories below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from camera.base import CameraSource
from coaching.landmarks import FaceTracker, PoseTracker
from coaching.metering import meter_for, meter_results
from coaching.pipeline import CoachingStep, Pipeline
from coaching.presets import Preset
from coaching.quiet import native_stderr_silenced
from kiosk.config import AppConfig
from kiosk.preset_tuning import PresetBook

PipelineFactory = Callable[[CameraSource, Preset], Pipeline]


def default_pipeline(cfg: AppConfig, presets: PresetBook, offline: bool) -> PipelineFactory:
    """The kiosk's own pipeline: face model every frame, pose on its worker."""

    def make(src: CameraSource, preset: Preset) -> Pipeline:
        kw: dict[str, Any] = _offline_factories(cfg, presets) if offline else {}
        web = cfg.camera.webcam
        meter = meter_for(src, web.metering, web.face_target)  # the face, not the window
        if meter is not None:
            kw["on_result"] = meter_results(meter)
        return Pipeline(src, preset, analysis=cfg.analysis, coach=cfg.coach,
                        settings=cfg.pipeline, **kw)

    return make


def _offline_factories(cfg: AppConfig, presets: PresetBook) -> dict[str, Any]:
    a = cfg.analysis

    def step() -> CoachingStep:
        with native_stderr_silenced():
            face = FaceTracker("video", max_faces=a.max_faces, offline=True)
        return CoachingStep(presets.current(), a, cfg.coach, face_tracker=face,
                            pose_max_age_s=cfg.pipeline.pose_max_age_s)

    def pose() -> PoseTracker:
        with native_stderr_silenced():
            return PoseTracker("video", variant=a.pose_model, offline=True)

    return {"step_factory": step, "pose_factory": pose}
