"""Angles and ratios from landmarks: small pure numpy functions, no models.

Conventions (the project's, see :mod:`coaching.metrics`): degrees; the UNMIRRORED frame;
yaw > 0 = the sitter turns their head to their own left (face toward image right);
pitch > 0 = chin up; roll > 0 = head tilted toward the sitter's left shoulder
(clockwise in the image); shoulder turn > 0 = body turned toward the sitter's left.

Head pose (:func:`head_pose`) is a weak-perspective fit of MediaPipe's canonical face
to the 2D landmarks of the rigid part of the face (above the upper lip, without brows
and eyelids, which move with expression). Why not the facial transformation matrix
(GUIDE §3)? Measured here: its rotation depends on where the face sits in the frame
(the same face padded to the frame's edge reads up to 30 deg different) and the
line-of-sight correction over-corrects it (the matrix carries only ~35-50 % of the
off-axis angle); the network's depth (z) is also the noisiest coordinate. The 2D fit
reads what the image shows: a face looking into the lens reads 0 wherever it is (a
pinhole camera sees an off-axis face along its ray, i.e. head-on), the same face padded
or cropped reads the same, and on GENKI-4K it agrees better with the labels (see
``benchmarks/accuracy.py``). :func:`head_angles` (the matrix formulas) stays for
comparison.

Rotation convention: R = Rz(-roll) . Ry(yaw) . Rx(-pitch) (camera axes: x image right,
y up, z toward the viewer): the tilt is the in-image rotation, applied last, so roll is
exactly the tilt of the eye line in the picture and yaw/pitch are the turn and nod of
the head once that tilt is undone.
"""

from __future__ import annotations

import math

import numpy as np

# Eye landmarks (GUIDE §3): outer corner, two upper lid, inner corner, two lower lid.
RIGHT_EYE = (33, 160, 158, 133, 153, 144)  # the sitter's right eye (image left)
LEFT_EYE = (263, 387, 385, 362, 380, 373)  # the sitter's left eye (image right)
RIGHT_IRIS = 468
LEFT_IRIS = 473
CHIN = 152
NOSE_TIP = 1
FOREHEAD = 10
MOUTH_LEFT = 291  # the sitter's left mouth corner (image right)
MOUTH_RIGHT = 61
UPPER_LIP_INNER = 13
LOWER_LIP_INNER = 14
UPPER_LIP_OUTER = 0
LOWER_LIP_OUTER = 17
# Inner lip contour (for the mouth opening and the teeth).
INNER_LIPS = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308,
              324, 318, 402, 317, 14, 87, 178, 88, 95)
# Pose landmarks.
POSE_LEFT_SHOULDER = 11
POSE_RIGHT_SHOULDER = 12


# --------------------------------------------------------------------------- rotations


def rot_x(a: float) -> np.ndarray:
    c, s = math.cos(a), math.sin(a)
    return np.array([[1, 0, 0], [0, c, -s], [0, s, c]], dtype=np.float64)


def rot_y(a: float) -> np.ndarray:
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]], dtype=np.float64)


def rot_z(a: float) -> np.ndarray:
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]], dtype=np.float64)


def head_rotation(yaw_deg: float, pitch_deg: float, roll_deg: float) -> np.ndarray:
    """The face rotation (relative to the line of sight) for angles in our convention."""
    return (rot_z(-math.radians(roll_deg)) @ rot_y(math.radians(yaw_deg))
            @ rot_x(-math.radians(pitch_deg)))


def angles_from_rotation(r: np.ndarray) -> tuple[float, float, float]:
    """Inverse of :func:`head_rotation`: (yaw, pitch, roll) in degrees."""
    roll = math.atan2(-r[1, 0], r[0, 0])
    rp = rot_z(roll) @ r
    yaw = math.atan2(rp[0, 2], rp[2, 2])
    pitch = math.asin(float(np.clip(rp[1, 2], -1.0, 1.0)))
    return math.degrees(yaw), math.degrees(pitch), math.degrees(roll)


def look_at_frame(t: np.ndarray) -> np.ndarray:
    """Rotation whose columns are the axes of a camera aimed straight at the point ``t``
    (Z from ``t`` toward the origin, X kept horizontal): identity for a centred face."""
    z = -np.asarray(t, dtype=np.float64)
    n = np.linalg.norm(z)
    if not np.isfinite(n) or n < 1e-9:
        return np.eye(3)
    z = z / n
    x = np.cross((0.0, 1.0, 0.0), z)
    nx = np.linalg.norm(x)
    if nx < 1e-9:  # straight above or below: any horizontal X will do
        return np.eye(3)
    x /= nx
    y = np.cross(z, x)
    return np.stack([x, y, z], axis=1)


