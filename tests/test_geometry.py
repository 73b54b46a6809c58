"""Geometry on synthetic inputs with known answers (no models): canonical face points
rotated by known yaw/pitch/roll, shoulders by known turns, recovered within 0.5 deg."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coaching import geometry as g
from coaching.landmarks import FaceObservation, Observation, PoseObservation
from coaching.metrics import Metrics, compute_metrics
from coaching.settings import AnalysisSettings

ANGLES = [(0, 0, 0), (20, 0, 0), (-20, 0, 0), (0, 15, 0), (0, -15, 0), (0, 0, 10),
          (0, 0, -10), (25, -10, 5), (-35, 15, -12), (10, 25, 8), (-50, -20, 15),
          (60, 5, -20)]


def _face_px(yaw: float, pitch: float, roll: float, w: int = 640, h: int = 480) -> np.ndarray:
    lm = g.project_landmarks(g.head_rotation(yaw, pitch, roll), w, h)
    return lm * (w, h, w)


@pytest.mark.parametrize(("yaw", "pitch", "roll"), ANGLES)
def test_head_pose_recovers_known_angles(yaw: float, pitch: float, roll: float) -> None:
    got = g.head_pose(_face_px(yaw, pitch, roll))
    assert got is not None
    assert got == pytest.approx((yaw, pitch, roll), abs=0.5)


@pytest.mark.parametrize(("yaw", "pitch", "roll"), ANGLES)
def test_rotation_round_trip(yaw: float, pitch: float, roll: float) -> None:
    assert g.angles_from_rotation(g.head_rotation(yaw, pitch, roll)) == pytest.approx(
        (yaw, pitch, roll), abs=1e-6)


def test_signs_match_the_convention() -> None:
    # Turned to the sitter's own left = the nose moves toward image right.
    r = g.head_rotation(20, 0, 0)
    assert r[0, 2] > 0
    # Chin up = the nose points up (y up in camera coordinates).
    assert g.head_rotation(0, 15, 0)[1, 2] > 0
    # Tilt toward the sitter's left shoulder = clockwise in the image: the sitter's left
    # outer eye corner (image right) goes down (larger image y).
    px = _face_px(0, 0, 10)
    assert px[g.LEFT_EYE[0], 1] > px[g.RIGHT_EYE[0], 1]


def test_pose_is_independent_of_position_and_scale() -> None:
    r = g.head_rotation(15, -8, 4)
    a = g.project_landmarks(r, 640, 480, scale=20, center=(0.5, 0.5)) * (640, 480, 640)
    b = g.project_landmarks(r, 640, 480, scale=6, center=(0.15, 0.2)) * (640, 480, 640)
    assert g.head_pose(a) == pytest.approx(g.head_pose(b), abs=1e-6)


def test_off_centre_face_looking_into_the_lens_reads_zero() -> None:
    """A pinhole camera sees an off-axis face that looks at it along its ray: the fit
    must read ~0 wherever it is (the reason for fitting appearance, not the matrix)."""
    f = 500.0  # px; 640x480 frame, ~65 deg wide: a webcam at arm's length
    w, h = 640, 480
    # up to ~12 deg off the axis (a face on the thirds lines of a headshot frame); in the
    # frame's corners perspective tilts the eye line by a few degrees (not corrected).
    for t in ((0.0, 0.0, -60.0), (0.0, 12.0, -60.0), (12.0, 0.0, -60.0),
              (-9.0, -8.0, -55.0)):
        rot = g.look_at_frame(np.array(t))  # faces the camera
        lm = np.zeros((478, 3))
        lm[:, 0], lm[:, 1] = 0.5, 0.5
        pts = {int(i): g.RIGID_XYZ[k] for k, i in enumerate(g.RIGID_IDX)}
        pts[g.RIGHT_EYE[0]] = np.array([-4.446, 2.664, 3.173])
        pts[g.LEFT_EYE[0]] = np.array([4.446, 2.664, 3.173])
        for i, v in pts.items():
            c = rot @ v + np.array(t)
            lm[i] = (w / 2 + f * c[0] / -c[2], h / 2 - f * c[1] / -c[2], 0.0)
        yaw, pitch, roll = g.head_pose(lm)
        assert abs(yaw) < 1.5 and abs(pitch) < 1.5 and abs(roll) < 1.0, (t, yaw, pitch, roll)


@pytest.mark.parametrize(("yaw", "pitch", "roll"), [(0, 0, 0), (20, -10, 5), (-30, 12, -8)])
@pytest.mark.parametrize("t", [(0.0, 0.0, -40.0), (12.0, -9.0, -45.0)])
def test_matrix_formulas_recover_angles(yaw: float, pitch: float, roll: float,
                                        t: tuple[float, float, float]) -> None:
    """GUIDE §3's matrix formulas (kept for comparison) on a synthetic matrix."""
    m = g.transformation_matrix(yaw, pitch, roll, t)
    assert g.head_angles(m) == pytest.approx((yaw, pitch, roll), abs=0.5)


