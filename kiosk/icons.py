"""The prompt icons: one SVG per prompt key in ``assets/icons/`` (``pitch_deg.up.svg``),
drawn for this project, so a guest who reads none of the languages still sees which
part of the body to move and which way; a designer restyles them by editing the files.

A source tree reads ``assets/icons/``; a wheel carries the folder as ``kiosk/icons/``
(``pyproject.toml`` maps it). pygame's SDL_image draws SVG; each icon is rasterised at
the size it is shown (the SVG's width/height rewritten), never scaled up from a bitmap.
"""

from __future__ import annotations

import io
import logging
import re
from functools import lru_cache
from pathlib import Path

import pygame

from kiosk.paths import PROJECT_ROOT

log = logging.getLogger(__name__)

_INSTALLED = Path(__file__).resolve().parent / "icons"
ICON_DIR = _INSTALLED if _INSTALLED.is_dir() else PROJECT_ROOT / "assets" / "icons"
_SIZE = re.compile(r'(<svg\b[^>]*?)\swidth="[^"]*"\s+height="[^"]*"', re.S)


def icon_key(key: str, metric: str | None, direction: str | None) -> str | None:
    """The icon for a prompt: its own key's, else its metric and direction's
    (``roll_deg.straighten`` has one; a plain ``yaw_deg.left`` too)."""
    for k in (key, f"{metric}.{direction}" if metric and direction else ""):
        if k and (ICON_DIR / f"{k}.svg").is_file():
            return k
    return None


@lru_cache(maxsize=128)
def icon(key: str, size: int) -> pygame.Surface | None:
    """``key``'s icon as a ``size`` x ``size`` surface with alpha (None: no such icon,
    or it could not be read; logged once)."""
    path = ICON_DIR / f"{key}.svg"
    try:
        svg = path.read_text(encoding="utf-8")
        svg = _SIZE.sub(rf'\1 width="{size}" height="{size}"', svg, count=1)
        surf = pygame.image.load(io.BytesIO(svg.encode("utf-8")), f"{key}.svg")
    except (OSError, pygame.error) as exc:
        log.warning("icon %s: %s", path, exc)
        return None
    if surf.get_size() != (size, size):
        surf = pygame.transform.smoothscale(surf, (size, size))
    return surf
