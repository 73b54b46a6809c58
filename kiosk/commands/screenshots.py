"""``headshot-kiosk screenshots DIR``: every kiosk screen as a PNG named after it.

The real app runs on an off-screen display (SDL's dummy driver) with a replayed
person as the camera (default ``../shared/media/single_face.mp4``) and the real
coach; it is driven through a whole session by posted events, and the display is
saved at each screen. Screens a short clip cannot reach on cue (the hold count,
camera trouble, the failsafe) are drawn from the live view with that one thing
set. Photos taken on the way go to a temporary folder that is deleted.

The first session takes one photo (the preset as a single shot); a second one takes
a set (the preset's own ``shots``, or 3 if it takes one) for the screen between
shots (``coaching_next``) and the review of the set (``review_set``).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from camera.sources import SourceSpecError, parse_source
from coaching.messages import load_catalogue
from coaching.presets import Preset, load_presets
from coaching.yamlconfig import ConfigError
from kiosk.commands.common import UsageError, load_app_config, preset_or_usage
from kiosk.config import AppConfig
from kiosk.operator import Mode, hash_pin
from kiosk.paths import PROJECT_ROOT
from kiosk.setup_faults import models_fault_example
from kiosk.states import Event, Kind, State

DEFAULT_MEDIA = PROJECT_ROOT.parent / "shared" / "media" / "single_face.mp4"

#: Every file the command writes, in the order a sitter meets the screens.
SCREENS = ("loading", "welcome", "choose", "coaching", "coaching_hold", "capture", "review",
           "done", "coaching_next", "review_set", "reconnecting", "no_camera", "failsafe",
           "setup", "operator_pin", "operator")


def parse_size(text: str) -> tuple[int, int]:
    """``1920x1080`` -> (1920, 1080); raises UsageError (one line) otherwise."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise UsageError(f"--size wants WIDTHxHEIGHT, e.g. 1920x1080; got {text!r}") from None
    if not (320 <= w <= 8192 and 240 <= h <= 8192):
        raise UsageError(f"--size {text}: the width must be 320..8192 and the height 240..8192")
    return w, h


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", type=Path, help="folder for the PNG files (created if needed)")
    p.add_argument("--source", default=None,
                   help=f"camera to show (default: replay:{DEFAULT_MEDIA})")
    p.add_argument("--size", default="1920x1080", metavar="WxH",
                   help="screen size in pixels (default 1920x1080; try 1080x1920 for portrait)")
    p.add_argument("--preset", default="linkedin", help="preset to coach (default linkedin)")
    p.add_argument("--config", type=Path, default=None, help="app config YAML")
    p.add_argument("--language", default=None, metavar="LANG",
                   help="the guest's language (a message catalogue code, e.g. de or ja; "
                        "default: the config's coach.language)")


