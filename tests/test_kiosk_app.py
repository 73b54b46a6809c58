"""The kiosk driven frame by frame on a real pygame display (SDL dummy driver), with a
replayed person through the real models, real storage on disk, and posted events.

Fakes only for faults a file cannot produce: a camera that unplugs and comes back
(``FakeUnpluggableSource``), a camera that is not there (``FakeMissingCamera``),
a clock that jumps ahead (idle timeouts without waiting a minute).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pygame
import pytest
from kiosk_driving import at, drive, post

from camera.base import CameraNotFound, CameraSource, Frame, SourceState, Still
from camera.replay import ReplaySource
from coaching.messages import load_catalogue
from coaching.preset_outputs import Output
from coaching.presets import Preset, load_presets
from kiosk.app import KioskApp
from kiosk.config import load_config
from kiosk.operator import hash_pin
from kiosk.states import Kind, State
from kiosk.view_model import coach_words


class FakeClock:
    """Monotonic time that a test can push forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


class FakeUnpluggableSource(CameraSource):
    """A real replay that the test can 'unplug' (no frames, RECONNECTING) and plug back."""

    def __init__(self, inner: CameraSource) -> None:
        self.inner = inner
        self.name = "fake unpluggable " + inner.name
        self.unplugged = False

    def open(self) -> None:
        self.inner.open()

    def close(self) -> None:
        self.inner.close()

    def latest_frame(self, after_index: int = -1) -> Frame | None:
        return None if self.unplugged else self.inner.latest_frame(after_index)

    def capture_still(self) -> Still:
        return self.inner.capture_still()

    @property
    def state(self) -> SourceState:
        return SourceState.RECONNECTING if self.unplugged else self.inner.state


class FakeMissingCamera(CameraSource):
    """No camera attached: open() fails like a webcam that is not there."""

    name = "fake missing camera"

    def open(self) -> None:
        raise CameraNotFound("no webcam at index 7")

    def close(self) -> None:
        pass

    def latest_frame(self, after_index: int = -1) -> Frame | None:
        return None

    def capture_still(self) -> Still:
        raise CameraNotFound("no webcam at index 7")

    @property
    def state(self) -> SourceState:
        return SourceState.CLOSED


@pytest.fixture(scope="module")
def presets() -> dict[str, Preset]:
    found = load_presets(user=False)
    # A lenient preset the replayed man meets as he is, so the automatic shutter fires.
    found["easy"] = Preset(name="easy", title="Easy test", description="Anything goes.",
                           look_at_camera=False, hold_s=0.3)
    # The same, taking a set of three with a cooldown longer than "captured" + hold.
    found["easy3"] = found["easy"].model_copy(update={"name": "easy3", "shots": 3,
                                                      "cooldown_s": 2.5})
    return found


@pytest.fixture()
def make_app(tmp_path: Path, media: Path, presets: dict[str, Preset]):
    apps: list[KioskApp] = []

    def make(*, source: CameraSource | None = None, windowed: bool = True,
             clock: Callable[[], float] | None = None, pin: str | None = None,
             preset: str | None = None, idle: float = 60.0,
             languages: list[str] | None = None) -> KioskApp:
        cfg = load_config()
        cfg.ui.idle_timeout_s = idle
        cfg.ui.languages = languages or []
        cfg.ui.shutter_sound = False
        cfg.camera.watchdog.wait_for_camera = True  # a missing camera is waited for
        if pin:
            cfg.operator.pin_hash = hash_pin(pin)
        src = source or ReplaySource(media / "single_face.mp4", realtime=True, loop=True)
        app = KioskApp(cfg, source=src, source_spec="replay:" + str(media / "single_face.mp4"),
                       out_dir=tmp_path / "out", windowed=windowed, size=(1280, 720),
                       clock=clock, presets=presets, preset=preset)
        app.start()
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.close()


def key(k: int, mod: int = 0, unicode: str = "") -> None:
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=mod, unicode=unicode))


