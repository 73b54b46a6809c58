"""Every guest-facing word comes from the message catalogue, in every shipped language.

The screens are drawn for real (pygame's dummy display) from views built with each
language's catalogue; a spying renderer records every line of text that reaches the
surface, so a hard-coded English string on a guest screen fails here.
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
)
from kiosk.render import Renderer
from kiosk.screens import CoachView, FaceBox, Guide, Photo, SetProgress, View, draw_view
from kiosk.states import PresetCard, State
from kiosk.view_model import cards

PRESETS = ("passport", "linkedin", "corporate", "medical", "academic", "acting-commercial",
           "acting-theatrical", "speaker", "residency")
#: A fault size in each amount band (small, medium, large).
SIZES = (0.5, 1.5, 3.0)


class SpyRenderer(Renderer):
    """A real renderer that also keeps every string it is asked to draw (whole, before
    wrapping), with the box it was drawn in."""

    def __init__(self, surface: pygame.Surface) -> None:
        super().__init__(surface)
        self.drawn: list[str] = []
        self._inside = False

    def draw_text(self, s, px, *args, **kw):  # type: ignore[override]
        self.drawn.append(s)
        self._inside = True
        try:
            return super().draw_text(s, px, *args, **kw)
        finally:
            self._inside = False

    def text(self, s, px, color=(250, 250, 250), bold=True):  # type: ignore[override]
        if not self._inside:
            self.drawn.append(s)
        return super().text(s, px, color, bold)


def guest_views(words: Catalogue, frame: np.ndarray) -> dict[str, View]:
    """One view per guest screen (and variant) in ``words``' language."""
    cards_ = cards(words, [PresetCard(p, p, p) for p in PRESETS])
    prompt = words.prompt("shoulder_turn_deg.left", 1.2)
    coach = CoachView("adjusting", prompt, "left", "shoulder_turn_deg", 0.5, 0.0,
                      {"head_height": True})
    face, guide = FaceBox(0.55, 0.42, 0.5), Guide(0.6, 0.36)
    title = cards_[1].name
    base = {"words": words}
    return {
        "welcome": View(State.WELCOME, frame=frame, frame_key=1, **base),
        "choose": View(State.CHOOSE, presets=cards_, focus=1, **base),
        "choose_empty": View(State.CHOOSE, **base),
        "coaching": View(State.COACHING, frame=frame, frame_key=1, coach=coach, face=face,
                         guide=guide, preset_name=title, **base),
        "waiting": View(State.COACHING, frame=frame, frame_key=1, preset_name=title, **base),
        "hold": View(State.COACHING, frame=frame, frame_key=1, face=face, guide=guide,
                     coach=CoachView("hold", words.state("hold"), None, None, 1, 0.5),
                     preset_name=title, **base),
        "capture": View(State.CAPTURE, frame=frame, frame_key=1, flash=0.5, **base),
        "review": View(State.REVIEW, photo=frame, photo_key=1,
                       summary=["eyes_open", "looking", "smile", "chin", "framed"], **base),
        "review_empty": View(State.REVIEW, photo=frame, photo_key=1, **base),
        "coaching_next": View(State.COACHING, frame=frame, frame_key=1, coach=coach, face=face,
                              guide=guide, preset_name=title,
                              progress=SetProgress(2, 3, saved=1, hint=words.next_shot(1)),
                              **base),
        "review_set": View(State.REVIEW, photo=frame, favourite=1,
                           photos=[Photo(frame, i, i != 2) for i in range(3)], **base),
        "review_set_pick": View(State.REVIEW, photos=[Photo(frame, i) for i in range(3)],
                                **base),
        "done": View(State.DONE, session_code="2026-01-01_0001", location="/x/shot-001.jpg",
                     seconds_left=5, **base),
        "done_set": View(State.DONE, session_code="2026-01-01_0001", location="/x/2026",
                         saved_count=3, favourite=0, seconds_left=5, **base),
        "done_no_code": View(State.DONE, location="/x/2026", saved_count=3, seconds_left=5,
                             **base),
        "not_saved": View(State.DONE, location="(not saved)", seconds_left=5, **base),
        "reconnecting": View(State.RECONNECTING, frame=frame, frame_key=1, **base),
        "no_camera": View(State.RECONNECTING, camera_title=words.ui("camera.none"),
                          camera_detail=words.ui("camera.none_detail"), **base),
        "failsafe": View(State.FAILSAFE, **base),
        "loading": View(State.LOADING, **base),
        "notice": View(State.WELCOME, frame=frame, frame_key=1,
                       notice=words.ui("notice.cannot_save"), **base),
    }


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


def test_every_word_on_a_guest_screen_comes_from_the_catalogue(display: None,
                                                               frame: np.ndarray) -> None:
    words = load_catalogue("en")
    known = sorted({_shape(t) for t in flat_texts_of(words)}, key=len, reverse=True)
    surf = pygame.display.set_mode((1280, 720))
    r = SpyRenderer(surf)
    for name, v in guest_views(words, frame).items():
        r.drawn.clear()
        draw_view(r, v)
        assert r.drawn, name
        for s in r.drawn:
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
    return [*flat_texts(read_catalogue_file(words.language)).values(), *prompts, *hints]
