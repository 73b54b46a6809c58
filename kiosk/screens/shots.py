"""Multi-shot sets (presets with ``shots`` > 1): the counter while coaching, the "saved"
line between shots, and the review of the whole set with a favourite to pick.

Single-shot presets never reach this module; their screens are unchanged.
"""

from __future__ import annotations

import math

import pygame

from coaching.messages import Catalogue
from kiosk.render import Renderer
from kiosk.screens import common
from kiosk.screens.views import Button, Photo, SetProgress, View
from kiosk.states import Event, Kind
from kiosk.theme import Theme


def counter_text(words: Catalogue, p: SetProgress) -> str:
    return words.ui("set.counter", number=p.number, total=p.total)


def saved_text(words: Catalogue, p: SetProgress) -> str:
    """``Photo 1 of 3 saved. Now try a different expression``."""
    if p.hint:
        return words.ui("set.saved_hint", number=p.saved, total=p.total, hint=p.hint)
    return words.ui("set.saved", number=p.saved, total=p.total)


def counter(r: Renderer, words: Catalogue, p: SetProgress, top: int) -> pygame.Rect:
    """The shot counter as a pill under the preset name, big enough to read from afar."""
    return common.pill(r, counter_text(words, p), (r.w // 2, top), int(4.4 * r.u))


def star(r: Renderer, center: tuple[int, int], size: float, color: tuple[int, int, int]
         ) -> None:
    """A five-pointed star drawn as a polygon (no font needs to have the glyph)."""
    cx, cy = center
    pts = []
    for i in range(10):
        rad = size / 2 if i % 2 == 0 else size / 5
        a = -math.pi / 2 + i * math.pi / 5
        pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    pygame.draw.polygon(r.surface, color, pts)


def grid(n: int, aspect: float, box: pygame.Rect, gap: int) -> list[pygame.Rect]:
    """``n`` photo cells of ``aspect`` (w/h) in ``box``: the column count that makes the
    photos largest, rows centred (a short last row too)."""
    best: tuple[float, int] = (-1.0, 1)
    for cols in range(1, n + 1):
        rows = math.ceil(n / cols)
        cw = (box.w - (cols - 1) * gap) / cols
        ch = (box.h - (rows - 1) * gap) / rows
        w = min(cw, ch * aspect)
        if w > best[0]:
            best = (w, cols)
    w, cols = best
    w = max(1.0, w)
    h = w / aspect
    rows = math.ceil(n / cols)
    top = box.y + (box.h - (rows * h + (rows - 1) * gap)) / 2
    cells = []
    for i in range(n):
        row, col = divmod(i, cols)
        in_row = min(cols, n - row * cols)
        left = box.x + (box.w - (in_row * w + (in_row - 1) * gap)) / 2
        cells.append(pygame.Rect(int(left + col * (w + gap)), int(top + row * (h + gap)),
                                 int(w), int(h)))
    return cells


def draw_review(r: Renderer, v: View) -> list[Button]:
    """Every photo of the set; tap one to make it the favourite; keep all or retake all."""
    r.surface.fill(Theme.BG)
    u = r.u
    n = len(v.photos)
    pad = int(4 * u)
    title = r.draw_text(v.words.ui("set.review_title", n=n), int(7 * u), Theme.FG,
                        midtop=(r.w // 2, int(3 * u)), max_w=r.w - 2 * pad)
    fav = v.favourite if v.favourite is not None and 0 <= v.favourite < n else None
    hint = (v.words.ui("set.pick_favourite") if fav is None
            else v.words.ui("set.favourite", number=fav + 1))
    hint_rect = r.draw_text(hint, int(4.2 * u), Theme.ACCENT if fav is not None else Theme.MUTED,
                            bold=False, midtop=(r.w // 2, title.bottom + int(1.5 * u)),
                            max_w=r.w - 2 * pad)
    bh = int(12 * u)
    gap = int(3 * u)
    bw = int(min((r.w - 2 * pad - gap) / 2, 55 * u))
    keep = pygame.Rect(0, r.h - int(4 * u) - bh, bw, bh)
    keep.right = r.w // 2 - gap // 2
    retake = pygame.Rect(r.w // 2 + gap - gap // 2, keep.y, bw, bh)
    box = pygame.Rect(pad, hint_rect.bottom + int(4 * u), r.w - 2 * pad,
                      keep.y - hint_rect.bottom - int(8 * u))
    first = v.photos[0].image
    cells = grid(n, first.shape[1] / first.shape[0], box, int(2.5 * u))
    buttons: list[Button] = []
    for i, (photo, cell) in enumerate(zip(v.photos, cells, strict=True)):
        buttons.append(_thumb(r, photo, cell, i, i == fav, v.words.ui("set.not_saved")))
    r.button(keep, v.words.ui("set.keep_all", n=n), primary=True, focused=v.focus == 0)
    r.button(retake, v.words.ui("set.retake_all", n=n), primary=False, focused=v.focus == 1)
    return buttons + [Button(keep, Event(Kind.KEEP), "keep"),
                      Button(retake, Event(Kind.RETAKE), "retake")]


def _thumb(r: Renderer, photo: Photo, cell: pygame.Rect, i: int, favourite: bool,
           not_saved: str) -> Button:
    u = r.u
    rect = r.photo(photo.image, photo.key, cell)
    if favourite:
        pygame.draw.rect(r.surface, Theme.ACCENT, rect.inflate(int(2.4 * u), int(2.4 * u)),
                         max(4, int(1.0 * u)), border_radius=int(u))
    else:
        pygame.draw.rect(r.surface, Theme.FG, rect.inflate(4, 4), 2)
    # The photo's number (and the star on the favourite) in a corner badge.
    px = int(max(3.6 * u, min(rect.h * 0.09, 5 * u)))
    label = f"{i + 1}" + ("" if photo.saved else f" · {not_saved}")
    t = r.text(label, px, Theme.DARK if favourite else Theme.FG)
    extra = int(px * 1.2) if favourite else 0
    badge = pygame.Rect(rect.x + int(u), rect.y + int(u), t.get_width() + extra + int(px * 0.9),
                        int(px * 1.4))
    if favourite:
        pygame.draw.rect(r.surface, Theme.ACCENT, badge, border_radius=badge.h // 2)
        star(r, (badge.x + int(px * 0.45) + extra // 2, badge.centery), px * 1.05, Theme.DARK)
    else:
        r.shade(badge, 200, badge.h // 2)
    r.draw_text(label, px, Theme.DARK if favourite else Theme.FG,
                midleft=(badge.x + int(px * 0.45) + extra, badge.centery))
    return Button(rect, Event(Kind.SELECT, index=i), f"photo {i + 1}")