def head_angles(matrix: np.ndarray, *, correct_line_of_sight: bool = True
                ) -> tuple[float, float, float]:
    """(yaw, pitch, roll) degrees from a facial transformation matrix (4x4)."""
    m = np.asarray(matrix, dtype=np.float64)
    r = m[:3, :3] / np.linalg.norm(m[:3, :3], axis=0)  # columns may carry a scale
    if correct_line_of_sight:
        r = look_at_frame(m[:3, 3]).T @ r
    return angles_from_rotation(r)


def transformation_matrix(yaw_deg: float, pitch_deg: float, roll_deg: float,
                          t: tuple[float, float, float] = (0.0, 0.0, -40.0)) -> np.ndarray:
    """A MediaPipe-style 4x4 matrix for a face at ``t`` (cm) with the given angles relative
    to its line of sight: the inverse of :func:`head_angles` (for tests and docs)."""
    m = np.eye(4)
    m[:3, :3] = look_at_frame(np.asarray(t)) @ head_rotation(yaw_deg, pitch_deg, roll_deg)
    m[:3, 3] = t
    return m


# --------------------------------------------------------------------------- head pose

# Rigid face points of MediaPipe's canonical face model (Apache-2.0; read from the
# geometry metadata inside face_landmarker.task): (landmark, its mirror partner or -1 on
# the midline, x, y, z) in cm, x toward the sitter's left, y up, z out of the nose.
# Every third point above the upper lip, without eyebrows and eyelids, kept symmetric.
_RIGID = (
    (1, -1, 0.000, -1.127, 7.476), (5, -1, 0.000, 0.366, 7.243),
    (9, -1, 0.000, 4.886, 5.385), (94, -1, 0.000, -1.724, 6.601),
    (195, -1, 0.000, 1.059, 6.775), (248, 3, 0.464, 0.955, 6.634),
    (251, 21, 7.088, 5.435, 0.100), (254, 24, 3.775, 2.039, 3.646),
    (258, 28, 2.674, 3.205, 4.092), (260, 30, 4.161, 3.059, 3.720),
    (261, 31, 5.062, 1.934, 2.776), (266, 36, 2.845, -0.721, 4.433),
    (275, 45, 0.496, -0.476, 7.440), (279, 49, 1.651, -0.611, 5.581),
    (290, 60, 0.730, -1.594, 5.833), (299, 69, 3.064, 6.566, 4.530),
    (326, 97, 0.597, -2.014, 5.866), (327, 98, 1.406, -1.714, 5.241),
    (329, 100, 2.342, 0.572, 4.294), (332, 103, 5.133, 7.486, 2.660),
    (339, 110, 4.196, 2.235, 3.375), (347, 118, 4.432, 0.722, 3.523),
    (348, 119, 3.301, 0.862, 3.873), (350, 121, 1.821, 1.468, 4.224),
    (351, 122, 0.563, 2.308, 5.567), (354, 125, 0.243, -1.463, 7.071),
    (356, 127, 7.743, 2.365, -2.005), (357, 128, 1.391, 1.851, 4.449),
    (358, 129, 1.786, -0.978, 4.850), (359, 130, 4.671, 2.664, 3.084),
    (368, 139, 6.847, 3.663, 0.725), (383, 156, 6.130, 3.399, 2.039),
    (392, 166, 1.222, -1.182, 5.952), (399, 174, 0.901, 1.237, 5.754),
    (401, 177, 6.954, -2.440, -0.131), (413, 189, 1.314, 3.105, 4.231),
    (419, 196, 0.517, 1.584, 6.148), (420, 198, 1.247, 0.230, 5.681),
    (425, 205, 3.833, -1.537, 4.138), (429, 209, 1.542, -0.137, 5.201),
    (438, 218, 1.126, -0.934, 6.539), (443, 223, 3.388, 3.722, 4.309),
    (458, 238, 0.460, -1.334, 6.787), (459, 239, 0.749, -1.068, 6.798),
    (464, 244, 1.256, 2.467, 4.204),
)


def _rigid_model() -> tuple[np.ndarray, np.ndarray]:
    idx, xyz = [], []
    for i, j, x, y, z in _RIGID:
        idx.append(i)
        xyz.append((x, y, z))
        if j >= 0:
            idx.append(j)
            xyz.append((-x, y, z))
    pts = np.array(xyz, dtype=np.float64)
    return np.array(idx), pts - pts.mean(axis=0)


RIGID_IDX, RIGID_XYZ = _rigid_model()
_RIGID_PINV = np.linalg.pinv(RIGID_XYZ)  # (3, N): least squares against the model


def head_rotation_from_landmarks(px: np.ndarray) -> np.ndarray | None:
    """Rotation of the face from 2D landmarks (pixels, image y down): the weak-perspective
    camera that best maps the rigid model points onto them, made orthonormal."""
    p = px[RIGID_IDX, :2].astype(np.float64)
    p = p - p.mean(axis=0)
    p[:, 1] = -p[:, 1]  # y up
    a = (_RIGID_PINV @ p).T  # (2, 3): scaled first two rows of R
    if not np.all(np.isfinite(a)):
        return None
    u, sv, vt = np.linalg.svd(a, full_matrices=False)
    if sv[-1] < 1e-9:
        return None
    rows = u @ vt  # nearest 2x3 with orthonormal rows
    return np.vstack([rows, np.cross(rows[0], rows[1])])


