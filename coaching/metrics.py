"""Numbers about the person in a frame, with units and signs.

Sign convention (the project's one convention; every dataset is converted to it
in ``benchmarks/`` and nowhere else). Angles are degrees, on the UNMIRRORED frame:

- ``yaw_deg``   > 0: the sitter turns their head to their own left (face toward
  image right). 0 = looking into the lens, corrected for the face's position.
- ``pitch_deg`` > 0: chin up. 0 = level to the lens.
- ``roll_deg``  > 0: head tilted toward the sitter's left shoulder (clockwise in
  the unmirrored image).
- ``shoulder_turn_deg`` > 0: body turned toward the sitter's left; 0 = square.
- ``shoulder_tilt_deg`` > 0: the sitter's left shoulder (image right) is higher.

Fractions are of the frame height unless named otherwise. ``None`` = unknown
(no face, shoulders not reliably seen, ...).

The computation is filled in by the analysis module (``compute_metrics``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass
class Metrics:
    """Everything the coach, the shutter and ``analyze`` need about one frame."""

    faces: int = 0
    # Head pose (degrees, signs above).
    yaw_deg: float | None = None
    pitch_deg: float | None = None
    roll_deg: float | None = None
    # Body (degrees); None when the pose model does not see the shoulders reliably.
    shoulder_turn_deg: float | None = None
    shoulder_tilt_deg: float | None = None
    # Expression: smile = mean of mouthSmileLeft/Right blendshapes (0..1).
    smile: float | None = None
    smiling: bool | None = None
    teeth_visible: bool | None = None
    mouth_open: bool | None = None
    # Eyes: openness per eye 0 (shut) .. 1 (wide open); blink = raw blendshape
    # mean (0..1), never smoothed.
    eye_open_left: float | None = None
    eye_open_right: float | None = None
    blink: float | None = None
    eyes_closed: bool | None = None
    # Gaze: iris offset from the eye centre as a fraction of the eye width
    # (x > 0 = toward image right), and whether that reads as "into the lens".
    gaze_x: float | None = None
    gaze_y: float | None = None
    looking_at_camera: bool | None = None
    # Framing (fractions of frame height / width).
    head_height: float | None = None
    eye_line: float | None = None
    face_center_x: float | None = None  # -0.5 (image left edge) .. +0.5 (right edge)
    headroom: float | None = None  # top of head to frame top; < 0 = cut off
    eye_distance_px: float | None = None
    # Image quality on the face.
    sharpness: float | None = None  # variance of the Laplacian on the face, grey 0..255
    exposure: float | None = None  # mean luminance on the face, 0..1
    clipped_dark: float | None = None  # fraction of face pixels <= 5
    clipped_bright: float | None = None  # fraction of face pixels >= 250
    light_balance: float | None = None  # (right - left) / (right + left) luminance, image sides

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: floats rounded, ``None`` kept as ``null``."""
        out: dict[str, Any] = {}
        for k, v in asdict(self).items():
            if isinstance(v, float):
                v = round(v, 4)
            out[k] = v
        return out

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]
