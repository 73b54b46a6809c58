"""Does every text of a language fit its box? Every guest screen is drawn for real with
sample views that between them show every text of the catalogue, and each text as drawn
is checked: inside the screen, no wider than its box, not shrunk past legibility, and
every glyph in the language's font. Used by ``messages --check`` and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pygame

from coaching.message_check import Finding
from coaching.messages import (
    PROMPT_KEYS,
    Catalogue,
    catalogue_path,
    flat_texts,
    load_catalogue,
    read_catalogue_file,
    shipped_languages,
)
from coaching.yamlconfig import line_of, read_yaml
from kiosk.fonts import missing_glyphs
from kiosk.render import DrawnText, Renderer
from kiosk.screens import CoachView, FaceBox, Guide, Photo, SetProgress, View, draw_view
from kiosk.states import PresetCard, State
from kiosk.view_model import cards, language_buttons

#: The screen sizes every text must fit (the common kiosk displays).
SIZES = ((1280, 720), (1920, 1080))
#: A text drawn below this share of the size its screen asked for is too small to read.
MIN_SHRINK = 0.6
#: A fault size in each amount band (small, medium, large).
FAULTS = (0.5, 1.5, 3.0)
SUMMARY_CHUNK = 5  # the review lists at most this many


@dataclass(frozen=True)
class Misfit:
    """One text that does not fit (or cannot be drawn) on one screen."""

    screen: str
    size: tuple[int, int]
    text: str
    problem: str


def sample_frame(size: tuple[int, int] = (1280, 720)) -> np.ndarray:
    """A plain mid-grey camera frame (the layout does not depend on the picture)."""
    return np.full((size[1], size[0], 3), 120, np.uint8)


def sample_views(words: Catalogue, frame: np.ndarray) -> dict[str, View]:
    """Views that between them show every text of ``words`` on its real screen."""
    presets = [PresetCard(k, k, k) for k in sorted(read_catalogue_file(words.language).cards)]
    cards_ = cards(words, presets)
    face, guide = FaceBox(0.55, 0.42, 0.5), Guide(0.6, 0.36)
    title = max((c.name for c in cards_), key=len, default="")
    live = {"words": words, "frame": frame, "frame_key": 1}
    out: dict[str, View] = {
        "welcome": View(State.WELCOME, languages=language_buttons(shipped_languages()),
                        **live),
        "choose": View(State.CHOOSE, presets=cards_, focus=0, words=words),
        "choose_empty": View(State.CHOOSE, words=words),
        "capture": View(State.CAPTURE, flash=0.5, **live),
        "review_empty": View(State.REVIEW, photo=frame, photo_key=1, words=words),
        "review_set": View(State.REVIEW, favourite=1, words=words,
                           photos=[Photo(frame, i, i != 2) for i in range(3)]),
        "review_set_pick": View(State.REVIEW, photos=[Photo(frame, i) for i in range(3)],
                                words=words),
        "done": View(State.DONE, session_code="2026-01-01_0001", location="/x/a.jpg",
                     seconds_left=5, words=words),
        "done_set": View(State.DONE, session_code="2026-01-01_0001", location="/x/2026",
                         saved_count=3, favourite=0, seconds_left=5, words=words),
        "done_no_code": View(State.DONE, location="/x/2026", saved_count=3, seconds_left=5,
                             words=words),
        "not_saved": View(State.DONE, location="(not saved)", seconds_left=5, words=words),
        "reconnecting": View(State.RECONNECTING, **live),
        "no_camera": View(State.RECONNECTING, camera_title=words.ui("camera.none"),
                          camera_detail=words.ui("camera.none_detail"), words=words),
        "failsafe": View(State.FAILSAFE, words=words),
        "loading": View(State.LOADING, words=words),
    }
    for key in ("loading.warming", "loading.camera"):
        out[key] = View(State.LOADING, loading_detail=words.ui(key), words=words)
    for key in ("notice.cannot_save", "notice.record_failed", "notice.photo_not_saved",
                "notice.no_picture", "notice.picture_failed"):
        out[key] = View(State.WELCOME, notice=words.ui(key), **live)
    summary = list(read_catalogue_file(words.language).summary)
    for i in range(0, len(summary), SUMMARY_CHUNK):
        out[f"review_{i}"] = View(State.REVIEW, photo=frame, photo_key=1, words=words,
                                  summary=summary[i:i + SUMMARY_CHUNK])
    for status in ("no_face", "multiple_faces", "calibrating", "adjusting", "hold", "captured"):
        out[f"state.{status}"] = View(State.COACHING, face=face, guide=guide, preset_name=title,
                                      coach=CoachView(status, words.state(status), None, None,
                                                      1.0 if status == "hold" else 0.6, 0.5),
                                      **live)
    for metric, variants in PROMPT_KEYS.items():
        for v in variants:
            for size in FAULTS:
                out[f"{metric}.{v}@{size}"] = View(
                    State.COACHING, face=face, guide=guide, preset_name=title,
                    coach=CoachView("adjusting", words.prompt(f"{metric}.{v}", size), v, metric,
                                    0.5, key=f"{metric}.{v}"), **live)
    for n in (1, 2):
        out[f"next_shot.{n}"] = View(State.COACHING, face=face, guide=guide, preset_name=title,
                                     progress=SetProgress(2, 3, saved=1, hint=words.next_shot(n)),
                                     **live)
    return out


def misfits(language: str, sizes: tuple[tuple[int, int], ...] = SIZES) -> list[Misfit]:
    """Every text of ``language`` that does not fit (pygame's display must be usable)."""
    words = load_catalogue(language)
    out: list[Misfit] = []
    pygame.display.init()
    pygame.font.init()
    for size in sizes:
        r = Renderer(pygame.Surface(size))
        r.drawn = []
        for name, v in sample_views(words, sample_frame()).items():
            r.drawn.clear()
            draw_view(r, v)
            screen = r.surface.get_rect()
            out += [Misfit(name, size, d.text, p) for d in r.drawn for p in _problems(d, screen,
                                                                                     language)]
    return out


def _problems(d: DrawnText, screen: pygame.Rect, language: str) -> list[str]:
    out = []
    if not screen.contains(d.rect):
        out.append("runs off the screen")
    if d.max_w is not None and d.rect.w > d.max_w:
        out.append(f"{d.rect.w} px wide in a {d.max_w} px box")
    if d.px < d.asked_px * MIN_SHRINK:
        out.append(f"shrunk to {100 * d.px // max(1, d.asked_px)}% of its size to fit "
                   f"{d.max_lines} line(s): say it shorter")
    gone = missing_glyphs(d.text, d.language, d.bold)
    if gone:
        out.append(f"the font has no glyph for {gone!r}")
    return out


def fit_findings(language: str) -> list[Finding]:
    """:func:`misfits` as ``file:line: key: problem`` findings for translators."""
    path = catalogue_path(language)
    data = read_yaml(path)
    words = load_catalogue(language)
    keys = _keys_by_text(words)
    seen: set[tuple[str, str]] = set()
    out = []
    for m in misfits(language):
        key = _key_for(m.text, keys)
        if key is None:  # not a catalogue text (the session code, a count)
            continue
        problem = f"{m.problem} ({m.size[0]}x{m.size[1]}, {m.screen} screen)"
        if (key, m.problem) in seen:
            continue
        seen.add((key, m.problem))
        out.append(Finding(path, line_of(data, tuple(_loc(key))), key, problem))
    return out


def _keys_by_text(words: Catalogue) -> dict[str, str]:
    keys = {t: k for k, t in flat_texts(read_catalogue_file(words.language)).items()}
    for metric, variants in PROMPT_KEYS.items():
        for v in variants:
            for size in FAULTS:
                keys.setdefault(words.prompt(f"{metric}.{v}", size), f"prompts.{metric}.{v}")
    return keys


def _key_for(text: str, keys: dict[str, str]) -> str | None:
    """The catalogue key of a drawn text (of the longest catalogue text inside it)."""
    if text in keys:
        return keys[text]
    inside = [t for t in keys if t and t in text]
    return keys[max(inside, key=len)] if inside else None


def _loc(key: str) -> list[object]:
    return [int(p) if p.isdigit() else p for p in key.split(".")]