def tap_button(app: KioskApp, label: str) -> None:
    """A real mouse click in the middle of the button drawn with ``label``."""
    button = next(b for b in app.buttons if b.label == label)
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=button.rect.center,
                                         button=1, touch=False))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=button.rect.center,
                                         button=1, touch=False))


def sidecars(out: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(out.glob("*/shot-*.json"))]


# ----------------------------------------------------------------------------- sessions
def test_welcome_to_done_by_touch_and_keys_writes_the_photo_and_kept_flag(make_app) -> None:
    app = make_app()
    drive(app, at(State.WELCOME))
    assert app.buttons, "the welcome screen offers a touch target"
    tap_button(app, "start")
    drive(app, at(State.CHOOSE))
    titles = [c.name for c in app.machine.ctx.presets]
    assert titles[0] == "LinkedIn / business"
    tap_button(app, "LinkedIn / business")
    drive(app, at(State.COACHING))
    assert app.machine.ctx.preset == "linkedin"
    drive(app, lambda a: a.booth.last_result is not None
          and a.booth.last_result.state.status != "no_face")
    key(pygame.K_SPACE)  # Space = take the photo now
    drive(app, at(State.REVIEW))
    shot = app.machine.ctx.shot
    assert shot is not None and Path(shot.path).is_file()
    assert app.machine.ctx.summary, "the review says what went well"
    assert State.CAPTURE in app.machine.history
    key(pygame.K_RETURN)  # Enter on the focused "Keep it"
    drive(app, at(State.DONE))
    assert app.machine.ctx.location == shot.path
    assert app.machine.ctx.session_code and app.machine.ctx.session_code in shot.path
    out = app.out_dir
    (side,) = sidecars(out)
    assert side["kept"] is True and side["preset"] == "linkedin" and side["reason"] == "manual"
    assert side["metrics"]["faces"] == 1
    photo = pygame.image.load(shot.path)
    assert photo.get_size() == (640, 360)  # the camera's full frame, unmirrored
    tap_button(app, "finish")
    drive(app, at(State.WELCOME))
    (log_file,) = out.glob("sessions-*.jsonl")
    record = json.loads(log_file.read_text().splitlines()[-1])
    assert record["shots"] == 1 and record["kept"] == 1 and record["preset"] == "linkedin"


def test_the_guests_language_is_on_every_screen_in_the_records_and_reset_after(
        make_app) -> None:
    app = make_app(languages=["de", "ja", "xx"])  # xx has no catalogue: not offered
    drive(app, at(State.WELCOME))
    assert app.machine.ctx.languages == ["en", "de", "ja"]
    assert [b.label for b in app.buttons[1:]] == ["English", "Deutsch", "日本語"]
    tap_button(app, "Deutsch")
    drive(app, lambda a: a.machine.ctx.language == "de")
    assert app.build_view(app.clock()).words.language == "de"
    key(pygame.K_RIGHT)  # keys and presenters move through the languages too
    drive(app, lambda a: a.machine.ctx.language == "ja")
    key(pygame.K_LEFT)
    drive(app, lambda a: a.machine.ctx.language == "de")
    tap_button(app, "start")
    drive(app, at(State.CHOOSE))
    assert app.build_view(app.clock()).presets[0].name == "LinkedIn / Business"
    post(Kind.BACK)  # back to the welcome screen: the same guest keeps the language
    drive(app, at(State.WELCOME))
    assert app.machine.ctx.language == "de"
    tap_button(app, "start")
    drive(app, at(State.CHOOSE))
    post(Kind.SELECT, index=0)
    drive(app, at(State.COACHING))
    drive(app, lambda a: a.booth.last_result is not None
          and a.booth.last_result.state.status != "no_face")
    st = app.booth.last_result.state
    said = app.build_view(app.clock()).coach.message
    assert said == coach_words(load_catalogue("de"), st) != coach_words(load_catalogue("en"), st)
    key(pygame.K_SPACE)
    drive(app, at(State.REVIEW))
    key(pygame.K_RETURN)
    drive(app, at(State.DONE))
    (side,) = sidecars(app.out_dir)
    assert side["language"] == "de"
    tap_button(app, "finish")
    drive(app, at(State.WELCOME))
    (log_file,) = app.out_dir.glob("sessions-*.jsonl")
    assert json.loads(log_file.read_text().splitlines()[-1])["language"] == "de"
    assert app.machine.ctx.language == ""  # the next guest starts in the booth's language
    assert app.build_view(app.clock()).words.language == "en"


