"""MediaPipe Tasks wrappers for streams and stills: RGB frame -> face or body landmarks.

:class:`FaceTracker` wraps ``FaceLandmarker`` (blendshapes and the facial
transformation matrix on), :class:`PoseTracker` wraps ``PoseLandmarker``. Both run in
IMAGE mode (stills) or VIDEO mode (streams; timestamps must strictly increase over the
landmarker's whole life, so a :class:`~camera.frames.VideoClock` moves a repeated or
backward one just past the previous one).

Everything is closed explicitly (``close()`` or ``with``): a landmarker left to the
garbage collector prints a traceback at interpreter exit. Model creation and the first
inference run inside :func:`coaching.quiet.native_stderr_silenced`, so MediaPipe's
native log lines stay off the terminal unless ``--verbose``.
"""

from __future__ import annotations

import atexit
import ctypes
import logging
import threading
import time
import weakref
from pathlib import Path
from typing import Any, Literal

import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision
from mediapipe.tasks.python.vision import face_landmarker as flm
from mediapipe.tasks.python.vision import pose_landmarker as plm

from camera.frames import VideoClock
from coaching.mediapipe_results import (
    NORM_DTYPE,
    WORLD_DTYPE,
    as_mp_image,
    blendshapes_c,
    has_fast_path,
    landmark_xyz,
    struct_array,
)
from coaching.models import ensure_model
from coaching.observations import FaceObservation, PoseObservation, landmark_area
from coaching.quiet import native_stderr_silenced

log = logging.getLogger(__name__)

Mode = Literal["image", "video"]
PoseVariant = Literal["lite", "full", "heavy"]

__all__ = ["FaceTracker", "Mode", "PoseTracker", "PoseVariant"]


def _model_path(name: str, model_path: str | Path | None, offline: bool) -> Path:
    """The caller's model file, else the verified copy of pinned model ``name``."""
    if model_path is not None:
        return Path(model_path)
    return ensure_model(name, offline=offline)


_OPEN: weakref.WeakSet[_Task] = weakref.WeakSet()


def _close_forgotten() -> None:
    """Safety net: a landmarker still open at exit is closed while MediaPipe's worker
    threads still run (its own finaliser, later, prints a traceback instead)."""
    for task in list(_OPEN):
        inner = task._task
        try:
            task.close()
        except Exception:  # noqa: BLE001 - exiting anyway: just keep it quiet
            if inner is not None and hasattr(inner, "_handle"):
                inner._handle = None


# MediaPipe runs its C calls on a ThreadPoolExecutor, which Python shuts down in the
# threading module's exit hooks, BEFORE atexit handlers: register there when possible.
try:
    threading._register_atexit(_close_forgotten)  # type: ignore[attr-defined]
except (AttributeError, RuntimeError):  # pragma: no cover - other Pythons
    atexit.register(_close_forgotten)


class _Task:
    """Common life cycle: silenced creation and first inference, explicit close."""

    _task: Any

    def __init__(self, mode: Mode) -> None:
        if mode not in ("image", "video"):
            raise ValueError(f"mode must be 'image' or 'video', not {mode!r}")
        self.mode: Mode = mode
        self._clock = VideoClock()
        self._t0 = time.monotonic()
        self._warm = False
        self._task = None
        _OPEN.add(self)

    @property
    def _running_mode(self) -> vision.RunningMode:
        return vision.RunningMode.IMAGE if self.mode == "image" else vision.RunningMode.VIDEO

    def _call(self, rgb: np.ndarray, timestamp_ms: int | None) -> Any:
        if self._task is None:
            raise RuntimeError(f"{type(self).__name__} is closed")
        image = as_mp_image(rgb)
        ts = None if self.mode == "image" else self._stamp(timestamp_ms)
        if self._warm:
            return self._run(image, ts)
        with native_stderr_silenced():
            out = self._run(image, ts)
        self._warm = True
        return out

    def _stamp(self, timestamp_ms: int | None) -> int:
        """The caller's time (ms), else time since creation, made strictly increasing."""
        if timestamp_ms is None:
            return self._clock.stamp(time.monotonic() - self._t0)
        return self._clock.stamp_ms(int(timestamp_ms))

    _fast = False

    def _run(self, image: mp.Image, ts: int | None) -> Any:
        """The fast C-struct reader when this mediapipe build has it, else the public API."""
        if self._fast:
            try:
                return self._run_fast(image, ts)
            except (AttributeError, TypeError, ctypes.ArgumentError) as exc:
                log.debug("fast result path unavailable (%s); using the public API", exc)
                self._fast = False
        return self._run_public(image, ts)

    def _run_fast(self, image: mp.Image, ts: int | None) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _run_public(self, image: mp.Image, ts: int | None) -> Any:  # pragma: no cover
        raise NotImplementedError

    def close(self) -> None:
        """Release the landmarker (idempotent)."""
        task, self._task = self._task, None
        _OPEN.discard(self)
        if task is not None:
            with native_stderr_silenced():
                task.close()

    def __enter__(self) -> _Task:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        # Last resort only; callers close explicitly.
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown: nothing sensible to do
            pass


