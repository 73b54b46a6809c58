"""Coaching: the mirror, the target framing, one big prompt with its arrow, readiness.

The arrow sits next to the part of the body the prompt is about (beside the
head for a turn, at the chin for chin up/down, at the shoulders for the
shoulders). Directions are the sitter's own; the preview is mirrored, so the
sitter's left is the screen's left and an arrow pointing left means "your left".
"""

from __future__ import annotations

import math

import pygame

from kiosk.frame_fit import PreviewMap, crop_to_aspect, fit_rect
from kiosk.icons import icon, icon_key
from kiosk.render import Renderer
from kiosk.screens import common, shots
from kiosk.screens.views import Button, CoachView, FaceBox, Guide, View
from kiosk.states import Event, Kind
from kiosk.theme import Theme


def layout(r: Renderer) -> tuple[pygame.Rect, pygame.Rect]:
    """(preview box, prompt band). Landscape: band over the preview's lower part."""
    if r.portrait:
        # Preview at the top under the back button; the band takes everything below it
        # (see draw), so the prompt sits right under the face, not a screen away.
        top = int(14 * r.u)
        band_h = int(r.h * 0.3)
        return (pygame.Rect(0, top, r.w, r.h - band_h - top),
                pygame.Rect(0, r.h - band_h, r.w, band_h))
    band_h = int(r.h * 0.2)
    return r.surface.get_rect(), pygame.Rect(0, r.h - band_h, r.w, band_h)


#: Line height of the prompt as a fraction of the screen height: never below 6% (readable
#: at two metres), larger when the text is short enough.
PROMPT_MIN_H = 0.06
#: Width of the target head outline over its height (crown to chin).
HEAD_ASPECT = 0.68


def prompt_px(r: Renderer) -> int:
    """Starting prompt size: a line 8.5% of the screen height in landscape, 7% portrait."""
    return r.px_for_height(r.h * (0.085 if not r.portrait else 0.07))


def draw(r: Renderer, v: View) -> list[Button]:
    box, band = layout(r)
    if r.portrait and v.frame is not None:
        box = _top_aligned(r, v, box)
    pm = common.background_preview(r, v, box=box)
    if r.portrait and pm is not None and pm.rect.bottom < band.y:
        band = pygame.Rect(0, pm.rect.bottom, r.w, r.h - pm.rect.bottom)
    # Nothing from the pipeline yet: ask the guest in.
    cv = v.coach or CoachView(status="no_face", message=v.words.state("no_face"))
    holding = cv.status == "hold"
    if pm is not None:
        _framing(r, pm, v.guide, holding)
    buttons: list[Button] = []
    if v.allow_back:
        buttons.append(common.back_button(r, v))
    cv = _header(r, v, cv)
    buttons.append(_band(r, band, cv, v))
    if pm is not None and cv.direction and not holding:
        _cue(r, pm, cv, v.face, v.guide, band)
    return buttons


def _framing(r: Renderer, pm: PreviewMap, guide: Guide | None, holding: bool) -> None:
    """The target framing over the preview; a green frame round it while holding."""
    if guide is not None:
        _guide(r, pm, guide, guide.ok or holding)
    if holding:
        pygame.draw.rect(r.surface, Theme.GOOD, pm.rect, max(6, int(1.2 * r.u)))


