"""Draw what the analysis saw on a copy of the photo (``analyze --annotate``): landmarks,
head axes, the shoulder line, framing guides and the key numbers. OpenCV only (no
pygame): this is for a photographer looking at files, not for the kiosk screen.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from coaching import geometry as g
from coaching.metrics import Metrics
from coaching.observations import Observation

try:  # contour connections of the face mesh (eyes, brows, lips, oval)
    from mediapipe.tasks.python.vision import FaceLandmarksConnections as _Conn

    _CONTOURS = np.array([(c.start, c.end) for c in _Conn.FACE_LANDMARKS_CONTOURS])
except Exception:  # noqa: BLE001 - drawing points alone is still useful
    _CONTOURS = np.zeros((0, 2), dtype=int)

# Colours are RGB (the image is RGB).
_MESH = (80, 220, 255)
_MESH_OTHER = (160, 160, 160)
_IRIS = (255, 255, 0)
_AXES = ((230, 40, 40), (40, 200, 40), (60, 120, 255))  # x (sitter's left), y up, z nose
_SHOULDER = (255, 150, 0)
_GUIDE = (255, 255, 255)
_TEXT = (255, 255, 255)


def annotate(rgb: np.ndarray, obs: Observation, metrics: Metrics,
             extra_lines: Sequence[str] = ()) -> np.ndarray:
    """A copy of ``rgb`` with the analysis drawn on it (RGB, same size)."""
    img = np.ascontiguousarray(rgb.copy())
    h, w = img.shape[:2]
    unit = max(min(h, w) / 500.0, 0.5)  # line widths and text scale follow the photo size
    thick = max(int(round(unit)), 1)
    _guides(img, metrics, unit, thick)
    for i, face in enumerate(obs.faces):
        px = face.landmarks[:, :2] * (w, h)
        _mesh(img, px, _MESH if i == 0 else _MESH_OTHER, thick)
        if i == 0:
            _axes(img, face.landmarks * (w, h, w), unit, thick)
    if obs.pose is not None and metrics.shoulder_tilt_deg is not None:
        a = obs.pose.landmarks[g.POSE_LEFT_SHOULDER, :2] * (w, h)
        b = obs.pose.landmarks[g.POSE_RIGHT_SHOULDER, :2] * (w, h)
        cv2.line(img, _pt(a), _pt(b), _SHOULDER, 2 * thick, cv2.LINE_AA)
        for p in (a, b):
            cv2.circle(img, _pt(p), 4 * thick, _SHOULDER, -1, cv2.LINE_AA)
    boxes = [face_box(face.landmarks[:, :2] * (w, h)) for face in obs.faces]
    _text_block(img, [*summary_lines(metrics), *extra_lines], unit, boxes)
    return img


def face_box(px: np.ndarray) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) around a face's landmarks, grown to take in hair and chin."""
    x0, y0 = px.min(axis=0)
    x1, y1 = px.max(axis=0)
    mx, my = (x1 - x0) * 0.15, (y1 - y0) * 0.3
    return int(x0 - mx), int(y0 - my), int(x1 + mx), int(y1 + my * 0.5)


def panel_corner(size: tuple[int, int], panel: tuple[int, int],
                 boxes: Sequence[tuple[int, int, int, int]]) -> tuple[int, int]:
    """Top-left (x, y) of the numbers' panel: the corner where it covers the least of
    any face (top corners first, then bottom; ties keep that order)."""
    w, h = size
    bw, bh = panel

    def covered(x: int, y: int) -> int:
        return sum(max(0, min(x + bw, b[2]) - max(x, b[0]))
                   * max(0, min(y + bh, b[3]) - max(y, b[1])) for b in boxes)

    corners = [(0, 0), (w - bw, 0), (0, h - bh), (w - bw, h - bh)]
    return min(corners, key=lambda c: covered(*c))


def summary_lines(m: Metrics) -> list[str]:
    """The key numbers, one short line each."""
    def f(v: float | None, fmt: str = "{:+.1f}") -> str:
        return "-" if v is None else fmt.format(v)

    def yn(v: bool | None) -> str:
        return "-" if v is None else ("yes" if v else "no")

    if m.faces == 0:
        return ["no face"]
    lines = [
        f"faces {m.faces}",
        f"yaw {f(m.yaw_deg)}  pitch {f(m.pitch_deg)}  roll {f(m.roll_deg)}",
        f"shoulders turn {f(m.shoulder_turn_deg)}  tilt {f(m.shoulder_tilt_deg)}",
        f"smile {f(m.smile, '{:.2f}')} ({yn(m.smiling)})  teeth {yn(m.teeth_visible)}"
        f"  mouth open {yn(m.mouth_open)}",
        f"eyes L {f(m.eye_open_left, '{:.2f}')} R {f(m.eye_open_right, '{:.2f}')}"
        f"  closed {yn(m.eyes_closed)}  at camera {yn(m.looking_at_camera)}",
        f"head {f(m.head_height, '{:.2f}')}  eye line {f(m.eye_line, '{:.2f}')}"
        f"  headroom {f(m.headroom, '{:.2f}')}  eyes {f(m.eye_distance_px, '{:.0f}')} px",
        f"sharpness {f(m.sharpness, '{:.0f}')}  exposure {f(m.exposure, '{:.2f}')}"
        f"  balance {f(m.light_balance, '{:+.2f}')}",
    ]
    return lines


