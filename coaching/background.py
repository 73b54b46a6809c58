"""The background behind the sitter: bright, plain, even, free of their shadow.

ID photos are refused for a grey, patterned or shadowed background (ICAO 9303 part 3;
the ISO/IEC 29794-5 quality components, whose open reference implementation OFIQ
measures background uniformity: these definitions are our own). Measured on the frame
shrunk to 256 px, with the person mask of :class:`coaching.segmentation.PersonSegmenter`
(confidence >= 0.5, grown by a few pixels so hair edges are not background):

- ``brightness``: median luminance (CIELAB L*, 0..1) of the background.
- ``uniformity``: spread of the background's luminance over a 6 x 6 grid of blocks, the
  90th minus the 10th percentile of the block means, 0..1: ~0.02 for a plain lit wall,
  > 0.15 for a room or a light falling off across the wall.
- ``shadow``: how much darker the background is in a band beside the sitter than further
  away, 1 - band / far (0..1, 0 = no shadow), the darker of the two sides: a sitter
  standing close to a wall with a light beside the camera casts one on the other side.
- ``clutter``: share of background pixels that are edges (Canny): objects, frames,
  patterns; a plain wall is ~0.
- ``chroma``: median colour saturation of the background (CIELAB C*, 0..~1): ID offices
  want a neutral (white, light grey) or a light blue one.
- ``share``: the background's share of the frame; under ``MIN_SHARE`` the rest cannot be
  judged and is None.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

__all__ = ["MIN_SHARE", "BackgroundReport", "measure_background"]

MIN_SHARE = 0.08
_GRID = 6


@dataclass(frozen=True)
class BackgroundReport:
    """The background of one frame (units above)."""

    share: float
    brightness: float | None
    uniformity: float | None
    shadow: float | None
    clutter: float | None
    chroma: float | None


def measure_background(small_rgb: np.ndarray, person: np.ndarray) -> BackgroundReport:
    """The background of ``small_rgb`` given the person confidence ``person`` (same size)."""
    h, w = person.shape
    pad = max(2, round(0.02 * max(h, w)))
    body = cv2.dilate((person >= 0.5).astype(np.uint8), np.ones((2 * pad + 1,) * 2, np.uint8))
    bg = body == 0
    share = float(bg.mean())
    if share < MIN_SHARE:
        return BackgroundReport(share, None, None, None, None, None)
    lab = cv2.cvtColor(small_rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    lum = lab[..., 0] / 255.0
    chroma = np.hypot(lab[..., 1] - 128.0, lab[..., 2] - 128.0) / 128.0
    edges = cv2.Canny(cv2.GaussianBlur(cv2.cvtColor(small_rgb, cv2.COLOR_RGB2GRAY), (3, 3), 0),
                      50, 120) > 0
    inner = cv2.erode(bg.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    return BackgroundReport(
        share=share,
        brightness=float(np.median(lum[bg])),
        uniformity=_block_spread(lum, bg),
        shadow=_shadow(lum, body, bg, pad),
        clutter=float(edges[inner].mean()) if inner.any() else None,
        chroma=float(np.median(chroma[bg])))


def _block_spread(lum: np.ndarray, bg: np.ndarray) -> float | None:
    h, w = lum.shape
    means = []
    for i in range(_GRID):
        for j in range(_GRID):
            ys = slice(i * h // _GRID, (i + 1) * h // _GRID)
            xs = slice(j * w // _GRID, (j + 1) * w // _GRID)
            cell = bg[ys, xs]
            if cell.mean() >= 0.5:
                means.append(float(lum[ys, xs][cell].mean()))
    if len(means) < 3:
        return None
    return float(np.percentile(means, 90) - np.percentile(means, 10))


def _shadow(lum: np.ndarray, body: np.ndarray, bg: np.ndarray, pad: int) -> float | None:
    """Band just outside the silhouette against the background further away, ignoring the
    frame's bottom rows (the body leaves the frame there: no band to compare)."""
    h, w = lum.shape
    width = max(3, round(0.06 * max(h, w)))
    grown = cv2.dilate(body, np.ones((2 * width + 1,) * 2, np.uint8)).astype(bool)
    band = grown & bg
    far = bg & ~cv2.dilate(body, np.ones((6 * width + 1,) * 2, np.uint8)).astype(bool)
    band[int(0.85 * h):] = False
    if far.sum() < 20:
        return None
    away = float(np.median(lum[far]))
    if away <= 0:
        return None
    # a light beside the camera casts the shadow on one side: judge each side alone
    xs = np.flatnonzero(body.any(axis=0))
    mid = int(xs.mean()) if xs.size else w // 2
    worst: float | None = None
    for cols in (slice(0, mid), slice(mid, w)):
        side = band[:, cols]
        if side.sum() >= 20:
            shade = max(0.0, 1.0 - float(np.median(lum[:, cols][side])) / away)
            worst = shade if worst is None else max(worst, shade)
    return worst