def _header(r: Renderer, v: View, cv: CoachView) -> CoachView:
    """The preset pill and, for a set, the photo counter; returns the prompt to show
    (just after a shot of a set: "Photo 2 of 3 saved" instead of the coach's word)."""
    top = int(2.5 * r.u)
    if v.preset_name:
        top = common.pill(r, v.preset_name, (r.w // 2, top), int(3.6 * r.u)).bottom + int(r.u)
    if v.progress is not None:
        shots.counter(r, v.words, v.progress, top)
        if v.progress.saved:
            return CoachView(status="captured", message=shots.saved_text(v.words, v.progress),
                             readiness=cv.readiness, in_range=cv.in_range)
    return cv


def _top_aligned(r: Renderer, v: View, box: pygame.Rect) -> pygame.Rect:
    """The part of ``box`` the preview will fill, moved to the top of ``box``."""
    assert v.frame is not None
    crop = crop_to_aspect(v.frame.shape[1], v.frame.shape[0], v.aspect)
    fitted = fit_rect((crop[2], crop[3]), box)
    fitted.top = box.top
    return fitted


def ring_and_text_width(r: Renderer, band: pygame.Rect) -> tuple[tuple[int, int], int, int]:
    """(ring centre, ring radius, prompt width). Landscape: the ring sits at the band's
    right end; portrait (a narrow band): on the preview just above it, so the prompt
    gets the full width."""
    u = r.u
    if r.portrait:
        ring_r = int(9 * u)
        centre = (band.right - int(ring_r + 4 * u), band.bottom - ring_r - int(9 * u))
        return centre, ring_r, band.w - int(8 * u)
    ring_r = int(min(band.h * 0.34, 9 * u))
    centre = (band.right - int(ring_r + 4 * u), band.y + int(band.h * 0.42))
    return centre, ring_r, band.w - 2 * ring_r - int(16 * u)


def _prompt_fit(r: Renderer, message: str, width: int) -> tuple[int, int]:
    """(px, lines): one line if it fits at >= 6.5% of the height, else wrap."""
    min_px = r.px_for_height(r.h * PROMPT_MIN_H)
    one = r.fit_px(message, prompt_px(r), width, min_px=r.px_for_height(r.h * 0.065))
    if r.font(one).size(message)[0] <= width:
        return one, 1
    lines = 5 if r.portrait else 2
    px = max(min_px, r.fit_px(message, r.px_for_height(r.h * 0.07), width, min_px=min_px,
                              max_lines=lines))
    return px, len(r.wrap(message, px, width))


def _band(r: Renderer, band: pygame.Rect, cv: CoachView, v: View) -> Button:
    u = r.u
    holding = cv.status == "hold"
    message = cv.message or (v.words.state("hold") if holding else "")
    _c, ring_r, text_w = ring_and_text_width(r, band)
    key = icon_key(cv.key, cv.metric, cv.direction) if not holding else None
    icon_px = int(min(band.h * 0.8, 15 * u)) if key else 0
    indent = int(4 * u) + (icon_px + int(2.5 * u) if icon_px else 0)
    text_w -= indent - int(4 * u)
    px, n_lines = _prompt_fit(r, message, text_w)
    need = int(n_lines * r.font(px).get_linesize() * 1.12 + 5 * u)
    if r.portrait:
        need += int(2 * 9 * u + 16 * u)  # the ring and its caption under the text
    if need > band.h:  # grow upward so a long prompt never runs off the screen
        band = pygame.Rect(band.x, band.bottom - need, band.w, need)
    r.shade(band, 200)
    ring_c, ring_r, _w = ring_and_text_width(r, band)
    color = Theme.GOOD if holding or cv.status == "captured" else Theme.FG
    if r.portrait:  # text at the top of the band, under the preview; the ring below it
        text = r.draw_text(message, px, color, topleft=(indent, band.y + int(4 * u)),
                           max_w=text_w, max_lines=n_lines)
    else:
        text = r.draw_text(message, px, color, midleft=(indent, band.centery), max_w=text_w,
                           max_lines=n_lines)
    picture = icon(key, icon_px) if key else None
    if picture is not None:  # the body part and the way to move it, for every guest
        r.surface.blit(picture, picture.get_rect(midleft=(int(4 * u), text.centery)))
    _readiness(r, ring_c, ring_r, cv, holding)
    cap = v.words.ui("coaching.taking" if holding else "coaching.photo_now")
    r.draw_text(cap, int(max(2.6 * u, ring_r * 0.34)), Theme.MUTED,
                midtop=(ring_c[0], ring_c[1] + ring_r + int(0.8 * u)),
                max_w=2 * (r.w - ring_c[0]) - int(2 * u))
    hit = pygame.Rect(0, 0, 2 * ring_r + int(4 * u), band.h)
    hit.center = (ring_c[0], band.centery)
    return Button(hit, Event(Kind.SHUTTER), "shutter")


def _readiness(r: Renderer, c: tuple[int, int], radius: int, cv: CoachView,
               holding: bool) -> None:
    """The ring shows its state by shape and fill as well as colour: an arc filling up
    round the camera while adjusting; a solid disc with a check when everything is in
    range; the solid disc with the count while holding still."""
    if holding or cv.readiness >= 0.999:
        pygame.draw.circle(r.surface, Theme.GOOD, c, radius)
        if holding:
            count = max(1, math.ceil(3 * (1.0 - cv.hold_progress)))
            r.ring(c, radius, cv.hold_progress, color=Theme.FG, track=Theme.GOOD,
                   width=max(4, radius // 6))
            r.draw_text(str(count), int(radius * 1.1), Theme.DARK, center=c)
        else:
            r.check(c, radius * 1.1, Theme.DARK)
        return
    r.ring(c, radius, cv.readiness, color=Theme.ACCENT)
    r.camera_icon(c, radius * 0.9)


def _guide(r: Renderer, pm: PreviewMap, g: Guide, ok: bool) -> None:
    """Target head outline and eye line for the preset, from a small cached layer
    (a full-screen translucent layer would cost ~9 ms a frame to blit at 1080p)."""
    # In 4 px steps: the oval follows the face, and its cached layer need not be redrawn
    # for every pixel of jitter.
    head_px = max(8, int(g.head_h * pm.frame_size[1] * pm.scale() / 4) * 4)
    # A head is about two thirds as wide as it is tall (crown to chin: head_h spans
    # eye line ± eye-to-chin); 0.76 drew a balloon around the sitter's ears.
    oval_w = int(head_px * HEAD_ASPECT)
    tick = int(head_px * 0.22)
    gap = int(head_px * 0.08)
    w = max(3, int(0.45 * r.u))
    lw = oval_w + 2 * (gap + tick) + 2 * w + 8
    lh = head_px + 2 * w + 8
    key = ("guide", head_px, ok)

    def build(surf: pygame.Surface) -> None:
        col = (*(Theme.GOOD if ok else Theme.FG), 210)
        dark = (0, 0, 0, 110)
        oval = pygame.Rect(0, 0, oval_w, head_px)
        oval.center = (lw // 2, lh // 2)
        # Light dashes on a soft dark track: visible on a white wall and on a dark coat.
        track = w + 4  # centred on the dashes' path (ellipse widths grow inward)
        pygame.draw.ellipse(surf, dark, oval.inflate(track, track), track)
        _dashed_ellipse(surf, col, oval, w)
        for side in (-1, 1):
            x0 = lw // 2 + side * (oval_w // 2 + gap)
            pygame.draw.line(surf, dark, (x0, lh // 2), (x0 + side * tick, lh // 2), w + 4)
            pygame.draw.line(surf, col, (x0, lh // 2), (x0 + side * tick, lh // 2), w)

    cx, cy = pm.to_screen(g.cx, g.eye_y)
    layer = r.layer(key, (lw, lh), build)
    r.surface.blit(layer, layer.get_rect(center=(cx, cy)))
    if g.crop is not None:
        _crop_frame(r, pm, g.crop, g.round, ok, w)


def _crop_frame(r: Renderer, pm: PreviewMap, crop: tuple[float, float, float, float],
                round_: bool, ok: bool, w: int) -> None:
    """The first deliverable's crop as corner brackets (and its circle for a round
    profile photo): what the client will get. Thin lines: cheap to draw every frame."""
    x, y, cw, ch = crop
    (ax, ay), (bx, by) = pm.to_screen(x, y), pm.to_screen(x + cw, y + ch)
    rect = pygame.Rect(min(ax, bx), min(ay, by), abs(bx - ax), abs(by - ay))
    col = Theme.GOOD if ok else Theme.FG
    arm = max(8, int(min(rect.w, rect.h) * 0.12))
    for (px, py), (sx, sy) in (((rect.left, rect.top), (1, 1)), ((rect.right, rect.top), (-1, 1)),
                               ((rect.left, rect.bottom), (1, -1)),
                               ((rect.right, rect.bottom), (-1, -1))):
        for dx, dy in ((sx * arm, 0), (0, sy * arm)):
            pygame.draw.line(r.surface, (0, 0, 0), (px, py), (px + dx, py + dy), w + 4)
            pygame.draw.line(r.surface, col, (px, py), (px + dx, py + dy), w)
    if round_:
        pygame.draw.ellipse(r.surface, col, rect, max(1, w // 2))


def _dashed_ellipse(surf: pygame.Surface, color: tuple[int, ...], rect: pygame.Rect,
                    width: int, dashes: int = 36) -> None:
    a, b = rect.w / 2, rect.h / 2
    for i in range(dashes):
        t0 = 2 * math.pi * i / dashes
        t1 = t0 + 2 * math.pi / dashes * 0.6
        p0 = (rect.centerx + a * math.cos(t0), rect.centery + b * math.sin(t0))
        p1 = (rect.centerx + a * math.cos(t1), rect.centery + b * math.sin(t1))
        pygame.draw.line(surf, color, p0, p1, width)


def _cue(r: Renderer, pm: PreviewMap, cv: CoachView, face: FaceBox | None,
         guide: Guide | None, band: pygame.Rect) -> None:
    """The direction arrow beside the body part the prompt concerns."""
    d = cv.direction
    metric = (cv.metric or "").lower()
    if face is None:
        g = guide or Guide(0.5, 0.4)
        face = FaceBox(0.5, g.eye_y, g.head_h)
    fh = pm.frame_size[1]
    head = max(40.0, face.head_h * fh * pm.scale())
    size = min(max(head * 0.4, 9 * r.u), 16 * r.u)
    ex, ey = pm.to_screen(face.cx, face.eye_y)
    if d in ("closer", "back"):
        r.zoom_cue((ex, ey), head * 1.25, outward=(d == "closer"))
        return
    pos = _arrow_spot(d, metric, (ex, ey), head)
    x = min(max(pos[0], pm.rect.x + size * 0.6), pm.rect.right - size * 0.6)
    y = min(max(pos[1], pm.rect.y + size * 0.6), band.y - size * 0.6)
    r.arrow((int(x), int(y)), d or "", size)


def _arrow_spot(d: str | None, metric: str, eyes: tuple[int, int],
                head: float) -> tuple[float, float]:
    """Where the arrow goes for ``metric``: by the shoulders, the chin, above the head for
    a tilt, else beside the head (on the side it points to)."""
    ex, ey = eyes
    side = -1 if d == "left" else 1  # screen side: mirrored preview = sitter's side
    if "shoulder" in metric:
        return (ex + side * head * 0.95, ey + head * 1.15)
    if "pitch" in metric or "chin" in metric:
        return (ex + head * 0.62, ey + head * 0.42)
    if "roll" in metric or "tilt" in metric:
        return (ex + side * head * 0.2, ey - head * 0.85)
    if d in ("up", "down"):
        return (ex + head * 0.75, ey)
    return (ex + side * head * 0.8, ey)  # head turn, moving left/right, anything else
