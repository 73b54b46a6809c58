"""Who is the person and what is the background: the pinned MediaPipe selfie segmenter.

The background checks (:mod:`coaching.background`) need the sitter's silhouette. The
segmenter is small (250 kB) and quick at its own input size (256 x 256); the frame is
shrunk to at most ``max_side`` before it runs, and the mask is returned at that size
together with the shrunk frame, which is all the background measures need.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision

from coaching.mediapipe_results import as_mp_image
from coaching.models import check_model, ensure_model
from coaching.quiet import native_stderr_silenced

__all__ = ["PersonSegmenter", "segmenter_if_present", "shrink"]


def shrink(rgb: np.ndarray, max_side: int) -> np.ndarray:
    """``rgb`` with its long side at most ``max_side`` (area filter), contiguous."""
    h, w = rgb.shape[:2]
    f = max_side / max(h, w)
    if f >= 1.0:
        return np.ascontiguousarray(rgb)
    size = (max(1, round(w * f)), max(1, round(h * f)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


class PersonSegmenter:
    """The selfie segmenter in IMAGE mode (any thread, one call at a time); close() it."""

    def __init__(self, *, model_path: str | Path | None = None, offline: bool = False) -> None:
        path = Path(model_path) if model_path else ensure_model("segmenter", offline=offline)
        opts = vision.ImageSegmenterOptions(
            base_options=BaseOptions(model_asset_path=str(path)),
            running_mode=vision.RunningMode.IMAGE, output_confidence_masks=True,
            output_category_mask=False)
        with native_stderr_silenced():
            self._seg = vision.ImageSegmenter.create_from_options(opts)

    def person_mask(self, rgb: np.ndarray, max_side: int = 256
                    ) -> tuple[np.ndarray, np.ndarray]:
        """(the frame shrunk to ``max_side``, the person confidence 0..1 at that size)."""
        if self._seg is None:
            raise RuntimeError("segmenter is closed")
        small = shrink(rgb, max_side)
        with native_stderr_silenced():
            res = self._seg.segment(as_mp_image(small))
        mask = res.confidence_masks[0].numpy_view().reshape(small.shape[:2])
        return small, np.asarray(mask, dtype=np.float32).copy()

    def close(self) -> None:
        seg, self._seg = self._seg, None
        if seg is not None:
            with native_stderr_silenced():
                seg.close()

    def __enter__(self) -> PersonSegmenter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def segmenter_if_present() -> PersonSegmenter | None:
    """The segmenter if its pinned model is already here (never downloads: it is optional,
    and the checks that need it answer "not measured" without it)."""
    found = check_model("segmenter")
    if not found.ok:
        return None
    return PersonSegmenter(model_path=found.path)