def test_retake_then_automatic_shutter_and_presenter_keys(make_app) -> None:
    app = make_app(preset="easy")  # --preset skips the chooser
    drive(app, at(State.WELCOME))
    key(pygame.K_PAGEDOWN)  # presenter "next" starts
    drive(app, at(State.COACHING))
    drive(app, at(State.REVIEW), timeout=30)  # the automatic shutter fires by itself
    key(pygame.K_RIGHT)  # focus "Try again"
    key(pygame.K_b)  # presenter B = OK
    drive(app, at(State.COACHING))
    drive(app, at(State.REVIEW), timeout=30)
    post(Kind.KEEP)
    drive(app, at(State.DONE))
    shots = sidecars(app.out_dir)
    assert [s["reason"] for s in shots] == ["auto", "auto"]
    assert [s["kept"] for s in shots] == [None, True]
    assert all(s["preset"] == "easy" for s in shots)
    assert len({s["session"] for s in shots}) == 1  # a retake stays in the session


def test_a_three_shot_preset_saves_three_photos_reviews_them_and_records_the_favourite(
        make_app) -> None:
    app = make_app()
    drive(app, at(State.WELCOME))
    tap_button(app, "start")
    drive(app, at(State.CHOOSE))
    tap_button(app, "Acting (commercial)")  # shots: 3 in its YAML
    drive(app, at(State.COACHING))
    assert app.booth.shots_wanted() == 3
    progress = app.build_view(app.clock()).progress
    assert progress is not None and (progress.number, progress.total, progress.saved) == (1, 3, 0)
    drive(app, lambda a: a.booth.last_result is not None
          and a.booth.last_result.state.status != "no_face")
    session = app.booth.session
    for n in (1, 2):
        key(pygame.K_SPACE)  # the manual shutter, as a photographer would
        drive(app, lambda a, n=n: len(a.machine.ctx.shots) == n)
        assert app.machine.state is State.COACHING  # back for the next one
        progress = app.build_view(app.clock()).progress
        assert (progress.number, progress.total, progress.saved) == (n + 1, 3, n)
        assert progress.hint  # "Now try a different expression"
        assert Path(app.machine.ctx.shots[-1].path).is_file()  # saved at once, as ever
    assert app.booth.session is session  # one session for the whole set
    # The saved line goes after coach.captured_show_s; the counter stays.
    drive(app, lambda a: a.build_view(a.clock()).progress.saved == 0, timeout=5)
    assert app.build_view(app.clock()).progress.number == 3
    key(pygame.K_SPACE)
    drive(app, at(State.REVIEW))
    app.step()
    view = app.build_view(app.clock())
    assert len(view.photos) == 3 and all(p.saved for p in view.photos)
    assert {"photo 1", "photo 2", "photo 3", "keep", "retake"} <= {b.label for b in app.buttons}
    tap_button(app, "photo 2")  # the favourite
    app.step()
    assert app.machine.ctx.favourite == 1
    tap_button(app, "keep")  # "Keep all 3"
    drive(app, at(State.DONE))
    sides = sidecars(app.out_dir)
    assert len(sides) == 3 and len({s["session"] for s in sides}) == 1
    assert [s["kept"] for s in sides] == [True, True, True]
    assert [s["favourite"] for s in sides] == [False, True, False]
    assert all(s["preset"] == "acting-commercial" and s["reason"] == "manual" for s in sides)
    # The guest sees a code and words, never where the files are.
    from kiosk.screens.done import saved_line

    done = app.build_view(app.clock())
    assert done.saved_count == 3 and done.session_code == session.id
    line = saved_line(done)
    assert "photo 2" in line and str(app.out_dir) not in line and "/" not in line
    assert app.machine.ctx.location == str(session.folder)  # for the operator and the log
    assert f"folder: {session.folder}" in app._operator_view().stats
    tap_button(app, "finish")
    drive(app, at(State.WELCOME))
    (log_file,) = app.out_dir.glob("sessions-*.jsonl")
    record = json.loads(log_file.read_text().splitlines()[-1])
    assert record["shots"] == 3 and record["kept"] == 3 and record["favourite"] == "shot-002.jpg"


