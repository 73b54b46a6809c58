"""MediaPipe Tasks wrappers: a frame (RGB, unmirrored) -> face and body landmarks.

- :class:`FaceTracker` wraps ``FaceLandmarker`` (blendshapes and the facial
  transformation matrix on), :class:`PoseTracker` wraps ``PoseLandmarker``. Both run in
  IMAGE mode (stills) or VIDEO mode (streams; timestamps must strictly increase over the
  landmarker's whole life, so a repeated or backward timestamp is bumped by 1 ms).
- :class:`PhotoAnalyzer` is for stills of any size: it upscales tiny photos, pads tight
  face crops and searches tiles of large photos for small faces, and maps every landmark
  back to the original photo's coordinates.

Everything is closed explicitly (``close()`` or ``with``): a landmarker left to the
garbage collector prints a traceback at interpreter exit. Model creation and the first
inference run inside :func:`coaching.quiet.native_stderr_silenced`, so MediaPipe's
native log lines stay off the terminal unless ``--verbose``.

Results are read straight from MediaPipe's C result struct into numpy (the public
Python conversion builds ~500 objects per face and costs ~2.5 ms a frame); if a future
MediaPipe changes those internals, the public API is used instead (same numbers).
"""

from __future__ import annotations

import atexit
import ctypes
import logging
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import cv2
import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision
from mediapipe.tasks.python.components.containers import category_c, landmark_c

from coaching.quiet import native_stderr_silenced

log = logging.getLogger(__name__)

Mode = Literal["image", "video"]
PoseVariant = Literal["lite", "full", "heavy"]

__all__ = [
    "FaceObservation",
    "FaceTracker",
    "Observation",
    "PhotoAnalyzer",
    "PoseObservation",
    "PoseTracker",
]


@dataclass
class FaceObservation:
    """One face. ``landmarks``: (478, 3) normalised x (0..1 of width), y (0..1 of height),
    z (depth, same scale as x, smaller = nearer). ``matrix``: MediaPipe's facial
    transformation matrix (4x4, row-major, cm, camera at the origin looking down -Z) in
    the camera of the image the model saw; for stills searched in a crop or a padded
    copy that is the crop's camera, so use its rotation relative to the face-to-camera
    direction (as :mod:`coaching.geometry` does), not its translation."""

    landmarks: np.ndarray
    blendshapes: dict[str, float]
    matrix: np.ndarray | None = None

    def bbox(self, width: int, height: int) -> tuple[float, float, float, float]:
        """Landmark bounding box in pixels: x0, y0, x1, y1."""
        xs = self.landmarks[:, 0] * width
        ys = self.landmarks[:, 1] * height
        return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())


@dataclass
class PoseObservation:
    """One body. ``landmarks``: (33, 5) normalised x, y, z, visibility, presence;
    ``world``: (33, 3) metres, origin between the hips (x image right, y down,
    z away from the camera)."""

    landmarks: np.ndarray
    world: np.ndarray


@dataclass
class Observation:
    """Everything the models saw in one frame; ``faces`` largest first."""

    faces: list[FaceObservation] = field(default_factory=list)
    pose: PoseObservation | None = None
    width: int = 0
    height: int = 0


# --------------------------------------------------------------------------- helpers


def _model_path(name: str, model_path: str | Path | None, offline: bool) -> Path:
    if model_path is not None:
        return Path(model_path)
    from coaching.models import ensure_model

    return ensure_model(name, offline=offline)


def _as_mp_image(rgb: np.ndarray) -> mp.Image:
    """numpy RGB uint8 (H, W, 3) -> mp.Image (MediaPipe copies once; we don't)."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected an RGB uint8 image (H, W, 3), got {rgb.dtype} {rgb.shape}")
    return mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))


def _landmark_dtype(struct: type[ctypes.Structure]) -> np.dtype:
    """A numpy view of MediaPipe's landmark struct (x, y, z, visibility, presence)."""
    names = ["x", "y", "z", "visibility", "presence"]
    return np.dtype({
        "names": names,
        "formats": [np.float32] * len(names),
        "offsets": [getattr(struct, n).offset for n in names],
        "itemsize": ctypes.sizeof(struct),
    })


_NORM_DTYPE = _landmark_dtype(landmark_c.MpNormalizedLandmarkC)
_WORLD_DTYPE = _landmark_dtype(landmark_c.MpLandmarkC)


