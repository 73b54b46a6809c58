"""Drawing helpers shared by the screens: camera frames, cached text and layers, shapes.

Speed rules (30 fps while coaching on a 2-core PC): a camera frame reaches the
screen through ``pygame.image.frombuffer`` (no copy), a subsurface crop, one C
flip and one C scale, and is converted once per camera frame, not once per
display frame; fonts, rendered strings and translucent panels are cached; no
per-pixel Python anywhere. Everything is sized from the screen so the same code
lays out 1280x720 to 4K, landscape or portrait.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import numpy as np
import pygame

FONT_NAMES = "dejavusans,notosans,liberationsans,freesans,arial,helvetica,nimbussans"

Color = tuple[int, int, int]


class Theme:
    """High-contrast colours (readable at 2 m under studio light)."""

    BG: Color = (14, 16, 20)
    FG: Color = (250, 250, 250)
    MUTED: Color = (190, 196, 206)
    DARK: Color = (20, 22, 26)
    ACCENT: Color = (255, 200, 40)  # warm yellow: the thing to press / the cue
    GOOD: Color = (80, 210, 120)
    WARN: Color = (255, 150, 60)
    BAD: Color = (240, 90, 80)
    CARD: Color = (40, 44, 52)
    CARD_FOCUS: Color = (62, 68, 80)
    PANEL_ALPHA = 185


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


def _to_display(surf: pygame.Surface) -> pygame.Surface:
    """``surf`` in the display's pixel format (as is when there is no display mode)."""
    try:
        return surf.convert()
    except pygame.error:
        return surf


