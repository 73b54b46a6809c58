"""Welcome: the live mirror with one big invitation. A tap anywhere starts."""

from __future__ import annotations

import math

import pygame

from kiosk.render import Renderer
from kiosk.screens import common
from kiosk.screens.views import Button, View
from kiosk.states import Event, Kind
from kiosk.theme import Theme


def draw(r: Renderer, v: View) -> list[Button]:
    common.background_preview(r, v, dim=120)
    u = r.u
    # Title band across the upper part, readable over any background; its height
    # follows the text (the title wraps on a narrow portrait screen).
    title = v.words.ui("welcome.title")
    title_px = r.fit_px(title, int(10 * u), int(r.w * 0.9), max_lines=2)
    title_lines = r.wrap(title, title_px, int(r.w * 0.9))
    sub = v.words.ui("welcome.subtitle")
    sub_px = r.fit_px(sub, int(4.6 * u), int(r.w * 0.86), bold=False, max_lines=2)
    sub_lines = r.wrap(sub, sub_px, int(r.w * 0.86), bold=False)
    title_h = len(title_lines) * r.font(title_px).get_linesize()
    sub_h = len(sub_lines) * r.font(sub_px, False).get_linesize()
    pad = int(3 * u)
    band = pygame.Rect(0, int(r.h * (0.1 if r.portrait else 0.1)), r.w,
                       title_h + sub_h + 3 * pad)
    r.shade(band, 170)
    t = r.draw_text(title, title_px, Theme.FG,
                    midtop=(r.w // 2, band.y + pad), max_w=int(r.w * 0.9), max_lines=2)
    r.draw_text(sub, sub_px, Theme.MUTED, bold=False, midtop=(r.w // 2, t.bottom + pad),
                max_w=int(r.w * 0.86), max_lines=2)
    # The big button, gently breathing so the eye finds it.
    bw, bh = int(min(r.w * 0.7, 64 * u)), int(16 * u)
    rect = pygame.Rect(0, 0, bw, bh)
    rect.center = (r.w // 2, int(r.h * (0.7 if r.portrait else 0.7)))
    pulse = 0.5 + 0.5 * math.sin(v.t * 3.0)
    glow = rect.inflate(int(2 * u + 2 * u * pulse), int(2 * u + 2 * u * pulse))
    r.shade(glow, int(60 + 60 * pulse), glow.h // 2, color=Theme.ACCENT)
    pygame.draw.rect(r.surface, Theme.ACCENT, rect, border_radius=rect.h // 2)
    r.draw_text(v.words.ui("welcome.start"), int(7 * u), Theme.DARK, center=rect.center,
                max_w=int(rect.w * 0.86))
    if v.button:  # only a booth with a button says so (ui.button)
        r.draw_text(v.words.ui("welcome.or_button"), int(3.6 * u), Theme.FG, bold=False,
                    midtop=(r.w // 2, rect.bottom + int(3.5 * u)))
    whole = r.surface.get_rect()
    return [Button(whole, Event(Kind.START), "start")]
