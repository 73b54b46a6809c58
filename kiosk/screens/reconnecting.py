"""Camera reconnecting (or not found yet): what is happening, and that it keeps trying."""

from __future__ import annotations

from kiosk.render import Renderer
from kiosk.screens import common
from kiosk.screens.views import Button, View


def draw(r: Renderer, v: View) -> list[Button]:
    title = v.words.ui(v.camera_title or "camera.reconnecting")
    detail = v.words.ui(v.camera_detail or "camera.reconnecting_detail")
    common.message_page(r, v, title, detail, dim=225)
    common.staff_panel(r, v.staff)
    return []
