"""The kiosk's colours, in one place so every screen agrees on "good" and "press me"."""

from __future__ import annotations

Color = tuple[int, int, int]


class Theme:
    """High-contrast colours (readable at 2 m under studio light)."""

    BG: Color = (14, 16, 20)
    FG: Color = (250, 250, 250)
    MUTED: Color = (190, 196, 206)
    DARK: Color = (20, 22, 26)
    ACCENT: Color = (255, 200, 40)  # warm yellow: the thing to press / the cue
    GOOD: Color = (80, 210, 120)
    WARN: Color = (255, 150, 60)
    BAD: Color = (240, 90, 80)
    CARD: Color = (40, 44, 52)
    CARD_FOCUS: Color = (62, 68, 80)
    PANEL_ALPHA = 185
