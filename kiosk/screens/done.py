"""Done: saved, a short session code to show staff, then back to start.

Guests never see a file system path (``View.location`` is for the operator overlay
and the log); they get the code, how many photos were saved and their favourite.
"""

from __future__ import annotations

import pygame

from kiosk.render import Renderer
from kiosk.screens.qr import qr_surface
from kiosk.screens.views import Button, View
from kiosk.states import Event, Kind
from kiosk.theme import Theme


def draw(r: Renderer, v: View) -> list[Button]:
    r.surface.fill(Theme.BG)
    u = r.u
    cx, tw = r.w // 2, int(r.w * 0.9)
    if v.done_qr and not r.portrait:  # landscape: the code on the right, the words left
        cx, tw = int(r.w * 0.36), int(r.w * 0.6)
        draw_qr(r, v.done_qr, (int(r.w * 0.8), r.h // 2), int(min(r.h * 0.6, r.w * 0.3)))
    y = int(r.h * (0.14 if r.portrait else 0.06))
    badge = int(7 * u)
    saved = bool(v.location) and not v.location.startswith("(")
    pygame.draw.circle(r.surface, Theme.GOOD if saved else Theme.WARN, (cx, y + badge), badge)
    if saved:
        r.check((cx, y + badge), badge * 1.1, Theme.DARK)
    else:
        r.draw_text("!", int(badge * 1.5), Theme.DARK, center=(cx, y + badge))
    w = v.words
    title = w.ui("done.title_saved" if saved else "done.title")
    rect = r.draw_text(title, int(8 * u), Theme.FG,
                       midtop=(cx, y + 2 * badge + int(2 * u)), max_w=tw)
    if not saved:
        rect = r.draw_text(w.ui("done.not_saved"), int(4.6 * u), Theme.FG, bold=False,
                           midtop=(cx, rect.bottom + int(4 * u)), max_w=tw,
                           max_lines=3)
    elif v.session_code:
        rect = r.draw_text(w.ui("done.code_label"), int(4.2 * u), Theme.MUTED, bold=False,
                           midtop=(cx, rect.bottom + int(3 * u)), max_w=tw)
        code_box = pygame.Rect(0, 0, int(min(tw * 0.9, 60 * u)), int(14 * u))
        code_box.midtop = (cx, rect.bottom + int(2 * u))
        pygame.draw.rect(r.surface, Theme.CARD, code_box, border_radius=int(2 * u))
        r.draw_text(v.session_code, int(11 * u), Theme.ACCENT, center=code_box.center,
                    max_w=code_box.w - int(4 * u))
        rect = code_box
        if v.staffed:  # a self-service booth has nobody to show it to (ui.staffed)
            rect = r.draw_text(w.ui("done.show_code_many" if v.saved_count > 1
                                    else "done.show_code_one"),
                               int(4 * u), Theme.FG, bold=False,
                               midtop=(cx, rect.bottom + int(2.5 * u)), max_w=tw,
                               max_lines=2)
    if saved:
        rect = r.draw_text(saved_line(v), int(3.4 * u), Theme.MUTED, bold=False,
                           midtop=(cx, rect.bottom + int(2 * u)), max_w=tw,
                           max_lines=2)
    for line in v.done_items[:4]:  # what the plugins delivered ("Printed: 1 sheet")
        rect = r.draw_text(line, int(3.6 * u), Theme.FG, bold=False,
                           midtop=(cx, rect.bottom + int(1.5 * u)), max_w=tw,
                           max_lines=2)
    if v.done_qr and r.portrait:  # portrait: the code under the words
        side = int(min(r.w * 0.5, r.h * 0.25))
        rect = draw_qr(r, v.done_qr, (cx, rect.bottom + int(2 * u) + side // 2), side)
    bw, bh = int(min(r.w * 0.6, 50 * u)), int(12 * u)
    btn = pygame.Rect(0, 0, bw, bh)
    # Under the words, never over them; at the bottom when there is room to spare.
    btn.centerx = cx
    btn.top = max(rect.bottom + int(4 * u), min(r.h - int(9 * u) - bh, rect.bottom + int(12 * u)))
    r.button(btn, w.ui("done.finish"), primary=True, focused=True)
    left = max(0, int(v.seconds_left + 0.999))
    r.draw_text(w.ui("done.countdown", seconds=left), int(3.4 * u), Theme.MUTED, bold=False,
                midtop=(cx, btn.bottom + int(2 * u)), max_w=int(r.w * 0.9))
    return [Button(btn, Event(Kind.OK), "finish")]


def draw_qr(r: Renderer, payload: str, center: tuple[int, int], side: int) -> pygame.Rect:
    """The hand-off link's QR code, centred on ``center``; returns where it went."""
    surf = qr_surface(payload, max(64, side))
    return r.surface.blit(surf, surf.get_rect(center=center))


def saved_line(v: View) -> str:
    """What was saved, in words: never a path (that is for the operator)."""
    n = max(1, v.saved_count)
    w = v.words
    if n == 1:  # "nothing is uploaded" only when nothing is (mirror: off)
        words = w.ui("done.saved_one" if v.uploads else "done.stays_here")
    elif v.favourite is not None:
        words = w.ui("done.all_saved_favourite", n=n, number=v.favourite + 1)
    else:
        words = w.ui("done.all_saved", n=n)
    if not v.session_code and v.staffed:
        words += " " + w.ui("done.ask_staff")
    return words