def test_automatic_shots_of_a_set_are_spaced_by_the_shutters_cooldown(make_app,
                                                                      monkeypatch) -> None:
    app = make_app(preset="easy3")
    fired: list[tuple[int, float]] = []  # (shutter's shot number, fire time) per still
    real_take = app.booth.shutter._take

    def spy(result: object, reason: str) -> object:  # notes what the shutter said, then takes
        shot = getattr(result, "shot", None)
        if shot is not None:
            fired.append((shot.number, shot.t))
        return real_take(result, reason)

    monkeypatch.setattr(app.booth.shutter, "_take", spy)
    drive(app, at(State.WELCOME))
    post(Kind.START)
    drive(app, at(State.COACHING))
    drive(app, at(State.REVIEW), timeout=45)  # three automatic shots, no key pressed
    assert State.REVIEW not in app.machine.history[:-1]
    assert app.machine.history.count(State.CAPTURE) == 3
    assert [s["reason"] for s in sidecars(app.out_dir)] == ["auto"] * 3
    # One shutter for the whole set (its count runs on, nothing reset between shots), and
    # its cooldown (2.5 s, longer than "captured" + hold) spaces the fires.
    assert [n for n, _ in fired] == [1, 2, 3]
    times = [t for _, t in fired]
    assert all(b - a >= 2.5 for a, b in zip(times, times[1:], strict=False)), times
    key(pygame.K_RIGHT)  # keyboard: pick a favourite, then keep
    post(Kind.KEEP)
    drive(app, at(State.DONE))
    assert [s["favourite"] for s in sidecars(app.out_dir)] == [True, False, False]


def test_retake_all_redoes_the_set_and_keeps_the_first_set_on_disk(make_app) -> None:
    app = make_app(preset="acting-theatrical")
    drive(app, at(State.WELCOME))
    post(Kind.START)
    drive(app, at(State.COACHING))
    for n in (1, 2, 3):
        post(Kind.SHUTTER)
        drive(app, lambda a, n=n: len(a.machine.ctx.shots) == n)
    drive(app, at(State.REVIEW))
    post(Kind.RETAKE)
    drive(app, at(State.COACHING))
    assert app.machine.ctx.shots == []
    assert app.build_view(app.clock()).progress.number == 1
    post(Kind.SHUTTER)
    drive(app, lambda a: len(a.machine.ctx.shots) == 1)
    post(Kind.BACK)  # leave part-way: what was taken is shown, not dropped
    drive(app, at(State.REVIEW))
    post(Kind.KEEP)
    drive(app, at(State.DONE))
    sides = sidecars(app.out_dir)
    assert len(sides) == 4  # nothing was lost
    assert [s["kept"] for s in sides] == [None, None, None, True]


def test_back_goes_back_and_idle_timeout_returns_to_welcome(make_app) -> None:
    clock = FakeClock()
    app = make_app(clock=clock, idle=30)
    drive(app, at(State.WELCOME))
    post(Kind.START)
    drive(app, at(State.CHOOSE))
    key(pygame.K_ESCAPE)  # Esc = back, never quit
    drive(app, at(State.WELCOME))
    assert not app.quit_requested
    post(Kind.START)
    drive(app, at(State.CHOOSE))
    clock.advance(31)
    drive(app, at(State.WELCOME))
    # Coaching does not time out while someone stands in front of the camera.
    post(Kind.START)
    drive(app, at(State.CHOOSE))
    post(Kind.SELECT, index=0)
    drive(app, at(State.COACHING))
    drive(app, lambda a: a.booth.person_present())
    clock.advance(31)
    for _ in range(5):
        app.step()
    assert app.machine.state is State.COACHING


