"""Who the sitter is when the camera sees several faces.

A booth at an event films the queue behind the sitter, an interview films the crowd:
a face in the background must not stop the session. The sitter is the largest, most
central face (and the one the body found by the pose model belongs to), and stays
the sitter while present (:class:`SitterSelector`: hysteresis over frames). Every
other face is either a *peer*, about as large as the sitter (a second person at the
booth: "One person at a time"), or a *bystander*, much smaller (further back):
ignored for coaching, counted for the operator. A bystander *near* the sitter (inside
the area a tight ID crop would show) is counted apart, since ID presets must not
shoot with it (``Preset.bystanders_block``).

When no face is measured, :func:`presence_hint` says whether someone is there
anyway, from the pose model's body and the frame's light, so the coach can say what
helps ("Turn to face the camera", "Come a little closer", "Step into the light")
instead of "Step in front of the camera"; :func:`head_region` is where to look for
the face again (:mod:`coaching.face_rescue`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coaching.observations import FaceObservation, PoseObservation

__all__ = ["BYSTANDER_RATIO", "DARK_FRAME", "NEAR_HEIGHTS", "SitterChoice", "SitterSelector",
           "body_seen", "choose_sitter", "head_region", "presence_hint"]

#: A face smaller than this fraction of the sitter's face height is a bystander.
BYSTANDER_RATIO = 0.65
#: A bystander whose centre is within this many sitter face heights of the sitter's,
#: across and up or down, is "near": inside or at the edge of a tight ID crop.
NEAR_HEIGHTS = 1.0
#: The current sitter keeps the seat unless a newcomer scores this many times higher.
KEEP_FACTOR = 1.6
#: How far off the frame centre (fraction of the width) halves a face's score.
_CENTRE_HALF = 0.6
#: The face the pose model's body belongs to scores this much higher.
_BODY_BONUS = 1.3


@dataclass(frozen=True)
class SitterChoice:
    """Which face is the sitter and what the others are."""

    sitter: int | None  # index into the faces given, None without faces
    peers: int = 0  # other faces about as large as the sitter
    bystanders: int = 0  # much smaller faces (all of them, near ones included)
    bystanders_near: int = 0  # bystanders close to the sitter's head


def _boxes(faces: list[FaceObservation], w: int, h: int) -> np.ndarray:
    return np.array([f.bbox(w, h) for f in faces], dtype=np.float64).reshape(-1, 4)


def _scores(boxes: np.ndarray, w: int, h: int, pose: PoseObservation | None) -> np.ndarray:
    """Size times centrality (times the body bonus) per face."""
    height = (boxes[:, 3] - boxes[:, 1]) / max(h, 1)
    cx = (boxes[:, 0] + boxes[:, 2]) / 2 / max(w, 1)
    score = height / (1.0 + (np.abs(cx - 0.5) / _CENTRE_HALF) ** 2)
    if pose is not None and pose.landmarks.shape[0] > 0:
        nx, ny = pose.landmarks[0, 0] * w, pose.landmarks[0, 1] * h  # the body's nose
        inside = ((boxes[:, 0] <= nx) & (nx <= boxes[:, 2])
                  & (boxes[:, 1] <= ny) & (ny <= boxes[:, 3]))
        score = np.where(inside, score * _BODY_BONUS, score)
    return score


def _classify(boxes: np.ndarray, sitter: int) -> SitterChoice:
    sb = boxes[sitter]
    sh = max(sb[3] - sb[1], 1e-6)
    scx, scy = (sb[0] + sb[2]) / 2, (sb[1] + sb[3]) / 2
    peers = bystanders = near = 0
    for i, b in enumerate(boxes):
        if i == sitter:
            continue
        if (b[3] - b[1]) >= BYSTANDER_RATIO * sh:
            peers += 1
            continue
        bystanders += 1
        dx, dy = abs((b[0] + b[2]) / 2 - scx), abs((b[1] + b[3]) / 2 - scy)
        if max(dx, dy) <= NEAR_HEIGHTS * sh:
            near += 1
    return SitterChoice(sitter, peers, bystanders, near)


def choose_sitter(faces: list[FaceObservation], w: int, h: int,
                  pose: PoseObservation | None = None) -> SitterChoice:
    """The sitter in one frame or photo, no history: the best size-and-centre score."""
    if not faces:
        return SitterChoice(None)
    boxes = _boxes(faces, w, h)
    return _classify(boxes, int(np.argmax(_scores(boxes, w, h, pose))))


class SitterSelector:
    """:func:`choose_sitter` with memory: the face nearest the last sitter keeps the
    seat unless another scores :data:`KEEP_FACTOR` times higher (no flip-flopping
    between two similar faces, no hand-over to someone walking past)."""

    def __init__(self) -> None:
        self._last: np.ndarray | None = None  # the sitter's last box (pixels)

    def reset(self) -> None:
        self._last = None

    def choose(self, faces: list[FaceObservation], w: int, h: int,
               pose: PoseObservation | None = None) -> SitterChoice:
        if not faces:
            return SitterChoice(None)  # the last box is kept: the coach's grace decides
        boxes = _boxes(faces, w, h)
        scores = _scores(boxes, w, h, pose)
        best = int(np.argmax(scores))
        if self._last is not None:
            same = self._match(boxes)
            if same is not None and scores[best] < KEEP_FACTOR * scores[same]:
                best = same
        self._last = boxes[best]
        return _classify(boxes, best)

    def _match(self, boxes: np.ndarray) -> int | None:
        """The face that is the last sitter: its centre within half the last face's
        height of the last centre, the nearest such."""
        last = self._last
        lh = max(last[3] - last[1], 1e-6)
        lc = np.array([(last[0] + last[2]) / 2, (last[1] + last[3]) / 2])
        centres = np.stack([(boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2], 1)
        d = np.hypot(*(centres - lc).T)
        i = int(np.argmin(d))
        return i if d[i] <= 0.5 * lh else None


#: A frame darker than this (mean luminance 0..1) hides whoever is in it; one at or
#: under ``_BLACK`` (or without any contrast) is no room at all.
DARK_FRAME = 0.06
_BLACK = 0.004
#: The pose model's nose this visible means a body may be there.
_BODY_VISIBILITY = 0.5
#: A head narrower than this (ear to ear, fraction of the frame's long side): far away.
_FAR_HEAD = 0.10
_NOSE, _L_EAR, _R_EAR, _L_SHOULDER, _R_SHOULDER = 0, 7, 8, 11, 12


def body_seen(pose: PoseObservation | None, w: int = 1, h: int = 1) -> bool:
    """The pose model sees a plausible upright upper body: the nose clearly, the
    shoulder line near level, wider than the head and below the nose (in a cartoon the
    model reported a body lying on its side with full confidence)."""
    if pose is None or pose.landmarks.shape[0] <= _R_SHOULDER:
        return False
    lm = pose.landmarks
    if lm[_NOSE, 3] < _BODY_VISIBILITY:
        return False
    px = lm[:, :2] * (w, h)
    dx, dy = np.abs(px[_L_SHOULDER] - px[_R_SHOULDER])
    head = float(np.hypot(*(px[_L_EAR] - px[_R_EAR])))
    drop = (px[_L_SHOULDER, 1] + px[_R_SHOULDER, 1]) / 2 - px[_NOSE, 1]
    return bool(dx >= dy and dx >= 1.2 * head > 0 and drop >= 0.3 * dx)


def presence_hint(pose: PoseObservation | None, rgb: np.ndarray | None,
                  w: int, h: int) -> str | None:
    """For a frame without a measured face: ``"light"`` (too dark to see anyone),
    ``"closer"`` (a body, far away), ``"turn"`` (a body whose face is not seen: turned
    away) or None (nobody)."""
    if rgb is not None and rgb.size:
        sample = rgb[::4, ::4].astype(np.float32) / 255.0
        # Dim but not black: a black frame is a covered lens or a dead camera, not a room.
        if _BLACK < float(sample.mean()) < DARK_FRAME and float(sample.std()) > _BLACK:
            return "light"
    if not body_seen(pose, w, h):
        return None
    lm = pose.landmarks  # type: ignore[union-attr]
    head = abs(lm[_L_EAR, 0] - lm[_R_EAR, 0]) * w
    return "closer" if head < _FAR_HEAD * max(w, h) else "turn"


def head_region(pose: PoseObservation | None, w: int, h: int
                ) -> tuple[int, int, int, int] | None:
    """A square around the body's head (pixels, clipped to the frame) where a small or
    turned face should be, from the pose model's face points and shoulders."""
    if not body_seen(pose, w, h):
        return None
    lm = pose.landmarks  # type: ignore[union-attr]
    pts = lm[:11, :2] * (w, h)  # nose, eyes, ears, mouth
    shoulders = abs(lm[_L_SHOULDER, 0] - lm[_R_SHOULDER, 0]) * w
    cx, cy = pts[:, 0].mean(), pts[:, 1].mean()
    half = max(0.75 * shoulders, 1.5 * float(np.ptp(pts[:, 0])), 24.0)
    x0, y0 = int(max(0, cx - half)), int(max(0, cy - half))
    x1, y1 = int(min(w, cx + half)), int(min(h, cy + half))
    return (x0, y0, x1, y1) if x1 - x0 >= 16 and y1 - y0 >= 16 else None
