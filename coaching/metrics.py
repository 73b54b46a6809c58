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
(no face, shoulders not reliably seen, ...). "Left"/"right" in a name mean the
sitter's own side (``eye_open_left`` = the sitter's left eye, image right).

How each number is made (:func:`compute_metrics`; constants in ``analysis:``):

- head angles: a weak-perspective fit of MediaPipe's canonical face to the rigid
  landmarks, read relative to the line of sight (so position in the frame does not
  matter); roll = tilt of the outer-eye-corner line in the image
  (:func:`coaching.geometry.head_pose`); plus the calibrated ``*_offset_deg``.
- shoulders: pose landmarks 11/12; turn from the world (metric) landmarks, tilt
  from the image; ``None`` unless both shoulders are visible
  (``shoulder_min_visibility``), inside the frame and belong to the main face.
- ``smile`` = mean of the mouthSmileLeft/Right blendshapes (the intensity preset
  ranges use); ``smile_probability`` = the logistic smile model of
  :mod:`coaching.smile` (mouth blendshapes, corner lift, mouth width, teeth, lip gap,
  and the scores of HOG models of the mouth and eye patches) and ``smiling`` = that
  >= ``smile_probability_threshold`` (without pixels, or with ``smile_model: false``:
  smile >= ``smile_threshold``); ``mouth_open`` = inner-lip
  gap / mouth width > ``mouth_open_threshold``; ``teeth_visible`` = lips apart and enough bright,
  grey pixels between them (``teeth_threshold``).
- eye openness (0 shut .. 1 normally open) = a blend of the eye aspect ratio
  (corrected for the head turn, scaled between ``eye_ear_closed`` and
  ``eye_ear_open``) and 1 - the eyeBlink blendshape (``eye_ear_weight``);
  closure = 1 - mean openness; its margin = closure minus ``eyes_closed_threshold``,
  a threshold that rises for eyes under ``eyes_small_px`` wide
  (:func:`eyes_closed_threshold`). ``eyes_closed`` = the eye model of
  :mod:`coaching.eyes` (the pixels of each eye plus that margin) says shut; without
  pixels, or with ``eye_model: false``: margin > 0.
- gaze: iris centre (468/473) relative to the middle of the eye corners, in eye
  widths (x > 0 toward image right, y > 0 up; minus ``gaze_y_offset``, where the
  iris of an eye looking straight ahead sits); ``looking_at_camera`` = head angle
  plus eye-in-head angle (an eyeball of radius 0.4 eye widths) within
  ``gaze_tolerance_deg`` sideways and 1.5 x that up/down.
- framing: head height = 2 x (eye midpoint to chin) / frame height; eye line and
  headroom (the top of the head, estimated one eye-to-chin distance above the eyes)
  from the top as fractions of the height; ``face_center_x`` -0.5..0.5 of the
  width; inter-eye (iris centre) distance in pixels; for deliverable framing the
  crown (chin + 1.40 x (forehead point - chin), :mod:`coaching.head_geometry`) and chin
  lines, the face width and the frame's pixel size.
- quality on a 128 px grey crop of the face: Laplacian variance (sharpness),
  mean luminance 0..1, clipped fractions, left/right balance (image sides).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

import cv2
import numpy as np

from coaching import geometry as g
from coaching.eyes import eye_patch_features, load_eye_model
from coaching.head_geometry import mesh_crown_y
from coaching.observations import FaceObservation, Observation, PoseObservation
from coaching.settings import AnalysisSettings
from coaching.sitter import SitterChoice, choose_sitter, presence_hint
from coaching.smile import load_smile_model, mouth_patch_features, smile_features


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
    # p(smiling) from the smile model (coaching/smile.py); None without pixels.
    smile_probability: float | None = None
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
    # (x > 0 = toward image right, y > 0 = up), and whether that reads as "into the lens".
    gaze_x: float | None = None
    gaze_y: float | None = None
    looking_at_camera: bool | None = None
    # Framing (fractions of frame height / width).
    head_height: float | None = None
    eye_line: float | None = None
    face_center_x: float | None = None  # -0.5 (image left edge) .. +0.5 (right edge)
    headroom: float | None = None  # top of head to frame top; < 0 = cut off
    eye_distance_px: float | None = None
    # The head for deliverable framing (coaching/head_geometry.py): crown (mesh ratio)
    # and chin from the top / height, face-mesh width / width, the frame's pixel size.
    crown_line: float | None = None
    chin_line: float | None = None
    face_width: float | None = None
    frame_width_px: int | None = None
    frame_height_px: int | None = None
    # Image quality on the face.
    sharpness: float | None = None  # variance of the Laplacian on the face, grey 0..255
    exposure: float | None = None  # mean luminance on the face, 0..1
    clipped_dark: float | None = None  # fraction of face pixels <= 5
    clipped_bright: float | None = None  # fraction of face pixels >= 250
    light_balance: float | None = None  # (right - left) / (right + left) luminance, image sides
    # Faces much smaller than the sitter's (further back): not in ``faces``, not coached
    # (coaching/sitter.py); the near ones are close to the sitter's head.
    bystanders: int | None = None
    bystanders_near: int | None = None
    # No face measured, yet someone seems there: "turn" (a body, face unseen), "closer"
    # (a far body), "light" (too dark to tell); None = nobody (or a face was measured).
    presence: str | None = None

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


