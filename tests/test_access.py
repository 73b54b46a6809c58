"""Screens that work for low vision and for guests who read none of the languages: an
icon per prompt (SVG files, loaded by pygame), WCAG 2.2 contrast >= 4.5:1 measured on
rendered frames (over the real preview and over a white wall) in both themes, the
readiness ring's state readable without colour (through a deuteranopia simulation), and
a visual counterpart of every sound."""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np
import pygame
import pytest

from coaching.messages import PROMPT_KEYS, load_catalogue
from kiosk.contrast import WCAG_AA, deuteranopia, luminance, ratio
from kiosk.icons import ICON_DIR, icon, icon_key
from kiosk.render import Renderer
from kiosk.screens import CoachView, View, draw_view
from kiosk.screens.coaching import ring_and_text_width
from kiosk.states import State
from kiosk.text_fit import sample_views
from kiosk.theme import THEMES, Theme


@pytest.fixture(scope="module")
def display() -> Iterator[None]:
    pygame.display.init()
    pygame.font.init()
    yield
    Theme.use("standard")
    pygame.display.quit()


@pytest.fixture(scope="module")
def backgrounds(media) -> dict[str, np.ndarray]:
    """The real replayed person (a white door behind him) and a plain white wall."""
    cap = cv2.VideoCapture(str(media / "single_face.mp4"))
    ok, img = cap.read()
    cap.release()
    assert ok
    return {"person": cv2.cvtColor(img, cv2.COLOR_BGR2RGB),
            "white_wall": np.full((720, 1280, 3), 255, np.uint8)}


def test_every_prompt_has_an_svg_icon_that_pygame_draws(display: None) -> None:
    keys = [f"{m}.{v}" for m, vs in PROMPT_KEYS.items() for v in vs]
    assert sorted(p.stem for p in ICON_DIR.glob("*.svg")) == sorted(keys)
    for key in keys:
        assert (ICON_DIR / f"{key}.svg").read_text(encoding="utf-8").startswith("<svg")
        surf = icon(key, 90)
        assert surf is not None and surf.get_size() == (90, 90), key
        alpha = pygame.surfarray.array_alpha(surf)
        assert 0.15 < (alpha > 128).mean() < 0.95, key  # a picture, not a blank or a block
    assert icon_key("roll_deg.straighten", "roll_deg", "left") == "roll_deg.straighten"
    assert icon_key("", "yaw_deg", "left") == "yaw_deg.left"


def test_the_coaching_band_shows_the_prompts_icon(display: None, backgrounds) -> None:
    surf = pygame.Surface((1280, 720))
    r = Renderer(surf)
    words = load_catalogue("en")
    shots = {}
    for key in ("pitch_deg.up", "yaw_deg.left"):
        metric, d = key.split(".")
        v = View(State.COACHING, frame=backgrounds["person"], frame_key=1, words=words,
                 coach=CoachView("adjusting", words.prompt(key, 1.5), d, metric, 0.5, key=key))
        draw_view(r, v)
        band_left = pygame.surfarray.array3d(surf)[20:130, 590:710]
        shots[key] = band_left.astype(int)
    assert np.abs(shots["pitch_deg.up"] - shots["yaw_deg.left"]).mean() > 10


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_every_text_meets_wcag_contrast_on_rendered_frames(display: None, backgrounds,
                                                           theme: str) -> None:
    Theme.use(theme)
    try:
        low = []
        for size in ((1280, 720), (1080, 1920)):
            r = Renderer(pygame.Surface(size))
            r.drawn, r.measure_contrast = [], True
            for bg_name, bg in backgrounds.items():
                for lang in ("en", "ja"):
                    for name, v in _layouts(sample_views(load_catalogue(lang), bg)):
                        r.drawn.clear()
                        draw_view(r, v)
                        low += [(size, bg_name, name, d.text, round(d.contrast, 2))
                                for d in r.drawn
                                if d.contrast is not None and d.contrast < WCAG_AA]
        assert low == []
    finally:
        Theme.use("standard")


def _layouts(views: dict[str, View]) -> Iterator[tuple[str, View]]:
    """Every screen and variant, with the prompts in one amount band (the others lay out
    the same way): the contrast check reads pixels, so it looks at each layout once."""
    for name, v in views.items():
        if "@" not in name or name.endswith("@1.5"):
            yield name, v


def _ring(r: Renderer, readiness: float, status: str = "adjusting") -> np.ndarray:
    """The ring's square of the coaching screen, as a guest with deuteranopia sees it."""
    v = View(State.COACHING, coach=CoachView(status, "", readiness=readiness,
                                             hold_progress=0.4))
    draw_view(r, v)
    band = pygame.Rect(0, r.h - int(r.h * 0.2), r.w, int(r.h * 0.2))
    (cx, cy), rad, _w = ring_and_text_width(r, band)
    px = pygame.surfarray.array3d(r.surface)[cx - rad:cx + rad, cy - rad:cy + rad]
    return deuteranopia(px)


def test_the_readiness_ring_state_is_not_shown_by_colour_alone(display: None) -> None:
    """Ready (everything in range) against nearly ready: after a deuteranopia simulation
    the two still differ in lightness and shape, not only in hue; holding shows the count."""
    r = Renderer(pygame.Surface((1280, 720)))
    nearly, ready, holding = _ring(r, 0.97), _ring(r, 1.0), _ring(r, 1.0, "hold")
    light = {k: luminance(v) for k, v in (("nearly", nearly), ("ready", ready),
                                          ("holding", holding))}
    # The ready disc is filled: far more of the ring's square is light.
    filled = {k: float((v > 0.3).mean()) for k, v in light.items()}
    assert filled["ready"] > filled["nearly"] + 0.25, filled
    assert np.abs(light["ready"] - light["nearly"]).mean() > 0.15
    assert np.abs(light["holding"] - light["ready"]).mean() > 0.02  # the count, not a check
    # And the colours themselves stay apart for a deuteranope (the ready green against the
    # waiting yellow), though no test relies on that alone.
    g, y = (deuteranopia(np.array(c, np.uint8)) for c in (Theme.GOOD, Theme.ACCENT))
    assert ratio(luminance(g), luminance(y)) >= 1.0


def test_every_sound_has_a_visual_counterpart(display: None, backgrounds) -> None:
    """The shutter sound: the white flash on the capture screen; the hold tones: the
    count in the ring; the voice: the prompt's words and icon on screen."""
    r = Renderer(pygame.Surface((1280, 720)))
    frame = backgrounds["person"]
    draw_view(r, View(State.CAPTURE, frame=frame, frame_key=1, flash=1.0))
    assert pygame.surfarray.array3d(r.surface).mean() > 250  # the flash
    r.drawn = []
    draw_view(r, View(State.COACHING, frame=frame, frame_key=1,
                      coach=CoachView("hold", "", readiness=1.0, hold_progress=0.5)))
    assert "2" in [d.text for d in r.drawn]  # the count the tones go with
