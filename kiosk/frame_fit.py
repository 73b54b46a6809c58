"""Where a camera frame lands on screen: aspect crops, fitting, and the frame-to-screen map.

Inference runs on the unmirrored frame while the preview is cropped to the
still's aspect and mirrored; :class:`PreviewMap` carries that mapping so overlays
(face box, framing guide, arrows) are drawn where the sitter sees themself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pygame


@dataclass(frozen=True)
class PreviewMap:
    """Where a camera frame landed: maps frame fractions to screen pixels."""

    rect: pygame.Rect  # on screen
    crop: tuple[int, int, int, int]  # x, y, w, h in frame pixels
    frame_size: tuple[int, int]  # w, h
    mirror: bool

    def to_screen(self, fx: float, fy: float) -> tuple[int, int]:
        """(fx, fy) = fractions of the UNMIRRORED full frame -> screen pixel."""
        fw, fh = self.frame_size
        cx, cy, cw, ch = self.crop
        u = (fx * fw - cx) / cw
        v = (fy * fh - cy) / ch
        if self.mirror:
            u = 1.0 - u
        return (int(self.rect.x + u * self.rect.w), int(self.rect.y + v * self.rect.h))

    def scale(self) -> float:
        """Screen pixels per frame pixel."""
        return self.rect.h / self.crop[3]


def crop_to_aspect(w: int, h: int, aspect: float | None) -> tuple[int, int, int, int]:
    """Centre crop of a w x h frame to ``aspect`` = width / height (None: whole frame)."""
    if not aspect or aspect <= 0:
        return (0, 0, w, h)
    if w / h > aspect:
        cw = max(1, int(round(h * aspect)))
        return ((w - cw) // 2, 0, cw, h)
    ch = max(1, int(round(w / aspect)))
    return (0, (h - ch) // 2, w, ch)


def fit_rect(content: tuple[int, int], box: pygame.Rect) -> pygame.Rect:
    """The largest rect of ``content``'s aspect centred in ``box``."""
    cw, ch = content
    s = min(box.w / cw, box.h / ch)
    w, h = max(1, int(cw * s)), max(1, int(ch * s))
    return pygame.Rect(box.x + (box.w - w) // 2, box.y + (box.h - h) // 2, w, h)


def rgb_surface(img: np.ndarray) -> pygame.Surface:
    """Wrap an RGB uint8 (H, W, 3) array without copying (the array must stay alive)."""
    if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(f"expected an RGB uint8 image, got {img.dtype} {img.shape}")
    if not img.flags.c_contiguous:
        img = np.ascontiguousarray(img)
    return pygame.image.frombuffer(img, (img.shape[1], img.shape[0]), "RGB")


def to_display(surf: pygame.Surface) -> pygame.Surface:
    """``surf`` in the display's pixel format (as is when there is no display mode)."""
    try:
        return surf.convert()
    except pygame.error:
        return surf
