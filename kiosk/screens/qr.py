"""A QR code as a pygame surface (segno: pure Python, no image library needed, and it
picks the smallest symbol for the payload). Cached per payload and size: the done
screen redraws it every frame."""

from __future__ import annotations

from functools import lru_cache

import pygame
import segno

#: Quiet zone in modules, as the QR standard asks (phones read it far better).
BORDER = 4


@lru_cache(maxsize=8)
def qr_surface(payload: str, side: int) -> pygame.Surface:
    """Black modules on white, ``side`` pixels square (whole pixels per module)."""
    matrix = segno.make(payload, error="m").matrix
    n = len(matrix) + 2 * BORDER
    module = max(1, side // n)
    surf = pygame.Surface((n * module, n * module))
    surf.fill((255, 255, 255))
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                surf.fill((0, 0, 0), ((x + BORDER) * module, (y + BORDER) * module,
                                      module, module))
    return surf
