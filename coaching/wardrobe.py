"""What the sitter wears, as the camera sees it: does the top stand out from the
background, and is it a fine pattern that will moire?

Measured on the frame at 256 px with the selfie segmenter's person mask
(:mod:`coaching.segmentation`), in the clothing region: the person below the chin
(from one face-height under the chin to the frame's bottom), within two face widths
of the face's centre.

- ``contrast``: CIELAB distance (delta E 1976) between the clothing's median colour and
  the background's beside it (same rows), 0..~150: under :data:`MERGES` a dark top
  vanishes into a dark backdrop (or white into white) and the shoulders' outline is lost.
- ``busy``: share of clothing pixels that are edges at the frame's own resolution
  (Canny on the full-resolution crop): a plain top is ~0.02, a fine check or stripe 0.15+,
  which a camera's sensor turns into moire.

Large logos or text on the chest are not detected (left for later; see the issue).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from coaching.observations import FaceObservation

__all__ = ["BUSY", "MERGES", "WardrobeReport", "measure_wardrobe"]

MERGES = 15.0
BUSY = 0.15


@dataclass(frozen=True)
class WardrobeReport:
    """The sitter's top against the background (units above; None: not enough in view)."""

    contrast: float | None
    busy: float | None

    @property
    def merges(self) -> bool | None:
        return None if self.contrast is None else self.contrast < MERGES

    @property
    def is_busy(self) -> bool | None:
        return None if self.busy is None else self.busy >= BUSY


def measure_wardrobe(rgb: np.ndarray, small_rgb: np.ndarray, person: np.ndarray,
                     face: FaceObservation) -> WardrobeReport:
    """Clothing contrast and pattern; ``small_rgb``/``person``: the segmenter's frame and
    mask (same size), ``rgb`` the full frame (for fine patterns)."""
    h, w = person.shape
    x0, y0, x1, y1 = face.bbox(w, h)
    fw, fh = x1 - x0, y1 - y0
    top = int(y1 + 0.3 * fh)
    if top >= h - 4:
        return WardrobeReport(None, None)
    cx = (x0 + x1) / 2
    cols = slice(max(int(cx - 2 * fw), 0), min(int(cx + 2 * fw), w))
    body = person >= 0.5
    region = np.zeros_like(body)
    region[top:, cols] = True
    clothing = region & body
    beside = np.zeros_like(body)
    beside[top:, :] = True
    beside &= cv2.erode((~body).astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    if clothing.sum() < 50:
        return WardrobeReport(None, None)
    lab = cv2.cvtColor(small_rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    lab[..., 0] *= 100.0 / 255.0  # OpenCV's 8-bit L* is 0..255
    lab[..., 1:] -= 128.0
    contrast = None
    if beside.sum() >= 50:
        a = np.median(lab[clothing], axis=0)
        b = np.median(lab[beside], axis=0)
        contrast = float(np.linalg.norm(a - b))
    return WardrobeReport(contrast, _busy(rgb, clothing))


def _busy(rgb: np.ndarray, clothing_small: np.ndarray) -> float | None:
    """Edge share of the clothing at full resolution (the small mask scaled up)."""
    H, W = rgb.shape[:2]
    mask = cv2.resize(clothing_small.astype(np.uint8), (W, H),
                      interpolation=cv2.INTER_NEAREST).astype(bool)
    # keep off the silhouette's edge: the outline is not a pattern
    k = max(3, int(0.01 * max(H, W)) | 1)
    mask = cv2.erode(mask.astype(np.uint8), np.ones((k, k), np.uint8)).astype(bool)
    if mask.sum() < 200:
        return None
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    ys, xs = np.nonzero(mask)
    crop = (slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1))
    edges = cv2.Canny(cv2.GaussianBlur(grey[crop], (3, 3), 0), 40, 100) > 0
    return float(edges[mask[crop]].mean())
