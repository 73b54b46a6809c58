"""Set-up fault: calm words for the guest, and for staff what is wrong and how to fix it.

The guest's words come from the catalogue (``ui.setup.*``); the staff panel is the
operator's language (English), like the operator overlay.
"""

from __future__ import annotations

from kiosk.render import Renderer
from kiosk.screens import common
from kiosk.screens.views import Button, View


def draw(r: Renderer, v: View) -> list[Button]:
    common.message_page(r, v, v.words.ui("setup.title"), v.words.ui("setup.detail"), dim=230)
    common.staff_panel(r, v.staff)
    return []