# Eyeball radius over eye (corner-to-corner) width: turns an iris offset in eye widths
# into an eye rotation (asin(offset * this)); ~12 mm over ~30 mm.
_EYE_WIDTH_OVER_RADIUS = 2.5
_QUALITY_SIZE = 128
# Lips closer than this (inner gap / mouth width) show no teeth worth the name; below it
# the inner-lip polygon is a sliver whose pixel statistics are noise (Yale neutral faces).
_TEETH_MIN_OPENING = 0.05
# Shoulder joints may sit this far (fraction of the frame) past the bottom or side edge
# and still count as seen: the joint is below the visible top of the shoulder, and a
# webcam head-and-shoulders frame cuts right there. Further out the pose model guesses
# (Yale's head crops: joints at 1.15 of the height with visibility 0.9).
_SHOULDER_EDGE = 0.05


def compute_metrics(obs: Observation, rgb: np.ndarray | None,
                    settings: AnalysisSettings, sitter: SitterChoice | None = None) -> Metrics:
    """Metrics of the sitter (and the body) in ``obs``. Pure: no state, no calibration
    (the coach applies the per-sitter baseline). ``rgb`` is the frame the observation
    came from (quality and teeth need pixels; ``None`` leaves them unknown). ``sitter``:
    who the sitter is (a stream's :class:`~coaching.sitter.SitterSelector`); default the
    largest, most central face. ``faces`` counts the sitter and faces about as large;
    much smaller ones are ``bystanders``."""
    m = Metrics(faces=len(obs.faces))
    if not obs.faces or obs.width <= 0 or obs.height <= 0:
        m.presence = presence_hint(obs.pose, rgb, obs.width, obs.height)
        return m
    w, h = obs.width, obs.height
    choice = sitter if sitter is not None else choose_sitter(obs.faces, w, h, obs.pose)
    face = obs.faces[choice.sitter or 0]
    m.faces = 1 + choice.peers
    m.bystanders, m.bystanders_near = choice.bystanders, choice.bystanders_near
    px = face.landmarks * (w, h, w)

    pose = g.head_pose(px)
    if pose is not None:
        yaw, pitch, roll = pose
        m.yaw_deg = yaw + settings.yaw_offset_deg
        m.pitch_deg = pitch + settings.pitch_offset_deg
        m.roll_deg = roll + settings.roll_offset_deg

    _shoulders(m, obs.pose, face, w, h, settings)
    # Each eye's pixels: read by the eye model and by the smile model (a real smile
    # squeezes the eyes).
    eye_hog = (eye_patch_features(rgb, px)
               if rgb is not None and (settings.eye_model or settings.smile_model) else None)
    _expression(m, face, px, rgb, eye_hog, settings)
    _eyes(m, face, px, eye_hog, settings)
    _gaze(m, px, settings)
    _framing(m, px, w, h)
    if rgb is not None:
        _quality(m, px, rgb)
    return m


def _shoulders(m: Metrics, pose: PoseObservation | None, face: FaceObservation,
               w: int, h: int, s: AnalysisSettings) -> None:
    if pose is None:
        return
    lm = pose.landmarks
    sh = lm[[g.POSE_LEFT_SHOULDER, g.POSE_RIGHT_SHOULDER]]
    if np.min(sh[:, 3]) < s.shoulder_min_visibility or np.min(sh[:, 4]) < s.shoulder_min_visibility:
        return
    if (np.any(sh[:, 0] < -_SHOULDER_EDGE) or np.any(sh[:, 0] > 1 + _SHOULDER_EDGE)
            or np.any(sh[:, 1] < 0) or np.any(sh[:, 1] > 1 + _SHOULDER_EDGE)):
        return  # the model guesses shoulders outside the frame: not seen
    # The body must be the main face's: its nose inside (a margin around) that face.
    x0, y0, x1, y1 = face.bbox(w, h)
    mx, my = 0.25 * (x1 - x0), 0.25 * (y1 - y0)
    nx, ny = lm[0, 0] * w, lm[0, 1] * h
    if not (x0 - mx <= nx <= x1 + mx and y0 - my <= ny <= y1 + my):
        return
    if np.all(np.isfinite(pose.world[[g.POSE_LEFT_SHOULDER, g.POSE_RIGHT_SHOULDER]])):
        m.shoulder_turn_deg = g.shoulder_turn_deg(pose.world) + s.shoulder_turn_offset_deg
    scale = np.array([w, h])
    m.shoulder_tilt_deg = g.shoulder_tilt_deg(sh[0, :2] * scale, sh[1, :2] * scale)


