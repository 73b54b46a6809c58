"""Pieces several screens share: background preview, back button, notices, message pages."""

from __future__ import annotations

import pygame

from kiosk.frame_fit import PreviewMap
from kiosk.render import Renderer
from kiosk.screens.views import Button, View
from kiosk.states import Event, Kind
from kiosk.theme import Theme


def background_preview(r: Renderer, v: View, *, dim: int = 0,
                       box: pygame.Rect | None = None) -> PreviewMap | None:
    """The live mirrored camera, cropped to the still's aspect; darkened by ``dim``."""
    if v.frame is None:
        r.surface.fill(Theme.BG)
        return None
    pm = r.preview(v.frame, v.frame_key, box or r.surface.get_rect(), aspect=v.aspect,
                   mirror=v.mirror)
    if pm.rect.size != r.size:  # fill only the letterbox bars (a full fill costs ~1.5 ms)
        screen = r.surface.get_rect()
        for bar in (pygame.Rect(0, 0, screen.w, pm.rect.top),
                    pygame.Rect(0, pm.rect.bottom, screen.w, screen.h - pm.rect.bottom),
                    pygame.Rect(0, pm.rect.top, pm.rect.left, pm.rect.h),
                    pygame.Rect(pm.rect.right, pm.rect.top, screen.w - pm.rect.right, pm.rect.h)):
            if bar.w > 0 and bar.h > 0:
                r.surface.fill(Theme.BG, bar)
    if dim:
        r.shade(pm.rect, dim)
    return pm


def back_button(r: Renderer, v: View) -> Button:
    """Top-left, big enough for a thumb; Esc does the same."""
    label = v.words.ui("common.back")
    u = r.u
    rect = pygame.Rect(int(2 * u), int(2 * u), int(22 * u), int(10 * u))
    px = int(rect.h * 0.42)
    # Wide enough for the word in every language ("Zurück", "Indietro"), up to a limit.
    rect.w = min(int(34 * u), max(rect.w, int(rect.h * 1.25) + r.font(px).size(label)[0]))
    radius = int(rect.h // 2)
    r.shade(rect, 200, radius, color=(30, 33, 40))
    pygame.draw.rect(r.surface, Theme.FG, rect, max(2, int(0.3 * u)), border_radius=radius)
    r.back_chevron((rect.x + int(rect.h * 0.5), rect.centery), rect.h * 0.45)
    r.draw_text(label, px, Theme.FG, midleft=(rect.x + int(rect.h * 0.85), rect.centery),
                max_w=rect.right - int(rect.h * 0.4) - (rect.x + int(rect.h * 0.85)))
    return Button(rect.inflate(int(2 * u), int(2 * u)), Event(Kind.BACK), label)


def pill(r: Renderer, text: str, midtop: tuple[int, int], px: int) -> pygame.Rect:
    """A small shaded label, e.g. the preset name over the preview."""
    px = r.fit_px(text, px, int(r.w * 0.6))
    t = r.text(text, px, Theme.FG)
    rect = t.get_rect().inflate(int(px * 1.2), int(px * 0.5))
    rect.midtop = midtop
    r.shade(rect, 190, rect.h // 2)
    r.draw_text(text, px, Theme.FG, center=rect.center, max_w=int(r.w * 0.6))
    return rect


def notice(r: Renderer, text: str) -> None:
    """A one-line message across the top (storage full, camera could not focus, ...)."""
    u = r.u
    px = int(4.2 * u)
    w = int(r.w * 0.8)
    px = r.fit_px(text, px, w - int(4 * u), max_lines=2)
    lines = r.wrap(text, px, w - int(4 * u))
    h = int(len(lines) * px * 1.25 + 3 * u)
    rect = pygame.Rect(0, 0, w, h)
    rect.midtop = (r.w // 2, int(14 * u))
    pygame.draw.rect(r.surface, Theme.WARN, rect, border_radius=int(2 * u))
    r.draw_text(text, px, Theme.DARK, center=rect.center, max_w=w - int(4 * u), max_lines=2)


def message_page(r: Renderer, v: View, title: str, detail: str, *, spinner: bool = True,
                 dim: int = 215, small: str = "") -> None:
    """A calm full-screen message over the (darkened) preview: loading, reconnecting, ..."""
    background_preview(r, v, dim=dim)
    u = r.u
    cy = int(r.h * (0.36 if r.portrait else 0.34))
    if spinner:
        r.spinner((r.w // 2, cy), int(6 * u), v.t)
    title_px = int(9 * u)
    rect = r.draw_text(title, title_px, Theme.FG, midtop=(r.w // 2, cy + int(11 * u)),
                       max_w=int(r.w * 0.86), max_lines=2)
    if detail:
        rect = r.draw_text(detail, int(4.6 * u), Theme.MUTED, bold=False,
                           midtop=(r.w // 2, rect.bottom + int(4 * u)),
                           max_w=int(r.w * 0.8), max_lines=3)
    if small:
        r.draw_text(small, int(3 * u), Theme.MUTED, bold=False,
                    midtop=(r.w // 2, rect.bottom + int(4 * u)), max_w=int(r.w * 0.8))


def staff_panel(r: Renderer, lines: list[str]) -> None:
    """Along the bottom, for staff: what is wrong and the exact fix, in small type a
    guest passes over (the big words above are for them)."""
    lines = [ln for ln in lines if ln]
    if not lines:
        return
    u = r.u
    px = max(12, int(2.9 * u))
    w = int(r.w * 0.92)
    wrapped = [r.wrap(ln, px, w - int(4 * u), bold=False) for ln in lines]
    n = sum(len(x) for x in wrapped) + 1
    lh = r.font(px, False).get_linesize()
    rect = pygame.Rect(0, 0, w, n * lh + int(3 * u))
    rect.midbottom = (r.w // 2, r.h - int(2 * u))
    r.shade(rect, 215, int(1.5 * u), color=(40, 30, 24))
    pygame.draw.rect(r.surface, Theme.WARN, rect, max(2, int(0.25 * u)),
                     border_radius=int(1.5 * u))
    y = rect.y + int(1.5 * u)
    r.draw_text("For staff", px, Theme.WARN, topleft=(rect.x + int(2 * u), y))
    y += lh
    for i, group in enumerate(wrapped):
        for text in group:
            r.draw_text(text, px, Theme.FG if i == 0 else Theme.MUTED, bold=False,
                        topleft=(rect.x + int(2 * u), y), max_w=w - int(4 * u))
            y += lh
