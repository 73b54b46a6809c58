"""``headshot-kiosk doctor``: check a booth before the doors open, one line per check.

Each check prints ``ok``, ``WARN`` or ``FAIL``, what it found and, when something is
wrong, ``fix:`` with what to do (the exact command where there is one). Exit 0 when
nothing failed (warnings allowed), 1 when a check failed, 2 for a bad command line.
The checks are the set-up faults the kiosk itself shows staff (:mod:`kiosk.setup_faults`)
plus what would only show later in the day: a full disk, a folder that cannot be
written, a clock that went back.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pygame

from camera.base import CameraError
from camera.sources import SourceSpecError, open_source, parse_source
from coaching.yamlconfig import ConfigError
from kiosk.app import NoDisplay, check_display_driver
from kiosk.config import AppConfig, load_config
from kiosk.paths import DEFAULT_CONFIG, user_data_dir
from kiosk.setup_faults import model_checks, models_fault, where_models_go

#: Free space below which the disk check fails / warns (bytes).
DISK_FAIL = 1_000_000_000
DISK_WARN = 5_000_000_000
#: A webcam still may be ~1 MB and a DSLR JPEG+RAW ~40 MB: what a GB holds, roughly.
PHOTO_BYTES = 3_000_000
#: How long the camera check waits for a first picture (seconds).
CAMERA_WAIT_S = 8.0


@dataclass(frozen=True)
class Check:
    """One line of the report."""

    status: str  # "ok", "WARN" or "FAIL"
    name: str
    found: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.status:<4}  {self.name}: {self.found}"
        return text + (f" — fix: {self.fix}" if self.fix else "")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, default=None,
                   help="app config YAML (default: config/default.yaml)")
    p.add_argument("--source", default=None, help="camera to check (default: camera.source)")
    p.add_argument("--out", type=Path, default=None,
                   help="photo folder to check (default: storage.out_dir or the per-user one)")


def run(args: argparse.Namespace) -> int:
    checks: list[Check] = []
    cfg = _config(args.config, checks)
    if cfg is not None:
        out = Path(args.out or cfg.storage.out_dir or (user_data_dir() / "sessions"))
        steps: list[Callable[[], Check]] = [
            lambda: _models(cfg), lambda: _camera(args.source or cfg.camera.source, cfg),
            _display, lambda: _audio(cfg), lambda: _disk(out), lambda: _writable(out),
            lambda: _clock(out)]
        for step in steps:
            try:
                checks.append(step())
            except Exception as exc:  # noqa: BLE001 - a check that breaks is a failed check
                checks.append(Check("FAIL", getattr(step, "__name__", "check"),
                                    f"the check itself failed: {type(exc).__name__}: {exc}"))
            print(checks[-1].line(), flush=True)
    failed = [c for c in checks if c.status == "FAIL"]
    print(f"{len(checks)} checks: {len(failed)} failed, "
          f"{sum(c.status == 'WARN' for c in checks)} warning(s)"
          + ("" if failed else "; ready for guests"))
    return 1 if failed else 0


def _config(path: Path | None, checks: list[Check]) -> AppConfig | None:
    try:
        cfg = load_config(path)
    except ConfigError as exc:
        checks.append(Check("FAIL", "config", str(exc),
                            "correct that line; headshot-kiosk check-config FILE checks it"))
        print(checks[-1].line(), flush=True)
        return None
    checks.append(Check("ok", "config", f"{path or DEFAULT_CONFIG} is valid"))
    print(checks[-1].line(), flush=True)
    return cfg


def _models(cfg: AppConfig) -> Check:
    fault = models_fault(cfg)
    if fault is None:
        found = model_checks(cfg)
        where = sorted({str(c.path.parent) for c in found if c.path is not None})
        return Check("ok", "models", f"{', '.join(c.spec.filename for c in found)} present "
                                     f"and verified ({', '.join(where)})")
    return Check("FAIL", "models", fault.what,
                 "headshot-kiosk models fetch --from FOLDER (a USB stick with the files) or "
                 f"headshot-kiosk models fetch (internet); they go in {where_models_go()}")


def _camera(spec: str, cfg: AppConfig) -> Check:
    name = f"camera {spec}"
    try:
        parsed = parse_source(spec)
    except SourceSpecError as exc:
        return Check("FAIL", name, str(exc), "set camera.source or --source")
    settings = cfg.camera.model_copy(deep=True)
    settings.watchdog.wait_for_camera = False
    src = open_source(parsed, settings)
    try:
        src.open()
        deadline = time.monotonic() + CAMERA_WAIT_S
        frame = None
        while frame is None and time.monotonic() < deadline:
            frame = src.wait_frame(-1, timeout=0.5)
    except CameraError as exc:
        return Check("FAIL", name, str(exc),
                     "plug the camera in and switch it on, or set camera.source / --source")
    finally:
        src.close()
    if frame is None:
        return Check("FAIL", name, f"opened but gave no picture in {CAMERA_WAIT_S:.0f} s",
                     "check the cable and that no other program uses the camera")
    h, w = frame.image.shape[:2]
    return Check("ok", name, f"{getattr(src, 'name', spec)} gives pictures ({w}x{h})")


def _display() -> Check:
    requested = os.environ.get("SDL_VIDEODRIVER")
    pygame.display.init()
    try:
        driver = pygame.display.get_driver()
        check_display_driver(driver, requested)
    except NoDisplay as exc:
        return Check("FAIL", "display", str(exc).split(":", 1)[0],
                     "run it on a screen (DISPLAY / WAYLAND_DISPLAY), use run --headless, or "
                     "set SDL_VIDEODRIVER=dummy on purpose")
    finally:
        pygame.display.quit()
    if requested and driver.lower() == requested.strip().lower() and driver in (
            "dummy", "offscreen"):
        return Check("ok", "display", f"SDL_VIDEODRIVER={requested}: no screen, on purpose")
    return Check("ok", "display", f"SDL video driver {driver}")


def _audio(cfg: AppConfig) -> Check:
    ui, voice = cfg.ui, cfg.voice
    speak = voice.enabled is not False
    if voice.enabled and voice.piper_model is None and not (
            shutil.which("espeak-ng") or shutil.which("espeak")):
        return Check("FAIL", "audio", "voice.enabled is on but espeak-ng is not installed",
                     "apt-get install espeak-ng, or set voice.enabled: false")
    if not (ui.shutter_sound or speak):
        return Check("ok", "audio", "no sound wanted (ui.shutter_sound and voice.enabled off)")
    requested = os.environ.get("SDL_AUDIODRIVER", "").strip()
    if requested.lower() == "dummy":
        return Check("ok", "audio", "SDL_AUDIODRIVER=dummy: silent, on purpose")
    try:
        pygame.mixer.init()
        driver = pygame.mixer.get_init()
        pygame.mixer.quit()
    except pygame.error as exc:
        return Check("WARN", "audio", f"no sound device ({exc}); the kiosk runs silent",
                     "plug in speakers, or set ui.shutter_sound: false")
    return Check("ok", "audio", f"sound device ready ({driver[0]} Hz)" if driver
                 else "sound device ready")


def _existing(folder: Path) -> Path:
    p = folder.resolve()
    while not p.is_dir() and p != p.parent:
        p = p.parent
    return p


def _disk(out: Path) -> Check:
    base = _existing(out)
    free = shutil.disk_usage(base).free
    found = f"{free / 1e9:.1f} GB free on {base} (about {free // PHOTO_BYTES:,} photos)"
    if free < DISK_FAIL:
        return Check("FAIL", "disk space", found, "free some space or use another --out disk")
    if free < DISK_WARN:
        return Check("WARN", "disk space", found, "a busy day may fill it: free some space")
    return Check("ok", "disk space", found)


def _writable(out: Path) -> Check:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".doctor-{os.getpid()}"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        return Check("FAIL", "photo folder", f"{out} cannot be written ({exc.strerror or exc})",
                     "choose a writable folder with --out or storage.out_dir")
    return Check("ok", "photo folder", f"{out} is writable")


def _clock(out: Path) -> Check:
    """A booth without network time (or with a flat clock battery) may boot in the past:
    session folders would be dated wrong and sort before yesterday's."""
    now = time.time()
    newest = 0.0
    if out.is_dir():
        for p in out.iterdir():
            try:
                newest = max(newest, p.stat().st_mtime)
            except OSError:
                continue
    stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(now))
    if time.localtime(now).tm_year < 2025:
        return Check("FAIL", "clock", f"reads {stamp}, which is in the past",
                     "set the date and time (timedatectl set-time 'YYYY-MM-DD HH:MM') or "
                     "enable network time")
    if newest > now + 60:
        seen = time.strftime("%Y-%m-%d %H:%M", time.localtime(newest))
        return Check("FAIL", "clock", f"reads {stamp}, before files written at {seen} in {out}",
                     "set the date and time (timedatectl set-time 'YYYY-MM-DD HH:MM') or "
                     "enable network time")
    return Check("ok", "clock", f"reads {stamp} {time.strftime('%Z')}")
