"""Every guest-facing word comes from the message catalogue, in every shipped language.

The screens are drawn for real (pygame's dummy display) from views that between them
show every text of each language (:func:`kiosk.text_fit.sample_views`); the renderer
records every text that reaches the surface, so a hard-coded English string on a guest
screen fails here.
"""

from __future__ import annotations

import re

import numpy as np
import pygame
import pytest

from coaching.messages import (
    PROMPT_KEYS,
    Catalogue,
    flat_texts,
    load_catalogue,
    read_catalogue_file,
    shipped_languages,
)
from kiosk.render import Renderer
from kiosk.screens import draw_view
from kiosk.text_fit import sample_views

#: A fault size in each amount band (small, medium, large).
SIZES = (0.5, 1.5, 3.0)


def _shape(text: str) -> str:
    """Numbers and placeholders both become ``#`` so a filled text matches its template."""
    return re.sub(r"\{[a-z_]+\}|\d+", "#", text)


@pytest.fixture(scope="module")
def display() -> None:
    pygame.display.init()
    pygame.font.init()
    yield
    pygame.display.quit()


@pytest.fixture(scope="module")
def frame(media) -> np.ndarray:
    import cv2

    cap = cv2.VideoCapture(str(media / "single_face.mp4"))
    ok, img = cap.read()
    cap.release()
    assert ok
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


@pytest.mark.parametrize("language", shipped_languages())
def test_every_word_on_a_guest_screen_comes_from_the_catalogue(display: None, frame: np.ndarray,
                                                               language: str) -> None:
    words = load_catalogue(language)
    known = sorted({_shape(t) for t in flat_texts_of(words)}, key=len, reverse=True)
    surf = pygame.display.set_mode((1280, 720))
    r = Renderer(surf)
    r.drawn = []
    for name, v in sample_views(words, frame).items():
        r.drawn.clear()
        draw_view(r, v)
        assert r.drawn, name
        for s in (d.text for d in r.drawn):
            rest = _shape(s)
            for text in known:  # what is left when every catalogue text is taken out
                rest = rest.replace(text, "")
            # ... may only be counts, the session code, "!", joining dots and spaces.
            assert re.fullmatch(r"[#\W_]*", rest), (name, s, rest)


def flat_texts_of(words: Catalogue) -> list[str]:
    """Every text of the language as written, and every prompt with its amount placed."""
    prompts = [words.prompt(f"{m}.{v}", size) for m, vs in PROMPT_KEYS.items() for v in vs
               for size in SIZES]
    hints = [words.ui("set.saved_hint", number=1, total=3, hint=words.next_shot(i))
             for i in (1, 2)]
    names = [load_catalogue(lang).name for lang in shipped_languages()]  # the picker's
    return [*flat_texts(read_catalogue_file(words.language)).values(), *prompts, *hints,
            *names]
