"""The face, cut out and put upright at a fixed size: the canvas the light, glasses and
red-eye checks measure on.

A face in a photo can be any size and slightly tilted; every check below wants the same
face the same way: eyes level, a fixed eye distance, so that "the box between the eyes"
or "a band under the eyes" is the same box on every sitter, and a threshold measured on
one set of photos means the same on another. The patch is a similarity warp (rotation +
scale + shift) of the frame, so shapes and light ratios are kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from coaching import geometry as g
from coaching.observations import FaceObservation

__all__ = ["EYE_DISTANCE", "PATCH_SIZE", "FacePatch", "face_patch"]

#: Iris-to-iris distance in the patch, px; the eyes sit at (MID - ED/2, EYE_Y), (MID + ED/2, EYE_Y).
EYE_DISTANCE = 64.0
#: Square patch side, px: forehead to chin and cheek to cheek fit with room to spare.
PATCH_SIZE = 256
MID = PATCH_SIZE // 2
EYE_Y = 96
#: Below this eye distance in the photo (px) the face is too small to judge fine detail
#: (glasses frames, glare): those checks answer "unknown" instead of guessing.
MIN_EYE_DISTANCE_PX = 28.0

#: Face oval of the mesh (the silhouette), in order, for the skin mask.
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378,
             400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21,
             54, 103, 67, 109)
#: Eyes with their brows, and the mouth: not skin (dark lashes, lips, teeth).
_RIGHT_EYE_AREA = (70, 63, 105, 66, 107, 133, 144, 145, 153, 154, 155, 33, 130)
_LEFT_EYE_AREA = (300, 293, 334, 296, 336, 362, 373, 374, 380, 381, 382, 263, 359)
_MOUTH = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181,
          91, 146)
_NOSTRILS = (98, 97, 2, 326, 327, 294, 278, 344, 440, 275, 4, 45, 220, 115, 48, 64)


@dataclass(frozen=True)
class FacePatch:
    """The upright face: ``rgb`` and ``grey`` (PATCH_SIZE square, uint8), the landmarks in
    patch pixels, the skin mask (bool), and ``eye_distance_px`` in the source photo."""

    rgb: np.ndarray
    grey: np.ndarray
    points: np.ndarray  # (478, 2) patch pixels
    skin: np.ndarray
    eye_distance_px: float

    @property
    def detailed(self) -> bool:
        """Large enough in the photo for fine detail (frames, glare, red-eye)."""
        return self.eye_distance_px >= MIN_EYE_DISTANCE_PX

    def region(self, x0: int, x1: int, y0: int, y1: int) -> tuple[slice, slice]:
        """A box given relative to the midpoint between the eyes, as array slices."""
        return slice(EYE_Y + y0, EYE_Y + y1), slice(MID + x0, MID + x1)


def face_patch(rgb: np.ndarray, face: FaceObservation) -> FacePatch | None:
    """The upright patch of ``face`` in ``rgb`` (RGB uint8); None if the eyes coincide."""
    h, w = rgb.shape[:2]
    px = face.landmarks[:, :2] * (w, h)
    right, left = px[g.RIGHT_IRIS], px[g.LEFT_IRIS]  # the sitter's right is image left
    d = left - right
    ed = float(np.hypot(*d))
    if ed < 1.0:
        return None
    angle = float(np.degrees(np.arctan2(d[1], d[0])))
    centre = (right + left) / 2
    scale = EYE_DISTANCE / ed
    m = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle, scale)
    m[:, 2] += np.array([MID, EYE_Y], dtype=np.float64) - centre
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    patch = cv2.warpAffine(rgb, m, (PATCH_SIZE, PATCH_SIZE), flags=interp,
                           borderMode=cv2.BORDER_REPLICATE)
    points = px @ m[:, :2].T + m[:, 2]
    return FacePatch(patch, cv2.cvtColor(patch, cv2.COLOR_RGB2GRAY), points,
                     _skin_mask(points), ed)


def _skin_mask(points: np.ndarray) -> np.ndarray:
    """Inside the face oval, outside the eyes-and-brows, the mouth and the nostrils; the
    outline itself is shrunk a little (hair, beard edge and background bleed into it)."""
    mask = np.zeros((PATCH_SIZE, PATCH_SIZE), np.uint8)
    cv2.fillPoly(mask, [np.round(points[list(FACE_OVAL)]).astype(np.int32)], 1)
    mask = cv2.erode(mask, np.ones((9, 9), np.uint8))
    for area in (_RIGHT_EYE_AREA, _LEFT_EYE_AREA, _MOUTH, _NOSTRILS):
        hull = cv2.convexHull(np.round(points[list(area)]).astype(np.int32))
        cv2.fillConvexPoly(mask, hull, 0)
    # the brows' band and the eyes' surroundings: lashes and shadows, not skin tone
    for iris in (g.RIGHT_IRIS, g.LEFT_IRIS):
        x, y = np.round(points[iris]).astype(int)
        cv2.ellipse(mask, (int(x), int(y)), (24, 16), 0, 0, 360, 0, -1)
    return mask.astype(bool)
