"""Loading: the camera is starting or the coach is warming up."""

from __future__ import annotations

from kiosk.render import Renderer
from kiosk.screens import common
from kiosk.screens.views import Button, View


def draw(r: Renderer, v: View) -> list[Button]:
    common.message_page(r, v, v.words.ui("loading.title"),
                        v.words.ui(v.loading_detail or "loading.detail"), dim=200)
    return []
