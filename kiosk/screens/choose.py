"""Choose your use: one large card per preset, name and what it is for."""

from __future__ import annotations

import math

import pygame

from kiosk.render import Renderer
from kiosk.screens import common
from kiosk.screens.views import Button, View
from kiosk.states import Event, Kind
from kiosk.theme import Theme


def columns(size: tuple[int, int], n: int) -> int:
    """Grid width for ``n`` cards: 3 across on landscape, 1-2 on portrait."""
    w, h = size
    if h > w:
        return 1 if n <= 10 else 2
    return 1 if n <= 2 else (2 if n <= 4 else 3)


def draw(r: Renderer, v: View) -> list[Button]:
    r.surface.fill(Theme.BG)
    u = r.u
    buttons = [common.back_button(r, v)]
    question = v.words.ui("choose.title")
    if r.portrait:  # a narrow screen: the question gets its own line under Back
        title = r.draw_text(question, int(7.5 * u), Theme.FG,
                            midtop=(r.w // 2, int(15 * u)), max_w=int(r.w * 0.92))
        top = title.bottom + int(2 * u)
    else:
        top = int(15 * u)
        r.draw_text(question, int(7.5 * u), Theme.FG,
                    center=(r.w // 2, int(7 * u)), max_w=int(r.w - 56 * u))
    n = len(v.presets)
    if n == 0:
        r.draw_text(v.words.ui("choose.no_presets"), int(5 * u),
                    Theme.MUTED, center=(r.w // 2, r.h // 2), max_w=int(r.w * 0.8), max_lines=2)
        return buttons
    cols = columns(r.size, n)
    rows = math.ceil(n / cols)
    gap = int(2.2 * u)
    margin = int(3 * u)
    area = pygame.Rect(margin, top + int(2 * u), r.w - 2 * margin,
                       r.h - top - int(2 * u) - margin)
    cw = (area.w - gap * (cols - 1)) // cols
    ch = min(int(30 * u), (area.h - gap * (rows - 1)) // rows)
    # Centre the grid vertically when cards are capped in height.
    used_h = rows * ch + (rows - 1) * gap
    y0 = area.y + max(0, (area.h - used_h) // 2)
    inner_w = cw - int(1.4 * u) - 2 * int(3 * u)
    # One size for every card (a grid of mixed sizes looks broken): the largest that fits all.
    name_px = min(r.fit_px(c.name, int(min(ch * 0.3, 5.2 * u)), inner_w) for c in v.presets)
    desc_px = min(r.fit_px(c.description, int(min(ch * 0.2, 3.4 * u)), inner_w, bold=False,
                           max_lines=2) for c in v.presets)
    # Name and two lines of description inside the card, whatever the script's line height.
    room = ch - int(ch * 0.22) - int(r.font(name_px).get_linesize() * 1.12) - int(2 * u)
    while desc_px > 10 and r.font(desc_px, False).get_linesize() * 2.12 > room:
        desc_px = int(desc_px * 0.92)
    for i, card in enumerate(v.presets):
        row, col = divmod(i, cols)
        rect = pygame.Rect(area.x + col * (cw + gap), y0 + row * (ch + gap), cw, ch)
        focused = i == v.focus
        radius = int(2.2 * u)
        pygame.draw.rect(r.surface, Theme.CARD_FOCUS if focused else Theme.CARD, rect,
                         border_radius=radius)
        if focused:
            pygame.draw.rect(r.surface, Theme.ACCENT, rect, max(3, int(0.7 * u)),
                             border_radius=radius)
        # A coloured tab on the left edge makes each card read as a button.
        tab = pygame.Rect(rect.x, rect.y, int(1.4 * u), rect.h)
        pygame.draw.rect(r.surface, Theme.ACCENT, tab, border_top_left_radius=radius,
                         border_bottom_left_radius=radius)
        pad = int(3 * u)
        name_rect = r.draw_text(card.name, name_px, Theme.FG,
                                topleft=(rect.x + tab.w + pad, rect.y + int(ch * 0.14)),
                                max_w=inner_w)
        r.draw_text(card.description, desc_px, Theme.MUTED, bold=False,
                    topleft=(rect.x + tab.w + pad, name_rect.bottom + int(ch * 0.08)),
                    max_w=inner_w, max_lines=2)
        buttons.append(Button(rect, Event(Kind.SELECT, index=i), card.name))
    return buttons