# --------------------------------------------------------------------------- face


class FaceTracker(_Task):
    """MediaPipe FaceLandmarker; ``detect`` returns faces largest first."""

    def __init__(self, mode: Mode = "video", max_faces: int = 1,
                 model_path: str | Path | None = None, *, offline: bool = False,
                 min_detection_confidence: float = 0.5) -> None:
        super().__init__(mode)
        path = _model_path("face", model_path, offline)
        opts = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(path)),
            running_mode=self._running_mode,
            num_faces=int(max_faces),
            min_face_detection_confidence=min_detection_confidence,
            output_face_blendshapes=True,
            output_facial_transformation_matrixes=True,
        )
        with native_stderr_silenced():
            self._task = vision.FaceLandmarker.create_from_options(opts)
        self._names: list[str] = []
        self._fast = has_fast_path(self._task, "MpFaceLandmarker")

    def detect(self, rgb: np.ndarray, timestamp_ms: int | None = None) -> list[FaceObservation]:
        """Faces in an RGB uint8 frame, largest first (``timestamp_ms`` only in VIDEO mode;
        default: a monotonic clock)."""
        faces: list[FaceObservation] = self._call(rgb, timestamp_ms)
        h, w = rgb.shape[:2]
        if len(faces) > 1:
            faces.sort(key=lambda f: -landmark_area(f.landmarks, w, h))
        return faces

    def _run_public(self, image: mp.Image, ts: int | None) -> list[FaceObservation]:
        res = self._task.detect(image) if ts is None else self._task.detect_for_video(image, ts)
        out = []
        for i, lms in enumerate(res.face_landmarks):
            xyz = np.array([(p.x, p.y, p.z) for p in lms], dtype=np.float64)
            bs = ({c.category_name: float(c.score) for c in res.face_blendshapes[i]}
                  if i < len(res.face_blendshapes) else {})
            mat = (np.asarray(res.facial_transformation_matrixes[i], dtype=np.float64)
                   if i < len(res.facial_transformation_matrixes) else None)
            out.append(FaceObservation(xyz, bs, mat))
        return out

    def _run_fast(self, image: mp.Image, ts: int | None) -> list[FaceObservation]:
        task = self._task
        rc = flm.MpFaceLandmarkerResultC()
        img = image._image_ptr  # noqa: SLF001 - see the module docstring
        if ts is None:
            task._lib.MpFaceLandmarkerDetectImage(task._handle, img, None, ctypes.byref(rc))
        else:
            task._lib.MpFaceLandmarkerDetectForVideo(task._handle, img, None, ts,
                                                     ctypes.byref(rc))
        try:
            out = []
            for i in range(rc.face_landmarks_count):
                lms = rc.face_landmarks[i]
                xyz = landmark_xyz(struct_array(lms.landmarks, lms.landmarks_count, NORM_DTYPE))
                bs = (blendshapes_c(rc.face_blendshapes[i], self._names)
                      if i < rc.face_blendshapes_count else {})
                mat = None
                if i < rc.facial_transformation_matrixes_count:
                    m = rc.facial_transformation_matrixes[i]
                    if m.rows == 4 and m.cols == 4:
                        # column-major floats -> row-major 4x4
                        mat = np.ctypeslib.as_array(m.data, shape=(4, 4)).T.astype(np.float64)
                out.append(FaceObservation(xyz, bs, mat))
            return out
        finally:
            task._lib.MpFaceLandmarkerCloseResult(ctypes.byref(rc))