class Renderer:
    """Owns the caches for one display surface; screens draw through it."""

    def __init__(self, surface: pygame.Surface) -> None:
        self.surface = surface
        self._fonts: dict[tuple[int, bool], pygame.font.Font] = {}
        self._texts: OrderedDict[Hashable, pygame.Surface] = OrderedDict()
        self._layers: dict[Hashable, pygame.Surface] = {}
        self._preview_key: Hashable = None
        self._preview: pygame.Surface | None = None
        self._preview_map: PreviewMap | None = None
        self._preview_dest: pygame.Surface | None = None
        self._images: OrderedDict[Hashable, pygame.Surface] = OrderedDict()
        self._fits: dict[tuple, int] = {}

    # -- geometry --------------------------------------------------------------
    @property
    def size(self) -> tuple[int, int]:
        return self.surface.get_size()

    @property
    def w(self) -> int:
        return self.surface.get_width()

    @property
    def h(self) -> int:
        return self.surface.get_height()

    @property
    def portrait(self) -> bool:
        return self.h > self.w

    @property
    def u(self) -> float:
        """One hundredth of the shorter side: the unit every size is given in."""
        return min(self.w, self.h) / 100.0

    def set_surface(self, surface: pygame.Surface) -> None:
        if surface.get_size() != self.surface.get_size():
            self._layers.clear()
            self._preview_key = None
        self.surface = surface

    # -- text ------------------------------------------------------------------
    def font(self, px: int, bold: bool = True) -> pygame.font.Font:
        px = max(8, int(px))
        key = (px, bold)
        f = self._fonts.get(key)
        if f is None:
            try:
                f = pygame.font.SysFont(FONT_NAMES, px, bold=bold)
            except Exception:  # noqa: BLE001 - any font trouble: pygame's own font
                f = None
            if f is None:
                f = pygame.font.Font(None, int(px * 1.3))
            self._fonts[key] = f
        return f

    def px_for_height(self, height: float, bold: bool = True) -> int:
        """The font size whose rendered line height is at least ``height`` pixels."""
        ratio = self.font(100, bold).get_height() / 100.0
        px = max(8, int(height / ratio))
        while self.font(px, bold).get_height() < height:
            px += 1
        return px

    def text(self, s: str, px: int, color: Color = Theme.FG, bold: bool = True) -> pygame.Surface:
        key = (s, int(px), color, bold)
        surf = self._texts.get(key)
        if surf is None:
            surf = self.font(px, bold).render(s, True, color)
            self._texts[key] = surf
            if len(self._texts) > 600:
                self._texts.popitem(last=False)
        else:
            self._texts.move_to_end(key)
        return surf

    def wrap(self, s: str, px: int, max_w: int, bold: bool = True) -> list[str]:
        font = self.font(px, bold)
        lines: list[str] = []
        for para in s.split("\n"):
            line = ""
            for word in para.split():
                trial = f"{line} {word}".strip()
                if line and font.size(trial)[0] > max_w:
                    lines.append(line)
                    line = word
                else:
                    line = trial
            lines.append(line)
        return lines

    def fit_px(self, s: str, px: int, max_w: int, *, min_px: int = 10, bold: bool = True,
               max_lines: int = 1) -> int:
        """Largest size <= px at which ``s`` fits in ``max_lines`` lines of ``max_w`` (memoized)."""
        key = (s, int(px), int(max_w), min_px, bold, max_lines)
        hit = self._fits.get(key)
        if hit is None:
            hit = self._fit_px(s, int(px), int(max_w), min_px, bold, max_lines)
            if len(self._fits) > 2000:
                self._fits.clear()
            self._fits[key] = hit
        return hit

    def _fit_px(self, s: str, px: int, max_w: int, min_px: int, bold: bool,
                max_lines: int) -> int:
        while px > min_px:
            lines = self.wrap(s, px, max_w, bold)
            if len(lines) <= max_lines and all(self.font(px, bold).size(t)[0] <= max_w
                                               for t in lines):
                return px
            px = int(px * 0.92)
        return min_px

    def draw_text(self, s: str, px: int, color: Color = Theme.FG, *, bold: bool = True,
                  center: tuple[int, int] | None = None, topleft: tuple[int, int] | None = None,
                  midleft: tuple[int, int] | None = None, midtop: tuple[int, int] | None = None,
                  max_w: int | None = None, max_lines: int = 1,
                  line_gap: float = 1.12) -> pygame.Rect:
        """Draw (wrapped and shrunk to fit ``max_w`` if given); returns the covered rect."""
        if max_w is not None:
            px = self.fit_px(s, px, max_w, bold=bold, max_lines=max_lines)
            lines = self.wrap(s, px, max_w, bold) if max_lines > 1 else [s]
        else:
            lines = s.split("\n")
        surfs = [self.text(t, px, color, bold) for t in lines]
        step = int(self.font(px, bold).get_linesize() * line_gap)
        total_h = step * (len(surfs) - 1) + surfs[-1].get_height()
        total_w = max(t.get_width() for t in surfs)
        box = pygame.Rect(0, 0, total_w, total_h)
        if center is not None:
            box.center = center
        elif midleft is not None:
            box.midleft = midleft
        elif midtop is not None:
            box.midtop = midtop
        elif topleft is not None:
            box.topleft = topleft
        for i, t in enumerate(surfs):
            r = t.get_rect()
            r.top = box.top + i * step
            if midleft is not None or topleft is not None:
                r.left = box.left
            else:
                r.centerx = box.centerx
            self.surface.blit(t, r)
        return box

    # -- cached layers ---------------------------------------------------------
    def layer(self, key: Hashable, size: tuple[int, int],
              build: Callable[[pygame.Surface], None]) -> pygame.Surface:
        """A translucent surface built once per (key, size) and reused every frame."""
        k = (key, size)
        surf = self._layers.get(k)
        if surf is None:
            surf = pygame.Surface(size, pygame.SRCALPHA)
            build(surf)
            self._layers[k] = surf
            if len(self._layers) > 200:
                self._layers.pop(next(iter(self._layers)))
        return surf

    def shade(self, rect: pygame.Rect, alpha: int = Theme.PANEL_ALPHA, radius: int = 0,
              color: Color = (0, 0, 0)) -> None:
        """Darken ``rect`` (a cached translucent panel)."""
        def build(s: pygame.Surface) -> None:
            pygame.draw.rect(s, (*color, alpha), s.get_rect(), border_radius=radius)

        self.surface.blit(self.layer(("shade", alpha, radius, color), rect.size, build), rect)

    # -- camera frames and photos ----------------------------------------------
    def preview(self, img: np.ndarray, key: Hashable, box: pygame.Rect, *,
                aspect: float | None, mirror: bool = True, smooth: bool = False) -> PreviewMap:
        """Draw a camera frame fitted in ``box``, cropped to ``aspect``, mirrored.

        The conversion runs once per ``key`` (the frame index); later calls with
        the same key only blit the cached surface.
        """
        fh, fw = img.shape[:2]
        crop = crop_to_aspect(fw, fh, aspect)
        rect = fit_rect((crop[2], crop[3]), box)
        full_key = (key, rect.size, crop, mirror, smooth)
        if full_key != self._preview_key or self._preview is None:
            src = rgb_surface(img).subsurface(pygame.Rect(crop))
            shrink = rect.w * rect.h < crop[2] * crop[3]
            scale = pygame.transform.smoothscale if smooth else pygame.transform.scale
            # Work at the smaller of the two sizes, and in the display's pixel format
            # (a 24-bit surface costs a per-pixel conversion on every blit): ~25% less
            # time per camera frame at 720p -> 1080p than scaling the 24-bit frame.
            if shrink:
                out = _to_display(scale(src, rect.size))
                if mirror:
                    out = pygame.transform.flip(out, True, False)
            else:
                src = _to_display(src)
                if mirror:
                    src = pygame.transform.flip(src, True, False)
                dest = self._preview_dest
                if dest is None or dest.get_size() != rect.size or \
                        dest.get_bitsize() != src.get_bitsize() or smooth:
                    dest = scale(src, rect.size)
                    self._preview_dest = dest
                else:
                    scale(src, rect.size, dest)
                out = dest
            self._preview = out
            self._preview_key = full_key
            self._preview_map = PreviewMap(rect, crop, (fw, fh), mirror)
        self.surface.blit(self._preview, rect)
        assert self._preview_map is not None
        return PreviewMap(rect, crop, (fw, fh), mirror)

    def photo(self, img: np.ndarray, key: Hashable, box: pygame.Rect) -> pygame.Rect:
        """Draw a still (unmirrored: a photo reads as others will see it), fitted, smooth."""
        rect = fit_rect((img.shape[1], img.shape[0]), box)
        k = (key, rect.size)
        surf = self._images.get(k)
        if surf is None:
            surf = pygame.transform.smoothscale(rgb_surface(img), rect.size)
            self._images[k] = surf
            if len(self._images) > 8:
                self._images.popitem(last=False)
        self.surface.blit(surf, rect)
        return rect

    # -- shapes ----------------------------------------------------------------
    def button(self, rect: pygame.Rect, label: str, *, primary: bool = True,
               focused: bool = False, px: int | None = None, sub: str | None = None) -> None:
        """A big rounded touch target; the focused one has a thick outline."""
        radius = int(min(rect.h * 0.3, 3 * self.u))
        if primary:
            pygame.draw.rect(self.surface, Theme.ACCENT, rect, border_radius=radius)
            fg = Theme.DARK
        else:
            self.shade(rect, 200, radius, color=(30, 33, 40))
            pygame.draw.rect(self.surface, Theme.FG, rect, max(2, int(0.35 * self.u)),
                             border_radius=radius)
            fg = Theme.FG
        if focused:
            pad = max(3, int(0.7 * self.u))
            pygame.draw.rect(self.surface, Theme.FG if primary else Theme.ACCENT,
                             rect.inflate(2 * pad, 2 * pad), max(3, int(0.5 * self.u)),
                             border_radius=radius + pad)
        px = px or int(rect.h * 0.38)
        if sub:
            self.draw_text(label, px, fg, center=(rect.centerx, rect.y + int(rect.h * 0.38)),
                           max_w=int(rect.w * 0.9))
            self.draw_text(sub, int(px * 0.55), fg, bold=False,
                           center=(rect.centerx, rect.y + int(rect.h * 0.72)),
                           max_w=int(rect.w * 0.9))
        else:
            self.draw_text(label, px, fg, center=rect.center, max_w=int(rect.w * 0.9))

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
