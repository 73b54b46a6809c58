"""Where the head is in a frame, crown included: :class:`HeadGeometry`.

ID standards measure the head from the chin to the CROWN, the top of the head with its
hair (ICAO 9303 part 3, the US Department of State). The face mesh stops at the
forehead (point 10, near the hairline), so the crown comes from elsewhere: in a still,
the selfie segmenter's person mask (:mod:`delivery.head_top`); on live frames, and as
the fallback, chin + :data:`CROWN_RATIO` x (point 10 - chin), a ratio measured with the
mask on real photos. The composition of an output (:mod:`coaching.composition`) works
from this geometry alone, so the coach (live frames) and the deliverables (stills) use
the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from coaching import geometry as g

__all__ = ["CROWN_RATIO", "FACE_OVAL", "HeadGeometry", "from_landmarks", "from_metrics",
           "mesh_crown_y"]

#: (crown - chin) / (forehead point 10 - chin), measured with the segmenter crown on
#: 29 real photos and video frames (../shared/media, Yale faces): median 1.40,
#: 10th-90th percentile 1.31-1.47 (``benchmarks/deliverables_speed.py --crown``).
CROWN_RATIO = 1.40
#: Face-mesh outline (silhouette) points: what must sit inside a round crop.
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378,
             400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21,
             54, 103, 67, 109)

CrownMethod = Literal["mask", "mesh"]


@dataclass(frozen=True)
class HeadGeometry:
    """The main face in one frame or photo, in its pixels (x right, y down)."""

    crown_y: float
    chin_y: float
    eye_x: float  # midpoint of the iris centres
    eye_y: float
    centre_x: float  # middle of the face mesh's extent (as metrics.face_center_x)
    eye_px: float  # iris-centre distance
    outline: np.ndarray  # (N, 2): face-oval points plus the crown above the forehead
    crown_method: CrownMethod
    crown_cut: bool  # the hair runs into the top edge

    @property
    def head_px(self) -> float:
        return self.chin_y - self.crown_y

    def scaled(self, s: float) -> HeadGeometry:
        """The same head in a photo ``s`` times the size."""
        return HeadGeometry(self.crown_y * s, self.chin_y * s, self.eye_x * s, self.eye_y * s,
                            self.centre_x * s, self.eye_px * s, self.outline * s,
                            self.crown_method, self.crown_cut)


def mesh_crown_y(px: np.ndarray) -> float:
    """The crown estimated from the mesh alone (pixel landmarks)."""
    chin, top = px[g.CHIN, 1], px[g.FOREHEAD, 1]
    return float(chin - CROWN_RATIO * (chin - top))


def from_landmarks(px: np.ndarray, crown_y: float | None = None,
                   method: CrownMethod = "mesh", cut: bool | None = None) -> HeadGeometry:
    """The head from pixel landmarks (478, 2+); the mesh crown unless ``crown_y`` given."""
    if crown_y is None:
        crown_y, method = mesh_crown_y(px), "mesh"
    eyes = (px[g.LEFT_IRIS, :2] + px[g.RIGHT_IRIS, :2]) / 2
    xs = px[:, 0]
    top = px[g.FOREHEAD, :2]
    outline = np.vstack([px[list(FACE_OVAL), :2], [[top[0], crown_y]]])
    return HeadGeometry(
        crown_y=float(crown_y), chin_y=float(px[g.CHIN, 1]), eye_x=float(eyes[0]),
        eye_y=float(eyes[1]), centre_x=float((xs.min() + xs.max()) / 2),
        eye_px=float(np.linalg.norm(px[g.LEFT_IRIS, :2] - px[g.RIGHT_IRIS, :2])),
        outline=outline, crown_method=method, crown_cut=bool(crown_y <= 0 if cut is None
                                                             else cut))


def from_metrics(m: Any) -> tuple[HeadGeometry, tuple[int, int]] | None:
    """The head as a frame's :class:`~coaching.metrics.Metrics` describe it (mesh crown,
    the face outline as an ellipse), with the frame's (width, height); None if unknown."""
    need = (m.crown_line, m.chin_line, m.eye_line, m.face_center_x, m.face_width,
            m.frame_width_px, m.frame_height_px, m.eye_distance_px)
    if any(v is None for v in need):
        return None
    w, h = int(m.frame_width_px), int(m.frame_height_px)
    crown, chin = m.crown_line * h, m.chin_line * h
    cx = (m.face_center_x + 0.5) * w
    t = np.linspace(0, 2 * np.pi, 36, endpoint=False)
    outline = np.column_stack([cx + m.face_width * w / 2 * np.cos(t),
                               (crown + chin) / 2 + (chin - crown) / 2 * np.sin(t)])
    geo = HeadGeometry(crown, chin, cx, m.eye_line * h, cx, float(m.eye_distance_px), outline,
                       "mesh", crown <= 0)
    return geo, (w, h)
