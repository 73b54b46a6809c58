"""Failsafe: something unexpected happened. Calm words, no details; it recovers itself."""

from __future__ import annotations

from kiosk.render import Renderer
from kiosk.screens import common
from kiosk.screens.views import Button, View


def draw(r: Renderer, v: View) -> list[Button]:
    common.message_page(r, v, v.words.ui("failsafe.title"), v.words.ui("failsafe.detail"),
                        dim=235)
    return []
