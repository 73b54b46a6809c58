"""The crown of the head in a still, from the selfie segmenter: :class:`CrownFinder`.

The crown (the top of the head with its hair, as ID standards measure it; see
:mod:`coaching.head_geometry`) is found with the pinned MediaPipe selfie segmenter
(``segmenter`` in :mod:`coaching.model_registry`), run on a square region around the
head cut from the photo at up to 512 px: from the face mesh's forehead point (10),
walking straight up in a band of columns over the forehead, the person mask's first row
under 0.5 in each column is the hair's top; the crown is the median over the band. The
walk starts on the face and follows the mask, so a raised hand or another person above
does not count. Without the segmenter, when the mask does not cover the forehead, or
when its crown is implausible, the mesh ratio (:data:`coaching.head_geometry.CROWN_RATIO`)
is used. A crown that runs into the photo's top edge is reported (``cut``): the head is
not all in the picture, so no crop can show headroom above it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from coaching import geometry as g
from coaching.head_geometry import CROWN_RATIO, CrownMethod, HeadGeometry, from_landmarks
from coaching.observations import FaceObservation
from coaching.segmentation import PersonSegmenter

__all__ = ["CrownFinder", "head_geometry"]

#: The mask crown is trusted only when (crown - chin) / (point 10 - chin) is in here.
_PLAUSIBLE = (1.1, 1.75)


class CrownFinder:
    """The selfie segmenter (IMAGE mode), or the mesh ratio without it; close() it."""

    def __init__(self, *, use_mask: bool = True, model_path: str | Path | None = None,
                 offline: bool = False) -> None:
        self._seg: PersonSegmenter | None = None
        if use_mask:
            self._seg = PersonSegmenter(model_path=model_path, offline=offline)
            self._seg.person_mask(np.zeros((64, 64, 3), np.uint8))  # warm, quietly

    def crown(self, rgb: np.ndarray, px: np.ndarray) -> tuple[float, CrownMethod, bool]:
        """Crown y (pixels of ``rgb``), how it was found, and whether it is cut by the top."""
        chin, top = px[g.CHIN, :2], px[g.FOREHEAD, :2]
        mesh_y = float(chin[1] - CROWN_RATIO * (chin[1] - top[1]))
        if self._seg is not None:
            found = self._mask_crown(rgb, px)
            if found is not None:
                y, cut = found
                ratio = (chin[1] - y) / max(chin[1] - top[1], 1e-6)
                if cut or _PLAUSIBLE[0] <= ratio <= _PLAUSIBLE[1]:
                    return y, "mask", cut
        return mesh_y, "mesh", mesh_y <= 0

    def _mask_crown(self, rgb: np.ndarray, px: np.ndarray) -> tuple[float, bool] | None:
        h, w = rgb.shape[:2]
        x0, y0 = px[:, 0].min(), px[:, 1].min()
        x1, y1 = px[:, 0].max(), px[:, 1].max()
        side = 2.2 * max(x1 - x0, y1 - y0)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2 - 0.25 * side
        rx0, ry0 = int(max(cx - side / 2, 0)), int(max(cy - side / 2, 0))
        rx1, ry1 = int(min(cx + side / 2, w)), int(min(cy + side / 2, h))
        if rx1 - rx0 < 16 or ry1 - ry0 < 16:
            return None
        roi = rgb[ry0:ry1, rx0:rx1]
        f = min(1.0, 512 / max(roi.shape[:2]))
        _, person = self._seg.person_mask(roi, 512)  # type: ignore[union-attr]
        mask = person >= 0.5
        fx, fy = (px[g.FOREHEAD, 0] - rx0) * f, (px[g.FOREHEAD, 1] - ry0) * f
        half = 0.15 * (x1 - x0) * f
        cols = range(max(int(fx - half), 0), min(int(fx + half) + 1, mask.shape[1]))
        start = min(max(int(fy), 0), mask.shape[0] - 1)
        tops: list[float] = []
        for c in cols:
            col = mask[: start + 1, c][::-1]  # from the forehead upward
            if not col[0]:
                continue
            gaps = np.flatnonzero(~col)
            tops.append(start - (gaps[0] if gaps.size else len(col)) + 1)
        if len(tops) < max(3, len(cols) // 2):
            return None  # the mask does not cover the forehead: not a person there
        top = float(np.median(tops)) / f + ry0
        cut = ry0 == 0 and top <= 1.0 / f
        return max(top, 0.0), cut

    def close(self) -> None:
        seg, self._seg = self._seg, None
        if seg is not None:
            seg.close()

    def __enter__(self) -> CrownFinder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def head_geometry(face: FaceObservation, rgb: np.ndarray, crown: CrownFinder,
                  full_size: tuple[int, int] | None = None) -> HeadGeometry:
    """The head of ``face`` (landmarks of ``rgb``), in pixels of ``full_size`` (the
    original photo, when ``rgb`` is a reduced working copy) or of ``rgb``."""
    h, w = rgb.shape[:2]
    px = face.landmarks[:, :2] * (w, h)
    crown_y, method, cut = crown.crown(rgb, px)
    geo = from_landmarks(px, crown_y, method, cut)
    return geo if full_size is None else geo.scaled(full_size[0] / w)