def run(args: argparse.Namespace) -> int:
    size = parse_size(args.size)
    if args.source is None and not DEFAULT_MEDIA.is_file():
        # The default clip sits beside a source checkout only; an installed wheel has none.
        raise UsageError(f"no default clip at {DEFAULT_MEDIA}: give --source "
                         "(e.g. replay:VIDEO or webcam:0)")
    spec = args.source or f"replay:{DEFAULT_MEDIA}"
    try:
        parse_source(spec)
    except SourceSpecError as exc:
        raise UsageError(f"--source: {exc}") from None
    cfg = load_app_config(args.config)
    if args.language:
        try:
            load_catalogue(args.language)
        except ConfigError as exc:
            raise UsageError(f"--language: {exc}") from None
        cfg.coach.language = args.language
    preset = preset_or_usage(args.preset)
    try:
        args.dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {args.dir}: {exc.strerror or exc}") from None
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    presets = load_presets()
    presets[preset.name] = preset.model_copy(update={"shots": 1})
    a_set = preset if preset.shots > 1 else preset.model_copy(update={"shots": 3})
    cfg.ui.shutter_sound = False
    cfg.voice.enabled = False
    with tempfile.TemporaryDirectory(prefix="headshot-screens-") as tmp:
        booth = _Booth(cfg, spec, presets, size, Path(tmp) / "photos")
        written = _shoot(booth, a_set, args.dir)
    for path in written:
        print(path)
    missing = [s for s in SCREENS if s not in {p.stem for p in written}]
    if missing:
        print(f"headshot-kiosk: could not reach: {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


@dataclass(frozen=True)
class _Booth:
    """The kiosk to photograph: config, camera, presets, screen size, where photos go."""

    cfg: AppConfig
    spec: str
    presets: dict[str, Preset]
    size: tuple[int, int]
    photos: Path


def _shoot(booth: _Booth, a_set: Preset, out: Path) -> list[Path]:
    """``presets[a_set.name]`` takes one photo; ``a_set`` is the same preset taking a set."""
    # pygame and the app only now: run() has just chosen SDL's dummy drivers for them.
    import pygame

    from kiosk.app import KioskApp
    from kiosk.input import post
    from kiosk.screens import CoachView, draw_view

    preset = a_set.name
    presets = booth.presets
    app = KioskApp(booth.cfg, source_spec=booth.spec, out_dir=booth.photos, windowed=True,
                   size=booth.size, presets=presets)
    written: list[Path] = []

    def save(name: str) -> None:
        path = out / f"{name}.png"
        pygame.image.save(app.surface, str(path))
        written.append(path)

    def drive(until: Callable[[], bool], timeout: float = 20.0, settle: int = 0) -> bool:
        deadline = time.monotonic() + timeout
        while not until():
            if time.monotonic() > deadline:
                return False
            app.step()
            time.sleep(0.01)
        for _ in range(settle):
            app.step()
            time.sleep(0.02)
        return True

    def draw_variant(name: str, **changes: object) -> None:
        """The current live view with a few fields changed (for screens not on cue)."""
        v = app.build_view(app.clock())
        v = dataclasses.replace(v, **changes)
        draw_view(app.renderer, v)
        save(name)

    def state_is(s: State) -> Callable[[], bool]:
        return lambda: app.machine.state is s

    try:
        app.start()
        app.step()
        save("loading")
        if not drive(lambda: app.machine.state is State.WELCOME
                     and app.booth.latest_frame() is not None, 15, settle=5):
            return written
        save("welcome")
        post(Event(Kind.START))
        drive(state_is(State.CHOOSE), settle=1)
        save("choose")
        index = next(i for i, c in enumerate(app.machine.ctx.presets) if c.key == preset)
        app.machine.ctx.focus = index
        app.step()
        post(Event(Kind.SELECT, index=index))
        drive(state_is(State.COACHING), 30)
        # Wait for a real prompt with a direction (the arrow), or at least some coaching.
        drive(lambda: _direction(app) is not None, 10)
        save("coaching")
        res = app.booth.last_result
        draw_variant("coaching_hold", coach=CoachView(
            status="hold", message="", readiness=1.0, hold_progress=0.45,
            in_range=dict(getattr(getattr(res, "state", None), "in_range", {}) or {})))
        # Operator: the PIN pad (a throwaway PIN for this run), then the live panel.
        app.operator.pin_hash = hash_pin("2580")
        app.operator.allow_without_pin = False
        app.operator.request(app.clock())
        for d in "25":
            app.operator.type_digit(d, app.clock())
        app.step()
        save("operator_pin")
        for d in "80":
            app.operator.type_digit(d, app.clock())
        app.operator.submit(app.clock())
        drive(lambda: app.operator.mode is Mode.OPEN, 2, settle=3)
        save("operator")
        app.operator.close()
        app.step()
        post(Event(Kind.SHUTTER))
        drive(state_is(State.CAPTURE))
        draw_variant("capture", flash=0.45)
        drive(state_is(State.REVIEW), 30, settle=2)
        save("review")
        post(Event(Kind.KEEP))
        drive(state_is(State.DONE), settle=2)
        save("done")
        _shoot_set(app, presets, a_set, index, drive, save)
        draw_variant("reconnecting", state=State.RECONNECTING, camera_title="camera.reconnecting",
                     camera_detail="camera.reconnecting_detail")
        draw_variant("no_camera", state=State.RECONNECTING, camera_title="camera.none",
                     camera_detail="camera.none_detail", frame=None,
                     staff=["camera webcam:0: no webcam at 0 · tried 3 times · next try in 8 s"])
        draw_variant("failsafe", state=State.FAILSAFE, frame=None)
        fault = models_fault_example()
        draw_variant("setup", state=State.SETUP, frame=None, staff=[fault.what, *fault.fix])
    finally:
        app.close()
    order = {name: i for i, name in enumerate(SCREENS)}
    return sorted(written, key=lambda p: order.get(p.stem, 99))


def _shoot_set(app: Any, presets: dict[str, Preset], a_set: Preset, index: int,
               drive: Callable[..., bool], save: Callable[[str], None]) -> None:
    """A second session taking a whole set: the screen between shots, the set's review."""
    from kiosk.input import post  # pygame: see _shoot

    presets[a_set.name] = a_set  # the booth reads the same dict
    post(Event(Kind.OK))  # finish
    drive(lambda: app.machine.state is State.WELCOME)
    post(Event(Kind.START))
    drive(lambda: app.machine.state is State.CHOOSE)
    post(Event(Kind.SELECT, index=index))
    drive(lambda: app.machine.state is State.COACHING, 30)
    for _ in range(a_set.shots):
        if app.machine.state is not State.COACHING:
            break
        n = len(app.machine.ctx.shots)
        post(Event(Kind.SHUTTER))
        if not drive(lambda n=n: len(app.machine.ctx.shots) > n and app.machine.state in (
                State.COACHING, State.REVIEW), 30, settle=2):
            return
        if app.machine.state is State.COACHING and n == 0:
            save("coaching_next")
    if drive(lambda: app.machine.state is State.REVIEW, 5):
        post(Event(Kind.SELECT, index=1))  # the sitter picks a favourite
        drive(lambda: app.machine.ctx.favourite is not None, 2, settle=2)
        save("review_set")


def _direction(app: Any) -> str | None:
    """The current prompt's arrow, if any (None before the first coached frame)."""
    st = getattr(app.booth.last_result, "state", None)
    prompt = getattr(st, "prompt", None)
    return getattr(prompt, "direction", None)