def test_camera_unplugged_while_coaching_shows_reconnecting_and_resumes(make_app,
                                                                       media: Path) -> None:
    src = FakeUnpluggableSource(ReplaySource(media / "single_face.mp4", loop=True))
    app = make_app(source=src)
    drive(app, at(State.WELCOME))
    post(Kind.START)
    post(Kind.SELECT, index=0)
    drive(app, at(State.COACHING))
    session = app.booth.session
    src.unplugged = True
    drive(app, at(State.RECONNECTING))
    title, _ = app.booth.camera_message()
    assert title == "Camera reconnecting…"
    src.unplugged = False
    drive(app, at(State.COACHING))
    assert app.booth.session is session  # the same session carries on


def test_no_camera_says_so_and_keeps_trying(make_app, media: Path) -> None:
    clock = FakeClock()
    app = make_app(source=FakeMissingCamera(), clock=clock)
    app.step()
    assert app.machine.state is State.LOADING
    clock.advance(app.machine.timing.camera_wait_s + 0.1)
    drive(app, at(State.RECONNECTING))
    title, detail = app.booth.camera_message()
    assert title == "No camera found" and "plugged in" in detail
    assert "index 7" not in detail  # the error is for staff, not the guest
    assert app.build_view(clock()).staff == [
        "camera replay:" + str(media / "single_face.mp4")
        + ": no webcam at index 7 · tried 1 time"]


def test_unexpected_errors_show_the_failsafe_screen_and_recover(make_app, monkeypatch) -> None:
    clock = FakeClock()
    app = make_app(clock=clock)
    drive(app, at(State.WELCOME))

    def boom(*a: object, **k: object) -> None:
        raise RuntimeError("a bug in a handler")

    monkeypatch.setattr(app.booth, "begin_session", boom)
    post(Kind.START)
    post(Kind.SELECT, index=0)
    drive(app, at(State.FAILSAFE))
    assert "a bug in a handler" in app.machine.ctx.error
    monkeypatch.undo()
    clock.advance(app.machine.timing.failsafe_s + 0.1)
    drive(app, at(State.WELCOME))
    # A drawing error is caught the same way.
    from kiosk.screens import welcome

    monkeypatch.setattr(welcome, "draw", boom)
    app.step()
    assert app.machine.state is State.FAILSAFE and app.render_errors >= 1
    monkeypatch.undo()
    clock.advance(app.machine.timing.failsafe_s + 0.1)
    drive(app, at(State.WELCOME))


# ----------------------------------------------------------------------------- operator
def test_kiosk_mode_guests_cannot_quit_and_the_operator_pin_unlocks_controls(make_app) -> None:
    app = make_app(windowed=False, pin="4711")
    drive(app, at(State.WELCOME))
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    app.step()
    assert not app.quit_requested  # the close button only brings up the PIN pad
    assert app.operator.mode.value == "pin"
    key(pygame.K_ESCAPE)  # cancel
    app.step()
    assert not app.operator.visible
    key(pygame.K_o, mod=pygame.KMOD_CTRL | pygame.KMOD_ALT)
    app.step()
    for d in "1234":
        key(pygame.K_0 + int(d), unicode=d)
    key(pygame.K_RETURN)
    app.step()
    assert app.operator.mode.value == "pin" and app.operator.message == "Wrong PIN"
    for d in "4711":  # on the touch keypad this time
        tap_button(app, d)
        app.step()
    tap_button(app, "OK")
    app.step()
    assert app.operator.mode.value == "open"
    app.step()
    labels = {b.label for b in app.buttons}
    assert {"Take photo", "Quit kiosk", "Close"} <= labels
    tap_button(app, "Auto: on")
    app.step()
    assert app.booth.auto_paused
    # Ranges for this run: the chooser's first preset, head turn row.
    rows = app._operator_rows()
    i = next(i for i, r in enumerate(rows) if r.key == "yaw_deg")
    post(Kind.OPERATOR, data=f"row:{i}")
    app.step()
    before = app.booth.current_preset().ranges.yaw_deg.max
    tap_button(app, "High +")
    app.step()
    assert app.booth.current_preset().ranges.yaw_deg.max == before + 1
    assert load_presets(user=False)["linkedin"].ranges.yaw_deg.max == before  # YAML untouched
    tap_button(app, "Quit kiosk")
    app.step()
    assert app.quit_requested


