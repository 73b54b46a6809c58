"""Review: the photo large, what went well in plain words, keep or try again
(a set of several shots: :mod:`kiosk.screens.shots`)."""

from __future__ import annotations

import pygame

from coaching.messages import Catalogue, load_catalogue
from kiosk.frame_fit import fit_rect
from kiosk.render import Renderer
from kiosk.screens import shots
from kiosk.screens.views import Button, View
from kiosk.states import Event, Kind
from kiosk.theme import Theme

#: What went well (``summary.<key>`` in the catalogue), each with the gates that must
#: all have been met (gates the preset does not judge are ignored; one must be judged).
PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("eyes_open", ("eyes_open",)),
    ("looking", ("looking_at_camera",)),
    ("smile", ("smile", "teeth_visible")),
    ("mouth", ("mouth_closed",)),
    ("chin", ("pitch_deg",)),
    ("head_straight", ("roll_deg",)),
    ("head_angle", ("yaw_deg",)),
    ("shoulder_angle", ("shoulder_turn_deg",)),
    ("shoulders_level", ("shoulder_tilt_deg",)),
    ("framed", ("head_height", "eye_line", "face_center_x")),
)


def summary_keys(in_range: dict[str, bool], *, smile_wanted: bool = True,
                 limit: int = 5) -> list[str]:
    """The ``summary.<key>`` names of the gates met at the shot, most meaningful first
    (kept in the session as keys, worded in the guest's language on screen).

    ``smile_wanted`` False (passport, theatrical): a met smile gate reads as a
    neutral expression, not a smile.
    """
    out: list[str] = []
    for key, gates in PHRASES:
        judged = [g for g in gates if g in in_range]
        if judged and all(in_range[g] for g in judged):
            out.append("neutral" if key == "smile" and not smile_wanted else key)
    return out[:limit]


def summary_phrases(in_range: dict[str, bool], *, smile_wanted: bool = True, limit: int = 5,
                    words: Catalogue | None = None) -> list[str]:
    """:func:`summary_keys` in words (English unless ``words`` is given)."""
    cat = words or load_catalogue("en")
    return [cat.summary(k) for k in summary_keys(in_range, smile_wanted=smile_wanted,
                                                 limit=limit)]


def summary_line(phrases: list[str]) -> str:
    """``Eyes open · natural smile · chin level``."""
    return " · ".join(p if i == 0 else p[:1].lower() + p[1:] for i, p in enumerate(phrases))


def draw(r: Renderer, v: View) -> list[Button]:
    if len(v.photos) > 1:  # a multi-shot set: every photo, a favourite to pick
        return shots.draw_review(r, v)
    r.surface.fill(Theme.BG)
    u = r.u
    if r.portrait:  # photo at the top, the words and buttons right under it
        photo_box = pygame.Rect(int(3 * u), int(3 * u), r.w - int(6 * u), int(r.h * 0.56))
        if v.photo is not None:
            photo_box = fit_rect((v.photo.shape[1], v.photo.shape[0]), photo_box)
            photo_box.top = int(3 * u)
        panel = pygame.Rect(int(4 * u), photo_box.bottom + int(6 * u), r.w - int(8 * u),
                            r.h - photo_box.bottom - int(9 * u))
    else:
        photo_box = pygame.Rect(int(3 * u), int(3 * u), int(r.w * 0.6), r.h - int(6 * u))
        panel = pygame.Rect(photo_box.right + int(4 * u), int(5 * u),
                            r.w - photo_box.right - int(8 * u), r.h - int(10 * u))
    if v.photo is not None:
        rect = r.photo(v.photo, v.photo_key, photo_box)
        pygame.draw.rect(r.surface, Theme.FG, rect.inflate(6, 6), 3)
    title = r.draw_text(v.words.ui("review.title"), int(7 * u), Theme.FG,
                        topleft=(panel.x, panel.y), max_w=panel.w)
    y = title.bottom + int(3.5 * u)
    px = int(4.6 * u)
    if not v.summary:
        r.draw_text(v.words.ui("review.no_summary"), px, Theme.MUTED, bold=False,
                    topleft=(panel.x, y), max_w=panel.w, max_lines=2)
    for phrase in (v.words.summary(k) for k in v.summary):
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
    r.button(keep, v.words.ui("review.keep"), primary=True, focused=v.focus == 0)
    r.button(retake, v.words.ui("review.retake"), primary=False, focused=v.focus == 1)
    return [Button(keep, Event(Kind.KEEP), "keep"), Button(retake, Event(Kind.RETAKE), "retake")]
