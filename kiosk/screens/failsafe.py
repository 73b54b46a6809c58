"""Failsafe: something unexpected happened. Calm words, no details; it recovers itself."""

from __future__ import annotations

from kiosk.render import Renderer
from kiosk.screens import common
from kiosk.screens.views import Button, View


def draw(r: Renderer, v: View) -> list[Button]:
    common.message_page(r, v, "One moment, please",
                        "We're getting things ready again. This takes a few seconds.",
                        dim=235)
    return []
