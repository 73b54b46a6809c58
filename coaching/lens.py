"""How far the camera is from the face, and whether the lens flatters.

Perspective, not the lens itself, enlarges a nose: a face closer than about a metre is
drawn with its near parts bigger, which is why portrait photographers stand back at
1.2 m or more with a short telephoto (70-135 mm full-frame equivalent, a horizontal
field of view of about 15-30 degrees) and crop. A webcam at arm's length (0.5 m, 65-80
degrees) does the opposite. The kiosk cannot move the camera, so it tells the operator,
and the deliverables crop the frame instead of asking the sitter to step in.

Distance from the pinhole model: an eye distance of ``e`` pixels in a frame ``W`` pixels
wide with a horizontal field of view ``hfov`` is ``IPD x f / e`` away, with
``f = (W / 2) / tan(hfov / 2)`` and ``IPD`` the adult mean interpupillary distance,
corrected for the head's turn (the eyes' span shrinks with cos(yaw)). A child or a
strong turn makes it read long; it is advice, never a gate.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image

__all__ = ["IPD_MM", "MIN_FLATTERING_M", "WIDE_HFOV_DEG", "camera_distance_m",
           "focal_35mm", "hfov_from_35mm", "lens_advice"]

#: Adult mean interpupillary distance, mm (Dodgson 2004, 63 mm for adults).
IPD_MM = 63.0
#: Closer than this the perspective starts to enlarge the nose.
MIN_FLATTERING_M = 1.0
#: A horizontal field of view wider than this is a wide lens for a headshot.
WIDE_HFOV_DEG = 55.0


def camera_distance_m(eye_distance_px: float | None, width_px: int, hfov_deg: float | None,
                      yaw_deg: float | None = None) -> float | None:
    """Camera-to-face distance in metres, or None without the field of view or the eyes."""
    if not eye_distance_px or eye_distance_px <= 0 or not hfov_deg or width_px <= 0:
        return None
    f_px = (width_px / 2) / math.tan(math.radians(hfov_deg) / 2)
    turn = math.cos(math.radians(min(abs(yaw_deg or 0.0), 60.0)))
    return IPD_MM * f_px / (eye_distance_px / turn) / 1000.0


def hfov_from_35mm(focal_35mm: float) -> float:
    """Horizontal field of view (degrees) of a 35 mm-equivalent focal length (36 mm wide)."""
    return math.degrees(2 * math.atan(36.0 / (2 * focal_35mm)))


def lens_advice(distance_m: float | None, hfov_deg: float | None) -> list[str]:
    """Lines for the operator when the set-up will not flatter (empty when it does)."""
    out = []
    if distance_m is not None and distance_m < MIN_FLATTERING_M:
        out.append(f"camera too close ({distance_m:.1f} m): perspective enlarges the nose; "
                   f"put the camera {MIN_FLATTERING_M + 0.2:.1f} m or more from the sitter "
                   "(the crop frames the face)")
    if hfov_deg is not None and hfov_deg > WIDE_HFOV_DEG:
        out.append(f"wide lens ({hfov_deg:.0f} deg across): a short telephoto (70 mm or "
                   "longer, full-frame equivalent) from further away flatters")
    return out


def focal_35mm(path: str | Path) -> float | None:
    """A photo's 35 mm-equivalent focal length from its EXIF (FocalLengthIn35mmFilm), or
    None when the file does not say (webcam frames, phone edits, stripped files)."""
    try:
        with Image.open(path) as im:
            value = im.getexif().get_ifd(0x8769).get(0xA405)
    except (OSError, ValueError):
        return None
    try:
        f = float(value) if value else 0.0
    except (TypeError, ValueError):
        return None
    return f if f > 0 else None
