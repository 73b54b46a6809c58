"""The kiosk's colours, in one place so every screen agrees on "good" and "press me".

Two themes: ``standard`` and ``large_contrast`` (``ui.theme``, and the operator
overlay's "Large text" button): larger text, pure black and white, no grey text,
near-opaque panels over the preview. Every text of both meets WCAG 2.2's 4.5:1, measured
on rendered frames (tests/test_access.py).
"""

from __future__ import annotations

from typing import ClassVar

Color = tuple[int, int, int]

_STANDARD: dict[str, object] = {
    "BG": (14, 16, 20), "FG": (250, 250, 250), "MUTED": (190, 196, 206), "DARK": (20, 22, 26),
    "ACCENT": (255, 200, 40), "GOOD": (80, 210, 120), "WARN": (255, 150, 60),
    "BAD": (240, 90, 80), "CARD": (40, 44, 52), "CARD_FOCUS": (62, 68, 80),
    "PANEL_ALPHA": 185, "MIN_SHADE": 0, "TEXT_SCALE": 1.0,
}
_LARGE_CONTRAST: dict[str, object] = {
    **_STANDARD, "BG": (0, 0, 0), "FG": (255, 255, 255), "MUTED": (255, 255, 255),
    "DARK": (0, 0, 0), "ACCENT": (255, 214, 0), "GOOD": (96, 232, 136),
    "CARD": (22, 22, 22), "CARD_FOCUS": (48, 48, 48), "PANEL_ALPHA": 235,
    "MIN_SHADE": 235, "TEXT_SCALE": 1.25,
}
THEMES = {"standard": _STANDARD, "large_contrast": _LARGE_CONTRAST}


class Theme:
    """High-contrast colours (readable at 2 m under studio light); :meth:`use` switches."""

    name: ClassVar[str] = "standard"
    BG: ClassVar[Color] = (14, 16, 20)
    FG: ClassVar[Color] = (250, 250, 250)
    MUTED: ClassVar[Color] = (190, 196, 206)
    DARK: ClassVar[Color] = (20, 22, 26)
    ACCENT: ClassVar[Color] = (255, 200, 40)  # warm yellow: the thing to press / the cue
    GOOD: ClassVar[Color] = (80, 210, 120)
    WARN: ClassVar[Color] = (255, 150, 60)
    BAD: ClassVar[Color] = (240, 90, 80)
    CARD: ClassVar[Color] = (40, 44, 52)
    CARD_FOCUS: ClassVar[Color] = (62, 68, 80)
    PANEL_ALPHA: ClassVar[int] = 185
    #: Dark panels over the preview are at least this opaque (0 = as each screen asks).
    MIN_SHADE: ClassVar[int] = 0
    #: Every text is drawn this much larger (and still shrunk to fit its box).
    TEXT_SCALE: ClassVar[float] = 1.0

    @classmethod
    def use(cls, name: str) -> None:
        """Switch every screen to theme ``name`` (``standard`` / ``large_contrast``)."""
        for key, value in THEMES[name].items():
            setattr(cls, key, value)
        cls.name = name
