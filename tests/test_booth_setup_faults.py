"""Day one at a booth: set-up faults are loud for staff and calm for the guest.

The real app on a real pygame display (SDL dummy driver): a replay folder whose images
are all unreadable, the models missing (then copied in while the kiosk waits), a webcam
that is not there while the kiosk waits for it. Each shows the screen a guest would see
(the set-up screen's calm words, or "No camera found"), the exact staff lines, and no
traceback reaches the terminal.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pygame
import pytest
from kiosk_driving import at, drive, post

from coaching.presets import Preset, load_presets
from kiosk.app import AppOptions, KioskApp
from kiosk.config import load_config
from kiosk.logs import setup_console_logging
from kiosk.screens import FaceBox
from kiosk.setup_faults import FETCH_FROM
from kiosk.states import Kind, State
from kiosk.view_model import guide_for


class FakeClock:
    """Monotonic time a test can push forward (retry timers without waiting)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


def _drop_console_logging() -> None:
    root = logging.getLogger()
    for h in [h for h in root.handlers if getattr(h, "_headshot_console", False)]:
        root.removeHandler(h)


@pytest.fixture()
def terminal(capfd: pytest.CaptureFixture[str]):
    """The commands' console logging on this test's stderr, as ``headshot-kiosk run``
    has it; call the result for what reached the terminal (checked for tracebacks)."""
    _drop_console_logging()
    started = False

    def lines() -> list[str]:
        out, err = capfd.readouterr()
        assert "Traceback" not in out + err, err
        return err.splitlines()

    def start() -> None:  # inside the test: capfd's stream is live only then
        nonlocal started
        if not started:
            setup_console_logging()
            started = True

    lines.start = start  # type: ignore[attr-defined]
    yield lines
    _drop_console_logging()


@pytest.fixture()
def make_app(tmp_path: Path, terminal):
    apps: list[KioskApp] = []

    def make(spec: str, *, offline: bool = False, wait: bool = True,
             clock: Callable[[], float] | None = None, **ui: object) -> KioskApp:
        terminal.start()
        cfg = load_config()
        for key, value in ui.items():
            setattr(cfg.ui, key, value)
        cfg.ui.shutter_sound = False
        cfg.camera.watchdog.wait_for_camera = wait
        app = KioskApp(cfg, AppOptions(source_spec=spec, out_dir=tmp_path / "out",
                                       windowed=True, size=(1280, 720), offline=offline,
                                       clock=clock, preset="linkedin"))
        app.start()
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.close()


def staff(app: KioskApp) -> list[str]:
    return app.build_view(app.clock()).staff


def test_a_replay_folder_of_unreadable_images_is_a_setup_fault_not_reconnecting(
        make_app, tmp_path: Path, terminal) -> None:
    junk = tmp_path / "junk"
    junk.mkdir()
    for name in ("a.jpg", "b.png"):
        (junk / name).write_text("not an image")
    app = make_app(f"replay:{junk}")
    drive(app, at(State.SETUP))
    assert State.RECONNECTING not in app.machine.history
    assert staff(app) == [
        f"The camera source gives no picture: replay folder {junk}: none of its 2 image "
        "file(s) could be read (corrupt or not images)",
        "Replace the file or folder, or set camera.source (or --source) to a working camera, "
        "then restart the kiosk."]
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(640, 360), button=1))
    for _ in range(5):
        app.step()
    assert app.machine.state is State.SETUP and app.booth.session is None  # no session
    view = app.build_view(app.clock())
    assert view.words.ui("setup.title") == "The booth is getting ready"
    assert terminal() == [  # the operator's terminal: one line
        f"ERROR kiosk.camera_link: camera replay:{junk}: replay folder {junk}: none of its 2 "
        "image file(s) could be read (corrupt or not images); not retrying (a file does not "
        "fix itself)"]


