"""Camera reconnecting (or not found yet): what is happening, and that it keeps trying."""

from __future__ import annotations

from kiosk.render import Renderer
from kiosk.screens import common
from kiosk.screens.views import Button, View


def draw(r: Renderer, v: View) -> list[Button]:
    title = v.camera_title or "Camera reconnecting…"
    detail = v.camera_detail or "Please wait a moment — we'll carry on where you left off."
    common.message_page(r, v, title, detail, dim=225)
    return []