def _pt(p: np.ndarray) -> tuple[int, int]:
    return int(round(float(p[0]))), int(round(float(p[1])))


def _mesh(img: np.ndarray, px: np.ndarray, colour: tuple[int, int, int], thick: int) -> None:
    for a, b in _CONTOURS:
        if a < len(px) and b < len(px):
            cv2.line(img, _pt(px[a]), _pt(px[b]), colour, thick, cv2.LINE_AA)
    step = 1 if len(_CONTOURS) == 0 else 3  # sparse dots over the mesh
    for p in px[:468:step]:
        cv2.circle(img, _pt(p), max(thick // 2, 1), colour, -1)
    for iris in (g.LEFT_IRIS, g.RIGHT_IRIS):
        if iris < len(px):
            cv2.circle(img, _pt(px[iris]), 2 * thick, _IRIS, -1, cv2.LINE_AA)


def _axes(img: np.ndarray, px: np.ndarray, unit: float, thick: int) -> None:
    """Head axes from the nose tip: the fitted rotation, drawn orthographically."""
    r = g.head_rotation_from_landmarks(px)
    if r is None:
        return
    size = float(np.linalg.norm(px[g.CHIN, :2] - px[g.FOREHEAD, :2])) * 0.6
    o = px[g.NOSE_TIP, :2]
    for k in range(3):
        d = np.array([r[0, k], -r[1, k]]) * size
        cv2.arrowedLine(img, _pt(o), _pt(o + d), _AXES[k], 2 * thick, cv2.LINE_AA,
                        tipLength=0.15)


def _dashed_hline(img: np.ndarray, y: float, colour: tuple[int, int, int], thick: int,
                  dash: int) -> None:
    w = img.shape[1]
    yy = int(round(y))
    for x in range(0, w, 2 * dash):
        cv2.line(img, (x, yy), (min(x + dash, w - 1), yy), colour, thick, cv2.LINE_AA)


def _guides(img: np.ndarray, m: Metrics, unit: float, thick: int) -> None:
    """Thirds, the eye line, the head's extent and the frame centre."""
    h, w = img.shape[:2]
    dash = max(int(8 * unit), 4)
    overlay = img.copy()
    for k in (1, 2):
        cv2.line(overlay, (0, h * k // 3), (w, h * k // 3), _GUIDE, thick)
        cv2.line(overlay, (w * k // 3, 0), (w * k // 3, h), _GUIDE, thick)
    cv2.addWeighted(overlay, 0.35, img, 0.65, 0, dst=img)
    if m.faces == 0 or m.eye_line is None:
        return
    _dashed_hline(img, m.eye_line * h, (255, 220, 0), thick, dash)
    if m.headroom is not None and m.head_height is not None and m.face_center_x is not None:
        top = m.headroom * h
        bottom = top + m.head_height * h
        cx = (m.face_center_x + 0.5) * w
        half = m.head_height * h * 0.38
        cv2.rectangle(img, _pt(np.array([cx - half, top])), _pt(np.array([cx + half, bottom])),
                      (255, 220, 0), thick, cv2.LINE_AA)
        cv2.line(img, (int(cx), int(top)), (int(cx), int(bottom)), (255, 220, 0), thick)


def _text_block(img: np.ndarray, lines: Sequence[str], unit: float,
                boxes: Sequence[tuple[int, int, int, int]] = ()) -> None:
    """The numbers in a darkened box in the corner that covers no face (or the least)."""
    if not lines:
        return
    font = cv2.FONT_HERSHEY_SIMPLEX
    scale = 0.45 * unit
    th = max(int(round(unit)), 1)
    sizes = [cv2.getTextSize(s, font, scale, th)[0] for s in lines]
    line_h = max(s[1] for s in sizes) + int(8 * unit)
    bw = max(s[0] for s in sizes) + int(12 * unit)
    bh = line_h * len(lines) + int(8 * unit)
    bw, bh = min(bw, img.shape[1]), min(bh, img.shape[0])
    x0, y0 = panel_corner((img.shape[1], img.shape[0]), (bw, bh), boxes)
    region = img[y0:y0 + bh, x0:x0 + bw]
    region[:] = (region * 0.4).astype(np.uint8)
    for i, s in enumerate(lines):
        y = y0 + int(6 * unit) + line_h * (i + 1) - int(4 * unit)
        cv2.putText(img, s, (x0 + int(6 * unit), y), font, scale, _TEXT, th, cv2.LINE_AA)