def eye_line_roll_deg(px: np.ndarray) -> float:
    """Tilt of the line through the outer eye corners, clockwise in the image > 0."""
    d = px[LEFT_EYE[0], :2] - px[RIGHT_EYE[0], :2]
    return math.degrees(math.atan2(d[1], d[0]))


def head_pose(px: np.ndarray) -> tuple[float, float, float] | None:
    """(yaw, pitch, roll) degrees from pixel landmarks (see the module docstring); roll is
    the eye-line tilt. None if the points are degenerate."""
    r = head_rotation_from_landmarks(px)
    if r is None:
        return None
    yaw, pitch, _ = angles_from_rotation(r)
    return yaw, pitch, eye_line_roll_deg(px)


def project_landmarks(r: np.ndarray, width: int, height: int, *, scale: float = 20.0,
                      center: tuple[float, float] = (0.5, 0.5)) -> np.ndarray:
    """Normalised landmarks (478, 3) of the canonical rigid points under rotation ``r``,
    seen by an orthographic camera (for tests: the inverse of :func:`head_pose`). Points
    that are not in the rigid model sit at the centre, except the eye corners."""
    out = np.zeros((478, 3))
    out[:, 0], out[:, 1] = center
    pts = {int(i): RIGID_XYZ[k] for k, i in enumerate(RIGID_IDX)}
    # outer eye corners of the canonical face (for the roll)
    pts[RIGHT_EYE[0]] = np.array([-4.446, 2.664, 3.173])
    pts[LEFT_EYE[0]] = np.array([4.446, 2.664, 3.173])
    for i, v in pts.items():
        c = r @ v
        out[i] = (center[0] + c[0] * scale / width, center[1] - c[1] * scale / height,
                  -c[2] * scale / width)
    return out


# --------------------------------------------------------------------------- body


def shoulder_turn_deg(world: np.ndarray) -> float:
    """Body turn from pose world landmarks (metres; x right, z away from the camera):
    d = left shoulder - right shoulder; turn = atan2(d.z, d.x). > 0 = turned toward the
    sitter's left (their left shoulder further from the camera)."""
    d = world[POSE_LEFT_SHOULDER] - world[POSE_RIGHT_SHOULDER]
    return math.degrees(math.atan2(d[2], d[0]))


def shoulder_tilt_deg(left_px: np.ndarray, right_px: np.ndarray) -> float:
    """Shoulder line angle in the image (pixels, y down): > 0 = the sitter's left
    shoulder (image right) higher."""
    dx = left_px[0] - right_px[0]
    dy = right_px[1] - left_px[1]
    if dx < 0:  # turned past side-on; keep the angle in -90..90
        dx, dy = -dx, -dy
    return math.degrees(math.atan2(dy, dx))


# --------------------------------------------------------------------------- face shape


def eye_aspect_ratio(px: np.ndarray, eye: tuple[int, ...]) -> float:
    """(|p2-p6| + |p3-p5|) / (2 |p1-p4|) on pixel landmarks: ~0.3 open, ~0.05 shut."""
    p = px[list(eye), :2]
    width = np.linalg.norm(p[0] - p[3])
    if width < 1e-6:
        return 0.0
    return float((np.linalg.norm(p[1] - p[5]) + np.linalg.norm(p[2] - p[4])) / (2 * width))


def lip_gap(px: np.ndarray) -> float | None:
    """Inner-lip gap over mouth width (pixel landmarks): ~0 closed, 0.1+ apart;
    ``None`` for a degenerate mouth."""
    width = float(np.linalg.norm(px[MOUTH_LEFT, :2] - px[MOUTH_RIGHT, :2]))
    if width < 1e-6:
        return None
    return float(np.linalg.norm(px[UPPER_LIP_INNER, :2] - px[LOWER_LIP_INNER, :2])) / width


def iris_offset(px: np.ndarray, eye: tuple[int, ...], iris: int) -> tuple[float, float]:
    """Iris centre relative to the middle of the eye corners, in eye widths:
    x > 0 = toward image right, y > 0 = up. Measured along the eye's own axis, so a
    tilted head does not read as a sideways glance."""
    outer, inner = px[eye[0], :2], px[eye[3], :2]
    axis = inner - outer
    width = float(np.linalg.norm(axis))
    if width < 1e-6:
        return 0.0, 0.0
    ux = axis / width
    if ux[0] < 0:  # always point toward image right
        ux = -ux
    uy = np.array([ux[1], -ux[0]])  # perpendicular, pointing up in the image (y down)
    v = px[iris, :2] - (outer + inner) / 2
    return float(v @ ux / width), float(v @ uy / width)