def _expression(m: Metrics, face: FaceObservation, px: np.ndarray, rgb: np.ndarray | None,
                eye_hog: np.ndarray | None, s: AnalysisSettings) -> None:
    bs = face.blendshapes
    if "mouthSmileLeft" in bs and "mouthSmileRight" in bs:
        m.smile = (bs["mouthSmileLeft"] + bs["mouthSmileRight"]) / 2
        m.smiling = m.smile >= s.smile_threshold
    opening = g.lip_gap(px)
    if opening is None:
        return
    m.mouth_open = opening > s.mouth_open_threshold
    if rgb is None:
        return
    teeth = teeth_fraction(px, rgb)
    m.teeth_visible = opening > _TEETH_MIN_OPENING and teeth > s.teeth_threshold
    if s.smile_model:
        x = smile_features(face, px, teeth, opening)
        if x is not None:
            patches = {"mouth_patch": mouth_patch_features(rgb, px),
                       "eye_patch": None if eye_hog is None else eye_hog.ravel()}
            m.smile_probability = load_smile_model().probability(x, patches)
            m.smiling = m.smile_probability >= s.smile_probability_threshold


def teeth_fraction(px: np.ndarray, rgb: np.ndarray) -> float:
    """Share of pixels between the inner lips that look like teeth: brighter than the
    lips around them and nearly grey."""
    poly = px[list(g.INNER_LIPS), :2]
    h, w = rgb.shape[:2]
    x0, y0 = np.floor(poly.min(axis=0)).astype(int)
    x1, y1 = np.ceil(poly.max(axis=0)).astype(int) + 1
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return 0.0
    crop = rgb[y0:y1, x0:x1]
    mask = np.zeros(crop.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(poly - (x0, y0)).astype(np.int32)], 1)
    inside = mask.astype(bool)
    if inside.sum() < 4:
        return 0.0
    hsv = cv2.cvtColor(crop, cv2.COLOR_RGB2HSV)
    sat = hsv[..., 1][inside].astype(np.float32)
    val = hsv[..., 2][inside].astype(np.float32)
    # Reference: the lips/skin just around the mouth (the crop outside the polygon).
    ref = hsv[..., 2][~inside]
    ref_v = float(np.median(ref)) if ref.size else float(np.median(val))
    teeth = (val > max(ref_v * 1.05, 60)) & (sat < 110)
    return float(teeth.mean())


def _eyes(m: Metrics, face: FaceObservation, px: np.ndarray, eye_hog: np.ndarray | None,
          s: AnalysisSettings) -> None:
    bs = face.blendshapes
    span = max(s.eye_ear_open - s.eye_ear_closed, 1e-3)
    opens = []
    blinks = []
    # A turned head foreshortens the eye's width, not its height: undo that.
    turn = math.cos(math.radians(min(abs(m.yaw_deg or 0.0), 60.0)))
    for eye, key in ((g.LEFT_EYE, "eyeBlinkLeft"), (g.RIGHT_EYE, "eyeBlinkRight")):
        ear = g.eye_aspect_ratio(px, eye) * turn
        o_ear = min(max((ear - s.eye_ear_closed) / span, 0.0), 1.0)
        if key in bs:
            blinks.append(bs[key])
            o = s.eye_ear_weight * o_ear + (1 - s.eye_ear_weight) * (1.0 - bs[key])
        else:
            o = o_ear
        opens.append(o)
    m.eye_open_left, m.eye_open_right = opens
    if blinks:
        m.blink = sum(blinks) / len(blinks)
    margin = 1.0 - (opens[0] + opens[1]) / 2 - eyes_closed_threshold(_eye_width(px), s)
    m.eyes_closed = margin > 0
    if eye_hog is not None and s.eye_model:
        model = load_eye_model()
        m.eyes_closed = model.closed_score(model.patch_score(eye_hog), margin) > 0


def _eye_width(px: np.ndarray) -> float:
    """Mean corner-to-corner width of the two eyes in image pixels."""
    return float((np.linalg.norm(px[g.LEFT_EYE[0], :2] - px[g.LEFT_EYE[3], :2])
                  + np.linalg.norm(px[g.RIGHT_EYE[0], :2] - px[g.RIGHT_EYE[3], :2])) / 2)