def test_long_press_in_the_corner_opens_the_pad_and_windowed_close_quits(make_app) -> None:
    clock = FakeClock()
    app = make_app(clock=clock, pin="2468")
    drive(app, at(State.WELCOME))
    corner = app.mapper.corner_rect().center
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=corner, button=1,
                                         touch=False))
    app.step()
    assert app.machine.state is State.WELCOME and not app.operator.visible  # no tap, no start
    clock.advance(app.cfg.ui.long_press_s + 0.1)
    app.step()
    assert app.operator.mode.value == "pin"
    clock.advance(60)
    app.step()
    assert app.operator.visible and app.machine.state is State.WELCOME
    clock.advance(61)  # left alone for two minutes: the overlay closes by itself
    app.step()
    assert not app.operator.visible
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    app.step()
    assert app.quit_requested  # --windowed is a developer's window: close works


def test_a_full_disk_is_told_on_screen_and_the_session_carries_on(make_app, monkeypatch) -> None:
    from kiosk.storage import Session, StorageError

    def disk_full(self, **kw: object) -> None:  # the fault: ENOSPC while writing the photo
        raise StorageError(f"could not save the photo in {self.folder}: the disk is full")

    app = make_app()
    drive(app, at(State.WELCOME))
    post(Kind.START)
    post(Kind.SELECT, index=0)
    drive(app, at(State.COACHING))
    monkeypatch.setattr(Session, "save", disk_full)
    post(Kind.SHUTTER)
    drive(app, at(State.REVIEW))
    assert "could not be saved" in load_catalogue("en").ui(app.machine.ctx.notice)
    assert app.machine.ctx.shot.path == "(not saved)" and app.machine.ctx.shot.image is not None
    post(Kind.KEEP)
    drive(app, at(State.DONE))
    assert not list(app.out_dir.glob("*/shot-*"))
    monkeypatch.undo()  # the disk has room again: the next sitter's photo is saved
    post(Kind.OK)
    drive(app, at(State.WELCOME))
    post(Kind.START)
    post(Kind.SELECT, index=0)
    drive(app, at(State.COACHING))
    post(Kind.SHUTTER)
    drive(app, at(State.REVIEW))
    assert Path(app.machine.ctx.shot.path).is_file()


def test_review_shows_the_deliverable_and_the_operator_the_whole_frame(
        make_app, presets: dict[str, Preset]) -> None:
    # a wide 3:2 print the replayed man (close to his webcam) fits into
    wide = Output.model_validate({"name": "wide", "title": "Wide 3:2", "aspect": [3, 2],
                                  "pixels": {"width": 900},
                                  "rule": {"head": {"min": 0.5, "max": 0.95},
                                           "eye_line": {"min": 0.2, "max": 0.6},
                                           "centre": 0.2}})
    presets["wide"] = presets["easy"].model_copy(update={"name": "wide", "outputs": (wide,)})
    app = make_app(preset="wide")
    drive(app, at(State.WELCOME))
    post(Kind.START)
    drive(app, at(State.COACHING))
    drive(app, lambda a: a.booth.last_result is not None
          and a.booth.last_result.metrics.crown_line is not None)
    post(Kind.SHUTTER)
    drive(app, at(State.REVIEW))
    full = app.machine.ctx.shot.image
    shown = app.build_view(app.clock()).photo
    assert shown is not full
    assert shown.shape[1] / shown.shape[0] == pytest.approx(1.5, abs=0.02)  # 3:2, not 16:9
    key(pygame.K_o, mod=pygame.KMOD_CTRL | pygame.KMOD_ALT)  # windowed: no PIN needed
    app.step()
    key(pygame.K_f)  # the operator's full-frame key
    app.step()
    assert app.build_view(app.clock()).photo is full
