"""Glasses on the face: present, glare on the lenses, tinted lenses; and red-eye.

Measured on the upright face patch (:mod:`coaching.face_patch`, eye distance 64 px):

- ``bridge_edges``: share of pixels in the box over the nose bridge, between the eyes,
  that are horizontal edges (Canny, with the vertical gradient stronger than the
  horizontal). Bare skin there is smooth; a frame's bridge or top bar is a horizontal
  line. ``present`` when it reaches :data:`BRIDGE_EDGES` (Yale faces: 15 of 15 with
  glasses at >= 0.068, 15 of 15 without at <= 0.050).
- ``glare``: share of the lens area (a box around each eye, the iris with its catchlight
  left out) that is a specular spot: near white (>= 235) and far brighter than the lens
  area's own median. Only with glasses present (no lens, no lens glare).
- ``lens_brightness``: the lens area's median luminance over the cheeks' median, 0..~1.5;
  tinted or dark lenses read well under :data:`TINTED` (bare eyes' surroundings ~0.8).
- ``red_eye``: the larger, over both eyes, of the share of the pupil (half the iris
  radius) whose red is more than 2.5 x the mean of green and blue (a flash reflected by
  the retina; skin and lips stay under ~1.9); None on a grey photo or a face too small.

Values are None where the face is too small in the photo for the detail
(:attr:`FacePatch.detailed`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from coaching import geometry as g
from coaching.face_patch import FacePatch

__all__ = ["BRIDGE_EDGES", "TINTED", "GlassesReport", "measure_glasses"]

BRIDGE_EDGES = 0.06
TINTED = 0.45
#: Lens area around each iris centre, patch px: (dx0, dx1, dy0, dy1).
_LENS = (-26, 26, -14, 18)
#: The bridge box relative to the midpoint between the eyes: x -10..10, y -14..6.
_BRIDGE = (-10, 10, -14, 6)
_RED_RATIO = 2.5
_IRIS_RING = (469, 470, 471, 472, 474, 475, 476, 477)


@dataclass(frozen=True)
class GlassesReport:
    """Glasses and eyes in one face (units above; None = cannot tell)."""

    present: bool | None
    bridge_edges: float | None
    glare: float | None
    lens_brightness: float | None
    red_eye: float | None

    @property
    def tinted(self) -> bool | None:
        if not self.present or self.lens_brightness is None:
            return None if self.present is None else False
        return self.lens_brightness < TINTED


def measure_glasses(patch: FacePatch) -> GlassesReport:
    """Glasses, glare, tint and red-eye on the face in ``patch``."""
    if not patch.detailed:
        return GlassesReport(None, None, None, None, None)
    grey = patch.grey
    bridge = _bridge_edges(grey, patch)
    present = bridge >= BRIDGE_EDGES
    lens_mask = _lens_mask(patch)
    cheeks = grey[patch.skin]
    lens_med = float(np.median(grey[lens_mask])) if lens_mask.any() else 0.0
    brightness = lens_med / max(float(np.median(cheeks)), 1.0) if cheeks.size else None
    glare = 0.0
    if present and lens_mask.any():
        spots = lens_mask & (grey >= 235) & (grey >= 1.4 * max(lens_med, 1.0))
        glare = float(np.count_nonzero(spots)) / float(np.count_nonzero(lens_mask))
    return GlassesReport(present, bridge, glare if present else 0.0, brightness,
                         _red_eye(patch))


def _bridge_edges(grey: np.ndarray, patch: FacePatch) -> float:
    blur = cv2.GaussianBlur(grey, (3, 3), 0)
    edges = cv2.Canny(blur, 40, 100) > 0
    f = blur.astype(np.float32)
    gy = np.abs(cv2.Sobel(f, cv2.CV_32F, 0, 1, ksize=3))
    gx = np.abs(cv2.Sobel(f, cv2.CV_32F, 1, 0, ksize=3))
    rows, cols = patch.region(*_BRIDGE)
    horizontal = edges[rows, cols] & (gy[rows, cols] > gx[rows, cols])
    return float(horizontal.mean())


def _lens_mask(patch: FacePatch) -> np.ndarray:
    """Both lens boxes, without the irises (their catchlight is not glare)."""
    mask = np.zeros(patch.grey.shape, bool)
    dx0, dx1, dy0, dy1 = _LENS
    for iris in (g.RIGHT_IRIS, g.LEFT_IRIS):
        x, y = np.round(patch.points[iris]).astype(int)
        mask[max(y + dy0, 0):y + dy1, max(x + dx0, 0):x + dx1] = True
    iris_out = np.zeros(patch.grey.shape, np.uint8)
    for centre, ring in ((g.RIGHT_IRIS, _IRIS_RING[:4]), (g.LEFT_IRIS, _IRIS_RING[4:])):
        c = patch.points[centre]
        r = float(np.mean(np.linalg.norm(patch.points[list(ring)] - c, axis=1)))
        cv2.circle(iris_out, (int(round(c[0])), int(round(c[1]))), int(round(r * 1.3)) + 1,
                   1, -1)
    return mask & ~iris_out.astype(bool)


def _red_eye(patch: FacePatch) -> float | None:
    rgb = patch.rgb.astype(np.float32)
    r, gr, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    if float(np.abs(r - gr).mean() + np.abs(r - b).mean()) < 2.0:
        return None  # a grey photo: no red to see
    worst = 0.0
    for centre, ring in ((g.RIGHT_IRIS, _IRIS_RING[:4]), (g.LEFT_IRIS, _IRIS_RING[4:])):
        c = patch.points[centre]
        radius = float(np.mean(np.linalg.norm(patch.points[list(ring)] - c, axis=1)))
        disk = np.zeros(patch.grey.shape, np.uint8)
        cv2.circle(disk, (int(round(c[0])), int(round(c[1]))),
                   max(int(round(radius * 0.5)), 1), 1, -1)
        inside = disk.astype(bool)
        red = (r > 80) & (r > _RED_RATIO * (gr + b) / 2)
        worst = max(worst, float(np.count_nonzero(red & inside)) / max(int(inside.sum()), 1))
    return worst
