"""Welcome: the live mirror with one big invitation. A tap anywhere starts."""

from __future__ import annotations

import math

import pygame

from kiosk.render import Renderer, Theme
from kiosk.screens import Button, View, common
from kiosk.states import Event, Kind


def draw(r: Renderer, v: View) -> list[Button]:
    common.background_preview(r, v, dim=120)
    u = r.u
    # Title band across the upper part, readable over any background.
    band = pygame.Rect(0, int(r.h * (0.14 if r.portrait else 0.1)), r.w,
                       int(r.h * (0.2 if r.portrait else 0.28)))
    r.shade(band, 170)
    r.draw_text("Let's take your headshot", int(10 * u), Theme.FG,
                center=(r.w // 2, band.y + int(band.h * 0.38)), max_w=int(r.w * 0.9),
                max_lines=2)
    r.draw_text("We'll coach you to a great photo in about a minute.", int(4.6 * u),
                Theme.MUTED, bold=False, center=(r.w // 2, band.y + int(band.h * 0.78)),
                max_w=int(r.w * 0.86), max_lines=2)
    # The big button, gently breathing so the eye finds it.
    bw, bh = int(min(r.w * 0.7, 64 * u)), int(16 * u)
    rect = pygame.Rect(0, 0, bw, bh)
    rect.center = (r.w // 2, int(r.h * (0.7 if r.portrait else 0.7)))
    pulse = 0.5 + 0.5 * math.sin(v.t * 3.0)
    glow = rect.inflate(int(2 * u + 2 * u * pulse), int(2 * u + 2 * u * pulse))
    r.shade(glow, int(60 + 60 * pulse), glow.h // 2, color=Theme.ACCENT)
    pygame.draw.rect(r.surface, Theme.ACCENT, rect, border_radius=rect.h // 2)
    r.draw_text("Touch to start", int(7 * u), Theme.DARK, center=rect.center,
                max_w=int(rect.w * 0.86))
    r.draw_text("or press the button", int(3.6 * u), Theme.FG, bold=False,
                midtop=(r.w // 2, rect.bottom + int(3.5 * u)))
    whole = r.surface.get_rect()
    return [Button(whole, Event(Kind.START), "start")]