def _struct_array(ptr: Any, count: int, dtype: np.dtype) -> np.ndarray:
    """``count`` C structs at ``ptr`` as a numpy structured array (no copy)."""
    if count == 0:
        return np.zeros(0, dtype=dtype)
    addr = ctypes.addressof(ptr.contents)
    buf = (ctypes.c_char * (count * dtype.itemsize)).from_address(addr)
    return np.frombuffer(buf, dtype=dtype, count=count)


def _xyz(arr: np.ndarray, extra: tuple[str, ...] = ()) -> np.ndarray:
    cols = [arr["x"], arr["y"], arr["z"], *(arr[n] for n in extra)]
    return np.stack(cols, axis=1).astype(np.float64)


_CATEGORY_SIZE = ctypes.sizeof(category_c.MpCategoryC)


def _blendshapes_c(cats: Any, names_cache: list[str]) -> dict[str, float]:
    n = int(cats.categories_count)
    if len(names_cache) != n:
        names_cache[:] = [cats.categories[i].category_name.decode() for i in range(n)]
    dtype = np.dtype({"names": ["score"], "formats": [np.float32],
                      "offsets": [category_c.MpCategoryC.score.offset],
                      "itemsize": _CATEGORY_SIZE})
    scores = _struct_array(cats.categories, n, dtype)["score"]
    return dict(zip(names_cache, scores.tolist(), strict=True))


