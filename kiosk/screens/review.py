"""Review: the photo large, what went well in plain words, keep or try again."""

from __future__ import annotations

import pygame

from kiosk.render import Renderer, Theme
from kiosk.screens import Button, View
from kiosk.states import Event, Kind

#: metric/gate key (substring) -> plain words when it was in range at the shot.
PHRASES: tuple[tuple[str, str], ...] = (
    ("eye", "Eyes open"),
    ("gaze", "Looking into the lens"),
    ("looking", "Looking into the lens"),
    ("smile", "Natural smile"),
    ("pitch", "Chin level"),
    ("roll", "Head straight"),
    ("yaw", "Nice head angle"),
    ("shoulder_turn", "Good shoulder angle"),
    ("shoulder_tilt", "Shoulders level"),
    ("head_height", "Well framed"),
    ("eye_line", "Well framed"),
    ("center", "Well framed"),
    ("headroom", "Well framed"),
    ("sharp", "Sharp"),
)


def summary_phrases(in_range: dict[str, bool], limit: int = 5) -> list[str]:
    """Plain words for the gates that were met, most meaningful first, no repeats."""
    out: list[str] = []
    met = [k.lower() for k, ok in in_range.items() if ok]
    for key, phrase in PHRASES:
        if phrase not in out and any(key in m for m in met):
            out.append(phrase)
    return out[:limit]


def draw(r: Renderer, v: View) -> list[Button]:
    r.surface.fill(Theme.BG)
    u = r.u
    if r.portrait:
        photo_box = pygame.Rect(int(3 * u), int(3 * u), r.w - int(6 * u), int(r.h * 0.56))
        panel = pygame.Rect(int(4 * u), photo_box.bottom + int(3 * u), r.w - int(8 * u),
                            r.h - photo_box.bottom - int(6 * u))
    else:
        photo_box = pygame.Rect(int(3 * u), int(3 * u), int(r.w * 0.6), r.h - int(6 * u))
        panel = pygame.Rect(photo_box.right + int(4 * u), int(5 * u),
                            r.w - photo_box.right - int(8 * u), r.h - int(10 * u))
    if v.photo is not None:
        rect = r.photo(v.photo, v.photo_key, photo_box)
        pygame.draw.rect(r.surface, Theme.FG, rect.inflate(6, 6), 3)
    title = r.draw_text("Here's your photo", int(7 * u), Theme.FG,
                        topleft=(panel.x, panel.y), max_w=panel.w)
    y = title.bottom + int(3.5 * u)
    px = int(4.6 * u)
    for phrase in v.summary:
        r.check((panel.x + int(px * 0.45), y + int(px * 0.6)), px * 0.9)
        r.draw_text(phrase, px, Theme.FG, bold=False, topleft=(panel.x + int(px * 1.3), y),
                    max_w=panel.w - int(px * 1.3))
        y += int(px * 1.55)
    bh = int(min(16 * u, panel.h * 0.2))
    gap = int(3 * u)
    if r.portrait:
        bw = (panel.w - gap) // 2
        keep = pygame.Rect(panel.x, panel.bottom - bh, bw, bh)
        retake = pygame.Rect(keep.right + gap, keep.y, bw, bh)
    else:
        keep = pygame.Rect(panel.x, panel.bottom - 2 * bh - gap, panel.w, bh)
        retake = pygame.Rect(panel.x, panel.bottom - bh, panel.w, bh)
    r.button(keep, "Keep it", primary=True, focused=v.focus == 0)
    r.button(retake, "Try again", primary=False, focused=v.focus == 1)
    return [Button(keep, Event(Kind.KEEP), "keep"), Button(retake, Event(Kind.RETAKE), "retake")]