class PoseTracker(_Task):
    """MediaPipe PoseLandmarker (one body); ``detect`` returns it or None."""

    def __init__(self, mode: Mode = "video", variant: PoseVariant = "full",
                 model_path: str | Path | None = None, *, offline: bool = False,
                 num_poses: int = 1) -> None:
        super().__init__(mode)
        if variant not in ("lite", "full", "heavy"):
            raise ValueError(f"pose variant must be lite, full or heavy, not {variant!r}")
        path = _model_path(f"pose_{variant}", model_path, offline)
        opts = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(path)),
            running_mode=self._running_mode,
            num_poses=int(num_poses),
            output_segmentation_masks=False,
        )
        with native_stderr_silenced():
            self._task = vision.PoseLandmarker.create_from_options(opts)
        self._fast = has_fast_path(self._task, "MpPoseLandmarker")

    def detect(self, rgb: np.ndarray, timestamp_ms: int | None = None) -> PoseObservation | None:
        """The most prominent body in an RGB uint8 frame, or None."""
        poses = self.detect_all(rgb, timestamp_ms)
        return poses[0] if poses else None

    def detect_all(self, rgb: np.ndarray, timestamp_ms: int | None = None
                   ) -> list[PoseObservation]:
        """Every body found (up to ``num_poses``), largest first."""
        poses: list[PoseObservation] = self._call(rgb, timestamp_ms)
        h, w = rgb.shape[:2]
        if len(poses) > 1:
            poses.sort(key=lambda p: -landmark_area(p.landmarks[:, :3], w, h))
        return poses

    def _run_public(self, image: mp.Image, ts: int | None) -> list[PoseObservation]:
        res = self._task.detect(image) if ts is None else self._task.detect_for_video(image, ts)
        out = []
        for i, lms in enumerate(res.pose_landmarks):
            arr = np.array([(p.x, p.y, p.z, p.visibility or 0.0, p.presence or 0.0)
                            for p in lms], dtype=np.float64)
            world = (np.array([(p.x, p.y, p.z) for p in res.pose_world_landmarks[i]],
                              dtype=np.float64)
                     if i < len(res.pose_world_landmarks) else np.full((len(lms), 3), np.nan))
            out.append(PoseObservation(arr, world))
        return out

    def _run_fast(self, image: mp.Image, ts: int | None) -> list[PoseObservation]:
        task = self._task
        rc = plm.MpPoseLandmarkerResultC()
        img = image._image_ptr  # noqa: SLF001
        if ts is None:
            task._lib.MpPoseLandmarkerDetectImage(task._handle, img, None, ctypes.byref(rc))
        else:
            task._lib.MpPoseLandmarkerDetectForVideo(task._handle, img, None, ts,
                                                     ctypes.byref(rc))
        try:
            out = []
            for i in range(rc.pose_landmarks_count):
                lms = rc.pose_landmarks[i]
                arr = landmark_xyz(struct_array(lms.landmarks, lms.landmarks_count, NORM_DTYPE),
                           ("visibility", "presence"))
                if i < rc.pose_world_landmarks_count:
                    w = rc.pose_world_landmarks[i]
                    world = landmark_xyz(struct_array(w.landmarks, w.landmarks_count, WORLD_DTYPE))
                else:
                    world = np.full((len(arr), 3), np.nan)
                out.append(PoseObservation(arr, world))
            return out
        finally:
            task._lib.MpPoseLandmarkerCloseResult(ctypes.byref(rc))
