"""Capture: a white flash, then a calm "saving" line while the still arrives."""

from __future__ import annotations

from kiosk.render import Renderer
from kiosk.screens import coaching, common
from kiosk.screens.views import Button, View
from kiosk.theme import Theme


def draw(r: Renderer, v: View) -> list[Button]:
    box, band = coaching.layout(r)
    common.background_preview(r, v, box=box)
    r.shade(band, 200)
    u = r.u
    r.spinner((int(band.x + 8 * u), band.centery), int(3.5 * u), v.t)
    r.draw_text(v.words.ui("capture.saving"), coaching.prompt_px(r), Theme.GOOD,
                midleft=(int(band.x + 15 * u), band.centery), max_w=int(band.w - 20 * u))
    if v.flash > 0:
        r.shade(r.surface.get_rect(), int(255 * min(1.0, v.flash)), color=(255, 255, 255))
    return []
