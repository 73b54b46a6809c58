"""What the landmark models saw in one frame, as plain numpy data.

Kept apart from the MediaPipe wrappers (:mod:`coaching.trackers`) so metrics, the
smile and eye models and the pipeline can use these types without loading MediaPipe.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["FaceObservation", "Observation", "PoseObservation", "landmark_area"]


@dataclass
class FaceObservation:
    """One face. ``landmarks``: (478, 3) normalised x (0..1 of width), y (0..1 of height),
    z (depth, same scale as x, smaller = nearer). ``matrix``: MediaPipe's facial
    transformation matrix (4x4, row-major, cm, camera at the origin looking down -Z) in
    the camera of the image the model saw; for stills searched in a crop or a padded
    copy that is the crop's camera, so use its rotation relative to the face-to-camera
    direction (as :mod:`coaching.geometry` does), not its translation."""

    landmarks: np.ndarray
    blendshapes: dict[str, float]
    matrix: np.ndarray | None = None

    def bbox(self, width: int, height: int) -> tuple[float, float, float, float]:
        """Landmark bounding box in pixels: x0, y0, x1, y1."""
        xs = self.landmarks[:, 0] * width
        ys = self.landmarks[:, 1] * height
        return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())


@dataclass
class PoseObservation:
    """One body. ``landmarks``: (33, 5) normalised x, y, z, visibility, presence;
    ``world``: (33, 3) metres, origin between the hips (x image right, y down,
    z away from the camera)."""

    landmarks: np.ndarray
    world: np.ndarray


@dataclass
class Observation:
    """Everything the models saw in one frame; ``faces`` largest first."""

    faces: list[FaceObservation] = field(default_factory=list)
    pose: PoseObservation | None = None
    width: int = 0
    height: int = 0


def landmark_area(xy: np.ndarray, w: int, h: int) -> float:
    """Bounding-box area in pixels of normalised landmarks (for "largest first")."""
    xs, ys = xy[:, 0] * w, xy[:, 1] * h
    return float((xs.max() - xs.min()) * (ys.max() - ys.min()))
