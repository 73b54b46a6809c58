"""Faces and body in a still photo of any size: :class:`PhotoAnalyzer`.

It upscales tiny photos, pads tight face crops and searches tiles of large photos for
small faces, and maps every landmark back to the original photo's coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from coaching.observations import FaceObservation, Observation, landmark_area
from coaching.trackers import FaceTracker, PoseTracker, PoseVariant

__all__ = ["PhotoAnalyzer"]


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
        faces.sort(key=lambda f: -landmark_area(f.landmarks, w, h))
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