class _Clock:
    """Strictly increasing VIDEO-mode timestamps over a landmarker's whole life."""

    def __init__(self) -> None:
        self._last: int | None = None
        self._t0 = time.monotonic()

    def next(self, timestamp_ms: int | None) -> int:
        ts = int(timestamp_ms) if timestamp_ms is not None else int(
            (time.monotonic() - self._t0) * 1000)
        if self._last is not None and ts <= self._last:
            ts = self._last + 1
        self._last = ts
        return ts


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
        self._clock = _Clock()
        self._warm = False
        self._task = None
        _OPEN.add(self)

    @property
    def _running_mode(self) -> vision.RunningMode:
        return vision.RunningMode.IMAGE if self.mode == "image" else vision.RunningMode.VIDEO

    def _call(self, rgb: np.ndarray, timestamp_ms: int | None) -> Any:
        if self._task is None:
            raise RuntimeError(f"{type(self).__name__} is closed")
        image = _as_mp_image(rgb)
        ts = None if self.mode == "image" else self._clock.next(timestamp_ms)
        if self._warm:
            return self._run(image, ts)
        with native_stderr_silenced():
            out = self._run(image, ts)
        self._warm = True
        return out

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
        self._fast = _has_fast_path(self._task, "MpFaceLandmarker")

    def detect(self, rgb: np.ndarray, timestamp_ms: int | None = None) -> list[FaceObservation]:
        """Faces in an RGB uint8 frame, largest first (``timestamp_ms`` only in VIDEO mode;
        default: a monotonic clock)."""
        faces: list[FaceObservation] = self._call(rgb, timestamp_ms)
        h, w = rgb.shape[:2]
        if len(faces) > 1:
            faces.sort(key=lambda f: -_area(f.landmarks, w, h))
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
        from mediapipe.tasks.python.vision import face_landmarker as flm

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
                xyz = _xyz(_struct_array(lms.landmarks, lms.landmarks_count, _NORM_DTYPE))
                bs = (_blendshapes_c(rc.face_blendshapes[i], self._names)
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


# --------------------------------------------------------------------------- pose


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
        self._fast = _has_fast_path(self._task, "MpPoseLandmarker")

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
            poses.sort(key=lambda p: -_area(p.landmarks[:, :3], w, h))
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
        from mediapipe.tasks.python.vision import pose_landmarker as plm

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
                arr = _xyz(_struct_array(lms.landmarks, lms.landmarks_count, _NORM_DTYPE),
                           ("visibility", "presence"))
                if i < rc.pose_world_landmarks_count:
                    w = rc.pose_world_landmarks[i]
                    world = _xyz(_struct_array(w.landmarks, w.landmarks_count, _WORLD_DTYPE))
                else:
                    world = np.full((len(arr), 3), np.nan)
                out.append(PoseObservation(arr, world))
            return out
        finally:
            task._lib.MpPoseLandmarkerCloseResult(ctypes.byref(rc))


def _has_fast_path(task: Any, prefix: str) -> bool:
    lib = getattr(task, "_lib", None)
    try:
        return (lib is not None and getattr(task, "_handle", None) is not None
                and all(hasattr(lib, f"{prefix}{s}") for s in
                        ("DetectImage", "DetectForVideo", "CloseResult")))
    except Exception:  # noqa: BLE001 - any oddity: use the public API
        return False


def _area(xy: np.ndarray, w: int, h: int) -> float:
    xs, ys = xy[:, 0] * w, xy[:, 1] * h
    return float((xs.max() - xs.min()) * (ys.max() - ys.min()))


# --------------------------------------------------------------------------- stills


@dataclass(frozen=True)
class _Placement:
    """Where a search canvas came from: canvas_px = original_px * scale + offset."""

    scale: float
    ox: float
    oy: float
    cw: int
    ch: int

    def to_original(self, lm: np.ndarray, w: int, h: int) -> np.ndarray:
        out = lm.copy()
        out[:, 0] = (lm[:, 0] * self.cw - self.ox) / self.scale / w
        out[:, 1] = (lm[:, 1] * self.ch - self.oy) / self.scale / h
        out[:, 2] = lm[:, 2] * self.cw / self.scale / w
        return out


class PhotoAnalyzer:
    """Faces and body in a still photo of any size (IMAGE mode).

    The face detector inside the landmarker sees the photo at 128 px and misses faces
    that fill the frame (tight crops) or are small in it (group shots), so the search
    tries, cheapest first, until a face is found (measured on the dev sets: each step
    rescues photos the one before misses; upscaling alone rescues none):
    1. the photo as it is;
    2. with a mid-grey border of ``pad`` x the size on every side, then 2 x ``pad``
       (tight face crops: a grey border works better than replicated edges);
    3. upscaled so the short side is ``min_side`` px, with the border (tiny photos);
    4. if the faces found are small next to the photo (or none was found): overlapping
       tiles, for group shots and wide photos; a face seen twice is kept once.
    Landmarks are mapped back to the original photo's normalised coordinates.
    """

    def __init__(self, max_faces: int = 6, pose: PoseVariant | None = "full", *,
                 face_model_path: str | Path | None = None,
                 pose_model_path: str | Path | None = None, offline: bool = False,
                 min_side: int = 480, pad: float = 0.25, tiles: bool = True) -> None:
        self.max_faces = max_faces
        self.min_side = min_side
        self.pad = pad
        self.tiles = tiles
        self._face = FaceTracker("image", max_faces=max_faces, model_path=face_model_path,
                                 offline=offline)
        self._pose: PoseTracker | None = None
        try:
            if pose is not None:
                self._pose = PoseTracker("image", variant=pose, model_path=pose_model_path,
                                         offline=offline)
        except Exception:
            self._face.close()
            raise

    @classmethod
    def from_settings(cls, settings: Any, *, pose: bool = True, offline: bool = False
                      ) -> PhotoAnalyzer:
        """Built from :class:`coaching.settings.AnalysisSettings`."""
        return cls(max_faces=settings.max_faces,
                   pose=settings.pose_model if pose else None, offline=offline,
                   min_side=settings.photo_min_side, pad=settings.photo_pad,
                   tiles=settings.photo_tiles)

    def analyze(self, rgb: np.ndarray) -> Observation:
        """Face(s) (largest first) and the main body in an RGB uint8 photo."""
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8 or rgb.size == 0:
            raise ValueError(f"expected an RGB uint8 image (H, W, 3), got {rgb.dtype} {rgb.shape}")
        h, w = rgb.shape[:2]
        views: list[_View] = []
        for pad, upscale in self._tries():
            views = self._search(rgb, pad, upscale)
            if views:
                break
        if self.tiles:
            views = self._tile_search(rgb, views)
        faces = [v.face for v in views]
        faces.sort(key=lambda f: -_area(f.landmarks, w, h))
        faces = faces[: self.max_faces]
        pose = None
        if self._pose is not None:
            p = self._pose.detect(rgb)
            if p is not None:
                pose = p
        return Observation(faces=faces, pose=pose, width=w, height=h)

    def _tries(self) -> list[tuple[float, bool]]:
        tries = [(0.0, False)]
        if self.pad > 0:
            tries += [(self.pad, False), (2 * self.pad, False)]
        if self.min_side > 0:
            tries.append((self.pad, True))
        return tries

    # -- search steps

    def _canvas(self, rgb: np.ndarray, pad: float, upscale: bool
                ) -> tuple[np.ndarray, _Placement]:
        h, w = rgb.shape[:2]
        img = rgb
        scale = max(1.0, self.min_side / min(h, w)) if upscale else 1.0
        if scale > 1.0:
            img = cv2.resize(rgb, (round(w * scale), round(h * scale)),
                             interpolation=cv2.INTER_CUBIC)
        ox = oy = 0
        if pad > 0:
            ih, iw = img.shape[:2]
            ox, oy = round(iw * pad), round(ih * pad)
            img = cv2.copyMakeBorder(img, oy, oy, ox, ox, cv2.BORDER_CONSTANT,
                                     value=(127, 127, 127))
        ch, cw = img.shape[:2]
        sx = (cw - 2 * ox) / w  # exact scale after rounding
        return img, _Placement(sx, ox, oy, cw, ch)

    def _search(self, rgb: np.ndarray, pad: float = 0.0, upscale: bool = False,
                origin: tuple[int, int] = (0, 0), full: tuple[int, int] | None = None
                ) -> list[_View]:
        canvas, place = self._canvas(rgb, pad, upscale)
        h, w = rgb.shape[:2]
        ch, cw = canvas.shape[:2]
        out = []
        for f in self._face.detect(canvas):
            rel = _face_size(f, cw, ch) / min(cw, ch)
            lm = place.to_original(f.landmarks, w, h)
            if full is not None:  # a tile: to the full photo's normalised coordinates
                fw, fh = full
                lm[:, 0] = (lm[:, 0] * w + origin[0]) / fw
                lm[:, 1] = (lm[:, 1] * h + origin[1]) / fh
                lm[:, 2] = lm[:, 2] * w / fw
            out.append(_View(FaceObservation(lm, f.blendshapes, f.matrix), rel))
        return out

    def _tile_search(self, rgb: np.ndarray, views: list[_View]) -> list[_View]:
        """Overlapping square tiles, when the faces found are small next to the photo."""
        h, w = rgb.shape[:2]
        short = min(h, w)
        largest = max((_face_size(v.face, w, h) for v in views), default=0.0)
        # The face detector sees the whole photo at 128 px: faces under ~1/5 of the short
        # side are easily missed there. Headshots (face >= 1/4 of the frame) stop here.
        if short < 200 or largest >= 0.25 * short:
            return views
        side = max(int(short * 0.6), 160)
        step = side // 2
        xs = _starts(w, side, step)
        ys = _starts(h, side, step)
        merged = list(views)
        for y0 in ys:
            for x0 in xs:
                tile = rgb[y0:y0 + side, x0:x0 + side]
                for v in self._search(tile, 0.0, False, (x0, y0), (w, h)):
                    merged = _merge(merged, v, w, h)
        return merged

    def close(self) -> None:
        self._face.close()
        if self._pose is not None:
            self._pose.close()

    def __enter__(self) -> PhotoAnalyzer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _starts(total: int, side: int, step: int) -> list[int]:
    if total <= side:
        return [0]
    starts = list(range(0, total - side + 1, step))
    if starts[-1] != total - side:
        starts.append(total - side)
    return starts


def _face_size(f: FaceObservation, w: int, h: int) -> float:
    x0, y0, x1, y1 = f.bbox(w, h)
    return max(x1 - x0, y1 - y0)


@dataclass
class _View:
    """A face as one search step saw it; ``rel`` = its size over that canvas's short side
    (the detector and the landmark crop work better on a face that fills more of it)."""

    face: FaceObservation
    rel: float


def _merge(views: list[_View], new: _View, w: int, h: int) -> list[_View]:
    """Add ``new`` unless it is a face already found (centres closer than half a face);
    of two views of one face keep the one where it was clearly larger: a face that is
    small in the whole photo gets a poor landmark fit there (measured: multi_face.jpg's
    right-hand face reads smile 0.0 from the whole photo, 0.9 from a tile)."""
    nx0, ny0, nx1, ny1 = new.face.bbox(w, h)
    ncx, ncy, nsize = (nx0 + nx1) / 2, (ny0 + ny1) / 2, max(nx1 - nx0, ny1 - ny0)
    for i, v in enumerate(views):
        x0, y0, x1, y1 = v.face.bbox(w, h)
        size = max(x1 - x0, y1 - y0)
        if np.hypot((x0 + x1) / 2 - ncx, (y0 + y1) / 2 - ncy) < 0.5 * max(size, nsize):
            if new.rel > 1.25 * v.rel:
                return [*views[:i], new, *views[i + 1:]]
            return views
    return [*views, new]
