"""Drawing helpers shared by the screens: camera frames, cached text and layers, buttons.

Speed rules (30 fps while coaching on a 2-core PC): a camera frame reaches the
screen through ``pygame.image.frombuffer`` (no copy), a subsurface crop, one C
flip and one C scale, and is converted once per camera frame, not once per
display frame; fonts, rendered strings and translucent panels are cached; no
per-pixel Python anywhere. Everything is sized from the screen so the same code
lays out 1280x720 to 4K, landscape or portrait.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pygame

from kiosk import fonts
from kiosk.contrast import text_contrast
from kiosk.frame_fit import PreviewMap, crop_to_aspect, fit_rect, rgb_surface, to_display
from kiosk.shapes import ShapeDrawing
from kiosk.theme import Color, Theme

__all__ = ["FONT_NAMES", "Color", "PreviewMap", "Renderer", "Theme", "crop_to_aspect",
           "fit_rect", "rgb_surface"]

FONT_NAMES = fonts.LATIN


@dataclass(frozen=True)
class DrawnText:
    """One text as drawn (recorded when :attr:`Renderer.drawn` is a list)."""

    text: str
    asked_px: int  # the size the screen asked for
    px: int  # the size it was drawn at (shrunk to fit max_w)
    max_w: int | None
    max_lines: int
    lines: int
    rect: pygame.Rect
    bold: bool
    language: str = "en"  # whose font drew it
    color: Color = (250, 250, 250)
    contrast: float | None = None  # WCAG ratio on the surface (when measuring contrast)


class Renderer(ShapeDrawing):
    """Owns the caches for one display surface; screens draw through it."""

    def __init__(self, surface: pygame.Surface) -> None:
        self.surface = surface
        self._fonts: dict[tuple[str, int, bool], pygame.font.Font] = {}
        self._texts: OrderedDict[Hashable, pygame.Surface] = OrderedDict()
        self._layers: dict[Hashable, pygame.Surface] = {}
        self._preview_key: Hashable = None
        self._preview: pygame.Surface | None = None
        self._preview_map: PreviewMap | None = None
        self._preview_dest: pygame.Surface | None = None
        self._images: OrderedDict[Hashable, pygame.Surface] = OrderedDict()
        self._fits: dict[tuple, int] = {}
        self.language = "en"
        self._families = fonts.families("en")
        #: Set to a list to record every text drawn (the fit checks and tests read it).
        self.drawn: list[DrawnText] | None = None
        #: With ``drawn``: also measure each text's contrast on the surface (slow: checks).
        self.measure_contrast = False

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
    def set_language(self, language: str) -> None:
        """Draw text in a font that has every glyph of ``language`` (the caches are kept
        per font, so switching back and forth costs nothing)."""
        self.language = language
        self._families = fonts.families(language)

    @contextmanager
    def language_fonts(self, language: str) -> Iterator[None]:
        """Draw in ``language``'s font for a moment (a language's own name in the picker)."""
        before = self.language
        self.set_language(language)
        try:
            yield
        finally:
            self.set_language(before)

    def font(self, px: int, bold: bool = True) -> pygame.font.Font:
        px = max(8, int(px * Theme.TEXT_SCALE))  # the large-text theme: every font larger
        key = (self._families, px, bold)
        f = self._fonts.get(key)
        if f is None:
            try:
                f = pygame.font.SysFont(self._families, px, bold=bold)
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
        key = (s, int(px), color, bold, self._families)
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
            for piece, spaced in fonts.tokens(para):
                trial = f"{line} {piece}" if line and spaced else line + piece
                if line and font.size(trial)[0] > max_w:
                    lines.append(line)
                    line = piece
                else:
                    line = trial
            lines.append(line)
        return lines

    def fit_px(self, s: str, px: int, max_w: int, *, min_px: int = 10, bold: bool = True,
               max_lines: int = 1) -> int:
        """Largest size <= px at which ``s`` fits in ``max_lines`` lines of ``max_w`` (memoized)."""
        key = (s, int(px), int(max_w), min_px, bold, max_lines, self._families)
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
        """Draw (wrapped and shrunk to fit ``max_w`` if given); returns the covered rect.

        The first anchor given wins, in the order center, midleft, midtop, topleft; lines
        are left-aligned under a midleft/topleft anchor and centred otherwise.
        """
        asked = px
        px, lines = self._fitted_lines(s, px, bold, max_w, max_lines)
        surfs = [self.text(t, px, color, bold) for t in lines]
        step = int(self.font(px, bold).get_linesize() * line_gap)
        total_h = step * (len(surfs) - 1) + surfs[-1].get_height()
        total_w = max(t.get_width() for t in surfs)
        box = pygame.Rect(0, 0, total_w, total_h)
        _anchor(box, center=center, midleft=midleft, midtop=midtop, topleft=topleft)
        left_aligned = midleft is not None or topleft is not None
        area = box.clip(self.surface.get_rect())
        before = (pygame.surfarray.array3d(self.surface.subsurface(area))
                  if self.drawn is not None and self.measure_contrast and area.size[0] > 0
                  and area.size[1] > 0 else None)
        for i, t in enumerate(surfs):
            r = t.get_rect()
            r.top = box.top + i * step
            if left_aligned:
                r.left = box.left
            else:
                r.centerx = box.centerx
            self.surface.blit(t, r)
        if self.drawn is not None:
            contrast = None
            if before is not None:
                after = pygame.surfarray.array3d(self.surface.subsurface(area))
                contrast = text_contrast(before, after, color)
            self.drawn.append(DrawnText(s, asked, px, max_w, max_lines, len(lines), box.copy(),
                                        bold, self.language, color, contrast))
        return box

    def _fitted_lines(self, s: str, px: int, bold: bool, max_w: int | None,
                      max_lines: int) -> tuple[int, list[str]]:
        """The size to draw ``s`` at and its lines: shrunk and wrapped to ``max_w`` if given."""
        if max_w is None:
            return px, s.split("\n")
        px = self.fit_px(s, px, max_w, bold=bold, max_lines=max_lines)
        return px, (self.wrap(s, px, max_w, bold) if max_lines > 1 else [s])

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
        """Darken ``rect`` (a cached translucent panel; the large-contrast theme makes
        every dark panel near-opaque)."""
        if color == (0, 0, 0) or color == (30, 33, 40):
            alpha = max(alpha, Theme.MIN_SHADE)
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
            self._preview = self._scaled_preview(img, crop, rect.size, mirror, smooth)
            self._preview_key = full_key
            self._preview_map = PreviewMap(rect, crop, (fw, fh), mirror)
        self.surface.blit(self._preview, rect)
        assert self._preview_map is not None
        return PreviewMap(rect, crop, (fw, fh), mirror)

    def _scaled_preview(self, img: np.ndarray, crop: tuple[int, int, int, int],
                        size: tuple[int, int], mirror: bool, smooth: bool) -> pygame.Surface:
        """The cropped frame scaled to ``size`` (and mirrored), in the display's format."""
        src = rgb_surface(img).subsurface(pygame.Rect(crop))
        scale = pygame.transform.smoothscale if smooth else pygame.transform.scale
        # Work at the smaller of the two sizes, and in the display's pixel format
        # (a 24-bit surface costs a per-pixel conversion on every blit): ~25% less
        # time per camera frame at 720p -> 1080p than scaling the 24-bit frame.
        if size[0] * size[1] < crop[2] * crop[3]:
            out = to_display(scale(src, size))
            return pygame.transform.flip(out, True, False) if mirror else out
        src = to_display(src)
        if mirror:
            src = pygame.transform.flip(src, True, False)
        dest = self._preview_dest
        if dest is None or dest.get_size() != size or \
                dest.get_bitsize() != src.get_bitsize() or smooth:
            dest = scale(src, size)
            self._preview_dest = dest
        else:
            scale(src, size, dest)
        return dest

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


def _anchor(box: pygame.Rect, *, center: tuple[int, int] | None,
            midleft: tuple[int, int] | None, midtop: tuple[int, int] | None,
            topleft: tuple[int, int] | None) -> None:
    """Place ``box`` by the first anchor given (center, midleft, midtop, topleft)."""
    if center is not None:
        box.center = center
    elif midleft is not None:
        box.midleft = midleft
    elif midtop is not None:
        box.midtop = midtop
    elif topleft is not None:
        box.topleft = topleft