def _world_shoulders(turn_deg: float, tilt_deg: float = 0.0) -> np.ndarray:
    """Pose world landmarks with shoulders 36 cm apart turned by ``turn_deg`` (> 0 =
    toward the sitter's left: their left shoulder further from the camera)."""
    world = np.zeros((33, 3))
    a = math.radians(turn_deg)
    half = 0.18
    world[g.POSE_LEFT_SHOULDER] = (half * math.cos(a), -0.45, half * math.sin(a))
    world[g.POSE_RIGHT_SHOULDER] = (-half * math.cos(a), -0.45, -half * math.sin(a))
    return world


@pytest.mark.parametrize("turn", [-40, -25, -10, 0, 5, 15, 30, 45])
def test_shoulder_turn_recovered(turn: float) -> None:
    assert g.shoulder_turn_deg(_world_shoulders(turn)) == pytest.approx(turn, abs=0.5)


@pytest.mark.parametrize("tilt", [-12, -5, 0, 4, 9])
def test_shoulder_tilt_recovered_and_signed(tilt: float) -> None:
    a = math.radians(tilt)
    right = np.array([200.0, 400.0])
    left = right + 300 * np.array([math.cos(a), -math.sin(a)])  # y down: higher = smaller y
    assert g.shoulder_tilt_deg(left, right) == pytest.approx(tilt, abs=0.5)


# ----------------------------------------------------------------------- compute_metrics


def _observation(yaw: float = 10, pitch: float = -5, roll: float = 3, turn: float | None = 20,
                 vis: float = 0.95, shoulder_y: float = 0.85) -> Observation:
    w, h = 640, 480
    lm = g.project_landmarks(g.head_rotation(yaw, pitch, roll), w, h, scale=12,
                             center=(0.5, 0.35))
    # eyes, irises, chin and mouth where a face has them (for the framing numbers)
    for idx, (x, y) in {g.RIGHT_IRIS: (-3.2, 2.6), g.LEFT_IRIS: (3.2, 2.6),
                        g.CHIN: (0.0, -9.4), 61: (-2.5, -4.3), 291: (2.5, -4.3),
                        13: (0, -4.2), 14: (0, -4.4)}.items():
        lm[idx, 0] = 0.5 + x * 12 / w
        lm[idx, 1] = 0.35 - y * 12 / h
    face = FaceObservation(lm, {"mouthSmileLeft": 0.6, "mouthSmileRight": 0.4,
                                "eyeBlinkLeft": 0.05, "eyeBlinkRight": 0.1}, None)
    pose = None
    if turn is not None:
        pl = np.zeros((33, 5))
        pl[:, 3:] = vis
        pl[0, :2] = (0.5, 0.35)  # nose on the face
        pl[g.POSE_LEFT_SHOULDER, :2] = (0.75, shoulder_y)
        pl[g.POSE_RIGHT_SHOULDER, :2] = (0.25, shoulder_y)
        pose = PoseObservation(pl, _world_shoulders(turn))
    return Observation([face], pose, w, h)


