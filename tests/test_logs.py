"""The kiosk's log file: a whole kiosk session (real display on the SDL dummy driver, a
replayed person through the real models, a retake and a kept photo, the operator PIN
typed wrong and right) logged at DEBUG, then the file is searched for the PIN, its hash,
image bytes, base64 blobs, array dumps and huge lines. The same session checks the
kiosk's wiring of the health line and of ``storage.delete_unkept``. Plus rotation, the
one-line cap and a log folder that vanishes."""

from __future__ import annotations

import logging
import re
import shutil
import time
from pathlib import Path

import pygame
import pytest

from camera.replay import ReplaySource
from kiosk.app import KioskApp
from kiosk.config import load_config
from kiosk.logs import MAX_MESSAGE, remove_file_logging, setup_file_logging
from kiosk.operator import hash_pin
from kiosk.states import State

PIN = "80261975"
WRONG = "31415926"


@pytest.fixture()
def root_debug():
    root = logging.getLogger()
    level, raise_exc = root.level, logging.raiseExceptions
    root.setLevel(logging.DEBUG)
    yield
    remove_file_logging()
    root.setLevel(level)
    logging.raiseExceptions = raise_exc


def _drive(app: KioskApp, until, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while not until(app):
        assert time.monotonic() < deadline, f"stuck in {app.machine.state}"
        app.step()
        time.sleep(0.015)


def _key(k: int, mod: int = 0, unicode: str = "") -> None:
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=mod, unicode=unicode))


def _type(digits: str) -> None:
    for d in digits:
        _key(pygame.K_0 + int(d), unicode=d)
    _key(pygame.K_RETURN)


class FakeClock:
    """Monotonic time a test can push forward (a minute for the health line)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


def test_a_kiosk_session_logs_no_pin_no_images_no_huge_lines(tmp_path: Path, media: Path,
                                                              root_debug) -> None:
    cfg = load_config()
    cfg.ui.shutter_sound = False
    cfg.operator.pin_hash = hash_pin(PIN)
    cfg.storage.delete_unkept = True
    out = tmp_path / "out"
    clock = FakeClock()
    app = KioskApp(cfg, source=ReplaySource(media / "single_face.mp4", realtime=True, loop=True),
                   source_spec=f"replay:{media / 'single_face.mp4'}", out_dir=out,
                   windowed=False, size=(1024, 600), preset="linkedin", clock=clock)
    log_path = setup_file_logging(out / "logs")
    app.start()
    try:
        _drive(app, lambda a: a.machine.state is State.WELCOME)
        _key(pygame.K_PAGEDOWN)  # start (the preset is fixed)
        _drive(app, lambda a: a.machine.state is State.COACHING)
        _drive(app, lambda a: a.booth.last_result is not None
               and a.booth.last_result.state.status != "no_face")
        _key(pygame.K_SPACE)  # take the photo now
        _drive(app, lambda a: a.machine.state is State.REVIEW)
        _key(pygame.K_RIGHT)  # "Try again"
        _key(pygame.K_RETURN)
        _drive(app, lambda a: a.machine.state is State.COACHING)
        _key(pygame.K_SPACE)
        _drive(app, lambda a: a.machine.state is State.REVIEW)
        _key(pygame.K_RETURN)  # keep this one
        _drive(app, lambda a: a.machine.state is State.DONE)
        assert len(list(out.glob("*/shot-*.jpg"))) == 2
        clock.offset += 61  # a minute passes: the health line
        app.step()
        _key(pygame.K_o, mod=pygame.KMOD_CTRL | pygame.KMOD_ALT)
        app.step()
        _type(WRONG)
        app.step()
        assert app.operator.message == "Wrong PIN"
        _type(PIN)
        app.step()
        assert app.operator.mode.value == "open"
        _key(pygame.K_q)  # quit from the operator panel
        app.step()
        assert app.quit_requested
    finally:
        app.close()  # ends the session: the unkept retake is deleted (delete_unkept)
    deadline = time.monotonic() + 10
    while "unkept photo(s)" not in log_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.02)
    photos = list(out.glob("*/shot-*.jpg"))
    assert [p.name for p in photos] == ["shot-002.jpg"]
    raw = b"".join(p.read_bytes() for p in sorted(log_path.parent.glob("kiosk.log*")))
    text = raw.decode("utf-8")
    # the log is there and says what happened ...
    assert "kiosk started" in text and "wrong operator PIN" in text
    assert "operator mode unlocked" in text
    health = [x for x in text.splitlines() if " kiosk.health: health: " in x]
    assert len(health) == 1 and "camera live" in health[0] and "captures 2 (+2)" in health[0]
    assert "deleted 1 unkept photo(s)" in text
    # ... and holds nothing it must not
    assert PIN not in text and WRONG not in text
    assert cfg.operator.pin_hash not in text and cfg.operator.pin_hash.split("$")[-1] not in text
    assert b"\xff\xd8\xff" not in raw and b"JFIF" not in raw  # no JPEG bytes
    assert not re.search(r"[A-Za-z0-9+/]{120,}={0,2}", text)  # no base64 blob
    assert "array(" not in text and "dtype=" not in text  # no pixel dumps
    photo_head = photos[0].read_bytes()[:64]
    assert photo_head not in raw
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= MAX_MESSAGE + 200


def test_messages_are_capped_kept_on_one_line_and_the_file_rotates(tmp_path: Path,
                                                                   root_debug) -> None:
    path = setup_file_logging(tmp_path / "logs", max_bytes=20_000, backups=2)
    log = logging.getLogger("kiosk.test")
    log.info("frame %s", "x" * 50_000)
    log.info("line one\nline two")
    for i in range(400):
        log.info("filler %04d %s", i, "y" * 100)
    remove_file_logging()
    files = sorted(p.name for p in path.parent.iterdir())
    assert files == ["kiosk.log", "kiosk.log.1", "kiosk.log.2"]  # rotated, 2 kept
    assert all(p.stat().st_size <= 20_000 + MAX_MESSAGE + 200 for p in path.parent.iterdir())
    # setting up again (a restart) appends to the same file, no line written twice
    setup_file_logging(tmp_path / "logs2")
    setup_file_logging(tmp_path / "logs2")
    log.info("once")
    remove_file_logging()
    assert (tmp_path / "logs2" / "kiosk.log").read_text().count("once") == 1

    setup_file_logging(tmp_path / "logs3")
    log.info("frame %s", "x" * 50_000)
    log.info("line one\nline two")
    remove_file_logging()
    lines = (tmp_path / "logs3" / "kiosk.log").read_text().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("more characters cut]") and len(lines[0]) < MAX_MESSAGE + 200
    assert lines[1].endswith("line one\\nline two")


def test_a_vanished_log_folder_prints_no_traceback(tmp_path: Path, root_debug, capfd) -> None:
    folder = tmp_path / "usb"
    setup_file_logging(folder, max_bytes=2_000)
    log = logging.getLogger("kiosk.test")
    log.warning("before")
    shutil.rmtree(folder)
    folder.with_name("usb").write_text("not a folder now")  # the rotation cannot happen
    for i in range(100):
        log.warning("after %d %s", i, "z" * 50)
    remove_file_logging()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Logging error" not in err
