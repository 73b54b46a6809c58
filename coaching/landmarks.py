"""MediaPipe landmarks: a frame (RGB, unmirrored) -> face and body landmarks.

The names are re-exported from where they live: the observation types in
:mod:`coaching.observations` (no MediaPipe needed), the stream and still trackers in
:mod:`coaching.trackers`, the still-photo search in :mod:`coaching.photo_analyzer`,
the C-struct result readers in :mod:`coaching.mediapipe_results`.
"""

from __future__ import annotations

from coaching.observations import FaceObservation, Observation, PoseObservation
from coaching.photo_analyzer import PhotoAnalyzer
from coaching.trackers import FaceTracker, Mode, PoseTracker, PoseVariant

__all__ = [
    "FaceObservation",
    "FaceTracker",
    "Mode",
    "Observation",
    "PhotoAnalyzer",
    "PoseObservation",
    "PoseTracker",
    "PoseVariant",
]
