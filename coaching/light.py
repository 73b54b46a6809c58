"""Light on the face: evenness, hot spots, hard shadows, colour cast, noise.

Measured on the upright face patch (:mod:`coaching.face_patch`) over the skin only (no
eyes, brows, mouth, nostrils, hair), so a dark beard or a bright eye white does not read
as light. Each value has a unit and a range (README "Light and image quality"):

- ``balance_lr``: (image-right - image-left) / (sum) of the skin's mean luminance, split
  at the nose, -1..1; 0 = even; > 0 the light comes from the image right (the sitter's
  left). ``light_from`` names the side when ``|balance_lr| >= SIDE_LIGHT``.
- ``balance_tb``: (forehead - cheeks) / (sum), -1..1; < 0 = light from below or a
  shaded forehead (a hat brim, a top light missing); the chin is left out (a beard).
- ``hot_spots``: share of skin pixels at or above 245 of 255 (shine, blown highlights).
- ``hard_shadow``: share of skin pixels darker than :data:`SHADOW_LEVEL` x the lit skin
  (its 90th percentile), i.e. a light ratio over 2.5:1: ~0.04 with frontal light on Yale
  faces, ~0.15 under a hard top light, ~0.4 with half the face in shadow.
- ``skin_hue_deg``: hue angle of the skin in CIELAB (atan2(b*, a*)); ``colour_cast_deg``:
  how far it lies outside the range real skin occupies under neutral light
  (:data:`SKIN_HUE_RANGE`), 0 inside; None for a grey photo (no chroma to judge).
- ``noise``: the noise sigma in grey levels (Immerkaer's fast estimate, 1996) on the face
  box of the frame at its own resolution; fine texture adds a little, grain adds a lot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from coaching import geometry as g
from coaching.face_patch import EYE_Y, FacePatch

__all__ = ["SHADOW_LEVEL", "SIDE_LIGHT", "SKIN_HUE_RANGE", "LightReport", "face_noise",
           "measure_light"]

#: |balance_lr| from which the light is said to come from one side (Yale faces: frontal
#: light reads -0.17..+0.12, side light 0.29..0.71; README "Accuracy" for the figures).
SIDE_LIGHT = 0.25
#: A skin pixel darker than this share of the lit skin is in hard shadow.
SHADOW_LEVEL = 0.4
#: CIELAB hue of skin under neutral (D65-like) light, degrees: from pale to dark skin the
#: hue stays within about 25-75 degrees (red-yellow); outside it the light (or the
#: camera's white balance) has a cast: magenta below, green-yellow above.
SKIN_HUE_RANGE = (25.0, 75.0)
#: Skin with less chroma than this (CIELAB units) is grey: a monochrome photo.
_MIN_CHROMA = 4.0
_IMMERKAER = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float64)


@dataclass(frozen=True)
class LightReport:
    """What the light does on one face (units above)."""

    balance_lr: float | None  # None: the head is turned too far to compare the cheeks
    balance_tb: float
    hot_spots: float
    hard_shadow: float
    skin_hue_deg: float | None
    colour_cast_deg: float | None
    noise: float | None

    @property
    def light_from(self) -> str:
        """``image-left``, ``front``, ``image-right`` or ``unknown``."""
        if self.balance_lr is None:
            return "unknown"
        if self.balance_lr <= -SIDE_LIGHT:
            return "image-left"
        if self.balance_lr >= SIDE_LIGHT:
            return "image-right"
        return "front"


def measure_light(patch: FacePatch, frame_grey: np.ndarray | None = None,
                  face_box: tuple[float, float, float, float] | None = None
                  ) -> LightReport | None:
    """The light on the face in ``patch``; None if too little skin is visible.
    ``frame_grey`` + ``face_box`` (x0, y0, x1, y1 in its pixels) add the noise estimate."""
    skin = patch.skin
    if skin.sum() < 400:
        return None
    grey = patch.grey.astype(np.float32)
    nose_x = float(patch.points[g.NOSE_TIP, 0])
    nose_y = float(patch.points[g.NOSE_TIP, 1])
    cols = np.arange(grey.shape[1])[None, :]
    rows = np.arange(grey.shape[0])[:, None]
    left_side, right_side = skin & (cols < nose_x), skin & (cols >= nose_x)
    # a head turned far shows one cheek only: no left/right to compare
    both_sides = min(left_side.sum(), right_side.sum()) >= 0.15 * skin.sum()
    left, right = _mean(grey, left_side), _mean(grey, right_side)
    # forehead (above the brows) against the cheeks (under the eyes, above the mouth):
    # not the chin, where a beard or stubble would read as shadow
    top = _mean(grey, skin & (rows < EYE_Y - 22))
    bottom = _mean(grey, skin & (rows > EYE_Y + 18) & (rows <= nose_y))
    values = grey[skin]
    bright = float(np.percentile(values, 90))
    hue, cast = _skin_hue(patch.rgb, skin)
    noise = None
    if frame_grey is not None and face_box is not None:
        noise = face_noise(frame_grey, face_box)
    return LightReport(
        balance_lr=_ratio(right, left) if both_sides else None, balance_tb=_ratio(top, bottom),
        hot_spots=float(np.count_nonzero(values >= 245)) / values.size,
        hard_shadow=float(np.count_nonzero(values < SHADOW_LEVEL * bright)) / values.size
        if bright > 0 else 0.0,
        skin_hue_deg=hue, colour_cast_deg=cast, noise=noise)


def face_noise(grey: np.ndarray, box: tuple[float, float, float, float]) -> float | None:
    """Noise sigma (grey levels) in ``box`` of ``grey`` (uint8), Immerkaer's estimator:
    sigma = sqrt(pi/2) / (6 (W-2)(H-2)) * sum |I * N|. None for a box under 16 px."""
    h, w = grey.shape[:2]
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    region = grey[y0:y1, x0:x1].astype(np.float64)
    conv = cv2.filter2D(region, -1, _IMMERKAER, borderType=cv2.BORDER_REFLECT)[1:-1, 1:-1]
    hh, ww = region.shape
    return float(math.sqrt(math.pi / 2) * np.abs(conv).sum() / (6 * (ww - 2) * (hh - 2)))


def _skin_hue(rgb: np.ndarray, skin: np.ndarray) -> tuple[float | None, float | None]:
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    a = float(lab[..., 1][skin].mean()) - 128.0
    b = float(lab[..., 2][skin].mean()) - 128.0
    if math.hypot(a, b) < _MIN_CHROMA:
        return None, None
    hue = math.degrees(math.atan2(b, a))
    lo, hi = SKIN_HUE_RANGE
    return hue, max(lo - hue, hue - hi, 0.0)


def _mean(grey: np.ndarray, where: np.ndarray) -> float:
    n = int(where.sum())
    return float(grey[where].mean()) if n else 0.0


def _ratio(a: float, b: float) -> float:
    return (a - b) / (a + b) if a + b > 0 else 0.0
