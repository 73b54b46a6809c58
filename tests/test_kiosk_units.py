"""Kiosk pieces without the models: layouts at every screen size, the prompt size rule,
input mapping, the operator PIN, ``set-pin``, summaries. Real pygame (dummy display)."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import pygame
import pytest
import yaml

from coaching.messages import load_catalogue
from kiosk.cli import main
from kiosk.config import ConfigError, load_config
from kiosk.input import InputMapper, post
from kiosk.operator import MAX_FAILURES, Mode, OperatorPanel, hash_pin, verify_pin
from kiosk.render import PreviewMap, Renderer, crop_to_aspect
from kiosk.screens import (
    CoachView,
    FaceBox,
    Guide,
    OperatorRow,
    OperatorView,
    Photo,
    SetProgress,
    View,
    coaching,
    draw_view,
    shots,
)
from kiosk.screens.review import summary_line, summary_phrases
from kiosk.states import Event, Kind, PresetCard, State

SIZES = [(1280, 720), (1920, 1080), (3840, 2160), (1080, 1920), (720, 1280)]
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def frame(media: Path) -> np.ndarray:
    cap = cv2.VideoCapture(str(media / "single_face.mp4"))
    ok, bgr = cap.read()
    cap.release()
    assert ok
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


@pytest.fixture(scope="module")
def display() -> None:
    pygame.display.init()
    pygame.font.init()
    yield
    pygame.display.quit()


def catalogue_texts() -> list[str]:
    data = yaml.safe_load((ROOT / "coaching" / "messages" / "en.yaml").read_text())
    longest = max(data["amounts"].values(), key=len)
    texts = list(data["states"].values())
    for variants in data["prompts"].values():
        for text in variants.values():
            if isinstance(text, dict):
                texts += list(text.values())
            else:
                texts.append(text.replace("{amount}", longest))
    return texts


def views(frame: np.ndarray) -> dict[str, View]:
    cards = [PresetCard(f"p{i}", f"Preset number {i}", "A one-line description of the use, "
                        "long enough to wrap onto a second line") for i in range(9)]
    coach = CoachView("adjusting", "Turn your shoulders a little to your left", "left",
                      "shoulder_turn_deg", 0.5, 0.0, {"head_height": True})
    face = FaceBox(0.55, 0.42, 0.5)
    guide = Guide(0.6, 0.36)
    rows = tuple(OperatorRow(f"m{i}", f"Metric {i}", "0 – 1", "0.5", i % 2 == 0, True)
                 for i in range(20))
    return {
        "welcome": View(State.WELCOME, frame=frame, frame_key=1),
        "choose": View(State.CHOOSE, presets=cards, focus=4),
        "coaching": View(State.COACHING, frame=frame, frame_key=1, coach=coach, face=face,
                         guide=guide, preset_name="LinkedIn / business"),
        "hold": View(State.COACHING, frame=frame, frame_key=1, face=face, guide=guide,
                     coach=CoachView("hold", "Perfect — hold still", None, None, 1, 0.5)),
        "coaching_crop": View(State.COACHING, frame=frame, frame_key=1, coach=coach, face=face,
                              guide=Guide(0.5, 0.4, cx=0.45, crop=(0.2, 0.05, 0.5, 0.9),
                                          round=True), preset_name="LinkedIn / business"),
        "capture": View(State.CAPTURE, frame=frame, frame_key=1, flash=0.5),
        "review": View(State.REVIEW, photo=frame, photo_key=1, summary=["eyes_open", "smile"]),
        "coaching_next": View(State.COACHING, frame=frame, frame_key=1, coach=coach, face=face,
                              guide=guide, preset_name="Acting (commercial)",
                              progress=SetProgress(2, 3, saved=1,
                                                   hint="Now try a different expression")),
        "review_set": View(State.REVIEW, photo=frame, favourite=1,
                           photos=[Photo(frame, i, i != 2) for i in range(3)]),
        "review_set_of_5": View(State.REVIEW, photos=[Photo(frame, i) for i in range(5)]),
        "done": View(State.DONE, session_code="2026-01-01_0001", location="/x/shot-001.jpg",
                     seconds_left=5),
        "done_set": View(State.DONE, session_code="2026-01-01_0001", location="/x/2026",
                         saved_count=3, favourite=0, seconds_left=5),
        "reconnecting": View(State.RECONNECTING, frame=frame, frame_key=1),
        "failsafe": View(State.FAILSAFE),
        "loading": View(State.LOADING),
        "pin": View(State.WELCOME, frame=frame, frame_key=1,
                    operator=OperatorView("pin", entered=3)),
        "operator": View(State.COACHING, frame=frame, frame_key=1, coach=coach,
                         operator=OperatorView("open", rows=rows, stats=("screen 30 fps",))),
        "no_pin": View(State.WELCOME, operator=OperatorView("no_pin")),
    }


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_screen_lays_out_inside_the_screen_at_every_size(display: None, frame: np.ndarray,
                                                              size: tuple[int, int]) -> None:
    surf = pygame.display.set_mode(size)
    r = Renderer(surf)
    screen = surf.get_rect()
    for name, v in views(frame).items():
        buttons = draw_view(r, v)
        for b in buttons:
            assert screen.contains(b.rect.clip(screen.inflate(40, 40))), (name, b)
            # Touch targets a thumb can hit (>= 5% of the short side); the operator's table
            # rows are a convenience (the ▲/▼ buttons select rows too).
            if b.label != "start" and not str(b.event.data).startswith("row:"):
                assert min(b.rect.w, b.rect.h) >= 0.05 * min(size), (name, b.label, b.rect)
        # Something was drawn: the screen is not one flat colour.
        arr = pygame.surfarray.pixels3d(surf)
        assert arr.std() > 5, name
        del arr


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_review_of_a_set_shows_every_photo_large_and_apart(display: None, frame: np.ndarray,
                                                               size: tuple[int, int]) -> None:
    surf = pygame.display.set_mode(size)
    r = Renderer(surf)
    for n in (2, 3, 5):
        buttons = draw_view(r, View(State.REVIEW, photos=[Photo(frame, i) for i in range(n)]))
        thumbs = [b.rect for b in buttons if b.event.kind is Kind.SELECT]
        assert [b.event.index for b in buttons if b.event.kind is Kind.SELECT] == list(range(n))
        actions = [b.rect for b in buttons if b.event.kind in (Kind.KEEP, Kind.RETAKE)]
        assert len(actions) == 2
        for i, a in enumerate(thumbs):
            assert surf.get_rect().contains(a)
            assert not any(a.colliderect(b) for b in thumbs[i + 1:] + actions)
            # Each photo at least a fifth of the short side: a face one can judge.
            assert min(a.w, a.h) >= 0.2 * min(size) * (0.75 if n == 5 else 1), (n, a)


def test_the_set_grid_picks_the_column_count_that_makes_photos_largest() -> None:
    wide = pygame.Rect(0, 0, 1800, 600)
    tall = pygame.Rect(0, 0, 1000, 1500)
    assert len({c.y for c in shots.grid(3, 16 / 9, wide, 20)}) == 1  # one row
    assert len({c.x for c in shots.grid(3, 16 / 9, tall, 20)}) == 1  # one column
    cells = shots.grid(3, 2 / 3, tall, 20)  # portrait photos on a portrait screen: 2 + 1
    assert len({c.y for c in cells}) == 2 and cells[2].centerx == tall.centerx
    for c in cells:
        assert tall.contains(c) and abs(c.w / c.h - 2 / 3) < 0.02


def test_set_words() -> None:
    from kiosk.screens.done import saved_line

    p = SetProgress(2, 3, saved=1, hint="Now try a different expression")
    en = load_catalogue("en")
    assert shots.counter_text(en, p) == "Photo 2 of 3"
    assert shots.saved_text(en, p) == "Photo 1 of 3 saved. Now try a different expression"
    assert shots.saved_text(en, SetProgress(3, 3, saved=2)) == "Photo 2 of 3 saved"
    one = View(State.DONE, location="/home/kiosk/out/2026-01-01_0001/shot-001.jpg",
               saved_count=1, session_code="2026-01-01_0001")
    three = View(State.DONE, location="/home/kiosk/out/2026-01-01_0001", saved_count=3,
                 favourite=1, session_code="2026-01-01_0001")
    for v in (one, three):
        assert "/" not in saved_line(v) and "kiosk/out" not in saved_line(v)
    assert saved_line(three) == "All 3 photos are saved, your favourite is photo 2."
    no_code = View(State.DONE, location="/x/shot-001.jpg", saved_count=1)
    assert saved_line(no_code).endswith("Ask a member of staff for your copy.")
    # "nothing is uploaded" only where it is true (mirror.enabled copies kept photos off)
    assert "nothing is uploaded" in saved_line(one)
    mirrored = View(State.DONE, location=one.location, saved_count=1,
                    session_code=one.session_code, uploads=True)
    assert saved_line(mirrored) == "Your photo is saved."


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_prompt_is_at_least_6_percent_of_the_height_and_fits(display: None,
                                                                   size: tuple[int, int]) -> None:
    surf = pygame.display.set_mode(size)
    r = Renderer(surf)
    _box, band = coaching.layout(r)
    _centre, _radius, width = coaching.ring_and_text_width(r, band)
    for text in catalogue_texts():
        px, n = coaching._prompt_fit(r, text, width)
        font = r.font(px)
        assert font.get_height() >= 0.06 * size[1] * 0.99, (text, px)
        lines = r.wrap(text, px, width)
        assert len(lines) == n <= (5 if size[1] > size[0] else 2)
        assert all(font.size(line)[0] <= width for line in lines), (text, size)
        assert n * font.get_linesize() < 0.4 * size[1]


def test_preview_is_cropped_to_the_still_and_mirrored(display: None, frame: np.ndarray) -> None:
    assert crop_to_aspect(1280, 720, 0.8) == (352, 0, 576, 720)
    assert crop_to_aspect(640, 480, 16 / 9) == (0, 60, 640, 360)
    assert crop_to_aspect(640, 360, None) == (0, 0, 640, 360)
    surf = pygame.display.set_mode((800, 600))
    r = Renderer(surf)
    img = np.zeros((100, 200, 3), np.uint8)
    img[:, :20] = (255, 0, 0)  # a red stripe on the camera's left edge
    pm = r.preview(img, "k", surf.get_rect(), aspect=1.0, mirror=True)
    assert pm.rect.size == (600, 600)
    assert isinstance(pm, PreviewMap)
    # Cropped to the middle square: the stripe (x < 20 of 200) is outside.
    assert tuple(surf.get_at(pm.rect.center))[:3] == (0, 0, 0)
    img[:, 50:60] = (0, 255, 0)  # inside the crop (50..150), near its left edge
    pm = r.preview(img, "k2", surf.get_rect(), aspect=1.0, mirror=True)
    x, y = pm.to_screen(55 / 200, 0.5)
    assert x > pm.rect.centerx  # mirrored: the camera's left is the screen's right
    assert tuple(surf.get_at((x, y)))[:3] == (0, 255, 0)


def test_keys_touch_presenters_and_posted_hardware_events(display: None) -> None:
    pygame.display.set_mode((1000, 500))
    m = InputMapper((1000, 500), long_press_s=2.0)

    def k(key: int, mod: int = 0) -> Event | None:
        return m.translate(pygame.event.Event(pygame.KEYDOWN, key=key, mod=mod), 0.0)

    assert k(pygame.K_SPACE).kind is Kind.OK
    assert k(pygame.K_RETURN).kind is Kind.OK
    assert k(pygame.K_ESCAPE).kind is Kind.BACK
    assert k(pygame.K_PAGEDOWN).kind is Kind.NEXT
    assert k(pygame.K_PAGEUP).kind is Kind.PREV
    assert k(pygame.K_b).kind is Kind.OK
    assert k(pygame.K_LEFT).kind is Kind.LEFT
    assert k(pygame.K_o, pygame.KMOD_LCTRL | pygame.KMOD_LALT).kind is Kind.OPERATOR
    assert k(pygame.K_x) is None
    tap = m.translate(pygame.event.Event(pygame.FINGERDOWN, x=0.5, y=0.5, finger_id=0,
                                         touch_id=0), 0.0)
    assert tap.kind is Kind.TAP and tap.pos == (500, 250)
    # Mouse events that SDL synthesizes from touches are ignored (no double taps).
    assert m.translate(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(1, 1), button=1,
                                          touch=True), 0.0) is None
    assert m.translate(pygame.event.Event(pygame.QUIT), 0.0).kind is Kind.QUIT
    # Long press in the top-right corner.
    corner = m.corner_rect().center
    assert m.translate(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=corner, button=1), 10.0) \
        is None
    assert m.poll(11.0) is None
    assert m.poll(12.1).kind is Kind.OPERATOR
    # A press released early is not a long press.
    m.translate(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=corner, button=1), 20.0)
    m.translate(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=corner, button=1), 20.5)
    assert m.poll(25.0) is None
    # A hardware button thread posts semantic events.
    pygame.event.clear()
    post(Event(Kind.SHUTTER))
    (e,) = [m.translate(x, 0.0) for x in pygame.event.get()]
    assert e.kind is Kind.SHUTTER


def test_pin_is_stored_salted_and_checked_in_constant_time() -> None:
    h1, h2 = hash_pin("4711"), hash_pin("4711")
    assert h1 != h2 and "4711" not in h1  # salted, never the PIN itself
    assert verify_pin("4711", h1) and verify_pin("4711", h2)
    assert not verify_pin("4712", h1)
    assert not verify_pin("4711", "garbage")
    for bad in ("12", "abcd", "1234567890123"):
        with pytest.raises(ValueError):
            hash_pin(bad)


def test_operator_pad_locks_after_repeated_wrong_pins() -> None:
    op = OperatorPanel(hash_pin("2468"))
    op.request(0.0)
    assert op.mode is Mode.PIN
    for i in range(MAX_FAILURES):
        for d in "1111":
            op.type_digit(d, float(i))
        assert not op.submit(float(i))
    assert "Locked" in op.message
    for d in "2468":
        op.type_digit(d, 10.0)
    assert not op.submit(10.0)  # the right PIN during the lockout is refused
    for d in "2468":
        op.type_digit(d, 40.0)
    assert op.submit(40.0) and op.mode is Mode.OPEN
    op.close()
    op.request(41.0)
    assert op.mode is Mode.PIN  # asks again next time
    assert OperatorPanel(None).mode is Mode.CLOSED
    nopin = OperatorPanel(None)
    nopin.request(0.0)
    assert nopin.mode is Mode.NO_PIN
    dev = OperatorPanel(None, allow_without_pin=True)
    dev.request(0.0)
    assert dev.mode is Mode.OPEN


def test_set_pin_writes_only_a_hash_into_the_config(tmp_path: Path, monkeypatch,
                                                    capsys) -> None:
    cfg = tmp_path / "kiosk.yaml"
    cfg.write_text("# my booth\nui:\n  idle_timeout_s: 90\noperator:\n  pin_hash: null  # x\n")
    monkeypatch.setattr("sys.stdin", io.StringIO("13579\n"))
    assert main(["set-pin", "--stdin", "--config", str(cfg)]) == 0
    text = cfg.read_text()
    assert "13579" not in text and "# my booth" in text and "idle_timeout_s: 90" in text
    loaded = load_config(cfg)
    assert verify_pin("13579", loaded.operator.pin_hash)
    assert loaded.ui.idle_timeout_s == 90
    # Printing instead of writing; a bad PIN is one line and exit 2.
    monkeypatch.setattr("sys.stdin", io.StringIO("8642\n"))
    assert main(["set-pin", "--stdin"]) == 0
    assert "pin_hash:" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("12ab\n"))
    assert main(["set-pin", "--stdin", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "digits" in err
    assert verify_pin("13579", load_config(cfg).operator.pin_hash)  # unchanged


def test_a_plain_pin_in_the_config_is_refused(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("operator:\n  pin_hash: '1234'\n")
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert "operator.pin_hash" in str(info.value) and ":2:" in str(info.value)


def test_review_summary_in_plain_words() -> None:
    met = {"eyes_open": True, "smile": True, "pitch_deg": True, "head_height": True,
           "eye_line": False, "looking_at_camera": True}
    phrases = summary_phrases(met)
    assert phrases[:3] == ["Eyes open", "Looking into the lens", "Natural smile"]
    assert "Chin level" in phrases and "Well framed" not in phrases  # eye line was off
    assert summary_line(["Eyes open", "Natural smile", "Chin level"]) == \
        "Eyes open · natural smile · chin level"
    assert summary_phrases({"smile": True}, smile_wanted=False) == ["Calm, neutral expression"]
    assert summary_phrases({}) == []


def test_shutter_sound_is_synthesized(tmp_path: Path) -> None:
    from kiosk.sound import Sounds, shutter_samples

    pcm = shutter_samples()
    assert pcm.dtype == np.int16 and pcm.shape[1] == 2 and 6000 < len(pcm) < 10000
    assert np.abs(pcm).max() > 20000 and np.abs(pcm[-200:]).max() < 2000  # a click that ends
    s = Sounds(shutter=True)  # SDL's dummy audio driver: a real mixer, no device
    s.shutter()
