"""Icons and cues drawn with pygame primitives: no asset files, crisp at any screen size.

:class:`ShapeDrawing` is a mixin for :class:`~kiosk.render.Renderer`: it draws
on ``self.surface`` and needs nothing else, so the screens keep calling
``r.arrow(...)`` and friends.
"""

from __future__ import annotations

import math

import pygame

from kiosk.theme import Color, Theme


class ShapeDrawing:
    """Arrows, rings, spinners and small icons, drawn onto ``self.surface``."""

    surface: pygame.Surface

    def arrow(self, center: tuple[int, int], direction: str, size: float,
              color: Color = Theme.ACCENT, outline: Color = Theme.DARK) -> None:
        """A fat arrow; ``direction`` in left/right/up/down (screen directions)."""
        angle = {"right": 0.0, "down": 90.0, "left": 180.0, "up": 270.0}.get(direction)
        if angle is None:
            return
        s = size
        pts = [(-0.5, -0.18), (0.08, -0.18), (0.08, -0.42), (0.5, 0.0), (0.08, 0.42),
               (0.08, 0.18), (-0.5, 0.18)]
        a = math.radians(angle)
        ca, sa = math.cos(a), math.sin(a)
        poly = [(center[0] + s * (x * ca - y * sa), center[1] + s * (x * sa + y * ca))
                for x, y in pts]
        pygame.draw.polygon(self.surface, color, poly)
        pygame.draw.polygon(self.surface, outline, poly, max(2, int(s * 0.05)))

    def zoom_cue(self, center: tuple[int, int], size: float, outward: bool,
                 color: Color = Theme.ACCENT) -> None:
        """Four corner arrows: outward = come closer (bigger), inward = step back."""
        for dx, dy in ((-1, -1), (1, -1), (-1, 1), (1, 1)):
            base = (center[0] + dx * size * 0.28, center[1] + dy * size * 0.28)
            tip = (center[0] + dx * size * 0.5, center[1] + dy * size * 0.5)
            if not outward:
                base, tip = tip, base
            pygame.draw.line(self.surface, color, base, tip, max(3, int(size * 0.08)))
            # arrow head at the tip: two short strokes along the axes, pointing back
            hx = -dx if outward else dx
            hy = -dy if outward else dy
            head = size * 0.14
            w = max(3, int(size * 0.08))
            pygame.draw.line(self.surface, color, tip, (tip[0] + hx * head, tip[1]), w)
            pygame.draw.line(self.surface, color, tip, (tip[0], tip[1] + hy * head), w)

    def ring(self, center: tuple[int, int], radius: int, fraction: float, *,
             width: int | None = None, color: Color = Theme.GOOD,
             track: Color = (70, 74, 82)) -> None:
        """A progress ring filling clockwise from 12 o'clock (polygon: no arc gaps)."""
        width = width or max(4, radius // 5)
        pygame.draw.circle(self.surface, track, center, radius, width)
        fraction = max(0.0, min(1.0, fraction))
        if fraction <= 0:
            return
        n = max(2, int(72 * fraction))
        outer, inner = [], []
        for i in range(n + 1):
            a = -math.pi / 2 + 2 * math.pi * fraction * i / n
            ca, sa = math.cos(a), math.sin(a)
            outer.append((center[0] + radius * ca, center[1] + radius * sa))
            inner.append((center[0] + (radius - width) * ca, center[1] + (radius - width) * sa))
        pygame.draw.polygon(self.surface, color, outer + inner[::-1])

    def spinner(self, center: tuple[int, int], radius: int, t: float,
                color: Color = Theme.FG) -> None:
        """Eight dots chasing round: something is happening, calmly."""
        for i in range(8):
            a = 2 * math.pi * i / 8 + t * 2.5
            fade = (i / 8.0)
            c = tuple(int(v * (0.25 + 0.75 * fade)) for v in color)
            p = (center[0] + radius * math.cos(a), center[1] + radius * math.sin(a))
            pygame.draw.circle(self.surface, c, p, max(2, radius // 5))

    def camera_icon(self, center: tuple[int, int], size: float, color: Color = Theme.FG) -> None:
        w, h = size, size * 0.66
        body = pygame.Rect(0, 0, int(w), int(h))
        body.center = (center[0], int(center[1] + size * 0.06))
        pygame.draw.rect(self.surface, color, body, border_radius=int(size * 0.1))
        top = pygame.Rect(0, 0, int(w * 0.36), int(h * 0.24))
        top.midbottom = (body.centerx, body.top + 2)
        pygame.draw.rect(self.surface, color, top, border_radius=int(size * 0.05))
        pygame.draw.circle(self.surface, Theme.DARK, body.center, int(h * 0.34))
        pygame.draw.circle(self.surface, color, body.center, int(h * 0.22))

    def check(self, center: tuple[int, int], size: float, color: Color = Theme.GOOD) -> None:
        x, y = center
        pts = [(x - size * 0.4, y), (x - size * 0.1, y + size * 0.3), (x + size * 0.45,
                                                                        y - size * 0.35)]
        pygame.draw.lines(self.surface, color, False, pts, max(3, int(size * 0.18)))

    def back_chevron(self, center: tuple[int, int], size: float, color: Color = Theme.FG) -> None:
        x, y = center
        pts = [(x + size * 0.2, y - size * 0.4), (x - size * 0.25, y), (x + size * 0.2,
                                                                        y + size * 0.4)]
        pygame.draw.lines(self.surface, color, False, pts, max(3, int(size * 0.16)))
