"""Welcome: the live mirror with one big invitation. A tap anywhere starts; a row of
large buttons, each in its own language and script, picks the guest's language."""

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
    rect.center = (r.w // 2, int(r.h * (0.62 if v.languages and not r.portrait else 0.7)))
    pulse = 0.5 + 0.5 * math.sin(v.t * 3.0)
    glow = rect.inflate(int(2 * u + 2 * u * pulse), int(2 * u + 2 * u * pulse))
    r.shade(glow, int(60 + 60 * pulse), glow.h // 2, color=Theme.ACCENT)
    pygame.draw.rect(r.surface, Theme.ACCENT, rect, border_radius=rect.h // 2)
    r.draw_text(v.words.ui("welcome.start"), int(7 * u), Theme.DARK, center=rect.center,
                max_w=int(rect.w * 0.86))
    if v.button:  # only a booth with a button says so (ui.button); on its own shaded pill
        common.pill(r, v.words.ui("welcome.or_button"), (r.w // 2, rect.bottom + int(3 * u)),
                    int(3.6 * u))
    whole = r.surface.get_rect()
    # The language buttons come last: a tap on one wins over the whole-screen start.
    return [Button(whole, Event(Kind.START), "start"), *_languages(r, v)]


def _languages(r: Renderer, v: View) -> list[Button]:
    """One button per offered language, named in that language (its own font), the
    booth's default first, the current one filled; one row, or two on a narrow screen."""
    if not v.languages:
        return []
    u = r.u
    bh, gap = int(10 * u), int(2 * u)
    names = [name for _code, name in v.languages]
    px = int(4.2 * u)

    def widths(px: int) -> list[int]:
        out = []
        for code, name in v.languages:
            with r.language_fonts(code):
                out.append(max(int(16 * u), r.font(px).size(name)[0] + int(6 * u)))
        return out

    rows = [names]
    while sum(widths(px)) + gap * (len(names) - 1) > r.w * 0.94 and px > int(3 * u):
        px = int(px * 0.92)
    if sum(widths(px)) + gap * (len(names) - 1) > r.w * 0.94:
        half = (len(names) + 1) // 2
        rows = [names[:half], names[half:]]
    ws = widths(px)
    buttons: list[Button] = []
    i = 0
    top = r.h - int(4 * u) - len(rows) * bh - (len(rows) - 1) * gap
    for row_i, row in enumerate(rows):
        row_ws = ws[i:i + len(row)]
        x = (r.w - sum(row_ws) - gap * (len(row) - 1)) // 2
        y = top + row_i * (bh + gap)
        for w in row_ws:
            code, name = v.languages[i]
            rect = pygame.Rect(x, y, w, bh)
            current = code == v.words.language
            with r.language_fonts(code):
                r.button(rect, name, primary=current, focused=current, px=px)
            buttons.append(Button(rect, Event(Kind.LANGUAGE, data=code), name))
            x += w + gap
            i += 1
    return buttons
