"""A recorded clip coached frame by frame, as the kiosk would coach it: for the
coaching-correctness benchmark and the tests that check the advice on real footage.

:func:`coach_clip` runs every frame (media time = index / fps) through a
:class:`~coaching.step.CoachingStep` with VIDEO-mode face and pose trackers and
returns one :class:`ClipFrame` per frame; :func:`prompt_spans` turns those into the
table of what the sitter saw and for how long.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from camera.base import Frame
from coaching.metrics import Metrics
from coaching.presets import Preset
from coaching.settings import AnalysisSettings, CoachSettings
from coaching.sitter import body_seen
from coaching.step import CoachingStep
from coaching.trackers import FaceTracker, PoseTracker

__all__ = ["ClipFrame", "PromptSpan", "coach_clip", "prompt_spans", "read_clip"]


@dataclass(frozen=True)
class ClipFrame:
    """What the coach made of one frame."""

    t: float
    status: str
    message: str
    key: str | None  # the prompt's catalogue key, None when no prompt is shown
    metrics: Metrics  # raw metrics of the frame (the sitter's)
    body: bool  # the pose model saw a plausible upright body (coaching.sitter.body_seen)
    shot: bool


@dataclass(frozen=True)
class PromptSpan:
    """One message shown without change from ``start`` to ``end`` (seconds)."""

    start: float
    end: float
    status: str
    message: str
    key: str | None


def read_clip(path: str | Path, start: int = 0, stop: int | None = None
              ) -> tuple[list[np.ndarray], float]:
    """RGB frames ``start``..``stop`` of a video file and its frame rate."""
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise OSError(f"{path}: cannot open the video")
    try:
        fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
        frames: list[np.ndarray] = []
        i = 0
        while stop is None or i < stop:
            ok, bgr = cap.read()
            if not ok:
                break
            if i >= start:
                frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            i += 1
    finally:
        cap.release()
    return frames, float(fps)


def coach_clip(frames: list[np.ndarray], fps: float, preset: Preset, *,
               pose: bool = True, analysis: AnalysisSettings | None = None,
               coach: CoachSettings | None = None, t0: float = 0.0) -> list[ClipFrame]:
    """Coach ``frames`` in order with fresh trackers (pose on every frame if ``pose``)."""
    analysis = analysis or AnalysisSettings()
    face = FaceTracker("video", max_faces=analysis.max_faces)
    body = PoseTracker("video", variant=analysis.pose_model) if pose else None
    step = CoachingStep(preset, analysis, coach, face_tracker=face, pose_tracker=body,
                        pose_every=1)
    out: list[ClipFrame] = []
    try:
        for i, rgb in enumerate(frames):
            t = t0 + i / fps
            res = step.process(Frame(rgb, time.monotonic(), i, media_time=t))
            st = res.state
            out.append(ClipFrame(t, st.status, st.message,
                                 st.prompt.key if st.prompt is not None else None,
                                 res.metrics, body_seen(res.observation.pose, res.frame.width,
                                                        res.frame.height),
                                 res.shot is not None))
    finally:
        step.close()
    return out


def prompt_spans(run: list[ClipFrame], frame_s: float) -> list[PromptSpan]:
    """Consecutive frames showing the same message, as spans (each frame lasts
    ``frame_s``)."""
    spans: list[PromptSpan] = []
    for f in run:
        if spans and spans[-1].message == f.message and spans[-1].status == f.status:
            last = spans[-1]
            spans[-1] = PromptSpan(last.start, f.t + frame_s, last.status, last.message,
                                   last.key)
        else:
            spans.append(PromptSpan(f.t, f.t + frame_s, f.status, f.message, f.key))
    return spans
