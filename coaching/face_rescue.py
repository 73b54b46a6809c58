"""A second look, in still mode, for a face the live tracker lost.

The VIDEO-mode landmarker's detector sees the frame at 128 px: a sitter far from the
camera (face a tenth of the frame), in three-quarter profile or in a dim room is
lost, while the still-photo search (:class:`~coaching.photo_analyzer.PhotoAnalyzer`:
padding, upscaling, tiles) finds the same face. :class:`FaceRescue` runs that search
at a low rate while the tracker finds nothing: on an upscaled square around the body's
head when the pose model sees a body (every ``interval_s``), else on the whole frame
(every ``idle_interval_s``), a dark frame brightened first. What it finds stands for
``hold_s`` (a little over the longer interval), so the frames in between are coached
too. It never runs while the tracker
has a face, so a sitter in plain view costs nothing.
"""

from __future__ import annotations

import logging
from typing import Any

import cv2
import numpy as np

from coaching.observations import FaceObservation, PoseObservation
from coaching.quiet import native_stderr_silenced
from coaching.sitter import head_region

log = logging.getLogger(__name__)

__all__ = ["FaceRescue"]

#: Frames darker than this (mean luminance 0..1) are brightened before the search.
_DIM = 0.18


class FaceRescue:
    """Still-mode face search at a low rate while the live tracker finds nothing."""

    def __init__(self, max_faces: int = 6, *, interval_s: float = 0.5,
                 idle_interval_s: float = 1.0, hold_s: float = 1.1) -> None:
        self.max_faces = max_faces
        self.interval_s = interval_s
        self.idle_interval_s = idle_interval_s
        self.hold_s = hold_s
        self.tries = 0  # searches run (for figures and tests)
        self.found = 0  # searches that found a face
        self.disabled = False  # the model could not be loaded: no second look
        self._analyzer: Any = None  # a PhotoAnalyzer, made at the first search
        self._last_try: float | None = None
        self._faces: list[FaceObservation] = []
        self._found_at: float | None = None

    def reset(self) -> None:
        self._last_try = self._found_at = None
        self._faces = []

    def faces(self, rgb: np.ndarray, pose: PoseObservation | None,
              t: float) -> list[FaceObservation]:
        """Faces for a frame on which the tracker found none (full-frame coordinates)."""
        if self.disabled:
            return []
        h, w = rgb.shape[:2]
        region = head_region(pose, w, h)
        wait = self.interval_s if region is not None else self.idle_interval_s
        if self._last_try is None or t - self._last_try >= wait or t < self._last_try:
            self._last_try = t
            found = self._search(rgb, region)
            self.tries += 1
            if found:
                self.found += 1
                self._faces, self._found_at = found, t
        if self._found_at is not None and 0 <= t - self._found_at <= self.hold_s:
            return list(self._faces)
        return []

    def _search(self, rgb: np.ndarray, region: tuple[int, int, int, int] | None
                ) -> list[FaceObservation]:
        h, w = rgb.shape[:2]
        x0, y0, x1, y1 = region if region is not None else (0, 0, w, h)
        crop = np.ascontiguousarray(rgb[y0:y1, x0:x1])
        if float(crop[::4, ::4].mean()) / 255.0 < _DIM:
            crop = _brighten(crop)
        if self._analyzer is None:
            # Deferred like coaching.step's trackers: MediaPipe takes ~0.6 s to import and
            # every CLI command imports coaching.step; most sessions never search. Never
            # a download (offline): a missing model turns the second look off, it must
            # not hold up the frame that asked.
            from coaching.photo_analyzer import PhotoAnalyzer

            try:
                with native_stderr_silenced():
                    self._analyzer = PhotoAnalyzer(self.max_faces, pose=None, offline=True)
            except Exception as exc:  # noqa: BLE001 - the rescue is optional
                log.warning("face rescue off: cannot load the face model (%s)", exc)
                self.disabled = True
                return []
        faces = self._analyzer.analyze(crop).faces
        cw, ch = x1 - x0, y1 - y0
        out = []
        for f in faces:
            lm = f.landmarks.copy()
            lm[:, 0] = (lm[:, 0] * cw + x0) / w
            lm[:, 1] = (lm[:, 1] * ch + y0) / h
            lm[:, 2] = lm[:, 2] * cw / w
            out.append(FaceObservation(lm, f.blendshapes, f.matrix))
        return out

    def close(self) -> None:
        if self._analyzer is not None:
            try:
                self._analyzer.close()
            except Exception:  # closing must never raise past shutdown
                log.debug("closing the rescue analyzer failed", exc_info=True)
            self._analyzer = None


def _brighten(rgb: np.ndarray) -> np.ndarray:
    """Contrast-limited equalisation of the lightness: a dim face becomes findable."""
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
    lab[:, :, 0] = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(4, 4)).apply(lab[:, :, 0])
    return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)