def test_missing_models_show_the_fix_then_the_kiosk_starts_once_they_are_copied_in(
        make_app, tmp_path: Path, monkeypatch, media: Path, shared: Path, terminal) -> None:
    models = tmp_path / "models"
    models.mkdir()
    monkeypatch.setenv("HEADSHOT_KIOSK_MODELS", str(models))
    clock = FakeClock()
    app = make_app(f"replay:{media / 'single_face.mp4'}", offline=True, clock=clock)
    drive(app, at(State.SETUP))
    lines = staff(app)
    assert lines[0] == "Models missing: face_landmarker.task, pose_landmarker_full.task"
    assert any(FETCH_FROM in ln for ln in lines[1:]), lines
    assert any("headshot-kiosk models fetch." in ln and str(models) in ln for ln in lines)
    assert app.booth.session is None
    for name in ("face_landmarker.task", "pose_landmarker_full.task"):
        shutil.copy(shared / "models" / name, models / name)
    clock.offset += 3.1  # the booth looks again every few seconds
    drive(app, at(State.WELCOME))
    assert app.booth.setup_fault() is None
    drive(app, lambda a: a.booth.models_ready())
    err = terminal()
    assert any(ln.startswith("ERROR kiosk.booth: set-up fault: Models missing: "
                             "face_landmarker.task, pose_landmarker_full.task; From a USB")
               for ln in err), err
    assert err[-1] == ("WARNING kiosk.booth: models are in place now: starting the coach "
                       "again"), err


def test_waiting_for_a_missing_webcam_shows_the_retry_count_for_staff(make_app,
                                                                       terminal) -> None:
    clock = FakeClock()
    app = make_app("webcam:57", wait=True, clock=clock)
    app.step()
    clock.offset += app.machine.timing.camera_wait_s + 0.1
    drive(app, at(State.RECONNECTING))
    title, detail = app.booth.camera_message()
    assert title == "No camera found" and "plugged in" in detail
    (line,) = staff(app)
    assert line.startswith("camera webcam:57: no webcam at 57"), line
    assert " · tried 1 time · next try in " in line, line
    assert app.stop_reason == ""
    assert all(ln.startswith("WARNING ") for ln in terminal())


def test_screens_say_only_what_the_booth_has(make_app, media: Path, terminal) -> None:
    """No button configured: no "or press the button"; self-service: no "show this code
    to a member of staff" (ui.button, ui.staffed)."""
    app = make_app(f"replay:{media / 'single_face.mp4'}", button=False, staffed=False)
    drawn: list[str] = []
    real = app.renderer.draw_text

    def spy(s: str, *a: object, **kw: object):
        drawn.append(s)
        return real(s, *a, **kw)

    app.renderer.draw_text = spy  # type: ignore[method-assign]
    drive(app, lambda a: a.machine.state is State.WELCOME and a.booth.latest_frame() is not None)
    app.step()
    assert "Touch to start" in drawn and "or press the button" not in drawn
    app.cfg.ui.button = True  # a booth with a button says so
    drawn.clear()
    app.step()
    assert "or press the button" in drawn
    post(Kind.START)
    drive(app, at(State.COACHING))
    drive(app, lambda a: a.booth.models_ready())
    post(Kind.SHUTTER)
    drive(app, at(State.REVIEW))
    post(Kind.KEEP)
    drive(app, at(State.DONE))
    drawn.clear()
    app.step()
    code = app.machine.ctx.session_code
    assert "Your photo code" in drawn and code in drawn
    assert not any("member of staff" in s for s in drawn), drawn
    app.cfg.ui.staffed = True
    drawn.clear()
    app.step()
    assert "Show this code to a member of staff to get your photo." in drawn
    terminal()


def test_the_target_oval_sits_on_a_face_in_range_and_nearest_to_one_out_of_range() -> None:
    """The guide is the framing inside the preset's ranges nearest to the face: a face
    already in range is exactly in the oval (not a narrower oval beside it)."""
    preset = Preset.model_validate({
        "name": "framing", "title": "Framing", "description": "Framing only.",
        "ranges": {"head_height": {"min": 0.55}, "eye_line": {"min": 0.28, "max": 0.38},
                   "face_center_x": {"min": -0.08, "max": 0.08}}})
    face = FaceBox(0.55, 0.45, 0.76)  # big enough, a little right, eyes low
    g = guide_for(preset, {}, face)
    assert g is not None
    assert g.head_h == pytest.approx(0.76)  # in range (no upper bound): the face's own size
    assert g.cx == pytest.approx(0.55)  # within face_center_x: on the face, not at 0.5
    assert g.eye_y == pytest.approx(0.38)  # too low: the nearest line that would do
    far = guide_for(preset, {}, FaceBox(0.9, 0.1, 0.3))
    assert (far.cx, far.eye_y, far.head_h) == pytest.approx((0.58, 0.28, 0.55))
    linkedin = load_presets(user=False)["linkedin"]  # a shipped preset: the same rule
    hh = linkedin.ranges.head_height
    inside = FaceBox(0.5, 0.33, (hh.min + (hh.max or hh.min + 0.2)) / 2)
    assert guide_for(linkedin, {}, inside).head_h == pytest.approx(inside.head_h)