def test_compute_metrics_angles_and_offsets() -> None:
    s = AnalysisSettings(yaw_offset_deg=0.0, pitch_offset_deg=0.0, roll_offset_deg=0.0,
                         shoulder_turn_offset_deg=0.0)
    m = compute_metrics(_observation(), None, s)
    assert (m.yaw_deg, m.pitch_deg, m.roll_deg) == pytest.approx((10, -5, 3), abs=0.5)
    assert m.shoulder_turn_deg == pytest.approx(20, abs=0.5)
    assert m.shoulder_tilt_deg == pytest.approx(0, abs=0.5)
    s2 = s.model_copy(update={"yaw_offset_deg": 1.0, "pitch_offset_deg": 2.0,
                              "roll_offset_deg": -1.0, "shoulder_turn_offset_deg": -3.0})
    m2 = compute_metrics(_observation(), None, s2)
    assert m2.yaw_deg == pytest.approx(m.yaw_deg + 1.0)
    assert m2.pitch_deg == pytest.approx(m.pitch_deg + 2.0)
    assert m2.roll_deg == pytest.approx(m.roll_deg - 1.0)
    assert m2.shoulder_turn_deg == pytest.approx(m.shoulder_turn_deg - 3.0)


def test_compute_metrics_expression_and_framing() -> None:
    m = compute_metrics(_observation(), None, AnalysisSettings())
    assert m.faces == 1
    assert m.smile == pytest.approx(0.5)
    assert m.smiling is True
    assert m.blink == pytest.approx(0.075)
    assert m.teeth_visible is None  # needs pixels
    # eyes 2 x (eye midpoint to chin = 12 cm x 12 px/cm) over 480 px
    assert m.head_height == pytest.approx(2 * 12.0 * 12 / 480, abs=0.01)
    assert m.eye_line == pytest.approx(0.35 - 2.6 * 12 / 480, abs=0.005)
    assert m.headroom == pytest.approx(m.eye_line - m.head_height / 2, abs=0.005)
    assert m.eye_distance_px == pytest.approx(6.4 * 12, abs=0.5)


def test_shoulders_unknown_when_unreliable() -> None:
    s = AnalysisSettings()
    assert compute_metrics(_observation(vis=0.3), None, s).shoulder_turn_deg is None
    assert compute_metrics(_observation(shoulder_y=1.2), None, s).shoulder_turn_deg is None
    assert compute_metrics(_observation(turn=None), None, s).shoulder_tilt_deg is None


def test_no_face_gives_null_metrics() -> None:
    m = compute_metrics(Observation([], None, 640, 480), np.zeros((480, 640, 3), np.uint8),
                        AnalysisSettings())
    assert m == Metrics(faces=0)
    assert all(v is None for k, v in m.to_dict().items() if k != "faces")


def test_eye_aspect_ratio_and_iris_offset() -> None:
    px = np.zeros((478, 3))
    # sitter's right eye (image left): corners 30 px apart, lids 9 px apart
    for i, (x, y) in zip(g.RIGHT_EYE, [(100, 100), (110, 95), (120, 95), (130, 100),
                                       (120, 104), (110, 104)], strict=True):
        px[i, :2] = (x, y)
    assert g.eye_aspect_ratio(px, g.RIGHT_EYE) == pytest.approx(9 / 30)
    px[g.RIGHT_IRIS, :2] = (118, 97)  # 3 px right of centre, 3 px up
    gx, gy = g.iris_offset(px, g.RIGHT_EYE, g.RIGHT_IRIS)
    assert gx == pytest.approx(0.1) and gy == pytest.approx(0.1)