def eyes_closed_threshold(eye_width_px: float, s: AnalysisSettings) -> float:
    """Closure above which eyes read closed, for eyes this wide. A tiny eye's landmark fit
    drifts toward "closed" (blurred lids, few pixels), so below ``eyes_small_px`` more
    evidence is needed: the threshold rises linearly to ``eyes_closed_threshold_small``
    at half that width. Wider eyes (any webcam or DSLR headshot) use the plain one."""
    n = s.eyes_small_px
    if n <= 0 or eye_width_px >= n:
        return s.eyes_closed_threshold
    k = min((n - eye_width_px) / (n / 2), 1.0)
    return s.eyes_closed_threshold + k * (s.eyes_closed_threshold_small - s.eyes_closed_threshold)


def _gaze(m: Metrics, px: np.ndarray, s: AnalysisSettings) -> None:
    lx, ly = g.iris_offset(px, g.LEFT_EYE, g.LEFT_IRIS)
    rx, ry = g.iris_offset(px, g.RIGHT_EYE, g.RIGHT_IRIS)
    m.gaze_x, m.gaze_y = (lx + rx) / 2, (ly + ry) / 2 - s.gaze_y_offset
    if m.yaw_deg is None or m.pitch_deg is None:
        return
    ex = math.degrees(math.asin(min(max(m.gaze_x * _EYE_WIDTH_OVER_RADIUS, -1.0), 1.0)))
    ey = math.degrees(math.asin(min(max(m.gaze_y * _EYE_WIDTH_OVER_RADIUS, -1.0), 1.0)))
    # Vertically the iris reading is weak (the lids move with the gaze; on GENKI and Yale
    # adding it to the pitch widens the spread), so that side gets 1.5 x the tolerance.
    m.looking_at_camera = (abs(m.yaw_deg + ex) <= s.gaze_tolerance_deg
                           and abs(m.pitch_deg + ey) <= 1.5 * s.gaze_tolerance_deg)


def _framing(m: Metrics, px: np.ndarray, w: int, h: int) -> None:
    eyes = (px[g.LEFT_IRIS, :2] + px[g.RIGHT_IRIS, :2]) / 2
    chin = px[g.CHIN, :2]
    down = chin - eyes
    m.head_height = 2 * float(np.linalg.norm(down)) / h
    m.eye_line = float(eyes[1]) / h
    m.headroom = float(eyes[1] - down[1]) / h
    xs = px[:, 0]
    m.face_center_x = float((xs.min() + xs.max()) / 2) / w - 0.5
    m.eye_distance_px = float(np.linalg.norm(px[g.LEFT_IRIS, :2] - px[g.RIGHT_IRIS, :2]))
    m.crown_line = mesh_crown_y(px) / h
    m.chin_line = float(chin[1]) / h
    m.face_width = float(xs.max() - xs.min()) / w
    m.frame_width_px, m.frame_height_px = int(w), int(h)


def _quality(m: Metrics, px: np.ndarray, rgb: np.ndarray) -> None:
    h, w = rgb.shape[:2]
    x0, y0 = px[:, 0].min(), px[:, 1].min()
    x1, y1 = px[:, 0].max(), px[:, 1].max()
    fw, fh = x1 - x0, y1 - y0
    # Inner face: skip the outline (hair, background) but keep forehead to chin.
    ix0, ix1 = int(max(x0 + 0.15 * fw, 0)), int(min(x1 - 0.15 * fw, w))
    iy0, iy1 = int(max(y0 + 0.10 * fh, 0)), int(min(y1 - 0.05 * fh, h))
    if ix1 - ix0 < 4 or iy1 - iy0 < 4:
        return
    grey = cv2.cvtColor(rgb[iy0:iy1, ix0:ix1], cv2.COLOR_RGB2GRAY)
    ch, cw = grey.shape
    f = _QUALITY_SIZE / max(ch, cw)
    size = (max(int(round(cw * f)), 4), max(int(round(ch * f)), 4))
    small = cv2.resize(grey, size, interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_LINEAR)
    m.sharpness = float(cv2.Laplacian(small, cv2.CV_64F).var())
    m.exposure = float(small.mean()) / 255.0
    m.clipped_dark = float(np.count_nonzero(small <= 5)) / small.size
    m.clipped_bright = float(np.count_nonzero(small >= 250)) / small.size
    split = int(round((px[g.NOSE_TIP, 0] - ix0) * f))
    split = min(max(split, 1), small.shape[1] - 1)
    left, right = float(small[:, :split].mean()), float(small[:, split:].mean())
    m.light_balance = (right - left) / (right + left) if right + left > 0 else 0.0
